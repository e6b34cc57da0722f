/*
 * <sys/libkern.h>: the kernel's small library functions (flsl, strlcpy),
 * where the C library lacks them.
 */
#ifndef _COMPAT_SYS_LIBKERN_H_
#define	_COMPAT_SYS_LIBKERN_H_

#include <sys/cdefs.h>
#include <stddef.h>
#include <string.h>

/* Find last set bit, 1-based; 0 for 0. */
static __inline int
flsl(long mask)
{
	return (mask == 0 ? 0 : (int)(sizeof(mask) * 8) -
	    __builtin_clzl((unsigned long)mask));
}

/* glibc has strlcpy from 2.38 on, declared for _DEFAULT_SOURCE. */
#if !defined(__GLIBC__) || !__GLIBC_PREREQ(2, 38) || !defined(__USE_MISC)
static __inline size_t
strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t len = strlen(src);

	if (dsize != 0) {
		size_t n = len < dsize - 1 ? len : dsize - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return (len);
}
#endif

#endif /* !_COMPAT_SYS_LIBKERN_H_ */
