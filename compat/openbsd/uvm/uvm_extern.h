/*
 * <uvm/uvm_extern.h>: OpenBSD's uvm_km(9), kernel memory allocation, on
 * the kernel map of compat/vm/vm_kern.h (real pages; see there for backing
 * and misuse panics). C linkage; include it as OpenBSD code does, through
 * <uvm/uvm.h>, with compat/openbsd on the include path.
 *
 * Allocations of backed memory (uvm_km_alloc(), uvm_km_zalloc(),
 * uvm_km_alloc1(), uvm_km_kmemalloc() without UVM_KMF_VALLOC) return ranges
 * that can be read and written; zeroed ones read as zero even where the
 * range was used and freed before. uvm_km_valloc() and uvm_km_valloc_wait()
 * return pageable memory, as OpenBSD's: no page is taken until one is
 * touched, and each reads as zero then (even where the range was used and
 * freed before). uvm_km_kmemalloc() with UVM_KMF_VALLOC returns address
 * space only, for the caller to enter its own pages: it faults when
 * touched. uvm_km_free() gives every touched page back to the system.
 *
 * Every call returns 0 when the map has no room, including for a size
 * larger than the whole map (or one whose rounding to pages overflows),
 * except uvm_km_valloc_wait(), which for a size the map can hold sleeps
 * until uvm_km_free_wakeup() (or any other free) makes room. Sizes are
 * rounded up to whole pages.
 *
 * A vm_map_t is a map of compat/vm/vm_kern.h: kernel_map, or a submap that
 * uvm_km_suballoc() carved from another map (in storage of the caller's,
 * struct vm_map of <uvm/uvm_map.h>, or new).
 */
#ifndef _COMPAT_OPENBSD_UVM_UVM_EXTERN_H_
#define _COMPAT_OPENBSD_UVM_UVM_EXTERN_H_

#include <sys/cdefs.h>
#include <stddef.h>
#include <stdint.h>

#include <uvm/uvm_param.h>

typedef uintptr_t vaddr_t;
typedef size_t vsize_t;

struct vm_map;
typedef struct vm_map *vm_map_t;

// The object that uvm_km_kmemalloc() puts pages in: a token here (NULL or
// any pointer is accepted).
struct uvm_object;

// The flag values are those of OpenBSD 6.4 (<uvm/uvm_extern.h> revision
// 1.143 and <uvm/uvm_map.h>), the release whose uvm_km_alloc(9) names
// every call here; //tests/kmem:uvm_flags_test compares each.
//
// uvm_map(9) mapping flags: of these, uvm_km_kmemalloc() takes
// UVM_FLAG_TRYLOCK (as UVM_KMF_TRYLOCK).
#define UVM_FLAG_TRYLOCK 0x0100000  // fail if the map cannot be locked

// uvm_km_kmemalloc() flags.
#define UVM_KMF_NOWAIT 0x1   // do not sleep (for pages)
#define UVM_KMF_VALLOC 0x2   // address space only
#define UVM_KMF_CANFAIL 0x4  // the caller handles failure
#define UVM_KMF_ZERO 0x08    // zero the pages
#define UVM_KMF_TRYLOCK \
  UVM_FLAG_TRYLOCK  // fail rather than wait for the map lock

// uvm_km_suballoc() flags (<uvm/uvm_map.h>'s vm_map flags): kept in the
// submap, without effect here.
#define VM_MAP_PAGEABLE 0x01
#define VM_MAP_INTRSAFE 0x02
#define VM_MAP_WIREFUTURE 0x04

__BEGIN_DECLS
// The page size, as PAGE_SIZE reads it (<uvm/uvm_param.h>).
extern struct uvmexp uvmexp;

// The kernel map, created at first use (compat/vm/vm_kern.h).
struct vm_map *kmem_kernel_map(void);
#ifndef kernel_map
#define kernel_map (kmem_kernel_map())
#endif

// Wired kernel memory in map; uvm_km_zalloc() zeroes it.
vaddr_t uvm_km_alloc(vm_map_t map, vsize_t size);
vaddr_t uvm_km_zalloc(vm_map_t map, vsize_t size);
// The same with an alignment (a power of two; 0: a page), zeroed if zeroit.
vaddr_t uvm_km_alloc1(vm_map_t map, vsize_t size, vsize_t align,
                      boolean_t zeroit);
// Kernel memory with UVM_KMF_* flags. obj, the UVM object OpenBSD puts the
// pages in (uvm.kernel_object or a caller's), is accepted and ignored: the
// pages are the process's anonymous memory. Returns 0 when the
// map has no room, when UVM_KMF_TRYLOCK finds the map locked, or (with
// UVM_KMF_NOWAIT) when the pages cannot be had.
vaddr_t uvm_km_kmemalloc(vm_map_t map, struct uvm_object *obj, vsize_t size,
                         int flags);
// Pageable, zero-filled on first touch; uvm_km_valloc_wait() sleeps until
// there is room, but returns 0 at once for a size larger than the map.
vaddr_t uvm_km_valloc(vm_map_t map, vsize_t size);
vaddr_t uvm_km_valloc_wait(vm_map_t map, vsize_t size);
// A submap of size bytes: at *min when fixed, anywhere otherwise; *min and
// *max are set to its bounds [*min, *max). In submap's storage if not NULL,
// else in new storage. Panics when the parent has no room there.
vm_map_t uvm_km_suballoc(vm_map_t map, vaddr_t *min, vaddr_t *max, vsize_t size,
                         int flags, boolean_t fixed, vm_map_t submap);
// Free [trunc_page(addr), round_page(addr + size)), which one allocation
// from map returned whole; uvm_km_free_wakeup() also wakes the sleepers of
// uvm_km_valloc_wait().
void uvm_km_free(vm_map_t map, vaddr_t addr, vsize_t size);
void uvm_km_free_wakeup(vm_map_t map, vaddr_t addr, vsize_t size);
__END_DECLS

#endif /* !_COMPAT_OPENBSD_UVM_UVM_EXTERN_H_ */
