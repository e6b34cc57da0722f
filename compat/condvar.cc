#include "compat/condvar.h"

#include <errno.h>

#include <chrono>
#include <new>

#include "compat/kernel.h"
#include "compat/panic.h"

namespace {
std::condition_variable *cond(struct cv *cvp) {
  return std::launder(
      reinterpret_cast<std::condition_variable *>(cvp->cv_storage));
}

// Waits with the mutex's ownership handed over; false on timeout.
bool wait(struct cv *cvp, struct mtx *m, std::chrono::microseconds timeout,
          bool timed) {
  mtx_assert(m, MA_OWNED);
  cvp->cv_waiters++;
  mtx_release_owner(m);
  bool timed_out = false;
  // The lock stays held across the call: adopt it, then give it back.
  std::unique_lock<std::mutex> lock(*mtx_std(m), std::adopt_lock);
  if (timed)
    timed_out = cond(cvp)->wait_for(lock, timeout) == std::cv_status::timeout;
  else
    cond(cvp)->wait(lock);
  lock.release();
  mtx_acquire_owner(m);
  cvp->cv_waiters--;
  return !timed_out;
}
}  // namespace

void cv_init(struct cv *cvp, const char *desc) {
  new (cvp->cv_storage) std::condition_variable();
  cvp->cv_description = desc;
  cvp->cv_waiters = 0;
}

void cv_destroy(struct cv *cvp) {
  KASSERT(cvp->cv_waiters == 0,
          ("condvar %s destroyed with %d waiters", cvp->cv_description,
           cvp->cv_waiters));
  cond(cvp)->~condition_variable();
}

void cv_wait(struct cv *cvp, struct mtx *m) {
  wait(cvp, m, std::chrono::microseconds::zero(), false);
}

int cv_timedwait(struct cv *cvp, struct mtx *m, int timo) {
  return wait(cvp, m,
              std::chrono::microseconds(int64_t{1000000} * timo / hz), true)
             ? 0
             : EWOULDBLOCK;
}

void cv_signal(struct cv *cvp) { cond(cvp)->notify_one(); }

void cv_broadcast(struct cv *cvp) { cond(cvp)->notify_all(); }

const char *cv_wmesg(struct cv *cvp) { return cvp->cv_description; }
