/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * <sys/vmem.hpp>: a C++17 interface to the vmem resource allocator,
 * header-only over the C functions of <sys/vmem.h> and <sys/vmem_ext.h>,
 * in namespace uvmem (the library's name: "vmem" is the C struct's).
 *
 *	uvmem::Arena ports("ioports", 0x1000, 0xf000);	// owns the arena
 *	uvmem::Result<uvmem::Allocation> r = ports.try_alloc(0x100);
 *	if (r) {
 *		uvmem::Allocation io = std::move(*r);	// [io.addr(), io.end())
 *		...
 *	}						// given back here
 *	else if (r.error() == std::errc::not_enough_memory) ...
 *
 * - uvmem::Arena owns an arena and destroys it when destroyed; it can be
 *   moved, not copied. uvmem::Allocation owns a range of an arena and gives
 *   it back when destroyed (or reset()); release() hands the range to the
 *   caller, who then frees it with the C functions.
 * - try_alloc(), try_xalloc(), Arena::try_create() and try_add() never wait
 *   (M_NOWAIT) and never throw: they return a uvmem::Result, which holds the
 *   value or a std::error_code (std::errc::not_enough_memory when the arena
 *   is exhausted; the arena is then unchanged). alloc(), xalloc(), add()
 *   and the constructor may wait for space (M_WAITOK) and never fail.
 * - Nothing here throws. Misuse is still a panic, as in C: a wrong size,
 *   invalid constraints, destroying an arena while allocations are live
 *   (an Allocation outliving its Arena, or one leaked with release()).
 *   Using an empty (default-constructed or moved-from) Arena, or the value
 *   of a Result that holds an error, prints a message and aborts.
 * - Arenas stack without function-pointer casts: child.import_from(parent,
 *   quantum) imports spans from another arena; import_from(source, quantum)
 *   from any object with import() and release() members (see below). The
 *   parent or source must outlive the child arena.
 *
 * Link with the library (pkg-config uvmem; //:vmem in Bazel).
 */
#ifndef _SYS_VMEM_HPP_
#define _SYS_VMEM_HPP_

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

namespace uvmem {

using addr_t = vmem_addr_t;
using size_type = vmem_size_t;

/* The fit strategy of an allocation (M_BESTFIT, M_FIRSTFIT, M_NEXTFIT). */
enum class Fit : int {
  best = M_BESTFIT,   /* low fragmentation (the default) */
  first = M_FIRSTFIT, /* fast */
  next = M_NEXTFIT,   /* from a rotating cursor: IDs, vmem_alloc only */
};

/* Constraints of vmem_xalloc(); the defaults constrain nothing. */
struct Constraints {
  size_type align = 0;            /* power of two multiple of the quantum */
  size_type phase = 0;            /* offset from an align boundary */
  size_type nocross = 0;          /* boundary not to cross (power of 2) */
  addr_t minaddr = VMEM_ADDR_MIN; /* the range lies in [min, max] */
  addr_t maxaddr = VMEM_ADDR_MAX;
  bool top_down = false; /* the highest fitting address (M_ENDALLOC) */
};

namespace detail {

[[noreturn]] inline void fail(const char *where, const char *what) noexcept {
  std::fprintf(stderr, "panic: %s: %s\n", where, what);
  std::fflush(stderr);
  std::abort();
}

inline std::error_code from_errno(int error) noexcept {
  return std::error_code(error, std::generic_category());
}

}  // namespace detail

/*
 * A value or the reason there is none, for the calls that do not wait. It
 * converts to true when it holds a value. value(), * and -> on an error
 * abort (nothing throws); check first, or use error().
 */
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)
      : value_(std::move(value)) {}
  Result(std::error_code error) noexcept : error_(error) {}

  bool has_value() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  /* The error; a default (false) std::error_code with a value. */
  std::error_code error() const noexcept { return error_; }

  T &value() &noexcept {
    check();
    return *value_;
  }
  const T &value() const &noexcept {
    check();
    return *value_;
  }
  T &&value() &&noexcept {
    check();
    return std::move(*value_);
  }
  T &operator*() &noexcept { return value(); }
  const T &operator*() const &noexcept { return value(); }
  T &&operator*() &&noexcept { return std::move(*this).value(); }
  T *operator->() noexcept { return &value(); }
  const T *operator->() const noexcept { return &value(); }

 private:
  void check() const noexcept {
    if (!value_.has_value())
      detail::fail("uvmem::Result::value",
                   ("no value: " + error_.message()).c_str());
  }

  std::optional<T> value_;
  std::error_code error_;
};

