/*
 * The port's prelude to kern/subr_vmem.cc (FreeBSD's sys/kern/subr_vmem.c,
 * translated), included from its block of kernel headers in place of those
 * compat/ does not provide (PORT(1)).
 *
 * It brings in what the port's own code needs beyond upstream's headers,
 * and declares the port's own functions that the translation calls from
 * its tagged lines.  Those are defined in the kern/subr_vmem_*.inc
 * files that the translation includes at its end: they work on the file's
 * private structures and static data, so they belong to its translation
 * unit, but not to its text.  kern/PORTING.md lists every change.
 *
 * Included by kern/subr_vmem.cc only: the declarations are of static
 * functions of that file.
 */
#ifndef KERN_SUBR_VMEM_PORT_H_
#define	KERN_SUBR_VMEM_PORT_H_

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <sys/vmem_ext.h>	/* our extensions of the KPI */

#include <ddb/ddb.h>		/* DB_SHOW_COMMAND, used before its section */

#include <algorithm>
#include <vector>

#include "absl/base/call_once.h"	/* vmem_startup() runs once */
#include "absl/container/flat_hash_set.h"	/* vmem_verify() */

#include "kern/subr_vmem_sdt.h"	/* PORT(41): the SDT(9) probes */

struct vmem_btag;
struct vmem_freelist;
struct vmem_index;

/*
 * PORT(29): the segment before bt, or NULL.  TAILQ_PREV() gets there
 * through the tag before that one, a second dependent cache miss in a big
 * arena; the link to bt is the first member of the previous tag, so the
 * link's address is that tag's (checked in subr_vmem_alloc.inc).
 */
#define	BT_PREV(vm, bt)							\
	((bt)->bt_seglist.tqe_prev == &(vm)->vm_seglist.tqh_first ?	\
	    NULL : (bt_t *)(bt)->bt_seglist.tqe_prev)

/*
 * subr_vmem_args.inc: the argument checks of the entry points (PORT(10)).
 * Each panics with a message naming the arena and the values, and names
 * func, the entry point that calls it, as upstream's assertions would.
 */
static inline void qc_init_args(const char *func, vmem_t *vm,
    vmem_size_t qcache_max);
static void qc_destroy_args(const char *func, vmem_t *vm);
static inline void vmem_destroy1_args(const char *func, vmem_t *vm);
static inline void vmem_import_args(const char *func, vmem_t *vm,
    vmem_addr_t addr, vmem_size_t size, vmem_size_t asked);
static inline void vmem_set_import_args(const char *func, vmem_t *vm,
    vmem_size_t import_quantum);
static inline void vmem_init_args(const char *func, const char *name,
    vmem_size_t quantum);
static inline vmem_addr_t *vmem_alloc_args(const char *func, vmem_t *vm,
    vmem_size_t size, int flags, vmem_addr_t *addrp);
static inline vmem_addr_t *vmem_xalloc_args(const char *func, vmem_t *vm,
    vmem_size_t size0, vmem_size_t size, vmem_size_t align,
    vmem_size_t phase, vmem_size_t nocross, vmem_addr_t minaddr,
    vmem_addr_t maxaddr, int flags, vmem_addr_t *addrp);
static inline void vmem_free_args(const char *func, vmem_t *vm,
    vmem_addr_t addr, vmem_size_t size);
static inline void vmem_xfree_args(const char *func, vmem_t *vm,
    vmem_addr_t addr, vmem_size_t size, const struct vmem_btag *bt);
static inline void vmem_add_args(const char *func, vmem_t *vm,
    vmem_addr_t addr, vmem_size_t size, int flags);

/*
 * subr_vmem_alloc.inc: the port's parts of the allocator itself; each names
 * the PORT entry it implements.
 */
static inline void vmem_freemap_insert(vmem_t *vm,
    struct vmem_freelist *list);
static inline void vmem_freemap_remove(vmem_t *vm, struct vmem_btag *bt);
static inline struct vmem_freelist *vmem_freelist_next(vmem_t *vm,
    struct vmem_freelist *list);
static inline u_int vmem_hash_index(const vmem_t *vm, vmem_addr_t addr);
static inline vmem_size_t vmem_hash_target(vmem_t *vm);
static inline bool vmem_rehash_wanted(vmem_t *vm, vmem_size_t newhashsize);
static int vmem_periodic_ticks(void);
static void vmem_span_grow(vmem_t *vm, struct vmem_btag *bt,
    vmem_size_t size);
static inline bool vmem_import_constrained(const vmem_t *vm);
static inline bool vmem_import_aligns(const vmem_t *vm);
static inline bool vmem_can_import(const vmem_t *vm);
static bool vmem_import_size_wraps(vmem_t *vm, vmem_size_t size,
    vmem_size_t align);
static int vmem_import_call(const char *func, vmem_t *vm,
    vmem_size_t *sizep, vmem_size_t align, int flags, vmem_addr_t *addrp,
    const struct vmem_constraints *vc);
static inline struct vmem_constraints vmem_request(vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t minaddr, vmem_addr_t maxaddr);
static bool vmem_import_over_limit(vmem_t *vm, vmem_addr_t addr,
    vmem_size_t size);
static void vmem_import_done(vmem_t *vm);
static inline void vmem_xalloc_unlock(vmem_t *vm, u_int nimports);
static bool vmem_nextfit_resume(vmem_t *vm, vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t *addrp, struct vmem_btag **btp, int *errorp);
static bool vmem_nextfit_search(vmem_t *vm, vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t *addrp, struct vmem_btag **btp, int *errorp);
static inline void vmem_xfree_cursor(vmem_t *vm, struct vmem_btag *bt);
static inline bool vmem_nextfit_carve(vmem_t *vm, vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t *addrp, struct vmem_btag **btp);
static inline struct vmem_freelist *vmem_instant_fit(vmem_t *vm,
    struct vmem_freelist *first, int strat, vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t minaddr, vmem_addr_t maxaddr);
static inline bool vmem_windowed(vmem_addr_t minaddr, vmem_addr_t maxaddr);
static int vmem_xalloc_ordered(vmem_t *vm, vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t minaddr, vmem_addr_t maxaddr, int flags,
    vmem_addr_t *addrp);
static vmem_size_t vmem_size_locked(vmem_t *vm, int typemask);

/*
 * subr_vmem_index.inc: the index of the free segments by address
 * (PORT(38)), kept by bt_insfree(), bt_remfree() and the places that change
 * a free segment in place.
 */
static inline void vmem_index_insert(vmem_t *vm, struct vmem_btag *bt);
static inline void vmem_index_remove(vmem_t *vm, struct vmem_btag *bt);
static inline void vmem_index_update(vmem_t *vm, struct vmem_btag *bt,
    vmem_addr_t oldstart);
static void vmem_index_drop(vmem_t *vm);

#endif /* !KERN_SUBR_VMEM_PORT_H_ */
