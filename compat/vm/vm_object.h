/*
 * <vm/vm_object.h>: the VM object that kernel memory belongs to. Only a
 * token here: the pages of the kernel map are the process's anonymous
 * memory.
 */
#ifndef _COMPAT_VM_VM_OBJECT_H_
#define	_COMPAT_VM_VM_OBJECT_H_

#include <sys/cdefs.h>

#include <vm/vm.h>

struct vm_object {
	const char	*vo_name;
};

__BEGIN_DECLS
extern struct vm_object kernel_object_store;
__END_DECLS
#define	kernel_object	(&kernel_object_store)

#endif /* !_COMPAT_VM_VM_OBJECT_H_ */
