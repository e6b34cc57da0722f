// illumos's vmem interface over FreeBSD's vmem (see illumos_vmem.h).
//
// Each call maps onto the FreeBSD KPI of <sys/vmem.h> and our extensions of
// <sys/vmem_ext.h>:
//
//   illumos vmflag           FreeBSD flags
//   VM_SLEEP (0)             M_WAITOK
//   VM_NOSLEEP               M_NOWAIT
//   (no policy: instant fit) M_FIRSTFIT  FreeBSD's "first fit" looks at the
//                                        head of the first free list whose
//                                        segments all fit: illumos's
//                                        constant-time instant fit.
//   VM_FIRSTFIT              M_BESTFIT   illumos's first fit scans the free
//                                        lists from the smallest that may
//                                        hold the size and takes the first
//                                        segment that fits (free-list order,
//                                        not address order); that is what
//                                        FreeBSD's M_BESTFIT does.
//   VM_BESTFIT               M_BESTFIT   the same scan; illumos would go on
//                                        through that list for the smallest
//                                        fitting segment.
//   VM_NEXTFIT               M_NEXTFIT   vmem_alloc() only; vmem_xalloc()
//                                        ignores it, as illumos does, and
//                                        so do sizes the quantum caches
//                                        serve (illumos's kmem caches fill
//                                        with plain allocations).
//   VM_ENDALLOC              M_ENDALLOC  via ::vmem_xalloc(): the highest
//                                        fitting address of the arena.
//   VM_PANIC                 -           checked here on failure.
//
// Precedence when several policies are named is illumos's: NEXTFIT (in
// vmem_alloc), then BESTFIT/FIRSTFIT, then instant fit.
//
// Imports: every arena made here with an afunc gets an ximport function
// (vmem_set_ximport()) whose argument is the arena's Arena record below. It
// works out the size to ask of the source as illumos's vmem_xalloc() does
// (alignment slack unless VMC_XALIGN, the minimum import of VMC_NO_QCACHE
// arenas, rounding to the larger of the two quanta), calls afunc, and hands
// back what afunc imported, all of which the arena keeps. FreeBSD gives the
// import function the alignment but not the phase or the other
// constraints; vmem_xalloc() here leaves them in a thread-local record for
// the import function of that arena.
#include "compat/illumos_vmem.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <new>
#include <unordered_map>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "compat/panic.h"

static_assert(VMEM_ALLOC == 0x01 && VMEM_FREE == 0x02,
              "<sys/vmem.h>'s VMEM_ALLOC and VMEM_FREE differ from illumos");
static_assert(VMEM_SPAN == VMEM_WALK_SPAN && VMEM_ALLOC == VMEM_WALK_ALLOC &&
                  VMEM_FREE == VMEM_WALK_FREE &&
                  VMEM_REENTRANT == (unsigned)VMEM_WALK_REENTRANT,
              "vmem_walk() typemask bits differ from vmem_walk_segments()");

namespace illumos {
namespace {

// illumos's private walker marker: vmem_walk() ignores such requests.
constexpr int kVmemWalker = 0x40;
// illumos's limit on the number of quantum caches of an arena.
constexpr size_t kMaxQcaches = 16;

// What illumos keeps in its vmem_t and FreeBSD's does not.
struct Arena {
  vmem_t *vm;
  int cflags;               // VMC_* flags given at creation
  size_t quantum;
  size_t qcache_max;        // as given to FreeBSD (0 if none)
  size_t min_import;        // VMC_NO_QCACHE arenas import at least this
  vmem_alloc_t *afunc;      // vmem_create()'s import function, or
  vmem_ximport_t *xafunc;   // vmem_xcreate()'s
  vmem_free_t *ffunc;
  vmem_t *source;
  size_t source_quantum;    // the source's quantum (ours if no source)
};

// The Arena records of the arenas made here, by arena.
std::mutex &TableLock() {
  static std::mutex *m = new std::mutex;
  return *m;
}
std::unordered_map<const vmem_t *, std::unique_ptr<Arena>> &Table() {
  static auto *t = new std::unordered_map<const vmem_t *, std::unique_ptr<Arena>>;
  return *t;
}

// What vmem_xalloc() tells the import function of the arena it allocates
// from: the phase, and whether it may import at all (illumos imports only
// for allocations without nocross, minaddr and maxaddr).
struct XallocCall {
  const vmem_t *vm;
  size_t phase;
  bool noimport;
  XallocCall *outer;
};
thread_local XallocCall *tls_xalloc = nullptr;

class XallocScope {
 public:
  XallocScope(const vmem_t *vm, size_t phase, bool noimport)
      : call_{vm, phase, noimport, tls_xalloc} {
    tls_xalloc = &call_;
  }
  ~XallocScope() { tls_xalloc = call_.outer; }
  XallocScope(const XallocScope &) = delete;
  XallocScope &operator=(const XallocScope &) = delete;

