// uma(9): the zone allocator, keg and cache zones.
#include <vm/uma.h>

#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/malloc.h>
#include "gtest/gtest.h"
#include "tests/util/concurrency.h"

namespace {

using test_util::WaitUntil;

uma_zone_stats stats_of(uma_zone_t zone) {
  uma_zone_stats st;
  uma_zone_get_stats(zone, &st);
  return st;
}

bool all_bytes(const void *p, size_t n, unsigned char value) {
  auto *b = static_cast<const unsigned char *>(p);
  return std::all_of(b, b + n, [&](unsigned char c) { return c == value; });
}

uma_zone_t simple_zone(const char *name, size_t size) {
  return uma_zcreate(name, size, nullptr, nullptr, nullptr, nullptr,
                     UMA_ALIGN_PTR, 0);
}

class UmaDeathTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST(Uma, FreshItemsAreZeroFilled) {
  constexpr size_t kSize = 200;
  uma_zone_t z = simple_zone("zero", kSize);
  std::vector<void *> items;
  for (int i = 0; i < 16; i++) {
    void *item = uma_zalloc(z, i % 2 ? M_NOWAIT : M_WAITOK);
    ASSERT_NE(item, nullptr);
    EXPECT_TRUE(all_bytes(item, kSize, 0)) << "item " << i;
    memset(item, 0xee, kSize);
    items.push_back(item);
  }
  for (void *item : items) uma_zfree(z, item);
  uma_zdestroy(z);
}

TEST(Uma, FreedItemKeepsItsContentsAndComesBackLifo) {
  constexpr size_t kSize = 96;
  uma_zone_t z = simple_zone("keep", kSize);
  void *a = uma_zalloc(z, M_WAITOK);
  void *b = uma_zalloc(z, M_WAITOK);
  void *c = uma_zalloc(z, M_WAITOK);
  memset(a, 0x11, kSize);
  memset(b, 0x22, kSize);
  memset(c, 0x33, kSize);
  uma_zfree(z, a);
  uma_zfree(z, b);
  uma_zfree(z, c);
  void *c2 = uma_zalloc(z, M_WAITOK);
  void *b2 = uma_zalloc(z, M_WAITOK);
  void *a2 = uma_zalloc(z, M_NOWAIT);
  EXPECT_EQ(c2, c);
  EXPECT_EQ(b2, b);
  EXPECT_EQ(a2, a);
  EXPECT_TRUE(all_bytes(c2, kSize, 0x33));
  EXPECT_TRUE(all_bytes(b2, kSize, 0x22));
  EXPECT_TRUE(all_bytes(a2, kSize, 0x11));
  // M_ZERO zeroes a reused item.
  uma_zfree(z, b2);
  void *z2 = uma_zalloc(z, M_WAITOK | M_ZERO);
  EXPECT_EQ(z2, b);
  EXPECT_TRUE(all_bytes(z2, kSize, 0));
  uma_zfree(z, a2);
  uma_zfree(z, z2);
  uma_zfree(z, c2);
  uma_zdestroy(z);
}

TEST(Uma, ItemsAreTypeStable) {
  constexpr size_t kSize = 128;
  constexpr int kItems = 32;
  uma_zone_t za = simple_zone("stable_a", kSize);
  uma_zone_t zb = simple_zone("stable_b", kSize);
  std::set<void *> a_items;
  std::vector<void *> held;
  for (int i = 0; i < kItems; i++) held.push_back(uma_zalloc(za, M_WAITOK));
  a_items.insert(held.begin(), held.end());
  for (void *item : held) uma_zfree(za, item);
  held.clear();

  // Memory that za holds never shows up in zb, nor from malloc(9).
  MALLOC_DEFINE(M_STABLE, "stable", "type-stability probe");
  std::vector<void *> mallocs;
  for (int i = 0; i < 4 * kItems; i++) {
    void *item = uma_zalloc(zb, M_WAITOK);
    EXPECT_EQ(a_items.count(item), 0u) << "zb got za's item " << item;
    held.push_back(item);
    void *p = malloc(kSize, M_STABLE, M_WAITOK);
    EXPECT_EQ(a_items.count(p), 0u) << "malloc got za's item " << p;
    mallocs.push_back(p);
  }
  for (void *p : mallocs) free(p, M_STABLE);
  for (void *item : held) uma_zfree(zb, item);
  held.clear();

  // Even a reclaim keeps a keg zone's memory.
  uma_zone_reclaim(za, UMA_RECLAIM_DRAIN);
  EXPECT_EQ(stats_of(za).free, kItems);
  for (int i = 0; i < kItems; i++) {
    void *item = uma_zalloc(za, M_NOVM | M_NOWAIT);
    EXPECT_EQ(a_items.count(item), 1u);
    held.push_back(item);
  }
  for (void *item : held) uma_zfree(za, item);
  uma_zdestroy(za);
  uma_zdestroy(zb);
}

TEST(Uma, AlignmentIsHonoured) {
  uma_zone_t z = uma_zcreate("aligned", 40, nullptr, nullptr, nullptr, nullptr,
                             UMA_ALIGN_CACHE, 0);
  std::vector<void *> items;
  for (int i = 0; i < 8; i++) {
    void *item = uma_zalloc(z, M_WAITOK);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(item) % 64, 0u);
    items.push_back(item);
  }
  for (void *item : items) uma_zfree(z, item);
  uma_zdestroy(z);
}

