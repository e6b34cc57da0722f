// The zone allocator's shared layer and its API (see uma_int.h for the
// design; the per-thread caches are in uma_cache.cc).
#include <stdlib.h>
#include <string.h>

#include <algorithm>

#include <sys/kernel.h>
#include <sys/malloc.h>
#include <sys/sdt.h>
#include <sys/systm.h>
#include <vm/uma_int.h>

// Probes (vmem_sdt(9)): allocations that miss the thread's cache, and new
// slabs.
SDT_PROVIDER_DEFINE(uma);
SDT_PROBE_DEFINE2(uma, , , zalloc__miss, "const char *", "int");
SDT_PROBE_DEFINE3(uma, , , slab__alloc, "const char *", "void *", "size_t");

MALLOC_DEFINE(M_UMA, "UMA", "zone allocator items");

namespace {
// Items a cache zone imports at once, and keeps at most before releasing.
constexpr int kImportBatch = 16;
// Items an UMA_ZONE_VM keg carves at once: a full thread's cache, so that
// a run of new tags takes one trip through keg_grow() per cache load.
constexpr int kCarveBatch = UMA_CACHE_MAX;
// The most items a slow path brings in at once.
constexpr int kMaxBatch = std::max(kImportBatch, kCarveBatch);
constexpr size_t kCacheMax = 256;
// Keg slabs are at least this big (and this aligned when from the C
// library).
constexpr size_t kSlabMin = 4096;
constexpr size_t kSlabMax = size_t{2} << 20;
// How long an M_WAITOK allocation sleeps when no memory can be had before
// it tries again, unless a free to the zone wakes it first: the kernel
// waits for free pages (vm_wait()); hz / 100 ticks, as FreeBSD's pause()s
// for memory.
int memory_wait_ticks() { return hz / 100 > 0 ? hz / 100 : 1; }

std::vector<uma_zone *> &zones() {
  static auto *list = new std::vector<uma_zone *>();
  return *list;
}

// Items are packed at their size rounded up to the alignment, as FreeBSD's
// kegs pack them. (Padding vmem's 56-byte tags to 64 bytes, so that none
// straddled two cache lines, made every workload of the peer harness as
// fast or slower: up to 7% slower where an arena holds 100,000 tags, for
// the pages and cache lines the padding takes.)
size_t item_stride(const uma_zone *z) {
  const size_t align = std::max(z->align, sizeof(void *));
  return (z->size + align - 1) & ~(align - 1);
}

// Whether an M_NOWAIT request for new memory may proceed: injected malloc(9)
// failures reach zones too.
bool nowait_memory_ok(int flags) {
  if ((flags & M_NOWAIT) == 0) return true;
  void *probe = malloc(1, M_UMA, M_NOWAIT);
  if (probe == nullptr) return false;
  free(probe, M_UMA);
  return true;
}

// Runs the zone's init on a fresh, zeroed item; false if init refused it.
bool init_item(uma_zone *z, void *item, int flags) {
  memset(item, 0, z->size);
  return z->init == nullptr ||
         z->init(item, static_cast<int>(z->size), flags) == 0;
}

// New keg items, zero-filled and initialised: up to max carved from the
// zone's carve regions (slab memory not yet made into items), or from a new
// slab (from the zone's allocf if set, else from the C library). Returns
// how many (0 only for M_NOWAIT). Called without the zone lock; item init
// runs without it too.
int keg_grow(uma_zone *z, int flags, void **store, int max) {
  MPASS(!z->is_cache());
  // Injected failures hit any new item, from a new slab or not.
  if (!nowait_memory_ok(flags)) return 0;
  const size_t stride = item_stride(z);
  mtx_lock(&z->lock);
  if (z->carve.empty()) {
    // The size the last slab calls for next (used for C-library slabs).
    const size_t slab_bytes =
        z->slabs.empty() ? 0 : std::min(2 * z->slabs.back().bytes, kSlabMax);
    mtx_unlock(&z->lock);
    const size_t align = std::max(kSlabMin, z->align);
    size_t bytes = std::max(align, stride);
    bytes = (bytes + align - 1) / align * align;
    uint8_t pflag = 0;
    void *mem;
    if (z->allocf != nullptr) {
      mem = z->allocf(z, bytes, UMA_ANYDOMAIN, &pflag,
                      flags & (M_WAITOK | M_NOWAIT));
      if (mem == nullptr) return 0;
    } else {
      // Slabs from the C library double up to kSlabMax: a zone with
      // millions of items (vmem tags) then makes few trips here. No
      // transparent huge pages: on the VMs measured they made a fresh
      // program's first million tags take from 0.8 to 2 times as long as
      // ordinary pages, depending on whether the host had backed them yet.
      bytes = std::max(bytes, slab_bytes);
      bytes = (bytes + align - 1) / align * align;  // aligned_alloc() wants it
      // Out of memory: the caller sleeps (M_WAITOK) or fails.
      if ((mem = aligned_alloc(align, bytes)) == nullptr) return 0;
    }
    SDT_PROBE3(uma, , , slab__alloc, z->name.c_str(), mem, bytes);
    mtx_lock(&z->lock);
    z->slabs.push_back({mem, bytes, pflag, z->allocf != nullptr});
    // Room on the shared stack for every item the slabs hold, so that it
    // does not grow (copy itself into a new buffer) while frees pour in.
    z->slab_items += bytes / stride;
    if (z->free_items.capacity() < z->slab_items)
      z->free_items.reserve(
          std::max(z->slab_items, 2 * z->free_items.capacity()));
    // Behind any region another thread added meanwhile: carved after it.
    char *start = static_cast<char *>(mem);
    z->carve.insert(z->carve.begin(), {start, start + bytes / stride * stride});
  }
  int n = 0;
  while (n < max && !z->carve.empty()) {
    uma_carve &region = z->carve.back();
    store[n++] = region.next;
    region.next += stride;
    if (region.next == region.end) z->carve.pop_back();
  }
  mtx_unlock(&z->lock);
  int kept = 0;
  std::vector<void *> refused;
  for (int i = 0; i < n; i++) {
    if (init_item(z, store[i], flags))
      store[kept++] = store[i];
    else
      refused.push_back(store[i]);
  }
  if (!refused.empty()) {
    // Carved again first, for another try.
    mtx_lock(&z->lock);
    for (void *item : refused) {
      char *p = static_cast<char *>(item);
      z->carve.push_back({p, p + stride});
    }
    mtx_unlock(&z->lock);
  }
  return kept;
}

// Items to make at once: a batch for an allocf zone (each slab is a call
// out) and for an UMA_ZONE_VM one (vmem takes a tag per segment: a million
// segments were a million trips through the slow path, one item each),
// else one, which keeps the free count to items once handed out.
int keg_batch(const uma_zone *z, bool exact) {
  if (exact) return 1;
  if (z->carve_batch) return kCarveBatch;
  return z->allocf != nullptr ? kImportBatch : 1;
}

uma_zone *zone_create(const char *name, size_t size, uma_ctor ctor,
                      uma_dtor dtor, uma_init init, uma_fini fini, size_t align,
                      uma_import import, uma_release release, void *arg) {
  KASSERT(size > 0, ("zone %s: item size 0", name));
  auto *z = new uma_zone();
  z->name = name;
  z->size = size;
  z->align = align;
  z->ctor = ctor;
  z->dtor = dtor;
  z->init = init;
  z->fini = fini;
  z->import = import;
  z->release = release;
  z->arg = arg;
  mtx_init(&z->lock, z->name.c_str(), nullptr, MTX_DEF);
  cv_init(&z->limit_cv, "zone limit");
  cv_init(&z->memory_cv, "zone memory");
  mtx_lock(&uma_zones_lock);
  z->slot = uma_cache_slot_alloc();
  zones().push_back(z);
  mtx_unlock(&uma_zones_lock);
  return z;
}

// No new keg memory for an M_WAITOK request: sleep, then let the caller try
// again. A free or reclaim that brings an item to the shared layer wakes
// the sleeper early. Zone lock held.
void keg_wait_memory(uma_zone *z) {
  z->sleeps++;
  z->memory_waiters++;
  cv_timedwait(&z->memory_cv, &z->lock, memory_wait_ticks());
  z->memory_waiters--;
}

// Wakes the sleepers of keg_wait_memory(): the shared layer has items.
// Zone lock held.
void keg_wake_memory(uma_zone *z) {
  if (z->memory_waiters != 0) cv_broadcast(&z->memory_cv);
}

// Gives shared items of a cache zone back to its source, keeping keep.
void cache_release(uma_zone *z, size_t keep) {
  std::vector<void *> items;
  mtx_lock(&z->lock);
  while (z->free_items.size() > keep) {
    items.push_back(z->free_items.back());
    z->free_items.pop_back();
  }
  mtx_unlock(&z->lock);
  if (!items.empty())
    z->release(z->arg, items.data(), static_cast<int>(items.size()));
}

// Items handed out and not yet freed.
int64_t inuse_locked(uma_zone *z) {
  int64_t cached, allocs, frees;
  uma_cache_count_locked(z, &cached, &allocs, &frees);
  return z->requests + allocs - z->frees - frees;
}

// Stops using threads' caches (for an exact limit or reserve).
void disable_caches_locked(uma_zone *z) {
  z->use_caches.store(false, std::memory_order_relaxed);
  uma_cache_drain_locked(z, false);
}

// The slow path: an item from the shared stack, the keg or the import
// function, honouring limit, reserve and M_NOVM. Surplus items brought in
// go to the caller's cache (or the shared stack).
void *zone_alloc_slow(uma_zone *z, int flags) {
  SDT_PROBE2(uma, , , zalloc__miss, z->name.c_str(), flags);
  mtx_lock(&z->lock);
  for (;;) {
    const bool exact = !z->use_caches.load(std::memory_order_relaxed);
    const bool at_limit = z->limit != 0 && inuse_locked(z) >= z->limit;
    const int64_t usable = static_cast<int64_t>(z->free_items.size()) -
                           ((flags & M_USE_RESERVE) != 0 ? 0 : z->reserve);
    if (!at_limit && usable > 0) {
      void *item = z->free_items.back();
      z->free_items.pop_back();
      z->requests++;
      if (!exact) {
        // Take a batch for this thread's cache.
        void *batch[UMA_CACHE_BATCH];
        int n = 0;
        while (n < UMA_CACHE_BATCH && !z->free_items.empty()) {
          batch[n++] = z->free_items.back();
          z->free_items.pop_back();
        }
        mtx_unlock(&z->lock);
        int left = uma_cache_fill(z, batch, n);
        if (left > 0) {
          mtx_lock(&z->lock);
          z->free_items.insert(z->free_items.end(), batch, batch + left);
          mtx_unlock(&z->lock);
        }
      } else {
        mtx_unlock(&z->lock);
      }
      return item;
    }
    if (!at_limit && (flags & M_NOVM) == 0) {
      mtx_unlock(&z->lock);
      void *store[kMaxBatch];
      int n;
      if (z->is_cache())
        n = z->import(z->arg, store, kImportBatch, UMA_ANYDOMAIN,
                      flags & ~M_WAITOK);
      else
        n = keg_grow(z, flags, store, keg_batch(z, exact));
      mtx_lock(&z->lock);
      if (n > 0 && z->limit != 0 && inuse_locked(z) >= z->limit) {
        // Others reached the limit while the lock was dropped: keep these
        // for later and look again.
        z->free_items.insert(z->free_items.end(), store, store + n);
        continue;
      }
      if (n > 0) {
        for (int i = n - 1; i >= 1; i--) z->free_items.push_back(store[i]);
        if (n > 1) keg_wake_memory(z);
        z->requests++;
        mtx_unlock(&z->lock);
        return store[0];
      }
      if (z->is_cache() || (flags & M_NOWAIT) != 0) break;
      // M_WAITOK: wait for memory rather than spin on allocf.
      keg_wait_memory(z);
      continue;
    }
    if ((flags & M_NOWAIT) != 0 || !at_limit) break;
    z->sleeps++;
    cv_wait(&z->limit_cv, &z->lock);
  }
  z->failures++;
  mtx_unlock(&z->lock);
  return nullptr;
}
}  // namespace

