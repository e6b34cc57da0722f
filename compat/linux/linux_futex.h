// Linux futex(2) wait and wake on a 32-bit word of this process, the
// sleeping half of mutex(9) and condvar(9).
#ifndef COMPAT_FUTEX_H_
#define COMPAT_FUTEX_H_

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// Sleeps while *word == expected, at most timeout if given; returns 0 when
// woken (possibly spuriously) and -1 with errno set otherwise (ETIMEDOUT,
// EAGAIN when *word had already changed, EINTR).
inline int futex_wait(uint32_t *word, uint32_t expected,
                      const struct timespec *timeout = nullptr) {
  return static_cast<int>(syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE,
                                  expected, timeout, nullptr, 0));
}

// Wakes up to n threads sleeping on word.
inline void futex_wake(uint32_t *word, int n) {
  syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

#endif  // COMPAT_FUTEX_H_
