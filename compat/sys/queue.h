/*
 * <sys/queue.h>: the C library's lists (LIST_*, TAILQ_* with TAILQ_PREV,
 * TAILQ_LAST, TAILQ_INSERT_BEFORE: all kern/subr_vmem.cc uses), plus the
 * _SAFE iterators of FreeBSD's that it lacks.
 */
#ifndef _COMPAT_SYS_QUEUE_H_
#define	_COMPAT_SYS_QUEUE_H_

#include_next <sys/queue.h>

#ifndef LIST_FOREACH_SAFE
#define	LIST_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = LIST_FIRST((head));				\
	    (var) && ((tvar) = LIST_NEXT((var), field), 1);		\
	    (var) = (tvar))
#endif

#ifndef TAILQ_FOREACH_SAFE
#define	TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST((head));				\
	    (var) && ((tvar) = TAILQ_NEXT((var), field), 1);		\
	    (var) = (tvar))
#endif

#endif /* !_COMPAT_SYS_QUEUE_H_ */
