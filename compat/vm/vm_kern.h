/*
 * The kernel's raw memory layer on real pages: FreeBSD's <vm/vm_kern.h>
 * (kva_alloc(), kmem_malloc(), kmem_back() ...) over a kernel map.
 *
 * The kernel map is one large reservation of the process's address space
 * (mmap PROT_NONE, MAP_NORESERVE: no memory, no swap accounting) whose
 * addresses a vmem arena with a page quantum hands out: kernel_arena, set up
 * with vmem_init() when the map is first used. Backing a range makes its
 * pages readable and writable (the system supplies zero-filled pages on
 * first touch); unbacking gives the pages back to the system at once
 * (madvise(MADV_DONTNEED): they leave the resident set and read as zero when
 * backed again) and makes the range inaccessible. A range that is only
 * reserved (kva_alloc(), uvm_km_kmemalloc() with UVM_KMF_VALLOC) faults
 * when touched; OpenBSD's uvm_km_valloc() ranges are backed, as pageable
 * memory that no page is taken for until touched.
 *
 * A submap (OpenBSD's uvm_km_suballoc(), compat/openbsd) is a map of its
 * own, with its own arena, over a range carved from its parent's arena.
 *
 * Every map records its live allocations. Misuse panics, naming the map, the
 * address and the size, before any page is touched: freeing an address
 * outside the map or one the map did not hand out, freeing with another size
 * than allocated, backing a range outside the kernel map.
 *
 * Sizes are rounded up to whole pages. Thread-safe.
 */
#ifndef _COMPAT_VM_VM_KERN_H_
#define _COMPAT_VM_VM_KERN_H_

#include <sys/cdefs.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/vmem.h> /* vmem_t and the M_* flag values */
#include <vm/vm.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_param.h>

__BEGIN_DECLS
// The kernel map, created at first use. Its arena is kernel_arena (storage
// in kern/subr_vmem.cc, aliased by kmem_arena), set up with vmem_init() then;
// ranges taken from it directly may be given pages with kmem_back().
extern vmem_t *kernel_arena;
extern vmem_t *kmem_arena;
vm_map_t kmem_kernel_map(void);
#define kernel_map (kmem_kernel_map())

// Size of the kernel map's reservation, rounded up to pages. The default is
// KMEM_KVA_SIZE_DEFAULT; kmem_set_kva_size() changes it until the map is
// created (first use of any function here) and returns 0, or EBUSY once the
// map exists, or EINVAL for a size below 16 pages.
#define KMEM_KVA_SIZE_DEFAULT ((vm_size_t)4 << 30)  // 4 GiB
int kmem_set_kva_size(vm_size_t size);
vm_size_t kmem_kva_size(void);

// The maps' own functions are in <vm/vm_map.h>.

// Address space only (no access), in the kernel map. 0 when none is left
// (never sleeps). kva_alloc_aligned() aligns to align, a power of two.
vm_offset_t kva_alloc(vm_size_t size);
vm_offset_t kva_alloc_aligned(vm_size_t size, vm_size_t align);
void kva_free(vm_offset_t addr, vm_size_t size);

// Backed kernel memory in the kernel map. M_WAITOK (the default) sleeps
// until address space is freed and never returns NULL; M_NOWAIT may; M_ZERO
// zeroes. Freed memory leaves the resident set.
void *kmem_malloc(vm_size_t size, int flags);
void kmem_free(void *addr, vm_size_t size);

// Give pages to / take them from a range of the kernel map (one that
// kva_alloc() or vmem_xalloc(kernel_arena) returned). kmem_back() returns
// KERN_SUCCESS, or KERN_NO_SPACE (M_NOWAIT) when the system refuses.
int kmem_back(vm_object_t object, vm_offset_t addr, vm_size_t size, int flags);
void kmem_unback(vm_object_t object, vm_offset_t addr, vm_size_t size);

// ---- The layer under OpenBSD's uvm_km(9) (compat/openbsd): any map.

// Allocate from map: size bytes (rounded up to pages), aligned to align (a
// power of two; 0 or less than a page: a page). flags: M_NOWAIT (0 when
// there is no space) or sleep until there is; M_ZERO with back. With
// trylock, returns 0 at once when the map lock is held elsewhere. When back
// is set the pages are readable and writable, else the range faults.
// caller names the public function in panics.
vm_offset_t kmem_map_alloc(vm_map_t map, vm_size_t size, vm_size_t align,
                           int flags, int back, int trylock,
                           const char *caller);
// Free what kmem_map_alloc() returned; addr and size may be unaligned, the
// pages [trunc_page(addr), round_page(addr + size)) are freed.
void kmem_map_free(vm_map_t map, vm_offset_t addr, vm_size_t size,
                   const char *caller);
// Carve a submap of size bytes from parent: at *min when fixed (panics if
// that range is not free), anywhere otherwise. Sets *min and *max to its
// bounds and returns it, in submap if not NULL (caller's storage) or in new
// storage. Panics when the parent has no room.
vm_map_t kmem_map_suballoc(vm_map_t parent, vm_offset_t *min, vm_offset_t *max,
                           vm_size_t size, int flags, int fixed,
                           vm_map_t submap, const char *caller);

__END_DECLS

#endif /* !_COMPAT_VM_VM_KERN_H_ */
