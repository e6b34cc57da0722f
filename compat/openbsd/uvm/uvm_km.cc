// OpenBSD's uvm_km(9) on the maps of compat/vm_kern/vm_kern.cc.
//
// As in OpenBSD, only uvm_km_valloc_wait() sleeps for address space: the
// others ask the map without sleeping and return 0 when it is full. Pages
// cannot run short here (they come on first touch), so the page-waiting of
// the other calls has nothing to wait for.
#include <unistd.h>

#include <uvm/uvm.h>
#include <vm/vm_kern.h>

struct uvmexp uvmexp;

namespace {

// Before the constructors of C++ objects, which may use PAGE_SIZE.
__attribute__((constructor(101))) void uvmexp_init(void) {
  const int size = static_cast<int>(sysconf(_SC_PAGESIZE));
  uvmexp.pagesize = size;
  uvmexp.pagemask = size - 1;
  uvmexp.pageshift = __builtin_ctz(static_cast<unsigned>(size));
}

// More than the map can ever hold: OpenBSD returns 0 for such a size rather
// than look for room (or, in uvm_km_valloc_wait(), sleep for it forever).
// The map's size is a multiple of a page, so a size above it still is
// once rounded up, and sizes whose rounding would overflow are above it.
bool exceeds_map(vm_map_t map, vsize_t size) {
  return size > vm_map_max(map) - vm_map_min(map);
}

}  // namespace

vaddr_t uvm_km_alloc(vm_map_t map, vsize_t size) {
  if (exceeds_map(map, size)) return 0;
  return kmem_map_alloc(map, size, 0, M_NOWAIT, 1, 0, __func__);
}

vaddr_t uvm_km_zalloc(vm_map_t map, vsize_t size) {
  if (exceeds_map(map, size)) return 0;
  return kmem_map_alloc(map, size, 0, M_NOWAIT | M_ZERO, 1, 0, __func__);
}

vaddr_t uvm_km_alloc1(vm_map_t map, vsize_t size, vsize_t align,
                      boolean_t zeroit) {
  if (exceeds_map(map, size)) return 0;
  return kmem_map_alloc(map, size, align, M_NOWAIT | (zeroit ? M_ZERO : 0), 1,
                        0, __func__);
}

namespace {
// What UVM_KMF_TRYLOCK was before the header took OpenBSD's value
// (OpenBSD's UVM_FLAG_OVERLAY, meaningless here): programs built then
// still get a try-lock.
constexpr int kOldTrylock = 0x20000;
}  // namespace

vaddr_t uvm_km_kmemalloc(vm_map_t map, struct uvm_object *obj, vsize_t size,
                         int flags) {
  if (exceeds_map(map, size)) return 0;
  return kmem_map_alloc(
      map, size, 0, M_NOWAIT | ((flags & UVM_KMF_ZERO) ? M_ZERO : 0),
      (flags & UVM_KMF_VALLOC) == 0,
      (flags & (UVM_KMF_TRYLOCK | kOldTrylock)) != 0, __func__);
}

// OpenBSD maps these ranges pageable with nothing in them yet, so each page
// is zero-filled when first touched. Making the range accessible takes no
// page either (the reservation has no swap accounting); the free drops the
// pages that were touched. M_ZERO also drops any a kmem_back() user left
// behind, so the range reads as zero whatever its past.
vaddr_t uvm_km_valloc(vm_map_t map, vsize_t size) {
  if (exceeds_map(map, size)) return 0;
  return kmem_map_alloc(map, size, 0, M_NOWAIT | M_ZERO, 1, 0, __func__);
}

vaddr_t uvm_km_valloc_wait(vm_map_t map, vsize_t size) {
  // Checked first: the arena would sleep for such a size forever.
  if (exceeds_map(map, size)) return 0;
  // The map's arena sleeps until a free (vmem_xfree() wakes its sleepers).
  return kmem_map_alloc(map, size, 0, M_WAITOK | M_ZERO, 1, 0, __func__);
}

vm_map_t uvm_km_suballoc(vm_map_t map, vaddr_t *min, vaddr_t *max, vsize_t size,
                         int flags, boolean_t fixed, vm_map_t submap) {
  return kmem_map_suballoc(map, min, max, size, flags, fixed, submap, __func__);
}

void uvm_km_free(vm_map_t map, vaddr_t addr, vsize_t size) {
  kmem_map_free(map, addr, size, __func__);
}

void uvm_km_free_wakeup(vm_map_t map, vaddr_t addr, vsize_t size) {
  // vmem_xfree() broadcasts to the arena's sleepers: the wakeup(map) of
  // OpenBSD's version.
  kmem_map_free(map, addr, size, __func__);
}