TEST(Uma, AlignmentAbovePageSizeIsHonoured) {
  uma_zone_t z = uma_zcreate("aligned8k", 40, nullptr, nullptr, nullptr,
                             nullptr, 8192 - 1, 0);
  std::vector<void *> items;
  for (int i = 0; i < 4; i++) {
    void *item = uma_zalloc(z, M_WAITOK);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(item) % 8192, 0u);
    items.push_back(item);
  }
  for (void *item : items) uma_zfree(z, item);
  uma_zdestroy(z);
}

// An item its init refused is not lost: the next allocation tries the
// same memory again.
TEST(Uma, ItemInitRefusedIsTriedAgain) {
  static std::atomic<int> calls{0};
  static std::atomic<void *> refused{nullptr};
  calls = 0;
  auto init = [](void *mem, int, int) {
    if (calls++ == 0) {
      refused = mem;
      return ENOMEM;
    }
    return 0;
  };
  uma_zone_t z = uma_zcreate("init_refuses", 48, nullptr, nullptr, init,
                             nullptr, UMA_ALIGN_PTR, 0);
  EXPECT_EQ(uma_zalloc(z, M_NOWAIT), nullptr);
  void *item = uma_zalloc(z, M_WAITOK);
  EXPECT_EQ(item, refused.load());
  EXPECT_EQ(calls.load(), 2);
  uma_zfree(z, item);
  uma_zdestroy(z);
}

// Records the calls of a zone's ctor/dtor/init/fini.
struct Calls {
  std::mutex mu;
  std::vector<std::string> log;
  std::map<void *, int> inited;  // item -> init count minus fini count
  bool fail_ctor = false;

  void add(const std::string &s) {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back(s);
  }
  std::vector<std::string> take() {
    std::lock_guard<std::mutex> lock(mu);
    return std::move(log);
  }
} calls;

constexpr size_t kCtorSize = 48;
constexpr uint32_t kMagic = 0xc0ffee;

int test_init(void *mem, int size, int flags) {
  EXPECT_EQ(size, static_cast<int>(kCtorSize));
  EXPECT_TRUE(all_bytes(mem, kCtorSize, 0)) << "init sees a fresh item";
  calls.add("init");
  std::lock_guard<std::mutex> lock(calls.mu);
  calls.inited[mem]++;
  return 0;
}

void test_fini(void *mem, int size) {
  EXPECT_EQ(size, static_cast<int>(kCtorSize));
  calls.add("fini");
  std::lock_guard<std::mutex> lock(calls.mu);
  calls.inited[mem]--;
}

int test_ctor(void *mem, int size, void *arg, int flags) {
  EXPECT_EQ(size, static_cast<int>(kCtorSize));
  {
    std::lock_guard<std::mutex> lock(calls.mu);
    EXPECT_EQ(calls.inited[mem], 1) << "ctor on an item init did not see";
  }
  calls.add(std::string("ctor ") +
            (arg ? static_cast<const char *>(arg) : "-"));
  if (calls.fail_ctor) return ENOMEM;
  memcpy(mem, &kMagic, sizeof(kMagic));
  return 0;
}

void test_dtor(void *mem, int size, void *arg) {
  EXPECT_EQ(size, static_cast<int>(kCtorSize));
  uint32_t magic;
  memcpy(&magic, mem, sizeof(magic));
  EXPECT_EQ(magic, kMagic) << "dtor on an item ctor did not construct";
  calls.add(std::string("dtor ") +
            (arg ? static_cast<const char *>(arg) : "-"));
}

using Log = std::vector<std::string>;

