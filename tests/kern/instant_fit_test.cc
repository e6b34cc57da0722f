// Instant fit with alignment (as illumos does): a first-fit request aligned
// above the quantum, with no other constraint, starts its search at the
// free list whose every block has an aligned fit (size + align - quantum),
// so it does not probe smaller blocks that may or may not fit.
#include <errno.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"

namespace {

constexpr vmem_size_t q = 16;

// Free layout: a 2-quantum block at 0x1040 (aligned to 4 quanta) and a
// 256-quantum block at 0x2000; everything else allocated.
vmem_t *two_hole_arena(vmem_addr_t *small, vmem_addr_t *large) {
  vmem_t *vm = vmem_create("ifit", 0x1000, 0x2000, q, 0, M_WAITOK);
  vmem_addr_t a, hole, b, big;
  EXPECT_EQ(vmem_xalloc(vm, 4 * q, 0, 0, 0, 0x1000, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &a),
            0);
  EXPECT_EQ(vmem_xalloc(vm, 2 * q, 0, 0, 0, 0x1040, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &hole),
            0);
  EXPECT_EQ(vmem_xalloc(vm, 0x2000 - 0x1060, 0, 0, 0, 0x1060, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &b),
            0);
  EXPECT_EQ(vmem_xalloc(vm, 256 * q, 0, 0, 0, 0x2000, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &big),
            0);
  vmem_xfree(vm, hole, 2 * q);
  vmem_xfree(vm, big, 256 * q);
  vmem_verify(vm);
  *small = hole;
  *large = big;
  return vm;
}

TEST(InstantFitTest, AlignedFirstFitStartsWhereEveryBlockFits) {
  vmem_addr_t small, large, addr;
  vmem_t *vm = two_hole_arena(&small, &large);
  ASSERT_EQ(small, 0x1040u);
  ASSERT_EQ(large, 0x2000u);
  // 2 quanta aligned to 4: the small block would do, but first fit with
  // alignment starts at the lists of blocks of 5 quanta and more.
  ASSERT_EQ(vmem_xalloc(vm, 2 * q, 4 * q, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_FIRSTFIT | M_NOWAIT, &addr),
            0);
  EXPECT_GE(addr, large);
  EXPECT_EQ(addr % (4 * q), 0u);
  vmem_xfree(vm, addr, 2 * q);
  // Best fit still takes the smallest block that fits.
  ASSERT_EQ(vmem_xalloc(vm, 2 * q, 4 * q, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &addr),
            0);
  EXPECT_EQ(addr, small);
  vmem_xfree(vm, addr, 2 * q);
  vmem_verify(vm);
}

TEST(InstantFitTest, FallsBackToTheFullScan) {
  vmem_addr_t small, large, addr, big;
  vmem_t *vm = two_hole_arena(&small, &large);
  // With the large block taken, only the small one is left: found by the
  // best-fit retry.
  ASSERT_EQ(vmem_xalloc(vm, 256 * q, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &big),
            0);
  ASSERT_EQ(vmem_xalloc(vm, 2 * q, 4 * q, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_FIRSTFIT | M_NOWAIT, &addr),
            0);
  EXPECT_EQ(addr, small);
  vmem_xfree(vm, addr, 2 * q);
  vmem_xfree(vm, big, 256 * q);
  vmem_verify(vm);
}

// First fit asks for the free list that holds size + align - quantum; past
// the last list (here above 2^63 on a quantum-1 arena, as libuvmem callers
// make with quantum 0) nothing can fit, and the request fails cleanly.
TEST(InstantFitTest, HugeAlignmentFailsCleanly) {
  vmem_t *vm = vmem_create("ifit-huge", 0x1000, 0x100000, 0, 0, M_WAITOK);
  vmem_addr_t addr;
  EXPECT_EQ(vmem_xalloc(vm, 2, vmem_size_t{1} << 63, 0, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, M_FIRSTFIT | M_NOWAIT, &addr),
            ENOMEM);
  EXPECT_EQ(vmem_xalloc(vm, (vmem_size_t{1} << 63) + 1, 0, 0, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, M_FIRSTFIT | M_NOWAIT, &addr),
            ENOMEM);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);
  vmem_verify(vm);
  vmem_destroy(vm);
}

}  // namespace