// Zones register from static initialisers (the kernel's SYSINITs run
// later, but a program's own may create zones): ready before them.
struct mtx uma_zones_lock = MTX_INITIALIZER("uma zones");

uma_zone_t uma_zcreate(const char *name, size_t size, uma_ctor ctor,
                       uma_dtor dtor, uma_init uminit, uma_fini fini, int align,
                       uint32_t flags) {
  uma_zone *z =
      zone_create(name, size, ctor, dtor, uminit, fini,
                  static_cast<size_t>(align) + 1, nullptr, nullptr, nullptr);
  z->carve_batch = (flags & UMA_ZONE_VM) != 0;
  return z;
}

uma_zone_t uma_zcache_create(const char *name, int size, uma_ctor ctor,
                             uma_dtor dtor, uma_init zinit, uma_fini zfini,
                             uma_import zimport, uma_release zrelease,
                             void *arg, int flags) {
  KASSERT(zimport != nullptr && zrelease != nullptr,
          ("cache zone %s needs import and release functions", name));
  return zone_create(name, static_cast<size_t>(size), ctor, dtor, zinit, zfini,
                     1, zimport, zrelease, arg);
}

void uma_zone_set_allocf(uma_zone_t z, uma_alloc allocf) {
  mtx_lock(&z->lock);
  KASSERT(z->requests == 0 && z->free_items.empty() && z->slabs.empty() &&
              !z->is_cache(),
          ("zone %s: allocf set on a cache zone or after first use",
           z->name.c_str()));
  // allocf slabs are only page-aligned.
  KASSERT(z->align <= kSlabMin,
          ("zone %s: alignment %zu too large for allocf slabs", z->name.c_str(),
           z->align));
  z->allocf = allocf;
  mtx_unlock(&z->lock);
}

