// FreeBSD's kernel memory functions on the kernel map: kva_alloc/kva_free,
// kmem_malloc/kmem_free, kmem_back/kmem_unback.
#include <vm/vm_kern.h>

#include <string.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/compat/vm/test_util.h"

namespace {

using kmem_test::AllBytesAre;
using kmem_test::Hex;
using kmem_test::PageSize;
using kmem_test::Touch;

bool InKernelMap(uintptr_t addr, size_t size) {
  return addr >= vm_map_min(kernel_map) &&
         addr + size <= vm_map_max(kernel_map);
}

TEST(KernelMap, IsAReservationManagedByTheKernelArena) {
  vm_map_t map = kernel_map;
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(map, kernel_map);
  EXPECT_STREQ(vm_map_name(map), "kernel_map");
  EXPECT_EQ(vm_map_max(map) - vm_map_min(map), kmem_kva_size());
  EXPECT_EQ(kmem_kva_size(), KMEM_KVA_SIZE_DEFAULT);
  EXPECT_EQ(vm_map_min(map) % PageSize(), 0u);
  // kernel_arena hands out the map's addresses, a page at a time.
  EXPECT_EQ(vmem_roundup_size(kernel_arena, 1), PageSize());
  EXPECT_EQ(kmem_arena, kernel_arena);
  EXPECT_GE(vmem_size(kernel_arena, VMEM_ALLOC | VMEM_FREE), kmem_kva_size());
  // Too late to resize.
  EXPECT_EQ(kmem_set_kva_size(1 << 30), EBUSY);
}

TEST(KmemMalloc, PagesCanBeWrittenAndRead) {
  const size_t size = 5 * PageSize() + 123;
  auto *p = static_cast<unsigned char *>(kmem_malloc(size, M_WAITOK));
  ASSERT_NE(p, nullptr);
  uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  EXPECT_EQ(addr % PageSize(), 0u);
  EXPECT_TRUE(InKernelMap(addr, size));
  // The whole last page is there, not just size bytes.
  memset(p, 0x5a, 6 * PageSize());
  EXPECT_TRUE(AllBytesAre(addr, 6 * PageSize(), 0x5a));
  kmem_free(p, size);
}

TEST(KmemMalloc, ZeroedEvenWhenTheRangeWasUsedBefore) {
  const size_t size = 16 * PageSize();
  for (int round = 0; round < 8; round++) {
    void *p = kmem_malloc(size, M_WAITOK | M_ZERO);
    ASSERT_NE(p, nullptr);
    uintptr_t addr = reinterpret_cast<uintptr_t>(p);
    ASSERT_TRUE(AllBytesAre(addr, size, 0)) << "round " << round;
    memset(p, 0xff, size);
    kmem_free(p, size);
  }
}

TEST(KmemMalloc, NowaitFailsWhenTheMapCannotHoldIt) {
  EXPECT_EQ(kmem_malloc(2 * kmem_kva_size(), M_NOWAIT), nullptr);
  EXPECT_EQ(kva_alloc(kmem_kva_size() + PageSize()), 0u);
  // The map is unchanged: ordinary requests still succeed.
  void *p = kmem_malloc(PageSize(), M_NOWAIT);
  ASSERT_NE(p, nullptr);
  kmem_free(p, PageSize());
}

TEST(KmemMalloc, ManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; i++) {
        size_t size = (1 + (i + t) % 7) * PageSize();
        auto *p = static_cast<unsigned char *>(
            kmem_malloc(size, (i & 1) ? M_ZERO : M_WAITOK));
        ASSERT_NE(p, nullptr);
        if (i & 1) {
          ASSERT_TRUE(AllBytesAre(reinterpret_cast<uintptr_t>(p), size, 0));
        }
        memset(p, t + 1, size);
        ASSERT_TRUE(AllBytesAre(reinterpret_cast<uintptr_t>(p), size,
                                static_cast<unsigned char>(t + 1)));
        kmem_free(p, size);
      }
    });
  }
  for (auto &th : threads) th.join();
}

