// The zone allocator's internals (FreeBSD keeps its own in vm/uma_int.h).
//
// A zone has two layers. In front, each thread has a cache per zone: a
// stack of items only that thread pushes and pops, so the common
// uma_zalloc()/uma_zfree() pair takes no shared lock. Behind, the zone keeps
// its free items on a shared stack under the zone lock, and gets new items
// from its keg (memory of its own, type-stable until uma_zdestroy) or, for a
// cache zone, from its import function. Caches are drained into the zone on
// reclaim, at thread exit and on destroy.
//
// A cache is the thread's alone while it pushes or pops, as a CPU's cache
// is inside a critical section in the kernel: the owner marks itself busy
// with a plain store and a compiler-only fence, and a thread that must
// reach into other threads' caches (drain, unbind) first flags them, then
// forces a fence on every thread (the kernel would send IPIs), then waits
// until none is busy. See <linux/linux_membarrier.h>.
//
// Lock order: uma_zones_lock -> uma_zone::lock. Caches are reached only
// with the zone lock held or by their owner.
//
// The internals are C++ (and the inline fast paths of uma_zalloc() and
// uma_zfree() with them); a C file that includes this header sees nothing
// more than <vm/uma.h>.
#ifndef _COMPAT_VM_UMA_INT_H_
#define _COMPAT_VM_UMA_INT_H_

#include <vm/uma.h>

#ifdef __cplusplus
#include <stdint.h>

#include <atomic>
#include <string>
#include <vector>

#include <linux/linux_membarrier.h>
#include <sys/cdefs.h>
#include <sys/condvar.h>
#include <sys/mutex.h>

// Items a thread's cache holds at most, and moves to or from the zone at once.
constexpr int UMA_CACHE_MAX = 64;
constexpr int UMA_CACHE_BATCH = UMA_CACHE_MAX / 2;

struct uma_zone;

// One thread's cache for one zone.
struct uma_cache {
  std::atomic<bool> busy{false};  // the owner is inside
  // Set while a drainer holds or wants the cache, and for good once the
  // zone stops using caches (limit or reserve): the owner must stay out.
  std::atomic<bool> drain{false};
  uma_zone *zone = nullptr;  // the zone bound to, or nullptr
  // Statistics, written by whoever holds the cache, read by anyone.
  std::atomic<int64_t> allocs{0};  // allocations served here
  std::atomic<int64_t> frees{0};   // frees taken here
  std::atomic<int> count{0};       // items[0..count) are free items
  void *items[UMA_CACHE_MAX];
  uma_cache *next = nullptr;  // in the zone's list; under the zone lock
};

// A keg's memory block, from the zone's allocf (given back through freef
// on destroy) or the C library.
struct uma_slab {
  void *mem;
  size_t bytes;
  uint8_t pflag;
  bool from_allocf;
};

// Slab memory not yet made into items: [next, end).
struct uma_carve {
  char *next;
  char *end;
};

struct uma_zone {
  std::string name;
  size_t size;
  size_t align;  // bytes
  uma_ctor ctor;
  uma_dtor dtor;
  uma_init init;
  uma_fini fini;
  uma_import import;  // cache zones only
  uma_release release;
  void *arg;
  uma_alloc allocf = nullptr;  // keg memory in slabs, if set
  uma_free freef = nullptr;
  // UMA_ZONE_VM (vmem's boundary tags): new items are carved a batch at a
  // time, as the kernel fills a bucket from a slab; the zone's free count
  // then includes carved items not yet handed out.
  bool carve_batch = false;

  // Whether threads' caches are used (not with a limit or a reserve, whose
  // accounting must be exact).
  std::atomic<bool> use_caches{true};
  uint32_t slot = 0;  // index of this zone's cache in every thread

  struct mtx lock;
  struct cv limit_cv;
  // M_WAITOK allocations that found no memory sleep on it, a short while
  // or until the shared layer gets items.
  struct cv memory_cv;
  int memory_waiters = 0;
  std::vector<void *> free_items;  // the shared free stack (LIFO)
  std::vector<uma_slab> slabs;     // keg zones: their memory
  size_t slab_items = 0;           // items the slabs hold
  std::vector<uma_carve> carve;    // carved from the back first
  uma_cache *caches = nullptr;     // threads' caches bound to this zone
  int64_t reserve = 0;
  int64_t limit = 0;
  // Items in use = allocations less frees, summed over the shared layer
  // and the caches (a cache zone may be handed items it never gave out:
  // vmem frees into its quantum cache what vmem_xalloc() served directly).
  int64_t requests = 0;  // allocations served by the shared layer
  int64_t frees = 0;     // frees taken by the shared layer
  uint64_t failures = 0;
  uint64_t sleeps = 0;

  bool is_cache() const { return import != nullptr; }
};

// The list of zones and the cache slots.
extern struct mtx uma_zones_lock;

