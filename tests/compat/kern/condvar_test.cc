// condvar(9): signal, broadcast, timed waits and the interlock's ownership.
#include <sys/condvar.h>
#include <sys/mutex.h>

#include <errno.h>
#include <limits.h>

#include <atomic>
#include <thread>
#include <vector>

#include <sys/kernel.h>
#include "gtest/gtest.h"
#include "tests/util/concurrency.h"

namespace {

// test_util::kHangTimeout in ticks.
const int kHangTicks = static_cast<int>(test_util::kHangTimeout.count()) * hz;

using test_util::WaitUntil;

// The state waiters share; heap-allocated so that a test that fails with a
// waiter still asleep can leave it behind instead of hanging.
struct Shared {
  Shared() {
    mtx_init(&m, "cv_test_mtx", nullptr, MTX_DEF);
    cv_init(&cv, "test_cv");
  }
  ~Shared() {
    cv_destroy(&cv);
    mtx_destroy(&m);
  }
  int waiters() {
    mtx_lock(&m);
    int n = cv.cv_waiters;
    mtx_unlock(&m);
    return n;
  }

  struct mtx m;
  struct cv cv;
  bool ready = false;  // under m
  std::atomic<int> woke{0};
  std::atomic<int> owned_after_wait{0};
};

class Waiters {
 public:
  Waiters(Shared *s, int n) : s_(s) {
    for (int i = 0; i < n; i++) {
      threads_.emplace_back([s] {
        mtx_lock(&s->m);
        while (!s->ready) cv_wait(&s->cv, &s->m);
        if (mtx_owned(&s->m)) s->owned_after_wait++;
        mtx_unlock(&s->m);
        s->woke++;
      });
    }
  }
  // Joins the waiters if all woke; otherwise leaves them (and s) behind.
  bool Finish(int n) {
    if (!WaitUntil([&] { return s_->woke.load() == n; })) {
      for (auto &t : threads_) t.detach();
      return false;
    }
    for (auto &t : threads_) t.join();
    delete s_;
    return true;
  }

