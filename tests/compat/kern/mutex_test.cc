// mutex(9): ownership, recursion checks, trylock and mutual exclusion.
#include <sys/mutex.h>

#include <string.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/util/concurrency.h"

namespace {

using test_util::WaitUntil;

class MutexTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
  void SetUp() override {
    // Plain memory until mtx_init(), as in the kernel.
    memset(&m_, 0xa5, sizeof(m_));
    mtx_init(&m_, "test_mtx", nullptr, MTX_DEF);
  }
  void TearDown() override { mtx_destroy(&m_); }

  struct mtx m_;
};

using MutexDeathTest = MutexTest;

// mtx_assert() is compiled out under NDEBUG (-c opt), as the kernel's
// without INVARIANTS.
#ifdef NDEBUG
#define SKIP_UNLESS_INVARIANTS() \
  GTEST_SKIP() << "mtx_assert() is compiled out under NDEBUG"
#else
#define SKIP_UNLESS_INVARIANTS() (void)0
#endif

// Holds a mutex on another thread until told to let go.
class OtherHolder {
 public:
  explicit OtherHolder(struct mtx *m)
      : thread_([this, m] {
          mtx_lock(m);
          holding_.store(true);
          WaitUntil([this] { return release_.load(); });
          mtx_unlock(m);
        }) {
    EXPECT_TRUE(WaitUntil([this] { return holding_.load(); }));
  }
  ~OtherHolder() {
    release_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> holding_{false};
  std::atomic<bool> release_{false};
  std::thread thread_;
};

TEST_F(MutexTest, NameAndOwnership) {
  EXPECT_STREQ(mtx_name(&m_), "test_mtx");
  EXPECT_FALSE(mtx_owned(&m_));
  int held = curthread->td_locks;
  mtx_lock(&m_);
  EXPECT_TRUE(mtx_owned(&m_));
  EXPECT_EQ(curthread->td_locks, held + 1);
  mtx_assert(&m_, MA_OWNED);
  mtx_unlock(&m_);
  EXPECT_FALSE(mtx_owned(&m_));
  EXPECT_EQ(curthread->td_locks, held);
  mtx_assert(&m_, MA_NOTOWNED);
}

TEST_F(MutexDeathTest, AssertOwnedPanicsWhenNotHeld) {
  SKIP_UNLESS_INVARIANTS();
  EXPECT_DEATH(mtx_assert(&m_, MA_OWNED), "panic: .*mutex test_mtx not owned");
}

TEST_F(MutexDeathTest, AssertNotOwnedPanicsWhenHeld) {
  SKIP_UNLESS_INVARIANTS();
  mtx_lock(&m_);
  EXPECT_DEATH(mtx_assert(&m_, MA_NOTOWNED), "panic: .*mutex test_mtx owned");
  mtx_unlock(&m_);
}

TEST_F(MutexDeathTest, AssertUnknownWhatPanics) {
  SKIP_UNLESS_INVARIANTS();
  EXPECT_DEATH(mtx_assert(&m_, 0x40),
               "unknown mtx_assert what 64 on mutex test_mtx");
}

TEST_F(MutexDeathTest, RecursionPanics) {
  mtx_lock(&m_);
  EXPECT_DEATH(mtx_lock(&m_),
               "panic: .*recursed on non-recursive mutex test_mtx");
  mtx_unlock(&m_);
}

TEST_F(MutexDeathTest, UnlockByNonOwnerPanics) {
  EXPECT_DEATH(mtx_unlock(&m_), "mutex test_mtx not owned by this thread");
}

TEST_F(MutexDeathTest, DestroyWhileHeldPanics) {
  mtx_lock(&m_);
  EXPECT_DEATH(mtx_destroy(&m_), "mutex test_mtx destroyed while held");
  mtx_unlock(&m_);
}

TEST(MutexInitDeathTest, SpinIsRejected) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  struct mtx m;
  EXPECT_DEATH(mtx_init(&m, "spinning", nullptr, MTX_SPIN),
               "mutex spinning: options 0x1 are not supported");
}

