// Span import: vmem_xcreate()'s import functions that enlarge the span or
// are given the alignment (VMC_XALIGN), the alignment slack and minimum
// imports of vmem_create() arenas, and releases with the size imported.
#include <stdint.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "compat/illumos/illumos_vmem.h"
#include "gtest/gtest.h"
#include "tests/compat/illumos/test_util.h"

namespace illumos_test {
namespace {

constexpr size_t kPage = 0x1000;
constexpr uintptr_t kBase = 0x10000000;
constexpr size_t kGrow = 16 * kPage;

// What the import functions were asked.
struct Ask {
  size_t size, align;
  bool operator==(const Ask &o) const {
    return size == o.size && align == o.align;
  }
};
std::mutex asks_mu;
std::vector<Ask> asks;
void Record(size_t size, size_t align) {
  std::lock_guard<std::mutex> lock(asks_mu);
  asks.push_back({size, align});
}
std::vector<Ask> TakeAsks() {
  std::lock_guard<std::mutex> lock(asks_mu);
  std::vector<Ask> a;
  a.swap(asks);
  return a;
}

// Brings in at least kGrow.
void *GrowImport(vmem_t *src, size_t *sizep, size_t align, int vmflag) {
  Record(*sizep, align);
  size_t want = std::max(*sizep, kGrow);
  void *p = TrackedAlloc(src, want, vmflag);
  if (p != nullptr) *sizep = want;
  return p;
}

// Brings in exactly what is asked, aligned as asked.
void *AlignedImport(vmem_t *src, size_t *sizep, size_t align, int vmflag) {
  Record(*sizep, align);
  void *p =
      illumos_vmem_xalloc(src, *sizep, align, 0, 0, nullptr, nullptr, vmflag);
  if (p != nullptr) Ledger::Get().Imported(src, p, *sizep);
  return p;
}
void AlignedFree(vmem_t *src, void *addr, size_t size) {
  Ledger::Get().Released(src, addr, size);
  illumos_vmem_xfree(src, addr, size);
}

class IllumosXimportTest : public testing::Test {
 protected:
  void SetUp() override {
    TakeAsks();
    heap_ = NewSource("heap", kBase, 1024 * kPage, kPage);
    ASSERT_NE(heap_, nullptr);
  }
  void TearDown() override { DestroySource(heap_); }
  // Takes the first page of the heap, so that spans it hands out next are
  // not aligned to more than a page.
  void *Misalign() {
    void *p = illumos_vmem_alloc(heap_, kPage, VM_SLEEP);
    EXPECT_EQ(U(p), kBase);
    return p;
  }
  vmem_t *heap_ = nullptr;
};

TEST_F(IllumosXimportTest, ImportMayBringInMoreAndAllOfItIsKept) {
  vmem_t *vm = illumos_vmem_xcreate("grow", nullptr, 0, kPage, &GrowImport,
                                    &TrackedFree, heap_, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  std::vector<void *> pages;
  for (int i = 0; i < 16; i++) {
    pages.push_back(illumos_vmem_alloc(vm, kPage, VM_SLEEP));
    ASSERT_NE(pages.back(), nullptr);
  }
  // One import asked for a page and brought in 16; all were used.
  EXPECT_EQ(TakeAsks(), (std::vector<Ask>{{kPage, kPage}}));
  EXPECT_EQ(Ledger::Get().Imports(heap_), 1);
  std::vector<Seg> spans = Walk(vm, VMEM_SPAN);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].second, kGrow);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), kGrow);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_FREE), 0u);
  for (void *p : pages) EXPECT_TRUE(illumos_vmem_contains(vm, p, kPage));

  // The 17th page needs another import; a larger request gets its size.
  pages.push_back(illumos_vmem_alloc(vm, kPage, VM_SLEEP));
  void *big = illumos_vmem_alloc(vm, 20 * kPage, VM_SLEEP);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(TakeAsks(),
            (std::vector<Ask>{{kPage, kPage}, {20 * kPage, kPage}}));
  EXPECT_EQ(Ledger::Get().Imports(heap_), 3);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE),
            2 * kGrow + 20 * kPage);

  // Spans go back whole, with the size imported, as they empty.
  illumos_vmem_free(vm, big, 20 * kPage);
  EXPECT_EQ(Ledger::Get().Releases(heap_), 1);
  for (void *p : pages) illumos_vmem_free(vm, p, kPage);
  EXPECT_EQ(Ledger::Get().Releases(heap_), 3);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_EQ(illumos_vmem_size(heap_, VMEM_ALLOC), 0u);
  illumos_vmem_destroy(vm);
}

