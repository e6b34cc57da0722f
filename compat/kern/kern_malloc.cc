// malloc(9) on the C library's allocator (see <sys/malloc.h>).
#include <malloc.h>  // the C library's: malloc_usable_size()
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>

#include <sys/malloc.h>
#include <sys/systm.h>

namespace {
std::atomic<malloc_failure_hook_t> failure_hook{nullptr};

// Big tables (a vmem arena's hash with millions of buckets) are read at
// random: ask for transparent huge pages, so that each lookup does not
// also miss the TLB.
constexpr size_t kHugePage = size_t{2} << 20;

void advise_huge(void *p, size_t size) {
  if (size < 2 * kHugePage) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t start = (reinterpret_cast<uintptr_t>(p) + page - 1) & -page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + size) & -page;
  madvise(reinterpret_cast<void *>(start), end - start, MADV_HUGEPAGE);
}
}  // namespace

malloc_failure_hook_t malloc_set_failure_hook(malloc_failure_hook_t hook) {
  return failure_hook.exchange(hook);
}

void *kern_malloc(size_t size, struct malloc_type *type, int flags) {
  KASSERT((flags & (M_NOWAIT | M_WAITOK)) != (M_NOWAIT | M_WAITOK),
          ("type %s: M_NOWAIT and M_WAITOK together (flags %#x)",
           type->ks_shortdesc, flags));
  void *p = nullptr;
  if ((flags & M_NOWAIT) != 0) {
    malloc_failure_hook_t hook = failure_hook.load();
    if (hook == nullptr || !hook(size, type)) p = ::malloc(size);
    if (p == nullptr) {
      __atomic_add_fetch(&type->ks_failures, 1, __ATOMIC_RELAXED);
      return nullptr;
    }
  } else {
    // Sleep until memory comes back, as the kernel does.
    while ((p = ::malloc(size)) == nullptr) usleep(1000);
  }
  advise_huge(p, size);
  if ((flags & M_ZERO) != 0) memset(p, 0, size);
  __atomic_add_fetch(&type->ks_calls, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&type->ks_inuse, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&type->ks_memuse, malloc_usable_size(p),
                     __ATOMIC_RELAXED);
  return p;
}

void kern_free(void *addr, struct malloc_type *type) {
  if (addr == nullptr) return;
  __atomic_sub_fetch(&type->ks_inuse, 1, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&type->ks_memuse, malloc_usable_size(addr),
                     __ATOMIC_RELAXED);
  ::free(addr);
}