TEST(Uma, CtorDtorInitFini) {
  calls.take();
  uma_zone_t z = uma_zcreate("ctor", kCtorSize, test_ctor, test_dtor, test_init,
                             test_fini, UMA_ALIGN_PTR, 0);
  EXPECT_EQ(calls.take(), Log{});

  char a1[] = "a1", a2[] = "a2", f1[] = "f1", f2[] = "f2";
  // A fresh item: init, then ctor with the argument.
  void *x = uma_zalloc_arg(z, a1, M_WAITOK);
  EXPECT_EQ(calls.take(), (Log{"init", "ctor a1"}));
  uma_zfree_arg(z, x, f1);
  EXPECT_EQ(calls.take(), Log{"dtor f1"});
  // Reused: ctor only; init runs once per item.
  void *y = uma_zalloc_arg(z, a2, M_NOWAIT);
  EXPECT_EQ(y, x);
  EXPECT_EQ(calls.take(), Log{"ctor a2"});
  void *w = uma_zalloc(z, M_WAITOK);
  EXPECT_EQ(calls.take(), (Log{"init", "ctor -"}));
  uma_zfree(z, w);
  uma_zfree_arg(z, y, f2);
  EXPECT_EQ(calls.take(), (Log{"dtor -", "dtor f2"}));
  // fini once per item, at uma_zdestroy.
  uma_zdestroy(z);
  EXPECT_EQ(calls.take(), (Log{"fini", "fini"}));
  for (auto &[item, n] : calls.inited) EXPECT_EQ(n, 0) << item;
  calls.inited.clear();
}

TEST(Uma, FailingCtorFailsTheAllocation) {
  calls.take();
  uma_zone_t z = uma_zcreate("ctor_fail", kCtorSize, test_ctor, test_dtor,
                             test_init, test_fini, UMA_ALIGN_PTR, 0);
  calls.fail_ctor = true;
  EXPECT_EQ(uma_zalloc(z, M_WAITOK), nullptr);
  calls.fail_ctor = false;
  // No dtor for an item its ctor refused (FreeBSD: SKIP_DTOR).
  EXPECT_EQ(calls.take(), (Log{"init", "ctor -"}));
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.free, 1);  // the item stays in the zone
  EXPECT_EQ(st.requests, 0u);
  EXPECT_EQ(st.failures, 1u);
  void *x = uma_zalloc(z, M_WAITOK);
  EXPECT_NE(x, nullptr);
  uma_zfree(z, x);
  uma_zdestroy(z);
  calls.take();
  calls.inited.clear();
}

TEST_F(UmaDeathTest, DestroyWithItemsAllocatedPanics) {
  uma_zone_t z = simple_zone("leaky_zone", 32);
  void *a = uma_zalloc(z, M_WAITOK);
  void *b = uma_zalloc(z, M_WAITOK);
  EXPECT_DEATH(uma_zdestroy(z),
               "panic: .*zone leaky_zone destroyed with 2 item\\(s\\) "
               "allocated");
  uma_zfree(z, a);
  EXPECT_DEATH(uma_zdestroy(z),
               "zone leaky_zone destroyed with 1 item\\(s\\) allocated");
  uma_zfree(z, b);
  uma_zdestroy(z);
}

TEST_F(UmaDeathTest, BadFlagsAndBadFreePanic) {
  uma_zone_t z = simple_zone("flag_zone", 32);
  EXPECT_DEATH(uma_zalloc(z, M_NOWAIT | M_WAITOK),
               "zone flag_zone: M_NOWAIT and M_WAITOK together");
  void *item = uma_zalloc(z, M_WAITOK);
  uma_zfree(z, item);
  EXPECT_DEATH(uma_zfree(z, item),
               "zone flag_zone: free of .* with no item allocated");
  uma_zdestroy(z);
}

// Caught where the free reaches the zone's shared layer: a zone with a
// limit (no per-thread caches).
TEST_F(UmaDeathTest, FreeOfAnotherZonesItemPanics) {
  uma_zone_t mine = simple_zone("mine_zone", 32);
  uma_zone_t theirs = simple_zone("theirs_zone", 32);
  ASSERT_EQ(uma_zone_set_max(mine, 8), 8);
  void *own = uma_zalloc(mine, M_WAITOK);
  void *foreign = uma_zalloc(theirs, M_WAITOK);
  EXPECT_DEATH(uma_zfree(mine, foreign),
               "panic: uma_zfree: item 0x[0-9a-f]+ is not from zone "
               "mine_zone \\(0x[0-9a-f]+\\)");
  uma_zfree(mine, own);
  uma_zfree(theirs, foreign);
  uma_zdestroy(theirs);
  uma_zdestroy(mine);
}

TEST_F(UmaDeathTest, NegativeLimitOrReservePanics) {
  uma_zone_t z = simple_zone("negative_zone", 32);
  EXPECT_DEATH(uma_zone_set_max(z, -1), "zone negative_zone: limit -1");
  EXPECT_DEATH(uma_zone_reserve(z, -2), "zone negative_zone: reserve -2");
  uma_zdestroy(z);
}

