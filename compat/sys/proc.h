/*
 * <sys/proc.h>: struct thread and curthread, the calling thread's.
 *
 * A thread here is what mutex(9) and WITNESS need of the kernel's: an
 * identity for lock ownership, and the count of mutexes it holds. curthread
 * is a thread-local variable, read with one load (initial-exec model), as
 * the mutex fast paths use it.
 */
#ifndef _COMPAT_SYS_PROC_H_
#define	_COMPAT_SYS_PROC_H_

#include <sys/cdefs.h>

struct thread {
	int	td_locks;	/* mutexes held (WITNESS_WARN) */
};

__BEGIN_DECLS
extern __thread struct thread compat_thread_self
    __attribute__((__tls_model__("initial-exec")));
__END_DECLS

#define	curthread	(&compat_thread_self)

#endif /* !_COMPAT_SYS_PROC_H_ */
