/*
 * Linux futex(2) wait and wake on a 32-bit word of this process: the
 * sleeping half of mutex(9) and condvar(9).
 */
#ifndef _COMPAT_LINUX_LINUX_FUTEX_H_
#define	_COMPAT_LINUX_LINUX_FUTEX_H_

#include <sys/cdefs.h>
#include <stdint.h>
#include <time.h>

__BEGIN_DECLS
/*
 * Sleeps while *word == expected, at most timeout if not NULL; returns 0
 * when woken (possibly spuriously) and -1 with errno set otherwise
 * (ETIMEDOUT, EAGAIN when *word had already changed, EINTR).
 */
int	futex_wait(uint32_t *word, uint32_t expected,
	    const struct timespec *timeout);
/* Wakes up to n threads sleeping on word. */
void	futex_wake(uint32_t *word, int n);
__END_DECLS

#endif /* !_COMPAT_LINUX_LINUX_FUTEX_H_ */
