// Identifier arenas (VMC_IDENTIFIER, quantum 1): integers handed out as
// void *, never memory; VM_NEXTFIT rotates through them like process IDs.
#include <stdint.h>

#include <chrono>
#include <vector>

#include "compat/illumos/illumos_vmem.h"
#include "gtest/gtest.h"
#include "tests/compat/illumos/test_util.h"

namespace illumos_test {
namespace {

constexpr size_t kIds = 10;

vmem_t *Ids(const char *name) {
  return illumos_vmem_create(name, P(1), kIds, 1, nullptr, nullptr, nullptr, 0,
                             VMC_IDENTIFIER | VM_SLEEP);
}

uintptr_t Id(vmem_t *vm, int vmflag) {
  return U(illumos_vmem_alloc(vm, 1, vmflag));
}

TEST(IllumosIdentTest, HandsOutOneToN) {
  vmem_t *ids = Ids("ids");
  ASSERT_NE(ids, nullptr);
  EXPECT_EQ(illumos_vmem_size(ids, VMEM_FREE), kIds);
  for (uintptr_t want = 1; want <= kIds; want++)
    EXPECT_EQ(Id(ids, VM_SLEEP | VM_NEXTFIT), want);
  EXPECT_EQ(illumos_vmem_size(ids, VMEM_ALLOC), kIds);
  EXPECT_EQ(illumos_vmem_size(ids, VMEM_FREE), 0u);
  // Exhausted: VM_NOSLEEP fails with every policy.
  for (int vmflag : {VM_NOSLEEP, VM_NOSLEEP | VM_NEXTFIT,
                     VM_NOSLEEP | VM_BESTFIT, VM_NOSLEEP | VM_FIRSTFIT})
    EXPECT_EQ(Id(ids, vmflag), 0u);
  EXPECT_TRUE(illumos_vmem_contains(ids, P(1), kIds));
  EXPECT_FALSE(illumos_vmem_contains(ids, P(0), 1));
  EXPECT_FALSE(illumos_vmem_contains(ids, P(kIds), 2));
  for (uintptr_t id = 1; id <= kIds; id++) illumos_vmem_free(ids, P(id), 1);
  EXPECT_EQ(Walk(ids, VMEM_FREE), (std::vector<Seg>{{1, kIds}}));
  illumos_vmem_destroy(ids);
}

TEST(IllumosIdentTest, NextFitRotates) {
  vmem_t *ids = Ids("pids");
  ASSERT_NE(ids, nullptr);
  // Freed IDs are not reused until the rotor comes round again.
  for (uintptr_t want = 1; want <= 3; want++) {
    EXPECT_EQ(Id(ids, VM_SLEEP | VM_NEXTFIT), want);
    illumos_vmem_free(ids, P(want), 1);
  }
  std::vector<uintptr_t> got;
  for (size_t i = 0; i < kIds; i++)
    got.push_back(Id(ids, VM_SLEEP | VM_NEXTFIT));
  EXPECT_EQ(got, (std::vector<uintptr_t>{4, 5, 6, 7, 8, 9, 10, 1, 2, 3}));
  // Free two; the next IDs are the ones after the rotor, in order.
  illumos_vmem_free(ids, P(8), 1);
  illumos_vmem_free(ids, P(5), 1);
  EXPECT_EQ(Id(ids, VM_NOSLEEP | VM_NEXTFIT), 5u);
  EXPECT_EQ(Id(ids, VM_NOSLEEP | VM_NEXTFIT), 8u);
  EXPECT_EQ(Id(ids, VM_NOSLEEP | VM_NEXTFIT), 0u);
  // Instant fit (no policy) takes a freed ID at once, the latest freed.
  illumos_vmem_free(ids, P(9), 1);
  illumos_vmem_free(ids, P(2), 1);
  EXPECT_EQ(Id(ids, VM_SLEEP), 2u);
  EXPECT_EQ(Id(ids, VM_SLEEP), 9u);
  for (uintptr_t id = 1; id <= kIds; id++) illumos_vmem_free(ids, P(id), 1);
  illumos_vmem_destroy(ids);
}

TEST(IllumosIdentTest, SleepingNextFitGetsTheFreedId) {
  vmem_t *ids = Ids("ids-wait");
  ASSERT_NE(ids, nullptr);
  for (uintptr_t want = 1; want <= kIds; want++)
    ASSERT_EQ(Id(ids, VM_SLEEP | VM_NEXTFIT), want);
  auto fut = Spawn([ids] { return Id(ids, VM_SLEEP | VM_NEXTFIT); });
  EXPECT_EQ(fut.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  illumos_vmem_free(ids, P(6), 1);
  ASSERT_EQ(fut.wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(fut.get(), 6u);
  for (uintptr_t id = 1; id <= kIds; id++) illumos_vmem_free(ids, P(id), 1);
  illumos_vmem_destroy(ids);
}

TEST(IllumosIdentTest, IdentifierArenaImportsFromAnIdentifierArena) {
  vmem_t *ids =
      illumos_vmem_create("ids-src", P(100), 1000, 1, nullptr, nullptr, nullptr,
                          0, VMC_IDENTIFIER | VM_SLEEP);
  ASSERT_NE(ids, nullptr);
  vmem_t *sub =
      illumos_vmem_create("ids-sub", nullptr, 0, 1, &TrackedAlloc, &TrackedFree,
                          ids, 0, VMC_IDENTIFIER | VM_SLEEP);
  ASSERT_NE(sub, nullptr);
  std::vector<uintptr_t> got;
  for (int i = 0; i < 20; i++) {
    uintptr_t id = Id(sub, VM_SLEEP);
    ASSERT_GE(id, 100u);
    ASSERT_LT(id, 1100u);
    got.push_back(id);
  }
  EXPECT_EQ(illumos_vmem_size(ids, VMEM_ALLOC),
            illumos_vmem_size(sub, VMEM_ALLOC | VMEM_FREE));
  for (uintptr_t id : got) illumos_vmem_free(sub, P(id), 1);
  EXPECT_TRUE(Ledger::Get().Outstanding(ids).empty());
  EXPECT_EQ(illumos_vmem_size(ids, VMEM_ALLOC), 0u);
  illumos_vmem_destroy(sub);
  illumos_vmem_destroy(ids);
  Ledger::Get().Forget(ids);
}

TEST(IllumosIdentDeathTest, MemoryArenaCannotImportFromIdentifierArena) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  vmem_t *ids = Ids("ids-mixed");
  ASSERT_NE(ids, nullptr);
  EXPECT_DEATH(illumos_vmem_create("mem", nullptr, 0, 1, &illumos_vmem_alloc,
                                   &illumos_vmem_free, ids, 0, VM_SLEEP),
               "identifier arena and a memory arena");
  illumos_vmem_destroy(ids);
}

}  // namespace
}  // namespace illumos_test