TEST(Kva, AlignedAddressSpace) {
  const size_t align = 64 * PageSize();
  vm_offset_t a = kva_alloc_aligned(3 * PageSize(), align);
  ASSERT_NE(a, 0u);
  EXPECT_EQ(a % align, 0u);
  EXPECT_TRUE(InKernelMap(a, 3 * PageSize()));
  kva_free(a, 3 * PageSize());
}

TEST(Kva, BackAndUnbackByHand) {
  const size_t size = 8 * PageSize();
  vm_offset_t va = kva_alloc(size);
  ASSERT_NE(va, 0u);
  ASSERT_EQ(kmem_back(kernel_object, va, size, M_WAITOK | M_ZERO),
            KERN_SUCCESS);
  EXPECT_TRUE(AllBytesAre(va, size, 0));
  memset(reinterpret_cast<void *>(va), 0x77, size);
  EXPECT_TRUE(AllBytesAre(va, size, 0x77));
  // Unbacking drops the pages: backed again, they read as zero.
  kmem_unback(kernel_object, va, size);
  EXPECT_EQ(kmem_test::ResidentPages(va, size), 0u);
  ASSERT_EQ(kmem_back(kernel_object, va, size, M_NOWAIT), KERN_SUCCESS);
  EXPECT_TRUE(AllBytesAre(va, size, 0));
  // Part of a range, too.
  Touch(va, size, 0x11);
  kmem_unback(kernel_object, va + 2 * PageSize(), 2 * PageSize());
  ASSERT_EQ(
      kmem_back(kernel_object, va + 2 * PageSize(), 2 * PageSize(), M_ZERO),
      KERN_SUCCESS);
  EXPECT_EQ(*reinterpret_cast<unsigned char *>(va), 0x11);
  EXPECT_TRUE(AllBytesAre(va + 2 * PageSize(), 2 * PageSize(), 0));
  kmem_unback(kernel_object, va, size);
  kva_free(va, size);
}

TEST(Kva, RangesFromKernelArenaCanBeBacked) {
  // vmem_bt_alloc()'s way: address space from kernel_arena, then pages.
  vmem_addr_t addr;
  ASSERT_EQ(vmem_xalloc(kernel_arena, 2 * PageSize(), 0, 0, 0, VMEM_ADDR_MIN,
                        VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &addr),
            0);
  EXPECT_TRUE(InKernelMap(addr, 2 * PageSize()));
  ASSERT_EQ(kmem_back(kernel_object, addr, 2 * PageSize(), M_NOWAIT | M_ZERO),
            KERN_SUCCESS);
  Touch(addr, 2 * PageSize(), 3);
  kmem_unback(kernel_object, addr, 2 * PageSize());
  vmem_xfree(kernel_arena, addr, 2 * PageSize());
}

// ---- Faults and misuse.

class KmemDeathTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(KmemDeathTest, AddressSpaceOnlyFaults) {
  vm_offset_t va = kva_alloc(PageSize());
  ASSERT_NE(va, 0u);
  // Under a sanitizer the fault is reported and the process exits: any
  // death will do.
  EXPECT_DEATH(*reinterpret_cast<volatile char *>(va) = 1, "");
  EXPECT_DEATH((void)*reinterpret_cast<volatile char *>(va), "");
  kva_free(va, PageSize());
}

TEST_F(KmemDeathTest, FreedMemoryFaults) {
  void *p = kmem_malloc(PageSize(), M_WAITOK);
  memset(p, 1, PageSize());
  kmem_free(p, PageSize());
  EXPECT_DEATH(*static_cast<volatile char *>(p) = 1, "");
}

TEST_F(KmemDeathTest, UnbackedRangeFaults) {
  vm_offset_t va = kva_alloc(2 * PageSize());
  ASSERT_EQ(kmem_back(kernel_object, va, 2 * PageSize(), M_WAITOK),
            KERN_SUCCESS);
  kmem_unback(kernel_object, va + PageSize(), PageSize());
  *reinterpret_cast<volatile char *>(va) = 1;  // still backed
  EXPECT_DEATH(*reinterpret_cast<volatile char *>(va + PageSize()) = 1, "");
  kmem_unback(kernel_object, va, PageSize());
  kva_free(va, 2 * PageSize());
}

