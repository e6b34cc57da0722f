// Importing spans from a source (vmem_set_import): on demand, in import
// quanta, released exactly when wholly free; static spans stay; failures,
// the limit and the reclaim callback.
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"
#include "tests/kern/test_util.h"
#include "tests/util/fake_source.h"

namespace vmem_test {
namespace {

using test_util::FakeSource;

constexpr vmem_size_t kQuantum = 0x10;
constexpr vmem_size_t kImportQuantum = 0x1000;

int Alloc(vmem_t *vm, vmem_size_t size, vmem_addr_t *addr,
          int flags = M_BESTFIT | M_NOWAIT) {
  int error =
      vmem_xalloc(vm, size, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX, flags, addr);
  vmem_verify(vm);
  return error;
}

void Free(vmem_t *vm, vmem_addr_t addr, vmem_size_t size) {
  vmem_xfree(vm, addr, size);
  vmem_verify(vm);
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vm_ = vmem_create("import", 0, 0, kQuantum, 0, M_WAITOK);
    ASSERT_NE(vm_, nullptr);
    src_.Attach(vm_, kImportQuantum);
    vmem_verify(vm_);
  }
  void TearDown() override {
    if (vm_ != nullptr) vmem_destroy(vm_);
  }

  FakeSource src_;
  vmem_t *vm_ = nullptr;
};

TEST_F(ImportTest, ImportsOnDemandInMultiplesOfTheImportQuantum) {
  EXPECT_TRUE(src_.imports().empty());
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), 0u);

  vmem_addr_t a, b, c;
  ASSERT_EQ(Alloc(vm_, 0x40, &a), 0);
  ASSERT_EQ(src_.imports().size(), 1u);
  EXPECT_EQ(src_.imports()[0].size, kImportQuantum);
  EXPECT_TRUE(src_.Contains(a, 0x40));
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), kImportQuantum);

  // Fits in what was imported: no new import.
  ASSERT_EQ(Alloc(vm_, 0x800, &b), 0);
  EXPECT_EQ(src_.imports().size(), 1u);
  EXPECT_TRUE(src_.Contains(b, 0x800));

  // Does not fit: one import, rounded up to the import quantum.
  ASSERT_EQ(Alloc(vm_, 0x1801, &c), 0);
  auto imports = src_.imports();
  ASSERT_EQ(imports.size(), 2u);
  EXPECT_EQ(imports[1].size, 0x2000u);
  EXPECT_TRUE(src_.Contains(c, 0x1810));
  for (const auto &call : imports)
    EXPECT_EQ(call.size % kImportQuantum, 0u) << call.size;
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), 0x3000u);
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC), 0x40u + 0x800u + 0x1810u);

  // vmem_alloc imports the same way.
  vmem_addr_t d;
  ASSERT_EQ(vmem_alloc(vm_, 0x3000, M_FIRSTFIT | M_NOWAIT, &d), 0);
  vmem_verify(vm_);
  imports = src_.imports();
  ASSERT_EQ(imports.size(), 3u);
  EXPECT_EQ(imports[2].size, 0x3000u);

  Free(vm_, a, 0x40);
  Free(vm_, b, 0x800);
  Free(vm_, c, 0x1801);
  vmem_free(vm_, d, 0x3000);
  vmem_verify(vm_);
  EXPECT_TRUE(src_.live().empty());
  EXPECT_EQ(src_.bad_releases(), 0);
}

TEST_F(ImportTest, ImportPassesTheCallersFlags) {
  vmem_addr_t a;
  ASSERT_EQ(Alloc(vm_, 0x40, &a, M_FIRSTFIT | M_NOWAIT), 0);
  ASSERT_EQ(src_.imports().size(), 1u);
  EXPECT_NE(src_.imports()[0].flags & M_NOWAIT, 0);
  Free(vm_, a, 0x40);
}

