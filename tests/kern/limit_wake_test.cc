// vmem_set_limit() wakes the allocations that sleep for want of space
// (PORT(23)): one that could not import because of the limit imports as
// soon as the limit is raised. Upstream leaves it asleep until the periodic
// task's next wake-up (every ten seconds by default; here an hour, set
// before the first arena of the process, hence a binary of its own), so
// without the wake-up this test fails on its hang guard.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"
#include "tests/kern/test_util.h"

namespace vmem_test {
namespace {

std::atomic<int> g_reclaims{0};
void NoteReclaim(vmem_t *, int) { g_reclaims.fetch_add(1); }

TEST(LimitWakeTest, RaisingTheLimitWakesTheSleeper) {
  const int hour = 3600 * 1000;  // ticks of 1 ms
  ASSERT_EQ(vmem_sysctl_int("kern.vmem_periodic_interval", nullptr, &hour), 0);
  vmem_t *parent =
      vmem_create("lw-parent", 0x100000, 0x10000, 0x1000, 0, M_WAITOK);
  vmem_t *vm = vmem_create("lw-child", 0, 0, 0x1000, 0, M_WAITOK);
  vmem_set_import(vm, vmem_import_arena, vmem_release_arena, parent, 0x1000);
  vmem_set_limit(vm, 0x1000);
  vmem_set_reclaim(vm, &NoteReclaim);
  vmem_addr_t first;
  ASSERT_EQ(vmem_alloc(vm, 0x1000, M_BESTFIT | M_NOWAIT, &first), 0);

  // The limit stops the import: the allocation reclaims, then sleeps.
  auto fut = Spawn([vm] {
    vmem_addr_t addr = 0;
    EXPECT_EQ(vmem_alloc(vm, 0x1000, M_BESTFIT | M_WAITOK, &addr), 0);
    return addr;
  });
  ASSERT_TRUE(WaitUntil([] { return g_reclaims.load() >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // to cv_wait
  EXPECT_EQ(fut.wait_for(std::chrono::milliseconds(0)),
            std::future_status::timeout);

  vmem_set_limit(vm, 0x2000);
  ASSERT_EQ(fut.wait_for(kHangTimeout), std::future_status::ready)
      << "the sleeper was not woken when the limit was raised";
  const vmem_addr_t second = fut.get();
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0x2000u);
  vmem_verify(vm);
  vmem_free(vm, first, 0x1000);
  vmem_free(vm, second, 0x1000);
  vmem_destroy(vm);
  vmem_destroy(parent);
}

}  // namespace
}  // namespace vmem_test