void uma_zone_set_freef(uma_zone_t z, uma_free freef) {
  mtx_lock(&z->lock);
  z->freef = freef;
  mtx_unlock(&z->lock);
}

void uma_zdestroy(uma_zone_t z) {
  mtx_lock(&uma_zones_lock);
  mtx_lock(&z->lock);
  uma_cache_drain_locked(z, true);
  // (Negative for a cache zone that was handed foreign items.)
  const int64_t inuse = z->requests - z->frees;
  KASSERT(inuse <= 0, ("zone %s destroyed with %jd item(s) allocated",
                       z->name.c_str(), static_cast<intmax_t>(inuse)));
  // Only freef knows where allocf's memory goes back to.
  const size_t nallocf = static_cast<size_t>(
      std::count_if(z->slabs.begin(), z->slabs.end(),
                    [](const uma_slab &slab) { return slab.from_allocf; }));
  KASSERT(nallocf == 0 || z->freef != nullptr,
          ("zone %s destroyed with %zu slab(s) from its allocf and no "
           "freef to give them back (uma_zone_set_freef())",
           z->name.c_str(), nallocf));
  auto &list = zones();
  list.erase(std::remove(list.begin(), list.end(), z), list.end());
  uma_cache_slot_free(z->slot);
  mtx_unlock(&z->lock);
  mtx_unlock(&uma_zones_lock);
  if (z->is_cache()) {
    cache_release(z, 0);
  } else {
    if (z->fini != nullptr)
      for (void *item : z->free_items) z->fini(item, static_cast<int>(z->size));
    for (const uma_slab &slab : z->slabs) {
      if (!slab.from_allocf)
        ::free(slab.mem);
      else if (z->freef != nullptr)
        z->freef(slab.mem, slab.bytes, slab.pflag);
    }
  }
  cv_destroy(&z->memory_cv);
  cv_destroy(&z->limit_cv);
  mtx_destroy(&z->lock);
  delete z;
}

