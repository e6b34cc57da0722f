// mutex(9) as the kernel builds it: a lock word taken with one atomic
// compare-and-swap when free, and sleeping (a futex) when contested; with
// owner tracking so that mtx_assert() and recursion checks are real.
// (std::mutex and absl::Mutex cost two to three times the instructions per
// lock and unlock, and vmem takes its arena lock on every call.)
//
// Like the kernel's, a struct mtx is plain memory until mtx_init() and after
// mtx_destroy(): structures that embed one may be bzero()ed and live in
// zone(9) items.
#ifndef COMPAT_MUTEX_H_
#define COMPAT_MUTEX_H_

#include <stdint.h>

#include "compat/cdefs.h"
#include "compat/proc.h"

// mtx_state values (the futex word).
#define MTX_STATE_FREE 0u
#define MTX_STATE_HELD 1u
#define MTX_STATE_CONTESTED 2u  // held, and a thread may sleep on it

struct mtx {
  uint32_t mtx_state;  // MTX_STATE_*; __atomic builtins and futex(2)
  int mtx_flags;
  const char *mtx_name;
  struct thread *mtx_owner;  // accessed with __atomic builtins
};

struct alignas(CACHE_LINE_SIZE) mtx_padalign : mtx {};

// mtx_init() options.
#define MTX_DEF 0x00000000
#define MTX_SPIN 0x00000001
#define MTX_RECURSE 0x00000004
#define MTX_NEW 0x00000020

// mtx_assert() what.
#define MA_OWNED 0x01
#define MA_NOTOWNED 0x02

void mtx_init(struct mtx *m, const char *name, const char *type, int opts);
void mtx_destroy(struct mtx *m);
int mtx_trylock(struct mtx *m);

// The out-of-line halves of mtx_lock()/mtx_unlock() (mutex.cc).
void mtx_lock_contested(struct mtx *m);
void mtx_unlock_contested(struct mtx *m);
[[noreturn]] void mtx_recursed(struct mtx *m);
[[noreturn]] void mtx_not_owner(struct mtx *m);

// Inline, as the kernel's: free, the lock is one compare-and-swap and the
// unlock one atomic decrement; sleeping and waking are out of line.
inline void mtx_lock(struct mtx *m) {
  if (__predict_false(__atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) ==
                      curthread))
    mtx_recursed(m);
  uint32_t free = MTX_STATE_FREE;
  if (__predict_false(!__atomic_compare_exchange_n(
          &m->mtx_state, &free, MTX_STATE_HELD, false, __ATOMIC_ACQUIRE,
          __ATOMIC_RELAXED)))
    mtx_lock_contested(m);
  __atomic_store_n(&m->mtx_owner, curthread, __ATOMIC_RELAXED);
  compat_internal::locks_held++;
}

inline void mtx_unlock(struct mtx *m) {
  if (__predict_false(__atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) !=
                      curthread))
    mtx_not_owner(m);
  compat_internal::locks_held--;
  __atomic_store_n(&m->mtx_owner, nullptr, __ATOMIC_RELAXED);
  if (__predict_false(__atomic_fetch_sub(&m->mtx_state, 1,
                                         __ATOMIC_RELEASE) != MTX_STATE_HELD))
    mtx_unlock_contested(m);
}
// Inline: every vmem operation asserts its lock.
inline int mtx_owned(struct mtx *m) {
  return __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) == curthread;
}
[[noreturn]] void mtx_assert_fail(struct mtx *m, int what);
inline void mtx_assert(struct mtx *m, int what) {
  if (__predict_false((what != MA_OWNED && what != MA_NOTOWNED) ||
                      (mtx_owned(m) != 0) != (what == MA_OWNED)))
    mtx_assert_fail(m, what);
}
const char *mtx_name(struct mtx *m);

#endif  // COMPAT_MUTEX_H_
