/*
 * Extensions to FreeBSD's vmem KPI that this library adds: invariant
 * checks, the kernel debugger's "show" commands, tunables and the panic
 * handler. C linkage.
 */
#ifndef _SYS_VMEM_EXT_H_
#define	_SYS_VMEM_EXT_H_

#include <stdio.h>

#include <sys/vmem.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Panic if the arena's invariants do not hold: segments in order inside
 * their spans, no overlap, counters, hash, free lists and the index of
 * the free segments consistent. Takes the arena lock; costs O(n log n) in
 * the number of segments, O(n^2) with debug.vmem_check set (upstream's
 * own check, vmem_check(), compares every pair).
 */
void vmem_verify(vmem_t *vm);

/*
 * M_ENDALLOC: with M_BESTFIT or M_FIRSTFIT, vmem_xalloc() takes the highest
 * address that meets the constraints (illumos's VM_ENDALLOC).
 */
#define	M_ENDALLOC	0x4000

/*
 * Import functions that are given the alignment and may bring in more than
 * asked for (illumos's vmem_ximport_t): on success *sizep is the size of
 * the span at *addrp, at least what was asked, a multiple of the quantum.
 * The whole span is released (with that size) when wholly free.
 */
typedef int (vmem_ximport_fn_t)(void *arg, vmem_size_t *sizep,
    vmem_size_t align, int flags, vmem_addr_t *addrp);
void vmem_set_ximport(vmem_t *vm, vmem_ximport_fn_t *ximportfn,
    vmem_release_t *releasefn, void *arg, vmem_size_t import_quantum);

/*
 * Import functions that are given the constraints of the request that
 * made the arena import, so that they can bring in a span that serves it.
 * On entry *sizep is the size the arena asks for (the request rounded up
 * to the import quantum); on success *sizep is the size of the span at
 * *addrp, a multiple of the quantum, at least vc_size, and less than asked
 * only if a span of that size could not be had. The arena keeps the whole
 * span and releases it (with that size) when it is wholly free.
 */
struct vmem_constraints {
	vmem_size_t	vc_size;	/* the request, a quantum multiple */
	vmem_size_t	vc_align;	/* a power of two, at least the quantum */
	vmem_size_t	vc_phase;	/* below vc_align */
	vmem_size_t	vc_nocross;	/* a power of two, or 0 */
	vmem_addr_t	vc_minaddr;	/* the window, inclusive */
	vmem_addr_t	vc_maxaddr;
};
typedef int (vmem_cimport_fn_t)(void *arg, vmem_size_t *sizep,
    const struct vmem_constraints *vc, int flags, vmem_addr_t *addrp);
void vmem_set_cimport(vmem_t *vm, vmem_cimport_fn_t *cimportfn,
    vmem_release_t *releasefn, void *arg, vmem_size_t import_quantum);

/*
 * Stack an arena on another, as the kernel's arenas import from its kernel
 * arena: vmem_set_import(child, vmem_import_arena, vmem_release_arena,
 * parent, import_quantum). Spans are placed best fit in the parent; the
 * child's M_NOWAIT or waiting is passed on. A request with a window, an
 * alignment, a phase or a boundary imports a span that meets them (as
 * vmem_cimport_arena() does, which vmem_set_cimport() attaches): one
 * import serves it.
 */
vmem_import_t vmem_import_arena;
vmem_cimport_fn_t vmem_cimport_arena;
vmem_release_t vmem_release_arena;

/*
 * Call fn(arg, start, size, type) on the segments whose type is in
 * typemask, in the arena's list order (spans precede their segments).
 * Without VMEM_WALK_REENTRANT, fn runs with the arena locked and must not
 * call into it, nor create or destroy arenas (the arena list lock comes
 * before arena locks); with it, fn runs unlocked over a snapshot.
 */
#define	VMEM_WALK_ALLOC		0x01	/* allocated segments */
#define	VMEM_WALK_FREE		0x02	/* free segments */
#define	VMEM_WALK_SPAN		0x10	/* spans (added or imported) */
#define	VMEM_WALK_REENTRANT	0x80000000
typedef void (vmem_walk_fn_t)(void *arg, vmem_addr_t start,
    vmem_size_t size, int type);
void vmem_walk_segments(vmem_t *vm, int typemask, vmem_walk_fn_t *fn,
    void *arg);

/* What FreeBSD's "show vmem" prints, as numbers. */
#define	VMEM_STATS_NORDER	96
struct vmem_order_stats {
	vmem_size_t	vo_size;	/* smallest segment size of the order */
	size_t		vo_inuse_count;	/* allocated segments */
	vmem_size_t	vo_inuse_bytes;
	size_t		vo_free_count;	/* free segments */
	vmem_size_t	vo_free_bytes;
};
struct vmem_stats {
	char		vs_name[17];
	vmem_size_t	vs_quantum;
	vmem_size_t	vs_size;	/* all spans */
	vmem_size_t	vs_inuse;	/* allocated (caches count as used) */
	vmem_size_t	vs_free;
	vmem_size_t	vs_limit;	/* vmem_set_limit(), 0 for none */
	vmem_size_t	vs_qcache_max;
	vmem_size_t	vs_import_quantum;
	int		vs_busy_tags;
	int		vs_free_tags;	/* the arena's stock of spare tags */
	vmem_size_t	vs_hash_buckets;
	size_t		vs_spans;
	int		vs_norder;	/* entries of vs_order in use */
	struct vmem_order_stats vs_order[VMEM_STATS_NORDER];
	/*
	 * Windowed, M_ENDALLOC and next-fit searches: free segments they
	 * indexed (0 until the arena builds its index) and segments or index
	 * nodes they visited in all.
	 */
	size_t		vs_indexed;
	uint64_t	vs_search_visits;
	uint64_t	vs_imports;	/* spans imported, ever */
};
void vmem_get_stats(vmem_t *vm, struct vmem_stats *stats);

/*
 * Call fn on every arena, newest first. The arena list stays locked
 * meanwhile: fn must not create or destroy arenas.
 */
void vmem_foreach(void (*fn)(vmem_t *vm, void *arg), void *arg);

/* Print every segment and free list of an arena with pr (arena locked). */
void vmem_dump(const vmem_t *vm, int (*pr)(const char *, ...));

/*
 * Run one of the kernel debugger's show commands, printing to out (stdout
 * if NULL): "vmem" (the summary of the arena at addr: quantum, size, inuse,
 * free, tags, hash buckets and the per-order table), "all vmem",
 * "vmemdump", "all vmemdump". Returns 0, or ENOENT for an unknown command.
 */
int vmem_db_show(const char *command, vmem_addr_t addr, int have_addr,
    FILE *out);

/*
 * Read (oldval) and/or set (newval) an integer tunable; 0, ENOENT or EPERM:
 *	debug.vmem_check		- 1: check every arena in the periodic task
 *	kern.vmem_periodic_interval	- period of the rehash/wakeup task, in
 *					  ticks (1 ms); read each time the task
 *					  rearms (set before the first arena, it
 *					  is the first period too)
 */
int vmem_sysctl_int(const char *name, int *oldval, const int *newval);

/*
 * A panic prints "panic: <function>: <message>" to stderr, then calls the
 * handler with "<function>: <message>"; abort() follows if it returns.
 * Returns the previous handler; NULL restores the default.
 */
typedef void (*vmem_panic_handler_t)(const char *message);
vmem_panic_handler_t vmem_set_panic_handler(vmem_panic_handler_t handler);

#ifdef __cplusplus
}
#endif

#endif /* !_SYS_VMEM_EXT_H_ */
