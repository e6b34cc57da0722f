// mutex(9): the out-of-line halves (see <sys/mutex.h>).
#include <sys/mutex.h>

#include <machine/cpu.h>
#include <linux/linux_futex.h>
#include <sys/systm.h>

namespace {

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
                                     false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

}  // namespace

void mtx_init(struct mtx *m, const char *name, const char *type, int opts) {
  KASSERT((opts & MTX_SPIN) == 0,
          ("mutex %s: options %#x are not supported", name, opts));
  __atomic_store_n(&m->mtx_state, MTX_STATE_FREE, __ATOMIC_RELAXED);
  m->mtx_name = name;
  m->mtx_flags = opts;
  m->mtx_recurse = 0;
  set_owner(m, nullptr);
}

void mtx_destroy(struct mtx *m) {
  KASSERT(owner(m) == nullptr, ("mutex %s destroyed while held", m->mtx_name));
  // Not free any more: a later mtx_lock() takes the contested path, which
  // panics. The name stays for its message.
  __atomic_store_n(&m->mtx_state, MTX_STATE_DESTROYED, __ATOMIC_RELAXED);
}

// The contested path (Drepper, "Futexes Are Tricky", mutex 3): spin a
// little, then mark the lock contested and sleep until it is free. The
// owner of an MTX_RECURSE mutex comes here too: it counts the recursion
// and marks the lock contested, so that every mtx_unlock() comes to
// mtx_unlock_contested() until the last.
void mtx_lock_contested(struct mtx *m) {
  if (__atomic_load_n(&m->mtx_state, __ATOMIC_RELAXED) == MTX_STATE_DESTROYED)
    panic_func("mtx_lock", "mutex %s (%p) is destroyed", m->mtx_name,
               static_cast<void *>(m));
  if (owner(m) == curthread) {
    if ((m->mtx_flags & MTX_RECURSE) == 0) mtx_recursed(m);
    m->mtx_recurse++;
    __atomic_store_n(&m->mtx_state, MTX_STATE_CONTESTED, __ATOMIC_RELAXED);
    return;
  }
  for (int i = 0; i < kSpins; i++) {
    if (__atomic_load_n(&m->mtx_state, __ATOMIC_RELAXED) == MTX_STATE_FREE &&
        try_take(m))
      return;
    cpu_spinwait();
  }
  while (__atomic_exchange_n(&m->mtx_state, MTX_STATE_CONTESTED,
                             __ATOMIC_ACQUIRE) != MTX_STATE_FREE)
    futex_wait(&m->mtx_state, MTX_STATE_CONTESTED, nullptr);
}

// The decrement left CONTESTED - 1. A recursed lock stays held: give it its
// owner back (the inline half cleared it) and mark it contested
// again, since waiters may have set it so meanwhile. Else free the lock and
// wake one sleeper, which takes it contested again in case others sleep.
void mtx_unlock_contested(struct mtx *m) {
  if (m->mtx_recurse > 0) {
    m->mtx_recurse--;
    __atomic_store_n(&m->mtx_state, MTX_STATE_CONTESTED, __ATOMIC_RELAXED);
    set_owner(m, curthread);
    return;
  }
  __atomic_store_n(&m->mtx_state, MTX_STATE_FREE, __ATOMIC_RELEASE);
  futex_wake(&m->mtx_state, 1);
}

// (Named after the caller's API, not these helpers.)
void mtx_recursed(struct mtx *m) {
  panic_func("mtx_lock", "recursed on non-recursive mutex %s (%p)", m->mtx_name,
             static_cast<void *>(m));
}

void mtx_not_owner(struct mtx *m) {
  panic_func("mtx_unlock", "mutex %s not owned by this thread", m->mtx_name);
}

int mtx_trylock(struct mtx *m) {
  if (__atomic_load_n(&m->mtx_state, __ATOMIC_RELAXED) == MTX_STATE_DESTROYED)
    panic_func("mtx_trylock", "mutex %s (%p) is destroyed", m->mtx_name,
               static_cast<void *>(m));
  if (owner(m) == curthread) {
    if ((m->mtx_flags & MTX_RECURSE) == 0) return 0;
    mtx_lock_contested(m);  // counts the recursion
  } else if (!try_take(m)) {
    return 0;
  }
  set_owner(m, curthread);
  curthread->td_locks++;
  return 1;
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