// A slab allocator that fails while flaky_failures is above zero, counting
// its calls; its slabs come from the C library.
std::atomic<int> flaky_calls{0};
std::atomic<int> flaky_failures{0};
std::atomic<int> flaky_live{0};

void *flaky_allocf(uma_zone_t zone, vm_size_t size, int domain, uint8_t *pflag,
                   int wait) {
  flaky_calls++;
  if (flaky_failures.fetch_sub(1) > 0) return nullptr;
  void *mem = aligned_alloc(4096, size);
  if (mem != nullptr) flaky_live++;
  return mem;
}

void flaky_freef(void *item, vm_size_t size, uint8_t pflag) {
  flaky_live--;
  ::free(item);
}

// One item per slab, so that every new item is an allocf call.
constexpr size_t kSlabItem = 4096;

uma_zone_t flaky_zone(const char *name) {
  flaky_calls = 0;
  flaky_failures = 0;
  uma_zone_t z = simple_zone(name, kSlabItem);
  uma_zone_set_allocf(z, flaky_allocf);
  return z;
}

TEST(Uma, WaitokSleepsWhileAllocfFails) {
  uma_zone_t z = flaky_zone("flaky");
  uma_zone_set_freef(z, flaky_freef);
  // Three failures, then a slab: M_WAITOK sleeps after each failure and
  // asks again, no more often.
  flaky_failures = 3;
  void *item = uma_zalloc(z, M_WAITOK);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(flaky_calls.load(), 4);
  EXPECT_EQ(stats_of(z).sleeps, 3u);
  EXPECT_EQ(stats_of(z).failures, 0u);
  // M_NOWAIT fails at once.
  flaky_failures = 1;
  EXPECT_EQ(uma_zalloc(z, M_NOWAIT), nullptr);
  EXPECT_EQ(flaky_calls.load(), 5);
  EXPECT_EQ(stats_of(z).sleeps, 3u);
  // uma_prealloc() waits the same way.
  flaky_failures = 2;
  uma_prealloc(z, 1);
  EXPECT_EQ(flaky_calls.load(), 8);
  EXPECT_EQ(stats_of(z).sleeps, 5u);
  EXPECT_EQ(stats_of(z).free, 1);
  uma_zfree(z, item);
  uma_zdestroy(z);
  EXPECT_EQ(flaky_live.load(), 0);
}

TEST(Uma, WaitokSleeperTakesAnItemFreedMeanwhile) {
  uma_zone_t z = flaky_zone("flaky_free");
  uma_zone_set_freef(z, flaky_freef);
  void *held = uma_zalloc(z, M_WAITOK);
  ASSERT_NE(held, nullptr);
  const int calls0 = flaky_calls.load();
  // No memory from now on: the sleeper waits until the held item is back.
  flaky_failures = 1 << 30;
  std::atomic<void *> got{nullptr};
  std::thread sleeper([&] { got = uma_zalloc(z, M_WAITOK); });
  EXPECT_TRUE(WaitUntil([&] { return stats_of(z).sleeps >= 2; }))
      << "M_WAITOK did not sleep while allocf failed";
  uma_zfree(z, held);
  uma_zone_reclaim(z, UMA_RECLAIM_DRAIN);  // to the shared layer
  EXPECT_TRUE(WaitUntil([&] { return got.load() != nullptr; }));
  flaky_failures = 0;  // lets a broken sleeper go before the join
  sleeper.join();
  EXPECT_EQ(got.load(), held);
  // It slept after every failed call: it did not spin on allocf.
  EXPECT_EQ(static_cast<uint64_t>(flaky_calls.load() - calls0),
            stats_of(z).sleeps);
  uma_zfree(z, got.load());
  uma_zdestroy(z);
  EXPECT_EQ(flaky_live.load(), 0);
}

TEST_F(UmaDeathTest, DestroyWithAllocfSlabsAndNoFreefPanics) {
  uma_zone_t z = flaky_zone("no_freef");
  void *a = uma_zalloc(z, M_WAITOK);
  void *b = uma_zalloc(z, M_WAITOK);
  uma_zfree(z, a);
  uma_zfree(z, b);
  EXPECT_DEATH(uma_zdestroy(z),
               "zone no_freef destroyed with 2 slab\\(s\\) from its allocf "
               "and no freef to give them back");
  // With one, the slabs go back.
  uma_zone_set_freef(z, flaky_freef);
  uma_zdestroy(z);
  EXPECT_EQ(flaky_live.load(), 0);
  // A zone that never took a slab from allocf needs none.
  uma_zdestroy(flaky_zone("no_freef_unused"));
}

