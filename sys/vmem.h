/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Public interface of the vmem resource allocator: FreeBSD's vmem(9) KPI
 * with C linkage, a drop-in for FreeBSD's libuvmem <sys/vmem.h>.
 *
 * An arena hands out ranges [addr, addr + size) of an integer resource
 * (addresses, device memory, I/O ports, IDs) in multiples of its quantum.
 * Every function is thread-safe. Allocations that may sleep (flags without
 * M_NOWAIT) wait until another thread frees space and never fail; M_NOWAIT
 * allocations return ENOMEM and leave the arena unchanged.
 *
 * Misuse (freeing what was not allocated, a wrong size, invalid constraints)
 * is not an error code: it is a panic, which prints a message naming the
 * function, the arena and the values and then calls the panic handler
 * (abort by default; see <sys/vmem_ext.h>).
 */
#ifndef _SYS_VMEM_H_
#define	_SYS_VMEM_H_

#include <stddef.h>
#include <stdint.h>

typedef struct vmem vmem_t;

typedef uintptr_t	vmem_addr_t;
typedef size_t		vmem_size_t;

#define	VMEM_ADDR_MIN		0
#define	VMEM_ADDR_QCACHE_MIN	1
#define	VMEM_ADDR_MAX		(~(vmem_addr_t)0)

/* vmem_size() typemask */
#define	VMEM_ALLOC	0x01
#define	VMEM_FREE	0x02
#define	VMEM_MAXFREE	0x10

/* Flags: M_WAITOK, M_NOWAIT, M_BESTFIT, M_FIRSTFIT, M_NEXTFIT, ... */
#include <sys/_malloc_flags.h>

/* Import a span of at least size into the arena; 0 or an errno. */
typedef int (vmem_import_t)(void *arg, vmem_size_t size, int flags,
    vmem_addr_t *addrp);
/* Give an imported span back to its source, wholly free. */
typedef void (vmem_release_t)(void *arg, vmem_addr_t addr, vmem_size_t size);
/* Called when the arena is exhausted, before sleeping or failing. */
typedef void (vmem_reclaim_t)(vmem_t *vm, int flags);

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Create an arena:
 *	name		- name of the arena (up to 16 characters kept)
 *	base, size	- initial span (none if size is 0)
 *	quantum		- natural unit of allocation, a power of two
 *			  (0 is taken as 1, as libuvmem callers pass)
 *	qcache_max	- sizes up to this (at most 16 quanta) are served from
 *			  per-size caches; 0 for none
 *	flags		- M_WAITOK or M_NOWAIT
 * Returns NULL only with M_NOWAIT, when memory for the arena is short.
 */
vmem_t *vmem_create(const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_size_t qcache_max, int flags);
/* Like vmem_create() on storage the caller provides (kernel use). */
vmem_t *vmem_init(vmem_t *vm, const char *name, vmem_addr_t base,
    vmem_size_t size, vmem_size_t quantum, vmem_size_t qcache_max, int flags);
/* Destroy an arena. REQUIRES: nothing allocated from it remains. */
void vmem_destroy(vmem_t *vm);

/*
 * Set callbacks that bring spans in from a source and give them back.
 * Spans are imported in multiples of import_quantum and released as soon as
 * they are wholly free. REQUIRES: the arena has no span yet.
 */
void vmem_set_import(vmem_t *vm, vmem_import_t *importfn,
    vmem_release_t *releasefn, void *arg, vmem_size_t import_quantum);

/* Limit the total size of the arena's spans (0: no limit). */
void vmem_set_limit(vmem_t *vm, vmem_size_t limit);

/* Set the callback run when the arena is exhausted. */
void vmem_set_reclaim(vmem_t *vm, vmem_reclaim_t *reclaimfn);

/*
 * Allocate and free. flags must name exactly one of M_BESTFIT, M_FIRSTFIT
 * or M_NEXTFIT, plus M_NOWAIT to fail rather than sleep. These use the
 * quantum caches. Returns 0 and sets *addrp, or ENOMEM (M_NOWAIT only).
 */
int vmem_alloc(vmem_t *vm, vmem_size_t size, int flags, vmem_addr_t *addrp);
void vmem_free(vmem_t *vm, vmem_addr_t addr, vmem_size_t size);

/*
 * Constrained allocation; bypasses the quantum caches.
 *	size		- in units of 1, rounded up to the quantum
 *	align		- power of two, multiple of the quantum (0: quantum)
 *	phase		- the start is phase bytes past an align boundary
 *	nocross		- power of two boundary the range must not cross (0: none)
 *	minaddr, maxaddr- the range lies within [minaddr, maxaddr]
 *			  (VMEM_ADDR_MIN, VMEM_ADDR_MAX: anywhere)
 * Free with vmem_xfree() and the same size.
 */
int vmem_xalloc(vmem_t *vm, vmem_size_t size, vmem_size_t align,
    vmem_size_t phase, vmem_size_t nocross, vmem_addr_t minaddr,
    vmem_addr_t maxaddr, int flags, vmem_addr_t *addrp);
void vmem_xfree(vmem_t *vm, vmem_addr_t addr, vmem_size_t size);

/* Add a static span; it stays until the arena is destroyed. */
int vmem_add(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, int flags);

/* Round size up to the arena's quantum. */
vmem_size_t vmem_roundup_size(vmem_t *vm, vmem_size_t size);

/*
 * VMEM_ALLOC: bytes allocated; VMEM_FREE: bytes free; both: total size;
 * VMEM_MAXFREE: a lower bound of the largest free segment (its size class).
 */
vmem_size_t vmem_size(vmem_t *vm, int typemask);

/* Debugger-style printers (FreeBSD's DDB): which arena holds addr ... */
void vmem_whatis(vmem_addr_t addr, int (*fn)(const char *, ...));
/* ... every segment of the arena at address addr ... */
void vmem_print(vmem_addr_t addr, const char *modif,
    int (*fn)(const char *, ...));
/* ... and of every arena. */
void vmem_printall(const char *modif, int (*fn)(const char *, ...));

/* Set up the allocator; optional (the first vmem_create() does it). */
void vmem_startup(void);

#ifdef __cplusplus
}
#endif

#endif /* !_SYS_VMEM_H_ */