TEST_F(IllumosXimportTest, XalignImportIsGivenTheAlignment) {
  void *first = Misalign();
  vmem_t *vm =
      illumos_vmem_xcreate("xalign", nullptr, 0, kPage, &AlignedImport,
                           &AlignedFree, heap_, 0, VMC_XALIGN | VM_SLEEP);
  ASSERT_NE(vm, nullptr);

  // No slack: the import is asked the size and the alignment.
  void *p = illumos_vmem_xalloc(vm, 4 * kPage, 16 * kPage, 0, 0, nullptr,
                                nullptr, VM_SLEEP);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(U(p) % (16 * kPage), 0u);
  // With a phase, the size and the phase.
  void *q = illumos_vmem_xalloc(vm, kPage, 16 * kPage, 2 * kPage, 0, nullptr,
                                nullptr, VM_SLEEP);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(U(q) % (16 * kPage), 2 * kPage);
  EXPECT_EQ(TakeAsks(), (std::vector<Ask>{{4 * kPage, 16 * kPage},
                                          {3 * kPage, 16 * kPage}}));
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 7 * kPage);

  illumos_vmem_xfree(vm, p, 4 * kPage);
  illumos_vmem_xfree(vm, q, kPage);
  EXPECT_EQ(Ledger::Get().Releases(heap_), 2);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0u);
  illumos_vmem_destroy(vm);
  illumos_vmem_free(heap_, first, kPage);
}

TEST_F(IllumosXimportTest, WithoutXalignTheArenaAsksForAlignmentSlack) {
  void *first = Misalign();
  vmem_t *x = illumos_vmem_xcreate("xslack", nullptr, 0, kPage, &GrowImport,
                                   &TrackedFree, heap_, 0, VM_SLEEP);
  ASSERT_NE(x, nullptr);
  // 1 page aligned to 16: 15 pages of slack; the import also learns the
  // alignment (kGrow is 16 pages, so it brings in what was asked).
  void *p = illumos_vmem_xalloc(x, kPage, 16 * kPage, 0, 0, nullptr, nullptr,
                                VM_SLEEP);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(U(p) % (16 * kPage), 0u);
  EXPECT_EQ(TakeAsks(), (std::vector<Ask>{{16 * kPage, 16 * kPage}}));
  illumos_vmem_xfree(x, p, kPage);
  illumos_vmem_destroy(x);

  vmem_t *vm = illumos_vmem_create("slack", nullptr, 0, kPage, &TrackedAlloc,
                                   &TrackedFree, heap_, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  p = illumos_vmem_xalloc(vm, 2 * kPage, 8 * kPage, 0, 0, nullptr, nullptr,
                          VM_SLEEP);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(U(p) % (8 * kPage), 0u);
  std::map<uintptr_t, size_t> out = Ledger::Get().Outstanding(heap_);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.begin()->second, 2 * kPage + 7 * kPage);
  illumos_vmem_xfree(vm, p, 2 * kPage);
  illumos_vmem_destroy(vm);
  illumos_vmem_free(heap_, first, kPage);
}

TEST_F(IllumosXimportTest, NoQcacheArenasImportAtLeastASlab) {
  // illumos: such arenas import at least the power of two above three
  // times what the quantum caches would have held (8 pages: 128K).
  vmem_t *vm = illumos_vmem_create("noqc", nullptr, 0, kPage, &TrackedAlloc,
                                   &TrackedFree, heap_, 8 * kPage,
                                   VMC_NO_QCACHE | VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  void *p = illumos_vmem_alloc(vm, kPage, VM_SLEEP);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 32 * kPage);
  illumos_vmem_free(vm, p, kPage);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0u);
  illumos_vmem_destroy(vm);
}