/*
 * A range [addr(), end()) of an arena, given back when the Allocation is
 * destroyed, reset() or assigned to. Move-only; an empty one (default,
 * moved-from, released) owns nothing and converts to false.
 */
class [[nodiscard]] Allocation {
 public:
  Allocation() noexcept = default;
  Allocation(Allocation &&other) noexcept
      : vm_(std::exchange(other.vm_, nullptr)),
        addr_(other.addr_),
        size_(other.size_),
        constrained_(other.constrained_) {}
  Allocation &operator=(Allocation &&other) noexcept {
    if (this != &other) {
      reset();
      vm_ = std::exchange(other.vm_, nullptr);
      addr_ = other.addr_;
      size_ = other.size_;
      constrained_ = other.constrained_;
    }
    return *this;
  }
  Allocation(const Allocation &) = delete;
  Allocation &operator=(const Allocation &) = delete;
  ~Allocation() { reset(); }

  /*
   * Take over a range allocated with the C functions: vmem_alloc()
   * (constrained false) or vmem_xalloc() (constrained true).
   */
  static Allocation adopt(vmem_t *vm, addr_t addr, size_type size,
                          bool constrained) noexcept {
    return Allocation(vm, addr, size, constrained);
  }

  explicit operator bool() const noexcept { return vm_ != nullptr; }
  addr_t addr() const noexcept { return addr_; }
  /* The size asked for (the arena rounds it up to its quantum). */
  size_type size() const noexcept { return size_; }
  addr_t end() const noexcept { return addr_ + size_; }
  /* The arena it belongs to; nullptr when empty. */
  vmem_t *arena() const noexcept { return vm_; }
  /* Whether it came from xalloc() (freed with vmem_xfree()). */
  bool constrained() const noexcept { return constrained_; }

  /* Give the range back now. */
  void reset() noexcept {
    if (vm_ == nullptr) return;
    vmem_t *vm = std::exchange(vm_, nullptr);
    if (constrained_)
      vmem_xfree(vm, addr_, size_);
    else
      vmem_free(vm, addr_, size_);
  }

  /*
   * Stop owning the range and return its address: the caller frees it
   * with vmem_free() (vmem_xfree() if constrained()) and size().
   */
  addr_t release() noexcept {
    vm_ = nullptr;
    return addr_;
  }

 private:
  Allocation(vmem_t *vm, addr_t addr, size_type size, bool constrained) noexcept
      : vm_(vm), addr_(addr), size_(size), constrained_(constrained) {}

  vmem_t *vm_ = nullptr;
  addr_t addr_ = 0;
  size_type size_ = 0;
  bool constrained_ = false;
};

/*
 * An arena, destroyed when the Arena is (vmem_destroy(): it panics if
 * anything allocated from it is still live). Move-only; a default-
 * constructed or moved-from Arena is empty and owns nothing.
 */
class Arena {
 public:
  Arena() noexcept = default;

  /*
   * vmem_create(name, base, size, quantum, qcache_max, M_WAITOK):
   * never fails. size 0 creates an arena without spans (add() or
   * import_from() give it some). quantum is a power of two (0 is taken
   * as 1); sizes up to qcache_max come from per-size caches.
   */
  Arena(const char *name, addr_t base, size_type size, size_type quantum = 1,
        size_type qcache_max = 0) noexcept
      : vm_(vmem_create(name, base, size, quantum, qcache_max, M_WAITOK)) {}

  /* The same with M_NOWAIT: fails when memory for the arena is short. */
  static Result<Arena> try_create(const char *name, addr_t base, size_type size,
                                  size_type quantum = 1,
                                  size_type qcache_max = 0) noexcept {
    vmem_t *vm = vmem_create(name, base, size, quantum, qcache_max, M_NOWAIT);
    if (vm == nullptr) return detail::from_errno(ENOMEM);
    return adopt(vm);
  }