TEST_F(ImportTest, AlignedXallocImportsSizePlusTwiceAlign) {
  // size 0x64 rounds to 0x70; align 0x4000 > quantum: the import asks for
  // roundup(0x70 + 2 * 0x4000, import quantum) = 0x9000.
  vmem_addr_t a;
  ASSERT_EQ(vmem_xalloc(vm_, 0x64, 0x4000, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &a),
            0);
  vmem_verify(vm_);
  auto imports = src_.imports();
  ASSERT_EQ(imports.size(), 1u);
  EXPECT_EQ(imports[0].size, 0x9000u);
  EXPECT_EQ(a % 0x4000, 0u);
  EXPECT_TRUE(src_.Contains(a, 0x70));

  // With a phase as well.
  vmem_addr_t b;
  src_.set_fail(false);
  ASSERT_EQ(vmem_xalloc(vm_, 0x2000, 0x10000, 0x30, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &b),
            0);
  vmem_verify(vm_);
  imports = src_.imports();
  ASSERT_EQ(imports.size(), 2u);
  EXPECT_EQ(imports[1].size, 0x22000u);
  EXPECT_EQ(b % 0x10000, 0x30u);
  EXPECT_TRUE(src_.Contains(b, 0x2000));

  Free(vm_, a, 0x64);
  Free(vm_, b, 0x2000);
  EXPECT_TRUE(src_.live().empty());
  EXPECT_EQ(src_.releases().size(), 2u);
  EXPECT_EQ(src_.bad_releases(), 0);
}

TEST_F(ImportTest, SpanReleasedExactlyWhenWhollyFree) {
  vmem_addr_t a, b, c;
  ASSERT_EQ(Alloc(vm_, 0x100, &a), 0);
  ASSERT_EQ(Alloc(vm_, 0x100, &b), 0);
  ASSERT_EQ(Alloc(vm_, 0x100, &c), 0);
  ASSERT_EQ(src_.imports().size(), 1u);
  const FakeSource::Call span = src_.imports()[0];

  Free(vm_, b, 0x100);  // middle: not wholly free
  EXPECT_TRUE(src_.releases().empty());
  Free(vm_, a, 0x100);  // first: still c
  EXPECT_TRUE(src_.releases().empty());
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), kImportQuantum);

  Free(vm_, c, 0x100);  // last one: the span goes back, whole
  auto releases = src_.releases();
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_EQ(releases[0].addr, span.addr);
  EXPECT_EQ(releases[0].size, span.size);
  EXPECT_EQ(src_.bad_releases(), 0);
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_EQ(vmem_size(vm_, VMEM_FREE), 0u);
}

TEST_F(ImportTest, EachSpanReleasedOnItsOwn) {
  // Two allocations that cannot share a span: two imports.
  vmem_addr_t a, b, a2;
  ASSERT_EQ(Alloc(vm_, 0xc00, &a), 0);
  ASSERT_EQ(Alloc(vm_, 0xc00, &b), 0);
  auto imports = src_.imports();
  ASSERT_EQ(imports.size(), 2u);
  ASSERT_EQ(Alloc(vm_, 0x100, &a2), 0);  // in one of them
  ASSERT_EQ(src_.imports().size(), 2u);

  const bool a2_with_a =
      src_.Contains(a2, 0x100) &&
      ((a2 >= imports[0].addr && a2 < imports[0].addr + imports[0].size) ==
       (a >= imports[0].addr && a < imports[0].addr + imports[0].size));
  vmem_addr_t lone = a2_with_a ? b : a;
  vmem_addr_t other = a2_with_a ? a : b;

  Free(vm_, lone, 0xc00);
  auto releases = src_.releases();
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_TRUE(releases[0].addr <= lone &&
              lone < releases[0].addr + releases[0].size);
  Free(vm_, other, 0xc00);
  EXPECT_EQ(src_.releases().size(), 1u);  // a2 keeps its span
  Free(vm_, a2, 0x100);
  EXPECT_EQ(src_.releases().size(), 2u);
  EXPECT_TRUE(src_.live().empty());
  EXPECT_EQ(src_.bad_releases(), 0);
}

