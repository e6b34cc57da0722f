// condvar(9) on a futex (see <sys/condvar.h>).
#include <sys/condvar.h>

#include <errno.h>
#include <limits.h>
#include <time.h>

#include <algorithm>

#include <linux/linux_futex.h>
#include <sys/kernel.h>
#include <sys/mutex.h>
#include <sys/systm.h>

namespace {
int waiters(struct cv *cvp) {
  return __atomic_load_n(&cvp->cv_waiters, __ATOMIC_RELAXED);
}

void add_waiters(struct cv *cvp, int n) {
  __atomic_store_n(&cvp->cv_waiters, waiters(cvp) + n, __ATOMIC_RELAXED);
}

// Sleeps with the interlock dropped, at most timeout if given; false when
// the timeout passed.
bool wait(const char *func, struct cv *cvp, struct mtx *m,
          const struct timespec *timeout) {
  // Checked always (one load), as an INVARIANTS kernel does: without the
  // interlock a signal can be lost.
  if (__predict_false(!mtx_owned(m)))
    panic_func(func, "condvar %s (%p): mutex %s (%p) not held",
               cvp->cv_description, static_cast<void *>(cvp), mtx_name(m),
               static_cast<void *>(m));
  // Dropping a recursed mutex would not release it (FreeBSD asserts
  // MA_NOTRECURSED here).
  if (__predict_false(m->mtx_recurse != 0))
    panic_func(func, "condvar %s (%p): mutex %s (%p) recursed",
               cvp->cv_description, static_cast<void *>(cvp), mtx_name(m),
               static_cast<void *>(m));
  add_waiters(cvp, 1);
  // Read under the interlock: a signal after we drop it changes cv_seq
  // and the futex then returns at once.
  const uint32_t seq = __atomic_load_n(&cvp->cv_seq, __ATOMIC_ACQUIRE);
  mtx_unlock(m);
  bool timed_out = false;
  if (futex_wait(&cvp->cv_seq, seq, timeout) != 0 && errno == ETIMEDOUT)
    timed_out = true;
  mtx_lock(m);
  add_waiters(cvp, -1);
  return !timed_out;
}

// Wakes up to n waiters, if any.
void wake(struct cv *cvp, int n) {
  if (waiters(cvp) == 0) return;
  __atomic_fetch_add(&cvp->cv_seq, 1, __ATOMIC_RELEASE);
  futex_wake(&cvp->cv_seq, n);
}
}  // namespace

void cv_init(struct cv *cvp, const char *desc) {
  cvp->cv_seq = 0;
  cvp->cv_description = desc;
  cvp->cv_waiters = 0;
}

void cv_destroy(struct cv *cvp) {
  KASSERT(waiters(cvp) == 0, ("condvar %s destroyed with %d waiters",
                              cvp->cv_description, waiters(cvp)));
}

void cv_wait(struct cv *cvp, struct mtx *m) {
  wait("cv_wait", cvp, m, nullptr);
}

int cv_timedwait(struct cv *cvp, struct mtx *m, int timo) {
  const int64_t ns = std::max<int64_t>(0, int64_t{1000000000} * timo / hz);
  const struct timespec timeout = {static_cast<time_t>(ns / 1000000000),
                                   static_cast<long>(ns % 1000000000)};
  return wait("cv_timedwait", cvp, m, &timeout) ? 0 : EWOULDBLOCK;
}

void cv_signal(struct cv *cvp) { wake(cvp, 1); }

void cv_broadcast(struct cv *cvp) { wake(cvp, INT_MAX); }

const char *cv_wmesg(struct cv *cvp) { return cvp->cv_description; }
