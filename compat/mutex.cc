#include "compat/mutex.h"

#include "compat/cpu.h"
#include "compat/futex.h"
#include "compat/panic.h"

namespace {
using compat_internal::locks_held;

// mtx_state values (the futex word).
constexpr uint32_t MTX_STATE_FREE = 0;
constexpr uint32_t MTX_STATE_HELD = 1;
constexpr uint32_t MTX_STATE_CONTESTED = 2;

// Polls of a held lock before sleeping: the holder usually leaves soon
// (vmem holds its lock for a few hundred instructions), as the kernel's
// adaptive mutexes spin while the owner runs.
constexpr int kSpins = 100;

struct thread *owner(struct mtx *m) {
  return __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED);
}

void set_owner(struct mtx *m, struct thread *td) {
  __atomic_store_n(&m->mtx_owner, td, __ATOMIC_RELAXED);
}

bool try_take(struct mtx *m) {
  uint32_t free = MTX_STATE_FREE;
  return __atomic_compare_exchange_n(&m->mtx_state, &free, MTX_STATE_HELD,
                                     false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED);
}

// The contested path (Drepper, "Futexes Are Tricky", mutex 3): spin a
// little, then mark the lock contested and sleep until it is free.
__attribute__((noinline)) void take_contested(struct mtx *m) {
  for (int i = 0; i < kSpins; i++) {
    if (__atomic_load_n(&m->mtx_state, __ATOMIC_RELAXED) == MTX_STATE_FREE &&
        try_take(m))
      return;
    cpu_spinwait();
  }
  while (__atomic_exchange_n(&m->mtx_state, MTX_STATE_CONTESTED,
                             __ATOMIC_ACQUIRE) != MTX_STATE_FREE)
    futex_wait(&m->mtx_state, MTX_STATE_CONTESTED);
}

void acquire_owner(struct mtx *m) {
  set_owner(m, curthread);
  locks_held++;
}
}  // namespace

void mtx_init(struct mtx *m, const char *name, const char *type, int opts) {
  KASSERT((opts & (MTX_SPIN | MTX_RECURSE)) == 0,
          ("mutex %s: options %#x are not supported", name, opts));
  __atomic_store_n(&m->mtx_state, MTX_STATE_FREE, __ATOMIC_RELAXED);
  m->mtx_name = name;
  m->mtx_flags = opts;
  set_owner(m, nullptr);
}

void mtx_destroy(struct mtx *m) {
  KASSERT(owner(m) == nullptr,
          ("mutex %s destroyed while held", m->mtx_name));
  m->mtx_name = nullptr;
}

void mtx_lock(struct mtx *m) {
  KASSERT(owner(m) != curthread,
          ("recursed on non-recursive mutex %s", m->mtx_name));
  if (__predict_false(!try_take(m))) take_contested(m);
  acquire_owner(m);
}

int mtx_trylock(struct mtx *m) {
  if (owner(m) == curthread || !try_take(m)) return 0;
  acquire_owner(m);
  return 1;
}

void mtx_unlock(struct mtx *m) {
  KASSERT(owner(m) == curthread,
          ("mutex %s not owned by this thread", m->mtx_name));
  locks_held--;
  set_owner(m, nullptr);
  if (__predict_false(__atomic_fetch_sub(&m->mtx_state, 1,
                                         __ATOMIC_RELEASE) !=
                      MTX_STATE_HELD)) {
    // Contested: free it and wake one sleeper, which takes it contested
    // again in case others sleep too.
    __atomic_store_n(&m->mtx_state, MTX_STATE_FREE, __ATOMIC_RELEASE);
    futex_wake(&m->mtx_state, 1);
  }
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