TEST_F(ImportTest, SpanReleasedWhenWhollyFreeWithNextFit) {
  // The same with M_NEXTFIT: the next-fit cursor sits inside the span after
  // an allocation; freeing everything must still give the span back. (The
  // first allocation is best fit: see NextFitOnAnArenaWithoutSpans.)
  vmem_addr_t x, a, b;
  ASSERT_EQ(Alloc(vm_, 0x100, &x), 0);
  ASSERT_EQ(Alloc(vm_, 0x100, &a, M_NEXTFIT | M_NOWAIT), 0);
  ASSERT_EQ(Alloc(vm_, 0x100, &b, M_NEXTFIT | M_NOWAIT), 0);
  ASSERT_EQ(src_.imports().size(), 1u);
  Free(vm_, x, 0x100);
  Free(vm_, a, 0x100);
  EXPECT_TRUE(src_.releases().empty());
  Free(vm_, b, 0x100);
  EXPECT_EQ(src_.releases().size(), 1u)
      << "imported span wholly free but not released:\n"
      << ShowVmem(vm_);
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_TRUE(src_.live().empty());
}

// In a child process with a watchdog, as a bug here spins forever holding
// the arena lock (which would wedge the periodic task and every later test).
void NextFitOnEmptyArenaChild() {
  test_util::StartWatchdog("M_NEXTFIT allocation did not return");
  FakeSource src;
  vmem_t *vm = vmem_create("nextfit-empty", 0, 0, kQuantum, 0, M_WAITOK);
  src.Attach(vm, kImportQuantum);
  vmem_addr_t a;
  int error = vmem_xalloc(vm, 0x100, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          M_NEXTFIT | M_NOWAIT, &a);
  vmem_verify(vm);
  if (error != 0 || !src.Contains(a, 0x100)) {
    fprintf(stderr, "BAD: error %d\n", error);
    _exit(3);
  }
  vmem_xfree(vm, a, 0x100);
  vmem_destroy(vm);
  fprintf(stderr, "OK\n");
  _exit(0);
}

TEST(ImportNextFitTest, NextFitOnAnArenaWithoutSpans) {
  // An importing arena starts with no span at all: its segment list holds
  // only the next-fit cursor. A next-fit allocation must import, as the
  // other strategies do.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(NextFitOnEmptyArenaChild(), ::testing::ExitedWithCode(0), "OK");
}

TEST(ImportStaticTest, StaticSpansAreNeverReleased) {
  FakeSource src;
  vmem_t *vm = vmem_create("import-static", 0, 0, kQuantum, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  src.Attach(vm, kImportQuantum);
  ASSERT_EQ(vmem_add(vm, 0x1000, 0x1000, M_WAITOK), 0);
  vmem_verify(vm);
  ASSERT_EQ(vmem_add(vm, 0x4000, 0x800, M_WAITOK), 0);
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0x1800u);

  // Allocate and free within the static spans: no import, no release.
  vmem_addr_t a, b;
  ASSERT_EQ(Alloc(vm, 0x1000, &a), 0);
  ASSERT_EQ(Alloc(vm, 0x800, &b), 0);
  EXPECT_TRUE(src.imports().empty());
  Free(vm, a, 0x1000);
  Free(vm, b, 0x800);
  EXPECT_TRUE(src.releases().empty());
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0x1800u);

  // Exhaust them: an import follows; freeing everything releases only it.
  std::vector<vmem_addr_t> got;
  for (int i = 0; i < 3; i++) {
    vmem_addr_t x;
    ASSERT_EQ(Alloc(vm, 0x800, &x), 0);
    got.push_back(x);
  }
  vmem_addr_t extra;
  ASSERT_EQ(Alloc(vm, 0x800, &extra), 0);
  ASSERT_EQ(src.imports().size(), 1u);
  EXPECT_TRUE(src.Contains(extra, 0x800));
  for (vmem_addr_t x : got) Free(vm, x, 0x800);
  EXPECT_TRUE(src.releases().empty());
  Free(vm, extra, 0x800);
  ASSERT_EQ(src.releases().size(), 1u);
  EXPECT_EQ(src.releases()[0].addr, src.imports()[0].addr);
  EXPECT_EQ(src.releases()[0].size, src.imports()[0].size);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0x1800u);
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0x1800u);
  vmem_destroy(vm);
  EXPECT_EQ(src.releases().size(), 1u);
}

