#include "compat/mutex.h"

#include <new>

#include "absl/base/thread_annotations.h"
#include "compat/panic.h"
#include "compat/tsan.h"

namespace {
using compat_internal::locks_held;

struct thread *owner(struct mtx *m) {
  return __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED);
}

void set_owner(struct mtx *m, struct thread *td) {
  __atomic_store_n(&m->mtx_owner, td, __ATOMIC_RELAXED);
}
}  // namespace

absl::Mutex *mtx_absl(struct mtx *m) {
  return std::launder(reinterpret_cast<absl::Mutex *>(m->mtx_storage));
}

void mtx_init(struct mtx *m, const char *name, const char *type, int opts) {
  KASSERT((opts & (MTX_SPIN | MTX_RECURSE)) == 0,
          ("mutex %s: options %#x are not supported", name, opts));
  // Our owner tracking checks recursion; Abseil's deadlock detection (on in
  // Debian's build) would cost a graph update on every lock.
  static const bool no_detection = [] {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    return true;
  }();
  (void)no_detection;
  new (m->mtx_storage) absl::Mutex();
  m->mtx_name = name;
  m->mtx_flags = opts;
  set_owner(m, nullptr);
}

void mtx_destroy(struct mtx *m) {
  KASSERT(owner(m) == nullptr,
          ("mutex %s destroyed while held", m->mtx_name));
  mtx_absl(m)->~Mutex();
  m->mtx_name = nullptr;
}

void mtx_acquire_owner(struct mtx *m) {
  TSAN_ACQUIRE(m);
  set_owner(m, curthread);
  locks_held++;
}

void mtx_release_owner(struct mtx *m) {
  KASSERT(owner(m) == curthread,
          ("mutex %s not owned by this thread", m->mtx_name));
  locks_held--;
  set_owner(m, nullptr);
  TSAN_RELEASE(m);
}

// The absl::Mutex is taken in one call and released in another, which
// clang's -Wthread-safety (on in Bazel's clang toolchain) cannot follow.
void mtx_lock(struct mtx *m) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  KASSERT(owner(m) != curthread,
          ("recursed on non-recursive mutex %s", m->mtx_name));
  mtx_absl(m)->Lock();
  mtx_acquire_owner(m);
}

int mtx_trylock(struct mtx *m) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (owner(m) == curthread || !mtx_absl(m)->TryLock()) return 0;
  mtx_acquire_owner(m);
  return 1;
}

void mtx_unlock(struct mtx *m) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  mtx_release_owner(m);
  mtx_absl(m)->Unlock();
}

void mtx_assert_fail(struct mtx *m, int what) {
  switch (what) {
    case MA_OWNED:
      panic("mutex %s not owned", m->mtx_name);
    case MA_NOTOWNED:
      panic("mutex %s owned", m->mtx_name);
    default:
      panic("unknown mtx_assert what %d on mutex %s", what, m->mtx_name);
  }
}

const char *mtx_name(struct mtx *m) { return m->mtx_name; }
