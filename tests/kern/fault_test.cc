// Memory shortage inside the allocator, by deterministic fault injection:
// every M_NOWAIT failure returns ENOMEM and leaves the arena exactly as it
// was (same spans, segments, sizes and statistics; vmem_verify() holds),
// and nothing leaks (the asan run's leak check). One fixture per scenario:
//  - ImportFailureTest: the import callback fails;
//  - TagShortageTest: boundary tags run out: the tag zone ("vmem btag") is
//    emptied with M_NOVM allocations (which take only items the zone holds,
//    <vm/uma.h>) and malloc(9)'s failure hook refuses M_NOWAIT memory, so
//    the arena cannot top up its stock of tags; on a static arena, before
//    an import, and through the quantum cache, for each fit strategy;
//  - CreateFailureTest: vmem_create(M_NOWAIT) without memory;
//  - HashResizeFailureTest: the busy-tag hash cannot grow.
#include <errno.h>
#include <string.h>

#include <atomic>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <sys/malloc.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>
#include <vm/uma.h>

#include "gtest/gtest.h"
#include "tests/kern/test_util.h"
#include "tests/util/fake_source.h"

namespace vmem_test {
namespace {

// malloc(9) failure hook: refuses M_NOWAIT allocations of the armed kinds.
std::atomic<bool> fail_uma{false};   // zone items (new tags, arenas)
std::atomic<bool> fail_vmem{false};  // vmem's own (the busy-tag hash)
std::atomic<int> refused{0};
bool FailureHook(size_t size, struct malloc_type *type) {
  bool vmem_type = strcmp(type->ks_shortdesc, "vmem") == 0;
  bool fail = vmem_type ? fail_vmem.load() : fail_uma.load();
  if (fail) refused++;
  return fail;
}

uma_zone_t FindZone(const char *name) {
  struct Arg {
    const char *name;
    uma_zone_t zone;
  } arg = {name, nullptr};
  uma_zone_foreach(
      [](uma_zone_t z, void *p) {
        auto *a = static_cast<Arg *>(p);
        struct uma_zone_stats st;
        uma_zone_get_stats(z, &st);
        if (strcmp(st.name, a->name) == 0) a->zone = z;
      },
      &arg);
  return arg.zone;
}

uma_zone_stats ZoneStats(const char *name) {
  uma_zone_stats st{};
  uma_zone_t z = FindZone(name);
  EXPECT_NE(z, nullptr) << name;
  if (z != nullptr) uma_zone_get_stats(z, &st);
  return st;
}

// Empties a zone of the items it holds, and gives them back.
class ZoneDrain {
 public:
  explicit ZoneDrain(const char *name) : zone_(FindZone(name)) {
    if (zone_ == nullptr) return;
    void *item;
    while ((item = uma_zalloc(zone_, M_NOWAIT | M_NOVM)) != nullptr)
      items_.push_back(item);
  }
  ~ZoneDrain() {
    for (void *item : items_) uma_zfree(zone_, item);
  }
  bool found() const { return zone_ != nullptr; }

 private:
  uma_zone_t zone_;
  std::vector<void *> items_;
};

// Installs the hook, disarmed, for each test; always restores the old one.
class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fail_uma = false;
    fail_vmem = false;
    refused = 0;
    old_ = malloc_set_failure_hook(&FailureHook);
  }
  void TearDown() override {
    fail_uma = false;
    fail_vmem = false;
    malloc_set_failure_hook(old_);
  }
  malloc_failure_hook_t old_ = nullptr;
};

const int kFits[] = {M_BESTFIT, M_FIRSTFIT, M_NEXTFIT, M_BESTFIT | M_ENDALLOC};

std::string FitName(const ::testing::TestParamInfo<int> &info) {
  switch (info.param) {
    case M_BESTFIT:
      return "BestFit";
    case M_FIRSTFIT:
      return "FirstFit";
    case M_NEXTFIT:
      return "NextFit";
    default:
      return "BestFitTopDown";
  }
}

using ImportFailureTest = FaultTest;