TEST_F(ImportTest, FailingImportIsEnomemAndLeavesTheArenaUnchanged) {
  // Warm up: one span in, one allocation live.
  vmem_addr_t a;
  ASSERT_EQ(Alloc(vm_, 0x800, &a), 0);
  src_.set_fail(true);

  // The first failing call may top up the arena's private stock of
  // boundary tags (vs_free_tags: a cache, filled before the search);
  // nothing else may change.
  const ArenaSnapshot before = ArenaSnapshot::Of(vm_);
  vmem_addr_t b = 0xdead;
  EXPECT_EQ(Alloc(vm_, 0x1000, &b), ENOMEM);
  EXPECT_EQ(src_.refused(), 1);
  const ArenaSnapshot after = ArenaSnapshot::Of(vm_);
  EXPECT_EQ(after.alloc, before.alloc);
  EXPECT_EQ(after.free, before.free);
  EXPECT_EQ(after.total, before.total);
  EXPECT_EQ(after.maxfree, before.maxfree);
  EXPECT_EQ(WithoutTagStock(after), WithoutTagStock(before));
  EXPECT_GE(after.stats.vs_free_tags, 4);

  // From then on, failures leave everything, the tag stock included,
  // identical.
  EXPECT_EQ(vmem_alloc(vm_, 0x2000, M_FIRSTFIT | M_NOWAIT, &b), ENOMEM);
  vmem_verify(vm_);
  EXPECT_EQ(ArenaSnapshot::Of(vm_), after);
  EXPECT_EQ(vmem_xalloc(vm_, 0x100, 0x10000, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &b),
            ENOMEM);
  vmem_verify(vm_);
  EXPECT_EQ(ArenaSnapshot::Of(vm_), after);
  EXPECT_EQ(src_.refused(), 3);
  EXPECT_EQ(src_.imports().size(), 1u);

  // What fits still works; the source recovers.
  vmem_addr_t c;
  ASSERT_EQ(Alloc(vm_, 0x800, &c), 0);
  src_.set_fail(false);
  ASSERT_EQ(Alloc(vm_, 0x1000, &b), 0);
  EXPECT_EQ(src_.imports().size(), 2u);
  Free(vm_, a, 0x800);
  Free(vm_, b, 0x1000);
  Free(vm_, c, 0x800);
  EXPECT_TRUE(src_.live().empty());
  EXPECT_EQ(src_.bad_releases(), 0);
}

TEST_F(ImportTest, FailingImportOnAFreshArenaChangesOnlyTheTagStock) {
  src_.set_fail(true);
  const ArenaSnapshot before = ArenaSnapshot::Of(vm_);
  vmem_addr_t b;
  EXPECT_EQ(Alloc(vm_, 0x100, &b), ENOMEM);
  const ArenaSnapshot after = ArenaSnapshot::Of(vm_);
  // The boundary-tag stock (vs_free_tags) is topped up before the import is
  // tried; it is a cache, not arena state. Everything else is identical.
  EXPECT_EQ(after.alloc, before.alloc);
  EXPECT_EQ(after.free, before.free);
  EXPECT_EQ(after.total, 0u);
  EXPECT_EQ(after.maxfree, before.maxfree);
  EXPECT_EQ(WithoutTagStock(after), WithoutTagStock(before));
}

TEST_F(ImportTest, LimitStopsImports) {
  vmem_set_limit(vm_, 0x2000);
  vmem_addr_t a, b, c;
  ASSERT_EQ(Alloc(vm_, 0x1000, &a), 0);
  ASSERT_EQ(Alloc(vm_, 0x1000, &b), 0);
  ASSERT_EQ(src_.imports().size(), 2u);
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), 0x2000u);

  const ArenaSnapshot before = ArenaSnapshot::Of(vm_);
  EXPECT_EQ(Alloc(vm_, 0x10, &c), ENOMEM);
  EXPECT_EQ(src_.imports().size(), 2u);  // the source was not even asked
  EXPECT_EQ(src_.refused(), 0);
  EXPECT_EQ(WithoutTagStock(ArenaSnapshot::Of(vm_)), WithoutTagStock(before));

  // Below the limit again once a span went back.
  Free(vm_, a, 0x1000);
  EXPECT_EQ(src_.releases().size(), 1u);
  ASSERT_EQ(Alloc(vm_, 0x10, &c), 0);
  EXPECT_EQ(src_.imports().size(), 3u);
  // An import that would overshoot (0x1000 + 0x2000 > 0x2000) is refused.
  vmem_addr_t d;
  EXPECT_EQ(Alloc(vm_, 0x1800, &d), ENOMEM);
  EXPECT_EQ(src_.imports().size(), 3u);

  // Raising the limit lets it through.
  vmem_set_limit(vm_, 0);
  ASSERT_EQ(Alloc(vm_, 0x1800, &d), 0);
  Free(vm_, b, 0x1000);
  Free(vm_, c, 0x10);
  Free(vm_, d, 0x1800);
  EXPECT_TRUE(src_.live().empty());
}

