// Freed kernel memory goes back to the system: its pages leave the resident
// set (mincore, /proc/self/statm), so a long-running program does not grow.
#include <string.h>

#include <uvm/uvm.h>
#include <vm/vm_kern.h>
#include "gtest/gtest.h"
#include "tests/compat/vm/test_util.h"

namespace {

using kmem_test::PageSize;
using kmem_test::ResidentBytes;
using kmem_test::ResidentPages;
using kmem_test::Touch;

constexpr size_t kMiB = size_t{1} << 20;

TEST(Rss, FreedPagesAreNotResident) {
  const size_t size = 64 * PageSize();
  void *p = kmem_malloc(size, M_WAITOK);
  uintptr_t va = reinterpret_cast<uintptr_t>(p);
  EXPECT_EQ(ResidentPages(va, size), 0u);  // nothing until touched
  Touch(va, size, 0xab);
  EXPECT_EQ(ResidentPages(va, size), 64u);
  kmem_free(p, size);
  EXPECT_EQ(ResidentPages(va, size), 0u);

  vaddr_t u = uvm_km_zalloc(kernel_map, size);
  Touch(u, size, 0xcd);
  EXPECT_EQ(ResidentPages(u, size), 64u);
  uvm_km_free(kernel_map, u, size);
  EXPECT_EQ(ResidentPages(u, size), 0u);
}

TEST(Rss, ResidentSetShrinksOnFree) {
  const size_t size = 256 * kMiB;
  void *p = kmem_malloc(size, M_WAITOK);
  ASSERT_NE(p, nullptr);
  size_t before = ResidentBytes();
  Touch(reinterpret_cast<uintptr_t>(p), size, 1);
  size_t touched = ResidentBytes();
  kmem_free(p, size);
  size_t after = ResidentBytes();
  // Generous margins: other memory of the process moves a little too.
  EXPECT_GE(touched, before + 200 * kMiB);
  EXPECT_LE(after + 200 * kMiB, touched);
}

TEST(Rss, LongRunningProgramDoesNotGrow) {
  const size_t size = 32 * kMiB;
  auto cycle = [&](int i) {
    if (i % 2 == 0) {
      void *p = kmem_malloc(size, M_WAITOK);
      Touch(reinterpret_cast<uintptr_t>(p), size,
            static_cast<unsigned char>(i));
      kmem_free(p, size);
    } else {
      vaddr_t va = uvm_km_alloc(kernel_map, size);
      Touch(va, size, static_cast<unsigned char>(i));
      uvm_km_free(kernel_map, va, size);
    }
  };
  for (int i = 0; i < 4; i++) cycle(i);  // warm up
  size_t start = ResidentBytes();
  for (int i = 0; i < 100; i++) cycle(i);
  size_t end = ResidentBytes();
  // 100 cycles touched 3.2 GiB; a leak of even one cycle would show.
  EXPECT_LE(end, start + 16 * kMiB) << "start " << start << " end " << end;
}

}  // namespace
