// The zone allocator's per-thread caches: items freed by a thread stay in
// its cache (the common pair takes no shared lock), and the caches are
// drained on reclaim, at thread exit and on destroy, with nothing lost or
// counted twice.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <vm/uma.h>
#include "gtest/gtest.h"

namespace {

uma_zone_stats stats_of(uma_zone_t z) {
  uma_zone_stats st;
  uma_zone_get_stats(z, &st);
  return st;
}

uma_zone_t new_zone(const char *name) {
  return uma_zcreate(name, 48, nullptr, nullptr, nullptr, nullptr,
                     UMA_ALIGN_PTR, 0);
}

// A thread that frees what it allocated into its own cache, then waits
// until told to exit.
class Parked {
 public:
  Parked(uma_zone_t z, int n) {
    thread_ = std::thread([this, z, n] {
      std::vector<void *> items;
      for (int i = 0; i < n; i++) items.push_back(uma_zalloc(z, M_WAITOK));
      for (void *item : items) uma_zfree(z, item);
      std::unique_lock<std::mutex> lock(mu_);
      parked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return release_; });
    });
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return parked_; });
  }
  void exit() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      release_ = true;
      cv_.notify_all();
    }
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool parked_ = false;
  bool release_ = false;
  std::thread thread_;
};

TEST(UmaCache, FreedItemsStayInTheThreadsCache) {
  uma_zone_t z = new_zone("cache_keep");
  std::vector<void *> items;
  for (int i = 0; i < 10; i++) items.push_back(uma_zalloc(z, M_WAITOK));
  for (void *item : items) uma_zfree(z, item);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.free, 10);
  EXPECT_EQ(st.cached, 10);
  // The same thread gets them back, most recently freed first.
  EXPECT_EQ(uma_zalloc(z, M_WAITOK), items.back());
  uma_zfree(z, items.back());
  uma_zdestroy(z);
}

TEST(UmaCache, ThreadExitDrainsItsCache) {
  uma_zone_t z = new_zone("cache_exit");
  Parked parked(z, 20);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.cached, 20);
  EXPECT_EQ(st.inuse, 0);
  parked.exit();
  st = stats_of(z);
  EXPECT_EQ(st.cached, 0);
  EXPECT_EQ(st.free, 20);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.requests, 20u);
  // This thread reuses the drained items rather than new memory.
  std::set<void *> again;
  for (int i = 0; i < 20; i++) again.insert(uma_zalloc(z, M_WAITOK));
  st = stats_of(z);
  EXPECT_EQ(st.inuse + st.free, 20);
  for (void *item : again) uma_zfree(z, item);
  uma_zdestroy(z);
}

TEST(UmaCache, ReclaimDrainsAnotherLiveThreadsCache) {
  uma_zone_t z = new_zone("cache_reclaim");
  Parked parked(z, 12);
  EXPECT_EQ(stats_of(z).cached, 12);
  uma_zone_reclaim(z, UMA_RECLAIM_DRAIN);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.cached, 0);
  EXPECT_EQ(st.free, 12);
  parked.exit();
  EXPECT_EQ(stats_of(z).free, 12);
  uma_zdestroy(z);
}

TEST(UmaCache, DestroyTakesItemsFromLiveThreadsCaches) {
  uma_zone_t z = new_zone("cache_destroy");
  Parked parked(z, 5);
  uma_zdestroy(z);  // must not panic: the cached items are free
  parked.exit();    // the thread's cache no longer refers to the zone
  // A new zone may reuse the slot; the exited thread left nothing behind.
  uma_zone_t z2 = new_zone("cache_destroy2");
  EXPECT_EQ(stats_of(z2).cached, 0);
  void *item = uma_zalloc(z2, M_WAITOK);
  uma_zfree(z2, item);
  uma_zdestroy(z2);
}

TEST(UmaCache, CacheZoneDrainReleasesItemsCachedByOtherThreads) {
  struct Source {
    std::atomic<int> outstanding{0};
    char slots[4096];
    std::atomic<int> next{0};
  } src;
  auto import = [](void *arg, void **store, int count, int, int) {
    auto *s = static_cast<Source *>(arg);
    for (int i = 0; i < count; i++) {
      store[i] = &s->slots[s->next++ % 4096];
      s->outstanding++;
    }
    return count;
  };
  auto release = [](void *arg, void **, int count) {
    static_cast<Source *>(arg)->outstanding -= count;
  };
  uma_zone_t z = uma_zcache_create("cache_src", 1, nullptr, nullptr, nullptr,
                                   nullptr, import, release, &src, 0);
  Parked parked(z, 3);
  EXPECT_GT(src.outstanding.load(), 0);
  uma_zone_reclaim(z, UMA_RECLAIM_DRAIN);
  EXPECT_EQ(src.outstanding.load(), 0);
  parked.exit();
  uma_zdestroy(z);
  EXPECT_EQ(src.outstanding.load(), 0);
}

