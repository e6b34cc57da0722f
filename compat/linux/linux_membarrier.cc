// The asymmetric fence on membarrier(2); see linux_membarrier.h.
#include <linux/linux_membarrier.h>

#include <errno.h>
#include <linux/membarrier.h>  // the system's: MEMBARRIER_CMD_*
#include <sys/syscall.h>
#include <unistd.h>

#include <sys/systm.h>

int asymmetric_fence_degraded;

namespace {

long membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0, 0); }

// Set once the process is registered (or degraded). Registering twice is
// harmless, so threads that race here may both register.
int registered;

}  // namespace

void asymmetric_fence_init(void) {
  if (__predict_true(__atomic_load_n(&registered, __ATOMIC_ACQUIRE) != 0))
    return;
  if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
    __atomic_store_n(&asymmetric_fence_degraded, 1, __ATOMIC_RELAXED);
  __atomic_store_n(&registered, 1, __ATOMIC_RELEASE);
}

void asymmetric_fence_heavy(void) {
  asymmetric_fence_init();
  if (__atomic_load_n(&asymmetric_fence_degraded, __ATOMIC_RELAXED)) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return;
  }
  // Registered, so the only failures left are programming errors.
  if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
    panic("membarrier: errno %d", errno);
}
