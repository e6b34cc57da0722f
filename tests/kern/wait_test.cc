// Sleeping allocations (no M_NOWAIT): they wait for a free and never fail;
// M_NOWAIT fails at once instead. Waits are bounded so a bug cannot hang
// the suite; nothing depends on timing.
#include <errno.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"
#include "tests/kern/test_util.h"

namespace vmem_test {
namespace {

using std::chrono::milliseconds;

// The reclaim callback runs just before an allocation goes to sleep: it
// tells the test which threads reached the sleeping path.
std::mutex g_mu;
std::set<std::thread::id> g_reclaimers;
void NoteReclaim(vmem_t *, int) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_reclaimers.insert(std::this_thread::get_id());
}
size_t Reclaimers() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_reclaimers.size();
}
void ResetReclaimers() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_reclaimers.clear();
}

struct Result {
  int error;
  vmem_addr_t addr;
  bool saw_free;  // the freeing thread's flag, read after the return
};

vmem_addr_t MustAlloc(vmem_t *vm, vmem_size_t size) {
  vmem_addr_t a;
  EXPECT_EQ(vmem_xalloc(vm, size, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &a),
            0);
  return a;
}

TEST(WaitTest, SleeperWaitsForTheFree) {
  ResetReclaimers();
  vmem_t *vm = vmem_create("w-one", 0x1000, 0x1000, 0x10, 0, M_WAITOK);
  vmem_set_reclaim(vm, &NoteReclaim);
  vmem_addr_t all = MustAlloc(vm, 0x1000);
  vmem_verify(vm);

  std::atomic<bool> freed{false};
  auto fut = Spawn([&] {
    Result r;
    r.error = vmem_xalloc(vm, 0x100, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          M_BESTFIT | M_WAITOK, &r.addr);
    r.saw_free = freed.load();
    return r;
  });
  ASSERT_TRUE(WaitUntil([] { return Reclaimers() >= 1; }));
  std::this_thread::sleep_for(kSettle);  // let it reach cv_wait
  // Nothing was freed: it cannot have returned.
  EXPECT_EQ(fut.wait_for(milliseconds(0)), std::future_status::timeout);

  freed.store(true);
  vmem_xfree(vm, all, 0x1000);
  ASSERT_EQ(fut.wait_for(kHangTimeout), std::future_status::ready)
      << "sleeper never woke";
  Result r = fut.get();
  EXPECT_EQ(r.error, 0);
  EXPECT_TRUE(r.saw_free) << "returned before the free";
  EXPECT_GE(r.addr, 0x1000u);
  EXPECT_LE(r.addr + 0x100, 0x2000u);
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0x100u);
  vmem_xfree(vm, r.addr, 0x100);
  vmem_verify(vm);
  vmem_destroy(vm);
}

TEST(WaitTest, SeveralSleepersAllComplete) {
  ResetReclaimers();
  constexpr int kSleepers = 4;
  vmem_t *vm = vmem_create("w-many", 0x1000, 0x1000, 0x10, 0, M_WAITOK);
  vmem_set_reclaim(vm, &NoteReclaim);
  std::vector<vmem_addr_t> held;
  for (int i = 0; i < kSleepers; i++) held.push_back(MustAlloc(vm, 0x400));
  vmem_verify(vm);

  std::atomic<int> frees{0};
  std::atomic<int> done{0};
  std::vector<std::future<Result>> futs;
  for (int i = 0; i < kSleepers; i++)
    futs.push_back(Spawn([&] {
      Result r;
      r.error = vmem_xalloc(vm, 0x400, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                            M_FIRSTFIT, &r.addr);
      // Each success takes one freed block: never more than were freed.
      int n = done.fetch_add(1) + 1;
      r.saw_free = n <= frees.load();
      return r;
    }));
  ASSERT_TRUE(WaitUntil([&] { return Reclaimers() >= kSleepers; }));
  std::this_thread::sleep_for(kSettle);
  EXPECT_EQ(done.load(), 0);

  // Free the blocks one at a time.
  for (vmem_addr_t a : held) {
    frees.fetch_add(1);
    vmem_xfree(vm, a, 0x400);
    vmem_verify(vm);
  }
  std::set<vmem_addr_t> got;
  for (auto &fut : futs) {
    ASSERT_EQ(fut.wait_for(kHangTimeout), std::future_status::ready)
        << "a sleeper never woke";
    Result r = fut.get();
    EXPECT_EQ(r.error, 0);
    EXPECT_TRUE(r.saw_free) << "more allocations returned than blocks freed";
    EXPECT_TRUE(got.insert(r.addr).second) << "address handed out twice";
  }
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0x1000u);
  for (vmem_addr_t a : got) vmem_xfree(vm, a, 0x400);
  vmem_verify(vm);
  vmem_destroy(vm);
}