// Threads that all find an empty zone and grow it at once still stop at
// the limit: each checks it again after growing.
TEST(Uma, LimitHoldsWhenThreadsGrowTheZoneAtOnce) {
  for (int round = 0; round < 50; round++) {
    uma_zone_t z = simple_zone("limit_race", 32);
    uma_zone_set_max(z, 1);
    constexpr int kThreads = 4;
    std::atomic<int> ready{0}, got{0};
    std::vector<void *> items(kThreads, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
      threads.emplace_back([&, t] {
        ready++;
        while (ready.load() < kThreads) {
        }
        items[t] = uma_zalloc(z, M_NOWAIT);
        if (items[t] != nullptr) got++;
      });
    for (auto &th : threads) th.join();
    EXPECT_EQ(got.load(), 1) << "round " << round;
    EXPECT_EQ(stats_of(z).inuse, 1) << "round " << round;
    for (void *item : items)
      if (item != nullptr) uma_zfree(z, item);
    uma_zdestroy(z);
    if (HasFailure()) break;
  }
}

TEST(Uma, SetMaxFailsNowaitAndSleepsWaitok) {
  uma_zone_t z = simple_zone("limited", 64);
  EXPECT_EQ(uma_zone_set_max(z, 2), 2);
  EXPECT_EQ(stats_of(z).limit, 2);
  void *a = uma_zalloc(z, M_WAITOK);
  void *b = uma_zalloc(z, M_NOWAIT);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(uma_zalloc(z, M_NOWAIT), nullptr);
  EXPECT_EQ(uma_zalloc(z, M_NOWAIT | M_USE_RESERVE), nullptr);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.failures, 2u);
  EXPECT_EQ(st.inuse, 2);
  EXPECT_EQ(st.requests, 2u);
  EXPECT_EQ(st.sleeps, 0u);

  // M_WAITOK sleeps at the limit until another thread frees.
  std::atomic<void *> got{nullptr};
  std::atomic<bool> done{false};
  std::thread sleeper([&] {
    got = uma_zalloc(z, M_WAITOK);
    done = true;
  });
  bool slept = WaitUntil([&] { return stats_of(z).sleeps >= 1; });
  EXPECT_TRUE(slept) << "M_WAITOK at the limit did not sleep";
  EXPECT_FALSE(done.load());
  uma_zfree(z, a);  // the sleeper takes it
  bool woke = WaitUntil([&] { return done.load(); });
  EXPECT_TRUE(woke) << "M_WAITOK sleeper not woken by uma_zfree";
  if (!woke) uma_zone_set_max(z, 0);  // let it go before joining
  sleeper.join();
  EXPECT_EQ(got.load(), a);
  st = stats_of(z);
  EXPECT_EQ(st.inuse, 2);
  EXPECT_EQ(st.requests, 3u);
  EXPECT_EQ(st.failures, 2u);
  EXPECT_GE(st.sleeps, 1u);

  // Raising the limit lets M_NOWAIT through again.
  uma_zone_set_max(z, 3);
  void *c = uma_zalloc(z, M_NOWAIT);
  EXPECT_NE(c, nullptr);
  uma_zfree(z, c);
  uma_zfree(z, got.load());
  uma_zfree(z, b);
  uma_zdestroy(z);
}

TEST(Uma, NovmTakesOnlyHeldItems) {
  uma_zone_t z = simple_zone("novm", 64);
  EXPECT_EQ(uma_zalloc(z, M_NOVM | M_NOWAIT), nullptr);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.failures, 1u);
  EXPECT_EQ(st.inuse + st.free, 0);
  void *a = uma_zalloc(z, M_NOWAIT);
  uma_zfree(z, a);
  EXPECT_EQ(uma_zalloc(z, M_NOVM | M_NOWAIT), a);
  EXPECT_EQ(uma_zalloc(z, M_NOVM | M_NOWAIT), nullptr);
  uma_zfree(z, a);
  uma_zdestroy(z);
}