TEST_F(KmemDeathTest, FreeOutsideTheMapNamesMapAddressAndSize) {
  auto outside = [] { return vm_map_max(kernel_map) + 16 * PageSize(); };
  EXPECT_PANIC(kmem_free(reinterpret_cast<void *>(outside()), PageSize()),
               "kmem_free: map kernel_map: address " + Hex(outside()) +
                   " (size " + Hex(PageSize()) + ") is outside the map");
  char on_stack[64];
  EXPECT_PANIC(kva_free(reinterpret_cast<vm_offset_t>(on_stack), 64),
               "kva_free: map kernel_map: address " +
                   Hex(reinterpret_cast<uintptr_t>(on_stack)) +
                   " (size 0x40) is outside the map");
  EXPECT_PANIC(kmem_back(kernel_object, outside(), PageSize(), M_WAITOK),
               "kmem_back: map kernel_map: address " + Hex(outside()) +
                   " (size " + Hex(PageSize()) + ") is outside the map");
  EXPECT_PANIC(kmem_unback(kernel_object, outside(), PageSize()),
               "kmem_unback: map kernel_map: address " + Hex(outside()));
}

TEST_F(KmemDeathTest, FreeOfWhatWasNotAllocated) {
  void *p = kmem_malloc(4 * PageSize(), M_WAITOK);
  uintptr_t inside = reinterpret_cast<uintptr_t>(p) + PageSize();
  EXPECT_PANIC(kmem_free(reinterpret_cast<void *>(inside), PageSize()),
               "kmem_free: map kernel_map: address " + Hex(inside) + " (size " +
                   Hex(PageSize()) + ") was not allocated from the map");
  kmem_free(p, 4 * PageSize());
  // A double free.
  EXPECT_PANIC(kmem_free(p, 4 * PageSize()),
               "kmem_free: map kernel_map: address " +
                   Hex(reinterpret_cast<uintptr_t>(p)) + " (size " +
                   Hex(4 * PageSize()) + ") was not allocated from the map");
}

TEST_F(KmemDeathTest, FreeWithAnotherSize) {
  void *p = kmem_malloc(2 * PageSize(), M_WAITOK);
  memset(p, 9, 2 * PageSize());
  EXPECT_PANIC(kmem_free(p, 3 * PageSize()),
               "kmem_free: map kernel_map: address " +
                   Hex(reinterpret_cast<uintptr_t>(p)) +
                   " was allocated with size " + Hex(2 * PageSize()) +
                   ", freed with size " + Hex(3 * PageSize()));
  EXPECT_PANIC(kva_free(reinterpret_cast<vm_offset_t>(p), PageSize()),
               "freed with size " + Hex(PageSize()));
  // Sizes within the same pages are the same size.
  kmem_free(p, 2 * PageSize() - 100);
}

TEST_F(KmemDeathTest, BadArguments) {
  EXPECT_PANIC(kmem_malloc(0, M_WAITOK),
               "kmem_malloc: map kernel_map: allocation of size 0");
  EXPECT_PANIC(kva_alloc_aligned(PageSize(), 3 * PageSize()),
               "kva_alloc_aligned: map kernel_map: alignment " +
                   Hex(3 * PageSize()) + " is not a power of two");
  EXPECT_PANIC(kmem_malloc(PageSize(), M_WAITOK | M_NOWAIT),
               "kmem_malloc: map kernel_map: both M_NOWAIT and M_WAITOK");
  // Sleeping for more than the whole map would never end.
  EXPECT_PANIC(kmem_malloc(2 * kmem_kva_size(), M_WAITOK),
               "kmem_malloc: map kernel_map: size " + Hex(2 * kmem_kva_size()) +
                   " exceeds the map");
}

}  // namespace