TEST_F(IllumosXimportTest, ImportsAreInTheLargerOfTheTwoQuanta) {
  vmem_t *big =
      illumos_vmem_create("bigq", P(0x20000000), 256 * kPage, 4 * kPage,
                          nullptr, nullptr, nullptr, 0, VM_SLEEP);
  ASSERT_NE(big, nullptr);
  vmem_t *vm = illumos_vmem_create("smallq", nullptr, 0, kPage, &TrackedAlloc,
                                   &TrackedFree, big, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  void *p = illumos_vmem_alloc(vm, kPage, VM_SLEEP);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 4 * kPage);
  void *q = illumos_vmem_alloc(vm, 3 * kPage, VM_SLEEP);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 4 * kPage);
  illumos_vmem_free(vm, p, kPage);
  illumos_vmem_free(vm, q, 3 * kPage);
  EXPECT_TRUE(Ledger::Get().Outstanding(big).empty());
  illumos_vmem_destroy(vm);
  illumos_vmem_destroy(big);
  Ledger::Get().Forget(big);
}

TEST_F(IllumosXimportTest, ConstrainedAllocationsDoNotImport) {
  vmem_t *vm = illumos_vmem_xcreate("noimp", nullptr, 0, kPage, &GrowImport,
                                    &TrackedFree, heap_, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  // minaddr, maxaddr or nocross: served from the arena's spans or not at
  // all (it has none yet).
  EXPECT_EQ(
      illumos_vmem_xalloc(vm, kPage, 0, 0, 0, P(kBase), nullptr, VM_NOSLEEP),
      nullptr);
  EXPECT_EQ(illumos_vmem_xalloc(vm, kPage, 0, 0, 0, nullptr,
                                P(kBase + 1024 * kPage), VM_NOSLEEP),
            nullptr);
  EXPECT_EQ(illumos_vmem_xalloc(vm, kPage, 0, 0, 16 * kPage, nullptr, nullptr,
                                VM_NOSLEEP),
            nullptr);
  EXPECT_TRUE(TakeAsks().empty());
  EXPECT_EQ(Ledger::Get().Imports(heap_), 0);

  // An unconstrained one imports a 16-page span ...
  void *a = illumos_vmem_alloc(vm, kPage, VM_SLEEP);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(Ledger::Get().Imports(heap_), 1);
  std::vector<Seg> spans = Walk(vm, VMEM_SPAN);
  ASSERT_EQ(spans.size(), 1u);
  const uintptr_t lo = spans[0].first, hi = lo + spans[0].second;
  // ... from which constrained ones are then served, maxaddr exclusive.
  void *b = illumos_vmem_xalloc(vm, 2 * kPage, 0, 0, 0, P(hi - 2 * kPage),
                                P(hi), VM_NOSLEEP);
  EXPECT_EQ(U(b), hi - 2 * kPage);
  void *c = illumos_vmem_xalloc(vm, kPage, 0, 0, 4 * kPage, P(lo + kPage),
                                P(lo + 2 * kPage), VM_NOSLEEP);
  EXPECT_EQ(U(c), lo + kPage);
  // Past the span: no import, no space.
  EXPECT_EQ(illumos_vmem_xalloc(vm, kPage, 0, 0, 0, P(hi), nullptr, VM_NOSLEEP),
            nullptr);
  EXPECT_EQ(Ledger::Get().Imports(heap_), 1);
  illumos_vmem_xfree(vm, b, 2 * kPage);
  illumos_vmem_xfree(vm, c, kPage);
  illumos_vmem_free(vm, a, kPage);
  EXPECT_EQ(Ledger::Get().Releases(heap_), 1);
  illumos_vmem_destroy(vm);
}

}  // namespace
}  // namespace illumos_test
