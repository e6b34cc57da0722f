// The small helpers of FreeBSD's <sys/cdefs.h>, <sys/param.h>,
// <sys/systm.h> and <sys/libkern.h> that kernel code uses.
#ifndef COMPAT_CDEFS_H_
#define COMPAT_CDEFS_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define __predict_true(exp) __builtin_expect(!!(exp), 1)
#define __predict_false(exp) __builtin_expect(!!(exp), 0)
#define __unused __attribute__((__unused__))
#define __noinline __attribute__((__noinline__))
#define __printflike(fmtarg, firstvararg) \
  __attribute__((__format__(__printf__, fmtarg, firstvararg)))
#define __exclusive_cache_line __attribute__((__aligned__(CACHE_LINE_SIZE)))
#define __FBSDID(s)

#define CACHE_LINE_SIZE 64
#define NBBY 8  // bits per byte

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif

#undef MIN
#undef MAX
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#define nitems(x) (sizeof((x)) / sizeof((x)[0]))
#define howmany(x, y) (((x) + ((y)-1)) / (y))
#define roundup(x, y) ((((x) + ((y)-1)) / (y)) * (y))
#define roundup2(x, y) (((x) + ((y)-1)) & (~((y)-1)))  // y: power of two
#define rounddown2(x, y) ((x) & (~((y)-1)))
#define powerof2(x) ((((x)-1) & (x)) == 0)

// Find last set bit, 1-based; 0 for 0 (libkern).
static inline int flsl(long mask) {
  return mask == 0 ? 0
                   : (int)(sizeof(mask) * NBBY) -
                         __builtin_clzl((unsigned long)mask);
}

// glibc only has strlcpy from 2.38 on.
#if !defined(__GLIBC__) || !__GLIBC_PREREQ(2, 38)
static inline size_t strlcpy(char *dst, const char *src, size_t dsize) {
  size_t len = strlen(src);
  if (dsize != 0) {
    size_t n = len < dsize - 1 ? len : dsize - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
  }
  return len;
}
#endif

#endif  // COMPAT_CDEFS_H_
