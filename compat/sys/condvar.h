/*
 * condvar(9) on a futex: waiters sleep on a sequence number that every
 * signal bumps, so a signal between dropping the interlock and sleeping is
 * not lost. Like struct mtx, plain memory until cv_init(). Timeouts are in
 * ticks (see <sys/kernel.h>: hz).
 */
#ifndef _COMPAT_SYS_CONDVAR_H_
#define	_COMPAT_SYS_CONDVAR_H_

#include <sys/cdefs.h>
#include <stdint.h>

#include <sys/_mutex.h>

struct cv {
	uint32_t	cv_seq;		/* bumped by each signal; the futex word */
	/*
	 * Threads waiting: changed under the interlock, as in the kernel, and
	 * read by signallers (which need not hold it) to skip the wake-up.
	 */
	int		cv_waiters;
	const char	*cv_description;
};

__BEGIN_DECLS
void	cv_init(struct cv *cvp, const char *desc);
void	cv_destroy(struct cv *cvp);
void	cv_wait(struct cv *cvp, struct mtx *m);
/* Returns 0 when signalled, EWOULDBLOCK when timo ticks passed. */
int	cv_timedwait(struct cv *cvp, struct mtx *m, int timo);
void	cv_signal(struct cv *cvp);
void	cv_broadcast(struct cv *cvp);
const char *cv_wmesg(struct cv *cvp);
__END_DECLS

#endif /* !_COMPAT_SYS_CONDVAR_H_ */
