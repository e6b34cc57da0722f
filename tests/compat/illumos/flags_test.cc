// The vmflag an import function is called with (the caller's, masked with
// VM_KMFLAGS, as illumos), VM_ABORT, VM_PUSHPAGE and VMC_POPULATOR.
#include <stdint.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "compat/illumos/illumos_vmem.h"
#include "gtest/gtest.h"
#include "tests/compat/illumos/test_util.h"

namespace illumos_test {
namespace {

constexpr size_t kPage = 0x1000;
constexpr uintptr_t kBase = 0x10000000;

// illumos's values (usr/src/uts/common/sys/vmem.h).
static_assert(VM_PUSHPAGE == 0x4, "VM_PUSHPAGE");
static_assert(VM_ABORT == 0x2000, "VM_ABORT");
static_assert(VMC_POPULATOR == 0x10000, "VMC_POPULATOR");
static_assert((VM_PUSHPAGE & VM_KMFLAGS) != 0 && (VM_ABORT & VM_FLAGS) != 0 &&
                  (VMC_POPULATOR & VMC_FLAGS) != 0,
              "flag groups");

// The vmflag of every call of the recording import functions.
std::mutex seen_mu;
std::vector<int> seen;
// While set, RecordingAlloc fails.
std::atomic<bool> fail_imports{false};

std::vector<int> TakeSeen() {
  std::lock_guard<std::mutex> lock(seen_mu);
  std::vector<int> s;
  s.swap(seen);
  return s;
}

void *RecordingAlloc(vmem_t *src, size_t size, int vmflag) {
  {
    std::lock_guard<std::mutex> lock(seen_mu);
    seen.push_back(vmflag);
  }
  if (fail_imports) return nullptr;
  // Passed on as illumos's segkmem would: the source sees it too.
  return TrackedAlloc(src, size, vmflag);
}

void *RecordingXimport(vmem_t *src, size_t *sizep, size_t align, int vmflag) {
  return RecordingAlloc(src, *sizep, vmflag);
}

class IllumosFlagsTest : public testing::Test {
 protected:
  void SetUp() override {
    TakeSeen();
    fail_imports = false;
    heap_ = NewSource("heap", kBase, 1024 * kPage, kPage);
    ASSERT_NE(heap_, nullptr);
  }
  void TearDown() override { DestroySource(heap_); }
  // A fresh arena importing from the heap through RecordingAlloc.
  vmem_t *Importer(size_t qcache_max = 0) {
    return illumos_vmem_create("importer", nullptr, 0, kPage, &RecordingAlloc,
                               &TrackedFree, heap_, qcache_max, VM_SLEEP);
  }
  vmem_t *heap_ = nullptr;
};

TEST_F(IllumosFlagsTest, ImportGetsTheCallersKmflags) {
  struct Case {
    int vmflag;  // the caller's
    int seen;    // what afunc is called with
  } cases[] = {
      {VM_SLEEP, VM_SLEEP},
      {VM_NOSLEEP, VM_NOSLEEP},
      {VM_SLEEP | VM_PUSHPAGE, VM_PUSHPAGE},
      {VM_NOSLEEP | VM_PUSHPAGE | VM_BESTFIT, VM_NOSLEEP | VM_PUSHPAGE},
      {VM_NOSLEEP | VM_PANIC | VM_FIRSTFIT, VM_NOSLEEP | VM_PANIC},
      {VM_PUSHPAGE | VM_NEXTFIT, VM_PUSHPAGE},
      {VM_PUSHPAGE | VM_ENDALLOC, VM_PUSHPAGE},
      // Any bit of VM_KMFLAGS (0x8: illumos's KM_NORMALPRI) goes through.
      {VM_NOSLEEP | 0x8, VM_NOSLEEP | 0x8},
      {VM_SLEEP | VM_ABORT | VM_PUSHPAGE, VM_PUSHPAGE},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.vmflag);
    for (bool x : {false, true}) {
      vmem_t *vm = Importer();
      ASSERT_NE(vm, nullptr);
      void *p = x ? illumos_vmem_xalloc(vm, 2 * kPage, 0, 0, 0, nullptr,
                                        nullptr, c.vmflag & ~VM_NEXTFIT)
                  : illumos_vmem_alloc(vm, 2 * kPage, c.vmflag);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(TakeSeen(), std::vector<int>{c.seen}) << "xalloc " << x;
      if (x)
        illumos_vmem_xfree(vm, p, 2 * kPage);
      else
        illumos_vmem_free(vm, p, 2 * kPage);
      illumos_vmem_destroy(vm);
    }
  }
}

TEST_F(IllumosFlagsTest, KmflagsReachImportsThroughCachesAndStacks) {
  // A size the quantum caches serve: the cache's fill imports with them
  // (without waiting: FreeBSD's arena fills its caches so, and waits, if
  // it must, in a plain allocation after).
  vmem_t *vm = Importer(4 * kPage);
  ASSERT_NE(vm, nullptr);
  void *p = illumos_vmem_alloc(vm, kPage, VM_SLEEP | VM_PUSHPAGE);
  ASSERT_NE(p, nullptr);
  std::vector<int> s = TakeSeen();
  ASSERT_FALSE(s.empty());
  for (int f : s) EXPECT_EQ(f & ~VM_NOSLEEP, VM_PUSHPAGE);
  illumos_vmem_free(vm, p, kPage);

  // Two arenas stacked on the heap: each import down the stack is called
  // with the flags, as illumos's vmem_alloc() of the source hands them on.
  vmem_t *mid =
      illumos_vmem_xcreate("mid", nullptr, 0, kPage, &RecordingXimport,
                           &TrackedFree, heap_, 0, VM_SLEEP);
  vmem_t *top = illumos_vmem_create("top", nullptr, 0, kPage, &RecordingAlloc,
                                    &TrackedFree, mid, 0, VM_SLEEP);
  void *q =
      illumos_vmem_alloc(top, 3 * kPage, VM_NOSLEEP | VM_PUSHPAGE | VM_BESTFIT);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(TakeSeen(), (std::vector<int>{VM_NOSLEEP | VM_PUSHPAGE,
                                          VM_NOSLEEP | VM_PUSHPAGE}));
  illumos_vmem_free(top, q, 3 * kPage);
  EXPECT_TRUE(Ledger::Get().Outstanding(mid).empty());
  illumos_vmem_destroy(top);
  illumos_vmem_destroy(mid);
  Ledger::Get().Forget(mid);
  illumos_vmem_destroy(vm);
}

TEST_F(IllumosFlagsTest, AbortFailsInsteadOfWaiting) {
  // A full arena with no source: VM_SLEEP would wait for a free.
  vmem_t *full =
      illumos_vmem_create("full", P(kBase + 2048 * kPage), 4 * kPage, kPage,
                          nullptr, nullptr, nullptr, 0, VM_SLEEP);
  ASSERT_NE(full, nullptr);
  void *all = illumos_vmem_alloc(full, 4 * kPage, VM_SLEEP);
  ASSERT_NE(all, nullptr);
  // Bounded, so that a regression fails rather than hangs.
  auto aborted = std::async(std::launch::async, [full] {
    return std::vector<void *>{
        illumos_vmem_alloc(full, kPage, VM_SLEEP | VM_ABORT),
        illumos_vmem_alloc(full, kPage, VM_SLEEP | VM_ABORT | VM_BESTFIT),
        illumos_vmem_alloc(full, kPage, VM_SLEEP | VM_ABORT | VM_ENDALLOC),
        illumos_vmem_xalloc(full, kPage, 2 * kPage, kPage, 0, nullptr, nullptr,
                            VM_SLEEP | VM_ABORT),
        illumos_vmem_xalloc(full, kPage, 0, 0, 0, P(kBase), P(kBase),
                            VM_SLEEP | VM_ABORT),
    };
  });
  ASSERT_EQ(aborted.wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(aborted.get(), std::vector<void *>(5, nullptr));
  illumos_vmem_free(full, all, 4 * kPage);
  // With space, VM_ABORT allocates as usual.
  void *p = illumos_vmem_alloc(full, kPage, VM_SLEEP | VM_ABORT);
  EXPECT_NE(p, nullptr);
  illumos_vmem_free(full, p, kPage);
  illumos_vmem_destroy(full);

  // An import that fails is tried once, with the caller's VM_SLEEP; then
  // the allocation fails rather than waiting for another thread's free.
  vmem_t *vm = Importer();
  ASSERT_NE(vm, nullptr);
  fail_imports = true;
  auto failed = std::async(std::launch::async, [vm] {
    return illumos_vmem_alloc(vm, 2 * kPage, VM_SLEEP | VM_ABORT);
  });
  ASSERT_EQ(failed.wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(failed.get(), nullptr);
  EXPECT_EQ(TakeSeen(), std::vector<int>{VM_SLEEP});
  // One that succeeds serves it.
  fail_imports = false;
  p = illumos_vmem_alloc(vm, 2 * kPage, VM_SLEEP | VM_ABORT);
  EXPECT_NE(p, nullptr);
  EXPECT_EQ(TakeSeen(), std::vector<int>{VM_SLEEP});
  illumos_vmem_free(vm, p, 2 * kPage);
  illumos_vmem_destroy(vm);
}

TEST_F(IllumosFlagsTest, PushpageAndPopulatorAreAccepted) {
  vmem_t *vm =
      illumos_vmem_create("populator", nullptr, 0, kPage, &RecordingAlloc,
                          &TrackedFree, heap_, 0, VM_SLEEP | VMC_POPULATOR);
  ASSERT_NE(vm, nullptr);
  void *p = illumos_vmem_alloc(vm, kPage, VM_NOSLEEP | VM_PUSHPAGE);
  ASSERT_NE(p, nullptr);
  void *q = illumos_vmem_xalloc(vm, kPage, 0, 0, 0, nullptr, nullptr,
                                VM_SLEEP | VM_PUSHPAGE);
  ASSERT_NE(q, nullptr);
  illumos_vmem_free(vm, p, kPage);
  illumos_vmem_xfree(vm, q, kPage);
  illumos_vmem_destroy(vm);
  // vmem_xcreate() drops it, as illumos does.
  vmem_t *x =
      illumos_vmem_xcreate("xpopulator", nullptr, 0, kPage, &RecordingXimport,
                           &TrackedFree, heap_, 0, VM_SLEEP | VMC_POPULATOR);
  ASSERT_NE(x, nullptr);
  p = illumos_vmem_alloc(x, kPage, VM_SLEEP | VM_PUSHPAGE);
  ASSERT_NE(p, nullptr);
  illumos_vmem_free(x, p, kPage);
  illumos_vmem_destroy(x);
  TakeSeen();
}

class IllumosFlagsDeathTest : public IllumosFlagsTest {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(IllumosFlagsDeathTest, AbortWithPanicPanics) {
  vmem_t *full =
      illumos_vmem_create("abort_full", P(kBase + 2048 * kPage), kPage, kPage,
                          nullptr, nullptr, nullptr, 0, VM_SLEEP);
  void *all = illumos_vmem_alloc(full, kPage, VM_SLEEP);
  EXPECT_DEATH(
      illumos_vmem_alloc(full, kPage, VM_SLEEP | VM_ABORT | VM_PANIC),
      "arena abort_full: cannot satisfy mandatory allocation of size 0x1000");
  illumos_vmem_free(full, all, kPage);
  illumos_vmem_destroy(full);
}

}  // namespace
}  // namespace illumos_test
