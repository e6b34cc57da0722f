/*
 * callout(9): run a function after a number of ticks, on a background
 * "softclock" thread that starts with the first callout_reset().
 */
#ifndef _COMPAT_SYS_CALLOUT_H_
#define	_COMPAT_SYS_CALLOUT_H_

#include <sys/cdefs.h>
#include <stdint.h>

struct callout {
	void	(*c_func)(void *);
	void	*c_arg;
	int64_t	c_due_ns;	/* when it fires, on the monotonic clock */
	int	c_pending;
	int	c_mpsafe;
};

__BEGIN_DECLS
void	callout_init(struct callout *c, int mpsafe);
/*
 * (Re)schedule; returns 1 if it was pending. A callout whose function is
 * running may be rescheduled from inside that function.
 */
int	callout_reset(struct callout *c, int ticks, void (*func)(void *),
	    void *arg);
/* Cancel; returns 1 if it was pending. */
int	callout_stop(struct callout *c);
int	callout_pending(struct callout *c);
__END_DECLS

#endif /* !_COMPAT_SYS_CALLOUT_H_ */
