// curthread: a token unique to the calling thread, for lock ownership; and
// the count of mutexes the thread holds (for WITNESS_WARN). Inline: the
// mutex fast paths use both.
#ifndef COMPAT_PROC_H_
#define COMPAT_PROC_H_

#include <stdint.h>

struct thread;

namespace compat_internal {
// Plain thread_local (no constructor): access is a TLS offset, no guard.
inline thread_local char thread_token;
inline thread_local int locks_held;
}  // namespace compat_internal

inline struct thread *compat_curthread(void) {
  return reinterpret_cast<struct thread *>(&compat_internal::thread_token);
}
#define curthread (compat_curthread())

inline int compat_locks_held(void) { return compat_internal::locks_held; }

#endif  // COMPAT_PROC_H_