// MTX_RECURSE: the owner locks again and unlocks as many times; the mutex
// is free only after the last unlock, and others wait until then.
TEST(MutexRecurse, OwnerRecursesAndOthersWaitForTheLastUnlock) {
  struct mtx m;
  mtx_init(&m, "recursing", nullptr, MTX_DEF | MTX_RECURSE);
  const int locks = curthread->td_locks;
  mtx_lock(&m);
  mtx_lock(&m);
  EXPECT_EQ(mtx_trylock(&m), 1);
  EXPECT_EQ(curthread->td_locks, locks + 3);
  std::atomic<bool> taken{false};
  std::thread other([&] {
    mtx_lock(&m);
    taken.store(true);
    mtx_unlock(&m);
  });
  mtx_unlock(&m);
  mtx_unlock(&m);
  EXPECT_TRUE(mtx_owned(&m));
  EXPECT_FALSE(taken.load());
  mtx_unlock(&m);
  other.join();
  EXPECT_TRUE(taken.load());
  EXPECT_FALSE(mtx_owned(&m));
  EXPECT_EQ(curthread->td_locks, locks);
  mtx_destroy(&m);
}

TEST_F(MutexDeathTest, LockingADestroyedMutexPanics) {
  struct mtx m;
  mtx_init(&m, "gone_mtx", nullptr, MTX_DEF);
  mtx_destroy(&m);
  EXPECT_DEATH(mtx_lock(&m),
               "panic: mtx_lock: mutex gone_mtx \\(0x[0-9a-f]+\\) "
               "is destroyed");
  EXPECT_DEATH(
      mtx_trylock(&m),
      "panic: mtx_trylock: mutex gone_mtx \\(0x[0-9a-f]+\\) is destroyed");
}

TEST_F(MutexTest, OwnershipIsPerThread) {
  OtherHolder other(&m_);
  // Held, but not by us.
  EXPECT_FALSE(mtx_owned(&m_));
  mtx_assert(&m_, MA_NOTOWNED);
}

TEST_F(MutexDeathTest, AssertOwnedPanicsWhenAnotherThreadHolds) {
  SKIP_UNLESS_INVARIANTS();
  EXPECT_DEATH(
      {
        OtherHolder other(&m_);
        mtx_assert(&m_, MA_OWNED);
      },
      "mutex test_mtx not owned");
}

TEST_F(MutexTest, TrylockFailsWhenAnotherThreadHolds) {
  {
    OtherHolder other(&m_);
    EXPECT_EQ(mtx_trylock(&m_), 0);
    EXPECT_FALSE(mtx_owned(&m_));
  }
  // Released: now it succeeds.
  ASSERT_EQ(mtx_trylock(&m_), 1);
  EXPECT_TRUE(mtx_owned(&m_));
  mtx_unlock(&m_);
}

TEST_F(MutexTest, TrylockFailsWhenCallerHolds) {
  mtx_lock(&m_);
  EXPECT_EQ(mtx_trylock(&m_), 0);  // no recursion, no panic
  EXPECT_TRUE(mtx_owned(&m_));     // still ours
  mtx_unlock(&m_);
  EXPECT_FALSE(mtx_owned(&m_));
}

TEST_F(MutexTest, MutualExclusion) {
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  // Plain ints: only the mutex orders them (TSan checks this).
  long counter = 0;
  int inside = 0;
  int overlaps = 0;
  std::atomic<int> not_owned{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIterations; i++) {
        if ((i + t) % 2 == 0) {
          mtx_lock(&m_);
        } else {
          while (!mtx_trylock(&m_)) std::this_thread::yield();
        }
        if (!mtx_owned(&m_)) not_owned++;
        if (++inside != 1) overlaps++;
        counter++;
        inside--;
        mtx_unlock(&m_);
      }
    });
  }
  for (auto &thread : threads) thread.join();
  EXPECT_EQ(counter, long{kThreads} * kIterations);
  EXPECT_EQ(overlaps, 0);
  EXPECT_EQ(not_owned.load(), 0);
}

}  // namespace
