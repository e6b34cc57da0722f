// malloc(9) on the C library's allocator (see <sys/malloc.h>).
#include <malloc.h>  // the C library's: malloc_usable_size()
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <atomic>

#include <sys/malloc.h>
#include <sys/systm.h>

namespace {
std::atomic<malloc_failure_hook_t> failure_hook{nullptr};

// Each allocation has a header in front that records its type, so that
// free(9) with another type panics. Its size keeps the C library's
// alignment (max_align_t).
struct alignas(alignof(max_align_t)) header {
  struct malloc_type *type;
};
static_assert(sizeof(header) == alignof(max_align_t), "one alignment unit");

void *c_malloc(size_t size) {
  if (size > SIZE_MAX - sizeof(header)) return nullptr;
  return ::malloc(size + sizeof(header));
}

size_t usable(header *h) { return malloc_usable_size(h) - sizeof(header); }
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
    if (hook == nullptr || !hook(size, type)) p = c_malloc(size);
    if (p == nullptr) {
      __atomic_add_fetch(&type->ks_failures, 1, __ATOMIC_RELAXED);
      return nullptr;
    }
  } else {
    // Sleep until memory comes back, as the kernel does.
    while ((p = c_malloc(size)) == nullptr) usleep(1000);
  }
  header *h = static_cast<header *>(p);
  h->type = type;
  p = h + 1;
  if ((flags & M_ZERO) != 0) memset(p, 0, size);
  __atomic_add_fetch(&type->ks_calls, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&type->ks_inuse, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&type->ks_memuse, usable(h), __ATOMIC_RELAXED);
  return p;
}

void kern_free(void *addr, struct malloc_type *type) {
  if (addr == nullptr) return;
  header *h = static_cast<header *>(addr) - 1;
  if (__predict_false(h->type != type))
    panic_func("free", "%p of type %s freed as type %s", addr,
               h->type->ks_shortdesc, type->ks_shortdesc);
  __atomic_sub_fetch(&type->ks_inuse, 1, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&type->ks_memuse, usable(h), __ATOMIC_RELAXED);
  ::free(h);
}
