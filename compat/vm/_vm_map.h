/*
 * struct vm_map alone. A caller may provide the storage of a submap
 * (OpenBSD's uvm_km_suballoc()), so the type is complete, for the
 * FreeBSD-style headers (<vm/vm_map.h>) and the OpenBSD-style ones
 * (compat/openbsd's <uvm/uvm_extern.h>) alike; hence nothing of this
 * include root but <sys/_mutex.h> (//compat:vm_map_struct has the two
 * alone). The fields are private to compat/vm_kern/vm_kern.cc.
 */
#ifndef _COMPAT_VM__VM_MAP_H_
#define	_COMPAT_VM__VM_MAP_H_

#include <stdint.h>

#include <sys/_mutex.h>

struct vmem;

/* A map: a range of kernel address space and the arena that hands it out. */
struct vm_map {
	char		vm_name[32];
	uintptr_t	vm_min;		/* [vm_min, vm_max) */
	uintptr_t	vm_max;
	struct vmem	*vm_arena;
	struct vm_map	*vm_parent;	/* NULL for the kernel map */
	int		vm_flags;
	int		vm_inited;
	struct mtx	vm_lock;	/* vm_map_lock(), UVM_KMF_TRYLOCK */
	void		*vm_records;	/* live allocations */
};

#endif /* !_COMPAT_VM__VM_MAP_H_ */
