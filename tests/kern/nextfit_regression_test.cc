// Regression tests for M_NEXTFIT.
//
// 1. Sizes that are not quantum multiples. Upstream's vmem_xalloc() hands
//    the unrounded size (size0) to vmem_xalloc_nextfit(). On an arena with
//    quantum 16 a request of 1, 17 or 33 bytes then clips a busy segment of
//    exactly that many bytes and leaves a free remainder that is not a
//    quantum multiple: bt_freehead_tofree()'s MPASS panics at once (and
//    without assertions, later next-fit scans walk segments of bogus sizes
//    and can loop forever). This test therefore FAILS on an untouched
//    translation; kern/subr_vmem.cc passes the rounded size (PORT(11)).
//
// 2. A next-fit scan that finds nothing must end (ENOMEM with M_NOWAIT)
//    wherever the cursor is, including at the head of the segment list:
//    on a fresh arena, and once the last ID of an ID allocator is handed out
//    (the cursor then wraps to the head).
//
// A scan that loops forever would hold the arena lock and hang the runner,
// so every scan here runs on its own thread and the test waits for it with
// a generous timeout; each test body runs in a death-test child, so on a
// timeout the child reports the hang and _exit()s (which also stops the
// runaway thread) and only that test fails. The timeout is a liveness
// guard, not a performance threshold: a scan of these arenas takes
// microseconds.
#include <errno.h>
#include <stdio.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/util/concurrency.h"

namespace {

using test_util::kHangTimeout;

// Runs body in a death-test child; see the file comment.
template <class F>
void RunIsolated(F body) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        dup2(2, 1);  // GoogleTest's messages into what the parent shows
        body();
        fflush(nullptr);
        _exit(::testing::Test::HasFailure() ? 1 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

// Runs one allocation on another thread; a hang ends the (child) process.
int Guarded(const char *what, std::function<int()> alloc) {
  std::packaged_task<int()> task(std::move(alloc));
  std::future<int> result = task.get_future();
  std::thread thread(std::move(task));
  if (result.wait_for(kHangTimeout) != std::future_status::ready) {
    ADD_FAILURE() << what << ": the next-fit scan did not finish within "
                  << kHangTimeout.count() << " s: it loops forever";
    fflush(nullptr);
    _exit(2);  // the runaway thread holds the arena lock: stop it
  }
  thread.join();
  return result.get();
}

int NextFit(vmem_t *vm, vmem_size_t size, vmem_addr_t *addrp) {
  return Guarded("vmem_alloc(M_NEXTFIT)", [=] {
    return vmem_alloc(vm, size, M_NEXTFIT | M_NOWAIT, addrp);
  });
}

TEST(NextFitRegressionTest, UnroundedSizesKeepSegmentsQuantumMultiples) {
  RunIsolated([] {
    const vmem_size_t q = 16;
    vmem_t *vm = vmem_create("nf-round", 0x1000, 0x400, q, 0, M_WAITOK);
    ASSERT_NE(vm, nullptr);
    const vmem_size_t sizes[] = {1, 17, 33, 1, 17, 33, 5, 31, 47};
    std::vector<std::pair<vmem_addr_t, vmem_size_t>> live;
    vmem_size_t total = 0;
    vmem_addr_t prev_end = 0x1000;
    for (vmem_size_t size : sizes) {
      vmem_addr_t addr = 0;
      ASSERT_EQ(NextFit(vm, size, &addr), 0) << "size " << size;
      vmem_verify(vm);  // panics on a segment that is no quantum multiple
      EXPECT_EQ(addr % q, 0u);
      EXPECT_EQ(addr, prev_end) << "next fit hands out ascending blocks";
      prev_end = addr + vmem_roundup_size(vm, size);
      total += vmem_roundup_size(vm, size);
      EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), total);
      EXPECT_EQ(vmem_size(vm, VMEM_ALLOC) % q, 0u);
      EXPECT_EQ(vmem_size(vm, VMEM_FREE) % q, 0u);
      live.push_back({addr, size});
    }
    // Free every other block, then the rest, with the sizes asked for.
    for (size_t i = 0; i < live.size(); i += 2) {
      vmem_free(vm, live[i].first, live[i].second);
      vmem_verify(vm);
      EXPECT_EQ(vmem_size(vm, VMEM_ALLOC) % q, 0u);
    }
    for (size_t i = 1; i < live.size(); i += 2) {
      vmem_free(vm, live[i].first, live[i].second);
      vmem_verify(vm);
    }
    EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);
    EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0x400u);

    // A later scan finishes: more odd sizes continue after the cursor...
    vmem_addr_t a, b;
    ASSERT_EQ(NextFit(vm, 3, &a), 0);
    vmem_verify(vm);
    EXPECT_EQ(a, prev_end);
    ASSERT_EQ(NextFit(vm, 0x3ff - (prev_end + 0x10 - 0x1000), &b), 0);
    vmem_verify(vm);
    EXPECT_EQ(b, prev_end + 0x10);
    vmem_free(vm, a, 3);
    vmem_verify(vm);
    vmem_free(vm, b, 0x3ff - (prev_end + 0x10 - 0x1000));
    vmem_verify(vm);
    // ... and the whole arena, though the cursor parts its free space.
    vmem_addr_t all;
    ASSERT_EQ(NextFit(vm, 0x3f1, &all), 0);
    vmem_verify(vm);
    EXPECT_EQ(all, 0x1000u);
    EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0x400u);
    vmem_free(vm, all, 0x3f1);
    vmem_verify(vm);
    EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0x400u);
    vmem_destroy(vm);
  });
}