  /* Take ownership of an arena made with vmem_create(). */
  static Arena adopt(vmem_t *vm) noexcept {
    Arena a;
    a.vm_ = vm;
    return a;
  }

  Arena(Arena &&other) noexcept : vm_(std::exchange(other.vm_, nullptr)) {}
  Arena &operator=(Arena &&other) noexcept {
    if (this != &other) {
      reset();
      vm_ = std::exchange(other.vm_, nullptr);
    }
    return *this;
  }
  Arena(const Arena &) = delete;
  Arena &operator=(const Arena &) = delete;
  ~Arena() { reset(); }

  /* Destroy the arena now (panics if allocations are live). */
  void reset() noexcept {
    if (vm_ != nullptr) vmem_destroy(std::exchange(vm_, nullptr));
  }
  /* Stop owning the arena; the caller destroys it with vmem_destroy(). */
  vmem_t *release() noexcept { return std::exchange(vm_, nullptr); }
  /* The arena, for the C functions; nullptr when empty. */
  vmem_t *get() const noexcept { return vm_; }
  explicit operator bool() const noexcept { return vm_ != nullptr; }

  /*
   * Import spans on demand from parent, import_quantum at a time, and
   * give them back when wholly free (vmem_import_arena()). REQUIRES:
   * this arena has no span yet; parent outlives it.
   */
  void import_from(Arena &parent, size_type import_quantum) noexcept {
    vmem_set_import(need("uvmem::Arena::import_from"), vmem_import_arena,
                    vmem_release_arena,
                    parent.need("uvmem::Arena::import_from"), import_quantum);
  }

  /*
   * Import spans from any source object: source.import(size, flags)
   * returns a Result<addr_t> with a span of at least size (flags holds
   * M_NOWAIT or M_WAITOK); source.release(addr, size) takes a span
   * back. Both must be callable without exceptions. REQUIRES: this
   * arena has no span yet; source outlives it.
   */
  template <class Source>
  void import_from(Source &source, size_type import_quantum) noexcept {
    vmem_set_import(need("uvmem::Arena::import_from"),
                    &import_trampoline<Source>, &release_trampoline<Source>,
                    static_cast<void *>(&source), import_quantum);
  }

  /* Add a span: vmem_add() with M_WAITOK (never fails) ... */
  void add(addr_t addr, size_type size) noexcept {
    (void)vmem_add(need("uvmem::Arena::add"), addr, size, M_WAITOK);
  }
  /* ... or M_NOWAIT. */
  std::error_code try_add(addr_t addr, size_type size) noexcept {
    int error = vmem_add(need("uvmem::Arena::try_add"), addr, size, M_NOWAIT);
    return error == 0 ? std::error_code() : detail::from_errno(error);
  }

  /*
   * vmem_alloc(): sizes up to qcache_max come from the quantum caches.
   * alloc() waits for space and never fails; try_alloc() does not wait.
   */
  Allocation alloc(size_type size, Fit fit = Fit::best) noexcept {
    addr_t addr = 0;
    int error = vmem_alloc(need("uvmem::Arena::alloc"), size,
                           static_cast<int>(fit) | M_WAITOK, &addr);
    if (error != 0) detail::fail("uvmem::Arena::alloc", "M_WAITOK failed");
    return Allocation::adopt(vm_, addr, size, false);
  }
  Result<Allocation> try_alloc(size_type size, Fit fit = Fit::best) noexcept {
    addr_t addr = 0;
    int error = vmem_alloc(need("uvmem::Arena::try_alloc"), size,
                           static_cast<int>(fit) | M_NOWAIT, &addr);
    if (error != 0) return detail::from_errno(error);
    return Allocation::adopt(vm_, addr, size, false);
  }

