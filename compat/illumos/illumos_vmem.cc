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
//   VM_ABORT                 M_NOWAIT    the import function still gets
//                                        the caller's VM_SLEEP (see below).
//   VM_PUSHPAGE              -           only passed on to imports.
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
// import function the alignment but not the phase, the other constraints
// or the caller's vmflag; vmem_alloc() and vmem_xalloc() here leave them in
// a thread-local record for the import function of that arena, which hands
// afunc the caller's vmflag & VM_KMFLAGS, as illumos does.
//
// Spans that do not start or end on a quantum boundary are trimmed to the
// quanta inside them before FreeBSD's arena sees them (it takes only whole
// quanta). An imported span that was trimmed is recorded, so that the
// release function gives back exactly what afunc returned.
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <new>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "compat/illumos/illumos_vmem.h"
#include <sys/mutex.h>
#include <sys/systm.h>

static_assert(VMEM_ALLOC == 0x01 && VMEM_FREE == 0x02,
              "<sys/vmem.h>'s VMEM_ALLOC and VMEM_FREE differ from illumos");
static_assert(VMEM_SPAN == VMEM_WALK_SPAN && VMEM_ALLOC == VMEM_WALK_ALLOC &&
                  VMEM_FREE == VMEM_WALK_FREE &&
                  VMEM_REENTRANT == (unsigned)VMEM_WALK_REENTRANT,
              "vmem_walk() typemask bits differ from vmem_walk_segments()");

namespace {

// illumos's private walker marker: vmem_walk() ignores such requests.
constexpr int kVmemWalker = 0x40;
// illumos's limit on the number of quantum caches of an arena.
constexpr size_t kMaxQcaches = 16;

// What illumos keeps in its vmem_t and FreeBSD's does not.
struct Arena {
  vmem_t *vm = nullptr;
  int cflags = 0;  // VMC_* flags given at creation
  size_t quantum = 0;
  size_t qcache_max = 0;             // as given to FreeBSD (0 if none)
  size_t min_import = 0;             // a VMC_NO_QCACHE arena's least import
  vmem_alloc_t *afunc = nullptr;     // vmem_create()'s import function, or
  vmem_ximport_t *xafunc = nullptr;  // vmem_xcreate()'s
  vmem_free_t *ffunc = nullptr;
  vmem_t *source = nullptr;
  size_t source_quantum = 0;  // the source's quantum (ours if none)

  // Imported spans that were trimmed to whole quanta, by the start the
  // arena has: what afunc returned, for ffunc. Under mu.
  struct Import {
    size_t trimmed;  // the size the arena has
    void *span;      // what afunc returned
    size_t size;
  };
  struct mtx mu;
  std::unordered_map<uintptr_t, Import> trimmed;
  // Spans too short once trimmed, of an arena without ffunc: kept, as the
  // arena keeps all it imports. Under mu.
  std::vector<std::pair<void *, size_t>> unused;
  // afunc has returned a span off the quantum: imports ask a quantum more
  // from then on, so that the trimmed span still holds what is needed.
  std::atomic<bool> unaligned_source{false};
  // afunc and ffunc are the source arena's own: a constrained allocation
  // imports a span that meets its constraints (ConstrainedImport()).
  bool source_is_arena = false;
  // The spans imported that way, for vmem_xfree(). Under mu.
  std::unordered_map<uintptr_t, size_t> constrained;

  Arena() { mtx_init(&mu, "illumos arena", nullptr, MTX_DEF); }
  ~Arena() { mtx_destroy(&mu); }
  Arena(const Arena &) = delete;
  Arena &operator=(const Arena &) = delete;
};

// The Arena records of the arenas made here, by arena, under table_lock.
struct mtx table_lock = MTX_INITIALIZER("illumos arenas");
std::unordered_map<const vmem_t *, std::unique_ptr<Arena>> &Table() {
  static auto *t =
      new std::unordered_map<const vmem_t *, std::unique_ptr<Arena>>;
  return *t;
}

// What vmem_alloc() and vmem_xalloc() tell the import function of the
// arena they allocate from: the caller's vmflag, the phase, and whether it
// may import at all (illumos imports only for allocations without nocross,
// minaddr and maxaddr). abort: M_NOWAIT was asked of FreeBSD's arena for
// VM_ABORT, not by the caller.
struct AllocCall {
  const vmem_t *vm;
  int vmflag;
  size_t phase;
  bool noimport;
  bool abort;
  AllocCall *outer;
};
thread_local AllocCall *tls_call = nullptr;

class AllocScope {
 public:
  AllocScope(const vmem_t *vm, int vmflag, size_t phase, bool noimport,
             bool abort)
      : call_{vm, vmflag, phase, noimport, abort, tls_call} {
    tls_call = &call_;
  }
  ~AllocScope() { tls_call = call_.outer; }
  AllocScope(const AllocScope &) = delete;
  AllocScope &operator=(const AllocScope &) = delete;

