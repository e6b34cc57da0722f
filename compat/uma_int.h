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
// Lock order: zones_lock() -> uma_zone::lock -> uma_cache::busy. A thread
// never waits for the zone lock while its cache is busy.
#ifndef COMPAT_UMA_INT_H_
#define COMPAT_UMA_INT_H_

#include <stdint.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "compat/uma.h"

// Items a thread's cache holds at most, and moves to or from the zone at once.
constexpr int UMA_CACHE_MAX = 64;
constexpr int UMA_CACHE_BATCH = UMA_CACHE_MAX / 2;

struct uma_zone;

// One thread's cache for one zone.
struct uma_cache {
  // Held (true) by the owner while it pushes or pops, and by a drainer.
  std::atomic<bool> busy{false};
  uma_zone *zone = nullptr;  // the zone bound to, or nullptr; under busy
  int64_t allocs = 0;        // allocations served here; under busy
  int64_t frees = 0;         // frees taken here; under busy
  int count = 0;             // items[0..count) are free items; under busy
  void *items[UMA_CACHE_MAX];
  uma_cache *next = nullptr;  // in the zone's list; under the zone lock
};

// A memory block from the zone's allocf, freed through freef on destroy.
struct uma_slab {
  void *mem;
  size_t bytes;
  uint8_t pflag;
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

  // Whether threads' caches are used (not with a limit or a reserve, whose
  // accounting must be exact).
  std::atomic<bool> use_caches{true};
  uint32_t slot = 0;  // index of this zone's cache in every thread

  std::mutex lock;
  std::condition_variable limit_cv;
  std::vector<void *> free_items;  // the shared free stack (LIFO)
  std::vector<void *> all_items;   // keg zones without allocf: every item
  std::vector<uma_slab> slabs;     // keg zones with allocf
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

std::mutex &uma_zones_lock();

// Per-thread caches (uma_cache.cc).
// Fast paths, without the zone lock: an item from the calling thread's
// cache, or nullptr; and a free into it, which returns how many items a
// full cache spilled into spill[] (UMA_CACHE_BATCH) for the zone, or -1 if
// the thread has no caches any more (it is exiting).
void *uma_cache_alloc(uma_zone *z);
int uma_cache_free(uma_zone *z, void *item, void **spill);
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

#endif  // COMPAT_UMA_INT_H_
