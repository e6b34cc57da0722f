#include "compat/asymmetric_fence.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "compat/panic.h"

std::atomic<bool> asymmetric_fence_degraded;

namespace {

long membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0, 0); }

}  // namespace

void asymmetric_fence_init(void) {
  static std::once_flag once;
  std::call_once(once, [] {
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
      asymmetric_fence_degraded.store(true, std::memory_order_relaxed);
  });
}

void asymmetric_fence_heavy(void) {
  asymmetric_fence_init();
  if (asymmetric_fence_degraded.load(std::memory_order_relaxed)) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return;
  }
  // Registered, so the only failures left are programming errors.
  if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
    panic("membarrier: errno %d", errno);
}
