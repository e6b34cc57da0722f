// malloc(9): flags, the failure hook and the per-type counters.
#include <sys/malloc.h>

#include <stdint.h>

#include <atomic>

#include "gtest/gtest.h"

MALLOC_DEFINE(M_TEST, "test", "compat malloc(9) tests");
MALLOC_DEFINE(M_OTHER, "other", "a type the hook leaves alone");

namespace {

struct Counters {
  uint64_t calls, failures;
  int64_t inuse, memuse;
};

Counters counters(struct malloc_type *type) {
  return {__atomic_load_n(&type->ks_calls, __ATOMIC_RELAXED),
          __atomic_load_n(&type->ks_failures, __ATOMIC_RELAXED),
          __atomic_load_n(&type->ks_inuse, __ATOMIC_RELAXED),
          __atomic_load_n(&type->ks_memuse, __ATOMIC_RELAXED)};
}

std::atomic<int> hook_calls{0};
std::atomic<size_t> hook_size{0};
std::atomic<struct malloc_type *> hook_type{nullptr};

// Fails every M_TEST allocation, lets others through.
bool fail_test_type(size_t size, struct malloc_type *type) {
  hook_calls++;
  hook_size = size;
  hook_type = type;
  return type == M_TEST;
}

class MallocTest : public testing::Test {
 protected:
  void SetUp() override {
    saved_hook_ = malloc_set_failure_hook(nullptr);
    hook_calls = 0;
    hook_size = 0;
    hook_type = nullptr;
  }
  void TearDown() override { malloc_set_failure_hook(saved_hook_); }

