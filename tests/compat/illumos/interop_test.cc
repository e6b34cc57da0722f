// Both interfaces on the same arenas in one program, and the illumos
// flags that have no FreeBSD counterpart of the same name: VM_ENDALLOC,
// VM_PANIC, vmem_add(), vmem_size()'s typemask.
#include <errno.h>
#include <stdint.h>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "compat/illumos/illumos_vmem.h"
#include "gtest/gtest.h"
#include "tests/compat/illumos/test_util.h"

namespace illumos_test {
namespace {

constexpr size_t kPage = 0x1000;
constexpr uintptr_t kBase = 0x100000;

TEST(IllumosInteropTest, FreeBsdArenaThroughBothInterfaces) {
  vmem_t *vm =
      vmem_create("bsd", kBase, 64 * kPage, kPage, 4 * kPage, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  void *p = illumos_vmem_alloc(vm, 3 * kPage, VM_SLEEP);
  ASSERT_NE(p, nullptr);
  void *small = illumos_vmem_alloc(vm, kPage, VM_NOSLEEP);  // cached size
  ASSERT_NE(small, nullptr);
  vmem_addr_t a;
  ASSERT_EQ(vmem_alloc(vm, 5 * kPage, M_BESTFIT | M_WAITOK, &a), 0);
  vmem_addr_t x;
  ASSERT_EQ(vmem_xalloc(vm, 2 * kPage, 8 * kPage, 0, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, M_FIRSTFIT | M_WAITOK, &x),
            0);
  EXPECT_NE(U(p), a);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC), vmem_size(vm, VMEM_ALLOC));
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 64 * kPage);
  EXPECT_TRUE(illumos_vmem_contains(vm, P(a), 5 * kPage));
  EXPECT_TRUE(illumos_vmem_contains(vm, P(x), 2 * kPage));
  // Freed through the other interface.
  vmem_free(vm, U(p), 3 * kPage);
  vmem_free(vm, U(small), kPage);
  illumos_vmem_free(vm, P(a), 5 * kPage);
  illumos_vmem_xfree(vm, P(x), 2 * kPage);
  vmem_verify(vm);
  illumos_vmem_destroy(vm);
}

TEST(IllumosInteropTest, IllumosArenaThroughTheFreeBsdKpi) {
  vmem_t *heap = illumos_vmem_create("i-heap", P(kBase), 256 * kPage, kPage,
                                     nullptr, nullptr, nullptr, 0, VM_SLEEP);
  ASSERT_NE(heap, nullptr);
  vmem_t *vm = illumos_vmem_create("i-child", nullptr, 0, kPage, &TrackedAlloc,
                                   &TrackedFree, heap, 4 * kPage, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  // FreeBSD calls import through the illumos source functions.
  vmem_addr_t a, b, c;
  ASSERT_EQ(vmem_alloc(vm, 6 * kPage, M_BESTFIT | M_WAITOK, &a), 0);
  ASSERT_EQ(vmem_alloc(vm, 2 * kPage, M_FIRSTFIT | M_NOWAIT, &b), 0);
  ASSERT_EQ(vmem_xalloc(vm, kPage, 8 * kPage, 0, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, M_BESTFIT | M_WAITOK, &c),
            0);
  EXPECT_EQ(c % (8 * kPage), 0u);
  EXPECT_GT(Ledger::Get().Imports(heap), 0);
  void *d = illumos_vmem_alloc(vm, 7 * kPage, VM_SLEEP);
  ASSERT_NE(d, nullptr);
  vmem_verify(vm);
  vmem_verify(heap);
  EXPECT_EQ(vmem_size(heap, VMEM_ALLOC),
            illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE));

  vmem_free(vm, a, 6 * kPage);
  illumos_vmem_free(vm, P(b), 2 * kPage);
  vmem_xfree(vm, c, kPage);
  vmem_free(vm, U(d), 7 * kPage);
  illumos_vmem_destroy(vm);  // empties the quantum caches
  EXPECT_TRUE(Ledger::Get().Outstanding(heap).empty());
  EXPECT_EQ(Ledger::Get().Errors(), 0);
  EXPECT_EQ(vmem_size(heap, VMEM_ALLOC), 0u);
  illumos_vmem_destroy(heap);
  Ledger::Get().Forget(heap);
}