 private:
  Shared *s_;
  std::vector<std::thread> threads_;
};

TEST(Condvar, Wmesg) {
  Shared s;
  EXPECT_STREQ(cv_wmesg(&s.cv), "test_cv");
}

TEST(Condvar, SignalWakesWaiter) {
  auto *s = new Shared;
  Waiters waiters(s, 1);
  ASSERT_TRUE(WaitUntil([&] { return s->waiters() == 1; }));
  mtx_lock(&s->m);
  s->ready = true;
  cv_signal(&s->cv);
  mtx_unlock(&s->m);
  int owned = -1;
  bool ok = WaitUntil([&] { return s->woke.load() == 1; });
  if (ok) owned = s->owned_after_wait.load();
  ASSERT_TRUE(waiters.Finish(1)) << "cv_signal did not wake the waiter";
  EXPECT_EQ(owned, 1) << "mutex not owned after cv_wait";
}

TEST(Condvar, BroadcastWakesAllWaiters) {
  constexpr int kWaiters = 4;
  auto *s = new Shared;
  Waiters waiters(s, kWaiters);
  ASSERT_TRUE(WaitUntil([&] { return s->waiters() == kWaiters; }));
  mtx_lock(&s->m);
  s->ready = true;
  cv_broadcast(&s->cv);
  mtx_unlock(&s->m);
  int woke = 0, owned = 0;
  if (WaitUntil([&] { return s->woke.load() == kWaiters; })) {
    woke = s->woke.load();
    owned = s->owned_after_wait.load();
  } else {
    woke = s->woke.load();
  }
  ASSERT_TRUE(waiters.Finish(kWaiters))
      << "cv_broadcast woke " << woke << " of " << kWaiters;
  EXPECT_EQ(owned, kWaiters);
}

TEST(Condvar, TimedwaitTimesOutWhenNobodySignals) {
  Shared s;
  mtx_lock(&s.m);
  EXPECT_EQ(cv_timedwait(&s.cv, &s.m, 5), EWOULDBLOCK);
  EXPECT_TRUE(mtx_owned(&s.m));
  EXPECT_EQ(s.cv.cv_waiters, 0);
  mtx_unlock(&s.m);
}

TEST(Condvar, TimedwaitWithNoTimeLeftTimesOutAtOnce) {
  Shared s;
  mtx_lock(&s.m);
  EXPECT_EQ(cv_timedwait(&s.cv, &s.m, 0), EWOULDBLOCK);
  EXPECT_EQ(cv_timedwait(&s.cv, &s.m, -1), EWOULDBLOCK);
  EXPECT_EQ(cv_timedwait(&s.cv, &s.m, INT_MIN), EWOULDBLOCK);
  EXPECT_TRUE(mtx_owned(&s.m));
  mtx_unlock(&s.m);
}

TEST(Condvar, TimedwaitReturnsZeroWhenSignalled) {
  Shared s;
  int result = -1;
  bool owned = false;
  std::thread waiter([&] {
    mtx_lock(&s.m);
    // Long enough never to expire; if the signal is lost the wait ends with
    // EWOULDBLOCK and the test fails instead of hanging.
    result = cv_timedwait(&s.cv, &s.m, kHangTicks);
    owned = mtx_owned(&s.m);
    mtx_unlock(&s.m);
  });
  ASSERT_TRUE(WaitUntil([&] { return s.waiters() == 1; }));
  mtx_lock(&s.m);
  cv_signal(&s.cv);
  mtx_unlock(&s.m);
  waiter.join();
  EXPECT_EQ(result, 0);
  EXPECT_TRUE(owned);
  EXPECT_EQ(s.waiters(), 0);
}

TEST(Condvar, WaitReleasesTheMutexWhileAsleep) {
  Shared s;
  std::thread waiter([&] {
    mtx_lock(&s.m);
    while (!s.ready) cv_timedwait(&s.cv, &s.m, kHangTicks);
    mtx_unlock(&s.m);
  });
  ASSERT_TRUE(WaitUntil([&] { return s.waiters() == 1; }));
  // The waiter holds the interlock on paper only while it runs.
  // (A spurious wake-up may hold it for a moment: retry.)
  ASSERT_TRUE(WaitUntil([&] { return mtx_trylock(&s.m) == 1; }));
  EXPECT_TRUE(mtx_owned(&s.m));
  s.ready = true;
  cv_broadcast(&s.cv);
  mtx_unlock(&s.m);
  waiter.join();
}

TEST(CondvarDeathTest, WaitWithoutTheMutexPanics) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Shared s;
  EXPECT_DEATH(cv_wait(&s.cv, &s.m),
               "panic: cv_wait: condvar .* \\(0x[0-9a-f]+\\): mutex "
               "cv_test_mtx \\(0x[0-9a-f]+\\) not held");
  EXPECT_DEATH(
      cv_timedwait(&s.cv, &s.m, 1),
      "panic: cv_timedwait: condvar .*: mutex cv_test_mtx .* not held");
}

// Held by another thread is not held.
TEST(CondvarDeathTest, WaitWithAnotherThreadsMutexPanics) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Shared s;
  std::atomic<bool> held{false}, release{false};
  std::thread holder([&] {
    mtx_lock(&s.m);
    held.store(true);
    WaitUntil([&] { return release.load(); });
    mtx_unlock(&s.m);
  });
  WaitUntil([&] { return held.load(); });
  EXPECT_DEATH(cv_wait(&s.cv, &s.m), "panic: cv_wait: .*not held");
  release.store(true);
  holder.join();
}

TEST(CondvarDeathTest, WaitWithARecursedMutexPanics) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  struct mtx m;
  struct cv cv;
  mtx_init(&m, "recursed_mtx", nullptr, MTX_DEF | MTX_RECURSE);
  cv_init(&cv, "recursed_cv");
  mtx_lock(&m);
  mtx_lock(&m);
  EXPECT_DEATH(cv_wait(&cv, &m),
               "panic: cv_wait: condvar recursed_cv .*: mutex recursed_mtx "
               ".* recursed");
  mtx_unlock(&m);
  mtx_unlock(&m);
  cv_destroy(&cv);
  mtx_destroy(&m);
}

TEST(CondvarDeathTest, DestroyWithWaitersPanics) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto *s = new Shared;
        std::thread([s] {
          mtx_lock(&s->m);
          for (;;) cv_wait(&s->cv, &s->m);
        }).detach();
        WaitUntil([&] { return s->waiters() == 1; });
        mtx_lock(&s->m);
        cv_destroy(&s->cv);
      },
      "condvar test_cv destroyed with 1 waiters");
}

}  // namespace
