/*
 * <sys/_mutex.h>: struct mtx alone, for structures that embed one (see
 * <sys/mutex.h> for the functions). Plain memory until mtx_init() and
 * after mtx_destroy(), as the kernel's: structures that embed one may be
 * bzero()ed and live in zone(9) items.
 */
#ifndef _COMPAT_SYS__MUTEX_H_
#define	_COMPAT_SYS__MUTEX_H_

#include <stdint.h>

struct thread;

struct mtx {
	uint32_t	mtx_state;	/* MTX_STATE_*; __atomic and futex(2) */
	int		mtx_flags;
	const char	*mtx_name;
	struct thread	*mtx_owner;	/* accessed with __atomic builtins */
	unsigned int	mtx_recurse;	/* MTX_RECURSE: depth; the owner's */
};

#endif /* !_COMPAT_SYS__MUTEX_H_ */
