/*
 * <uvm/uvm_map.h>: struct vm_map, complete, so that a caller can provide
 * the storage of a submap (uvm_km_suballoc()). It is the kernel map's
 * structure of compat/vm, whose fields are private.
 */
#ifndef _COMPAT_OPENBSD_UVM_UVM_MAP_H_
#define	_COMPAT_OPENBSD_UVM_UVM_MAP_H_

#include <vm/_vm_map.h>

#endif /* !_COMPAT_OPENBSD_UVM_UVM_MAP_H_ */
