// Deterministic fault injection: every M_NOWAIT failure returns ENOMEM and
// leaves the arena exactly as it was (same spans, segments and sizes;
// vmem_verify() holds), and nothing leaks (the asan run's leak check).
//
// Paths: (a) the import callback fails; (b) boundary tags run out: the tag
// zone ("vmem btag") is emptied with M_NOVM allocations (which take only
// items the zone holds, <vm/uma.h>) and malloc(9)'s failure hook refuses
// M_NOWAIT memory, so the arena cannot top up its stock of tags; (c)
// malloc(9) failures in vmem_create(M_NOWAIT) and in the busy-tag hash
// resize; (d) the same through the quantum cache.
#include <errno.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include <sys/malloc.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>
#include <vm/uma.h>

#include "gtest/gtest.h"
#include "tests/fuzz/driver.h"
#include "tests/util/fake_source.h"

namespace vmem_fuzz {
namespace {

struct Seg {
  vmem_addr_t start;
  vmem_size_t size;
  int type;
  bool operator==(const Seg &o) const {
    return start == o.start && size == o.size && type == o.type;
  }
};

// Everything observable about an arena.
struct Snapshot {
  std::vector<Seg> segs;
  vmem_size_t inuse, total, freesz;
  bool operator==(const Snapshot &o) const {
    return segs == o.segs && inuse == o.inuse && total == o.total &&
           freesz == o.freesz;
  }
};

void Collect(void *arg, vmem_addr_t start, vmem_size_t size, int type) {
  static_cast<std::vector<Seg> *>(arg)->push_back({start, size, type});
}

Snapshot Take(vmem_t *vm) {
  vmem_verify(vm);
  Snapshot s;
  vmem_walk_segments(vm, VMEM_WALK_ALLOC | VMEM_WALK_FREE | VMEM_WALK_SPAN,
                     &Collect, &s.segs);
  s.inuse = vmem_size(vm, VMEM_ALLOC);
  s.total = vmem_size(vm, VMEM_ALLOC | VMEM_FREE);
  s.freesz = vmem_size(vm, VMEM_FREE);
  return s;
}

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

// (a) A seeded random workload on an importing arena; at every step the
// source refuses once and a request that needs an import must fail with
// ENOMEM and change nothing.
TEST_F(FaultTest, ImportFailureLeavesArenaUnchanged) {
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
        Snapshot before = Take(vm);
        src.set_fail(true);
        vmem_addr_t addr;
        int refused_before = src.refused();
        ASSERT_EQ(vmem_alloc(vm, size, fit | M_NOWAIT, &addr), ENOMEM)
            << "step " << step;
        src.set_fail(false);
        EXPECT_GT(src.refused(), refused_before);
        ASSERT_TRUE(Take(vm) == before) << "arena changed, step " << step;
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

// (b) Boundary tags run out. A new arena keeps 2 spare tags after its first
// span (vs_free_tags); an allocation needs 4 in stock, so with the tag zone
// empty and malloc(9) refusing, every kind of request fails.
TEST_F(FaultTest, BoundaryTagShortageLeavesArenaUnchanged) {
  for (vmem_size_t quantum : {1, 4096}) {
    vmem_t *vm =
        vmem_create("btag-fail", 0x100000, 64 * quantum, quantum, 0, M_WAITOK);
    struct vmem_stats st;
    vmem_get_stats(vm, &st);
    ASSERT_LT(st.vs_free_tags, 4) << "the arena's tag stock is too full for "
                                     "the test to reach the zone";
    Snapshot before = Take(vm);
    {
      ZoneDrain drain("vmem btag");
      ASSERT_TRUE(drain.found());
      fail_uma = true;
      vmem_addr_t addr;
      for (int fit : kFits) {
        EXPECT_EQ(vmem_alloc(vm, quantum, fit | M_NOWAIT, &addr), ENOMEM);
        EXPECT_TRUE(Take(vm) == before);
        EXPECT_EQ(
            vmem_xalloc(vm, 3 * quantum, 4 * quantum, quantum, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, fit | M_NOWAIT, &addr),
            ENOMEM);
        EXPECT_TRUE(Take(vm) == before);
      }
      EXPECT_EQ(vmem_add(vm, 0x900000, 8 * quantum, M_NOWAIT), ENOMEM);
      EXPECT_TRUE(Take(vm) == before);
      EXPECT_GT(refused.load(), 0) << "the hook was never asked";
      fail_uma = false;
    }
    // With memory back, the same requests succeed.
    vmem_addr_t addr;
    ASSERT_EQ(vmem_alloc(vm, quantum, M_BESTFIT | M_NOWAIT, &addr), 0);
    vmem_free(vm, addr, quantum);
    EXPECT_TRUE(Take(vm) == before);
    vmem_destroy(vm);
  }
}

// (b) on an importing arena: the tag shortage stops the request before the
// import (no span comes in).
TEST_F(FaultTest, BoundaryTagShortageBeforeImport) {
  test_util::FakeSource src(0x10000000, 0x1000, 100);
  vmem_t *vm = vmem_create("btag-import", 0, 0, 16, 0, M_WAITOK);
  src.Attach(vm, 0x100);
  vmem_addr_t keep;
  ASSERT_EQ(vmem_alloc(vm, 0x10, M_BESTFIT | M_NOWAIT, &keep), 0);
  struct vmem_stats st;
  vmem_get_stats(vm, &st);
  ASSERT_LT(st.vs_free_tags, 4);
  Snapshot before = Take(vm);
  int imports = src.import_count();
  {
    ZoneDrain drain("vmem btag");
    fail_uma = true;
    vmem_addr_t addr;
    EXPECT_EQ(vmem_alloc(vm, 0x1000, M_BESTFIT | M_NOWAIT, &addr), ENOMEM);
    fail_uma = false;
  }
  EXPECT_EQ(src.import_count(), imports);
  EXPECT_TRUE(Take(vm) == before);
  vmem_free(vm, keep, 0x10);
  EXPECT_EQ(src.live().size(), 0u);
  vmem_destroy(vm);
}

// (c) vmem_create(M_NOWAIT) with no memory: NULL, nothing leaked, and the
// zones hold what they held. With arenas' storage available but no tags,
// vmem_init() fails in vmem_add() and tears the arena down again (with a
// quantum cache set up and destroyed on the way).
TEST_F(FaultTest, CreateFailsCleanly) {
  // Warm the zones up so they exist.
  vmem_destroy(vmem_create("warm", 0, 0, 1, 0, M_WAITOK));
  uma_zone_t arenas = FindZone("vmem");
  ASSERT_NE(arenas, nullptr);
  struct uma_zone_stats zs_before;
  uma_zone_get_stats(arenas, &zs_before);
  {
    ZoneDrain tags("vmem btag");
    fail_uma = true;
    for (vmem_size_t qcache_max : {0, 64}) {
      // The arena zone keeps the "warm" arena's storage: vmem_init() runs
      // and fails to add the span.
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
  struct uma_zone_stats zs_after;
  uma_zone_get_stats(arenas, &zs_after);
  EXPECT_EQ(zs_after.inuse, zs_before.inuse) << "an arena leaked";
  // No arena named "nomem" is left on the list.
  int found = 0;
  vmem_foreach(
      [](vmem_t *vm, void *arg) {
        struct vmem_stats st;
        vmem_get_stats(vm, &st);
        if (strcmp(st.vs_name, "nomem") == 0) ++*static_cast<int *>(arg);
      },
      &found);
  EXPECT_EQ(found, 0);
}

// (c) The busy-tag hash cannot grow (its malloc(9) M_NOWAIT fails): the
// allocations still succeed, the hash stays as it is and stays consistent;
// with memory back it grows.
TEST_F(FaultTest, HashResizeFailureIsHarmless) {
  vmem_t *vm = vmem_create("hash-fail", 0x1000, 1024, 1, 0, M_WAITOK);
  struct vmem_stats st;
  vmem_get_stats(vm, &st);
  vmem_size_t buckets = st.vs_hash_buckets;
  fail_vmem = true;
  std::vector<vmem_addr_t> addrs;
  for (int i = 0; i < 200; i++) {
    vmem_addr_t a;
    ASSERT_EQ(vmem_alloc(vm, 1, M_FIRSTFIT | M_NOWAIT, &a), 0);
    addrs.push_back(a);
  }
  vmem_verify(vm);
  vmem_get_stats(vm, &st);
  EXPECT_EQ(st.vs_hash_buckets, buckets);
  EXPECT_GT(refused.load(), 0);
  fail_vmem = false;
  vmem_addr_t a;
  ASSERT_EQ(vmem_alloc(vm, 1, M_FIRSTFIT | M_NOWAIT, &a), 0);
  addrs.push_back(a);
  vmem_get_stats(vm, &st);
  EXPECT_GT(st.vs_hash_buckets, buckets);
  for (vmem_addr_t x : addrs) vmem_free(vm, x, 1);
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);
  vmem_destroy(vm);
}

// (d) Through the quantum cache: the cache's import from the arena and the
// fallback vmem_xalloc() both lack tags; ENOMEM, arena unchanged.
TEST_F(FaultTest, QuantumCacheTagShortage) {
  vmem_t *vm = vmem_create("qc-fail", 0x1000, 0x10000, 16, 64, M_WAITOK);
  struct vmem_stats st;
  vmem_get_stats(vm, &st);
  ASSERT_LT(st.vs_free_tags, 4);
  Snapshot before = Take(vm);
  {
    ZoneDrain drain("vmem btag");
    fail_uma = true;
    vmem_addr_t addr;
    EXPECT_EQ(vmem_alloc(vm, 32, M_BESTFIT | M_NOWAIT, &addr), ENOMEM);
    fail_uma = false;
  }
  EXPECT_TRUE(Take(vm) == before);
  vmem_addr_t addr;
  ASSERT_EQ(vmem_alloc(vm, 32, M_BESTFIT | M_NOWAIT, &addr), 0);
  vmem_free(vm, addr, 32);
  vmem_destroy(vm);
}

}  // namespace
}  // namespace vmem_fuzz
