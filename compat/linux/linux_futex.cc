// futex(2) through syscall(2): glibc has no wrapper.
#include <linux/linux_futex.h>

#include <linux/futex.h>  // the system's: FUTEX_WAIT_PRIVATE, ...
#include <sys/syscall.h>
#include <unistd.h>

int futex_wait(uint32_t *word, uint32_t expected,
               const struct timespec *timeout) {
  return static_cast<int>(syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected,
                                  timeout, nullptr, 0));
}

void futex_wake(uint32_t *word, int n) {
  syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}