TEST(Uma, ReservedItemsOnlyWithUseReserve) {
  uma_zone_t z = simple_zone("reserve", 64);
  uma_prealloc(z, 2);
  EXPECT_EQ(uma_zone_reserve(z, 2), 2);
  std::set<void *> reserved;
  {
    // Peek at the preallocated items without touching the reserve.
    uma_zone_reserve(z, 0);
    void *r1 = uma_zalloc(z, M_NOVM | M_NOWAIT);
    void *r2 = uma_zalloc(z, M_NOVM | M_NOWAIT);
    reserved = {r1, r2};
    uma_zfree(z, r2);
    uma_zfree(z, r1);
    uma_zone_reserve(z, 2);
  }
  EXPECT_EQ(reserved.size(), 2u);
  // The two free items are the reserve: not for ordinary allocations.
  EXPECT_EQ(uma_zalloc(z, M_NOVM | M_NOWAIT), nullptr);
  void *plain = uma_zalloc(z, M_WAITOK);
  EXPECT_EQ(reserved.count(plain), 0u);
  void *plain2 = uma_zalloc(z, M_NOWAIT);
  EXPECT_EQ(reserved.count(plain2), 0u);
  EXPECT_EQ(stats_of(z).free, 2);
  // M_USE_RESERVE may dip into them.
  void *r1 = uma_zalloc(z, M_NOVM | M_NOWAIT | M_USE_RESERVE);
  void *r2 = uma_zalloc(z, M_NOWAIT | M_USE_RESERVE);
  EXPECT_EQ(reserved.count(r1), 1u);
  EXPECT_EQ(reserved.count(r2), 1u);
  EXPECT_NE(r1, r2);
  EXPECT_EQ(stats_of(z).free, 0);
  for (void *item : {plain, plain2, r1, r2}) uma_zfree(z, item);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.free, 4);
  // With four held, two are usable without the reserve.
  void *u1 = uma_zalloc(z, M_NOVM | M_NOWAIT);
  void *u2 = uma_zalloc(z, M_NOVM | M_NOWAIT);
  EXPECT_NE(u1, nullptr);
  EXPECT_NE(u2, nullptr);
  EXPECT_EQ(uma_zalloc(z, M_NOVM | M_NOWAIT), nullptr);
  uma_zfree(z, u1);
  uma_zfree(z, u2);
  uma_zdestroy(z);
}

std::atomic<int> prealloc_inits{0};
int count_init(void *mem, int size, int flags) {
  prealloc_inits++;
  return 0;
}

TEST(Uma, Prealloc) {
  prealloc_inits = 0;
  uma_zone_t z = uma_zcreate("prealloc", 80, nullptr, nullptr, count_init,
                             nullptr, UMA_ALIGN_PTR, 0);
  uma_prealloc(z, 5);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.free, 5);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.requests, 0u);
  EXPECT_EQ(prealloc_inits.load(), 5);
  std::vector<void *> items;
  for (int i = 0; i < 5; i++) {
    void *item = uma_zalloc(z, M_NOVM | M_NOWAIT);
    ASSERT_NE(item, nullptr);
    EXPECT_TRUE(all_bytes(item, 80, 0));
    items.push_back(item);
  }
  EXPECT_EQ(uma_zalloc(z, M_NOVM | M_NOWAIT), nullptr);
  EXPECT_EQ(prealloc_inits.load(), 5);
  for (void *item : items) uma_zfree(z, item);
  uma_zdestroy(z);
}

std::atomic<bool> fail_all_malloc{false};
bool fail_all(size_t, struct malloc_type *) { return fail_all_malloc.load(); }

TEST(Uma, StatsAddUp) {
  uma_zone_t z = simple_zone("stats_zone", 24);
  uma_zone_stats st = stats_of(z);
  EXPECT_STREQ(st.name, "stats_zone");
  EXPECT_EQ(st.size, 24u);
  EXPECT_EQ(st.limit, 0);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.free, 0);
  EXPECT_EQ(st.requests, 0u);
  EXPECT_EQ(st.failures, 0u);
  EXPECT_EQ(st.sleeps, 0u);

  std::vector<void *> items;
  for (int i = 0; i < 10; i++) items.push_back(uma_zalloc(z, M_WAITOK));
  for (int i = 0; i < 4; i++) {
    uma_zfree(z, items.back());
    items.pop_back();
  }
  st = stats_of(z);
  EXPECT_EQ(st.inuse, 6);
  EXPECT_EQ(st.free, 4);
  EXPECT_EQ(st.requests, 10u);
  for (int i = 0; i < 3; i++) items.push_back(uma_zalloc(z, M_NOWAIT));
  st = stats_of(z);
  EXPECT_EQ(st.inuse + st.free, 10);  // reused, none new
  EXPECT_EQ(st.inuse, 9);
  EXPECT_EQ(st.requests, 13u);

  // An injected malloc(9) failure reaches the zone for M_NOWAIT only.
  malloc_failure_hook_t saved = malloc_set_failure_hook(fail_all);
  fail_all_malloc = true;
  void *extra = uma_zalloc(z, M_NOWAIT);  // takes the last free item
  EXPECT_NE(extra, nullptr);
  EXPECT_EQ(uma_zalloc(z, M_NOWAIT), nullptr);  // would need new memory
  void *waited = uma_zalloc(z, M_WAITOK);       // does not ask the hook
  fail_all_malloc = false;
  malloc_set_failure_hook(saved);
  EXPECT_NE(waited, nullptr);
  items.push_back(extra);
  items.push_back(waited);
  st = stats_of(z);
  EXPECT_EQ(st.inuse, 11);
  EXPECT_EQ(st.free, 0);
  EXPECT_EQ(st.requests, 15u);
  EXPECT_EQ(st.failures, 1u);

  for (void *item : items) uma_zfree(z, item);
  st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(st.free, 11);
  EXPECT_EQ(st.requests, 15u);
  uma_zdestroy(z);
}

