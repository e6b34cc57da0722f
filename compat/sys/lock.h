/*
 * <sys/lock.h>: WITNESS_WARN, which warns when a caller that may sleep
 * holds a mutex (curthread->td_locks, kept by mutex(9)).
 */
#ifndef _COMPAT_SYS_LOCK_H_
#define	_COMPAT_SYS_LOCK_H_

#include <sys/cdefs.h>
#include <sys/proc.h>

#define	WARN_GIANTOK	0x01
#define	WARN_PANIC	0x02
#define	WARN_SLEEPOK	0x04

__BEGIN_DECLS
void	witness_warn(int flags, const char *fmt, const char *func);
__END_DECLS

#define	WITNESS_WARN(flags, lock, fmt) do {				\
	if (curthread->td_locks != 0)					\
		witness_warn((flags), (fmt), __func__);			\
} while (0)

#endif /* !_COMPAT_SYS_LOCK_H_ */
