// Per-thread caches in front of the zones (see uma_int.h).
#include <thread>

#include <linux/linux_membarrier.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <vm/uma_int.h>

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

// Set once the calling thread's caches are gone (thread exit): later zone
// calls from this thread (other thread_local destructors, atexit handlers)
// use the shared layer. Trivially destructible, so always readable.
thread_local bool caches_dead;

// Moves a seized or exiting cache's items and counters to its zone.
void cache_flush_locked(uma_zone *z, uma_cache *c, bool unbind) {
  const int n = c->count.load(relaxed);
  z->free_items.insert(z->free_items.end(), c->items, c->items + n);
  c->count.store(0, relaxed);
  if (unbind) {
    z->requests += c->allocs.load(relaxed);
    z->frees += c->frees.load(relaxed);
    c->allocs.store(0, relaxed);
    c->frees.store(0, relaxed);
    c->zone = nullptr;
  }
}

// The calling thread's caches (uma_cache_slots points into slots_). At
// thread exit every cache's items go back to its zone.
class ThreadCaches {
 public:
  ~ThreadCaches() {
    caches_dead = true;
    uma_cache_slots = nullptr;
    uma_cache_nslots = 0;
    mtx_lock(&uma_zones_lock);
    for (uma_cache *c : slots_) {
      if (c == nullptr) continue;
      // The zones lock keeps the zone alive (uma_zdestroy() unbinds under
      // it) and the zone lock keeps drainers away.
      if (uma_zone *z = c->zone) {
        mtx_lock(&z->lock);
        cache_flush_locked(z, c, true);
        for (uma_cache **p = &z->caches; *p != nullptr; p = &(*p)->next)
          if (*p == c) {
            *p = c->next;
            break;
          }
        mtx_unlock(&z->lock);
      }
      delete c;
    }
    mtx_unlock(&uma_zones_lock);
    slots_.clear();
  }

  // This thread's cache for z, bound to it on first use.
  uma_cache *bind(uma_zone *z) {
    asymmetric_fence_init();
    if (z->slot >= slots_.size()) {
      slots_.resize(z->slot + 1, nullptr);
      uma_cache_slots = slots_.data();
      uma_cache_nslots = static_cast<uint32_t>(slots_.size());
    }
    uma_cache *&c = slots_[z->slot];
    if (c == nullptr) c = new uma_cache();
    if (c->zone != z) {
      // The slot was free or its zone is destroyed (which unbound c).
      mtx_lock(&z->lock);
      MPASS(c->zone == nullptr && c->count.load(relaxed) == 0);
      c->drain.store(!z->use_caches.load(relaxed), relaxed);
      c->zone = z;
      c->next = z->caches;
      z->caches = c;
      mtx_unlock(&z->lock);
    }
    return c;
  }

 private:
  std::vector<uma_cache *> slots_;
};

thread_local ThreadCaches thread_caches;

// Takes every cache of z away from its owner (zone lock held): flags them,
// fences every thread, then waits for owners still inside.
void caches_seize_locked(uma_zone *z) {
  if (z->caches == nullptr) return;
  for (uma_cache *c = z->caches; c != nullptr; c = c->next)
    c->drain.store(true, relaxed);
  asymmetric_fence_heavy();
  for (uma_cache *c = z->caches; c != nullptr; c = c->next)
    while (c->busy.load(std::memory_order_acquire)) std::this_thread::yield();
}

std::vector<uint32_t> &free_slots() {
  static auto *slots = new std::vector<uint32_t>();
  return *slots;
}
uint32_t next_slot;

}  // namespace

__thread uma_cache **uma_cache_slots;
__thread uint32_t uma_cache_nslots;

uma_cache *uma_cache_bind(uma_zone *z) {
  if (caches_dead) return nullptr;
  return thread_caches.bind(z);
}

void uma_cache_double_free(uma_zone *z, void *item) {
  panic("zone %s: free of %p with no item allocated (double free)",
        z->name.c_str(), item);
}

int uma_cache_free(uma_zone *z, void *item, void **spill) {
  if (uma_cache_push(z, item)) return 0;
  // Full (or not usable; then entering fails again): spill half.
  uma_cache *c = uma_cache_enter(z);
  if (c == nullptr) return -1;
  int count = c->count.load(relaxed);
  int n = 0;
  if (count == UMA_CACHE_MAX)
    while (n < UMA_CACHE_BATCH) spill[n++] = c->items[--count];
  uma_cache_bump(c->frees);
  c->items[count++] = item;
  c->count.store(count, relaxed);
  uma_cache_exit(c);
  return n;
}

int uma_cache_fill(uma_zone *z, void **items, int n) {
  uma_cache *c = uma_cache_enter(z);
  if (c == nullptr) return n;
  int count = c->count.load(relaxed);
  while (n > 0 && count < UMA_CACHE_BATCH) c->items[count++] = items[--n];
  c->count.store(count, relaxed);
  uma_cache_exit(c);
  return n;
}

void uma_cache_drain_locked(uma_zone *z, bool unbind) {
  caches_seize_locked(z);
  for (uma_cache *c = z->caches; c != nullptr; c = c->next) {
    cache_flush_locked(z, c, unbind);
    // Keep the owner out for good if the zone no longer uses caches.
    c->drain.store(!z->use_caches.load(relaxed), std::memory_order_release);
  }
  if (unbind) z->caches = nullptr;
}

void uma_cache_count_locked(uma_zone *z, int64_t *cached, int64_t *allocs,
                            int64_t *frees) {
  // Owners may be inside their caches: a snapshot, exact once they are
  // quiet (as the kernel's per-CPU counters).
  *cached = 0;
  *allocs = 0;
  *frees = 0;
  for (uma_cache *c = z->caches; c != nullptr; c = c->next) {
    *cached += c->count.load(relaxed);
    *allocs += c->allocs.load(relaxed);
    *frees += c->frees.load(relaxed);
  }
}

uint32_t uma_cache_slot_alloc(void) {
  // Called under uma_zones_lock.
  auto &slots = free_slots();
  if (slots.empty()) return next_slot++;
  uint32_t slot = slots.back();
  slots.pop_back();
  return slot;
}

void uma_cache_slot_free(uint32_t slot) { free_slots().push_back(slot); }