 private:
  malloc_failure_hook_t saved_hook_;
};

using MallocDeathTest = MallocTest;

TEST_F(MallocTest, ZeroZeroes) {
  constexpr size_t kSize = 4096;
  // Dirty a block first, so that a reused one would show through.
  auto *dirty = static_cast<unsigned char *>(malloc(kSize, M_TEST, M_WAITOK));
  ASSERT_NE(dirty, nullptr);
  memset(dirty, 0xa5, kSize);
  free(dirty, M_TEST);
  for (int flags : {M_WAITOK | M_ZERO, M_NOWAIT | M_ZERO}) {
    auto *p = static_cast<unsigned char *>(malloc(kSize, M_TEST, flags));
    ASSERT_NE(p, nullptr);
    size_t nonzero = 0;
    for (size_t i = 0; i < kSize; i++) nonzero += p[i] != 0;
    EXPECT_EQ(nonzero, 0u) << "flags " << flags;
    memset(p, 0xa5, kSize);
    free(p, M_TEST);
  }
}

TEST_F(MallocTest, WaitokNeverReturnsNullAndSkipsTheHook) {
  malloc_set_failure_hook(fail_test_type);
  for (int flags : {M_WAITOK, 0, M_WAITOK | M_ZERO}) {
    void *p = malloc(64, M_TEST, flags);
    EXPECT_NE(p, nullptr) << "flags " << flags;
    free(p, M_TEST);
  }
  EXPECT_EQ(hook_calls.load(), 0) << "hook consulted for a sleeping malloc";
}

TEST_F(MallocTest, HookFailsNowait) {
  Counters before = counters(M_TEST);
  malloc_set_failure_hook(fail_test_type);
  EXPECT_EQ(malloc(123, M_TEST, M_NOWAIT), nullptr);
  EXPECT_EQ(malloc(5, M_TEST, M_NOWAIT | M_ZERO), nullptr);
  EXPECT_EQ(hook_calls.load(), 2);
  EXPECT_EQ(hook_size.load(), 5u);
  EXPECT_EQ(hook_type.load(), M_TEST);
  Counters after = counters(M_TEST);
  EXPECT_EQ(after.failures, before.failures + 2);
  EXPECT_EQ(after.calls, before.calls);
  EXPECT_EQ(after.inuse, before.inuse);
  EXPECT_EQ(after.memuse, before.memuse);

  // A hook that says no lets the allocation through.
  Counters other_before = counters(M_OTHER);
  void *p = malloc(77, M_OTHER, M_NOWAIT);
  EXPECT_NE(p, nullptr);
  EXPECT_EQ(hook_calls.load(), 3);
  EXPECT_EQ(hook_size.load(), 77u);
  EXPECT_EQ(hook_type.load(), M_OTHER);
  free(p, M_OTHER);
  EXPECT_EQ(counters(M_OTHER).failures, other_before.failures);

  // Without the hook M_NOWAIT succeeds again.
  malloc_set_failure_hook(nullptr);
  p = malloc(123, M_TEST, M_NOWAIT);
  EXPECT_NE(p, nullptr);
  free(p, M_TEST);
  EXPECT_EQ(counters(M_TEST).failures, before.failures + 2);
}

TEST_F(MallocTest, SetHookReturnsPrevious) {
  EXPECT_EQ(malloc_set_failure_hook(fail_test_type), nullptr);
  EXPECT_EQ(malloc_set_failure_hook(nullptr), &fail_test_type);
}

TEST_F(MallocTest, CountersGoUpAndBackDown) {
  Counters before = counters(M_TEST);
  void *a = malloc(100, M_TEST, M_WAITOK);
  void *b = malloc(1000, M_TEST, M_NOWAIT);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Counters during = counters(M_TEST);
  EXPECT_EQ(during.calls, before.calls + 2);
  EXPECT_EQ(during.inuse, before.inuse + 2);
  EXPECT_GE(during.memuse, before.memuse + 1100);
  EXPECT_EQ(during.failures, before.failures);

  free(a, M_TEST);
  Counters half = counters(M_TEST);
  EXPECT_EQ(half.inuse, before.inuse + 1);
  EXPECT_GE(half.memuse, before.memuse + 1000);
  EXPECT_LT(half.memuse, during.memuse);

  free(b, M_TEST);
  Counters after = counters(M_TEST);
  EXPECT_EQ(after.calls, before.calls + 2);  // calls only go up
  EXPECT_EQ(after.inuse, before.inuse);
  EXPECT_EQ(after.memuse, before.memuse);
  EXPECT_EQ(after.failures, before.failures);
}

TEST_F(MallocTest, FreeNullDoesNothing) {
  Counters before = counters(M_TEST);
  free(nullptr, M_TEST);
  Counters after = counters(M_TEST);
  EXPECT_EQ(after.inuse, before.inuse);
  EXPECT_EQ(after.memuse, before.memuse);
}

TEST_F(MallocTest, TypesCountSeparately) {
  Counters test_before = counters(M_TEST);
  Counters other_before = counters(M_OTHER);
  void *p = malloc(32, M_OTHER, M_WAITOK);
  EXPECT_EQ(counters(M_OTHER).inuse, other_before.inuse + 1);
  EXPECT_EQ(counters(M_TEST).calls, test_before.calls);
  EXPECT_EQ(counters(M_TEST).inuse, test_before.inuse);
  free(p, M_OTHER);
  EXPECT_STREQ(M_TEST->ks_shortdesc, "test");
  EXPECT_STREQ(M_TEST->ks_longdesc, "compat malloc(9) tests");
}

TEST_F(MallocDeathTest, FreeWithAnotherTypePanics) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  void *p = malloc(48, M_TEST, M_WAITOK);
  EXPECT_DEATH(free(p, M_OTHER),
               "panic: free: 0x[0-9a-f]+ of type test freed as type other");
  free(p, M_TEST);
}

TEST_F(MallocDeathTest, NowaitAndWaitokTogetherPanic) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(malloc(8, M_TEST, M_NOWAIT | M_WAITOK),
               "panic: .*type test: M_NOWAIT and M_WAITOK together");
}

}  // namespace
