/*
 * <sys/proc.h>: struct thread and curthread, the calling thread's.
 *
 * A thread here is what mutex(9) and WITNESS need of the kernel's: an
 * identity for lock ownership, and the count of mutexes it holds. curthread
 * is the address of a thread-local variable, which the mutex fast paths
 * read without a call (initial-exec model, or local-exec in an
 * executable).
 */
#ifndef _COMPAT_SYS_PROC_H_
#define	_COMPAT_SYS_PROC_H_

#include <sys/cdefs.h>

struct thread {
	int	td_locks;	/* mutexes held (WITNESS_WARN) */
};

/*
 * The calling thread's struct thread. C++ defines it inline, so that code
 * built for an executable reads it at a constant offset (local-exec); code
 * built for a shared library reads its offset from the GOT (initial-exec)
 * rather than call __tls_get_addr(). C refers to the C++ definition.
 */
#if defined(__PIC__) && !defined(__PIE__)
#define	_COMPAT_TLS_MODEL	__attribute__((__tls_model__("initial-exec")))
#else
#define	_COMPAT_TLS_MODEL
#endif
__BEGIN_DECLS
#ifdef __cplusplus
inline thread_local struct thread compat_thread_self _COMPAT_TLS_MODEL;
#else
extern __thread struct thread compat_thread_self _COMPAT_TLS_MODEL;
#endif
__END_DECLS

#define	curthread	(&compat_thread_self)

#endif /* !_COMPAT_SYS_PROC_H_ */