TEST(Uma, ConcurrentUseKeepsItemsPrivate) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 2000;
  constexpr int kHeld = 8;
  uma_zone_t z = simple_zone("concurrent", sizeof(int) * 4);
  std::atomic<int> clobbered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      int *held[kHeld];
      for (int r = 0; r < kRounds; r++) {
        for (int i = 0; i < kHeld; i++) {
          held[i] = static_cast<int *>(
              uma_zalloc(z, (r + i) % 2 ? M_WAITOK : M_NOWAIT));
          if (held[i] == nullptr)
            held[i] = static_cast<int *>(uma_zalloc(z, M_WAITOK));
          for (int k = 0; k < 4; k++) held[i][k] = t * 1000 + i;
        }
        for (int i = 0; i < kHeld; i++) {
          for (int k = 0; k < 4; k++)
            if (held[i][k] != t * 1000 + i) clobbered++;
          uma_zfree(z, held[i]);
        }
      }
    });
  }
  for (auto &thread : threads) thread.join();
  EXPECT_EQ(clobbered.load(), 0);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_LE(st.free, kThreads * kHeld);
  EXPECT_EQ(st.requests, uint64_t{kThreads} * kRounds * kHeld);
  uma_zdestroy(z);
}

// A fake source for cache zones: hands out slots of a static pool and
// records what is out, so that losses and double releases show.
struct Source {
  static constexpr int kSlots = 1024;
  static constexpr size_t kSlotSize = 32;
  alignas(16) unsigned char pool[kSlots][kSlotSize];
  std::mutex mu;
  int next = 0;
  std::set<void *> out;   // imported, not yet released
  std::set<void *> ever;  // every item ever imported
  int imports = 0, releases = 0;
  int64_t imported = 0, released = 0;
  int double_releases = 0, foreign_releases = 0;
  bool dry = false;  // import returns nothing
  int last_flags = 0;

  size_t outstanding() {
    std::lock_guard<std::mutex> lock(mu);
    return out.size();
  }
};

int source_import(void *arg, void **store, int count, int domain, int flags) {
  auto *s = static_cast<Source *>(arg);
  std::lock_guard<std::mutex> lock(s->mu);
  s->imports++;
  s->last_flags = flags;
  if (s->dry) return 0;
  int n = 0;
  while (n < count && s->next < Source::kSlots) {
    void *item = s->pool[s->next++];
    s->out.insert(item);
    s->ever.insert(item);
    store[n++] = item;
  }
  s->imported += n;
  return n;
}

void source_release(void *arg, void **store, int count) {
  auto *s = static_cast<Source *>(arg);
  std::lock_guard<std::mutex> lock(s->mu);
  s->releases++;
  for (int i = 0; i < count; i++) {
    if (s->ever.count(store[i]) == 0)
      s->foreign_releases++;
    else if (s->out.erase(store[i]) == 0)
      s->double_releases++;
  }
  s->released += count;
}

