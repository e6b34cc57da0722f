/*
 * <sys/param.h>: the C library's (MIN, MAX, howmany, roundup, powerof2,
 * NBBY) plus the rest of FreeBSD's that kernel code uses.
 */
#ifndef _COMPAT_SYS_PARAM_H_
#define	_COMPAT_SYS_PARAM_H_

#include <sys/cdefs.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include_next <sys/param.h>

#define	CACHE_LINE_SIZE	64

#ifndef TRUE
#define	TRUE	1
#define	FALSE	0
#endif

#ifndef nitems
#define	nitems(x)	(sizeof((x)) / sizeof((x)[0]))
#endif
#define	roundup2(x, y)	(((x) + ((y) - 1)) & (~((y) - 1))) /* y: power of 2 */
#define	rounddown2(x, y) ((x) & (~((y) - 1)))		/* y: power of 2 */

#endif /* !_COMPAT_SYS_PARAM_H_ */
