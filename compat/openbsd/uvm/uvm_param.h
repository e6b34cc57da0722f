/*
 * <uvm/uvm_param.h>: boolean_t, the page size and page rounding. As in
 * OpenBSD's kernel, PAGE_SIZE, PAGE_MASK and PAGE_SHIFT read uvmexp (the
 * size of a page is the system's, known when the program runs).
 */
#ifndef _COMPAT_OPENBSD_UVM_UVM_PARAM_H_
#define	_COMPAT_OPENBSD_UVM_UVM_PARAM_H_

#include <uvm/uvmexp.h>

typedef int boolean_t;
#ifndef TRUE
#define	TRUE	1
#endif
#ifndef FALSE
#define	FALSE	0
#endif

#ifndef PAGE_SIZE
#define	PAGE_SIZE	uvmexp.pagesize		/* size of page */
#define	PAGE_MASK	uvmexp.pagemask		/* size of page - 1 */
#define	PAGE_SHIFT	uvmexp.pageshift	/* bits to shift for pages */
#endif

#define	round_page(x)	(((x) + PAGE_MASK) & ~PAGE_MASK)
#define	trunc_page(x)	((x) & ~PAGE_MASK)

#endif /* !_COMPAT_OPENBSD_UVM_UVM_PARAM_H_ */