TEST(Uma, CacheZoneImportsAndReleases) {
  Source src;
  uma_zone_t z =
      uma_zcache_create("cache", Source::kSlotSize, nullptr, nullptr, nullptr,
                        nullptr, source_import, source_release, &src, 0);
  std::vector<void *> items;
  for (int i = 0; i < 3; i++) {
    void *item = uma_zalloc(z, M_NOWAIT);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(src.ever.count(item), 1u) << "item not from import";
    items.push_back(item);
  }
  EXPECT_GE(src.imports, 1);
  EXPECT_EQ(src.last_flags & M_WAITOK, 0);
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 3);
  EXPECT_EQ(st.requests, 3u);
  EXPECT_EQ(static_cast<size_t>(st.inuse + st.free), src.outstanding());

  // Freed items stay cached: nothing released yet.
  for (void *item : items) uma_zfree(z, item);
  EXPECT_EQ(src.releases, 0);
  st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(static_cast<size_t>(st.free), src.outstanding());

  // A drain gives every cached item back, once.
  uma_zone_reclaim(z, UMA_RECLAIM_DRAIN);
  EXPECT_EQ(src.outstanding(), 0u);
  EXPECT_EQ(stats_of(z).free, 0);
  EXPECT_EQ(src.imported, src.released);
  EXPECT_EQ(src.double_releases, 0);
  EXPECT_EQ(src.foreign_releases, 0);

  // Allocating again imports again; uma_zdestroy releases the rest.
  items.clear();
  for (int i = 0; i < 20; i++) items.push_back(uma_zalloc(z, M_NOWAIT));
  for (void *item : items) {
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(src.out.count(item), 1u);
  }
  EXPECT_EQ(std::set<void *>(items.begin(), items.end()).size(), 20u);
  st = stats_of(z);
  EXPECT_EQ(static_cast<size_t>(st.inuse + st.free), src.outstanding());
  for (void *item : items) uma_zfree(z, item);
  uma_zdestroy(z);
  EXPECT_EQ(src.outstanding(), 0u);
  EXPECT_EQ(src.imported, src.released);
  EXPECT_EQ(src.double_releases, 0);
  EXPECT_EQ(src.foreign_releases, 0);
}

TEST(Uma, CacheZoneReleasesExcessAndCountsFailures) {
  Source src;
  uma_zone_t z = uma_zcache_create("cache_many", Source::kSlotSize, nullptr,
                                   nullptr, nullptr, nullptr, source_import,
                                   source_release, &src, 0);
  std::vector<void *> items;
  for (int i = 0; i < 600; i++) {
    void *item = uma_zalloc(z, M_NOWAIT);
    ASSERT_NE(item, nullptr);
    items.push_back(item);
  }
  for (void *item : items) uma_zfree(z, item);
  // The cache may keep only so much; whatever it keeps, nothing is lost.
  uma_zone_stats st = stats_of(z);
  EXPECT_EQ(st.inuse, 0);
  EXPECT_EQ(static_cast<size_t>(st.free), src.outstanding());
  EXPECT_EQ(src.imported - src.released, st.free);

  uma_zone_reclaim(z, UMA_RECLAIM_TRIM);
  st = stats_of(z);
  EXPECT_EQ(static_cast<size_t>(st.free), src.outstanding());

  uma_zone_reclaim(z, UMA_RECLAIM_DRAIN);
  EXPECT_EQ(src.outstanding(), 0u);
  EXPECT_EQ(stats_of(z).free, 0);

  // A dry source fails the allocation; the failure is counted.
  src.dry = true;
  uint64_t failures = stats_of(z).failures;
  EXPECT_EQ(uma_zalloc(z, M_NOWAIT), nullptr);
  EXPECT_EQ(stats_of(z).failures, failures + 1);
  src.dry = false;

  uma_zdestroy(z);
  EXPECT_EQ(src.outstanding(), 0u);
  EXPECT_EQ(src.imported, src.released);
  EXPECT_EQ(src.double_releases, 0);
  EXPECT_EQ(src.foreign_releases, 0);
}

void collect_names(uma_zone_t zone, void *arg) {
  uma_zone_stats st;
  uma_zone_get_stats(zone, &st);
  static_cast<std::vector<std::string> *>(arg)->push_back(st.name);
}

TEST(Uma, ForeachListsZonesInCreationOrder) {
  uma_zone_t a = simple_zone("foreach_a", 16);
  Source src;
  uma_zone_t b =
      uma_zcache_create("foreach_b", 16, nullptr, nullptr, nullptr, nullptr,
                        source_import, source_release, &src, 0);
  uma_zone_t c = simple_zone("foreach_c", 16);
  std::vector<std::string> names;
  uma_zone_foreach(collect_names, &names);
  auto pos = [&](const char *name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  ASSERT_LT(pos("foreach_a"), names.size());
  ASSERT_LT(pos("foreach_b"), names.size());
  ASSERT_LT(pos("foreach_c"), names.size());
  EXPECT_LT(pos("foreach_a"), pos("foreach_b"));
  EXPECT_LT(pos("foreach_b"), pos("foreach_c"));

  uma_zdestroy(b);
  names.clear();
  uma_zone_foreach(collect_names, &names);
  EXPECT_EQ(pos("foreach_b"), names.size()) << "destroyed zone still listed";
  EXPECT_LT(pos("foreach_a"), pos("foreach_c"));
  uma_zdestroy(a);
  uma_zdestroy(c);
  names.clear();
  uma_zone_foreach(collect_names, &names);
  EXPECT_EQ(pos("foreach_a"), names.size());
  EXPECT_EQ(pos("foreach_c"), names.size());
}

}  // namespace
