/*
 * <uvm/uvmexp.h>: the VM system's parameters and counters; here the page
 * size, which PAGE_SIZE reads (<uvm/uvm_param.h>). Set before main().
 */
#ifndef _COMPAT_OPENBSD_UVM_UVMEXP_H_
#define	_COMPAT_OPENBSD_UVM_UVMEXP_H_

struct uvmexp {
	int	pagesize;	/* size of a page, a power of two */
	int	pagemask;	/* pagesize - 1 */
	int	pageshift;	/* log2(pagesize) */
};

#endif /* !_COMPAT_OPENBSD_UVM_UVMEXP_H_ */
