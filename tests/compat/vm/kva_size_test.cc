// The kernel map's size is set before first use; a small map runs out, and
// a sleeping kmem_malloc() waits for a free from another thread.
#include <string.h>

#include <future>

#include <vm/vm_kern.h>
#include "gtest/gtest.h"
#include "tests/compat/vm/test_util.h"

namespace {

using kmem_test::PageSize;
using test_util::kHangTimeout;
using test_util::kSettle;

constexpr size_t kPages = 64;

// Whichever test runs first sets the size, before anything uses the map.
class KvaSize : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    EXPECT_EQ(kmem_kva_size(), KMEM_KVA_SIZE_DEFAULT);
    EXPECT_EQ(kmem_set_kva_size(PageSize()), EINVAL);  // too small
    // Rounded up to pages.
    EXPECT_EQ(kmem_set_kva_size(kPages * PageSize() - 100), 0);
  }
};

TEST_F(KvaSize, SetBeforeFirstUse) {
  EXPECT_EQ(kmem_kva_size(), kPages * PageSize());
  vm_map_t map = kernel_map;
  EXPECT_EQ(vm_map_max(map) - vm_map_min(map), kPages * PageSize());
  EXPECT_EQ(kmem_set_kva_size(2 * kPages * PageSize()), EBUSY);
  EXPECT_EQ(kmem_kva_size(), kPages * PageSize());
}

TEST_F(KvaSize, SleepingMallocWaitsForAFree) {
  ASSERT_EQ(kmem_kva_size(), kPages * PageSize());
  void *all = kmem_malloc(kPages * PageSize(), M_WAITOK);
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(kmem_malloc(PageSize(), M_NOWAIT), nullptr);
  EXPECT_EQ(kva_alloc(PageSize()), 0u);

  auto sleeper = std::async(std::launch::async, [] {
    return kmem_malloc(4 * PageSize(), M_WAITOK | M_ZERO);
  });
  EXPECT_EQ(sleeper.wait_for(kSettle), std::future_status::timeout);
  memset(all, 0x42, kPages * PageSize());
  kmem_free(all, kPages * PageSize());
  ASSERT_EQ(sleeper.wait_for(kHangTimeout), std::future_status::ready);
  void *p = sleeper.get();
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(kmem_test::AllBytesAre(reinterpret_cast<uintptr_t>(p),
                                     4 * PageSize(), 0));
  kmem_free(p, 4 * PageSize());
}

}  // namespace
