// WITNESS_WARN: warn when a caller that may sleep holds a mutex.
#ifndef COMPAT_WITNESS_H_
#define COMPAT_WITNESS_H_

#include "compat/proc.h"

#define WARN_GIANTOK 0x01
#define WARN_PANIC 0x02
#define WARN_SLEEPOK 0x04

void witness_warn(int flags, const char *fmt, const char *func);
#define WITNESS_WARN(flags, lock, fmt) \
  do {                                 \
    if (compat_locks_held() != 0)      \
      witness_warn((flags), (fmt), __func__); \
  } while (0)

#endif  // COMPAT_WITNESS_H_