void *uma_zalloc_arg(uma_zone_t z, void *arg, int flags) {
  KASSERT((flags & (M_NOWAIT | M_WAITOK)) != (M_NOWAIT | M_WAITOK),
          ("zone %s: M_NOWAIT and M_WAITOK together (flags %#x)",
           z->name.c_str(), flags));
  void *item = nullptr;
  if (__predict_true((flags & M_USE_RESERVE) == 0)) item = uma_cache_alloc(z);
  if (__predict_false(item == nullptr)) item = zone_alloc_slow(z, flags);
  if (item == nullptr) return nullptr;
  if (z->ctor != nullptr &&
      z->ctor(item, static_cast<int>(z->size), arg, flags) != 0) {
    // As FreeBSD's item_ctor(): back without the dtor (it was never
    // constructed), and the allocation counts as a failure.
    mtx_lock(&z->lock);
    z->requests--;  // the allocation counts as a failure instead
    z->failures++;
    z->free_items.push_back(item);
    if (z->limit != 0) cv_signal(&z->limit_cv);
    keg_wake_memory(z);
    mtx_unlock(&z->lock);
    return nullptr;
  }
  if ((flags & M_ZERO) != 0) memset(item, 0, z->size);
  return item;
}

namespace {
bool slab_holds_locked(uma_zone_t z, void *item) {
  const auto a = reinterpret_cast<uintptr_t>(item);
  for (const uma_slab &slab : z->slabs) {
    const auto base = reinterpret_cast<uintptr_t>(slab.mem);
    if (a >= base && a - base < slab.bytes) return true;
  }
  return false;
}
}  // namespace