// Thread t allocates and frees items of z for rounds steps, holding at most
// max_held; each item it holds carries t, and bad counts items found
// carrying another value (handed to two threads at once).
void churn_stamped(uma_zone_t z, int t, int rounds, size_t max_held,
                   std::atomic<int> &bad) {
  const auto stamp = static_cast<unsigned>(t);
  std::vector<unsigned *> mine;
  for (int r = 0; r < rounds; r++) {
    if (mine.size() < max_held && (r % 3 != 0 || mine.empty())) {
      auto *p = static_cast<unsigned *>(uma_zalloc(z, M_WAITOK));
      *p = stamp;
      mine.push_back(p);
    } else {
      if (*mine.back() != stamp) bad++;
      *mine.back() = ~0u;
      uma_zfree(z, mine.back());
      mine.pop_back();
    }
  }
  for (unsigned *p : mine) uma_zfree(z, p);
}

TEST(UmaCache, ConcurrentThreadsCountersAddUp) {
  uma_zone_t z = new_zone("cache_threads");
  constexpr int kThreads = 4, kRounds = 5000;
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&, t] { churn_stamped(z, t, kRounds, 100, bad); });
  for (auto &th : threads) th.join();
  EXPECT_EQ(bad.load(), 0) << "an item was handed to two threads";
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.cached, 0);  // the threads exited
  uma_zdestroy(z);
}

// Reclaim reaches into caches whose owners are pushing and popping at the
// same moment: no item may be both drained and kept by its owner.
TEST(UmaCache, ReclaimRacingWithOwnersLosesAndDuplicatesNothing) {
  uma_zone_t z = new_zone("cache_reclaim_race");
  constexpr int kThreads = 2, kRounds = 20000, kChunk = 1000;
  constexpr int kMinReclaims = 50;
  std::atomic<int> running{kThreads};
  std::atomic<int> reclaims{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  // Owners keep churning until the reclaimer has drained kMinReclaims
  // times, so the race happens however the threads are scheduled.
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&, t] {
      for (int done = 0; done < kRounds || reclaims.load() < kMinReclaims;
           done += kChunk)
        churn_stamped(z, t, kChunk, 70, bad);
      running--;
    });
  while (running.load() > 0) {
    uma_zone_reclaim(z, UMA_RECLAIM_DRAIN);
    reclaims++;
  }
  for (auto &th : threads) th.join();
  EXPECT_GE(reclaims.load(), kMinReclaims);
  EXPECT_EQ(bad.load(), 0) << "an item was handed to two threads";
  // Every item the zone made is free exactly once.
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  std::set<void *> items;
  for (int64_t i = 0; i < st.free; i++) items.insert(uma_zalloc(z, M_WAITOK));
  EXPECT_EQ(static_cast<int64_t>(items.size()), st.free)
      << "an item was free twice";
  for (void *item : items) uma_zfree(z, item);
  uma_zdestroy(z);
}

// A limit set while another thread frees into its cache leaves nothing in
// that cache: frees after the switch go to the zone, so a limit counts every
// free item.
TEST(UmaCache, LimitSetWhileFreeingStrandsNothingInCaches) {
  for (int round = 0; round < 200; round++) {
    uma_zone_t z = new_zone("cache_limit_race");
    std::vector<void *> items;
    for (int i = 0; i < 40; i++) items.push_back(uma_zalloc(z, M_WAITOK));
    std::atomic<bool> go{false};
    std::mutex mu;
    std::condition_variable cv;
    bool done = false, release = false;
    std::thread freer([&] {
      while (!go.load()) {
      }
      for (void *item : items) uma_zfree(z, item);
      std::unique_lock<std::mutex> lock(mu);
      done = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });  // keep the cache alive
    });
    go = true;
    uma_zone_set_max(z, 1000);
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
    }
    uma_zone_stats st = stats_of(z);
    EXPECT_EQ(st.cached, 0) << "round " << round;
    EXPECT_EQ(st.inuse, 0) << "round " << round;
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
      cv.notify_all();
    }
    freer.join();
    uma_zdestroy(z);
    if (HasFailure()) break;
  }
}

// A thread_local whose destructor runs after the thread's zone caches are
// gone (it was constructed first) still allocates and frees: those calls
// use the zone's shared layer.
struct LateFreer {
  uma_zone_t zone = nullptr;
  std::vector<void *> items;
  ~LateFreer() {
    for (void *item : items) uma_zfree(zone, item);
    void *again = uma_zalloc(zone, M_WAITOK);
    uma_zfree(zone, again);
  }
};

TEST(UmaCache, ZoneCallsAfterTheThreadsCachesAreGone) {
  uma_zone_t z = new_zone("cache_late");
  std::thread([z] {
    thread_local LateFreer late;  // constructed before the caches
    late.zone = z;
    for (int i = 0; i < 8; i++) late.items.push_back(uma_zalloc(z, M_WAITOK));
    void *bind = uma_zalloc(z, M_WAITOK);
    uma_zfree(z, bind);  // the thread's cache for z now exists
  }).join();
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.cached, 0);
  EXPECT_EQ(st.free, 9);
  uma_zdestroy(z);
}

}  // namespace