// A seeded random workload on an importing arena; at every step the source
// refuses once and a request that needs an import must fail with ENOMEM
// and change nothing.
TEST_F(ImportFailureTest, LeavesTheArenaUnchanged) {
  for (vmem_size_t quantum : {1, 16, 4096}) {
    test_util::FakeSource src(0x10000000, quantum, 1000);
    vmem_t *vm = vmem_create("import-fail", 0, 0, quantum, 0, M_WAITOK);
    src.Attach(vm, 8 * quantum);
    std::mt19937 rng(static_cast<uint32_t>(quantum));
    std::vector<std::pair<vmem_addr_t, vmem_size_t>> live;
    int checked = 0;
    for (int step = 0; step < 400; step++) {
      if (!live.empty() && rng() % 3 == 0) {
        size_t i = rng() % live.size();
        vmem_free(vm, live[i].first, live[i].second);
        live[i] = live.back();
        live.pop_back();
        continue;
      }
      vmem_size_t size = (1 + rng() % 12) * quantum;
      int fit = kFits[rng() % 4];
      // Larger than any free segment: needs an import.
      bool needs_import =
          vmem_size(vm, VMEM_MAXFREE) < size && vmem_size(vm, VMEM_FREE) < size;
      if (needs_import) {
        vmem_verify(vm);
        const ArenaSnapshot before = ArenaSnapshot::Of(vm);
        src.set_fail(true);
        vmem_addr_t addr;
        int refused_before = src.refused();
        ASSERT_EQ(vmem_alloc(vm, size, fit | M_NOWAIT, &addr), ENOMEM)
            << "step " << step;
        src.set_fail(false);
        EXPECT_GT(src.refused(), refused_before);
        vmem_verify(vm);
        ASSERT_EQ(WithoutTagStock(ArenaSnapshot::Of(vm)),
                  WithoutTagStock(before))
            << "step " << step;
        checked++;
      }
      vmem_addr_t addr;
      if (vmem_alloc(vm, size, fit | M_NOWAIT, &addr) == 0)
        live.push_back({addr, size});
    }
    EXPECT_GT(checked, 5);
    for (auto &l : live) vmem_free(vm, l.first, l.second);
    EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);
    EXPECT_EQ(src.live().size(), 0u) << "wholly free spans not released";
    EXPECT_EQ(src.bad_releases(), 0);
    vmem_destroy(vm);
  }
}

class TagShortageTest : public FaultTest,
                        public ::testing::WithParamInterface<int> {};

// A new arena keeps fewer spare tags after its first span (vs_free_tags)
// than an operation needs in stock (4): with the tag zone empty and
// malloc(9) refusing, every kind of request fails in the refill.
TEST_P(TagShortageTest, EveryRequestFailsAndLeavesTheArenaUnchanged) {
  const int fit = GetParam();
  for (vmem_size_t quantum : {1, 16, 4096}) {
    SCOPED_TRACE(quantum);
    vmem_t *vm =
        vmem_create("btag-fail", 0x100000, 64 * quantum, quantum, 0, M_WAITOK);
    ASSERT_LT(test_util::Stats(vm).vs_free_tags, 4)
        << "the arena's tag stock is too full for the test to reach the zone";
    const ArenaSnapshot before = ArenaSnapshot::Of(vm);
    {
      ZoneDrain drain("vmem btag");
      ASSERT_TRUE(drain.found());
      const uint64_t zone_failures = ZoneStats("vmem btag").failures;
      fail_uma = true;
      vmem_addr_t addr;
      EXPECT_EQ(vmem_alloc(vm, quantum, fit | M_NOWAIT, &addr), ENOMEM);
      vmem_verify(vm);
      EXPECT_EQ(ArenaSnapshot::Of(vm), before);
      EXPECT_EQ(
          vmem_xalloc(vm, 3 * quantum, 4 * quantum, quantum, 0, VMEM_ADDR_MIN,
                      VMEM_ADDR_MAX, fit | M_NOWAIT, &addr),
          ENOMEM);
      vmem_verify(vm);
      EXPECT_EQ(ArenaSnapshot::Of(vm), before);
      EXPECT_EQ(vmem_add(vm, 0x900000, 8 * quantum, M_NOWAIT), ENOMEM);
      vmem_verify(vm);
      EXPECT_EQ(ArenaSnapshot::Of(vm), before);
      // It failed in the tag refill: the zone refused, for want of memory.
      EXPECT_GT(ZoneStats("vmem btag").failures, zone_failures);
      EXPECT_GT(refused.load(), 0) << "the hook was never asked";
      fail_uma = false;
    }
    // With memory back, the same requests succeed.
    vmem_addr_t addr;
    ASSERT_EQ(vmem_alloc(vm, quantum, fit | M_NOWAIT, &addr), 0);
    vmem_free(vm, addr, quantum);
    ASSERT_EQ(vmem_add(vm, 0x900000, 8 * quantum, M_NOWAIT), 0);
    vmem_verify(vm);
    EXPECT_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 72 * quantum);
    vmem_destroy(vm);
  }
}

// On an importing arena the shortage stops the request before the import:
// no span comes in.
TEST_P(TagShortageTest, StopsTheRequestBeforeTheImport) {
  const int fit = GetParam();
  test_util::FakeSource src(0x10000000, 0x1000, 100);
  vmem_t *vm = vmem_create("btag-import", 0, 0, 16, 0, M_WAITOK);
  src.Attach(vm, 0x100);
  vmem_addr_t keep;
  ASSERT_EQ(vmem_alloc(vm, 0x10, M_BESTFIT | M_NOWAIT, &keep), 0);
  ASSERT_LT(test_util::Stats(vm).vs_free_tags, 4);
  const ArenaSnapshot before = ArenaSnapshot::Of(vm);
  int imports = src.import_count();
  {
    ZoneDrain drain("vmem btag");
    fail_uma = true;
    vmem_addr_t addr;
    EXPECT_EQ(vmem_alloc(vm, 0x1000, fit | M_NOWAIT, &addr), ENOMEM);
    fail_uma = false;
  }
  EXPECT_EQ(src.import_count(), imports);
  vmem_verify(vm);
  EXPECT_EQ(ArenaSnapshot::Of(vm), before);
  vmem_free(vm, keep, 0x10);
  EXPECT_EQ(src.live().size(), 0u);
  vmem_destroy(vm);
}

