/*
 * <vm/vm_map.h>: maps, ranges of kernel address space (see <vm/vm_kern.h>
 * for what they hand out).
 */
#ifndef _COMPAT_VM_VM_MAP_H_
#define	_COMPAT_VM_VM_MAP_H_

#include <sys/cdefs.h>

#include <vm/vm.h>
#include <vm/_vm_map.h>

__BEGIN_DECLS
/* The bounds of a map: [vm_map_min(), vm_map_max()). */
vm_offset_t	vm_map_min(vm_map_t map);
vm_offset_t	vm_map_max(vm_map_t map);
const char	*vm_map_name(vm_map_t map);

/*
 * The map lock. Allocations and frees take it briefly (not while sleeping
 * for space); holding it makes UVM_KMF_TRYLOCK allocations fail. Not
 * recursive: a thread that holds it must not allocate from the map.
 */
void	vm_map_lock(vm_map_t map);
int	vm_map_trylock(vm_map_t map);	/* 1 if locked */
void	vm_map_unlock(vm_map_t map);
__END_DECLS

#endif /* !_COMPAT_VM_VM_MAP_H_ */
