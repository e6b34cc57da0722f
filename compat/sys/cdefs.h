/*
 * <sys/cdefs.h>: the C library's (__BEGIN_DECLS, __END_DECLS, ...) plus
 * the compiler helpers of FreeBSD's that kernel code uses.
 */
#ifndef _COMPAT_SYS_CDEFS_H_
#define	_COMPAT_SYS_CDEFS_H_

#include_next <sys/cdefs.h>

#define	__predict_true(exp)	__builtin_expect(!!(exp), 1)
#define	__predict_false(exp)	__builtin_expect(!!(exp), 0)
#define	__unused		__attribute__((__unused__))
#define	__noinline		__attribute__((__noinline__))
#define	__dead2			__attribute__((__noreturn__))
#define	__printflike(fmtarg, firstvararg) \
	__attribute__((__format__(__printf__, fmtarg, firstvararg)))
/* CACHE_LINE_SIZE is in <sys/param.h>. */
#define	__exclusive_cache_line	__attribute__((__aligned__(CACHE_LINE_SIZE)))
#define	__FBSDID(s)

#endif /* !_COMPAT_SYS_CDEFS_H_ */
