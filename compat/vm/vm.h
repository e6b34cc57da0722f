/* <vm/vm.h>: the VM system's basic types. */
#ifndef _COMPAT_VM_VM_H_
#define	_COMPAT_VM_VM_H_

#include <stddef.h>
#include <stdint.h>

typedef uintptr_t vm_offset_t;
typedef size_t vm_size_t;

typedef struct vm_map *vm_map_t;
typedef struct vm_object *vm_object_t;

#endif /* !_COMPAT_VM_VM_H_ */