// Reclaim callbacks take no argument but the arena: their state is global.
struct ReclaimState {
  vmem_t *vm = nullptr;
  int calls = 0;
  int last_flags = 0;
  std::vector<std::pair<vmem_addr_t, vmem_size_t>> to_free;
} g_reclaim;

void ReclaimCallback(vmem_t *vm, int flags) {
  EXPECT_EQ(vm, g_reclaim.vm);
  g_reclaim.calls++;
  g_reclaim.last_flags = flags;
  // Called without the arena lock held: freeing is allowed.
  for (auto &[addr, size] : g_reclaim.to_free) vmem_xfree(vm, addr, size);
  g_reclaim.to_free.clear();
}

TEST(ImportReclaimTest, ReclaimIsCalledOnExhaustion) {
  vmem_t *vm = vmem_create("reclaim", 0x1000, 0x1000, kQuantum, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  g_reclaim = ReclaimState();
  g_reclaim.vm = vm;
  vmem_set_reclaim(vm, &ReclaimCallback);

  vmem_addr_t a, b, c;
  ASSERT_EQ(Alloc(vm, 0x800, &a), 0);
  ASSERT_EQ(Alloc(vm, 0x800, &b), 0);
  EXPECT_EQ(g_reclaim.calls, 0);

  // Reclaim frees nothing: ENOMEM, after one call, arena unchanged.
  const ArenaSnapshot before = ArenaSnapshot::Of(vm);
  EXPECT_EQ(Alloc(vm, 0x100, &c), ENOMEM);
  EXPECT_EQ(g_reclaim.calls, 1);
  EXPECT_NE(g_reclaim.last_flags & M_NOWAIT, 0);
  EXPECT_EQ(ArenaSnapshot::Of(vm), before);

  // Reclaim frees b: the M_NOWAIT allocation then succeeds.
  g_reclaim.to_free.push_back({b, 0x800});
  ASSERT_EQ(Alloc(vm, 0x100, &c), 0);
  EXPECT_EQ(g_reclaim.calls, 2);
  EXPECT_TRUE(g_reclaim.to_free.empty());
  EXPECT_GE(c, 0x1800u);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0x900u);

  Free(vm, a, 0x800);
  Free(vm, c, 0x100);
  vmem_destroy(vm);
}

TEST(ImportReclaimTest, ReclaimRunsAfterAFailedImport) {
  FakeSource src;
  vmem_t *vm = vmem_create("reclaim-imp", 0, 0, kQuantum, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  src.Attach(vm, kImportQuantum);
  g_reclaim = ReclaimState();
  g_reclaim.vm = vm;
  vmem_set_reclaim(vm, &ReclaimCallback);

  vmem_addr_t a, b, c;
  ASSERT_EQ(Alloc(vm, 0x800, &a), 0);
  ASSERT_EQ(Alloc(vm, 0x800, &b), 0);
  EXPECT_EQ(g_reclaim.calls, 0);
  src.set_fail(true);
  g_reclaim.to_free.push_back({b, 0x800});
  ASSERT_EQ(Alloc(vm, 0x400, &c), 0);
  EXPECT_EQ(src.refused(), 1);
  EXPECT_EQ(g_reclaim.calls, 1);
  EXPECT_TRUE(src.Contains(c, 0x400));
  Free(vm, a, 0x800);
  Free(vm, c, 0x400);
  EXPECT_TRUE(src.live().empty());
  vmem_destroy(vm);
}

}  // namespace
}  // namespace vmem_test
