// The kernel's layering: zones (uma(9)) take their slabs from kmem_malloc()
// and give them back through kmem_free() at uma_zdestroy().
#include <string.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <vm/uma.h>
#include <vm/vm_kern.h>
#include "gtest/gtest.h"
#include "tests/compat/vm/test_util.h"

namespace {

using kmem_test::PageSize;
using kmem_test::ResidentPages;

// The slabs handed out, to check where they came from and that all return.
std::mutex slabs_lock;
std::set<std::pair<uintptr_t, size_t>> live_slabs;
std::atomic<int> allocs{0}, frees{0};

constexpr uint8_t kPflag = 0x5;  // what allocf says, freef must hear back

void *kmem_slab_alloc(uma_zone_t zone, vm_size_t size, int domain,
                      uint8_t *pflag, int wait) {
  void *mem = kmem_malloc(size, wait | M_ZERO);
  if (mem == nullptr) return nullptr;
  *pflag = kPflag;
  allocs++;
  std::lock_guard<std::mutex> l(slabs_lock);
  live_slabs.insert({reinterpret_cast<uintptr_t>(mem), size});
  return mem;
}

void kmem_slab_free(void *item, vm_size_t size, uint8_t pflag) {
  EXPECT_EQ(pflag, kPflag);
  {
    std::lock_guard<std::mutex> l(slabs_lock);
    EXPECT_EQ(live_slabs.erase({reinterpret_cast<uintptr_t>(item), size}), 1u);
  }
  frees++;
  kmem_free(item, size);
}

struct Item {
  uint64_t words[12];
};

TEST(ZoneOnKmem, SlabsComeFromTheKernelMapAndGoBack) {
  uma_zone_t zone = uma_zcreate("kmem items", sizeof(Item), nullptr, nullptr,
                                nullptr, nullptr, UMA_ALIGN_PTR, 0);
  uma_zone_set_allocf(zone, kmem_slab_alloc);
  uma_zone_set_freef(zone, kmem_slab_free);

  std::vector<Item *> items;
  for (int i = 0; i < 2000; i++) {
    auto *it = static_cast<Item *>(uma_zalloc(zone, M_WAITOK));
    ASSERT_NE(it, nullptr);
    for (uint64_t w : it->words) ASSERT_EQ(w, 0u);  // fresh items are zero
    uintptr_t addr = reinterpret_cast<uintptr_t>(it);
    ASSERT_GE(addr, vm_map_min(kernel_map));
    ASSERT_LE(addr + sizeof(Item), vm_map_max(kernel_map));
    memset(it, i & 0xff, sizeof(*it));
    items.push_back(it);
  }
  EXPECT_GT(allocs.load(), 0);
  {
    // Every item lies in a slab that allocf handed out.
    std::lock_guard<std::mutex> l(slabs_lock);
    for (Item *it : items) {
      uintptr_t addr = reinterpret_cast<uintptr_t>(it);
      auto s = live_slabs.upper_bound({addr, SIZE_MAX});
      ASSERT_NE(s, live_slabs.begin());
      --s;
      EXPECT_LE(addr + sizeof(Item), s->first + s->second);
    }
  }
  for (size_t i = 0; i < items.size(); i++) {
    for (uint64_t w : items[i]->words) ASSERT_EQ(w & 0xff, i & 0xff);
    uma_zfree(zone, items[i]);
  }

  std::vector<std::pair<uintptr_t, size_t>> slabs;
  {
    std::lock_guard<std::mutex> l(slabs_lock);
    slabs.assign(live_slabs.begin(), live_slabs.end());
  }
  uma_zdestroy(zone);
  EXPECT_EQ(frees.load(), allocs.load());
  EXPECT_TRUE(live_slabs.empty());
  // The slabs' pages went back to the system.
  for (auto [addr, size] : slabs) EXPECT_EQ(ResidentPages(addr, size), 0u);
}

TEST(ZoneOnKmem, ManyThreads) {
  allocs = 0;
  frees = 0;
  uma_zone_t zone = uma_zcreate("kmem mt", 200, nullptr, nullptr, nullptr,
                                nullptr, UMA_ALIGN_CACHE, 0);
  uma_zone_set_allocf(zone, kmem_slab_alloc);
  uma_zone_set_freef(zone, kmem_slab_free);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([zone, t] {
      std::vector<void *> mine;
      for (int i = 0; i < 3000; i++) {
        void *p = uma_zalloc(zone, (i % 3 == 0) ? M_NOWAIT : M_WAITOK);
        if (p == nullptr) continue;
        memset(p, t, 200);
        mine.push_back(p);
        if (mine.size() > 100) {
          uma_zfree(zone, mine.front());
          mine.erase(mine.begin());
        }
      }
      for (void *p : mine) uma_zfree(zone, p);
    });
  }
  for (auto &th : threads) th.join();
  uma_zdestroy(zone);
  EXPECT_EQ(frees.load(), allocs.load());
  EXPECT_TRUE(live_slabs.empty());
}

}  // namespace
