// OpenBSD's uvm_km(9) on the kernel map and on submaps.
#include <uvm/uvm.h>

#include <string.h>

#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <vm/vm_map.h>  // vm_map_min() ..., the maps' own functions

#include "gtest/gtest.h"
#include "tests/compat/vm/test_util.h"

namespace {

using kmem_test::AllBytesAre;
using kmem_test::Hex;
using kmem_test::PageSize;
using kmem_test::Touch;
using test_util::kHangTimeout;
using test_util::kSettle;

bool Within(vaddr_t addr, vsize_t size, vaddr_t min, vaddr_t max) {
  return addr >= min && addr + size <= max;
}

// A fresh submap of npages pages of the kernel map.
vm_map_t Submap(size_t npages, vaddr_t *min, vaddr_t *max) {
  return uvm_km_suballoc(kernel_map, min, max, npages * PageSize(), 0, false,
                         nullptr);
}

TEST(UvmKm, AllocatedPagesCanBeWrittenAndRead) {
  const vsize_t size = 3 * PageSize();
  vaddr_t a = uvm_km_alloc(kernel_map, size);
  vaddr_t z = uvm_km_zalloc(kernel_map, size);
  vaddr_t a1 = uvm_km_alloc1(kernel_map, size, 0, false);
  vaddr_t k = uvm_km_kmemalloc(kernel_map, nullptr, size, 0);
  for (vaddr_t va : {a, z, a1, k}) {
    ASSERT_NE(va, 0u);
    EXPECT_TRUE(
        Within(va, size, vm_map_min(kernel_map), vm_map_max(kernel_map)));
    memset(reinterpret_cast<void *>(va), 0xc3, size);
    EXPECT_TRUE(AllBytesAre(va, size, 0xc3));
  }
  for (vaddr_t va : {a, z, a1, k}) uvm_km_free(kernel_map, va, size);
}

TEST(UvmKm, ZeroedAllocationsReadZeroAfterReuse) {
  // A submap exactly one allocation big: every allocation reuses the range
  // the previous one dirtied.
  const vsize_t size = 8 * PageSize();
  vaddr_t min, max;
  vm_map_t map =
      uvm_km_suballoc(kernel_map, &min, &max, size, 0, false, nullptr);
  for (int round = 0; round < 4; round++) {
    vaddr_t va;
    switch (round) {
      case 0:
        va = uvm_km_zalloc(map, size);
        break;
      case 1:
        va = uvm_km_alloc1(map, size, 0, true);
        break;
      case 2:
        va = uvm_km_kmemalloc(map, nullptr, size, UVM_KMF_ZERO);
        break;
      default:
        va = uvm_km_alloc(map, size);
        break;
    }
    ASSERT_EQ(va, min) << "round " << round;
    if (round < 3) {
      EXPECT_TRUE(AllBytesAre(va, size, 0)) << "round " << round;
    }
    memset(reinterpret_cast<void *>(va), 0xee, size);
    uvm_km_free(map, va, size);
  }
}

TEST(UvmKm, Alloc1Aligns) {
  for (vsize_t align : {PageSize(), 16 * PageSize(), 512 * PageSize()}) {
    vaddr_t va = uvm_km_alloc1(kernel_map, PageSize(), align, true);
    ASSERT_NE(va, 0u);
    EXPECT_EQ(va % align, 0u);
    *reinterpret_cast<volatile char *>(va) = 1;
    uvm_km_free(kernel_map, va, PageSize());
  }
  // Below a page means a page.
  vaddr_t va = uvm_km_alloc1(kernel_map, 10, 16, false);
  ASSERT_NE(va, 0u);
  uvm_km_free(kernel_map, va, 10);
}

TEST(UvmKm, FreeTakesUnalignedBoundsOfTheSamePages) {
  vaddr_t va = uvm_km_alloc(kernel_map, 2 * PageSize());
  ASSERT_NE(va, 0u);
  // [va + 10, va + 2 pages - 10) covers the same two pages.
  uvm_km_free(kernel_map, va + 10, 2 * PageSize() - 20);
}

TEST(UvmKm, FullMapReturnsZero) {
  vaddr_t min, max;
  vm_map_t map = Submap(4, &min, &max);
  vaddr_t va = uvm_km_alloc(map, 4 * PageSize());
  ASSERT_EQ(va, min);
  EXPECT_EQ(uvm_km_alloc(map, PageSize()), 0u);
  EXPECT_EQ(uvm_km_zalloc(map, PageSize()), 0u);
  EXPECT_EQ(uvm_km_alloc1(map, PageSize(), 0, true), 0u);
  EXPECT_EQ(uvm_km_valloc(map, PageSize()), 0u);
  EXPECT_EQ(uvm_km_kmemalloc(map, nullptr, PageSize(), UVM_KMF_NOWAIT), 0u);
  EXPECT_EQ(uvm_km_kmemalloc(map, nullptr, PageSize(), 0), 0u);
  uvm_km_free(map, va, 4 * PageSize());
  EXPECT_EQ(uvm_km_valloc(map, 4 * PageSize()), min);
  uvm_km_free(map, min, 4 * PageSize());
}

TEST(UvmKm, TrylockFailsWhileTheMapIsLocked) {
  vaddr_t min, max;
  vm_map_t map = Submap(16, &min, &max);
  auto try_alloc = [map] {
    return uvm_km_kmemalloc(map, nullptr, PageSize(),
                            UVM_KMF_TRYLOCK | UVM_KMF_NOWAIT);
  };
  vm_map_lock(map);
  // Another thread: the map lock is not recursive.
  EXPECT_EQ(std::async(std::launch::async, try_alloc).get(), 0u);
  vm_map_unlock(map);
  vaddr_t va = std::async(std::launch::async, try_alloc).get();
  ASSERT_NE(va, 0u);
  EXPECT_TRUE(Within(va, PageSize(), min, max));
  *reinterpret_cast<volatile char *>(va) = 1;
  // Address space only, with trylock.
  vaddr_t v2 = uvm_km_kmemalloc(map, nullptr, PageSize(),
                                UVM_KMF_TRYLOCK | UVM_KMF_VALLOC);
  ASSERT_NE(v2, 0u);
  EXPECT_EQ(kmem_test::ResidentPages(v2, PageSize()), 0u);
  uvm_km_free(map, va, PageSize());
  uvm_km_free(map, v2, PageSize());
}

// Programs built when UVM_KMF_TRYLOCK was 0x20000 (OpenBSD's
// UVM_FLAG_OVERLAY) still get a try-lock.
TEST(UvmKm, TheOldTrylockValueStillTriesTheLock) {
  vaddr_t min, max;
  vm_map_t map = Submap(16, &min, &max);
  vm_map_lock(map);
  EXPECT_EQ(std::async(std::launch::async,
                       [map] {
                         return uvm_km_kmemalloc(map, nullptr, PageSize(),
                                                 0x20000 | UVM_KMF_NOWAIT);
                       })
                .get(),
            0u);
  vm_map_unlock(map);
}

TEST(UvmKm, VallocWaitSleepsUntilFreeWakeup) {
  const size_t npages = 8;
  vaddr_t min, max;
  vm_map_t map = Submap(npages, &min, &max);
  std::vector<vaddr_t> pages;
  for (size_t i = 0; i < npages; i++) {
    vaddr_t va = uvm_km_valloc(map, PageSize());
    ASSERT_NE(va, 0u);
    pages.push_back(va);
  }
  ASSERT_EQ(uvm_km_valloc(map, PageSize()), 0u);  // exhausted

  auto sleeper = std::async(std::launch::async, [map] {
    return uvm_km_valloc_wait(map, PageSize());
  });
  // The map is full: it cannot be done (this wait only gives it time to go
  // to sleep; the test holds whatever the timing).
  EXPECT_EQ(sleeper.wait_for(kSettle), std::future_status::timeout);
  vaddr_t freed = pages.back();
  pages.pop_back();
  uvm_km_free_wakeup(map, freed, PageSize());
  ASSERT_EQ(sleeper.wait_for(kHangTimeout), std::future_status::ready);
  vaddr_t got = sleeper.get();
  EXPECT_EQ(got, freed);  // the only free page
  pages.push_back(got);

  // Two sleepers, two frees, from two other threads.
  auto s1 = std::async(std::launch::async,
                       [map] { return uvm_km_valloc_wait(map, PageSize()); });
  auto s2 = std::async(std::launch::async,
                       [map] { return uvm_km_valloc_wait(map, PageSize()); });
  vaddr_t f1 = pages.back();
  pages.pop_back();
  vaddr_t f2 = pages.back();
  pages.pop_back();
  std::thread freer([&] {
    uvm_km_free_wakeup(map, f1, PageSize());
    uvm_km_free_wakeup(map, f2, PageSize());
  });
  ASSERT_EQ(s1.wait_for(kHangTimeout), std::future_status::ready);
  ASSERT_EQ(s2.wait_for(kHangTimeout), std::future_status::ready);
  freer.join();
  std::set<vaddr_t> got2 = {s1.get(), s2.get()};
  EXPECT_EQ(got2, (std::set<vaddr_t>{f1, f2}));
  for (vaddr_t va : got2) pages.push_back(va);
  for (vaddr_t va : pages) uvm_km_free(map, va, PageSize());
}

TEST(UvmKm, VallocRangesAreZeroFilledOnFirstTouch) {
  // A submap exactly one allocation big: each allocation reuses the range
  // the previous one dirtied.
  const vsize_t size = 8 * PageSize();
  vaddr_t min, max;
  vm_map_t map =
      uvm_km_suballoc(kernel_map, &min, &max, size, 0, false, nullptr);
  for (int round = 0; round < 4; round++) {
    vaddr_t va = round % 2 == 0 ? uvm_km_valloc(map, size)
                                : uvm_km_valloc_wait(map, size);
    ASSERT_EQ(va, min) << "round " << round;
    // Pageable: nothing taken until touched.
    EXPECT_EQ(kmem_test::ResidentPages(va, size), 0u) << "round " << round;
    EXPECT_TRUE(AllBytesAre(va, size, 0)) << "round " << round;
    memset(reinterpret_cast<void *>(va), 0x5a, size);
    EXPECT_TRUE(AllBytesAre(va, size, 0x5a)) << "round " << round;
    EXPECT_EQ(kmem_test::ResidentPages(va, size), size / PageSize());
    uvm_km_free(map, va, size);
    // The free gave the touched pages back.
    EXPECT_EQ(kmem_test::ResidentPages(va, size), 0u) << "round " << round;
  }
}

TEST(UvmKm, MoreThanTheMapReturnsZero) {
  vaddr_t min, max;
  vm_map_t small = Submap(4, &min, &max);
  const vsize_t huge = ~vsize_t{0} - PageSize() / 2;  // rounding overflows
  // uvm_km_valloc_wait() would otherwise sleep forever: bounded here, so
  // that a regression fails instead of hanging.
  auto wait = std::async(std::launch::async, [&] {
    return std::vector<vaddr_t>{
        uvm_km_valloc_wait(small, 4 * PageSize() + 1),
        uvm_km_valloc_wait(small, 8 * PageSize()),
        uvm_km_valloc_wait(small, huge),
        uvm_km_valloc_wait(kernel_map, vm_map_max(kernel_map) -
                                           vm_map_min(kernel_map) + PageSize()),
    };
  });
  ASSERT_EQ(wait.wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(wait.get(), (std::vector<vaddr_t>{0, 0, 0, 0}));
  // The other calls say the same for the same sizes.
  for (vsize_t size : {8 * PageSize(), huge}) {
    EXPECT_EQ(uvm_km_valloc(small, size), 0u) << Hex(size);
    EXPECT_EQ(uvm_km_alloc(small, size), 0u) << Hex(size);
    EXPECT_EQ(uvm_km_zalloc(small, size), 0u) << Hex(size);
    EXPECT_EQ(uvm_km_alloc1(small, size, 0, true), 0u) << Hex(size);
    EXPECT_EQ(uvm_km_kmemalloc(small, nullptr, size, UVM_KMF_VALLOC), 0u)
        << Hex(size);
  }
  // The whole map is not more than the map.
  vaddr_t va = uvm_km_valloc_wait(small, 4 * PageSize());
  EXPECT_EQ(va, min);
  uvm_km_free(small, va, 4 * PageSize());
}

TEST(UvmKm, SubmapAllocationsStayWithinMinMax) {
  const size_t npages = 64;
  vaddr_t min = 0, max = 0;
  vm_map_t map = Submap(npages, &min, &max);
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(max - min, npages * PageSize());
  EXPECT_EQ(vm_map_min(map), min);
  EXPECT_EQ(vm_map_max(map), max);
  EXPECT_TRUE(
      Within(min, max - min, vm_map_min(kernel_map), vm_map_max(kernel_map)));
  // Fill it with every kind of allocation, then check where they went.
  struct A {
    vaddr_t va;
    vsize_t size;
  };
  std::vector<A> all;
  size_t used = 0;
  for (int i = 0;; i++) {
    vsize_t size = (1 + i % 3) * PageSize();
    vaddr_t va;
    switch (i % 4) {
      case 0:
        va = uvm_km_alloc(map, size);
        break;
      case 1:
        va = uvm_km_zalloc(map, size);
        break;
      case 2:
        va = uvm_km_valloc(map, size);
        break;
      default:
        va = uvm_km_kmemalloc(map, nullptr, size, UVM_KMF_NOWAIT);
        break;
    }
    if (va == 0) {
      if (size == PageSize()) break;
      continue;
    }
    EXPECT_TRUE(Within(va, size, min, max)) << Hex(va);
    all.push_back({va, size});
    used += size;
  }
  EXPECT_EQ(used, npages * PageSize());  // full, nothing outside
  for (const A &a : all) uvm_km_free(map, a.va, a.size);
}

TEST(UvmKm, FixedSubmapSitsWhereAsked) {
  // Find a free place, then ask for a submap exactly there.
  const vsize_t size = 32 * PageSize();
  vaddr_t hole = uvm_km_valloc(kernel_map, 2 * size);
  ASSERT_NE(hole, 0u);
  uvm_km_free(kernel_map, hole, 2 * size);
  vaddr_t min = hole + size, max = 0;
  static struct vm_map storage;  // caller-provided, lives on
  vm_map_t map = uvm_km_suballoc(kernel_map, &min, &max, size, VM_MAP_PAGEABLE,
                                 true, &storage);
  EXPECT_EQ(map, &storage);
  EXPECT_EQ(min, hole + size);
  EXPECT_EQ(max, hole + 2 * size);
  vaddr_t va = uvm_km_zalloc(map, size);
  EXPECT_EQ(va, min);
  Touch(va, size, 1);
  uvm_km_free(map, va, size);

  // A fixed submap of the submap, and a chosen one beside it.
  vaddr_t smin = min + 4 * PageSize(), smax = 0;
  vm_map_t sub =
      uvm_km_suballoc(map, &smin, &smax, 8 * PageSize(), 0, true, nullptr);
  EXPECT_EQ(smin, min + 4 * PageSize());
  EXPECT_EQ(smax, smin + 8 * PageSize());
  vaddr_t cmin = 0, cmax = 0;
  vm_map_t chosen =
      uvm_km_suballoc(map, &cmin, &cmax, 8 * PageSize(), 0, false, nullptr);
  EXPECT_TRUE(Within(cmin, cmax - cmin, min, max));
  EXPECT_TRUE(cmax <= smin || cmin >= smax);  // no overlap
  vaddr_t v1 = uvm_km_alloc(sub, 8 * PageSize());
  vaddr_t v2 = uvm_km_alloc(chosen, 8 * PageSize());
  EXPECT_EQ(v1, smin);
  EXPECT_EQ(v2, cmin);
  uvm_km_free(sub, v1, 8 * PageSize());
  uvm_km_free(chosen, v2, 8 * PageSize());
}

// ---- Faults and misuse.

class UvmKmDeathTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(UvmKmDeathTest, AddressOnlyAllocationsFault) {
  // UVM_KMF_VALLOC is address space for the caller's own pages (unlike
  // uvm_km_valloc(), pageable memory).
  vaddr_t k = uvm_km_kmemalloc(kernel_map, nullptr, PageSize(), UVM_KMF_VALLOC);
  ASSERT_NE(k, 0u);
  EXPECT_DEATH(*reinterpret_cast<volatile char *>(k) = 1, "");
  uvm_km_free(kernel_map, k, PageSize());
}

TEST_F(UvmKmDeathTest, FreeToTheWrongMap) {
  vaddr_t amin, amax, bmin, bmax;
  vm_map_t a = Submap(8, &amin, &amax);
  vm_map_t b = Submap(8, &bmin, &bmax);
  vaddr_t first = uvm_km_alloc(a, PageSize());
  vaddr_t va = uvm_km_alloc(a, PageSize());
  ASSERT_NE(va, 0u);
  ASSERT_NE(va, amin);
  // Outside b: b's panic names b, the address and the size.
  EXPECT_PANIC(uvm_km_free(b, va, PageSize()),
               "uvm_km_free: map " + std::string(vm_map_name(b)) +
                   ": address " + Hex(va) + " (size " + Hex(PageSize()) +
                   ") is outside the map");
  // Inside the kernel map, but not one of its allocations.
  EXPECT_PANIC(uvm_km_free(kernel_map, va, PageSize()),
               "uvm_km_free: map kernel_map: address " + Hex(va) + " (size " +
                   Hex(PageSize()) + ") was not allocated from the map");
  // The range of a submap is not memory to free.
  EXPECT_PANIC(uvm_km_free(kernel_map, amin, amax - amin),
               "uvm_km_free: map kernel_map: address " + Hex(amin) + " (size " +
                   Hex(amax - amin) + ") is the range of " + vm_map_name(a) +
                   ", not memory");
  uvm_km_free(a, va, PageSize());
  EXPECT_PANIC(uvm_km_free_wakeup(a, va, PageSize()),
               "uvm_km_free_wakeup: map " + std::string(vm_map_name(a)) +
                   ": address " + Hex(va) + " (size " + Hex(PageSize()) +
                   ") was not allocated from the map");
  uvm_km_free(a, first, PageSize());
}

TEST_F(UvmKmDeathTest, FreeWithTheWrongSize) {
  vaddr_t va = uvm_km_alloc(kernel_map, 4 * PageSize());
  EXPECT_PANIC(uvm_km_free(kernel_map, va, 2 * PageSize()),
               "uvm_km_free: map kernel_map: address " + Hex(va) +
                   " was allocated with size " + Hex(4 * PageSize()) +
                   ", freed with size " + Hex(2 * PageSize()));
  uvm_km_free(kernel_map, va, 4 * PageSize());
}

TEST_F(UvmKmDeathTest, FixedSubmapOverAllocatedSpace) {
  vaddr_t va = uvm_km_valloc(kernel_map, 4 * PageSize());
  vaddr_t min = va + PageSize(), max;
  EXPECT_PANIC(
      uvm_km_suballoc(kernel_map, &min, &max, 4 * PageSize(), 0, true, nullptr),
      "uvm_km_suballoc: map kernel_map: address " + Hex(va + PageSize()) +
          " (size " + Hex(4 * PageSize()) + ") for a fixed submap is not free");
  vaddr_t outside = vm_map_max(kernel_map);
  EXPECT_PANIC(
      uvm_km_suballoc(kernel_map, &outside, &max, PageSize(), 0, true, nullptr),
      "uvm_km_suballoc: map kernel_map: address " + Hex(outside) + " (size " +
          Hex(PageSize()) + ") for a fixed submap is outside the map");
  uvm_km_free(kernel_map, va, 4 * PageSize());
}

TEST_F(UvmKmDeathTest, SubmapBiggerThanTheParent) {
  vaddr_t min, max;
  vm_map_t small = Submap(4, &min, &max);
  vaddr_t smin, smax;
  EXPECT_PANIC(
      uvm_km_suballoc(small, &smin, &smax, 8 * PageSize(), 0, false, nullptr),
      "uvm_km_suballoc: map " + std::string(vm_map_name(small)) +
          ": no room for a submap of size " + Hex(8 * PageSize()));
}

}  // namespace
