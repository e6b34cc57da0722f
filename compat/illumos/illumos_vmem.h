// illumos's vmem interface (vmem_create(9F), vmem_alloc(9F), vmem_add(9F),
// vmem_contains(9F), vmem_walk) over this library's arenas, with C linkage.
//
// Its functions share their names, and some their signatures
// (vmem_destroy, vmem_size), with FreeBSD's of the project's <sys/vmem.h>,
// so their link names are their own: illumos_vmem_create() and so on.
// illumos code calls them by illumos's names through <sys/vmem.h> of this
// folder (compat/illumos on the include path), which maps each name to its
// link name; this header declares them by their link names, for a file
// that also includes FreeBSD's <sys/vmem.h>. vmem_t is FreeBSD's vmem_t:
// an arena made by either interface can be used through both, in one
// program.
//
// Semantics follow illumos's vmem.c:
//  - Allocations return the address as void *, NULL on failure. VM_SLEEP
//    (the default) never fails: it waits for space, importing from the
//    source first. VM_NOSLEEP fails at once and leaves every arena as it
//    was. VM_NOSLEEP | VM_PANIC panics (naming the arena and the size)
//    instead of returning NULL.
//  - VM_ABORT (illumos reserves it for segkmem) makes a VM_SLEEP allocation
//    fail instead of waiting once it and one import attempt failed: NULL,
//    or a panic with VM_PANIC. afunc is still called with VM_SLEEP and may
//    wait in the source. It has no effect with VM_NEXTFIT nor for sizes the
//    quantum caches serve (illumos drops it there).
//  - Spans are imported from a source with the afunc given at creation and
//    given back with ffunc, with the size actually imported, as soon as
//    they are wholly free. afunc is called with the caller's
//    vmflag & VM_KMFLAGS (VM_NOSLEEP, VM_PANIC, VM_PUSHPAGE ...; not the
//    policy, VM_ENDALLOC or VM_ABORT), as illumos calls it, plus VM_NOSLEEP
//    if FreeBSD's arena asks that import not to wait (it fills its quantum
//    caches so, then allocates with the caller's flags if that failed).
//    vmem_xcreate()'s afunc (vmem_ximport_t) may enlarge the span; with
//    VMC_XALIGN it is handed the alignment and must return a span aligned
//    to it, otherwise the arena asks for enough slack to align within the
//    span itself.
//  - Spans need not start or end on a quantum boundary (vmem_create()'s
//    base, vmem_add(), what afunc returns): the arena hands out
//    quantum-aligned ranges from them (see below for how).
//  - vmem_xalloc()'s maxaddr is exclusive ([minaddr, maxaddr)), NULL meaning
//    no limit, as in illumos's code. Constrained allocations (nocross,
//    minaddr or maxaddr) import only from a source arena (below); otherwise
//    they are served from the spans the arena has, or wait for them.
//  - Identifier arenas (VMC_IDENTIFIER, usually quantum 1) hand out
//    integers; nothing here ever dereferences an address. Address 0 cannot
//    be handed out (it would read as failure): vmem_add() refuses it.
//
// Differences from illumos (see illumos_vmem.cc for the details):
//  - VM_BESTFIT takes the first segment that fits in the smallest size class
//    that may hold the request (FreeBSD's M_BESTFIT), not the smallest such
//    segment.
//  - VM_ENDALLOC takes the highest address of the arena that fits, not the
//    end of the segment the fit policy picked.
//  - vmem_destroy() of an arena that still has allocations panics (FreeBSD's
//    rule); illumos warns and leaks them.
//  - Adjacent spans added to an arena that does not release spans may be
//    kept as one span, so vmem_contains() may accept a range across them.
//  - A span that does not start or end on a quantum boundary is trimmed to
//    the whole quanta inside it (start rounded up, end down); illumos keeps
//    the span as given. vmem_contains(), vmem_walk() and vmem_size() see
//    the trimmed span. A span that holds no whole quantum panics. A trimmed
//    import goes back to ffunc exactly as afunc returned it. Once afunc has
//    returned a span off the quantum, the arena asks it for a quantum more
//    than needed, so that the trimmed span still holds the request; a span
//    too short once trimmed goes back to ffunc (without one, it is kept
//    unused, as imports are) and afunc is asked once more.
//  - VM_ABORT does not forgo reaping: the arena's quantum caches are
//    emptied before the allocation fails, as for VM_NOSLEEP.
//  - VM_PUSHPAGE (may dip into memory reserved for the pageout daemon) has
//    no reserve to use here: the allocation sleeps or not as VM_SLEEP or
//    VM_NOSLEEP says, and afunc is handed the flag.
//  - An arena that imports from another arena with afunc vmem_alloc or
//    vmem_xalloc and ffunc vmem_free or vmem_xfree (the usual stacking)
//    imports for a constrained allocation too, where illumos never does:
//    the source is asked for a span that meets the window, the boundary,
//    the alignment and the phase (vmem_cimport_arena(), <sys/vmem_ext.h>),
//    so that one import serves it; the span goes back with vmem_xfree().
//  - VMC_POPULATOR (the arenas vmem's own segment structures come from) is
//    accepted and kept with the arena's creation flags; it changes nothing,
//    as segments do not come from illumos arenas here. vmem_xcreate()
//    drops it, as illumos does.
#ifndef _COMPAT_ILLUMOS_ILLUMOS_VMEM_H_
#define _COMPAT_ILLUMOS_ILLUMOS_VMEM_H_

#include <stddef.h>