void uma_zfree_arg(uma_zone_t z, void *item, void *arg) {
  if (item == nullptr) return;
  if (z->dtor != nullptr) z->dtor(item, static_cast<int>(z->size), arg);
  void *spill[UMA_CACHE_BATCH];
  // Into this thread's cache; a full cache spills half to the zone.
  const int nspill = uma_cache_free(z, item, spill);
  if (__predict_true(nspill == 0)) return;
  mtx_lock(&z->lock);
  if (nspill > 0) {
    z->free_items.insert(z->free_items.end(), spill, spill + nspill);
  } else {
    KASSERT(
        z->is_cache() || inuse_locked(z) > 0,
        ("zone %s: free of %p with no item allocated", z->name.c_str(), item));
    // An item of another zone, caught where it is cheap: frees that reach
    // the shared layer (zones without caches: with a limit or a reserve)
    // of a keg zone, whose slabs say what is its.
    if (__predict_false(!z->is_cache() && !slab_holds_locked(z, item)))
      panic_func("uma_zfree", "item %p is not from zone %s (%p)", item,
                 z->name.c_str(), static_cast<void *>(z));
    z->frees++;
    z->free_items.push_back(item);
  }
  const bool trim = z->is_cache() && z->free_items.size() > kCacheMax;
  if (z->limit != 0) cv_signal(&z->limit_cv);
  keg_wake_memory(z);
  mtx_unlock(&z->lock);
  if (trim) cache_release(z, kCacheMax / 2);
}

void uma_zone_reclaim(uma_zone_t z, int req) {
  mtx_lock(&z->lock);
  uma_cache_drain_locked(z, false);
  keg_wake_memory(z);
  mtx_unlock(&z->lock);
  if (!z->is_cache()) return;  // keg memory stays type-stable
  cache_release(z, req == UMA_RECLAIM_TRIM ? kCacheMax / 2 : 0);
}

void uma_prealloc(uma_zone_t z, int itemcnt) {
  MPASS(!z->is_cache());
  for (;;) {
    mtx_lock(&z->lock);
    const int64_t missing =
        itemcnt - static_cast<int64_t>(z->free_items.size());
    mtx_unlock(&z->lock);
    if (missing <= 0) return;
    void *store[kMaxBatch];
    int n = keg_grow(
        z, M_WAITOK, store,
        static_cast<int>(std::min<int64_t>(missing, keg_batch(z, false))));
    mtx_lock(&z->lock);
    if (n == 0) {
      keg_wait_memory(z);
    } else {
      z->free_items.insert(z->free_items.end(), store, store + n);
      keg_wake_memory(z);
    }
    mtx_unlock(&z->lock);
  }
}

int uma_zone_reserve(uma_zone_t z, int nitems) {
  KASSERT(nitems >= 0, ("zone %s: reserve %d", z->name.c_str(), nitems));
  mtx_lock(&z->lock);
  z->reserve = nitems;
  if (nitems != 0) disable_caches_locked(z);
  mtx_unlock(&z->lock);
  return nitems;
}

int uma_zone_set_max(uma_zone_t z, int nitems) {
  KASSERT(nitems >= 0, ("zone %s: limit %d", z->name.c_str(), nitems));
  mtx_lock(&z->lock);
  z->limit = nitems;
  if (nitems != 0) disable_caches_locked(z);
  cv_broadcast(&z->limit_cv);
  mtx_unlock(&z->lock);
  return nitems;
}

void uma_zone_get_stats(uma_zone_t z, struct uma_zone_stats *stats) {
  mtx_lock(&z->lock);
  int64_t cached, allocs, frees;
  uma_cache_count_locked(z, &cached, &allocs, &frees);
  const int64_t shared = static_cast<int64_t>(z->free_items.size());
  stats->name = z->name.c_str();
  stats->size = z->size;
  stats->limit = z->limit;
  stats->inuse = z->requests + allocs - z->frees - frees;
  stats->free = shared + cached;
  stats->cached = cached;
  stats->requests = static_cast<uint64_t>(z->requests + allocs);
  stats->failures = z->failures;
  stats->sleeps = z->sleeps;
  mtx_unlock(&z->lock);
}

void uma_zone_foreach(void (*fn)(uma_zone_t zone, void *arg), void *arg) {
  mtx_lock(&uma_zones_lock);
  std::vector<uma_zone *> list = zones();
  mtx_unlock(&uma_zones_lock);
  for (uma_zone *z : list) fn(z, arg);
}
