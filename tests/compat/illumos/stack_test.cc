// Three arenas stacked as illumos's kernel sets them up at boot: a heap
// arena over a fixed range, a VA arena importing from it with quantum
// caches (kmem_va), and a default arena importing from that
// (kmem_default). Imports go through tracked afunc/ffunc (test_util.h)
// that check every span comes back whole, once, with its size.
#include <stdint.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "compat/illumos/illumos_vmem.h"
#include "gtest/gtest.h"
#include "tests/compat/illumos/test_util.h"

namespace illumos_test {
namespace {

constexpr size_t kPage = 0x1000;
constexpr uintptr_t kHeapBase = 0x40000000;

struct Stack {
  vmem_t *heap = nullptr, *va = nullptr, *def = nullptr;

  explicit Stack(size_t heap_pages) {
    heap = illumos_vmem_create("heap", P(kHeapBase), heap_pages * kPage, kPage,
                               nullptr, nullptr, nullptr, 0, VM_SLEEP);
    va = illumos_vmem_create("kmem_va", nullptr, 0, kPage, &TrackedAlloc,
                             &TrackedFree, heap, 8 * kPage, VM_SLEEP);
    def = illumos_vmem_create("kmem_default", nullptr, 0, kPage, &TrackedAlloc,
                              &TrackedFree, va, 0, VM_SLEEP);
  }
  ~Stack() {
    Destroy(def);
    Destroy(va);
    Destroy(heap);
  }
  static void Destroy(vmem_t *&vm) {
    if (vm == nullptr) return;
    illumos_vmem_destroy(vm);
    Ledger::Get().Forget(vm);
    vm = nullptr;
  }
};

bool Contains(const std::vector<Seg> &segs, Seg s) {
  return std::find(segs.begin(), segs.end(), s) != segs.end();
}

// Each level's spans are exactly the allocations it holds in the level
// below, and exactly what the ledger says is outstanding there.
void ExpectLayered(const Stack &s) {
  const struct {
    vmem_t *child, *parent;
  } levels[] = {{s.def, s.va}, {s.va, s.heap}};
  for (const auto &l : levels) {
    if (l.child == nullptr) continue;
    std::vector<Seg> spans = Walk(l.child, VMEM_SPAN);
    std::vector<Seg> parent_alloc = Walk(l.parent, VMEM_ALLOC);
    size_t total = 0;
    for (const Seg &span : spans) {
      EXPECT_TRUE(Contains(parent_alloc, span))
          << "span " << std::hex << span.first << "+" << span.second;
      total += span.second;
    }
    EXPECT_EQ(total, illumos_vmem_size(l.child, VMEM_ALLOC | VMEM_FREE));
    std::map<uintptr_t, size_t> outstanding(spans.begin(), spans.end());
    EXPECT_EQ(outstanding, Ledger::Get().Outstanding(l.parent));
  }
  EXPECT_EQ(Ledger::Get().Errors(), 0);
}

// No two live allocations of one arena overlap; all lie in its spans.
void ExpectDisjointInArena(vmem_t *vm, std::vector<Seg> live) {
  std::sort(live.begin(), live.end());
  for (size_t i = 0; i < live.size(); i++) {
    EXPECT_TRUE(illumos_vmem_contains(vm, P(live[i].first), live[i].second));
    EXPECT_EQ(live[i].first % kPage, 0u);
    if (i > 0) {
      EXPECT_LE(live[i - 1].first + live[i - 1].second, live[i].first);
    }
  }
}

TEST(IllumosStackTest, AllocateAtEveryLevelThenReturnEverySpan) {
  Stack s(4096);
  ASSERT_NE(s.heap, nullptr);
  ASSERT_NE(s.va, nullptr);
  ASSERT_NE(s.def, nullptr);
  EXPECT_EQ(illumos_vmem_size(s.va, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_TRUE(Walk(s.def, VMEM_SPAN).empty());

  // The heap: plain and constrained allocations next to the imports.
  std::vector<Seg> heap_live, va_live, va_xlive, def_live;
  void *p = illumos_vmem_alloc(s.heap, 3 * kPage, VM_SLEEP);
  ASSERT_NE(p, nullptr);
  heap_live.push_back({U(p), 3 * kPage});
  p = illumos_vmem_xalloc(s.heap, 2 * kPage, 16 * kPage, 0, 0, nullptr, nullptr,
                          VM_SLEEP | VM_BESTFIT);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(U(p) % (16 * kPage), 0u);
  heap_live.push_back({U(p), 2 * kPage});

  // The VA arena: cached sizes (up to 8 pages) and larger ones.
  for (size_t pages : {1, 2, 8, 20, 1, 3, 9}) {
    p = illumos_vmem_alloc(s.va, pages * kPage,
                           pages == 9 ? VM_NOSLEEP : VM_SLEEP);
    ASSERT_NE(p, nullptr) << pages;
    va_live.push_back({U(p), pages * kPage});
  }
  p = illumos_vmem_xalloc(s.va, 4 * kPage, 8 * kPage, 0, 0, nullptr, nullptr,
                          VM_SLEEP);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(U(p) % (8 * kPage), 0u);
  va_xlive.push_back({U(p), 4 * kPage});

  // The default arena, with every policy.
  const int policies[] = {
      VM_SLEEP,    VM_BESTFIT,    VM_FIRSTFIT, VM_NEXTFIT,
      VM_ENDALLOC, VM_INSTANTFIT, VM_NOSLEEP,  VM_BESTFIT | VM_ENDALLOC};
  for (int round = 0; round < 3; round++) {
    for (size_t pages = 1; pages <= 12; pages++) {
      int vmflag = policies[(pages + round) % 8];
      p = illumos_vmem_alloc(s.def, pages * kPage, vmflag);
      ASSERT_NE(p, nullptr) << pages << " " << vmflag;
      def_live.push_back({U(p), pages * kPage});
    }
  }
  // Some frees in the middle, and allocations that reuse the holes.
  for (size_t i = 0; i < def_live.size(); i += 3) {
    illumos_vmem_free(s.def, P(def_live[i].first), def_live[i].second);
    def_live[i].second = 0;
  }
  def_live.erase(std::remove_if(def_live.begin(), def_live.end(),
                                [](const Seg &g) { return g.second == 0; }),
                 def_live.end());
  for (size_t pages : {1, 5, 2}) {
    p = illumos_vmem_alloc(s.def, pages * kPage, VM_SLEEP | VM_BESTFIT);
    ASSERT_NE(p, nullptr);
    def_live.push_back({U(p), pages * kPage});
  }

  ExpectDisjointInArena(s.heap, heap_live);
  std::vector<Seg> va_all = va_live;
  va_all.insert(va_all.end(), va_xlive.begin(), va_xlive.end());
  ExpectDisjointInArena(s.va, va_all);
  ExpectDisjointInArena(s.def, def_live);
  ExpectLayered(s);
  EXPECT_GT(Ledger::Get().Imports(s.va), 0);
  EXPECT_GT(Ledger::Get().Imports(s.heap), 0);

  // The default arena has no quantum cache: its allocated segments are
  // exactly what was allocated.
  std::vector<Seg> walked = Walk(s.def, VMEM_ALLOC), want = def_live;
  std::sort(walked.begin(), walked.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(walked, want);
  size_t def_bytes = 0;
  for (const Seg &g : def_live) def_bytes += g.second;
  EXPECT_EQ(illumos_vmem_size(s.def, VMEM_ALLOC), def_bytes);

  // Free the default arena: every span it imported goes back to kmem_va.
  for (const Seg &g : def_live) illumos_vmem_free(s.def, P(g.first), g.second);
  EXPECT_TRUE(Walk(s.def, VMEM_SPAN).empty());
  EXPECT_EQ(illumos_vmem_size(s.def, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_TRUE(Ledger::Get().Outstanding(s.va).empty());
  EXPECT_EQ(Ledger::Get().Imports(s.va), Ledger::Get().Releases(s.va));

  // Free kmem_va; its quantum caches may keep spans until the arena goes.
  for (const Seg &g : va_live) illumos_vmem_free(s.va, P(g.first), g.second);
  for (const Seg &g : va_xlive) illumos_vmem_xfree(s.va, P(g.first), g.second);
  ExpectLayered(s);
  Stack::Destroy(s.def);
  Stack::Destroy(s.va);
  EXPECT_TRUE(Ledger::Get().Outstanding(s.heap).empty());
  EXPECT_EQ(Ledger::Get().Imports(s.heap), Ledger::Get().Releases(s.heap));
  EXPECT_EQ(Ledger::Get().Errors(), 0);

  // What is left of the heap is its own allocations in its one span.
  std::vector<Seg> heap_alloc = Walk(s.heap, VMEM_ALLOC);
  std::sort(heap_alloc.begin(), heap_alloc.end());
  std::sort(heap_live.begin(), heap_live.end());
  EXPECT_EQ(heap_alloc, heap_live);
  for (const Seg &g : heap_live) {
    if (g.second == 2 * kPage)
      illumos_vmem_xfree(s.heap, P(g.first), g.second);
    else
      illumos_vmem_free(s.heap, P(g.first), g.second);
  }
  EXPECT_EQ(illumos_vmem_size(s.heap, VMEM_ALLOC), 0u);
  EXPECT_EQ(Walk(s.heap, VMEM_SPAN),
            (std::vector<Seg>{{kHeapBase, 4096 * kPage}}));
  EXPECT_EQ(Walk(s.heap, VMEM_FREE),
            (std::vector<Seg>{{kHeapBase, 4096 * kPage}}));
}

TEST(IllumosStackTest, SleepingAllocationWaitsForTheBottomLevel) {
  Stack s(64);
  // Take the whole heap.
  void *all = illumos_vmem_alloc(s.heap, 64 * kPage, VM_SLEEP);
  ASSERT_EQ(U(all), kHeapBase);

  // 10 pages: above kmem_va's quantum caches, so kmem_va imports for it.
  vmem_t *def = s.def;
  auto fut =
      Spawn([def] { return illumos_vmem_alloc(def, 10 * kPage, VM_SLEEP); });
  // Wait until kmem_va's import from the heap is under way and asleep or
  // about to sleep; nothing can be allocated before the heap has space.
  ASSERT_TRUE(WaitUntil([&] { return Ledger::Get().Sleeping(s.heap) > 0; }));
  EXPECT_EQ(fut.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

  illumos_vmem_free(s.heap, all, 64 * kPage);
  ASSERT_EQ(fut.wait_for(kHangTimeout), std::future_status::ready);
  void *p = fut.get();
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(illumos_vmem_contains(s.def, p, 10 * kPage));
  EXPECT_GE(U(p), kHeapBase);
  EXPECT_LE(U(p) + 10 * kPage, kHeapBase + 64 * kPage);
  ExpectLayered(s);

  illumos_vmem_free(s.def, p, 10 * kPage);
  EXPECT_TRUE(Ledger::Get().Outstanding(s.va).empty());
  EXPECT_TRUE(Ledger::Get().Outstanding(s.heap).empty());
  EXPECT_EQ(illumos_vmem_size(s.heap, VMEM_ALLOC), 0u);
}

TEST(IllumosStackTest, NoSleepOnAnExhaustedStackFailsAndChangesNothing) {
  Stack s(64);
  void *d = illumos_vmem_alloc(s.def, 10 * kPage, VM_SLEEP);
  ASSERT_NE(d, nullptr);
  void *v = illumos_vmem_alloc(s.va, 12 * kPage, VM_SLEEP);
  ASSERT_NE(v, nullptr);
  size_t rest = illumos_vmem_size(s.heap, VMEM_FREE);
  ASSERT_EQ(rest, 42 * kPage);
  void *h = illumos_vmem_alloc(s.heap, rest, VM_NOSLEEP);
  ASSERT_NE(h, nullptr);

  const Snapshot heap0 = Snapshot::Of(s.heap), va0 = Snapshot::Of(s.va),
                 def0 = Snapshot::Of(s.def);
  const int imports_va = Ledger::Get().Imports(s.va);
  const int imports_heap = Ledger::Get().Imports(s.heap);

  for (int vmflag :
       {VM_NOSLEEP, VM_NOSLEEP | VM_BESTFIT, VM_NOSLEEP | VM_FIRSTFIT,
        VM_NOSLEEP | VM_NEXTFIT, VM_NOSLEEP | VM_ENDALLOC}) {
    for (size_t pages : {1, 10, 20}) {
      EXPECT_EQ(illumos_vmem_alloc(s.def, pages * kPage, vmflag), nullptr)
          << pages << " " << vmflag;
      EXPECT_EQ(illumos_vmem_alloc(s.va, pages * kPage, vmflag), nullptr)
          << pages << " " << vmflag;
    }
  }
  EXPECT_EQ(illumos_vmem_xalloc(s.def, kPage, 4 * kPage, kPage, 0, nullptr,
                                nullptr, VM_NOSLEEP),
            nullptr);
  EXPECT_EQ(illumos_vmem_alloc(s.heap, kPage, VM_NOSLEEP), nullptr);

  EXPECT_TRUE(Snapshot::Of(s.heap) == heap0);
  EXPECT_TRUE(Snapshot::Of(s.va) == va0);
  EXPECT_TRUE(Snapshot::Of(s.def) == def0);
  // Imports were tried and failed: nothing imported, nothing released.
  EXPECT_EQ(Ledger::Get().Imports(s.va), imports_va);
  EXPECT_EQ(Ledger::Get().Imports(s.heap), imports_heap);
  ExpectLayered(s);

  illumos_vmem_free(s.heap, h, rest);
  illumos_vmem_free(s.va, v, 12 * kPage);
  illumos_vmem_free(s.def, d, 10 * kPage);
  EXPECT_TRUE(Ledger::Get().Outstanding(s.va).empty());
  EXPECT_TRUE(Ledger::Get().Outstanding(s.heap).empty());
}

TEST(IllumosStackTest, WalkAndContainsMatchTheAllocations) {
  Stack s(1024);
  std::vector<Seg> live;
  for (size_t pages : {3, 12, 1, 30, 7}) {
    void *p = illumos_vmem_alloc(s.def, pages * kPage, VM_SLEEP);
    ASSERT_NE(p, nullptr);
    live.push_back({U(p), pages * kPage});
  }
  std::vector<Seg> spans = Walk(s.def, VMEM_SPAN);
  ASSERT_FALSE(spans.empty());

  // Every allocation and every span is contained; ranges that leave a span
  // or lie outside every span are not.
  for (const Seg &g : live) {
    EXPECT_TRUE(illumos_vmem_contains(s.def, P(g.first), g.second));
    EXPECT_TRUE(illumos_vmem_contains(s.def, P(g.first + kPage / 2), 1));
  }
  for (const Seg &span : spans) {
    EXPECT_TRUE(illumos_vmem_contains(s.def, P(span.first), span.second));
    EXPECT_FALSE(illumos_vmem_contains(s.def, P(span.first), span.second + 1));
    EXPECT_FALSE(illumos_vmem_contains(s.def, P(span.first - 1), 2));
  }
  EXPECT_FALSE(illumos_vmem_contains(s.def, P(kHeapBase - kPage), kPage));
  EXPECT_FALSE(illumos_vmem_contains(s.def, P(kHeapBase + 1024 * kPage), 1));

  // The walk: spans, then their segments; allocated plus free segments
  // tile the spans exactly.
  std::vector<Seg> segs = Walk(s.def, VMEM_ALLOC | VMEM_FREE);
  std::vector<Seg> alloc = Walk(s.def, VMEM_ALLOC);
  std::sort(alloc.begin(), alloc.end());
  std::vector<Seg> want = live;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(alloc, want);
  std::sort(segs.begin(), segs.end());
  std::sort(spans.begin(), spans.end());
  size_t i = 0;
  for (const Seg &span : spans) {
    uintptr_t at = span.first;
    while (i < segs.size() && segs[i].first < span.first + span.second) {
      EXPECT_EQ(segs[i].first, at);
      at += segs[i].second;
      i++;
    }
    EXPECT_EQ(at, span.first + span.second);
  }
  EXPECT_EQ(i, segs.size());
  // Span markers come before their segments in the walk order.
  std::vector<Seg> all = Walk(s.def, VMEM_SPAN | VMEM_ALLOC | VMEM_FREE);
  ASSERT_FALSE(all.empty());
  EXPECT_TRUE(Contains(spans, all.front()));

  // VMEM_REENTRANT: the callback may call into the arena; here it frees
  // each allocated segment it is shown.
  struct Ctx {
    vmem_t *vm;
    int freed;
  } ctx{s.def, 0};
  illumos_vmem_walk(
      s.def, VMEM_ALLOC | VMEM_REENTRANT,
      [](void *arg, void *start, size_t size) {
        Ctx *c = static_cast<Ctx *>(arg);
        illumos_vmem_free(c->vm, start, size);
        c->freed++;
      },
      &ctx);
  EXPECT_EQ(ctx.freed, 5);
  EXPECT_EQ(illumos_vmem_size(s.def, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_TRUE(Walk(s.def, VMEM_SPAN | VMEM_ALLOC | VMEM_FREE).empty());
  EXPECT_TRUE(Ledger::Get().Outstanding(s.va).empty());
}

// Stacked with the source's own vmem_alloc and vmem_free, a constrained
// allocation imports, where illumos never does: one span that meets its
// window, boundary and alignment (kern/PORTING.md entry 40), given back
// with vmem_xfree() once free.
TEST(IllumosStackTest, ConstrainedAllocationImportsOneSpanFromASourceArena) {
  constexpr size_t kGiB = size_t{1} << 30, kMiB = size_t{1} << 20;
  vmem_t *parent = illumos_vmem_create("parent", P(kHeapBase), kGiB, kPage,
                                       nullptr, nullptr, nullptr, 0, VM_SLEEP);
  vmem_t *child =
      illumos_vmem_create("child", nullptr, 0, kPage, &illumos_vmem_alloc,
                          &illumos_vmem_free, parent, 0, VM_SLEEP);
  void *lo = P(kHeapBase + kGiB - kMiB), *hi = P(kHeapBase + kGiB);
  void *a = illumos_vmem_xalloc(child, 2 * kPage, 16 * kPage, 0, 64 * kPage, lo,
                                hi, VM_NOSLEEP | VM_BESTFIT);
  ASSERT_NE(a, nullptr);
  const uintptr_t x = reinterpret_cast<uintptr_t>(a);
  EXPECT_GE(x, kHeapBase + kGiB - kMiB);
  EXPECT_EQ(x % (16 * kPage), 0u);
  EXPECT_EQ(Walk(child, VMEM_SPAN).size(), 1u);
  EXPECT_EQ(illumos_vmem_size(parent, VMEM_ALLOC),
            illumos_vmem_size(child, VMEM_ALLOC | VMEM_FREE));
  illumos_vmem_xfree(child, a, 2 * kPage);
  EXPECT_TRUE(Walk(child, VMEM_SPAN).empty());
  EXPECT_EQ(illumos_vmem_size(parent, VMEM_ALLOC), 0u);
  // Unconstrained allocations import as before, and go back by ffunc.
  void *b = illumos_vmem_alloc(child, 3 * kPage, VM_NOSLEEP);
  ASSERT_NE(b, nullptr);
  illumos_vmem_free(child, b, 3 * kPage);
  EXPECT_EQ(illumos_vmem_size(parent, VMEM_ALLOC), 0u);
  illumos_vmem_destroy(child);
  illumos_vmem_destroy(parent);
}

}  // namespace
}  // namespace illumos_test
