// Regression tests for what the differential driver and the fuzzer found,
// each named after the kern/PORTING.md entry of its fix (Port14_... for
// PORT(14)). Each one states the behaviour vmem should have; all of them
// failed before kern/ was fixed. Scenarios that panic run in a death-test
// child, so a panic fails the test instead of killing the binary.
#include <errno.h>
#include <stdlib.h>

#include <string>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"
#include "tests/fuzz/driver.h"
#include "tests/util/fake_source.h"

namespace vmem_fuzz {
namespace {

// Scenarios run in death-test children; exit(0) means vmem behaved.
void Scenario1() {
  test_util::FakeSource src(0x10000000, 0x1000, 4);
  vmem_t *vm = vmem_create("reimport", 0, 0, 1, 0, M_WAITOK);
  src.Attach(vm, 0x100);
  vmem_addr_t a;
  int error = vmem_xalloc(vm, 0x10, 0, 0, 0, VMEM_ADDR_MIN, 0xffff,
                          M_BESTFIT | M_NOWAIT, &a);
  vmem_verify(vm);
  exit(error == ENOMEM ? 0 : 1);
}

void Scenario2() {
  vmem_t *vm = vmem_create("merge", 0x1000, 0x1000, 16, 0, M_WAITOK);
  vmem_addr_t a, b, c;
  // The cursor goes after [0x1000, 0x10d0); freeing that leaves free
  // space on both sides of it.
  if (vmem_alloc(vm, 0xd0, M_NEXTFIT | M_NOWAIT, &a) != 0) exit(2);
  vmem_free(vm, a, 0xd0);
  // Best fit takes the head of the piece before the cursor.
  if (vmem_alloc(vm, 0x30, M_BESTFIT | M_NOWAIT, &b) != 0) exit(3);
  // An aligned next-fit request leaves a free piece right after the
  // cursor, which it merges with the free piece before it.
  if (vmem_xalloc(vm, 0x520, 0x80, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                  M_NEXTFIT | M_NOWAIT, &c) != 0)
    exit(4);
  vmem_verify(vm);
  exit(0);
}

void Scenario3() {
  vmem_t *vm =
      vmem_create("top", VMEM_ADDR_MAX - 0xfff, 0x1000, 1, 0, M_WAITOK);
  if (vmem_add(vm, 0, 0x1000, M_NOWAIT) != 0) exit(2);
  vmem_verify(vm);
  struct vmem_stats st;
  vmem_get_stats(vm, &st);
  exit(st.vs_spans == 2 ? 0 : 3);
}

class RegressionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The arenas' background thread is running: re-execute for children.
    ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  }
};

// PORT(14), upstream behaviour: after a next-fit allocation is freed
// the cursor parts the free space in two (vmem_xfree() does not coalesce
// across it), so a request for the whole, wholly free arena fails with
// M_NOWAIT -- and would sleep forever with M_WAITOK.
// Fix: coalesce across the cursor in vmem_xfree().
TEST_F(RegressionsTest, Port14_CursorDoesNotSplitFreeSpace) {
  vmem_t *vm = vmem_create("cursor", 0x1000, 100, 1, 0, M_WAITOK);
  vmem_addr_t a;
  ASSERT_EQ(vmem_alloc(vm, 10, M_NEXTFIT | M_NOWAIT, &a), 0);
  vmem_free(vm, a, 10);
  EXPECT_EQ(vmem_alloc(vm, 100, M_BESTFIT | M_NOWAIT, &a), 0)
      << "a wholly free arena of 100 cannot serve 100";
  if (vmem_size(vm, VMEM_ALLOC) != 0) vmem_free(vm, a, 100);
  vmem_destroy(vm);
}