TEST(WaitTest, StackedSleeperWakesWhenTheBottomFrees) {
  ResetReclaimers();
  vmem_t *bottom =
      vmem_create("w-bottom", 0x100000, 0x4000, 0x1000, 0, M_WAITOK);
  vmem_set_reclaim(bottom, &NoteReclaim);
  vmem_t *top = vmem_create("w-top", 0, 0, 0x10, 0, M_WAITOK);
  vmem_set_import(top, vmem_import_arena, vmem_release_arena, bottom, 0x1000);
  vmem_addr_t all = MustAlloc(bottom, 0x4000);  // another consumer

  std::atomic<bool> freed{false};
  auto fut = Spawn([&] {
    Result r;
    r.error = vmem_xalloc(top, 0x100, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          M_BESTFIT | M_WAITOK, &r.addr);
    r.saw_free = freed.load();
    return r;
  });
  // The top arena's import sleeps in the bottom arena.
  ASSERT_TRUE(WaitUntil([] { return Reclaimers() >= 1; }));
  std::this_thread::sleep_for(kSettle);
  EXPECT_EQ(fut.wait_for(milliseconds(0)), std::future_status::timeout);
  vmem_verify(top);

  freed.store(true);
  vmem_xfree(bottom, all, 0x4000);
  ASSERT_EQ(fut.wait_for(kHangTimeout), std::future_status::ready)
      << "stacked sleeper never woke";
  Result r = fut.get();
  EXPECT_EQ(r.error, 0);
  EXPECT_TRUE(r.saw_free);
  EXPECT_GE(r.addr, 0x100000u);
  EXPECT_LE(r.addr + 0x100, 0x104000u);
  vmem_verify(top);
  vmem_verify(bottom);
  EXPECT_EQ(vmem_size(bottom, VMEM_ALLOC), 0x1000u);
  vmem_free(top, r.addr, 0x100);
  vmem_verify(top);
  vmem_verify(bottom);
  EXPECT_EQ(vmem_size(bottom, VMEM_ALLOC), 0u);
  vmem_destroy(top);
  vmem_destroy(bottom);
}

TEST(WaitTest, NoWaitOnAFullArenaFailsAtOnce) {
  vmem_t *vm = vmem_create("w-nowait", 0x1000, 0x1000, 0x10, 0, M_WAITOK);
  vmem_addr_t a = MustAlloc(vm, 0xf00);
  vmem_addr_t b = MustAlloc(vm, 0x100);
  const ArenaSnapshot before = ArenaSnapshot::Of(vm);
  for (int strat : {M_BESTFIT, M_FIRSTFIT}) {
    auto fut = Spawn([&] {
      vmem_addr_t x;
      return vmem_xalloc(vm, 0x10, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                         strat | M_NOWAIT, &x);
    });
    ASSERT_EQ(fut.wait_for(kHangTimeout), std::future_status::ready);
    EXPECT_EQ(fut.get(), ENOMEM);
    vmem_verify(vm);
    EXPECT_EQ(ArenaSnapshot::Of(vm), before);
  }
  vmem_addr_t x;
  EXPECT_EQ(vmem_alloc(vm, 0x10, M_BESTFIT | M_NOWAIT, &x), ENOMEM);
  vmem_verify(vm);
  EXPECT_EQ(ArenaSnapshot::Of(vm), before);
  vmem_xfree(vm, a, 0xf00);
  vmem_xfree(vm, b, 0x100);
  vmem_verify(vm);
  vmem_destroy(vm);
}

// M_NEXTFIT on a full arena: in a child with a watchdog, as a bug here
// spins forever with the arena lock held.
void NextFitNoWaitOnFullArena() {
  test_util::StartWatchdog("M_NEXTFIT|M_NOWAIT did not return");
  vmem_t *vm = vmem_create("w-nextfit", 0x1000, 0x1000, 0x10, 0, M_WAITOK);
  vmem_addr_t a = MustAlloc(vm, 0x1000);
  const ArenaSnapshot before = ArenaSnapshot::Of(vm);
  vmem_addr_t x;
  EXPECT_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_NEXTFIT | M_NOWAIT, &x),
            ENOMEM);
  vmem_verify(vm);
  EXPECT_EQ(ArenaSnapshot::Of(vm), before);
  vmem_xfree(vm, a, 0x1000);
  vmem_destroy(vm);
}

TEST(WaitDeathTest, NextFitNoWaitOnAFullArenaFailsAtOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_OK_IN_CHILD(NextFitNoWaitOnFullArena());
}

}  // namespace
}  // namespace vmem_test
