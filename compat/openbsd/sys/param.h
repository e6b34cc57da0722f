/*
 * <sys/param.h> for OpenBSD-style code: the C library's (MIN, MAX,
 * howmany, roundup, powerof2, NBBY) plus nitems and the page size
 * (PAGE_SIZE, PAGE_MASK, PAGE_SHIFT of <uvm/uvm_param.h>).
 */
#ifndef _COMPAT_OPENBSD_SYS_PARAM_H_
#define	_COMPAT_OPENBSD_SYS_PARAM_H_

#include_next <sys/param.h>

#ifndef nitems
#define	nitems(_a)	(sizeof((_a)) / sizeof((_a)[0]))
#endif

#include <uvm/uvm_param.h>

#endif /* !_COMPAT_OPENBSD_SYS_PARAM_H_ */
