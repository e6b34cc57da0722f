// Arenas stacked on arenas: the child imports with vmem_alloc() on its
// parent and releases with vmem_free(); two and three levels.
#include <errno.h>

#include <map>
#include <random>
#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"
#include "tests/kern/test_util.h"

namespace vmem_test {
namespace {

vmem_t *Stack(const char *name, vmem_t *parent, vmem_size_t quantum,
              vmem_size_t import_quantum) {
  vmem_t *vm = vmem_create(name, 0, 0, quantum, 0, M_WAITOK);
  if (vm != nullptr)
    vmem_set_import(vm, vmem_import_arena, vmem_release_arena, parent,
                    import_quantum);
  return vm;
}

constexpr vmem_addr_t kBase = 0x100000;
constexpr vmem_size_t kSize = 0x40000;

void VerifyAll(const std::vector<vmem_t *> &arenas) {
  for (vmem_t *vm : arenas) vmem_verify(vm);
  // Every level's spans are exactly what it holds from the level below.
  for (size_t i = 1; i < arenas.size(); i++)
    EXPECT_EQ(vmem_size(arenas[i - 1], VMEM_ALLOC),
              vmem_size(arenas[i], VMEM_ALLOC | VMEM_FREE))
        << "level " << i;
}

TEST(StackedTest, ChildAllocatesFromParentSpace) {
  vmem_t *parent = vmem_create("st-parent", kBase, kSize, 0x1000, 0, M_WAITOK);
  ASSERT_NE(parent, nullptr);
  vmem_t *child = Stack("st-child", parent, 0x10, 0x1000);
  ASSERT_NE(child, nullptr);
  VerifyAll({parent, child});

  std::vector<std::pair<vmem_addr_t, vmem_size_t>> live;
  for (vmem_size_t size : {0x10, 0x100, 0x800, 0x1000, 0x2400, 0x30}) {
    vmem_addr_t a;
    ASSERT_EQ(vmem_alloc(child, size, M_BESTFIT | M_NOWAIT, &a), 0);
    EXPECT_GE(a, kBase);
    EXPECT_LE(a + size, kBase + kSize);
    live.push_back({a, size});
    VerifyAll({parent, child});
  }
  EXPECT_GT(vmem_size(parent, VMEM_ALLOC), 0u);
  EXPECT_EQ(vmem_size(parent, VMEM_ALLOC) % 0x1000, 0u);

  for (auto &[a, size] : live) {
    vmem_free(child, a, size);
    VerifyAll({parent, child});
  }
  EXPECT_EQ(vmem_size(child, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_EQ(vmem_size(parent, VMEM_ALLOC), 0u);
  EXPECT_EQ(vmem_size(parent, VMEM_FREE), kSize);
  vmem_destroy(child);
  vmem_destroy(parent);
}

TEST(StackedTest, ParentExhaustionIsEnomemInTheChild) {
  vmem_t *parent = vmem_create("st-small", kBase, 0x2000, 0x1000, 0, M_WAITOK);
  vmem_t *child = Stack("st-smallc", parent, 0x10, 0x1000);
  vmem_addr_t a, b, c;
  ASSERT_EQ(vmem_alloc(child, 0x1000, M_BESTFIT | M_NOWAIT, &a), 0);
  ASSERT_EQ(vmem_alloc(child, 0x1000, M_BESTFIT | M_NOWAIT, &b), 0);
  VerifyAll({parent, child});
  const ArenaSnapshot pbefore = ArenaSnapshot::Of(parent);
  const ArenaSnapshot cbefore = ArenaSnapshot::Of(child);
  EXPECT_EQ(vmem_alloc(child, 0x10, M_BESTFIT | M_NOWAIT, &c), ENOMEM);
  VerifyAll({parent, child});
  EXPECT_EQ(WithoutTagStock(ArenaSnapshot::Of(parent)),
            WithoutTagStock(pbefore));
  EXPECT_EQ(WithoutTagStock(ArenaSnapshot::Of(child)),
            WithoutTagStock(cbefore));
  vmem_free(child, a, 0x1000);
  vmem_free(child, b, 0x1000);
  VerifyAll({parent, child});
  EXPECT_EQ(vmem_size(parent, VMEM_ALLOC), 0u);
  vmem_destroy(child);
  vmem_destroy(parent);
}

// Seeded random allocations and frees at the top of a stack of depth
// levels; everything must flow back down once all is freed.
void RandomStack(int depth, int strategy_mask, unsigned seed) {
  std::vector<vmem_t *> arenas;
  arenas.push_back(vmem_create("st-l0", kBase, kSize, 0x1000, 0, M_WAITOK));
  const char *names[] = {"st-l1", "st-l2", "st-l3"};
  for (int i = 1; i < depth; i++)
    arenas.push_back(Stack(names[i - 1], arenas.back(),
                           i == depth - 1 ? 0x10 : 0x1000, 0x1000 << (i - 1)));
  vmem_t *top = arenas.back();
  VerifyAll(arenas);

  std::mt19937 rng(seed);
  std::vector<std::pair<vmem_addr_t, vmem_size_t>> live;
  const int strategies[] = {M_BESTFIT, M_FIRSTFIT, M_NEXTFIT};
  for (int step = 0; step < 60; step++) {
    if (live.empty() || rng() % 3 != 0) {
      vmem_size_t size = 0x10 * (1 + rng() % 0x180);
      int strat;
      do strat = strategies[rng() % 3];
      while ((strat & strategy_mask) == 0);
      vmem_addr_t a;
      int error;
      if (rng() % 4 == 0 && strat != M_NEXTFIT) {
        error = vmem_xalloc(top, size, 0x400, 0, 0, VMEM_ADDR_MIN,
                            VMEM_ADDR_MAX, strat | M_NOWAIT, &a);
        if (error == 0) {
          EXPECT_EQ(a % 0x400, 0u);
          live.push_back({a, size | (vmem_size_t{1} << 62)});
        }
      } else {
        error = vmem_alloc(top, size, strat | M_NOWAIT, &a);
        if (error == 0) live.push_back({a, size});
      }
      if (error == 0) {
        EXPECT_GE(a, kBase);
        EXPECT_LE(a + size, kBase + kSize);
      } else {
        EXPECT_EQ(error, ENOMEM);
      }
    } else {
      size_t i = rng() % live.size();
      auto [a, size] = live[i];
      live.erase(live.begin() + i);
      if (size & (vmem_size_t{1} << 62))
        vmem_xfree(top, a, size & ~(vmem_size_t{1} << 62));
      else
        vmem_free(top, a, size);
    }
    VerifyAll(arenas);
    if (::testing::Test::HasFailure()) break;
  }
  // No two live allocations overlap.
  std::map<vmem_addr_t, vmem_size_t> sorted;
  for (auto &[a, size] : live) sorted[a] = size & ~(vmem_size_t{1} << 62);
  vmem_addr_t end = 0;
  for (auto &[a, size] : sorted) {
    EXPECT_GE(a, end);
    end = a + size;
  }
  for (auto &[a, size] : live) {
    if (size & (vmem_size_t{1} << 62))
      vmem_xfree(top, a, size & ~(vmem_size_t{1} << 62));
    else
      vmem_free(top, a, size);
    VerifyAll(arenas);
  }
  for (size_t i = 1; i < arenas.size(); i++)
    EXPECT_EQ(vmem_size(arenas[i], VMEM_ALLOC | VMEM_FREE), 0u)
        << "level " << i << "\n"
        << ShowVmem(arenas[i]);
  EXPECT_EQ(vmem_size(arenas[0], VMEM_ALLOC), 0u);
  for (auto it = arenas.rbegin(); it != arenas.rend(); ++it) vmem_destroy(*it);
}

// The random runs go in child processes: a vmem_verify() panic fails the
// run and not the whole binary.
class StackedRandomTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(StackedRandomTest, TwoLevelsBestAndFirstFit) {
  for (unsigned seed = 1; seed <= 5; seed++) {
    SCOPED_TRACE(seed);
    EXPECT_OK_IN_CHILD(RandomStack(2, M_BESTFIT | M_FIRSTFIT, seed));
  }
}

TEST_F(StackedRandomTest, ThreeLevelsBestAndFirstFit) {
  for (unsigned seed = 1; seed <= 5; seed++) {
    SCOPED_TRACE(seed);
    EXPECT_OK_IN_CHILD(RandomStack(3, M_BESTFIT | M_FIRSTFIT, seed));
  }
}

TEST_F(StackedRandomTest, FourLevelsBestFit) {
  EXPECT_OK_IN_CHILD(RandomStack(4, M_BESTFIT, 42));
}

// A span released to the parent and imported again comes back at a lower
// address than a span the child still holds: the child's spans are then
// not in address order. That is legal (upstream vmem_add1() appends every
// span at the tail); the arena must stay consistent and verifiable.
void ReimportBelowAHeldSpan() {
  vmem_t *parent = vmem_create("st-reimp", kBase, kSize, 0x1000, 0, M_WAITOK);
  vmem_t *child = Stack("st-reimpc", parent, 0x10, 0x1000);
  vmem_addr_t a, b, c;
  ASSERT_EQ(vmem_alloc(child, 0x1000, M_BESTFIT | M_NOWAIT, &a), 0);
  ASSERT_EQ(vmem_alloc(child, 0x1000, M_BESTFIT | M_NOWAIT, &b), 0);
  ASSERT_LT(a, b);
  vmem_free(child, a, 0x1000);  // its span goes back to the parent
  VerifyAll({parent, child});
  ASSERT_EQ(vmem_alloc(child, 0x1000, M_BESTFIT | M_NOWAIT, &c), 0);
  EXPECT_EQ(c, a);  // the parent hands the lowest free block out again
  VerifyAll({parent, child});
  vmem_free(child, b, 0x1000);
  vmem_free(child, c, 0x1000);
  VerifyAll({parent, child});
  EXPECT_EQ(vmem_size(parent, VMEM_ALLOC), 0u);
  vmem_destroy(child);
  vmem_destroy(parent);
}

TEST_F(StackedRandomTest, ReimportBelowAHeldSpan) {
  EXPECT_OK_IN_CHILD(ReimportBelowAHeldSpan());
}

}  // namespace
}  // namespace vmem_test
