// condvar(9) on std::condition_variable. Like struct mtx, plain memory until
// cv_init(). Timeouts are in ticks (see compat/kernel.h: hz).
#ifndef COMPAT_CONDVAR_H_
#define COMPAT_CONDVAR_H_

#include <condition_variable>

#include "compat/mutex.h"

struct cv {
  alignas(std::condition_variable) unsigned char
      cv_storage[sizeof(std::condition_variable)];
  const char *cv_description;
  int cv_waiters;  // under the interlock, as in the kernel
};

void cv_init(struct cv *cvp, const char *desc);
void cv_destroy(struct cv *cvp);
void cv_wait(struct cv *cvp, struct mtx *m);
// Returns 0 when signalled, EWOULDBLOCK when timo ticks passed.
int cv_timedwait(struct cv *cvp, struct mtx *m, int timo);
void cv_signal(struct cv *cvp);
void cv_broadcast(struct cv *cvp);
const char *cv_wmesg(struct cv *cvp);

#endif  // COMPAT_CONDVAR_H_
