/* <uvm/uvm.h>: the VM system's interface, as uvm_km(9) says to include. */
#ifndef _COMPAT_OPENBSD_UVM_UVM_H_
#define	_COMPAT_OPENBSD_UVM_UVM_H_

#include <uvm/uvm_extern.h>
#include <uvm/uvm_map.h>

#endif /* !_COMPAT_OPENBSD_UVM_UVM_H_ */
