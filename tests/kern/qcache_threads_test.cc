// Quantum caches under several threads: every cached address comes from the
// arena and has its size class, no block is handed to two threads at once,
// and the caches' zone counters add up to what the arena sees.
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <vm/uma.h>
#include "gtest/gtest.h"

namespace {

constexpr vmem_size_t kQuantum = 4096;
constexpr vmem_addr_t kBase = 0x40000000;
constexpr vmem_size_t kSpan = 4096 * kQuantum;

struct ZoneTotals {
  std::string prefix;
  int64_t inuse = 0;
  int64_t held_bytes = 0;  // (inuse + free) * size: the arena's view
  int zones = 0;
};

void add_zone(uma_zone_t z, void *arg) {
  auto *t = static_cast<ZoneTotals *>(arg);
  uma_zone_stats st;
  uma_zone_get_stats(z, &st);
  if (std::strncmp(st.name, t->prefix.c_str(), t->prefix.size()) != 0) return;
  t->zones++;
  t->inuse += st.inuse;
  t->held_bytes += (st.inuse + st.free) * static_cast<int64_t>(st.size);
}

ZoneTotals totals(const char *arena) {
  ZoneTotals t;
  t.prefix = std::string(arena) + "-";
  uma_zone_foreach(add_zone, &t);
  return t;
}

TEST(QcacheThreadsTest, ThreadsShareTheArenaSoundly) {
  vmem_t *vm =
      vmem_create("qct", kBase, kSpan, kQuantum, 8 * kQuantum, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  constexpr int kThreads = 4, kSteps = 20000;
  // One byte per quantum of the span: which thread holds it (0: nobody).
  std::vector<std::atomic<uint8_t>> owner(kSpan / kQuantum);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 1; t <= kThreads; t++)
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<std::pair<vmem_addr_t, vmem_size_t>> mine;
      for (int step = 0; step < kSteps; step++) {
        if (mine.size() < 64 && (rng() % 2 == 0 || mine.empty())) {
          vmem_size_t size = (1 + rng() % 8) * kQuantum;
          vmem_addr_t addr;
          if (vmem_alloc(vm, size, M_BESTFIT | M_NOWAIT, &addr) != 0) {
            errors++;
            continue;
          }
          if (addr < kBase || addr + size > kBase + kSpan ||
              (addr - kBase) % kQuantum != 0) {
            errors++;
            continue;
          }
          for (vmem_size_t q = 0; q < size / kQuantum; q++) {
            uint8_t expected = 0;
            if (!owner[(addr - kBase) / kQuantum + q].compare_exchange_strong(
                    expected, static_cast<uint8_t>(t)))
              errors++;
          }
          mine.emplace_back(addr, size);
        } else {
          size_t i = rng() % mine.size();
          auto [addr, size] = mine[i];
          for (vmem_size_t q = 0; q < size / kQuantum; q++)
            owner[(addr - kBase) / kQuantum + q] = 0;
          vmem_free(vm, addr, size);
          mine[i] = mine.back();
          mine.pop_back();
        }
      }
      for (auto [addr, size] : mine) {
        for (vmem_size_t q = 0; q < size / kQuantum; q++)
          owner[(addr - kBase) / kQuantum + q] = 0;
        vmem_free(vm, addr, size);
      }
    });
  for (auto &th : threads) th.join();
  EXPECT_EQ(errors.load(), 0)
      << "an address outside the arena, misaligned, or held twice";
  vmem_verify(vm);

  // Nothing is live; whatever the caches hold is all the arena has lent.
  ZoneTotals t = totals("qct");
  EXPECT_EQ(t.zones, 8);
  EXPECT_EQ(t.inuse, 0);
  EXPECT_EQ(static_cast<vmem_size_t>(t.held_bytes), vmem_size(vm, VMEM_ALLOC));
  vmem_destroy(vm);
}

TEST(QcacheThreadsTest, CountersFollowLiveAllocations) {
  vmem_t *vm =
      vmem_create("qcc", kBase, kSpan, kQuantum, 4 * kQuantum, M_WAITOK);
  std::vector<std::pair<vmem_addr_t, vmem_size_t>> live;
  for (int i = 0; i < 40; i++) {
    vmem_size_t size = (1 + i % 4) * kQuantum;
    vmem_addr_t addr;
    ASSERT_EQ(vmem_alloc(vm, size, M_FIRSTFIT | M_NOWAIT, &addr), 0);
    live.emplace_back(addr, size);
  }
  ZoneTotals t = totals("qcc");
  EXPECT_EQ(t.inuse, 40);
  EXPECT_EQ(static_cast<vmem_size_t>(t.held_bytes), vmem_size(vm, VMEM_ALLOC));
  for (auto [addr, size] : live) vmem_free(vm, addr, size);
  t = totals("qcc");
  EXPECT_EQ(t.inuse, 0);
  EXPECT_EQ(static_cast<vmem_size_t>(t.held_bytes), vmem_size(vm, VMEM_ALLOC));
  vmem_destroy(vm);  // with everything cached: the caches give it back
  EXPECT_EQ(totals("qcc").zones, 0);
}

}  // namespace
