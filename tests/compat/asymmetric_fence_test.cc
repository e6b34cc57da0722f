// The asymmetric fence pair forbids the store-buffer outcome: a fast side
// that stores x then reads y, and a slow side that stores y then reads x,
// cannot both read the old value. Without fences x86 shows that outcome
// within a few thousand rounds (when built optimised, see BUILD.bazel).
#include "compat/asymmetric_fence.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace {

constexpr int kRounds = 100000;

// Runs kRounds of the store-buffer litmus test; returns how many rounds saw
// both old values. The slow side starts each round, then waits a varying
// few cycles so that the fast side's window overlaps its own in many rounds.
int store_buffer_violations() {
  std::atomic<int> x{0}, y{0}, go{0}, done{0};
  int r_fast = 0, violations = 0;
  std::thread fast([&] {
    asymmetric_fence_init();
    for (int i = 1; i <= kRounds; i++) {
      while (go.load(std::memory_order_acquire) != i) {
      }
      x.store(1, std::memory_order_relaxed);
      asymmetric_fence_light();
      r_fast = y.load(std::memory_order_relaxed);
      done.store(i, std::memory_order_release);
    }
  });
  for (int i = 1; i <= kRounds; i++) {
    x.store(0, std::memory_order_relaxed);
    y.store(0, std::memory_order_relaxed);
    go.store(i, std::memory_order_release);
    for (volatile int n = i % 64; n > 0; n--) {
    }
    y.store(1, std::memory_order_relaxed);
    asymmetric_fence_heavy();
    const int r_slow = x.load(std::memory_order_relaxed);
    while (done.load(std::memory_order_acquire) != i) {
    }
    if (r_fast == 0 && r_slow == 0) violations++;
  }
  fast.join();
  return violations;
}

TEST(AsymmetricFence, ForbidsTheStoreBufferOutcome) {
  asymmetric_fence_init();
  EXPECT_EQ(store_buffer_violations(), 0);
}

TEST(AsymmetricFence, DegradedModeFencesBothSides) {
  asymmetric_fence_init();
  asymmetric_fence_degraded.store(true);  // no other thread is in a fence
  EXPECT_EQ(store_buffer_violations(), 0);
}

}  // namespace
