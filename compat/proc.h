// curthread: a token unique to the calling thread, for lock ownership.
#ifndef COMPAT_PROC_H_
#define COMPAT_PROC_H_

#include <stdint.h>

struct thread;
struct thread *compat_curthread(void);
#define curthread (compat_curthread())

// Number of mutexes the calling thread holds (for WITNESS_WARN).
int compat_locks_held(void);

#endif  // COMPAT_PROC_H_
