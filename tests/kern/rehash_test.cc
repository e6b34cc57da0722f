// The busy-tag hash grows and shrinks from the periodic task. Its own
// binary: main() sets the task's period (10 ticks = 10 ms) before the
// first arena of the process.
#include <stdio.h>

#include <chrono>
#include <thread>
#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"
#include "tests/kern/test_util.h"

namespace vmem_test {
namespace {

constexpr int kSegments = 3000;

vmem_size_t HashBuckets(vmem_t *vm) {
  return test_util::Stats(vm).vs_hash_buckets;
}

TEST(RehashTest, PeriodIsSet) {
  int period = 0;
  ASSERT_EQ(vmem_sysctl_int("kern.vmem_periodic_interval", &period, nullptr),
            0);
  EXPECT_EQ(period, 10);
}

TEST(RehashTest, HashGrowsAndShrinks) {
  vmem_t *vm =
      vmem_create("rehash", 0x100000, kSegments * 0x20, 0x10, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  EXPECT_EQ(HashBuckets(vm), 16);
  std::vector<vmem_addr_t> held;
  for (int i = 0; i < kSegments; i++) {
    vmem_addr_t a;
    // Every other slot, so no two busy segments are adjacent.
    ASSERT_EQ(vmem_xalloc(vm, 0x10, 0x20, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          M_BESTFIT | M_NOWAIT, &a),
              0);
    held.push_back(a);
    if (i % 1000 == 999) vmem_verify(vm);
  }
  vmem_verify(vm);

  // Grows: 3000 busy tags want 4096 buckets.
  ASSERT_TRUE(WaitUntil([&] { return HashBuckets(vm) > 16; })) << ShowVmem(vm);
  vmem_verify(vm);
  EXPECT_TRUE(WaitUntil([&] { return HashBuckets(vm) == 4096; }))
      << ShowVmem(vm);
  vmem_verify(vm);

  // Frees look addresses up in the grown hash, while the task runs on.
  for (size_t i = 0; i < held.size(); i++) {
    vmem_xfree(vm, held[i], 0x10);
    if (i % 1000 == 999) vmem_verify(vm);
  }
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);

  // Shrinks back to the minimum.
  ASSERT_TRUE(WaitUntil([&] { return HashBuckets(vm) == 16; })) << ShowVmem(vm);
  vmem_verify(vm);
  vmem_destroy(vm);
}

}  // namespace
}  // namespace vmem_test

int main(int argc, char **argv) {
  // Before any arena exists: the period is read when the task starts.
  int ten = 10;
  if (vmem_sysctl_int("kern.vmem_periodic_interval", nullptr, &ten) != 0) {
    fprintf(stderr, "cannot set kern.vmem_periodic_interval\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
