// Memory shortage inside the allocator: boundary-tag refills that fail.
// The failure hook of malloc(9) (<sys/malloc.h>) makes M_NOWAIT
// allocations fail.
#include <errno.h>
#include <string.h>

#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <sys/malloc.h>
#include <vm/uma.h>
#include "gtest/gtest.h"
#include "tests/stack/test_util.h"

namespace vmem_test {
namespace {

bool FailAll(size_t, struct malloc_type *) { return true; }

// Arms the hook for its lifetime; always restores the previous one.
class FailureInjection {
 public:
  FailureInjection() : prev_(malloc_set_failure_hook(&FailAll)) {}
  ~FailureInjection() { malloc_set_failure_hook(prev_); }

 private:
  malloc_failure_hook_t prev_;
};

// The boundary-tag zone's statistics (zone "vmem btag").
uma_zone_stats BtagZone() {
  struct Find {
    uma_zone_stats stats{};
    bool found = false;
  } f;
  uma_zone_foreach(
      [](uma_zone_t z, void *arg) {
        auto *f = static_cast<Find *>(arg);
        uma_zone_stats s;
        uma_zone_get_stats(z, &s);
        if (strcmp(s.name, "vmem btag") == 0) {
          f->stats = s;
          f->found = true;
        }
      },
      &f);
  EXPECT_TRUE(f.found);
  return f.stats;
}

// Takes tags out of the zone's free stock until none is left: each
// allocation that splits a free segment of `drain` uses one tag.
void DrainTagZone(vmem_t *drain, std::vector<vmem_addr_t> *held) {
  for (int i = 0; i < 1000000 && BtagZone().free > 0; i++) {
    vmem_addr_t a;
    ASSERT_EQ(vmem_xalloc(drain, 1, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          M_BESTFIT | M_WAITOK, &a),
              0);
    held->push_back(a);
  }
  ASSERT_EQ(BtagZone().free, 0);
}

class FaultTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    // The arena under test: its stock of tags is below the most one
    // operation may need (4), so its next allocation must refill.
    vm_ = vmem_create("fault", 0x1000, 0x10000, 0x10, 0, M_WAITOK);
    ASSERT_NE(vm_, nullptr);
    vmem_verify(vm_);
    ASSERT_LT(test_util::Stats(vm_).vs_free_tags, 4);
    drain_ = vmem_create("drain", 0x10000000, 0x10000000, 1, 0, M_WAITOK);
    ASSERT_NE(drain_, nullptr);
    DrainTagZone(drain_, &held_);
  }
  void TearDown() override {
    for (vmem_addr_t a : held_) vmem_xfree(drain_, a, 1);
    vmem_verify(drain_);
    vmem_destroy(drain_);
    vmem_verify(vm_);
    vmem_destroy(vm_);
  }

  vmem_t *vm_ = nullptr;
  vmem_t *drain_ = nullptr;
  std::vector<vmem_addr_t> held_;
};

TEST_P(FaultTest, TagRefillFailureIsEnomemAndLeavesTheArenaUnchanged) {
  const int strat = GetParam();
  vmem_addr_t a = 0;
  {
    FailureInjection inject;
    const ArenaState before = ArenaState::Of(vm_);
    const uint64_t zone_failures = BtagZone().failures;
    EXPECT_EQ(vmem_xalloc(vm_, 0x100, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          strat | M_NOWAIT, &a),
              ENOMEM);
    // It failed in the tag refill: the zone refused.
    EXPECT_GT(BtagZone().failures, zone_failures);
    vmem_verify(vm_);
    EXPECT_EQ(ArenaState::Of(vm_), before);
    EXPECT_EQ(vmem_alloc(vm_, 0x2000, strat | M_NOWAIT, &a), ENOMEM);
    vmem_verify(vm_);
    EXPECT_EQ(ArenaState::Of(vm_), before);
    EXPECT_EQ(vmem_add(vm_, 0x100000, 0x1000, M_NOWAIT), ENOMEM);
    vmem_verify(vm_);
    EXPECT_EQ(ArenaState::Of(vm_), before);
  }
  // Hook gone: the same calls succeed.
  ASSERT_EQ(vmem_xalloc(vm_, 0x100, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        strat | M_NOWAIT, &a),
            0);
  vmem_verify(vm_);
  ASSERT_EQ(vmem_add(vm_, 0x100000, 0x1000, M_NOWAIT), 0);
  vmem_verify(vm_);
  EXPECT_EQ(vmem_size(vm_, VMEM_ALLOC | VMEM_FREE), 0x11000u);
  vmem_xfree(vm_, a, 0x100);
  vmem_verify(vm_);
}

INSTANTIATE_TEST_SUITE_P(Strategies, FaultTest,
                         ::testing::Values(M_BESTFIT, M_FIRSTFIT, M_NEXTFIT),
                         [](const ::testing::TestParamInfo<int> &info) {
                           return info.param == M_BESTFIT    ? "BestFit"
                                  : info.param == M_FIRSTFIT ? "FirstFit"
                                                             : "NextFit";
                         });

TEST(FaultCreateTest, NoWaitCreateFailsCleanly) {
  // A destroyed arena leaves its storage in the arena zone, so the create
  // below gets it without malloc and fails in the tag refill instead.
  vmem_destroy(vmem_create("fault-warm", 0, 0, 1, 0, M_WAITOK));
  vmem_t *drain = vmem_create("drain2", 0x10000000, 0x10000000, 1, 0, M_WAITOK);
  std::vector<vmem_addr_t> held;
  DrainTagZone(drain, &held);
  {
    FailureInjection inject;
    EXPECT_EQ(vmem_create("fault-new", 0x1000, 0x1000, 1, 0, M_NOWAIT),
              nullptr);
  }
  vmem_t *vm = vmem_create("fault-new", 0x1000, 0x1000, 1, 0, M_NOWAIT);
  ASSERT_NE(vm, nullptr);
  vmem_verify(vm);
  vmem_destroy(vm);
  for (vmem_addr_t a : held) vmem_xfree(drain, a, 1);
  vmem_destroy(drain);
}

}  // namespace
}  // namespace vmem_test
