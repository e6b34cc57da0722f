// uma(9)/zone(9): the kernel's zone allocator, with the API shape of
// FreeBSD's <vm/uma.h>.
//
// A zone hands out items of one size. Each thread has a cache of items per
// zone in front of the zone's shared layer, so the common alloc/free pair
// takes no shared lock (zones with a limit or a reserve skip the caches, to
// keep their accounting exact). Items are type-stable: a zone's memory
// is handed out again only by the same zone until uma_zdestroy(). A fresh
// item is zero-filled; a freed item keeps its contents (the zone keeps its
// links outside the items). A cache zone (uma_zcache_create) has no memory
// of its own: it caches items that its import function brings in and gives
// them back through its release function when drained.
//
// M_NOWAIT may return NULL; M_WAITOK from a keg zone never does (from a
// cache zone it does when the import brings nothing, as in FreeBSD, whose
// uma_zalloc() returns what the import gave). An M_WAITOK allocation that
// finds no memory for a new slab (allocf or the C library fails, or init
// refuses the items) sleeps, as the kernel waits for free pages, then tries
// again: for hz / 100 at most, less if a free or a reclaim brings the zone
// an item meanwhile. Each such sleep counts in the zone's sleeps. M_NOVM
// takes only items the zone already holds. M_USE_RESERVE may take the
// uma_zone_reserve() items.
#ifndef _COMPAT_VM_UMA_H_
#define _COMPAT_VM_UMA_H_

#include <sys/cdefs.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/_malloc_flags.h> /* the M_* flags */

typedef struct uma_zone *uma_zone_t;

typedef int (*uma_ctor)(void *mem, int size, void *arg, int flags);
typedef void (*uma_dtor)(void *mem, int size, void *arg);
typedef int (*uma_init)(void *mem, int size, int flags);
typedef void (*uma_fini)(void *mem, int size);
typedef int (*uma_import)(void *arg, void **store, int count, int domain,
                          int flags);
typedef void (*uma_release)(void *arg, void **store, int count);
typedef size_t vm_size_t;
// Keg memory: allocf returns a slab of size bytes (wait: M_WAITOK or
// M_NOWAIT), or NULL, also for M_WAITOK (the allocation sleeps and asks
// again); freef gets the slab back at uma_zdestroy().
typedef void *(*uma_alloc)(uma_zone_t zone, vm_size_t size, int domain,
                           uint8_t *pflag, int wait);
typedef void (*uma_free)(void *item, vm_size_t size, uint8_t pflag);

// Alignment masks.
#define UMA_ALIGN_PTR (sizeof(void *) - 1)
#define UMA_ALIGN_LONG (sizeof(long) - 1)
#define UMA_ALIGN_CACHE (64 - 1)

// Zone flags (accepted; the emulation needs none of them to behave).
#define UMA_ZONE_ZINIT 0x0002
#define UMA_ZONE_NOFREE 0x0020
#define UMA_ZONE_VM 0x0080

#define UMA_ANYDOMAIN (-1)

// uma_zone_reclaim() requests.
#define UMA_RECLAIM_DRAIN 1      // give back every cached item
#define UMA_RECLAIM_DRAIN_CPU 2  // the same, here
#define UMA_RECLAIM_TRIM 3       // give back what exceeds the working set

__BEGIN_DECLS
uma_zone_t uma_zcreate(const char *name, size_t size, uma_ctor ctor,
                       uma_dtor dtor, uma_init uminit, uma_fini fini, int align,
                       uint32_t flags);
uma_zone_t uma_zcache_create(const char *name, int size, uma_ctor ctor,
                             uma_dtor dtor, uma_init zinit, uma_fini zfini,
                             uma_import zimport, uma_release zrelease,
                             void *arg, int flags);
// REQUIRES: every item was freed. Panics naming the zone and the count.
void uma_zdestroy(uma_zone_t zone);

void *uma_zalloc_arg(uma_zone_t zone, void *arg, int flags);
void uma_zfree_arg(uma_zone_t zone, void *item, void *arg);

// Take keg memory in slabs from allocf (set before the first allocation),
// and give the slabs back through freef on destroy. Only freef knows where
// allocf's memory goes back to (FreeBSD falls back on page_free(), which
// fits only allocf functions that took kernel pages), so uma_zdestroy() of
// a zone that has slabs from allocf and no freef panics, naming the zone,
// rather than leak them.
void uma_zone_set_allocf(uma_zone_t zone, uma_alloc allocf);
void uma_zone_set_freef(uma_zone_t zone, uma_free freef);

void uma_zone_reclaim(uma_zone_t zone, int req);
void uma_prealloc(uma_zone_t zone, int itemcnt);
// A reserve or a limit turns the zone's per-thread caches off (their
// accounting must be exact): items cached then go back to the zone, and
// later frees skip the caches.
int uma_zone_reserve(uma_zone_t zone, int nitems);
int uma_zone_set_max(uma_zone_t zone, int nitems);

// What vmstat -z shows for a zone.
struct uma_zone_stats {
  const char *name;
  size_t size;        // item size
  int64_t limit;      // uma_zone_set_max(), 0 for none
  int64_t inuse;      // items handed out and not yet freed
  int64_t free;       // items the zone holds for reuse, cached included
  int64_t cached;     // of those, the ones in threads' caches
  uint64_t requests;  // successful allocations
  uint64_t failures;  // allocations that returned NULL
  uint64_t sleeps;    // sleeps for the limit or for memory
};
void uma_zone_get_stats(uma_zone_t zone, struct uma_zone_stats *stats);
// Calls fn for every zone, in creation order.
void uma_zone_foreach(void (*fn)(uma_zone_t zone, void *arg), void *arg);
__END_DECLS

#if defined(__cplusplus) && defined(_UVMEM_UMA_INLINE)
// Inline (defined in <vm/uma_int.h>), for C++ built with the library
// (//compat defines _UVMEM_UMA_INLINE): when the calling thread's cache can
// serve a zone without constructor or destructor, uma_zalloc() and
// uma_zfree() make no call.
static inline void *uma_zalloc(uma_zone_t zone, int flags);
static inline void uma_zfree(uma_zone_t zone, void *item);
#include <vm/uma_int.h>
#else
// In C, and in installed programs, calls that take the same fast path out
// of line.
static inline void *uma_zalloc(uma_zone_t zone, int flags) {
  return uma_zalloc_arg(zone, NULL, flags);
}

static inline void uma_zfree(uma_zone_t zone, void *item) {
  uma_zfree_arg(zone, item, NULL);
}
#endif

#endif /* !_COMPAT_VM_UMA_H_ */