// A fresh arena's cursor sits at the head of its segment list. A next-fit
// request that fits nowhere must fail, not spin.
TEST(NextFitRegressionTest, FailingScanOnFreshArenaEnds) {
  RunIsolated([] {
    vmem_t *vm = vmem_create("nf-fresh", 0x1000, 0x100, 16, 0, M_WAITOK);
    ASSERT_NE(vm, nullptr);
    vmem_addr_t addr;
    EXPECT_EQ(NextFit(vm, 0x110, &addr), ENOMEM);
    vmem_verify(vm);
    EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0x100u);
    vmem_destroy(vm);
  });
}

// An ID allocator that has handed out every ID, the last one last: the
// cursor wrapped to the head, and the next request must fail, not spin.
TEST(NextFitRegressionTest, FailingScanAfterLastIdEnds) {
  RunIsolated([] {
    const int n = 8;
    vmem_t *vm = vmem_create("nf-ids", 1, n, 1, 0, M_WAITOK);
    ASSERT_NE(vm, nullptr);
    for (int id = 1; id <= n; id++) {
      vmem_addr_t addr;
      ASSERT_EQ(NextFit(vm, 1, &addr), 0);
      vmem_verify(vm);
      EXPECT_EQ(addr, vmem_addr_t(id));
    }
    vmem_addr_t addr;
    EXPECT_EQ(NextFit(vm, 1, &addr), ENOMEM);
    vmem_verify(vm);
    // Freeing an ID makes it the next one.
    vmem_free(vm, 4, 1);
    vmem_verify(vm);
    ASSERT_EQ(NextFit(vm, 1, &addr), 0);
    EXPECT_EQ(addr, 4u);
    vmem_verify(vm);
    for (int id = 1; id <= n; id++) {
      vmem_free(vm, id, 1);
      vmem_verify(vm);
    }
    vmem_destroy(vm);
  });
}

}  // namespace

namespace {

// An allocation that ends at VMEM_ADDR_MAX: its end, *addrp + size, wraps
// to 0, and upstream's walk to place the cursor after it then stops at once
// and puts the cursor in front of the allocation itself, so that next fit
// resumes in the span it has just filled instead of wrapping to the head of
// the segment list, as it does when a walk runs off its end (PORT(15)).
TEST(NextFitRegressionTest, AllocationEndingAtAddrMaxWrapsToTheHead) {
  const vmem_size_t q = 0x100;
  const vmem_addr_t top = VMEM_ADDR_MAX - 0xfff;  // a span [top, MAX]
  vmem_t *vm = vmem_create("nf-top", 0x10000, 0x1000, q, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  ASSERT_EQ(vmem_add(vm, top, 0x1000, M_WAITOK), 0);
  vmem_addr_t low, below, last, next;
  ASSERT_EQ(vmem_alloc(vm, 0x1000, M_NEXTFIT | M_NOWAIT, &low), 0);
  ASSERT_EQ(vmem_alloc(vm, 0xf00, M_NEXTFIT | M_NOWAIT, &below), 0);
  ASSERT_EQ(vmem_alloc(vm, q, M_NEXTFIT | M_NOWAIT, &last), 0);
  EXPECT_EQ(low, 0x10000u);
  EXPECT_EQ(below, top);
  EXPECT_EQ(last, VMEM_ADDR_MAX - (q - 1));
  vmem_free(vm, low, 0x1000);
  vmem_free(vm, below, 0xf00);
  vmem_verify(vm);
  // Past the top, next fit starts over at the head: the lowest span.
  ASSERT_EQ(vmem_alloc(vm, q, M_NEXTFIT | M_NOWAIT, &next), 0);
  EXPECT_EQ(next, 0x10000u);
  vmem_verify(vm);
  vmem_free(vm, next, q);
  vmem_free(vm, last, q);
  vmem_verify(vm);
  vmem_destroy(vm);
}

// Upstream hands M_NEXTFIT on to the quantum cache's import, whose address
// window trips vmem_xalloc()'s assertion: a next-fit vmem_alloc() of a
// cached size panicked. Next fit now bypasses the cache and keeps rotating.
TEST(NextFitRegressionTest, CachedSizesRotateAndDoNotPanic) {
  const vmem_size_t q = 16;
  vmem_t *vm = vmem_create("nf-qcache", 0x1000, 64 * q, q, 4 * q, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  vmem_addr_t a, b, c;
  ASSERT_EQ(vmem_alloc(vm, q, M_NEXTFIT | M_NOWAIT, &a), 0);
  ASSERT_EQ(vmem_alloc(vm, 2 * q, M_NEXTFIT | M_NOWAIT, &b), 0);
  vmem_free(vm, a, q);
  ASSERT_EQ(vmem_alloc(vm, q, M_NEXTFIT | M_NOWAIT, &c), 0);
  EXPECT_EQ(a, 0x1000u);
  EXPECT_EQ(b, a + q);
  EXPECT_EQ(c, b + 2 * q) << "next fit continues after the cursor";
  vmem_verify(vm);
  vmem_free(vm, b, 2 * q);
  vmem_free(vm, c, q);
  vmem_verify(vm);
  vmem_destroy(vm);
}

}  // namespace
