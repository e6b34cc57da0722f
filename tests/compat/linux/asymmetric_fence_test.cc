// The asymmetric fence pair forbids the store-buffer outcome: a fast side
// that stores x then reads y, and a slow side that stores y then reads x,
// cannot both read the old value. Without fences x86 shows that outcome
// within a few thousand rounds (when built optimised, see BUILD.bazel).
#include <linux/linux_membarrier.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace {

// At most this many rounds, and at most this long: on a loaded machine
// (sanitizers, other tests on the same cores) a round may wait for the
// scheduler.
constexpr int kRounds = 100000;
constexpr auto kTimeLimit = std::chrono::seconds(3);

// Spins until done() holds, yielding once the wait gets long.
template <typename Pred>
void spin_until(Pred done) {
  for (int n = 0; !done(); n++)
    if (n > 10000) std::this_thread::yield();
}

// Runs rounds of the store-buffer litmus test; returns how many saw both
// old values. The slow side starts each round, then waits a varying few
// cycles so that the fast side's window overlaps its own in many rounds.
int store_buffer_violations() {
  std::atomic<int> x{0}, y{0}, go{0}, done{0};
  int r_fast = 0, violations = 0;
  std::thread fast([&] {
    asymmetric_fence_init();
    for (int i = 1;; i++) {
      int g;
      spin_until([&] {
        g = go.load(std::memory_order_acquire);
        return g == i || g < 0;
      });
      if (g < 0) return;
      x.store(1, std::memory_order_relaxed);
      asymmetric_fence_light();
      r_fast = y.load(std::memory_order_relaxed);
      done.store(i, std::memory_order_release);
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + kTimeLimit;
  for (int i = 1; i <= kRounds; i++) {
    if (i % 256 == 0 && std::chrono::steady_clock::now() > deadline) break;
    x.store(0, std::memory_order_relaxed);
    y.store(0, std::memory_order_relaxed);
    go.store(i, std::memory_order_release);
    for (volatile int n = i % 64; n > 0; n--) {
    }
    y.store(1, std::memory_order_relaxed);
    asymmetric_fence_heavy();
    const int r_slow = x.load(std::memory_order_relaxed);
    spin_until([&] { return done.load(std::memory_order_acquire) == i; });
    if (r_fast == 0 && r_slow == 0) violations++;
  }
  go.store(-1, std::memory_order_release);
  fast.join();
  return violations;
}

TEST(AsymmetricFence, ForbidsTheStoreBufferOutcome) {
  asymmetric_fence_init();
  EXPECT_EQ(store_buffer_violations(), 0);
}

TEST(AsymmetricFence, DegradedModeFencesBothSides) {
  asymmetric_fence_init();
  // No other thread is in a fence.
  __atomic_store_n(&asymmetric_fence_degraded, 1, __ATOMIC_SEQ_CST);
  EXPECT_EQ(store_buffer_violations(), 0);
}

}  // namespace
