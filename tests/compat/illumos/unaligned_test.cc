// Spans that do not start or end on a quantum boundary: vmem_create()'s
// base, vmem_add(), and what an import function returns. illumos hands out
// aligned ranges from them; here they are trimmed to their whole quanta,
// and imported ones go back exactly as they came.
#include <stdint.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "compat/illumos/illumos_vmem.h"
#include "gtest/gtest.h"
#include "tests/compat/illumos/test_util.h"

namespace illumos_test {
namespace {

constexpr size_t kPage = 4096;

bool Inside(void *p, size_t size, uintptr_t lo, uintptr_t hi) {
  return U(p) >= lo && U(p) + size <= hi;
}

TEST(IllumosUnaligned, CreateWithUnalignedBase) {
  const uintptr_t base = 0x100010, end = base + 65536;
  for (size_t qcache_max : {size_t{0}, 4 * kPage}) {
    SCOPED_TRACE(qcache_max);
    vmem_t *vm =
        illumos_vmem_create("unaligned", P(base), 65536, kPage, nullptr,
                            nullptr, nullptr, qcache_max, VM_SLEEP);
    ASSERT_NE(vm, nullptr);
    void *a = illumos_vmem_alloc(vm, kPage, VM_NOSLEEP | VM_FIRSTFIT);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(U(a) % kPage, 0u);
    EXPECT_TRUE(Inside(a, kPage, base, end));
    void *b = illumos_vmem_xalloc(vm, 2 * kPage, kPage, 0, 0, nullptr, nullptr,
                                  VM_NOSLEEP);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(U(b) % kPage, 0u);
    EXPECT_TRUE(Inside(b, 2 * kPage, base, end));
    // The span is the 15 whole pages inside it.
    EXPECT_EQ(Walk(vm, VMEM_SPAN), (std::vector<Seg>{{0x101000, 15 * kPage}}));
    EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 15 * kPage);
    // All of them can be had, and no more.
    std::vector<void *> rest;
    for (int i = 0; i < 12; i++) {
      rest.push_back(illumos_vmem_xalloc(vm, kPage, 0, 0, 0, nullptr, nullptr,
                                         VM_NOSLEEP));
      ASSERT_NE(rest.back(), nullptr);
      EXPECT_TRUE(Inside(rest.back(), kPage, 0x101000, 0x110000));
    }
    EXPECT_EQ(
        illumos_vmem_xalloc(vm, kPage, 0, 0, 0, nullptr, nullptr, VM_NOSLEEP),
        nullptr);
    for (void *p : rest) illumos_vmem_xfree(vm, p, kPage);
    illumos_vmem_xfree(vm, b, 2 * kPage);
    illumos_vmem_free(vm, a, kPage);
    illumos_vmem_destroy(vm);
  }
}

TEST(IllumosUnaligned, AddTrimsBothEnds) {
  vmem_t *vm = illumos_vmem_create("add", nullptr, 0, kPage, nullptr, nullptr,
                                   nullptr, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  // An aligned start with a ragged end, and the reverse; vmem_add()
  // returns what it was given, as illumos's.
  EXPECT_EQ(illumos_vmem_add(vm, P(0x200000), 2 * kPage + 100, VM_SLEEP),
            P(0x200000));
  EXPECT_EQ(illumos_vmem_add(vm, P(0x300001), 3 * kPage, VM_NOSLEEP),
            P(0x300001));
  EXPECT_EQ(Walk(vm, VMEM_SPAN),
            (std::vector<Seg>{{0x200000, 2 * kPage}, {0x301000, 2 * kPage}}));
  EXPECT_TRUE(illumos_vmem_contains(vm, P(0x301000), 2 * kPage));
  EXPECT_FALSE(illumos_vmem_contains(vm, P(0x300001), kPage));
  void *p = illumos_vmem_xalloc(vm, 2 * kPage, 2 * kPage, 0, 0, P(0x300000),
                                nullptr, VM_NOSLEEP);
  EXPECT_EQ(p, nullptr);  // 0x302000 would run past the trimmed span
  p = illumos_vmem_xalloc(vm, 2 * kPage, 0, 0, 0, P(0x300000), nullptr,
                          VM_NOSLEEP);
  EXPECT_EQ(U(p), 0x301000u);
  illumos_vmem_xfree(vm, p, 2 * kPage);
  illumos_vmem_destroy(vm);
}

TEST(IllumosUnalignedDeathTest, SpanWithNoWholeQuantumPanics) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  vmem_t *vm = illumos_vmem_create("tiny", nullptr, 0, kPage, nullptr, nullptr,
                                   nullptr, 0, VM_SLEEP);
  EXPECT_DEATH(illumos_vmem_add(vm, P(0x200800), kPage, VM_SLEEP),
               "arena tiny: span 0x200800 of size 0x1000 holds no whole "
               "quantum \\(0x1000\\)");
  EXPECT_DEATH(illumos_vmem_create("tiny2", P(0x200001), 100, kPage, nullptr,
                                   nullptr, nullptr, 0, VM_SLEEP),
               "arena tiny2: span 0x200001 of size 0x64 holds no whole "
               "quantum");
  illumos_vmem_destroy(vm);
}

// A source whose spans start 16 bytes past a page: an arena of quantum 16
// over [kSrcBase, ...).
constexpr uintptr_t kSrcBase = 0x40000010;

class IllumosUnalignedImportTest : public testing::Test {
 protected:
  void SetUp() override {
    src_ = NewSource("bytes", kSrcBase, 256 * kPage, 16);
    ASSERT_NE(src_, nullptr);
  }
  void TearDown() override {
    // Every span went back exactly as the import function returned it.
    EXPECT_EQ(illumos_vmem_size(src_, VMEM_ALLOC), 0u);
    DestroySource(src_);
  }
  // Allocates as the brief's program does, checks, frees.
  void AllocateAligned(vmem_t *vm) {
    void *a = illumos_vmem_alloc(vm, kPage, VM_NOSLEEP | VM_FIRSTFIT);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(U(a) % kPage, 0u);
    void *b = illumos_vmem_xalloc(vm, 2 * kPage, kPage, 0, 0, nullptr, nullptr,
                                  VM_NOSLEEP);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(U(b) % kPage, 0u);
    void *c = illumos_vmem_xalloc(vm, kPage, 4 * kPage, kPage, 0, nullptr,
                                  nullptr, VM_SLEEP);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(U(c) % (4 * kPage), kPage);
    // Each lies in one span of the arena, and in what the source handed
    // out.
    const std::map<uintptr_t, size_t> out = Ledger::Get().Outstanding(src_);
    for (std::pair<void *, size_t> r :
         {std::make_pair(a, kPage), std::make_pair(b, 2 * kPage),
          std::make_pair(c, kPage)}) {
      EXPECT_TRUE(illumos_vmem_contains(vm, r.first, r.second));
      bool in_import = false;
      for (const auto &span : out)
        in_import |=
            Inside(r.first, r.second, span.first, span.first + span.second);
      EXPECT_TRUE(in_import) << r.first;
    }
    for (const Seg &span : Walk(vm, VMEM_SPAN)) {
      EXPECT_EQ(span.first % kPage, 0u);
      EXPECT_EQ(span.second % kPage, 0u);
    }
    illumos_vmem_free(vm, a, kPage);
    illumos_vmem_xfree(vm, b, 2 * kPage);
    illumos_vmem_xfree(vm, c, kPage);
  }
  vmem_t *src_ = nullptr;
};

TEST_F(IllumosUnalignedImportTest, AfuncSpansAreTrimmedAndGoBackWhole) {
  vmem_t *vm = illumos_vmem_create("pages", nullptr, 0, kPage, &TrackedAlloc,
                                   &TrackedFree, src_, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  AllocateAligned(vm);
  EXPECT_GT(Ledger::Get().Imports(src_), 0);
  EXPECT_EQ(Ledger::Get().Imports(src_), Ledger::Get().Releases(src_));
  // Again, now that the arena knows its source is unaligned.
  AllocateAligned(vm);
  EXPECT_EQ(Ledger::Get().Imports(src_), Ledger::Get().Releases(src_));
  illumos_vmem_destroy(vm);
}

// Brings in at least 4 pages.
void *UnalignedXimport(vmem_t *src, size_t *sizep, size_t align, int vmflag) {
  size_t want = std::max(*sizep, 4 * kPage);
  void *p = TrackedAlloc(src, want, vmflag);
  if (p != nullptr) *sizep = want;
  return p;
}

TEST_F(IllumosUnalignedImportTest, XimportSpansAreTrimmedAndGoBackWhole) {
  vmem_t *vm =
      illumos_vmem_xcreate("xpages", nullptr, 0, kPage, &UnalignedXimport,
                           &TrackedFree, src_, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  AllocateAligned(vm);
  AllocateAligned(vm);
  EXPECT_EQ(Ledger::Get().Imports(src_), Ledger::Get().Releases(src_));
  illumos_vmem_destroy(vm);
}

TEST_F(IllumosUnalignedImportTest, WithoutFfuncSpansAreKept) {
  vmem_t *vm = illumos_vmem_create("kept", nullptr, 0, kPage, &TrackedAlloc,
                                   nullptr, src_, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  void *a = illumos_vmem_alloc(vm, kPage, VM_NOSLEEP | VM_FIRSTFIT);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(U(a) % kPage, 0u);
  void *b = illumos_vmem_xalloc(vm, 2 * kPage, kPage, 0, 0, nullptr, nullptr,
                                VM_NOSLEEP);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(U(b) % kPage, 0u);
  illumos_vmem_free(vm, a, kPage);
  illumos_vmem_xfree(vm, b, 2 * kPage);
  EXPECT_EQ(Ledger::Get().Releases(src_), 0);
  illumos_vmem_destroy(vm);
  // Nothing goes back without ffunc (as in illumos): give the source its
  // memory back by hand, so that it can be destroyed.
  for (const auto &span : Ledger::Get().Outstanding(src_))
    TrackedFree(src_, P(span.first), span.second);
}

}  // namespace
}  // namespace illumos_test