 private:
  AllocCall call_;
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

// The whole quanta of [start, start + size): their start and size (0 if
// none).
uintptr_t TrimToQuanta(uintptr_t start, size_t size, size_t q, size_t *tsizep) {
  const size_t head = (q - (start & (q - 1))) & (q - 1);
  *tsizep = size > head ? (size - head) & ~(q - 1) : 0;
  return start + head;
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
  mtx_lock(&table_lock);
  auto it = Table().find(vm);
  const bool found = it != Table().end();
  const size_t qcache_max = found ? it->second->qcache_max : 0;
  mtx_unlock(&table_lock);
  if (found) return qcache_max;
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
void *Allocated(const char *func, vmem_t *vm, vmem_addr_t addr, size_t size) {
  if (addr == 0)
    panic_func(func,
               "arena %s: allocated address 0 (size %#zx), which the "
               "illumos interface cannot return: the arena must not "
               "contain 0",
               ArenaName(vm).name, size);
  return reinterpret_cast<void *>(addr);
}

// Calls the arena's afunc for a span of asize (xafunc: at least asize)
// aligned to align; returns it and its size in *sizep, or nullptr.
void *CallAfunc(Arena *a, size_t asize, size_t align, int vmflag,
                size_t *sizep) {
  if (a->xafunc == nullptr) {
    *sizep = asize;
    return a->afunc(a->source, asize, vmflag);
  }
  size_t xsize = asize;
  void *span = a->xafunc(a->source, &xsize, align, vmflag);
  if (span == nullptr) return nullptr;
  if (xsize < asize)
    panic_func("vmem_import",
               "arena %s: import function shrank the span at %p to %#zx "
               "from %#zx",
               ArenaName(a->vm).name, span, xsize, asize);
  if ((a->cflags & VMC_XALIGN) != 0 &&
      (reinterpret_cast<uintptr_t>(span) & (align - 1)) != 0)
    panic_func("vmem_import",
               "arena %s: VMC_XALIGN import of %p is not aligned to %#zx",
               ArenaName(a->vm).name, span, align);
  *sizep = xsize;
  return span;
}

// A span afunc returned that the arena will not use.
void Discard(Arena *a, void *span, size_t size) {
  if (a->ffunc != nullptr) {
    a->ffunc(a->source, span, size);
  } else {
    mtx_lock(&a->mu);
    a->unused.emplace_back(span, size);
    mtx_unlock(&a->mu);
  }
}

// The import function of every arena with an afunc (vmem_set_ximport()):
// bring in a span for an allocation of *sizep (already a multiple of the
// quantum) aligned to align, as illumos's vmem_xalloc() would.
int Import(void *arg, vmem_size_t *sizep, vmem_size_t align, int flags,
           vmem_addr_t *addrp) {
  Arena *a = static_cast<Arena *>(arg);
  const AllocCall *call =
      tls_call != nullptr && tls_call->vm == a->vm ? tls_call : nullptr;
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

  // illumos hands afunc the caller's vmflag & VM_KMFLAGS. FreeBSD's arena
  // may also ask for no sleep on its own; for VM_ABORT it was us, and the
  // caller's VM_SLEEP stands.
  int vmflag;
  if (call != nullptr) {
    vmflag = call->vmflag & VM_KMFLAGS;
    if ((flags & M_NOWAIT) != 0 && !call->abort) vmflag |= VM_NOSLEEP;
  } else {
    vmflag = (flags & M_NOWAIT) != 0 ? VM_NOSLEEP : VM_SLEEP;
  }

  for (int attempt = 0;; attempt++) {
    // Room for trimming an unaligned span: a quantum more, in aq units.
    size_t ask = asize;
    if (a->unaligned_source.load(std::memory_order_relaxed)) {
      ask = asize + aq;
      if (ask < asize) return ENOMEM;
    }
    size_t ssize;
    void *span = CallAfunc(a, ask, align, vmflag, &ssize);
    if (span == nullptr) return ENOMEM;
    size_t tsize;
    const uintptr_t tstart =
        TrimToQuanta(reinterpret_cast<uintptr_t>(span), ssize, q, &tsize);
    if (tstart == reinterpret_cast<uintptr_t>(span) && tsize == ssize) {
      *sizep = ssize;
      *addrp = tstart;
      return 0;
    }
    a->unaligned_source.store(true, std::memory_order_relaxed);
    // The trimmed start is aligned to the quantum only: how far past it
    // the allocation would start (the worst case if the phase is unknown).
    const size_t lead =
        call != nullptr ? (call->phase - tstart) & (align - 1) : align - q;
    if (tsize >= lead && tsize - lead >= *sizep) {
      mtx_lock(&a->mu);
      a->trimmed[tstart] = Arena::Import{tsize, span, ssize};
      mtx_unlock(&a->mu);
      *sizep = tsize;
      *addrp = tstart;
      return 0;
    }
    // Too short once trimmed: ask again, with room to trim.
    Discard(a, span, ssize);
    if (attempt != 0) return ENOMEM;
  }
}

// The import function of an arena whose source is an arena
// (vmem_set_cimport()): a constrained allocation (a window or a boundary,
// which illumos never imports for) takes a span from the source that
// meets its constraints; any other imports as Import() does.
int ConstrainedImport(void *arg, vmem_size_t *sizep,
                      const struct vmem_constraints *vc, int flags,
                      vmem_addr_t *addrp) {
  Arena *a = static_cast<Arena *>(arg);
  if (vc->vc_nocross == 0 && vc->vc_minaddr <= VMEM_ADDR_QCACHE_MIN &&
      vc->vc_maxaddr == VMEM_ADDR_MAX)
    return Import(arg, sizep, vc->vc_align, flags, addrp);
  const int error = vmem_cimport_arena(a->source, sizep, vc, flags, addrp);
  if (error == 0) {
    mtx_lock(&a->mu);
    a->constrained[*addrp] = *sizep;
    mtx_unlock(&a->mu);
  }
  return error;
}

// Give a wholly free imported span back, with the size imported.
void Release(void *arg, vmem_addr_t addr, vmem_size_t size) {
  Arena *a = static_cast<Arena *>(arg);
  void *span = reinterpret_cast<void *>(addr);
  if (a->source_is_arena) {
    mtx_lock(&a->mu);
    const bool constrained = a->constrained.erase(addr) != 0;
    mtx_unlock(&a->mu);
    if (constrained) {
      ::vmem_xfree(a->source, addr, size);
      return;
    }
  }
  if (a->unaligned_source.load(std::memory_order_relaxed)) {
    // A trimmed span goes back as afunc returned it.
    mtx_lock(&a->mu);
    auto it = a->trimmed.find(addr);
    if (it != a->trimmed.end()) {
      if (it->second.trimmed != size)
        panic_func("vmem_release",
                   "arena %s: span %p released with size %#zx, imported "
                   "with %#zx",
                   ArenaName(a->vm).name, span, size, it->second.trimmed);
      span = it->second.span;
      size = it->second.size;
      a->trimmed.erase(it);
    }
    mtx_unlock(&a->mu);
  }
  a->ffunc(a->source, span, size);
}

vmem_t *CreateCommon(const char *name, void *base, size_t size, size_t quantum,
                     vmem_alloc_t *afunc, vmem_ximport_t *xafunc,
                     vmem_free_t *ffunc, vmem_t *source, size_t qcache_max,
                     int vmflag) {
  const int cflags = vmflag & VMC_FLAGS;
  if (quantum == 0 || (quantum & (quantum - 1)) != 0)
    panic_func("vmem_create", "arena %s: quantum %#zx is not a power of two",
               name, quantum);
  if (source != nullptr) {
    mtx_lock(&table_lock);
    auto it = Table().find(source);
    const bool mixed = it != Table().end() &&
                       ((it->second->cflags ^ cflags) & VMC_IDENTIFIER) != 0;
    mtx_unlock(&table_lock);
    if (mixed)
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
  a->source_is_arena =
      source != nullptr && afunc == &illumos_vmem_alloc &&
      (ffunc == &illumos_vmem_free || ffunc == &illumos_vmem_xfree);

  vmem_t *vm =
      ::vmem_create(name, 0, 0, quantum, a->qcache_max, WaitFlags(vmflag));
  if (vm == nullptr) return nullptr;
  a->vm = vm;
  if (a->source_is_arena)
    vmem_set_cimport(vm, &ConstrainedImport, &Release, a.get(), quantum);
  else if (afunc != nullptr || xafunc != nullptr)
    vmem_set_ximport(vm, &Import, ffunc != nullptr ? &Release : nullptr,
                     a.get(), quantum);
  mtx_lock(&table_lock);
  // A record left by an arena that ::vmem_destroy() ended goes now.
  Table()[vm] = std::move(a);
  mtx_unlock(&table_lock);
  if ((base != nullptr || size != 0) &&
      illumos_vmem_add(vm, base, size, vmflag & VM_KMFLAGS) == nullptr) {
    illumos_vmem_destroy(vm);
    return nullptr;
  }
  return vm;
}

}  // namespace

vmem_t *illumos_vmem_create(const char *name, void *base, size_t size,
                            size_t quantum, vmem_alloc_t *afunc,
                            vmem_free_t *ffunc, vmem_t *source,
                            size_t qcache_max, int vmflag) {
  // VMC_XALIGN belongs to vmem_xcreate() (illumos asserts and drops it).
  return CreateCommon(name, base, size, quantum, afunc, nullptr, ffunc, source,
                      qcache_max, vmflag & ~VMC_XALIGN);
}

vmem_t *illumos_vmem_xcreate(const char *name, void *base, size_t size,
                             size_t quantum, vmem_ximport_t *afunc,
                             vmem_free_t *ffunc, vmem_t *source,
                             size_t qcache_max, int vmflag) {
  // VMC_POPULATOR belongs to vmem_create() (illumos asserts and drops it).
  return CreateCommon(name, base, size, quantum, nullptr, afunc, ffunc, source,
                      qcache_max, vmflag & ~VMC_POPULATOR);
}

void illumos_vmem_destroy(vmem_t *vmp) {
  std::unique_ptr<Arena> a;
  // Out of the table first: once destroyed, the arena's storage may be
  // reused by an arena another thread creates.
  mtx_lock(&table_lock);
  auto it = Table().find(vmp);
  if (it != Table().end()) {
    a = std::move(it->second);
    Table().erase(it);
  }
  mtx_unlock(&table_lock);
  // Emptying the quantum caches may release spans through a's functions,
  // so a lives until the arena is gone.
  ::vmem_destroy(vmp);
}

void *illumos_vmem_alloc(vmem_t *vmp, size_t size, int vmflag) {
  vmem_addr_t addr;
  int error;

  // Sizes the quantum caches serve come from them whatever the policy, as
  // in illumos (whose caches fill themselves with plain vmem_alloc()s);
  // VM_ENDALLOC means nothing with VM_NEXTFIT. illumos drops VM_ABORT for
  // both (the caches are given vmflag & VM_KMFLAGS, and next fit waits
  // for its own space or calls vmem_xalloc() so).
  int fit = FitFlags(vmflag, true);
  const bool endalloc = (vmflag & VM_ENDALLOC) != 0 && fit != M_NEXTFIT;
  bool abort =
      (vmflag & (VM_ABORT | VM_NOSLEEP)) == VM_ABORT && fit != M_NEXTFIT;
  const bool cached =
      (fit == M_NEXTFIT || endalloc || abort) && size <= QcacheMax(vmp);
  if (cached) {
    // Not M_NEXTFIT into ::vmem_alloc() for a cached size: the cache would
    // fill itself with M_NEXTFIT and a minaddr, which ::vmem_xalloc()
    // rejects (a panic).
    fit = FitFlags(vmflag, false);
    abort = false;
  }
  const int wait = abort ? M_NOWAIT : WaitFlags(vmflag);
  AllocScope scope(vmp, vmflag, 0, false, abort);
  if (endalloc && !cached) {
    error = ::vmem_xalloc(vmp, size, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          wait | fit | M_ENDALLOC, &addr);
    if (error != 0) return Failed("vmem_alloc", vmp, size, vmflag);
    return Allocated("vmem_alloc", vmp, addr, size);
  }
  error = ::vmem_alloc(vmp, size, wait | fit, &addr);
  if (error != 0) return Failed("vmem_alloc", vmp, size, vmflag);
  return Allocated("vmem_alloc", vmp, addr, size);
}

void illumos_vmem_free(vmem_t *vmp, void *vaddr, size_t size) {
  ::vmem_free(vmp, reinterpret_cast<vmem_addr_t>(vaddr), size);
}

void *illumos_vmem_xalloc(vmem_t *vmp, size_t size, size_t align, size_t phase,
                          size_t nocross, void *minaddr, void *maxaddr,
                          int vmflag) {
  const vmem_addr_t lo = reinterpret_cast<vmem_addr_t>(minaddr);
  const vmem_addr_t hi = reinterpret_cast<vmem_addr_t>(maxaddr);
  vmem_addr_t addr;

  // illumos's maxaddr is exclusive, FreeBSD's inclusive.
  if (maxaddr != nullptr && hi <= lo) {
    if ((vmflag & (VM_NOSLEEP | VM_ABORT)) != 0)
      return Failed("vmem_xalloc", vmp, size, vmflag);
    panic_func("vmem_xalloc",
               "arena %s: empty range [%p, %p) for size %#zx: a VM_SLEEP "
               "allocation would wait forever",
               ArenaName(vmp).name, minaddr, maxaddr, size);
  }
  const bool abort = (vmflag & (VM_ABORT | VM_NOSLEEP)) == VM_ABORT;
  AllocScope scope(vmp, vmflag, phase,
                   nocross != 0 || minaddr != nullptr || maxaddr != nullptr,
                   abort);
  int error = ::vmem_xalloc(vmp, size, align, phase, nocross, lo,
                            maxaddr != nullptr ? hi - 1 : VMEM_ADDR_MAX,
                            (abort ? M_NOWAIT : WaitFlags(vmflag)) |
                                FitFlags(vmflag, false) |
                                ((vmflag & VM_ENDALLOC) != 0 ? M_ENDALLOC : 0),
                            &addr);
  if (error != 0) return Failed("vmem_xalloc", vmp, size, vmflag);
  return Allocated("vmem_xalloc", vmp, addr, size);
}

void illumos_vmem_xfree(vmem_t *vmp, void *vaddr, size_t size) {
  ::vmem_xfree(vmp, reinterpret_cast<vmem_addr_t>(vaddr), size);
}

void *illumos_vmem_add(vmem_t *vmp, void *vaddr, size_t size, int vmflag) {
  if (vaddr == nullptr || size == 0)
    panic_func("vmem_add", "arena %s: bad span %p of size %#zx",
               ArenaName(vmp).name, vaddr, size);
  const uintptr_t start = reinterpret_cast<uintptr_t>(vaddr);
  if (start + (size - 1) < start)
    panic_func("vmem_add", "arena %s: span %p of size %#zx wraps around",
               ArenaName(vmp).name, vaddr, size);
  // illumos takes any span and hands out aligned ranges from it; FreeBSD's
  // arena takes whole quanta, so the span is trimmed to those.
  const size_t q = ::vmem_roundup_size(vmp, 1);
  size_t tsize;
  const uintptr_t tstart = TrimToQuanta(start, size, q, &tsize);
  if (tsize == 0)
    panic_func("vmem_add",
               "arena %s: span %p of size %#zx holds no whole quantum (%#zx)",
               ArenaName(vmp).name, vaddr, size, q);
  if (::vmem_add(vmp, tstart, tsize, WaitFlags(vmflag)) != 0) return nullptr;
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

int illumos_vmem_contains(vmem_t *vmp, void *vaddr, size_t size) {
  ContainsQuery q{reinterpret_cast<uintptr_t>(vaddr),
                  reinterpret_cast<uintptr_t>(vaddr) + size, false};
  vmem_walk_segments(vmp, VMEM_WALK_SPAN, &ContainsSpan, &q);
  return q.found ? 1 : 0;
}

void illumos_vmem_walk(vmem_t *vmp, int typemask,
                       void (*func)(void *arg, void *start, size_t size),
                       void *arg) {
  if ((typemask & kVmemWalker) != 0) return;
  int mask = typemask & (VMEM_ALLOC | VMEM_FREE | VMEM_SPAN);
  if ((typemask & VMEM_REENTRANT) != 0) mask |= VMEM_WALK_REENTRANT;
  if ((mask & ~VMEM_WALK_REENTRANT) == 0) return;
  WalkCall w{func, arg};
  vmem_walk_segments(vmp, mask, &WalkSegment, &w);
}

size_t illumos_vmem_size(vmem_t *vmp, int typemask) {
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
