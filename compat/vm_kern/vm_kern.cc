// The kernel map on a reservation of the process's address space; see
// <vm/vm_kern.h>.

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <new>

#include "absl/container/flat_hash_map.h"

#include <sys/mutex.h>
#include <sys/systm.h>
#include <vm/vm_kern.h>

struct vm_object kernel_object_store = {"kernel object"};

namespace {

// A live allocation of a map: its size in bytes (whole pages) and, for the
// range of a submap, the submap.
struct Record {
  vm_size_t size;
  vm_map_t submap;
};
using Records = absl::flat_hash_map<vm_offset_t, Record>;

Records *records(vm_map_t map) {
  return static_cast<Records *>(map->vm_records);
}

vm_size_t page_size() {
  static const vm_size_t size = static_cast<vm_size_t>(sysconf(_SC_PAGESIZE));
  return size;
}
vm_offset_t trunc_page(vm_offset_t x) { return x & ~(page_size() - 1); }
// Round up to a page; false when that overflows.
bool round_page(vm_offset_t x, vm_offset_t *out) {
  vm_offset_t r = (x + page_size() - 1) & ~(page_size() - 1);
  if (r < x) return false;
  *out = r;
  return true;
}

// The kernel map, created once; the size may be set until then.
struct mtx kmap_lock = MTX_INITIALIZER("kernel map creation");
vm_size_t kmap_size = KMEM_KVA_SIZE_DEFAULT;  // under kmap_lock
std::atomic<vm_map_t> kmap{nullptr};
struct vm_map kmap_store;

void map_setup(vm_map_t map, const char *name, vm_offset_t min, vm_size_t size,
               vmem_t *arena, vm_map_t parent, int flags) {
  snprintf(map->vm_name, sizeof(map->vm_name), "%s", name);
  map->vm_min = min;
  map->vm_max = min + size;
  map->vm_arena = arena;
  map->vm_parent = parent;
  map->vm_flags = flags;
  mtx_init(&map->vm_lock, map->vm_name, nullptr, MTX_DEF);
  map->vm_records = new Records();
  map->vm_inited = 1;
}

vm_map_t kmap_create() {
  mtx_lock(&kmap_lock);
  vm_map_t map = kmap.load(std::memory_order_relaxed);
  if (map != nullptr) {
    mtx_unlock(&kmap_lock);
    return map;
  }
  void *base = mmap(nullptr, kmap_size, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    panic_func("kmem_init", "cannot reserve %#zx bytes for kernel_map: %s",
               kmap_size, strerror(errno));
  vm_offset_t min = reinterpret_cast<vm_offset_t>(base);
  vmem_init(kernel_arena, "kernel arena", min, kmap_size, page_size(), 0,
            M_WAITOK);
  map_setup(&kmap_store, "kernel_map", min, kmap_size, kernel_arena, nullptr,
            0);
  kmap.store(&kmap_store, std::memory_order_release);
  mtx_unlock(&kmap_lock);
  return &kmap_store;
}

const char *name_of(vm_map_t map) {
  return map != nullptr ? map->vm_name : "(null)";
}

void check_map(vm_map_t map, const char *caller) {
  if (map == nullptr || !map->vm_inited)
    panic_func(caller, "map %s at %p is not a map", name_of(map),
               static_cast<void *>(map));
}

// Pages [addr, addr + size) become accessible; with zero, they read as zero.
// Returns 0 or an errno.
int back_pages(vm_offset_t addr, vm_size_t size, bool zero) {
  void *p = reinterpret_cast<void *>(addr);
  if (zero && madvise(p, size, MADV_DONTNEED) != 0) return errno;
  if (mprotect(p, size, PROT_READ | PROT_WRITE) != 0) return errno;
  return 0;
}

// The pages go back to the system and the range faults again. Inaccessible
// first, so that no late store lands after the pages were dropped.
void unback_pages(vm_offset_t addr, vm_size_t size, const char *caller) {
  void *p = reinterpret_cast<void *>(addr);
  if (mprotect(p, size, PROT_NONE) != 0)
    panic_func(caller, "cannot unmap %#jx (size %#zx): mprotect: %s",
               static_cast<uintmax_t>(addr), size, strerror(errno));
  if (madvise(p, size, MADV_DONTNEED) != 0)
    panic_func(caller, "cannot drop the pages of %#jx (size %#zx): %s",
               static_cast<uintmax_t>(addr), size, strerror(errno));
}

// Page-rounded bounds of [addr, addr + size) inside map, or a panic.
void range_in_map(vm_map_t map, vm_offset_t addr, vm_size_t size,
                  const char *caller, vm_offset_t *startp, vm_size_t *sizep) {
  vm_offset_t start = trunc_page(addr), end;
  if (size == 0)
    panic_func(caller, "map %s: address %#jx with size 0", map->vm_name,
               static_cast<uintmax_t>(addr));
  if (addr + size < addr || !round_page(addr + size, &end) ||
      start < map->vm_min || end > map->vm_max)
    panic_func(caller,
               "map %s: address %#jx (size %#zx) is outside the map "
               "[%#jx, %#jx)",
               map->vm_name, static_cast<uintmax_t>(addr), size,
               static_cast<uintmax_t>(map->vm_min),
               static_cast<uintmax_t>(map->vm_max));
  *startp = start;
  *sizep = end - start;
}

// Record a fresh range of map. Map lock held.
void record(vm_map_t map, vm_offset_t addr, vm_size_t size, vm_map_t submap,
            const char *caller) {
  mtx_assert(&map->vm_lock, MA_OWNED);
  bool inserted = records(map)->try_emplace(addr, Record{size, submap}).second;
  if (!inserted)
    panic_func(caller, "map %s: address %#jx (size %#zx) handed out twice",
               map->vm_name, static_cast<uintmax_t>(addr), size);
}

}  // namespace

// ---- The kernel map.

vm_map_t kmem_kernel_map(void) {
  vm_map_t map = kmap.load(std::memory_order_acquire);
  if (__predict_true(map != nullptr)) return map;
  return kmap_create();
}

int kmem_set_kva_size(vm_size_t size) {
  int error = 0;
  vm_offset_t rounded;
  mtx_lock(&kmap_lock);
  if (kmap.load(std::memory_order_relaxed) != nullptr)
    error = EBUSY;
  else if (size < 16 * page_size() || !round_page(size, &rounded))
    error = EINVAL;
  else
    kmap_size = rounded;
  mtx_unlock(&kmap_lock);
  return error;
}

vm_size_t kmem_kva_size(void) {
  mtx_lock(&kmap_lock);
  vm_size_t size = kmap_size;
  mtx_unlock(&kmap_lock);
  return size;
}

vm_offset_t vm_map_min(vm_map_t map) {
  check_map(map, __func__);
  return map->vm_min;
}

vm_offset_t vm_map_max(vm_map_t map) {
  check_map(map, __func__);
  return map->vm_max;
}

const char *vm_map_name(vm_map_t map) {
  check_map(map, __func__);
  return map->vm_name;
}

void vm_map_lock(vm_map_t map) {
  check_map(map, __func__);
  mtx_lock(&map->vm_lock);
}

int vm_map_trylock(vm_map_t map) {
  check_map(map, __func__);
  return mtx_trylock(&map->vm_lock);
}

void vm_map_unlock(vm_map_t map) {
  check_map(map, __func__);
  mtx_unlock(&map->vm_lock);
}

// ---- Allocation from any map.

vm_offset_t kmem_map_alloc(vm_map_t map, vm_size_t size, vm_size_t align,
                           int flags, int back, int trylock,
                           const char *caller) {
  check_map(map, caller);
  vm_offset_t rsize;
  if (size == 0)
    panic_func(caller, "map %s: allocation of size 0", map->vm_name);
  if (!round_page(size, &rsize))
    panic_func(caller, "map %s: size %#zx is too large", map->vm_name, size);
  if (!powerof2(align))
    panic_func(caller, "map %s: alignment %#zx is not a power of two",
               map->vm_name, align);
  if (align < page_size()) align = 0;  // vmem: the quantum
  if ((flags & (M_NOWAIT | M_WAITOK)) == (M_NOWAIT | M_WAITOK))
    panic_func(caller, "map %s: both M_NOWAIT and M_WAITOK in flags %#x",
               map->vm_name, flags);
  const bool wait = (flags & M_NOWAIT) == 0;

  vm_offset_t addr = 0;
  bool done = false;
  // First without sleeping, under the map lock.
  if (trylock) {
    if (!mtx_trylock(&map->vm_lock)) return 0;
  } else {
    mtx_lock(&map->vm_lock);
  }
  vmem_addr_t vaddr;
  if (vmem_xalloc(map->vm_arena, rsize, align, 0, 0, VMEM_ADDR_MIN,
                  VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &vaddr) == 0) {
    addr = vaddr;
    record(map, addr, rsize, nullptr, caller);
    done = true;
  }
  mtx_unlock(&map->vm_lock);
  if (!done) {
    if (!wait) return 0;
    // Sleep in the arena until a free makes room: without the map lock, so
    // that frees go on. A request larger than the map would sleep forever.
    if (rsize > map->vm_max - map->vm_min)
      panic_func(caller, "map %s: size %#zx exceeds the map's %#zx",
                 map->vm_name, static_cast<size_t>(rsize),
                 static_cast<size_t>(map->vm_max - map->vm_min));
    (void)vmem_xalloc(map->vm_arena, rsize, align, 0, 0, VMEM_ADDR_MIN,
                      VMEM_ADDR_MAX, M_BESTFIT | M_WAITOK, &vaddr);
    addr = vaddr;
    mtx_lock(&map->vm_lock);
    record(map, addr, rsize, nullptr, caller);
    mtx_unlock(&map->vm_lock);
  }

  if (back) {
    int error = back_pages(addr, rsize, (flags & M_ZERO) != 0);
    if (error != 0) {
      if (wait)
        panic_func(caller, "map %s: cannot back %#jx (size %#zx): %s",
                   map->vm_name, static_cast<uintmax_t>(addr),
                   static_cast<size_t>(rsize), strerror(error));
      kmem_map_free(map, addr, rsize, caller);
      return 0;
    }
  }
  return addr;
}

void kmem_map_free(vm_map_t map, vm_offset_t addr, vm_size_t size,
                   const char *caller) {
  check_map(map, caller);
  vm_offset_t start;
  vm_size_t rsize;
  range_in_map(map, addr, size, caller, &start, &rsize);

  mtx_lock(&map->vm_lock);
  Records *recs = records(map);
  auto it = recs->find(start);
  if (it == recs->end()) {
    mtx_unlock(&map->vm_lock);
    panic_func(caller,
               "map %s: address %#jx (size %#zx) was not allocated from the "
               "map: double free or unknown address",
               map->vm_name, static_cast<uintmax_t>(addr), size);
  }
  Record rec = it->second;
  if (rec.submap != nullptr) {
    mtx_unlock(&map->vm_lock);
    panic_func(caller,
               "map %s: address %#jx (size %#zx) is the range of %s, "
               "not memory",
               map->vm_name, static_cast<uintmax_t>(addr), size,
               rec.submap->vm_name);
  }
  if (rec.size != rsize) {
    mtx_unlock(&map->vm_lock);
    panic_func(caller,
               "map %s: address %#jx was allocated with size %#zx, freed "
               "with size %#zx",
               map->vm_name, static_cast<uintmax_t>(addr), rec.size, size);
  }
  recs->erase(it);
  mtx_unlock(&map->vm_lock);

  // Still busy in the arena: nobody else can have the range meanwhile.
  unback_pages(start, rsize, caller);
  vmem_xfree(map->vm_arena, start, rsize);
}

vm_map_t kmem_map_suballoc(vm_map_t parent, vm_offset_t *min, vm_offset_t *max,
                           vm_size_t size, int flags, int fixed,
                           vm_map_t submap, const char *caller) {
  check_map(parent, caller);
  vm_offset_t rsize;
  if (size == 0)
    panic_func(caller, "map %s: submap of size 0", parent->vm_name);
  if (!round_page(size, &rsize))
    panic_func(caller, "map %s: submap size %#zx is too large", parent->vm_name,
               size);
  vmem_addr_t lo = VMEM_ADDR_MIN, hi = VMEM_ADDR_MAX;
  if (fixed) {
    lo = *min;
    if (lo != trunc_page(lo) || lo < parent->vm_min || lo + rsize < lo ||
        lo + rsize > parent->vm_max)
      panic_func(caller,
                 "map %s: address %#jx (size %#zx) for a fixed submap is "
                 "outside the map [%#jx, %#jx) or not page-aligned",
                 parent->vm_name, static_cast<uintmax_t>(lo),
                 static_cast<size_t>(rsize),
                 static_cast<uintmax_t>(parent->vm_min),
                 static_cast<uintmax_t>(parent->vm_max));
    hi = lo + rsize - 1;
  }

  vmem_addr_t addr;
  mtx_lock(&parent->vm_lock);
  if (vmem_xalloc(parent->vm_arena, rsize, 0, 0, 0, lo, hi,
                  M_BESTFIT | M_NOWAIT, &addr) != 0) {
    mtx_unlock(&parent->vm_lock);
    if (fixed)
      panic_func(caller,
                 "map %s: address %#jx (size %#zx) for a fixed submap is "
                 "not free",
                 parent->vm_name, static_cast<uintmax_t>(lo),
                 static_cast<size_t>(rsize));
    panic_func(caller, "map %s: no room for a submap of size %#zx",
               parent->vm_name, static_cast<size_t>(rsize));
  }
  vm_map_t map = submap != nullptr ? submap : new struct vm_map();
  record(parent, addr, rsize, map, caller);
  mtx_unlock(&parent->vm_lock);

  char name[32];
  snprintf(name, sizeof(name), "submap %#jx", static_cast<uintmax_t>(addr));
  vmem_t *arena = vmem_create(name, addr, rsize, page_size(), 0, M_WAITOK);
  map_setup(map, name, addr, rsize, arena, parent, flags);
  *min = addr;
  *max = addr + rsize;
  return map;
}

// ---- FreeBSD's names, on the kernel map.

vm_offset_t kva_alloc(vm_size_t size) {
  return kmem_map_alloc(kernel_map, size, 0, M_NOWAIT, 0, 0, __func__);
}

vm_offset_t kva_alloc_aligned(vm_size_t size, vm_size_t align) {
  return kmem_map_alloc(kernel_map, size, align, M_NOWAIT, 0, 0, __func__);
}

void kva_free(vm_offset_t addr, vm_size_t size) {
  kmem_map_free(kernel_map, addr, size, __func__);
}

void *kmem_malloc(vm_size_t size, int flags) {
  return reinterpret_cast<void *>(
      kmem_map_alloc(kernel_map, size, 0, flags, 1, 0, __func__));
}

void kmem_free(void *addr, vm_size_t size) {
  kmem_map_free(kernel_map, reinterpret_cast<vm_offset_t>(addr), size,
                __func__);
}

int kmem_back(vm_object_t object, vm_offset_t addr, vm_size_t size, int flags) {
  vm_offset_t start;
  vm_size_t rsize;
  range_in_map(kernel_map, addr, size, __func__, &start, &rsize);
  int error = back_pages(start, rsize, (flags & M_ZERO) != 0);
  if (error == 0) return KERN_SUCCESS;
  if ((flags & M_NOWAIT) != 0) return KERN_NO_SPACE;
  panic("map %s: cannot back %#jx (size %#zx): %s", kernel_map->vm_name,
        static_cast<uintmax_t>(addr), size, strerror(error));
}

void kmem_unback(vm_object_t object, vm_offset_t addr, vm_size_t size) {
  vm_offset_t start;
  vm_size_t rsize;
  range_in_map(kernel_map, addr, size, __func__, &start, &rsize);
  unback_pages(start, rsize, __func__);
}