// PORT(21), upstream behaviour (the "XXX" in vmem_try_fetch()): an
// M_NOWAIT request with constraints that the imported span cannot meet
// (here maxaddr below every span the source hands out) returns ENOMEM but
// keeps the span it imported, unused and never released -- the arena is
// not left unchanged as <sys/vmem.h> promises. (A limit stops it after one
// import; without it, see Port13_SecondImportHasTags.)
TEST_F(RegressionsTest, Port21_FailedConstrainedImportLeavesNoSpan) {
  test_util::FakeSource src(0x10000000, 0x1000, 8);
  vmem_t *vm = vmem_create("unused-import", 0, 0, 1, 0, M_WAITOK);
  src.Attach(vm, 0x100);
  vmem_set_limit(vm, 0x100);  // room for one import
  vmem_addr_t a;
  EXPECT_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, VMEM_ADDR_MIN, 0xffff,
                        M_BESTFIT | M_NOWAIT, &a),
            ENOMEM);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0u)
      << "the failed request left an imported span in the arena";
  EXPECT_EQ(src.live().size(), 0u);
  vmem_destroy(vm);
}

// PORT(13), a port bug: the same request without a limit imports a
// second time; the tag stock was filled once before the loop (upstream
// refills it on every pass), the first import used two of the four tags,
// and bt_save() panics ("insufficient free tags 2").
// Fix: refill the stock on every pass of the loops in vmem_xalloc(),
// vmem_xalloc_nextfit() and vmem_xalloc_endfit().
TEST_F(RegressionsTest, Port13_SecondImportHasTags) {
  EXPECT_EXIT(Scenario1(), ::testing::ExitedWithCode(0), "");
}

// PORT(14), in the port's own merge: a next-fit request that merges the two
// free segments around the cursor grows the first without moving it to the free
// list of its new size; vmem_verify() panics ("not on its free list"), and best
// and first fit can then miss the segment. Fix: bt_remfree() + bt_insfree() the
// merged segment.
TEST_F(RegressionsTest, Port14_CursorMergeRefilesSegment) {
  EXPECT_EXIT(Scenario2(), ::testing::ExitedWithCode(0), "");
}

// PORT(19), a port bug: vmem_add1() extends the last segment when
// the new span starts where it ends; for a segment that ends at
// VMEM_ADDR_MAX the end wraps to 0, so a span added at 0 joins it and the
// arena holds a span that wraps (vmem_verify(): "corrupted tag"), which the
// PORT: checks in vmem_add() mean to refuse.
// Fix: do not extend when the last segment ends at VMEM_ADDR_MAX.
TEST_F(RegressionsTest, Port19_AddAtZeroAfterTopSpanDoesNotWrap) {
  EXPECT_EXIT(Scenario3(), ::testing::ExitedWithCode(0), "");
}

// PORT(36), upstream behaviour: vmem_import() asks the source for
// size + 2 * align rounded up to the import quantum without checking that
// it wraps past 2^64; a request for 2^64 - 16 bytes with an import quantum
// of 64 asked for 0 bytes, and the empty span panicked, blamed on the
// source. Fix: such a request fails with ENOMEM and imports nothing.
TEST_F(RegressionsTest, Port36_ImportSizeWrapsFailsWithoutImporting) {
  test_util::FakeSource src(0x10000000, 0, 10);
  vmem_t *vm = vmem_create("wrap", 0, 0, 16, 0, M_WAITOK);
  src.Attach(vm, 64);
  vmem_addr_t a;
  EXPECT_EQ(vmem_alloc(vm, 0 - 16, M_BESTFIT | M_NOWAIT, &a), ENOMEM);
  // Twice the alignment on top of the size wraps too.
  EXPECT_EQ(vmem_xalloc(vm, 0x100, (vmem_size_t)1 << 63, 0, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &a),
            ENOMEM);
  EXPECT_EQ(src.import_count(), 0);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0u);
  vmem_destroy(vm);
}

// PORT(14) through the driver: a short stream whose request fits only
// across the cursor. The driver's model merges free space across the
// cursor, as the port does: vmem and the model must agree.
TEST_F(RegressionsTest, Port14_DriverAcceptsRequestAcrossTheCursor) {
  // Static arena of 100 (q=1); next-fit alloc 9; free it; best-fit alloc
  // 97 (0xa0: 1 + 32 * 3), which fits only across the cursor: upstream
  // fails it, the port merges across the cursor (PORT(14) above).
  const uint8_t stream[] = {0, 99, 1, 8, 2, 5, 0, 0, 1, 0xa0, 0};
  std::string error;
  EXPECT_TRUE(
      RunStream(stream, sizeof(stream), DriverOptions(), nullptr, &error))
      << error;
}

}  // namespace
}  // namespace vmem_fuzz
