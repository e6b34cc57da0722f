// The zone allocator. Each zone keeps its free items on a stack beside them
// (never inside an item) under a zone lock; memory comes from the C library
// and goes back only when the zone is destroyed.
#include "compat/uma.h"

#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "compat/malloc.h"
#include "compat/panic.h"

MALLOC_DEFINE(M_UMA, "UMA", "zone allocator items");

namespace {
// Items a cache zone imports at once, and keeps at most before releasing.
constexpr int kImportBatch = 8;
constexpr size_t kCacheMax = 256;
}  // namespace

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

  std::mutex lock;
  std::condition_variable limit_cv;
  std::vector<void *> free_items;  // LIFO
  std::vector<void *> all_items;   // keg zones: everything allocated
  int64_t reserve = 0;
  int64_t limit = 0;
  int64_t inuse = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
  uint64_t sleeps = 0;

  bool is_cache() const { return import != nullptr; }
};

namespace {
std::mutex &zones_lock() {
  static auto *mu = new std::mutex();
  return *mu;
}
std::vector<uma_zone *> &zones() {
  static auto *list = new std::vector<uma_zone *>();
  return *list;
}

void register_zone(uma_zone *z) {
  std::lock_guard<std::mutex> lock(zones_lock());
  zones().push_back(z);
}

// A new, zero-filled keg item; NULL only for M_NOWAIT.
void *new_item(uma_zone *z, int flags) {
  MPASS(!z->is_cache());
  if ((flags & M_NOWAIT) != 0) {
    // Ask the malloc(9) failure hook, so injected failures reach zones.
    void *probe = malloc(1, M_UMA, M_NOWAIT);
    if (probe == nullptr) return nullptr;
    free(probe, M_UMA);
  }
  size_t align = std::max(z->align, sizeof(void *));
  size_t size = (z->size + align - 1) & ~(align - 1);
  void *item = nullptr;
  while (posix_memalign(&item, align, size) != 0) {
    if ((flags & M_NOWAIT) != 0) return nullptr;
  }
  memset(item, 0, size);
  if (z->init != nullptr && z->init(item, static_cast<int>(z->size), flags)) {
    ::free(item);
    return nullptr;
  }
  return item;
}

uma_zone *zone_create(const char *name, size_t size, uma_ctor ctor,
                      uma_dtor dtor, uma_init init, uma_fini fini,
                      size_t align, uma_import import, uma_release release,
                      void *arg) {
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
  register_zone(z);
  return z;
}

// Gives cached items back to a cache zone's source, keeping keep of them.
void cache_release(uma_zone *z, size_t keep) {
  std::vector<void *> items;
  {
    std::lock_guard<std::mutex> lock(z->lock);
    while (z->free_items.size() > keep) {
      items.push_back(z->free_items.back());
      z->free_items.pop_back();
    }
  }
  if (!items.empty())
    z->release(z->arg, items.data(), static_cast<int>(items.size()));
}
}  // namespace

uma_zone_t uma_zcreate(const char *name, size_t size, uma_ctor ctor,
                       uma_dtor dtor, uma_init uminit, uma_fini fini,
                       int align, uint32_t flags) {
  return zone_create(name, size, ctor, dtor, uminit, fini,
                     static_cast<size_t>(align) + 1, nullptr, nullptr,
                     nullptr);
}

uma_zone_t uma_zcache_create(const char *name, int size, uma_ctor ctor,
                             uma_dtor dtor, uma_init zinit, uma_fini zfini,
                             uma_import zimport, uma_release zrelease,
                             void *arg, int flags) {
  KASSERT(zimport != nullptr && zrelease != nullptr,
          ("cache zone %s needs import and release functions", name));
  return zone_create(name, static_cast<size_t>(size), ctor, dtor, zinit,
                     zfini, 1, zimport, zrelease, arg);
}

void uma_zdestroy(uma_zone_t z) {
  {
    std::lock_guard<std::mutex> lock(z->lock);
    KASSERT(z->inuse == 0, ("zone %s destroyed with %jd item(s) allocated",
                            z->name.c_str(), static_cast<intmax_t>(z->inuse)));
  }
  {
    std::lock_guard<std::mutex> lock(zones_lock());
    auto &list = zones();
    list.erase(std::remove(list.begin(), list.end(), z), list.end());
  }
  if (z->is_cache()) {
    cache_release(z, 0);
  } else {
    for (void *item : z->all_items) {
      if (z->fini != nullptr) z->fini(item, static_cast<int>(z->size));
      ::free(item);
    }
  }
  delete z;
}