// Allocation flags (vmflag), illumos's values. None collides with a name
// of FreeBSD's <sys/vmem.h> (whose flags are M_*).
#define VM_SLEEP 0x00000000     // may wait; never fails (default)
#define VM_NOSLEEP 0x00000001   // fail at once rather than wait
#define VM_PANIC 0x00000002     // with VM_NOSLEEP: panic rather than fail
#define VM_PUSHPAGE 0x00000004  // may use reserved memory (see above)
#define VM_KMFLAGS 0x000000ff   // the flags passed on to an import function
#define VM_BESTFIT 0x00000100   // smallest fitting segment (see above)
#define VM_FIRSTFIT 0x00000200  // first fitting segment found
#define VM_NEXTFIT 0x00000400   // from a rotating cursor (vmem_alloc only)
#define VM_ABORT 0x00002000     // fail rather than wait (see above)
#define VM_ENDALLOC 0x00004000  // prefer high addresses (not with NEXTFIT)
// illumos has no flag for its default policy, "instant fit" (a constant
// time approximation of best fit); this name for it is 0, the default.
#define VM_INSTANTFIT 0x00000000
#define VM_FLAGS 0x0000ffff

// Arena creation flags, or-ed into vmem_create()'s vmflag.
#define VMC_POPULATOR 0x00010000   // recorded only (see above)
#define VMC_NO_QCACHE 0x00020000   // no quantum caches (qcache_max ignored)
#define VMC_IDENTIFIER 0x00040000  // integer identifiers, not memory
#define VMC_XALIGN 0x00100000      // vmem_xcreate(): afunc aligns its spans
#define VMC_FLAGS 0xffff0000

// Segment types, the vmem_walk() typemask: VMEM_ALLOC and VMEM_FREE have
// the values of FreeBSD's <sys/vmem.h> macros (and vmem_size()'s
// typemask); VMEM_SPAN and VMEM_REENTRANT equal VMEM_WALK_SPAN and
// VMEM_WALK_REENTRANT of <sys/vmem_ext.h>.
#ifndef VMEM_ALLOC
#define VMEM_ALLOC 0x01
#define VMEM_FREE 0x02
#endif
#define VMEM_SPAN 0x10
#define VMEM_REENTRANT 0x80000000

typedef struct vmem vmem_t;

// Import from source / give back to source (vmem_create()).
typedef void *(vmem_alloc_t)(vmem_t *source, size_t size, int vmflag);
typedef void(vmem_free_t)(vmem_t *source, void *vaddr, size_t size);
// Import of at least *sizep with the given alignment; may raise *sizep
// (vmem_xcreate()). Returns the span, or NULL.
typedef void *(vmem_ximport_t)(vmem_t *source, size_t *sizep, size_t align,
                               int vmflag);

#ifdef __cplusplus
extern "C" {
#endif

// Create an arena with the initial span [base, base + size) (none if both
// are 0), importing from source with afunc and releasing with ffunc (both
// may be NULL). vmflag: VM_SLEEP or VM_NOSLEEP, plus VMC_* flags.
// qcache_max: sizes up to it (at most 16 quanta) use quantum caches.
vmem_t *illumos_vmem_create(const char *name, void *base, size_t size,
                            size_t quantum, vmem_alloc_t *afunc,
                            vmem_free_t *ffunc, vmem_t *source,
                            size_t qcache_max, int vmflag);
vmem_t *illumos_vmem_xcreate(const char *name, void *base, size_t size,
                             size_t quantum, vmem_ximport_t *afunc,
                             vmem_free_t *ffunc, vmem_t *source,
                             size_t qcache_max, int vmflag);
// Destroy an arena (made by either interface). REQUIRES: nothing allocated.
void illumos_vmem_destroy(vmem_t *vmp);

// Allocate with the fit policy and VM_SLEEP/VM_NOSLEEP/VM_PANIC of vmflag;
// free with vmem_free() and the same size.
void *illumos_vmem_alloc(vmem_t *vmp, size_t size, int vmflag);
void illumos_vmem_free(vmem_t *vmp, void *vaddr, size_t size);

// Constrained allocation: phase bytes past an align boundary (align 0: the
// quantum), not crossing a nocross boundary, within [minaddr, maxaddr).
// Bypasses the quantum caches; free with vmem_xfree().
void *illumos_vmem_xalloc(vmem_t *vmp, size_t size, size_t align, size_t phase,
                          size_t nocross, void *minaddr, void *maxaddr,
                          int vmflag);
void illumos_vmem_xfree(vmem_t *vmp, void *vaddr, size_t size);

// Add the span [vaddr, vaddr + size); returns vaddr, or NULL (VM_NOSLEEP).
void *illumos_vmem_add(vmem_t *vmp, void *vaddr, size_t size, int vmflag);

// Nonzero if [vaddr, vaddr + size) lies within one span of the arena.
int illumos_vmem_contains(vmem_t *vmp, void *vaddr, size_t size);

// Call func(arg, start, size) on each segment whose type is in typemask
// (VMEM_ALLOC, VMEM_FREE, VMEM_SPAN), in address order within each span.
// Without VMEM_REENTRANT func runs with the arena locked and must not call
// into it; with it, func runs unlocked on a snapshot.
void illumos_vmem_walk(vmem_t *vmp, int typemask,
                       void (*func)(void *arg, void *start, size_t size),
                       void *arg);

// Bytes allocated (VMEM_ALLOC), free (VMEM_FREE), or both; other bits are
// ignored.
size_t illumos_vmem_size(vmem_t *vmp, int typemask);

#ifdef __cplusplus
}
#endif

#endif /* !_COMPAT_ILLUMOS_ILLUMOS_VMEM_H_ */