TEST(IllumosInteropTest, IllumosArenaImportsFromAFreeBsdArena) {
  vmem_t *src = vmem_create("bsd-src", kBase, 64 * kPage, kPage, 0, M_WAITOK);
  ASSERT_NE(src, nullptr);
  vmem_t *vm =
      illumos_vmem_create("i-on-bsd", nullptr, 0, kPage, &illumos_vmem_alloc,
                          &illumos_vmem_free, src, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  void *p = illumos_vmem_alloc(vm, 3 * kPage, VM_SLEEP);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(vmem_size(src, VMEM_ALLOC), 3 * kPage);
  illumos_vmem_free(vm, p, 3 * kPage);
  EXPECT_EQ(vmem_size(src, VMEM_ALLOC), 0u);
  illumos_vmem_destroy(vm);
  vmem_destroy(src);
}

TEST(IllumosInteropTest, EndAllocTakesTheHighEnd) {
  vmem_t *vm = illumos_vmem_create("end", P(kBase), 64 * kPage, kPage, nullptr,
                                   nullptr, nullptr, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  const uintptr_t top = kBase + 64 * kPage;
  void *a = illumos_vmem_alloc(vm, 2 * kPage, VM_SLEEP | VM_ENDALLOC);
  EXPECT_EQ(U(a), top - 2 * kPage);
  void *b = illumos_vmem_alloc(vm, kPage, VM_SLEEP | VM_BESTFIT | VM_ENDALLOC);
  EXPECT_EQ(U(b), top - 3 * kPage);
  void *c = illumos_vmem_xalloc(vm, kPage, 16 * kPage, 0, 0, nullptr, nullptr,
                                VM_SLEEP | VM_ENDALLOC);
  EXPECT_EQ(U(c), kBase + 48 * kPage);
  void *d = illumos_vmem_xalloc(vm, kPage, 0, 0, 0, nullptr,
                                P(kBase + 10 * kPage), VM_SLEEP | VM_ENDALLOC);
  EXPECT_EQ(U(d), kBase + 9 * kPage);
  // Without it, the low end; VM_NEXTFIT ignores it.
  void *e = illumos_vmem_alloc(vm, kPage, VM_SLEEP);
  EXPECT_EQ(U(e), kBase);
  void *f = illumos_vmem_alloc(vm, kPage, VM_SLEEP | VM_NEXTFIT | VM_ENDALLOC);
  EXPECT_LT(U(f), kBase + 9 * kPage);
  illumos_vmem_free(vm, a, 2 * kPage);
  illumos_vmem_free(vm, b, kPage);
  illumos_vmem_xfree(vm, c, kPage);
  illumos_vmem_xfree(vm, d, kPage);
  illumos_vmem_free(vm, e, kPage);
  illumos_vmem_free(vm, f, kPage);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC), 0u);
  illumos_vmem_destroy(vm);
}

TEST(IllumosInteropTest, AddSpansAndSizeTypemask) {
  vmem_t *vm = illumos_vmem_create("spans", nullptr, 0, kPage, nullptr, nullptr,
                                   nullptr, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  EXPECT_EQ(illumos_vmem_alloc(vm, kPage, VM_NOSLEEP), nullptr);
  EXPECT_EQ(illumos_vmem_add(vm, P(kBase), 4 * kPage, VM_SLEEP), P(kBase));
  EXPECT_EQ(illumos_vmem_add(vm, P(4 * kBase), 8 * kPage, VM_NOSLEEP),
            P(4 * kBase));
  EXPECT_TRUE(illumos_vmem_contains(vm, P(kBase), 4 * kPage));
  EXPECT_TRUE(illumos_vmem_contains(vm, P(4 * kBase + kPage), 7 * kPage));
  EXPECT_FALSE(illumos_vmem_contains(vm, P(kBase), 5 * kPage));
  EXPECT_FALSE(illumos_vmem_contains(vm, P(2 * kBase), 1));
  void *p = illumos_vmem_alloc(vm, 6 * kPage, VM_NOSLEEP);
  EXPECT_EQ(U(p), 4 * kBase);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC), 6 * kPage);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_FREE), 6 * kPage);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 12 * kPage);
  // Other bits mean nothing to vmem_size().
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_SPAN), 0u);
  EXPECT_EQ(illumos_vmem_size(vm, VMEM_ALLOC | VMEM_SPAN), 6 * kPage);
  EXPECT_EQ(Walk(vm, VMEM_SPAN),
            (std::vector<Seg>{{kBase, 4 * kPage}, {4 * kBase, 8 * kPage}}));
  illumos_vmem_free(vm, p, 6 * kPage);
  illumos_vmem_destroy(vm);
}

TEST(IllumosInteropDeathTest, PanicFlagPanicsOnFailure) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  vmem_t *vm = illumos_vmem_create("must", P(kBase), 4 * kPage, kPage, nullptr,
                                   nullptr, nullptr, 0, VM_SLEEP);
  ASSERT_NE(vm, nullptr);
  void *all = illumos_vmem_alloc(vm, 4 * kPage, VM_SLEEP);
  ASSERT_NE(all, nullptr);
  EXPECT_DEATH(illumos_vmem_alloc(vm, kPage, VM_NOSLEEP | VM_PANIC),
               "vmem_alloc: arena must: cannot satisfy mandatory allocation "
               "of size 0x1000");
  EXPECT_DEATH(illumos_vmem_xalloc(vm, kPage, 0, 0, 0, nullptr, nullptr,
                                   VM_NOSLEEP | VM_PANIC),
               "vmem_xalloc: arena must: cannot satisfy mandatory");
  EXPECT_DEATH(illumos_vmem_add(vm, nullptr, kPage, VM_SLEEP), "bad span");
  // Without VM_PANIC: NULL.
  EXPECT_EQ(illumos_vmem_alloc(vm, kPage, VM_NOSLEEP), nullptr);
  illumos_vmem_free(vm, all, 4 * kPage);
  illumos_vmem_destroy(vm);
}

}  // namespace
}  // namespace illumos_test
