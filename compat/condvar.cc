#include "compat/condvar.h"

#include <errno.h>

#include <new>

#include "absl/time/time.h"
#include "compat/kernel.h"
#include "compat/panic.h"

namespace {
absl::CondVar *cond(struct cv *cvp) {
  return std::launder(reinterpret_cast<absl::CondVar *>(cvp->cv_storage));
}

// Waits with the mutex's ownership handed over; false on timeout.
bool wait(struct cv *cvp, struct mtx *m, absl::Duration timeout,
          bool timed) {
  mtx_assert(m, MA_OWNED);
  cvp->cv_waiters++;
  mtx_release_owner(m);
  bool timed_out = false;
  if (timed)
    timed_out = cond(cvp)->WaitWithTimeout(mtx_absl(m), timeout);
  else
    cond(cvp)->Wait(mtx_absl(m));
  mtx_acquire_owner(m);
  cvp->cv_waiters--;
  return !timed_out;
}
}  // namespace

void cv_init(struct cv *cvp, const char *desc) {
  new (cvp->cv_storage) absl::CondVar();
  cvp->cv_description = desc;
  cvp->cv_waiters = 0;
}

void cv_destroy(struct cv *cvp) {
  KASSERT(cvp->cv_waiters == 0,
          ("condvar %s destroyed with %d waiters", cvp->cv_description,
           cvp->cv_waiters));
  cond(cvp)->~CondVar();
}

void cv_wait(struct cv *cvp, struct mtx *m) {
  wait(cvp, m, absl::InfiniteDuration(), false);
}

int cv_timedwait(struct cv *cvp, struct mtx *m, int timo) {
  return wait(cvp, m, absl::Milliseconds(1000) * timo / hz, true)
             ? 0
             : EWOULDBLOCK;
}

void cv_signal(struct cv *cvp) { cond(cvp)->Signal(); }

void cv_broadcast(struct cv *cvp) { cond(cvp)->SignalAll(); }

const char *cv_wmesg(struct cv *cvp) { return cvp->cv_description; }