// Through the quantum cache: the cache's import from the arena and the
// fallback vmem_xalloc() both lack tags; ENOMEM, arena unchanged.
TEST_P(TagShortageTest, ThroughTheQuantumCache) {
  const int fit = GetParam();
  vmem_t *vm = vmem_create("qc-fail", 0x1000, 0x10000, 16, 64, M_WAITOK);
  ASSERT_LT(test_util::Stats(vm).vs_free_tags, 4);
  const ArenaSnapshot before = ArenaSnapshot::Of(vm);
  {
    ZoneDrain drain("vmem btag");
    fail_uma = true;
    vmem_addr_t addr;
    EXPECT_EQ(vmem_alloc(vm, 32, fit | M_NOWAIT, &addr), ENOMEM);
    fail_uma = false;
  }
  vmem_verify(vm);
  EXPECT_EQ(ArenaSnapshot::Of(vm), before);
  vmem_addr_t addr;
  ASSERT_EQ(vmem_alloc(vm, 32, fit | M_NOWAIT, &addr), 0);
  vmem_free(vm, addr, 32);
  vmem_destroy(vm);
}

INSTANTIATE_TEST_SUITE_P(Fits, TagShortageTest, ::testing::ValuesIn(kFits),
                         FitName);

using CreateFailureTest = FaultTest;

// vmem_create(M_NOWAIT) with no memory: NULL, nothing leaked, and the zones
// hold what they held. With arenas' storage available but no tags,
// vmem_init() fails in vmem_add() and tears the arena down again (with a
// quantum cache set up and destroyed on the way). With memory back, the
// same create succeeds.
TEST_F(CreateFailureTest, FailsCleanly) {
  // Warm the zones up: the arena zone keeps this arena's storage.
  vmem_destroy(vmem_create("warm", 0, 0, 1, 0, M_WAITOK));
  const uma_zone_stats arenas_before = ZoneStats("vmem");
  {
    ZoneDrain tags("vmem btag");
    fail_uma = true;
    for (vmem_size_t qcache_max : {0, 64}) {
      EXPECT_EQ(vmem_create("nomem", 0x1000, 0x1000, 16, qcache_max, M_NOWAIT),
                nullptr);
    }
    {
      ZoneDrain arena_storage("vmem");
      EXPECT_EQ(vmem_create("nomem", 0x1000, 0x1000, 16, 0, M_NOWAIT), nullptr);
      EXPECT_EQ(vmem_create("nomem", 0, 0, 16, 0, M_NOWAIT), nullptr);
    }
    fail_uma = false;
  }
  EXPECT_EQ(ZoneStats("vmem").inuse, arenas_before.inuse) << "an arena leaked";
  // No arena named "nomem" is left on the list.
  int found = 0;
  vmem_foreach(
      [](vmem_t *vm, void *arg) {
        if (strcmp(test_util::Stats(vm).vs_name, "nomem") == 0)
          ++*static_cast<int *>(arg);
      },
      &found);
  EXPECT_EQ(found, 0);
  vmem_t *vm = vmem_create("nomem", 0x1000, 0x1000, 1, 0, M_NOWAIT);
  ASSERT_NE(vm, nullptr);
  vmem_verify(vm);
  vmem_destroy(vm);
}

using HashResizeFailureTest = FaultTest;

// The busy-tag hash cannot grow (its malloc(9) M_NOWAIT fails): the
// allocations still succeed, the hash stays as it is and stays consistent;
// with memory back it grows.
TEST_F(HashResizeFailureTest, IsHarmless) {
  vmem_t *vm = vmem_create("hash-fail", 0x1000, 1024, 1, 0, M_WAITOK);
  const vmem_size_t buckets = test_util::Stats(vm).vs_hash_buckets;
  fail_vmem = true;
  std::vector<vmem_addr_t> addrs;
  for (int i = 0; i < 200; i++) {
    vmem_addr_t a;
    ASSERT_EQ(vmem_alloc(vm, 1, M_FIRSTFIT | M_NOWAIT, &a), 0);
    addrs.push_back(a);
  }
  vmem_verify(vm);
  EXPECT_EQ(test_util::Stats(vm).vs_hash_buckets, buckets);
  EXPECT_GT(refused.load(), 0);
  fail_vmem = false;
  vmem_addr_t a;
  ASSERT_EQ(vmem_alloc(vm, 1, M_FIRSTFIT | M_NOWAIT, &a), 0);
  addrs.push_back(a);
  EXPECT_GT(test_util::Stats(vm).vs_hash_buckets, buckets);
  for (vmem_addr_t x : addrs) vmem_free(vm, x, 1);
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);
  vmem_destroy(vm);
}

}  // namespace
}  // namespace vmem_test