// Per-thread caches (uma_cache.cc).
// The calling thread's caches by zone slot. Plain __thread variables in the
// initial-exec model, so the inline fast paths below read each with one
// load (a C++ thread_local would go through an init wrapper call).
extern __thread uma_cache **uma_cache_slots
    __attribute__((tls_model("initial-exec")));
extern __thread uint32_t uma_cache_nslots
    __attribute__((tls_model("initial-exec")));

// Slow part of uma_cache_enter(): binds a cache for z to the calling
// thread; nullptr once the thread's caches are gone (it is exiting).
uma_cache *uma_cache_bind(uma_zone *z);

// Enters the calling thread's cache for z; nullptr when it may not be used:
// a drainer has it, the zone stopped using caches, or the thread is exiting.
inline uma_cache *uma_cache_enter(uma_zone *z) {
  uma_cache *c;
  if (__predict_false(z->slot >= uma_cache_nslots ||
                      (c = uma_cache_slots[z->slot]) == nullptr ||
                      c->zone != z)) {
    if ((c = uma_cache_bind(z)) == nullptr) return nullptr;
  }
  c->busy.store(true, std::memory_order_relaxed);
  asymmetric_fence_light();
  // Checked after the fence: a drainer either sees busy or is seen here.
  if (__predict_false(c->drain.load(std::memory_order_acquire))) {
    c->busy.store(false, std::memory_order_release);
    return nullptr;
  }
  return c;
}

inline void uma_cache_exit(uma_cache *c) {
  c->busy.store(false, std::memory_order_release);
}

inline void uma_cache_bump(std::atomic<int64_t> &counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1,
                std::memory_order_relaxed);
}

// Fast paths, without the zone lock: an item from the calling thread's
// cache, or nullptr.
inline void *uma_cache_alloc(uma_zone *z) {
  uma_cache *c = uma_cache_enter(z);
  if (__predict_false(c == nullptr)) return nullptr;
  void *item = nullptr;
  const int count = c->count.load(std::memory_order_relaxed);
  if (__predict_true(count > 0)) {
    item = c->items[count - 1];
    c->count.store(count - 1, std::memory_order_relaxed);
    uma_cache_bump(c->allocs);
  }
  uma_cache_exit(c);
  return item;
}

[[noreturn]] void uma_cache_double_free(uma_zone *z, void *item);

// Pushes item on the calling thread's cache; false if the cache is full or
// may not be used.
inline bool uma_cache_push(uma_zone *z, void *item) {
  uma_cache *c = uma_cache_enter(z);
  if (__predict_false(c == nullptr)) return false;
  const int count = c->count.load(std::memory_order_relaxed);
  // The one double free a cache can see cheaply: the same item twice.
  if (__predict_false(count != 0 && c->items[count - 1] == item)) {
    uma_cache_exit(c);
    uma_cache_double_free(z, item);
  }
  if (__predict_false(count == UMA_CACHE_MAX)) {
    uma_cache_exit(c);
    return false;
  }
  uma_cache_bump(c->frees);
  c->items[count] = item;
  c->count.store(count + 1, std::memory_order_relaxed);
  uma_cache_exit(c);
  return true;
}

// A free into the calling thread's cache: returns how many items a full
// cache spilled into spill[] (UMA_CACHE_BATCH) for the zone, or -1 if the
// cache may not be used.
int uma_cache_free(uma_zone *z, void *item, void **spill);

#ifdef _UVMEM_UMA_INLINE  // else <vm/uma.h> calls out of line
static inline void *uma_zalloc(uma_zone_t zone, int flags) {
  if (__predict_true((flags & (M_USE_RESERVE | M_ZERO)) == 0 &&
                     (flags & (M_NOWAIT | M_WAITOK)) != (M_NOWAIT | M_WAITOK) &&
                     zone->ctor == nullptr)) {
    void *item = uma_cache_alloc(zone);
    if (__predict_true(item != nullptr)) return item;
  }
  return uma_zalloc_arg(zone, nullptr, flags);
}

static inline void uma_zfree(uma_zone_t zone, void *item) {
  if (__predict_true(item != nullptr && zone->dtor == nullptr) &&
      __predict_true(uma_cache_push(zone, item)))
    return;
  uma_zfree_arg(zone, item, nullptr);
}
#endif

// Puts items the slow path brought in into the caller's cache; returns how
// many did not fit (left at the start of items).
int uma_cache_fill(uma_zone *z, void **items, int n);
// With the zone lock held: move every thread's cached items to the shared
// stack; with unbind, also detach the caches from the zone.
void uma_cache_drain_locked(uma_zone *z, bool unbind);
// With the zone lock held: cached items, and the caches' allocations and
// frees.
void uma_cache_count_locked(uma_zone *z, int64_t *cached, int64_t *allocs,
                            int64_t *frees);
// Zone slots index each thread's caches.
uint32_t uma_cache_slot_alloc(void);
void uma_cache_slot_free(uint32_t slot);

#endif /* __cplusplus */

#endif /* !_COMPAT_VM_UMA_INT_H_ */