void *uma_zalloc_arg(uma_zone_t z, void *arg, int flags) {
  KASSERT((flags & (M_NOWAIT | M_WAITOK)) != (M_NOWAIT | M_WAITOK),
          ("zone %s: M_NOWAIT and M_WAITOK together (flags %#x)",
           z->name.c_str(), flags));
  void *item = nullptr;
  std::unique_lock<std::mutex> lock(z->lock);
  for (;;) {
    bool at_limit = z->limit != 0 && z->inuse >= z->limit;
    int64_t usable = static_cast<int64_t>(z->free_items.size()) -
                     ((flags & M_USE_RESERVE) != 0 ? 0 : z->reserve);
    if (!at_limit && usable > 0) {
      item = z->free_items.back();
      z->free_items.pop_back();
      break;
    }
    if (!at_limit && (flags & M_NOVM) == 0) {
      lock.unlock();
      if (z->is_cache()) {
        void *store[kImportBatch];
        int n = z->import(z->arg, store, kImportBatch, UMA_ANYDOMAIN,
                          flags & ~M_WAITOK);
        lock.lock();
        for (int i = 1; i < n; i++) z->free_items.push_back(store[i]);
        if (n > 0) item = store[0];
      } else {
        item = new_item(z, flags);
        lock.lock();
        if (item != nullptr) z->all_items.push_back(item);
      }
      if (item != nullptr || z->is_cache() || (flags & M_NOWAIT) != 0) break;
      continue;
    }
    if ((flags & M_NOWAIT) != 0 || !at_limit) break;
    z->sleeps++;
    z->limit_cv.wait(lock);
  }
  if (item == nullptr) {
    z->failures++;
    return nullptr;
  }
  z->inuse++;
  z->requests++;
  lock.unlock();
  if (z->ctor != nullptr &&
      z->ctor(item, static_cast<int>(z->size), arg, flags) != 0) {
    // As FreeBSD's item_ctor(): the item goes back without its dtor (it was
    // never constructed) and the allocation counts as a failure.
    lock.lock();
    z->inuse--;
    z->requests--;
    z->failures++;
    z->free_items.push_back(item);
    if (z->limit != 0) z->limit_cv.notify_one();
    return nullptr;
  }
  if ((flags & M_ZERO) != 0) memset(item, 0, z->size);
  return item;
}

void uma_zfree_arg(uma_zone_t z, void *item, void *arg) {
  if (item == nullptr) return;
  if (z->dtor != nullptr) z->dtor(item, static_cast<int>(z->size), arg);
  bool trim;
  {
    std::lock_guard<std::mutex> lock(z->lock);
    KASSERT(z->inuse > 0, ("zone %s: free of %p with no item allocated",
                           z->name.c_str(), item));
    z->inuse--;
    z->free_items.push_back(item);
    trim = z->is_cache() && z->free_items.size() > kCacheMax;
    if (z->limit != 0) z->limit_cv.notify_one();
  }
  if (trim) cache_release(z, kCacheMax / 2);
}

void uma_zone_reclaim(uma_zone_t z, int req) {
  if (!z->is_cache()) return;  // keg memory stays type-stable
  cache_release(z, req == UMA_RECLAIM_TRIM ? kCacheMax / 2 : 0);
}

void uma_prealloc(uma_zone_t z, int itemcnt) {
  MPASS(!z->is_cache());
  std::lock_guard<std::mutex> lock(z->lock);
  while (static_cast<int64_t>(z->free_items.size()) < itemcnt) {
    void *item = new_item(z, M_WAITOK);
    z->all_items.push_back(item);
    z->free_items.push_back(item);
  }
}

int uma_zone_reserve(uma_zone_t z, int nitems) {
  std::lock_guard<std::mutex> lock(z->lock);
  z->reserve = nitems;
  return nitems;
}

int uma_zone_set_max(uma_zone_t z, int nitems) {
  std::lock_guard<std::mutex> lock(z->lock);
  z->limit = nitems;
  z->limit_cv.notify_all();
  return nitems;
}

void uma_zone_get_stats(uma_zone_t z, struct uma_zone_stats *stats) {
  std::lock_guard<std::mutex> lock(z->lock);
  stats->name = z->name.c_str();
  stats->size = z->size;
  stats->limit = z->limit;
  stats->inuse = z->inuse;
  stats->free = static_cast<int64_t>(z->free_items.size());
  stats->requests = z->requests;
  stats->failures = z->failures;
  stats->sleeps = z->sleeps;
}

void uma_zone_foreach(void (*fn)(uma_zone_t zone, void *arg), void *arg) {
  std::vector<uma_zone *> list;
  {
    std::lock_guard<std::mutex> lock(zones_lock());
    list = zones();
  }
  for (uma_zone *z : list) fn(z, arg);
}