 private:
  XallocCall call_;
};

// The arena's name, for panic messages.
struct ArenaName {
  char name[sizeof(vmem_stats::vs_name)];
  explicit ArenaName(vmem_t *vm) {
    std::unique_ptr<vmem_stats> st(new vmem_stats);
    vmem_get_stats(vm, st.get());
    memcpy(name, st->vs_name, sizeof(name));
  }
};

int WaitFlags(int vmflag) {
  return (vmflag & VM_NOSLEEP) != 0 ? M_NOWAIT : M_WAITOK;
}

// The FreeBSD fit strategy for vmflag (see the table at the top).
int FitFlags(int vmflag, bool nextfit_ok) {
  if (nextfit_ok && (vmflag & VM_NEXTFIT) != 0) return M_NEXTFIT;
  if ((vmflag & (VM_BESTFIT | VM_FIRSTFIT)) != 0) return M_BESTFIT;
  return M_FIRSTFIT;
}

size_t Log2(size_t pow2) {
  size_t shift = 0;
  while ((size_t{1} << shift) < pow2) shift++;
  return shift;
}

// illumos's VMEM_QCACHE_SLABSIZE: the power of two above 3 * max, at least
// 64.
size_t QcacheSlabSize(size_t max) {
  size_t v = 3 * max, p = 1;
  while (v != 0) {
    p <<= 1;
    v >>= 1;
  }
  return std::max<size_t>(p, 64);
}

// The largest size the arena's quantum caches serve.
size_t QcacheMax(vmem_t *vm) {
  {
    std::lock_guard<std::mutex> lock(TableLock());
    auto it = Table().find(vm);
    if (it != Table().end()) return it->second->qcache_max;
  }
  // An arena made with ::vmem_create(): ask it (rare; walks the arena).
  std::unique_ptr<vmem_stats> st(new vmem_stats);
  vmem_get_stats(vm, st.get());
  return st->vs_qcache_max;
}

// The end of a failed allocation of the public function func.
void *Failed(const char *func, vmem_t *vm, size_t size, int vmflag) {
  if ((vmflag & VM_PANIC) != 0)
    panic_func(func,
               "arena %s: cannot satisfy mandatory allocation of size %#zx "
               "(vmflag %#x)",
               ArenaName(vm).name, size, vmflag);
  return nullptr;
}

// The end of a successful one.
void *Allocated(const char *func, vmem_t *vm, vmem_addr_t addr,
                size_t size) {
  if (addr == 0)
    panic_func(func,
               "arena %s: allocated address 0 (size %#zx), which the "
               "illumos interface cannot return: the arena must not "
               "contain 0",
               ArenaName(vm).name, size);
  return reinterpret_cast<void *>(addr);
}

// The import function of every arena with an afunc (vmem_set_ximport()):
// bring in a span for an allocation of *sizep (already a multiple of the
// quantum) aligned to align, as illumos's vmem_xalloc() would.
int Import(void *arg, vmem_size_t *sizep, vmem_size_t align, int flags,
           vmem_addr_t *addrp) {
  Arena *a = static_cast<Arena *>(arg);
  const XallocCall *call =
      tls_xalloc != nullptr && tls_xalloc->vm == a->vm ? tls_xalloc : nullptr;
  if (call != nullptr && call->noimport) return ENOMEM;

  const size_t q = a->quantum;
  const size_t aq = std::max(q, a->source_quantum);
  const bool xalign = (a->cflags & VMC_XALIGN) != 0;
  // Slack so that an allocation at the wanted phase of align fits in the
  // span. illumos passes an aligned source no slack beyond the phase; an
  // unaligned one gives spans aligned to its quantum, so asks align - aq
  // more (align - q if the phase is not a multiple of aq). When the phase
  // is not known (calls through the FreeBSD KPI), assume the worst,
  // align - q, which is 0 for unaligned allocations.
  size_t aphase;
  if (call == nullptr)
    aphase = align - q;
  else if (align > aq && !xalign)
    aphase = (call->phase & (aq - 1)) != 0 ? align - q : align - aq;
  else
    aphase = call->phase;
  size_t need = *sizep + aphase;
  if (need < *sizep) return ENOMEM;
  need = std::max(need, a->min_import);
  size_t asize = (need + aq - 1) & ~(aq - 1);
  if (asize < need) return ENOMEM;

  const int vmflag = (flags & M_NOWAIT) != 0 ? VM_NOSLEEP : VM_SLEEP;
  void *span;
  if (a->xafunc != nullptr) {
    size_t xsize = asize;
    span = a->xafunc(a->source, &xsize, align, vmflag);
    if (span != nullptr) {
      if (xsize < asize)
        panic_func("vmem_import",
                   "arena %s: import function shrank the span at %p to "
                   "%#zx from %#zx",
                   ArenaName(a->vm).name, span, xsize, asize);
      if (xalign && (reinterpret_cast<uintptr_t>(span) & (align - 1)) != 0)
        panic_func("vmem_import",
                   "arena %s: VMC_XALIGN import of %p is not aligned to "
                   "%#zx",
                   ArenaName(a->vm).name, span, align);
      asize = xsize;
    }
  } else {
    span = a->afunc(a->source, asize, vmflag);
  }
  if (span == nullptr) return ENOMEM;
  if ((reinterpret_cast<uintptr_t>(span) & (q - 1)) != 0)
    panic_func("vmem_import",
               "arena %s: imported span %p is not aligned to the quantum "
               "%#zx",
               ArenaName(a->vm).name, span, q);
  *sizep = asize;
  *addrp = reinterpret_cast<vmem_addr_t>(span);
  return 0;
}

// Give a wholly free imported span back, with the size imported.
void Release(void *arg, vmem_addr_t addr, vmem_size_t size) {
  Arena *a = static_cast<Arena *>(arg);
  a->ffunc(a->source, reinterpret_cast<void *>(addr), size);
}

vmem_t *CreateCommon(const char *name, void *base, size_t size,
                     size_t quantum, vmem_alloc_t *afunc,
                     vmem_ximport_t *xafunc, vmem_free_t *ffunc,
                     vmem_t *source, size_t qcache_max, int vmflag) {
  const int cflags = vmflag & VMC_FLAGS;
  if (quantum == 0 || (quantum & (quantum - 1)) != 0)
    panic_func("vmem_create", "arena %s: quantum %#zx is not a power of two",
               name, quantum);
  if (source != nullptr) {
    std::lock_guard<std::mutex> lock(TableLock());
    auto it = Table().find(source);
    if (it != Table().end() &&
        ((it->second->cflags ^ cflags) & VMC_IDENTIFIER) != 0)
      panic_func("vmem_create",
                 "arena %s: an identifier arena and a memory arena cannot "
                 "import from each other (source %s)",
                 name, ArenaName(source).name);
  }

  const size_t shift = Log2(quantum);
  const size_t nqcache = std::min(qcache_max >> shift, kMaxQcaches);
  std::unique_ptr<Arena> a(new (std::nothrow) Arena());
  if (a == nullptr) return nullptr;
  a->cflags = cflags;
  a->quantum = quantum;
  if ((cflags & VMC_NO_QCACHE) != 0) {
    // As illumos: larger imports instead of quantum caches.
    a->min_import = QcacheSlabSize(nqcache << shift);
    a->qcache_max = 0;
  } else {
    a->qcache_max = nqcache << shift;
  }
  a->afunc = afunc;
  a->xafunc = xafunc;
  a->ffunc = ffunc;
  a->source = source;
  a->source_quantum =
      source != nullptr ? ::vmem_roundup_size(source, 1) : quantum;

  vmem_t *vm =
      ::vmem_create(name, 0, 0, quantum, a->qcache_max, WaitFlags(vmflag));
  if (vm == nullptr) return nullptr;
  a->vm = vm;
  if (afunc != nullptr || xafunc != nullptr)
    vmem_set_ximport(vm, &Import, ffunc != nullptr ? &Release : nullptr,
                     a.get(), quantum);
  {
    std::lock_guard<std::mutex> lock(TableLock());
    // A record left by an arena that ::vmem_destroy() ended goes now.
    Table()[vm] = std::move(a);
  }
  if ((base != nullptr || size != 0) &&
      illumos::vmem_add(vm, base, size, vmflag & VM_KMFLAGS) == nullptr) {
    illumos::vmem_destroy(vm);
    return nullptr;
  }
  return vm;
}

}  // namespace

vmem_t *vmem_create(const char *name, void *base, size_t size,
                    size_t quantum, vmem_alloc_t *afunc, vmem_free_t *ffunc,
                    vmem_t *source, size_t qcache_max, int vmflag) {
  // VMC_XALIGN belongs to vmem_xcreate() (illumos asserts and drops it).
  return CreateCommon(name, base, size, quantum, afunc, nullptr, ffunc,
                      source, qcache_max, vmflag & ~VMC_XALIGN);
}

vmem_t *vmem_xcreate(const char *name, void *base, size_t size,
                     size_t quantum, vmem_ximport_t *afunc,
                     vmem_free_t *ffunc, vmem_t *source, size_t qcache_max,
                     int vmflag) {
  return CreateCommon(name, base, size, quantum, nullptr, afunc, ffunc,
                      source, qcache_max, vmflag);
}

void vmem_destroy(vmem_t *vmp) {
  std::unique_ptr<Arena> a;
  {
    // Out of the table first: once destroyed, the arena's storage may be
    // reused by an arena another thread creates.
    std::lock_guard<std::mutex> lock(TableLock());
    auto it = Table().find(vmp);
    if (it != Table().end()) {
      a = std::move(it->second);
      Table().erase(it);
    }
  }
  // Emptying the quantum caches may release spans through a's functions,
  // so a lives until the arena is gone.
  ::vmem_destroy(vmp);
}

void *vmem_alloc(vmem_t *vmp, size_t size, int vmflag) {
  vmem_addr_t addr;
  int error;

  // Sizes the quantum caches serve come from them whatever the policy, as
  // in illumos (whose caches fill themselves with plain vmem_alloc()s);
  // VM_ENDALLOC means nothing with VM_NEXTFIT.
  int fit = FitFlags(vmflag, true);
  const bool endalloc = (vmflag & VM_ENDALLOC) != 0 && fit != M_NEXTFIT;
  if ((fit == M_NEXTFIT || endalloc) && size <= QcacheMax(vmp)) {
    // Not M_NEXTFIT into ::vmem_alloc() for a cached size: the cache would
    // fill itself with M_NEXTFIT and a minaddr, which ::vmem_xalloc()
    // rejects (a panic).
    fit = FitFlags(vmflag, false);
  } else if (endalloc) {
    error = ::vmem_xalloc(vmp, size, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          WaitFlags(vmflag) | fit | M_ENDALLOC, &addr);
    if (error != 0) return Failed(__func__, vmp, size, vmflag);
    return Allocated(__func__, vmp, addr, size);
  }
  error = ::vmem_alloc(vmp, size, WaitFlags(vmflag) | fit, &addr);
  if (error != 0) return Failed(__func__, vmp, size, vmflag);
  return Allocated(__func__, vmp, addr, size);
}

void vmem_free(vmem_t *vmp, void *vaddr, size_t size) {
  ::vmem_free(vmp, reinterpret_cast<vmem_addr_t>(vaddr), size);
}

void *vmem_xalloc(vmem_t *vmp, size_t size, size_t align, size_t phase,
                  size_t nocross, void *minaddr, void *maxaddr, int vmflag) {
  const vmem_addr_t lo = reinterpret_cast<vmem_addr_t>(minaddr);
  const vmem_addr_t hi = reinterpret_cast<vmem_addr_t>(maxaddr);
  vmem_addr_t addr;

  // illumos's maxaddr is exclusive, FreeBSD's inclusive.
  if (maxaddr != nullptr && hi <= lo) {
    if ((vmflag & VM_NOSLEEP) != 0) return Failed(__func__, vmp, size, vmflag);
    panic("arena %s: empty range [%p, %p) for size %#zx: a VM_SLEEP "
          "allocation would wait forever",
          ArenaName(vmp).name, minaddr, maxaddr, size);
  }
  XallocScope scope(vmp, phase,
                    nocross != 0 || minaddr != nullptr || maxaddr != nullptr);
  int error = ::vmem_xalloc(
      vmp, size, align, phase, nocross, lo,
      maxaddr != nullptr ? hi - 1 : VMEM_ADDR_MAX,
      WaitFlags(vmflag) | FitFlags(vmflag, false) |
          ((vmflag & VM_ENDALLOC) != 0 ? M_ENDALLOC : 0),
      &addr);
  if (error != 0) return Failed(__func__, vmp, size, vmflag);
  return Allocated(__func__, vmp, addr, size);
}

void vmem_xfree(vmem_t *vmp, void *vaddr, size_t size) {
  ::vmem_xfree(vmp, reinterpret_cast<vmem_addr_t>(vaddr), size);
}

void *vmem_add(vmem_t *vmp, void *vaddr, size_t size, int vmflag) {
  if (vaddr == nullptr || size == 0)
    panic("arena %s: bad span %p of size %#zx", ArenaName(vmp).name, vaddr,
          size);
  if (::vmem_add(vmp, reinterpret_cast<vmem_addr_t>(vaddr), size,
                 WaitFlags(vmflag)) != 0)
    return nullptr;
  return vaddr;
}

namespace {

struct ContainsQuery {
  uintptr_t start, end;
  bool found;
};

void ContainsSpan(void *arg, vmem_addr_t start, vmem_size_t size, int type) {
  ContainsQuery *q = static_cast<ContainsQuery *>(arg);
  // illumos's arithmetic: the last byte of the range is within the span.
  if (q->start >= start && q->end - 1 <= start + size - 1) q->found = true;
}

struct WalkCall {
  void (*func)(void *, void *, size_t);
  void *arg;
};

void WalkSegment(void *arg, vmem_addr_t start, vmem_size_t size, int type) {
  WalkCall *w = static_cast<WalkCall *>(arg);
  w->func(w->arg, reinterpret_cast<void *>(start), size);
}

}  // namespace

int vmem_contains(vmem_t *vmp, void *vaddr, size_t size) {
  ContainsQuery q{reinterpret_cast<uintptr_t>(vaddr),
                  reinterpret_cast<uintptr_t>(vaddr) + size, false};
  vmem_walk_segments(vmp, VMEM_WALK_SPAN, &ContainsSpan, &q);
  return q.found ? 1 : 0;
}

void vmem_walk(vmem_t *vmp, int typemask,
               void (*func)(void *arg, void *start, size_t size), void *arg) {
  if ((typemask & kVmemWalker) != 0) return;
  int mask = typemask & (VMEM_ALLOC | VMEM_FREE | VMEM_SPAN);
  if ((typemask & VMEM_REENTRANT) != 0) mask |= VMEM_WALK_REENTRANT;
  if ((mask & ~VMEM_WALK_REENTRANT) == 0) return;
  WalkCall w{func, arg};
  vmem_walk_segments(vmp, mask, &WalkSegment, &w);
}

size_t vmem_size(vmem_t *vmp, int typemask) {
  switch (typemask & (VMEM_ALLOC | VMEM_FREE)) {
    case VMEM_ALLOC | VMEM_FREE:
      return ::vmem_size(vmp, VMEM_ALLOC | VMEM_FREE);
    case VMEM_ALLOC:
      return ::vmem_size(vmp, VMEM_ALLOC);
    case VMEM_FREE:
      return ::vmem_size(vmp, VMEM_FREE);
    default:
      return 0;
  }
}

}  // namespace illumos
