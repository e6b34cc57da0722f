#include "compat/mutex.h"

#include <new>

#include "compat/panic.h"

namespace {
using compat_internal::locks_held;

struct thread *owner(struct mtx *m) {
  return __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED);
}

void set_owner(struct mtx *m, struct thread *td) {
  __atomic_store_n(&m->mtx_owner, td, __ATOMIC_RELAXED);
}
}  // namespace

std::mutex *mtx_std(struct mtx *m) {
  return std::launder(reinterpret_cast<std::mutex *>(m->mtx_storage));
}

void mtx_init(struct mtx *m, const char *name, const char *type, int opts) {
  KASSERT((opts & (MTX_SPIN | MTX_RECURSE)) == 0,
          ("mutex %s: options %#x are not supported", name, opts));
  new (m->mtx_storage) std::mutex();
  m->mtx_name = name;
  m->mtx_flags = opts;
  set_owner(m, nullptr);
}

void mtx_destroy(struct mtx *m) {
  KASSERT(owner(m) == nullptr,
          ("mutex %s destroyed while held", m->mtx_name));
  mtx_std(m)->~mutex();
  m->mtx_name = nullptr;
}

void mtx_acquire_owner(struct mtx *m) {
  set_owner(m, curthread);
  locks_held++;
}

void mtx_release_owner(struct mtx *m) {
  KASSERT(owner(m) == curthread,
          ("mutex %s not owned by this thread", m->mtx_name));
  locks_held--;
  set_owner(m, nullptr);
}

void mtx_lock(struct mtx *m) {
  KASSERT(owner(m) != curthread,
          ("recursed on non-recursive mutex %s", m->mtx_name));
  mtx_std(m)->lock();
  mtx_acquire_owner(m);
}

int mtx_trylock(struct mtx *m) {
  if (owner(m) == curthread || !mtx_std(m)->try_lock()) return 0;
  mtx_acquire_owner(m);
  return 1;
}

void mtx_unlock(struct mtx *m) {
  mtx_release_owner(m);
  mtx_std(m)->unlock();
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
