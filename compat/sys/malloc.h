// malloc(9): malloc(size, type, flags) and free(addr, type), overloads of
// the C library's functions with kernel semantics.
//
// M_WAITOK never returns NULL (it waits for memory); M_NOWAIT may, and a
// test hook can make it fail on purpose; M_ZERO zeroes. Each MALLOC_DEFINE
// type counts its use.
#ifndef COMPAT_MALLOC_H_
#define COMPAT_MALLOC_H_

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sys/vmem.h>  // the M_* flag values

struct malloc_type {
  const char *ks_shortdesc;
  const char *ks_longdesc;
  // Counters, updated with __atomic builtins.
  uint64_t ks_calls;     // successful allocations
  uint64_t ks_failures;  // M_NOWAIT allocations that returned NULL
  int64_t ks_inuse;      // allocations not yet freed
  int64_t ks_memuse;     // their bytes
};

#define MALLOC_DEFINE(type, shortdesc, longdesc) \
  struct malloc_type type[1] = {{(shortdesc), (longdesc), 0, 0, 0, 0}}
#define MALLOC_DECLARE(type) extern struct malloc_type type[1]

void *malloc(size_t size, struct malloc_type *type, int flags);
void free(void *addr, struct malloc_type *type);

// Failure injection: when set, the hook is asked before every M_NOWAIT
// allocation and a true answer makes it fail. Returns the previous hook.
typedef bool (*malloc_failure_hook_t)(size_t size, struct malloc_type *type);
malloc_failure_hook_t malloc_set_failure_hook(malloc_failure_hook_t hook);

#endif  // COMPAT_MALLOC_H_