  /* vmem_xalloc(): constrained; bypasses the quantum caches. */
  Allocation xalloc(size_type size, const Constraints &c,
                    Fit fit = Fit::best) noexcept {
    addr_t addr = 0;
    int error = vmem_xalloc(need("uvmem::Arena::xalloc"), size, c.align,
                            c.phase, c.nocross, c.minaddr, c.maxaddr,
                            xflags(c, fit) | M_WAITOK, &addr);
    if (error != 0) detail::fail("uvmem::Arena::xalloc", "M_WAITOK failed");
    return Allocation::adopt(vm_, addr, size, true);
  }
  Result<Allocation> try_xalloc(size_type size, const Constraints &c,
                                Fit fit = Fit::best) noexcept {
    addr_t addr = 0;
    int error = vmem_xalloc(need("uvmem::Arena::try_xalloc"), size, c.align,
                            c.phase, c.nocross, c.minaddr, c.maxaddr,
                            xflags(c, fit) | M_NOWAIT, &addr);
    if (error != 0) return detail::from_errno(error);
    return Allocation::adopt(vm_, addr, size, true);
  }

  /* Limit the total size of the spans (0: none). */
  void set_limit(size_type limit) noexcept {
    vmem_set_limit(need("uvmem::Arena::set_limit"), limit);
  }
  size_type roundup(size_type size) const noexcept {
    return vmem_roundup_size(need("uvmem::Arena::roundup"), size);
  }
  /* Bytes allocated (quantum caches count as allocated), free, both. */
  size_type allocated() const noexcept {
    return vmem_size(need("uvmem::Arena::allocated"), VMEM_ALLOC);
  }
  size_type available() const noexcept {
    return vmem_size(need("uvmem::Arena::available"), VMEM_FREE);
  }
  size_type total() const noexcept {
    return vmem_size(need("uvmem::Arena::total"), VMEM_ALLOC | VMEM_FREE);
  }
  /* What "show vmem" shows, as numbers. */
  vmem_stats stats() const noexcept {
    vmem_stats st;
    vmem_get_stats(need("uvmem::Arena::stats"), &st);
    return st;
  }
  /* Panic unless the arena's invariants hold. */
  void verify() const noexcept { vmem_verify(need("uvmem::Arena::verify")); }

  /*
   * Call f(addr_t start, size_type size, int type) on the segments
   * whose type is in typemask (VMEM_WALK_ALLOC, VMEM_WALK_FREE,
   * VMEM_WALK_SPAN), in address order, spans before their segments.
   * f runs with the arena locked and must not call into it, unless
   * typemask has VMEM_WALK_REENTRANT (f then sees a snapshot).
   */
  template <class F>
  void walk(int typemask, F &&f) const noexcept {
    using Fn = std::remove_reference_t<F>;
    vmem_walk_segments(need("uvmem::Arena::walk"), typemask,
                       &walk_trampoline<Fn>,
                       const_cast<void *>(static_cast<const void *>(&f)));
  }

 private:
  vmem_t *need(const char *where) const noexcept {
    if (vm_ == nullptr)
      detail::fail(where,
                   "empty arena (default-constructed "
                   "or moved from)");
    return vm_;
  }

  static int xflags(const Constraints &c, Fit fit) noexcept {
    return static_cast<int>(fit) | (c.top_down ? M_ENDALLOC : 0);
  }

  template <class Source>
  static int import_trampoline(void *arg, vmem_size_t size, int flags,
                               vmem_addr_t *addrp) noexcept {
    Result<addr_t> r = static_cast<Source *>(arg)->import(size, flags);
    if (!r)
      return r.error().value() != 0 &&
                     r.error().category() == std::generic_category()
                 ? r.error().value()
                 : ENOMEM;
    *addrp = *r;
    return 0;
  }

  template <class Source>
  static void release_trampoline(void *arg, vmem_addr_t addr,
                                 vmem_size_t size) noexcept {
    static_cast<Source *>(arg)->release(addr, size);
  }

  template <class Fn>
  static void walk_trampoline(void *arg, vmem_addr_t start, vmem_size_t size,
                              int type) noexcept {
    (*static_cast<Fn *>(arg))(start, size, type);
  }

  vmem_t *vm_ = nullptr;
};

}  // namespace uvmem

#endif /* !_SYS_VMEM_HPP_ */
