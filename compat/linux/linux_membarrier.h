/*
 * An asymmetric fence pair on Linux membarrier(2), for a fast side that
 * runs often and a slow side that runs rarely (the userspace stand-in for
 * the kernel's critical sections and IPIs): the fast side only keeps the
 * compiler from reordering, the slow side makes every running thread of
 * the process execute a full fence. A store on one side followed by its
 * fence and a load then behaves as if both sides had used full fences.
 * Where membarrier is unavailable, the fast side uses a full fence too.
 */
#ifndef _COMPAT_LINUX_LINUX_MEMBARRIER_H_
#define	_COMPAT_LINUX_LINUX_MEMBARRIER_H_

#include <sys/cdefs.h>

__BEGIN_DECLS
/*
 * Nonzero when the slow side cannot force fences on other threads (read
 * with __atomic builtins). A thread calls asymmetric_fence_init() before
 * its first asymmetric_fence_light().
 */
extern int asymmetric_fence_degraded;

/* Registers the process for membarrier(2) once; later calls are no-ops. */
void	asymmetric_fence_init(void);
void	asymmetric_fence_heavy(void);
__END_DECLS

static __inline void
asymmetric_fence_light(void)
{
	if (__predict_false(__atomic_load_n(&asymmetric_fence_degraded,
	    __ATOMIC_RELAXED)))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

#endif /* !_COMPAT_LINUX_LINUX_MEMBARRIER_H_ */
