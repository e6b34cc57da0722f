/* <vm/vm_param.h>: the Mach-style return values of the VM functions. */
#ifndef _COMPAT_VM_VM_PARAM_H_
#define	_COMPAT_VM_VM_PARAM_H_

#define	KERN_SUCCESS		0
#define	KERN_NO_SPACE		3
#define	KERN_RESOURCE_SHORTAGE	6

#endif /* !_COMPAT_VM_VM_PARAM_H_ */
