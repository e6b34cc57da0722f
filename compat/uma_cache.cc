// Per-thread caches in front of the zones (see uma_int.h).
#include <thread>

#include "compat/panic.h"
#include "compat/uma_int.h"

namespace {

void cache_lock(uma_cache *c) {
  while (c->busy.exchange(true, std::memory_order_acquire))
    std::this_thread::yield();
}

void cache_unlock(uma_cache *c) {
  c->busy.store(false, std::memory_order_release);
}

// Set once the calling thread's caches are gone (thread exit): later zone
// calls from this thread (other thread_local destructors, atexit handlers)
// use the shared layer. Trivially destructible, so always readable.
thread_local bool caches_dead;

// The calling thread's caches, by zone slot. At thread exit every cache's
// items go back to its zone.
class ThreadCaches {
 public:
  ~ThreadCaches() {
    caches_dead = true;
    std::lock_guard<std::mutex> zones(uma_zones_lock());
    for (uma_cache *c : slots_) {
      if (c == nullptr) continue;
      // The zones lock keeps the zone alive: uma_zdestroy() unbinds its
      // caches under it.
      cache_lock(c);
      uma_zone *z = c->zone;
      cache_unlock(c);
      if (z != nullptr) {
        std::lock_guard<std::mutex> lock(z->lock);
        cache_lock(c);
        for (int i = 0; i < c->count; i++) z->free_items.push_back(c->items[i]);
        c->count = 0;
        z->requests += c->allocs;
        z->frees += c->frees;
        c->allocs = c->frees = 0;
        c->zone = nullptr;
        for (uma_cache **p = &z->caches; *p != nullptr; p = &(*p)->next)
          if (*p == c) {
            *p = c->next;
            break;
          }
        cache_unlock(c);
      }
      delete c;
    }
    slots_.clear();
  }

  // This thread's cache for z, locked and bound to z.
  uma_cache *get(uma_zone *z) {
    if (z->slot >= slots_.size()) slots_.resize(z->slot + 1, nullptr);
    uma_cache *&c = slots_[z->slot];
    if (c == nullptr) c = new uma_cache();
    cache_lock(c);
    if (__predict_true(c->zone == z)) return c;
    cache_unlock(c);
    // First use since the slot was (re)assigned to z: bind.
    std::lock_guard<std::mutex> lock(z->lock);
    cache_lock(c);
    MPASS(c->count == 0);
    c->zone = z;
    c->allocs = c->frees = 0;
    c->next = z->caches;
    z->caches = c;
    return c;
  }

 private:
  std::vector<uma_cache *> slots_;
};

thread_local ThreadCaches thread_caches;

std::vector<uint32_t> &free_slots() {
  static auto *slots = new std::vector<uint32_t>();
  return *slots;
}
uint32_t next_slot;

}  // namespace

void *uma_cache_alloc(uma_zone *z) {
  if (__predict_false(caches_dead)) return nullptr;
  uma_cache *c = thread_caches.get(z);
  void *item = nullptr;
  if (c->count > 0) {
    item = c->items[--c->count];
    c->allocs++;
  }
  cache_unlock(c);
  return item;
}

int uma_cache_free(uma_zone *z, void *item, void **spill) {
  if (__predict_false(caches_dead)) return -1;
  uma_cache *c = thread_caches.get(z);
  // The one double free a cache can see cheaply: the same item twice.
  if (__predict_false(c->count != 0 && c->items[c->count - 1] == item)) {
    cache_unlock(c);
    panic("zone %s: free of %p with no item allocated (double free)",
          z->name.c_str(), item);
  }
  int n = 0;
  c->frees++;
  if (c->count == UMA_CACHE_MAX)
    while (n < UMA_CACHE_BATCH) spill[n++] = c->items[--c->count];
  c->items[c->count++] = item;
  cache_unlock(c);
  return n;
}

int uma_cache_fill(uma_zone *z, void **items, int n) {
  if (__predict_false(caches_dead)) return n;
  uma_cache *c = thread_caches.get(z);
  while (n > 0 && c->count < UMA_CACHE_BATCH) c->items[c->count++] = items[--n];
  cache_unlock(c);
  return n;
}

void uma_cache_drain_locked(uma_zone *z, bool unbind) {
  for (uma_cache *c = z->caches; c != nullptr; c = c->next) {
    cache_lock(c);
    for (int i = 0; i < c->count; i++) z->free_items.push_back(c->items[i]);
    c->count = 0;
    if (unbind) {
      z->requests += c->allocs;
      z->frees += c->frees;
      c->allocs = c->frees = 0;
      c->zone = nullptr;
    }
    cache_unlock(c);
  }
  if (unbind) z->caches = nullptr;
}

void uma_cache_count_locked(uma_zone *z, int64_t *cached, int64_t *allocs,
                            int64_t *frees) {
  *cached = 0;
  *allocs = 0;
  *frees = 0;
  for (uma_cache *c = z->caches; c != nullptr; c = c->next) {
    cache_lock(c);
    *cached += c->count;
    *allocs += c->allocs;
    *frees += c->frees;
    cache_unlock(c);
  }
}

uint32_t uma_cache_slot_alloc(void) {
  // Called under uma_zones_lock().
  auto &slots = free_slots();
  if (slots.empty()) return next_slot++;
  uint32_t slot = slots.back();
  slots.pop_back();
  return slot;
}

void uma_cache_slot_free(uint32_t slot) { free_slots().push_back(slot); }
