// mutex(9) on std::mutex, with owner tracking so that mtx_assert() and
// recursion checks are real. (absl::Mutex costs about three times as many
// instructions per lock and unlock, and vmem takes a lock on every call.)
//
// Like the kernel's, a struct mtx is plain memory until mtx_init() and after
// mtx_destroy(): structures that embed one may be bzero()ed and live in
// zone(9) items.
#ifndef COMPAT_MUTEX_H_
#define COMPAT_MUTEX_H_

#include <stdint.h>

#include <mutex>

#include "compat/cdefs.h"
#include "compat/proc.h"

struct mtx {
  alignas(std::mutex) unsigned char mtx_storage[sizeof(std::mutex)];
  const char *mtx_name;
  struct thread *mtx_owner;  // accessed with __atomic builtins
  int mtx_flags;
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
void mtx_lock(struct mtx *m);
int mtx_trylock(struct mtx *m);
void mtx_unlock(struct mtx *m);
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

// The std::mutex inside, for condvar(9).
std::mutex *mtx_std(struct mtx *m);
// Hand ownership over around a condition-variable wait.
void mtx_release_owner(struct mtx *m);
void mtx_acquire_owner(struct mtx *m);

#endif  // COMPAT_MUTEX_H_
