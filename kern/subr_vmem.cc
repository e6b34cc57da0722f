/*-
 * SPDX-License-Identifier: BSD-2-Clause-FreeBSD
 *
 * Copyright (c)2006,2007,2008,2009 YAMAMOTO Takashi,
 * Copyright (c) 2013 EMC Corp.
 * All rights reserved.
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions
 * are met:
 * 1. Redistributions of source code must retain the above copyright
 *    notice, this list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright
 *    notice, this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 *
 * THIS SOFTWARE IS PROVIDED BY THE AUTHOR AND CONTRIBUTORS ``AS IS'' AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 * IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 * ARE DISCLAIMED.  IN NO EVENT SHALL THE AUTHOR OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
 * OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
 * HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT
 * LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY
 * OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
 * SUCH DAMAGE.
 */

/*
 * A C++ translation of FreeBSD's sys/kern/subr_vmem.c, kept line for line
 * so that it can be diffed against the original; every deliberate change
 * is marked "PORT:". The kernel services it calls are emulated in compat/.
 *
 * Upstream derives from:
 *	$NetBSD: vmem_impl.h,v 1.2 2013/01/29 21:26:24 para Exp $
 *	$NetBSD: subr_vmem.c,v 1.83 2013/03/06 11:20:10 yamt Exp $
 *
 * Design reference:
 * -	Jeff Bonwick and Jonathan Adams, "Magazines and Vmem: Extending the
 *	Slab Allocator to Many CPUs and Arbitrary Resources", USENIX 2001.
 */

#include <sys/cdefs.h>
__FBSDID("$FreeBSD$");

/* PORT: no opt_ddb.h: kern/BUILD.bazel defines DDB. */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/queue.h>
#include <sys/callout.h>
#include <sys/hash.h>
#include <sys/lock.h>
#include <sys/malloc.h>
#include <sys/mutex.h>
#include <sys/smp.h>
#include <sys/condvar.h>
#include <sys/sysctl.h>
#include <sys/taskqueue.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>	/* PORT: our extensions of the KPI. */
/* PORT: no <sys/vmmeter.h>, no opt_vm.h: nothing here uses them. */

#include <vm/uma.h>
#include <vm/vm.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_kern.h>
#include <vm/vm_param.h>
/*
 * PORT: no <vm/pmap.h>, <vm/vm_extern.h>, <vm/vm_page.h>,
 * <vm/vm_pageout.h>, <vm/vm_phys.h>, <vm/vm_pagequeue.h>: the pages are
 * the C library's (UMA_MD_SMALL_ALLOC).
 */
#include <vm/uma_int.h>

/* PORT: upstream includes <ddb/ddb.h> in the DDB section below. */
#include <ddb/ddb.h>
/* PORT: vmem_startup() runs once (absl::call_once). */
#include "absl/base/call_once.h"

#define	VMEM_OPTORDER		5
#define	VMEM_OPTVALUE		(1 << VMEM_OPTORDER)
#define	VMEM_MAXORDER						\
    (VMEM_OPTVALUE - 1 + sizeof(vmem_size_t) * NBBY - VMEM_OPTORDER)

#define	VMEM_HASHSIZE_MIN	16
/*
 * PORT: up to 4M buckets (32 MiB), not 128K: the hash now follows the tag
 * count (vmem_hash_target()), and a program may hold millions of tags.
 */
#define	VMEM_HASHSIZE_MAX	(1 << 22)

#define	VMEM_QCACHE_IDX_MAX	16

#define	VMEM_FITMASK	(M_BESTFIT | M_FIRSTFIT | M_NEXTFIT)

/* PORT: M_ENDALLOC is ours (sys/vmem_ext.h). */
#define	VMEM_FLAGS	(M_NOWAIT | M_WAITOK | M_USE_RESERVE | M_NOVM |	\
    M_BESTFIT | M_FIRSTFIT | M_NEXTFIT | M_ENDALLOC)

#define	BT_FLAGS	(M_NOWAIT | M_WAITOK | M_USE_RESERVE | M_NOVM)

#define	QC_NAME_MAX	16

/*
 * Data structures private to vmem.
 */
MALLOC_DEFINE(M_VMEM, "vmem", "vmem internal structures");

typedef struct vmem_btag bt_t;

TAILQ_HEAD(vmem_seglist, vmem_btag);
LIST_HEAD(vmem_freelist, vmem_btag);
LIST_HEAD(vmem_hashlist, vmem_btag);

struct qcache {
	uma_zone_t	qc_cache;
	vmem_t 		*qc_vmem;
	vmem_size_t	qc_size;
	char		qc_name[QC_NAME_MAX];
};
typedef struct qcache qcache_t;
#define	QC_POOL_TO_QCACHE(pool)	((qcache_t *)(pool->pr_qcache))

#define	VMEM_NAME_MAX	16

/* boundary tag */
struct vmem_btag {
	TAILQ_ENTRY(vmem_btag) bt_seglist;
	union {
		LIST_ENTRY(vmem_btag) u_freelist; /* BT_TYPE_FREE */
		LIST_ENTRY(vmem_btag) u_hashlist; /* BT_TYPE_BUSY */
		struct thread *u_importer;	/* PORT: BT_TYPE_SPAN, */
	} bt_u;				/* see vmem_release_unused() */
#define	bt_hashlist	bt_u.u_hashlist
#define	bt_freelist	bt_u.u_freelist
#define	bt_importer	bt_u.u_importer	/* PORT: see above. */
	vmem_addr_t	bt_start;
	vmem_size_t	bt_size;
	int		bt_type;
};

/* vmem arena */
struct vmem {
	struct mtx_padalign	vm_lock;
	struct cv		vm_cv;
	char			vm_name[VMEM_NAME_MAX+1];
	LIST_ENTRY(vmem)	vm_alllist;
	struct vmem_hashlist	vm_hash0[VMEM_HASHSIZE_MIN];
	struct vmem_freelist	vm_freelist[VMEM_MAXORDER];
	/* PORT: which free lists are not empty, see vmem_freelist_next(). */
	uint64_t		vm_freemap[howmany(VMEM_MAXORDER, 64)];
	struct vmem_seglist	vm_seglist;
	struct vmem_hashlist	*vm_hashlist;
	vmem_size_t		vm_hashsize;

	/* Constant after init */
	vmem_size_t		vm_qcache_max;
	vmem_size_t		vm_quantum_mask;
	vmem_size_t		vm_import_quantum;
	int			vm_quantum_shift;

	/* Written on alloc/free */
	LIST_HEAD(, vmem_btag)	vm_freetags;
	int			vm_nfreetags;
	int			vm_nbusytag;
	vmem_size_t		vm_inuse;
	vmem_size_t		vm_size;
	vmem_size_t		vm_limit;
	struct vmem_btag	vm_cursor;
	vmem_addr_t		vm_cursor_addr;	/* PORT: see nextfit */

	/* Used on import. */
	vmem_import_t		*vm_importfn;
	vmem_release_t		*vm_releasefn;
	vmem_ximport_fn_t	*vm_ximportfn;	/* PORT: ours, see vmem_import */
	u_int			vm_nimports;	/* PORT: see vmem_release_unused */
	void			*vm_arg;

	/* Space exhaustion callback. */
	vmem_reclaim_t		*vm_reclaimfn;

	/* quantum cache */
	qcache_t		vm_qcache[VMEM_QCACHE_IDX_MAX];
};

#define	BT_TYPE_SPAN		1	/* Allocated from importfn */
#define	BT_TYPE_SPAN_STATIC	2	/* vmem_add() or create. */
#define	BT_TYPE_FREE		3	/* Available space. */
#define	BT_TYPE_BUSY		4	/* Used space. */
#define	BT_TYPE_CURSOR		5	/* Cursor for nextfit allocations. */
#define	BT_ISSPAN_P(bt)	((bt)->bt_type <= BT_TYPE_SPAN_STATIC)

#define	BT_END(bt)	((bt)->bt_start + (bt)->bt_size - 1)

/*
 * PORT: the segment before bt, or NULL.  TAILQ_PREV() gets there through
 * the tag before that one, two dependent cache misses in a big arena; the
 * link to bt is the first member of the previous tag, so that tag is the
 * link's own address.
 */
#define	BT_PREV(vm, bt)							\
	((bt)->bt_seglist.tqe_prev == &(vm)->vm_seglist.tqh_first ? NULL :	\
	    (bt_t *)(bt)->bt_seglist.tqe_prev)
static_assert(offsetof(struct vmem_btag, bt_seglist.tqe_next) == 0,
    "BT_PREV() needs the seglist link first in the tag");

#if defined(DIAGNOSTIC)
/*
 * PORT: off by default: the check is quadratic in the number of tags and
 * would stall the periodic task on large arenas. Tests call vmem_check().
 */
static int enable_vmem_check = 0;
SYSCTL_INT(_debug, OID_AUTO, vmem_check, CTLFLAG_RWTUN,
    &enable_vmem_check, 0, "Enable vmem check");
static void vmem_check(vmem_t *);
#endif

static struct callout	vmem_periodic_ch;
static int		vmem_periodic_interval;
static struct task	vmem_periodic_wk;
/* PORT: a program may set the period (ticks) before the first arena. */
SYSCTL_INT(_kern, OID_AUTO, vmem_periodic_interval, CTLFLAG_RWTUN,
    &vmem_periodic_interval, 0, "vmem rehash and wakeup period, in ticks");

static struct mtx_padalign __exclusive_cache_line vmem_list_lock;
static LIST_HEAD(, vmem) vmem_list = LIST_HEAD_INITIALIZER(vmem_list);
static uma_zone_t vmem_zone;

/* ---- misc */
#define	VMEM_CONDVAR_INIT(vm, wchan)	cv_init(&vm->vm_cv, wchan)
#define	VMEM_CONDVAR_DESTROY(vm)	cv_destroy(&vm->vm_cv)
#define	VMEM_CONDVAR_WAIT(vm)		cv_wait(&vm->vm_cv, &vm->vm_lock)
#define	VMEM_CONDVAR_BROADCAST(vm)	cv_broadcast(&vm->vm_cv)

#define	VMEM_LOCK(vm)		mtx_lock(&vm->vm_lock)
#define	VMEM_TRYLOCK(vm)	mtx_trylock(&vm->vm_lock)
#define	VMEM_UNLOCK(vm)		mtx_unlock(&vm->vm_lock)
#define	VMEM_LOCK_INIT(vm, name) mtx_init(&vm->vm_lock, (name), NULL, MTX_DEF)
#define	VMEM_LOCK_DESTROY(vm)	mtx_destroy(&vm->vm_lock)
#define	VMEM_ASSERT_LOCKED(vm)	mtx_assert(&vm->vm_lock, MA_OWNED);
/* PORT: the printers lock arenas they are handed as const. */
#define	VMEM_LOCK_CONST(vm)	VMEM_LOCK(const_cast<vmem_t *>(vm))
#define	VMEM_UNLOCK_CONST(vm)	VMEM_UNLOCK(const_cast<vmem_t *>(vm))

#define	VMEM_ALIGNUP(addr, align)	(-(-(addr) & -(align)))

#define	VMEM_CROSS_P(addr1, addr2, boundary) \
	((((addr1) ^ (addr2)) & -(boundary)) != 0)

#define	ORDER2SIZE(order)	((order) < VMEM_OPTVALUE ? ((order) + 1) : \
    (vmem_size_t)1 << ((order) - (VMEM_OPTVALUE - VMEM_OPTORDER - 1)))
#define	SIZE2ORDER(size)	((size) <= VMEM_OPTVALUE ? ((size) - 1) : \
    (flsl(size) + (VMEM_OPTVALUE - VMEM_OPTORDER - 2)))

/*
 * Maximum number of boundary tags that may be required to satisfy an
 * allocation.  Two may be required to import.  Another two may be
 * required to clip edges.
 */
#define	BT_MAXALLOC	4

/*
 * Max free limits the number of locally cached boundary tags.  We
 * just want to avoid hitting the zone allocator for every call.
 */
#define BT_MAXFREE	(BT_MAXALLOC * 8)

/* Allocator for boundary tags. */
static uma_zone_t vmem_bt_zone;

/* boot time arena storage. */
static struct vmem kernel_arena_storage;
static struct vmem buffer_arena_storage;
static struct vmem transient_arena_storage;
/* kernel and kmem arenas are aliased for backwards KPI compat. */
vmem_t *kernel_arena = &kernel_arena_storage;
vmem_t *kmem_arena = &kernel_arena_storage;
vmem_t *buffer_arena = &buffer_arena_storage;
vmem_t *transient_arena = &transient_arena_storage;

#ifdef DEBUG_MEMGUARD
static struct vmem memguard_arena_storage;
vmem_t *memguard_arena = &memguard_arena_storage;
#endif

static bool
bt_isbusy(bt_t *bt)
{
	return (bt->bt_type == BT_TYPE_BUSY);
}

static bool
bt_isfree(bt_t *bt)
{
	return (bt->bt_type == BT_TYPE_FREE);
}

/*
 * Top up the arena's private stock of boundary tags.  Once this succeeds
 * the allocation in progress cannot run out of tags: the stock holds the
 * most a single operation can consume.
 */
static __noinline int
_bt_fill(vmem_t *vm, int flags)
{
	bt_t *bt;

	VMEM_ASSERT_LOCKED(vm);

	/*
	 * Reserve tags are kept for the arenas that new tags are carved
	 * from: the kernel arena and the arenas importing from it.
	 */
	flags &= BT_FLAGS;
	if (vm != kernel_arena && vm->vm_arg != kernel_arena)
		flags &= ~M_USE_RESERVE;

	/*
	 * Keep going until the stock is full.  A non-sleeping attempt comes
	 * first, whatever the caller asked, so that the lock is dropped only
	 * when needed; M_NOVM keeps the zone from recursing into the VM
	 * while the arena lock is held.
	 */
	while (vm->vm_nfreetags < BT_MAXALLOC) {
		/* PORT: C++ needs the cast from void *. */
		bt = static_cast<bt_t *>(uma_zalloc(vmem_bt_zone,
		    (flags & M_USE_RESERVE) | M_NOWAIT | M_NOVM));
		if (bt == NULL) {
			VMEM_UNLOCK(vm);
			/* PORT: C++ needs the cast from void *. */
			bt = static_cast<bt_t *>(uma_zalloc(vmem_bt_zone, flags));
			VMEM_LOCK(vm);
			if (bt == NULL)
				break;
		}
		LIST_INSERT_HEAD(&vm->vm_freetags, bt, bt_freelist);
		vm->vm_nfreetags++;
	}

	if (vm->vm_nfreetags < BT_MAXALLOC)
		return ENOMEM;

	return 0;
}

static inline int
bt_fill(vmem_t *vm, int flags)
{
	if (vm->vm_nfreetags >= BT_MAXALLOC)
		return (0);
	return (_bt_fill(vm, flags));
}

/*
 * Take one tag from the arena's stock.
 */
static bt_t *
bt_alloc(vmem_t *vm)
{
	bt_t *bt;

	VMEM_ASSERT_LOCKED(vm);
	bt = LIST_FIRST(&vm->vm_freetags);
	MPASS(bt != NULL);
	LIST_REMOVE(bt, bt_freelist);
	vm->vm_nfreetags--;

	return bt;
}

/*
 * Shrink the arena's stock of tags to freelimit.  The surplus goes back
 * to the zone after the lock is dropped, so this returns unlocked.
 */
static void
bt_freetrim(vmem_t *vm, int freelimit)
{
	LIST_HEAD(, vmem_btag) freetags;
	bt_t *bt;

	LIST_INIT(&freetags);
	VMEM_ASSERT_LOCKED(vm);
	while (vm->vm_nfreetags > freelimit) {
		bt = LIST_FIRST(&vm->vm_freetags);
		LIST_REMOVE(bt, bt_freelist);
		vm->vm_nfreetags--;
		LIST_INSERT_HEAD(&freetags, bt, bt_freelist);
	}
	VMEM_UNLOCK(vm);
	while ((bt = LIST_FIRST(&freetags)) != NULL) {
		LIST_REMOVE(bt, bt_freelist);
		uma_zfree(vmem_bt_zone, bt);
	}
}

static inline void
bt_free(vmem_t *vm, bt_t *bt)
{

	VMEM_ASSERT_LOCKED(vm);
	MPASS(LIST_FIRST(&vm->vm_freetags) != bt);
	LIST_INSERT_HEAD(&vm->vm_freetags, bt, bt_freelist);
	vm->vm_nfreetags++;
}

/*
 * Set BT_MAXALLOC tags aside before the lock is dropped, so that another
 * thread's allocation cannot use them up meanwhile.
 */
static void
bt_save(vmem_t *vm)
{
	KASSERT(vm->vm_nfreetags >= BT_MAXALLOC,
	    ("%s: insufficient free tags %d", __func__, vm->vm_nfreetags));
	vm->vm_nfreetags -= BT_MAXALLOC;
}

static void
bt_restore(vmem_t *vm)
{
	vm->vm_nfreetags += BT_MAXALLOC;
}

/*
 * Free lists by size, in quanta:
 * freelist[0] ... [1, 1]
 * freelist[1] ... [2, 2]
 *  :
 * freelist[29] ... [30, 30]
 * freelist[30] ... [31, 31]
 * freelist[31] ... [32, 63]
 * freelist[33] ... [64, 127]
 *  :
 * freelist[n] ... [(1 << (n - 26)), (1 << (n - 25)) - 1]
 *  :
 */

static struct vmem_freelist *
bt_freehead_tofree(vmem_t *vm, vmem_size_t size)
{
	const vmem_size_t qsize = size >> vm->vm_quantum_shift;
	const int idx = SIZE2ORDER(qsize);

	MPASS(size != 0 && qsize != 0);
	MPASS((size & vm->vm_quantum_mask) == 0);
	MPASS(idx >= 0);
	MPASS(idx < VMEM_MAXORDER);

	return &vm->vm_freelist[idx];
}

/*
 * bt_freehead_toalloc: the free list where the search for size starts.
 *
 * With M_FIRSTFIT that is the first list whose every block is big enough;
 * otherwise it is the list that may hold blocks of exactly that size.
 */
static struct vmem_freelist *
bt_freehead_toalloc(vmem_t *vm, vmem_size_t size, int strat)
{
	const vmem_size_t qsize = size >> vm->vm_quantum_shift;
	int idx = SIZE2ORDER(qsize);

	MPASS(size != 0 && qsize != 0);
	MPASS((size & vm->vm_quantum_mask) == 0);

	if (strat == M_FIRSTFIT && ORDER2SIZE(idx) != qsize) {
		idx++;
		/* check too large request? */
		/*
		 * PORT: yes: past the last list nothing is big enough; hand
		 * back the end, so the first-fit scan finds nothing.
		 */
		if (idx == VMEM_MAXORDER)
			return &vm->vm_freelist[idx];
	}
	MPASS(idx >= 0);
	MPASS(idx < VMEM_MAXORDER);

	return &vm->vm_freelist[idx];
}

/* ---- boundary tag hash */

static struct vmem_hashlist *
bt_hashhead(vmem_t *vm, vmem_addr_t addr)
{
	struct vmem_hashlist *list;
	unsigned int hash;

	/*
	 * PORT: hash32_buf() (times 33 per byte) maps a million page-aligned
	 * addresses to a seventh as many values, so chains stay long however
	 * big the table; mix all 64 bits instead.
	 */
	hash = (unsigned int)hash64_mix(addr);
	/*
	 * PORT: the table size is a power of two (vmem_rehash() asserts it):
	 * mask rather than divide, which would put a 64-bit division on the
	 * path of every free.
	 */
	list = &vm->vm_hashlist[hash & (vm->vm_hashsize - 1)];

	return list;
}

static bt_t *
bt_lookupbusy(vmem_t *vm, vmem_addr_t addr)
{
	struct vmem_hashlist *list;
	bt_t *bt;

	VMEM_ASSERT_LOCKED(vm);
	list = bt_hashhead(vm, addr); 
	LIST_FOREACH(bt, list, bt_hashlist) {
		if (bt->bt_start == addr) {
			break;
		}
	}

	return bt;
}

static void
bt_rembusy(vmem_t *vm, bt_t *bt)
{

	VMEM_ASSERT_LOCKED(vm);
	MPASS(vm->vm_nbusytag > 0);
	vm->vm_inuse -= bt->bt_size;
	vm->vm_nbusytag--;
	LIST_REMOVE(bt, bt_hashlist);
}

static void
bt_insbusy(vmem_t *vm, bt_t *bt)
{
	struct vmem_hashlist *list;

	VMEM_ASSERT_LOCKED(vm);
	MPASS(bt->bt_type == BT_TYPE_BUSY);

	list = bt_hashhead(vm, bt->bt_start);
	LIST_INSERT_HEAD(list, bt, bt_hashlist);
	vm->vm_nbusytag++;
	vm->vm_inuse += bt->bt_size;
}

/* ---- boundary tag list */

static void
bt_remseg(vmem_t *vm, bt_t *bt)
{

	MPASS(bt->bt_type != BT_TYPE_CURSOR);
	TAILQ_REMOVE(&vm->vm_seglist, bt, bt_seglist);
	bt_free(vm, bt);
}

static void
bt_insseg(vmem_t *vm, bt_t *bt, bt_t *prev)
{

	TAILQ_INSERT_AFTER(&vm->vm_seglist, prev, bt, bt_seglist);
}

static void
bt_insseg_tail(vmem_t *vm, bt_t *bt)
{

	TAILQ_INSERT_TAIL(&vm->vm_seglist, bt, bt_seglist);
}

/*
 * PORT: ours.  The first non-empty free list at or after list, or the end
 * of the array: searches skip empty lists by the bitmap vm_freemap (as
 * illumos's vm_freemap), not by loading every list head.
 */
static struct vmem_freelist *
vmem_freelist_next(vmem_t *vm, struct vmem_freelist *list)
{
	size_t idx, word;
	uint64_t bits;

	idx = list - vm->vm_freelist;
	for (word = idx / 64; word < nitems(vm->vm_freemap); word++) {
		bits = vm->vm_freemap[word];
		if (word == idx / 64)
			bits &= ~(uint64_t)0 << (idx % 64);
		if (bits != 0)
			return &vm->vm_freelist[word * 64 +
			    __builtin_ctzll(bits)];
	}
	return &vm->vm_freelist[VMEM_MAXORDER];
}

static void
bt_remfree(vmem_t *vm __unused, bt_t *bt)
{
	struct vmem_freelist *list;	/* PORT: see below. */

	MPASS(bt->bt_type == BT_TYPE_FREE);

	list = (struct vmem_freelist *)bt->bt_freelist.le_prev; /* PORT: below */
	LIST_REMOVE(bt, bt_freelist);
	/*
	 * PORT: when bt was alone on its list, the list is now empty: its
	 * le_prev pointed at the head, which tells which list it was.
	 */
	if ((uintptr_t)list >= (uintptr_t)&vm->vm_freelist[0] &&
	    (uintptr_t)list < (uintptr_t)&vm->vm_freelist[VMEM_MAXORDER] &&
	    LIST_EMPTY(list))
		vm->vm_freemap[(list - vm->vm_freelist) / 64] &=
		    ~((uint64_t)1 << ((list - vm->vm_freelist) % 64));
}

static void
bt_insfree(vmem_t *vm, bt_t *bt)
{
	struct vmem_freelist *list;

	list = bt_freehead_tofree(vm, bt->bt_size);
	LIST_INSERT_HEAD(list, bt, bt_freelist);
	/* PORT: see vmem_freelist_next(). */
	vm->vm_freemap[(list - vm->vm_freelist) / 64] |=
	    (uint64_t)1 << ((list - vm->vm_freelist) % 64);
}

/* ---- vmem internal functions */

/*
 * Fill a quantum-cache zone from its arena.
 *
 * Addresses start at VMEM_ADDR_QCACHE_MIN, not 0: the zone reports failure
 * with a NULL item, so it cannot hold resource 0.
 */
static int
qc_import(void *arg, void **store, int cnt, int domain, int flags)
{
	qcache_t *qc;
	vmem_addr_t addr;
	int i;

	KASSERT((flags & M_WAITOK) == 0, ("blocking allocation"));

	/* PORT: C++ needs the cast from void *. */
	qc = static_cast<qcache_t *>(arg);
	for (i = 0; i < cnt; i++) {
		if (vmem_xalloc(qc->qc_vmem, qc->qc_size, 0, 0, 0,
		    VMEM_ADDR_QCACHE_MIN, VMEM_ADDR_MAX, flags, &addr) != 0)
			break;
		store[i] = (void *)addr;
	}
	return (i);
}

/*
 * Give cached addresses back to the arena.
 */
static void
qc_release(void *arg, void **store, int cnt)
{
	qcache_t *qc;
	int i;

	/* PORT: C++ needs the cast from void *. */
	qc = static_cast<qcache_t *>(arg);
	for (i = 0; i < cnt; i++)
		vmem_xfree(qc->qc_vmem, (vmem_addr_t)store[i], qc->qc_size);
}

static void
qc_init(vmem_t *vm, vmem_size_t qcache_max)
{
	qcache_t *qc;
	vmem_size_t size;
	int qcache_idx_max;
	int i;

	/* PORT: the caller's value: a panic naming the arena, even with NDEBUG. */
	KASSERT((qcache_max & vm->vm_quantum_mask) == 0, ("arena %s: "
	    "qcache_max %#zx is not a multiple of the quantum %#zx",
	    vm->vm_name, qcache_max, vm->vm_quantum_mask + 1));
	qcache_idx_max = MIN(qcache_max >> vm->vm_quantum_shift,
	    VMEM_QCACHE_IDX_MAX);
	vm->vm_qcache_max = qcache_idx_max << vm->vm_quantum_shift;
	for (i = 0; i < qcache_idx_max; i++) {
		qc = &vm->vm_qcache[i];
		size = (i + 1) << vm->vm_quantum_shift;
		snprintf(qc->qc_name, sizeof(qc->qc_name), "%s-%zu",
		    vm->vm_name, size);
		qc->qc_vmem = vm;
		qc->qc_size = size;
		qc->qc_cache = uma_zcache_create(qc->qc_name, size,
		    NULL, NULL, NULL, NULL, qc_import, qc_release, qc, 0);
		MPASS(qc->qc_cache);
	}
}

static void
qc_destroy(vmem_t *vm)
{
	int qcache_idx_max;
	int i;

	qcache_idx_max = vm->vm_qcache_max >> vm->vm_quantum_shift;
	for (i = 0; i < qcache_idx_max; i++)
		uma_zdestroy(vm->vm_qcache[i].qc_cache);
}

static void
qc_drain(vmem_t *vm)
{
	int qcache_idx_max;
	int i;

	qcache_idx_max = vm->vm_qcache_max >> vm->vm_quantum_shift;
	for (i = 0; i < qcache_idx_max; i++)
		uma_zone_reclaim(vm->vm_qcache[i].qc_cache, UMA_RECLAIM_DRAIN);
}

#ifndef UMA_MD_SMALL_ALLOC

static struct mtx_padalign __exclusive_cache_line vmem_bt_lock;

/*
 * vmem_bt_alloc: back a new slab of boundary tags with kernel memory.
 *
 * Compiled only where the zone allocator has no direct map: there, new tags
 * need kernel address space, which needs tags.  The zone keeps a reserve
 * large enough to map one more slab, and only this function dips into it
 * (M_USE_RESERVE), so the slab it maps refills the reserve.
 *
 * vmem_bt_lock serialises the fill so the address space and its pages are
 * added together.  Sleeping requests are made non-sleeping here and retried
 * by the zone, which first checks whether another thread won the race; a
 * brief pause covers the window before the zone takes the new slab.
 */
static void *
vmem_bt_alloc(uma_zone_t zone, vm_size_t bytes, int domain, uint8_t *pflag,
    int wait)
{
	vmem_addr_t addr;

	*pflag = UMA_SLAB_KERNEL;

	/*
	 * One thread at a time, so that address space and memory are added
	 * together.
	 */
	mtx_lock(&vmem_bt_lock);
	if (vmem_xalloc(vm_dom[domain].vmd_kernel_arena, bytes, 0, 0, 0,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX,
	    M_NOWAIT | M_NOVM | M_USE_RESERVE | M_BESTFIT, &addr) == 0) {
		if (kmem_back_domain(domain, kernel_object, addr, bytes,
		    M_NOWAIT | M_USE_RESERVE) == 0) {
			mtx_unlock(&vmem_bt_lock);
			return ((void *)addr);
		}
		vmem_xfree(vm_dom[domain].vmd_kernel_arena, addr, bytes);
		mtx_unlock(&vmem_bt_lock);
		/*
		 * Pages ran out, not address space (unlikely with the
		 * reserve).
		 */
		if (wait & M_WAITOK)
			vm_wait_domain(domain);
		return (NULL);
	}
	mtx_unlock(&vmem_bt_lock);
	/*
	 * Out of address space, or another thread filled the zone first.
	 */
	if (wait & M_WAITOK)
		pause("btalloc", 1);

	return (NULL);
}
#endif

void
vmem_startup(void)
{
	/*
	 * PORT: idempotent and thread-safe: mi_startup() runs it on the first
	 * vmem_create()/vmem_init(), and a program may also call it.
	 */
	static absl::once_flag vmem_startup_once;
	absl::call_once(vmem_startup_once, [] {

	mtx_init(&vmem_list_lock, "vmem list lock", NULL, MTX_DEF);
	vmem_zone = uma_zcreate("vmem",
	    sizeof(struct vmem), NULL, NULL, NULL, NULL,
	    UMA_ALIGN_PTR, 0);
	vmem_bt_zone = uma_zcreate("vmem btag",
	    sizeof(struct vmem_btag), NULL, NULL, NULL, NULL,
	    UMA_ALIGN_PTR, UMA_ZONE_VM);
#ifndef UMA_MD_SMALL_ALLOC
	mtx_init(&vmem_bt_lock, "btag lock", NULL, MTX_DEF);
	uma_prealloc(vmem_bt_zone, BT_MAXALLOC);
	/*
	 * Keep enough tags in reserve to map new tags, for several CPUs at
	 * once so the zone restarts less often.  vmem_bt_alloc() may have to
	 * import into a per-domain arena from the kernel arena first, which
	 * takes up to 2 * BT_MAXALLOC tags.
	 */
	uma_zone_reserve(vmem_bt_zone, 2 * BT_MAXALLOC * mp_ncpus);
	uma_zone_set_allocf(vmem_bt_zone, vmem_bt_alloc);
#endif
	});	/* PORT: end of the once block. */
}
/* PORT: the kernel calls this from vm_mem_init(); we boot it on first use. */
SYSINIT(vmem_startup, SI_SUB_VM, SI_ORDER_FIRST, vmem_startup, NULL);

/* ---- rehash */

static int
vmem_rehash(vmem_t *vm, vmem_size_t newhashsize)
{
	bt_t *bt;
	struct vmem_hashlist *newhashlist;
	struct vmem_hashlist *oldhashlist;
	vmem_size_t i, oldhashsize;

	MPASS(newhashsize > 0);
	MPASS(powerof2(newhashsize));	/* PORT: see bt_hashhead(). */

	/* PORT: C++ needs the cast from void *. */
	newhashlist = static_cast<struct vmem_hashlist *>(
	    malloc(sizeof(struct vmem_hashlist) * newhashsize,
	    M_VMEM, M_NOWAIT));
	if (newhashlist == NULL)
		return ENOMEM;
	for (i = 0; i < newhashsize; i++) {
		LIST_INIT(&newhashlist[i]);
	}

	VMEM_LOCK(vm);
	/*
	 * PORT: callers size the table before taking the lock; skip a resize
	 * that another thread made moot (same size, or a shrink below what
	 * the busy tags now need).
	 */
	if (newhashsize == vm->vm_hashsize ||
	    (newhashsize < vm->vm_hashsize &&
	    (vmem_size_t)vm->vm_nbusytag > newhashsize)) {
		VMEM_UNLOCK(vm);
		free(newhashlist, M_VMEM);
		return 0;
	}
	oldhashlist = vm->vm_hashlist;
	oldhashsize = vm->vm_hashsize;
	vm->vm_hashlist = newhashlist;
	vm->vm_hashsize = newhashsize;
	if (oldhashlist == NULL) {
		VMEM_UNLOCK(vm);
		return 0;
	}
	for (i = 0; i < oldhashsize; i++) {
		while ((bt = LIST_FIRST(&oldhashlist[i])) != NULL) {
			bt_rembusy(vm, bt);
			bt_insbusy(vm, bt);
		}
	}
	VMEM_UNLOCK(vm);

	if (oldhashlist != vm->vm_hash0)
		free(oldhashlist, M_VMEM);

	return 0;
}

/*
 * PORT: ours.  Upstream resizes the busy-tag hash only from the periodic
 * task, every ten seconds; a program can add a million tags in less, and
 * every free then walks long chains.  The allocation and free paths call
 * this with the lock held and, if it returns a size, rehash once they have
 * dropped the lock: grow when chains average more than one tag (as the
 * periodic task does; at two, a big arena's frees miss the cache once more
 * per chain), shrink when they average under one in sixteen.  Each rehash
 * at least doubles or halves the table, so its cost is amortised over the
 * tags that caused it.
 */
static inline vmem_size_t
vmem_hash_target(vmem_t *vm)
{
	vmem_size_t busy, desired;

	VMEM_ASSERT_LOCKED(vm);
	busy = vm->vm_nbusytag;
	if (busy <= vm->vm_hashsize &&
	    (vm->vm_hashsize == VMEM_HASHSIZE_MIN ||
	    busy * 16 >= vm->vm_hashsize))
		return (0);
	desired = (vmem_size_t)1 << flsl(busy);
	desired = MIN(MAX(desired, VMEM_HASHSIZE_MIN), VMEM_HASHSIZE_MAX);
	return (desired == vm->vm_hashsize ? 0 : desired);
}

static void
vmem_periodic_kick(void *dummy)
{

	taskqueue_enqueue(taskqueue_thread, &vmem_periodic_wk);
}

static void
vmem_periodic(void *unused, int pending)
{
	vmem_t *vm;
	vmem_size_t desired;
	vmem_size_t current;

	mtx_lock(&vmem_list_lock);
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
#ifdef DIAGNOSTIC
		/* While we are here, check the arena's invariants. */
		if (enable_vmem_check == 1) {
			VMEM_LOCK(vm);
			vmem_check(vm);
			VMEM_UNLOCK(vm);
		}
#endif
		VMEM_LOCK(vm);	/* PORT: read the counts under the lock. */
		desired = 1 << flsl(vm->vm_nbusytag);
		desired = MIN(MAX(desired, VMEM_HASHSIZE_MIN),
		    VMEM_HASHSIZE_MAX);
		current = vm->vm_hashsize;
		VMEM_UNLOCK(vm);	/* PORT: vmem_rehash() locks. */

		/* Double to grow; shrink only when four times too big. */
		if (desired >= current * 2 || desired * 4 <= current)
			vmem_rehash(vm, desired);

		/*
		 * Wake sleepers now and then, so that they try the reclaim
		 * callback again.
		 */
		VMEM_CONDVAR_BROADCAST(vm);
	}
	mtx_unlock(&vmem_list_lock);

	/* PORT: the period may be changed at run time (sysctl). */
	callout_reset(&vmem_periodic_ch,
	    __atomic_load_n(&vmem_periodic_interval, __ATOMIC_RELAXED) > 0 ?
	    __atomic_load_n(&vmem_periodic_interval, __ATOMIC_RELAXED) : hz * 10,
	    vmem_periodic_kick, NULL);
}

static void
vmem_start_callout(void *unused)
{

	TASK_INIT(&vmem_periodic_wk, 0, vmem_periodic, NULL);
	/* PORT: keep a period the program set before start-up. */
	if (vmem_periodic_interval <= 0)
		vmem_periodic_interval = hz * 10;
	callout_init(&vmem_periodic_ch, 1);
	callout_reset(&vmem_periodic_ch, vmem_periodic_interval,
	    vmem_periodic_kick, NULL);
}
SYSINIT(vfs, SI_SUB_CONFIGURE, SI_ORDER_ANY, vmem_start_callout, NULL);

static void
vmem_add1(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, int type)
{
	bt_t *btfree, *btprev, *btspan;

	VMEM_ASSERT_LOCKED(vm);
	MPASS(type == BT_TYPE_SPAN || type == BT_TYPE_SPAN_STATIC);
	MPASS((size & vm->vm_quantum_mask) == 0);

	if (vm->vm_releasefn == NULL) {
		/*
		 * A span that is never released needs no span tag of its
		 * own when it directly follows the last segment: it can
		 * extend that segment, and coalesce with free space now or
		 * later.
		 */
		btprev = TAILQ_LAST(&vm->vm_seglist, vmem_seglist);
		/* PORT: look past a next-fit cursor at the tail. */
		if (btprev->bt_type == BT_TYPE_CURSOR &&
		    TAILQ_PREV(btprev, vmem_seglist, bt_seglist) != NULL)
			btprev = TAILQ_PREV(btprev, vmem_seglist, bt_seglist);
		if ((!bt_isbusy(btprev) && !bt_isfree(btprev)) ||
		    btprev->bt_start + btprev->bt_size != addr ||
		    BT_END(btprev) == VMEM_ADDR_MAX)	/* PORT: no wrap */
			btprev = NULL;
	} else {
		btprev = NULL;
	}

	if (btprev == NULL || bt_isbusy(btprev)) {
		if (btprev == NULL) {
			btspan = bt_alloc(vm);
			btspan->bt_type = type;
			btspan->bt_start = addr;
			btspan->bt_size = size;
			bt_insseg_tail(vm, btspan);
		}

		btfree = bt_alloc(vm);
		btfree->bt_type = BT_TYPE_FREE;
		btfree->bt_start = addr;
		btfree->bt_size = size;
		bt_insseg_tail(vm, btfree);
		bt_insfree(vm, btfree);
	} else {
		bt_remfree(vm, btprev);
		btprev->bt_size += size;
		bt_insfree(vm, btprev);
	}

	/*
	 * PORT: when the new span extends the last segment, grow that
	 * segment's span tag too, so that span tags keep covering their
	 * segments and adding up to vm_size (vmem_verify(), statistics).
	 */
	if (btprev != NULL) {
		for (btspan = btprev; !BT_ISSPAN_P(btspan);
		    btspan = TAILQ_PREV(btspan, vmem_seglist, bt_seglist))
			;
		btspan->bt_size += size;
	}

	vm->vm_size += size;
}

static void
vmem_destroy1(vmem_t *vm)
{
	bt_t *bt;
	int i;		/* PORT: see below. */

	/*
	 * PORT: an allocation still live in a quantum cache is an arena
	 * misuse; say so before uma_zdestroy() complains about its zone.
	 */
	for (i = 0; i < (int)(vm->vm_qcache_max >> vm->vm_quantum_shift);
	    i++) {
		struct uma_zone_stats zs;

		uma_zone_get_stats(vm->vm_qcache[i].qc_cache, &zs);
		KASSERT(zs.inuse <= 0, ("arena %s destroyed with %jd "
		    "allocation(s) of %zu byte(s) live in its quantum cache",
		    vm->vm_name, (intmax_t)zs.inuse,
		    vm->vm_qcache[i].qc_size));
	}

	/*
	 * Empty and destroy the quantum caches first.
	 */
	qc_destroy(vm);

	/*
	 * Only free segments may be left now.
	 */
	VMEM_LOCK(vm);
	/* PORT: the panic names the arena and what is still allocated. */
	KASSERT(vm->vm_nbusytag == 0,
	    ("arena %s destroyed with %d allocation(s) of %zu byte(s) live",
	    vm->vm_name, vm->vm_nbusytag, vm->vm_inuse));

	TAILQ_REMOVE(&vm->vm_seglist, &vm->vm_cursor, bt_seglist);
	while ((bt = TAILQ_FIRST(&vm->vm_seglist)) != NULL)
		bt_remseg(vm, bt);

	if (vm->vm_hashlist != NULL && vm->vm_hashlist != vm->vm_hash0)
		free(vm->vm_hashlist, M_VMEM);

	bt_freetrim(vm, 0);

	VMEM_CONDVAR_DESTROY(vm);
	VMEM_LOCK_DESTROY(vm);
	uma_zfree(vmem_zone, vm);
}

static int
vmem_import(vmem_t *vm, vmem_size_t size, vmem_size_t align, int flags)
{
	vmem_addr_t addr;
	vmem_size_t asked;	/* PORT: see below. */
	int error;

	/* PORT: or an ximport function (ours, vmem_set_ximport()). */
	if (vm->vm_importfn == NULL && vm->vm_ximportfn == NULL)
		return (EINVAL);

	/*
	 * Ask for twice the alignment on top of the size, so that some
	 * aligned block of the size surely fits in the span (a little more
	 * than needed).  PORT: an ximport function is handed the alignment
	 * instead.
	 */
	if (align != vm->vm_quantum_mask + 1 && vm->vm_ximportfn == NULL)
		size = (align * 2) + size;
	size = roundup(size, vm->vm_import_quantum);

	if (vm->vm_limit != 0 && vm->vm_limit < vm->vm_size + size)
		return (ENOMEM);
	asked = size;	/* PORT: see the checks below. */

	bt_save(vm);
	VMEM_UNLOCK(vm);
	/*
	 * PORT: an ximport function (illumos's vmem_ximport_t) may bring in
	 * a larger span than asked for; the arena keeps all of it and gives
	 * all of it back on release.
	 */
	if (vm->vm_ximportfn != NULL)
		error = (vm->vm_ximportfn)(vm->vm_arg, &size, align, flags,
		    &addr);
	else
	error = (vm->vm_importfn)(vm->vm_arg, size, flags, &addr);
	VMEM_LOCK(vm);
	bt_restore(vm);
	if (error)
		return (ENOMEM);
	/* PORT: check what an ximport function returned. */
	KASSERT((size & vm->vm_quantum_mask) == 0 && size >= asked,
	    ("arena %s: imported span %#jx of size %#zx is not a quantum "
	    "multiple of at least %#zx", vm->vm_name, (uintmax_t)addr, size,
	    asked));
	/* PORT: an imported span must start on the quantum and not wrap. */
	KASSERT((addr & vm->vm_quantum_mask) == 0 &&
	    addr + (size - 1) >= addr, ("arena %s: imported span at %#jx "
	    "of size %#zx is not aligned to the quantum %#zx or wraps",
	    vm->vm_name, (uintmax_t)addr, size, vm->vm_quantum_mask + 1));
	/* PORT: an enlarged span must still fit the limit. */
	if (vm->vm_limit != 0 && vm->vm_releasefn != NULL &&
	    vm->vm_limit < vm->vm_size + size) {
		bt_save(vm);
		VMEM_UNLOCK(vm);
		vm->vm_releasefn(vm->vm_arg, addr, size);
		VMEM_LOCK(vm);
		bt_restore(vm);
		return (ENOMEM);
	}

	vmem_add1(vm, addr, size, BT_TYPE_SPAN);
	/*
	 * PORT: count imports and mark the span with the importing thread
	 * (see vmem_release_unused()); with a release function, vmem_add1()
	 * has just put the span tag and its free segment at the tail.
	 */
	vm->vm_nimports++;
	if (vm->vm_releasefn != NULL)
		TAILQ_PREV(TAILQ_LAST(&vm->vm_seglist, vmem_seglist),
		    vmem_seglist, bt_seglist)->bt_importer = curthread;

	return 0;
}

/*
 * vmem_fit: find where in bt an allocation meeting the constraints would
 * start.
 *
 * The caller has checked that bt is at least size long.
 */
static int
vmem_fit(const bt_t *bt, vmem_size_t size, vmem_size_t align,
    vmem_size_t phase, vmem_size_t nocross, vmem_addr_t minaddr,
    vmem_addr_t maxaddr, vmem_addr_t *addrp)
{
	vmem_addr_t start;
	vmem_addr_t end;
	vmem_addr_t lo;		/* PORT: for the wrap checks below. */

	MPASS(size > 0);
	MPASS(bt->bt_size >= size); /* caller's responsibility */

	/*
	 * PORT: the common request (no phase, no boundary, the segment inside
	 * the window and aligned) fits at the segment's start: answer at once
	 * what the general computation below would.
	 */
	if (phase == 0 && nocross == 0 && (bt->bt_start & (align - 1)) == 0 &&
	    bt->bt_start >= minaddr && BT_END(bt) <= maxaddr) {
		*addrp = bt->bt_start;
		return (0);
	}

	/*
	 * XXX this relies on vmem_addr_t and vmem_size_t being unsigned
	 * integers of one width.
	 */

	start = bt->bt_start;
	if (start < minaddr) {
		start = minaddr;
	}
	end = BT_END(bt);
	if (end > maxaddr)
		end = maxaddr;
	if (start > end) 
		return (ENOMEM);

	/*
	 * PORT: rounding up can only move the start down by wrapping past
	 * VMEM_ADDR_MAX, and then nothing fits.  Upstream adds align instead,
	 * which lands near address 0, outside the segment.
	 */
	lo = start;
	start = VMEM_ALIGNUP(start - phase, align) + phase;
	if (start < lo)		/* PORT: see above. */
		return (ENOMEM);
	if (VMEM_CROSS_P(start, start + size - 1, nocross)) {
		MPASS(align < nocross);
		lo = start;	/* PORT: the same wrap check. */
		start = VMEM_ALIGNUP(start - phase, nocross) + phase;
		if (start < lo)	/* PORT: see above. */
			return (ENOMEM);
	}
	if (start <= end && end - start >= size - 1) {
		MPASS((start & (align - 1)) == phase);
		MPASS(!VMEM_CROSS_P(start, start + size - 1, nocross));
		MPASS(minaddr <= start);
		MPASS(maxaddr == 0 || start + size - 1 <= maxaddr);
		MPASS(bt->bt_start <= start);
		MPASS(BT_END(bt) - start >= size - 1);
		*addrp = start;

		return (0);
	}
	return (ENOMEM);
}

/*
 * vmem_clip: cut a free tag down to [start, start + size) and mark it busy;
 * what is left before and after stays free.
 */
static void
vmem_clip(vmem_t *vm, bt_t *bt, vmem_addr_t start, vmem_size_t size)
{
	bt_t *btnew;
	bt_t *btprev;

	VMEM_ASSERT_LOCKED(vm);
	MPASS(bt->bt_type == BT_TYPE_FREE);
	MPASS(bt->bt_size >= size);
	bt_remfree(vm, bt);
	if (bt->bt_start != start) {
		btprev = bt_alloc(vm);
		btprev->bt_type = BT_TYPE_FREE;
		btprev->bt_start = bt->bt_start;
		btprev->bt_size = start - bt->bt_start;
		bt->bt_start = start;
		bt->bt_size -= btprev->bt_size;
		bt_insfree(vm, btprev);
		bt_insseg(vm, btprev,
		    TAILQ_PREV(bt, vmem_seglist, bt_seglist));
	}
	MPASS(bt->bt_start == start);
	if (bt->bt_size != size && bt->bt_size - size > vm->vm_quantum_mask) {
		/* split */
		btnew = bt_alloc(vm);
		btnew->bt_type = BT_TYPE_BUSY;
		btnew->bt_start = bt->bt_start;
		btnew->bt_size = size;
		bt->bt_start = bt->bt_start + size;
		bt->bt_size -= size;
		bt_insfree(vm, bt);
		bt_insseg(vm, btnew,
		    TAILQ_PREV(bt, vmem_seglist, bt_seglist));
		bt_insbusy(vm, btnew);
		bt = btnew;
	} else {
		bt->bt_type = BT_TYPE_BUSY;
		bt_insbusy(vm, bt);
	}
	MPASS(bt->bt_size >= size);
}

static int
vmem_try_fetch(vmem_t *vm, const vmem_size_t size, vmem_size_t align, int flags)
{
	vmem_size_t avail;

	VMEM_ASSERT_LOCKED(vm);

	/*
	 * XXX an imported span may still not meet the xalloc constraints;
	 * the import quantum must be chosen so that it always can.
	 */
	if (vmem_import(vm, size, align, flags) == 0)
		return (1);

	/*
	 * Next, empty the quantum caches and run the reclaim callback, if
	 * there are any.
	 */
	if (vm->vm_qcache_max != 0 || vm->vm_reclaimfn != NULL) {
		avail = vm->vm_size - vm->vm_inuse;
		bt_save(vm);
		VMEM_UNLOCK(vm);
		if (vm->vm_qcache_max != 0)
			qc_drain(vm);
		if (vm->vm_reclaimfn != NULL)
			vm->vm_reclaimfn(vm, flags);
		VMEM_LOCK(vm);
		bt_restore(vm);
		/* Space came back: try again, even for M_NOWAIT. */
		if (vm->vm_size - vm->vm_inuse > avail)
			return (1);
	}
	if ((flags & M_NOWAIT) != 0)
		return (0);
	bt_save(vm);
	VMEM_CONDVAR_WAIT(vm);
	bt_restore(vm);
	return (1);
}

static int
vmem_try_release(vmem_t *vm, struct vmem_btag *bt, const bool remfree)
{
	struct vmem_btag *prev;

	MPASS(bt->bt_type == BT_TYPE_FREE);

	if (vm->vm_releasefn == NULL)
		return (0);

	prev = TAILQ_PREV(bt, vmem_seglist, bt_seglist);
	MPASS(prev != NULL);
	MPASS(prev->bt_type != BT_TYPE_FREE);

	if (prev->bt_type == BT_TYPE_SPAN && prev->bt_size == bt->bt_size) {
		vmem_addr_t spanaddr;
		vmem_size_t spansize;

		MPASS(prev->bt_start == bt->bt_start);
		spanaddr = prev->bt_start;
		spansize = prev->bt_size;
		if (remfree)
			bt_remfree(vm, bt);
		bt_remseg(vm, bt);
		bt_remseg(vm, prev);
		vm->vm_size -= spansize;
		VMEM_CONDVAR_BROADCAST(vm);
		bt_freetrim(vm, BT_MAXFREE);
		vm->vm_releasefn(vm->vm_arg, spanaddr, spansize);
		return (1);
	}
	return (0);
}

/*
 * PORT: ours.  An import need not meet xalloc's constraints (upstream's
 * "XXX" in vmem_try_fetch()), so a request may import spans it then does
 * not use, failed or not; upstream keeps them, and a failed M_NOWAIT
 * request changes the arena.  Give back every wholly free span the calling
 * thread imported among the last nimports imports (imports go to the tail
 * of the segment list); another thread's may be about to be used.  Called
 * and returns locked.
 */
static void
vmem_release_unused(vmem_t *vm, u_int nimports)
{
	bt_t *bt, *next;
	u_int left;

	VMEM_ASSERT_LOCKED(vm);
restart:
	left = nimports;
	for (bt = TAILQ_LAST(&vm->vm_seglist, vmem_seglist);
	    bt != NULL && left > 0; bt = TAILQ_PREV(bt, vmem_seglist, bt_seglist)) {
		if (bt->bt_type != BT_TYPE_SPAN)
			continue;
		left--;
		next = TAILQ_NEXT(bt, bt_seglist);
		if (bt->bt_importer == curthread && next != NULL &&
		    next->bt_type == BT_TYPE_FREE &&
		    next->bt_start == bt->bt_start &&
		    next->bt_size == bt->bt_size &&
		    vmem_try_release(vm, next, true)) {
			VMEM_LOCK(vm);	/* a release returns unlocked */
			nimports--;
			goto restart;
		}
	}
}

/*
 * PORT: ours.  The end of an allocation: give back the spans it imported
 * but did not use (nimports: vm_nimports when it started), drop the lock,
 * and resize the busy-tag hash if the tags have outgrown it.
 */
static void
vmem_xalloc_unlock(vmem_t *vm, u_int nimports)
{
	vmem_size_t newhashsize;

	if (vm->vm_nimports != nimports && vm->vm_releasefn != NULL)
		vmem_release_unused(vm, vm->vm_nimports - nimports);
	newhashsize = vmem_hash_target(vm);
	VMEM_UNLOCK(vm);
	if (newhashsize != 0)
		vmem_rehash(vm, newhashsize);
}

static int
vmem_xalloc_nextfit(vmem_t *vm, const vmem_size_t size, vmem_size_t align,
    const vmem_size_t phase, const vmem_size_t nocross, int flags,
    vmem_addr_t *addrp)
{
	struct vmem_btag *bt, *cursor, *next, *prev;
	u_int nimports;			/* PORT: see out: below. */
	int error;

	error = ENOMEM;
	VMEM_LOCK(vm);
	nimports = vm->vm_nimports;	/* PORT: see out: below. */

retry:
	/*
	 * Stock up on tags for the whole operation.  PORT: on every pass, as
	 * an import takes two of them (upstream fills once, and a second
	 * import then trips bt_save()'s assertion).
	 */
	if (bt_fill(vm, flags) != 0)
		goto out;

	/*
	 * PORT: vmem_xfree() merges free space across the cursor and steps
	 * the cursor past it; the address where next fit left off is kept in
	 * vm_cursor_addr.  Resume there if the segment before the cursor has
	 * room past it.
	 */
	cursor = &vm->vm_cursor;
	bt = BT_PREV(vm, cursor);	/* PORT: see BT_PREV(). */
	if (bt != NULL && bt->bt_type == BT_TYPE_FREE && bt->bt_size >= size &&
	    BT_END(bt) >= vm->vm_cursor_addr &&
	    (error = vmem_fit(bt, size, align, phase, nocross,
	    vm->vm_cursor_addr, VMEM_ADDR_MAX, addrp)) == 0) {
		vmem_clip(vm, bt, *addrp, size);
		goto advance;
	}

	/*
	 * Walk on from the cursor to the first free segment that meets the
	 * constraints, and allocate from it.
	 */
	for (cursor = &vm->vm_cursor, bt = TAILQ_NEXT(cursor, bt_seglist);
	    bt != cursor; bt = TAILQ_NEXT(bt, bt_seglist)) {
		/*
		 * PORT: stop when the wrap lands on the cursor itself (it is
		 * first in the list); upstream then walks the list forever.
		 */
		if (bt == NULL &&
		    (bt = TAILQ_FIRST(&vm->vm_seglist)) == cursor)
			break;
		if (bt->bt_type == BT_TYPE_FREE && bt->bt_size >= size &&
		    (error = vmem_fit(bt, size, align, phase, nocross,
		    VMEM_ADDR_MIN, VMEM_ADDR_MAX, addrp)) == 0) {
			vmem_clip(vm, bt, *addrp, size);
			break;
		}
	}

	/*
	 * The cursor may sit between two free segments that could not merge
	 * while it was there.  Merge them now; if nothing was allocated yet,
	 * the merged segment may be big enough.
	 */
	if ((next = TAILQ_NEXT(cursor, bt_seglist)) != NULL &&
	    (prev = BT_PREV(vm, cursor)) != NULL &&	/* PORT: BT_PREV() */
	    next->bt_type == BT_TYPE_FREE && prev->bt_type == BT_TYPE_FREE &&
	    prev->bt_start + prev->bt_size == next->bt_start) {
		/* PORT: prev grows: refile it (upstream leaves it filed small). */
		bt_remfree(vm, prev);
		prev->bt_size += next->bt_size;
		bt_remfree(vm, next);
		bt_remseg(vm, next);
		bt_insfree(vm, prev);	/* PORT: see above. */

		/*
		 * Allocate from the merged segment if it fits; otherwise it
		 * may now be a whole span to release.
		 */
		if (error == ENOMEM && prev->bt_size >= size &&
		    (error = vmem_fit(prev, size, align, phase, nocross,
		    VMEM_ADDR_MIN, VMEM_ADDR_MAX, addrp)) == 0) {
			vmem_clip(vm, prev, *addrp, size);
			bt = prev;
		} else if (vmem_try_release(vm, prev, true)) {
			/*
			 * PORT: a release returns unlocked, and bt may be gone
			 * meanwhile: walk to the cursor's place from our tag.
			 */
			VMEM_LOCK(vm);
			if (error == 0)
				bt = bt_lookupbusy(vm, *addrp);
		}
	}

	/*
	 * On success, move the cursor past the new allocation.
	 */
advance:	/* PORT: see above. */
	if (error == 0) {
		vm->vm_cursor_addr = *addrp + size;	/* PORT: see above. */
		TAILQ_REMOVE(&vm->vm_seglist, cursor, bt_seglist);
		/* PORT: an allocation ending at VMEM_ADDR_MAX wraps to the head. */
		if (*addrp + size == 0)
			bt = NULL;
		for (; bt != NULL && bt->bt_start < *addrp + size;
		    bt = TAILQ_NEXT(bt, bt_seglist))
			;
		if (bt != NULL)
			TAILQ_INSERT_BEFORE(bt, cursor, bt_seglist);
		else
			TAILQ_INSERT_HEAD(&vm->vm_seglist, cursor, bt_seglist);
	}

	/*
	 * Otherwise try to import more space, or sleep for some to be freed
	 * unless M_NOWAIT.
	 */
	if (error == ENOMEM && vmem_try_fetch(vm, size, align, flags))
		goto retry;

out:
	/* PORT: unused imports back, hash resized (vmem_xalloc_unlock()). */
	vmem_xalloc_unlock(vm, nimports);
	return (error);
}

/*
 * PORT: ours.  vmem_fit() for M_ENDALLOC: the highest start in bt that
 * meets the constraints.
 */
static int
vmem_fit_end(const bt_t *bt, vmem_size_t size, vmem_size_t align,
    vmem_size_t phase, vmem_size_t nocross, vmem_addr_t minaddr,
    vmem_addr_t maxaddr, vmem_addr_t *addrp)
{
	vmem_addr_t start, end, lo, boundary;

	MPASS(bt->bt_size >= size);
	lo = MAX(bt->bt_start, minaddr);
	end = MIN(BT_END(bt), maxaddr);
	if (lo > end || end - lo < size - 1)
		return (ENOMEM);
	start = end - (size - 1);
	start = ((start - phase) & -align) + phase;
	if (start > end - (size - 1))	/* phase pushed it up: go down */
		start -= align;
	if (VMEM_CROSS_P(start, start + size - 1, nocross)) {
		boundary = (start + size - 1) & -nocross;
		start = (((boundary - size) - phase) & -align) + phase;
	}
	if (start < lo || start > end - (size - 1) ||
	    VMEM_CROSS_P(start, start + size - 1, nocross))
		return (ENOMEM);
	*addrp = start;
	return (0);
}

/*
 * PORT: ours.  M_ENDALLOC allocations (illumos's VM_ENDALLOC): walk the
 * segments from the top down and take the highest fit.
 */
static int
vmem_xalloc_endfit(vmem_t *vm, const vmem_size_t size, vmem_size_t align,
    const vmem_size_t phase, const vmem_size_t nocross,
    const vmem_addr_t minaddr, const vmem_addr_t maxaddr, int flags,
    vmem_addr_t *addrp)
{
	bt_t *bt, *best;
	vmem_addr_t addr, bestaddr;
	u_int nimports;
	int error;

	VMEM_LOCK(vm);
	nimports = vm->vm_nimports;
	error = bt_fill(vm, flags);
	if (error != 0)
		goto out;
	for (;;) {
		if ((error = bt_fill(vm, flags)) != 0)
			break;
		best = NULL;
		bestaddr = 0;
		TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
			if (bt->bt_type != BT_TYPE_FREE || bt->bt_size < size)
				continue;
			if (vmem_fit_end(bt, size, align, phase, nocross,
			    minaddr, maxaddr, &addr) == 0 &&
			    (best == NULL || addr > bestaddr)) {
				best = bt;
				bestaddr = addr;
			}
		}
		if (best != NULL) {
			vmem_clip(vm, best, bestaddr, size);
			*addrp = bestaddr;
			error = 0;
			break;
		}
		if (!vmem_try_fetch(vm, size, align, flags)) {
			error = ENOMEM;
			break;
		}
	}
out:
	vmem_xalloc_unlock(vm, nimports);
	if (error != 0 && (flags & M_NOWAIT) == 0)
		panic("failed to allocate waiting allocation\n");
	return (error);
}

/* ---- vmem API */

void
vmem_set_import(vmem_t *vm, vmem_import_t *importfn,
     vmem_release_t *releasefn, void *arg, vmem_size_t import_quantum)
{

	VMEM_LOCK(vm);
	/* PORT: the panic names the arena and its size. */
	KASSERT(vm->vm_size == 0, ("arena %s is non-empty (size %#zx)",
	    vm->vm_name, vm->vm_size));
	vm->vm_importfn = importfn;
	vm->vm_ximportfn = NULL;	/* PORT: see vmem_set_ximport(). */
	vm->vm_releasefn = releasefn;
	vm->vm_arg = arg;
	vm->vm_import_quantum = import_quantum;
	VMEM_UNLOCK(vm);
}

/*
 * PORT: ours.  Like vmem_set_import(), with an import function that is
 * given the alignment and may bring in a larger span (illumos's ximport).
 */
void
vmem_set_ximport(vmem_t *vm, vmem_ximport_fn_t *ximportfn,
    vmem_release_t *releasefn, void *arg, vmem_size_t import_quantum)
{

	vmem_set_import(vm, NULL, releasefn, arg, import_quantum);
	VMEM_LOCK(vm);
	vm->vm_ximportfn = ximportfn;
	VMEM_UNLOCK(vm);
}

void
vmem_set_limit(vmem_t *vm, vmem_size_t limit)
{

	VMEM_LOCK(vm);
	vm->vm_limit = limit;
	/* PORT: a raised limit may let sleepers import now. */
	VMEM_CONDVAR_BROADCAST(vm);
	VMEM_UNLOCK(vm);
}

void
vmem_set_reclaim(vmem_t *vm, vmem_reclaim_t *reclaimfn)
{

	VMEM_LOCK(vm);
	vm->vm_reclaimfn = reclaimfn;
	VMEM_UNLOCK(vm);
}

/*
 * vmem_init: set up an arena in storage the caller provides.
 */
vmem_t *
vmem_init(vmem_t *vm, const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_size_t qcache_max, int flags)
{
	vmem_size_t i;

	/* PORT: boot the emulated kernel; libuvmem callers pass quantum 0. */
	mi_startup();
	if (quantum == 0)
		quantum = 1;
	/* PORT: the panic names the arena and the quantum. */
	KASSERT(quantum > 0 && (quantum & (quantum - 1)) == 0,
	    ("arena %s: quantum %#zx is not a power of two", name, quantum));

	bzero(vm, sizeof(*vm));

	VMEM_CONDVAR_INIT(vm, name);
	VMEM_LOCK_INIT(vm, name);
	vm->vm_nfreetags = 0;
	LIST_INIT(&vm->vm_freetags);
	strlcpy(vm->vm_name, name, sizeof(vm->vm_name));
	vm->vm_quantum_mask = quantum - 1;
	vm->vm_quantum_shift = flsl(quantum) - 1;
	vm->vm_nbusytag = 0;
	vm->vm_size = 0;
	vm->vm_limit = 0;
	vm->vm_inuse = 0;
	qc_init(vm, qcache_max);

	TAILQ_INIT(&vm->vm_seglist);
	vm->vm_cursor.bt_start = vm->vm_cursor.bt_size = 0;
	vm->vm_cursor.bt_type = BT_TYPE_CURSOR;
	TAILQ_INSERT_TAIL(&vm->vm_seglist, &vm->vm_cursor, bt_seglist);

	for (i = 0; i < VMEM_MAXORDER; i++)
		LIST_INIT(&vm->vm_freelist[i]);
	/* PORT: see vmem_freelist_next(). */
	memset(vm->vm_freemap, 0, sizeof(vm->vm_freemap));

	memset(&vm->vm_hash0, 0, sizeof(vm->vm_hash0));
	vm->vm_hashsize = VMEM_HASHSIZE_MIN;
	vm->vm_hashlist = vm->vm_hash0;

	if (size != 0) {
		if (vmem_add(vm, base, size, flags) != 0) {
			vmem_destroy1(vm);
			return NULL;
		}
	}

	mtx_lock(&vmem_list_lock);
	LIST_INSERT_HEAD(&vmem_list, vm, vm_alllist);
	mtx_unlock(&vmem_list_lock);

	return vm;
}

/*
 * vmem_create: allocate and set up an arena.
 */
vmem_t *
vmem_create(const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_size_t qcache_max, int flags)
{

	vmem_t *vm;

	/* PORT: boot the emulated kernel (creates vmem_zone) on first use. */
	mi_startup();
	/* PORT: C++ needs the cast from void *. */
	vm = static_cast<vmem_t *>(uma_zalloc(vmem_zone,
	    flags & (M_WAITOK|M_NOWAIT)));
	if (vm == NULL)
		return (NULL);
	if (vmem_init(vm, name, base, size, quantum, qcache_max,
	    flags) == NULL)
		return (NULL);
	return (vm);
}

void
vmem_destroy(vmem_t *vm)
{

	mtx_lock(&vmem_list_lock);
	LIST_REMOVE(vm, vm_alllist);
	mtx_unlock(&vmem_list_lock);

	vmem_destroy1(vm);
}

vmem_size_t
vmem_roundup_size(vmem_t *vm, vmem_size_t size)
{

	return (size + vm->vm_quantum_mask) & ~vm->vm_quantum_mask;
}

/*
 * vmem_alloc: allocate from the arena, through the quantum cache when the
 * size is small enough.
 */
int
vmem_alloc(vmem_t *vm, vmem_size_t size, int flags, vmem_addr_t *addrp)
{
	const int strat __unused = flags & VMEM_FITMASK;
	qcache_t *qc;
	vmem_addr_t addr;	/* PORT: addrp may be NULL, as vmem(9) says. */

	if (addrp == NULL)
		addrp = &addr;	/* PORT: see above. */
	flags &= VMEM_FLAGS;
	/* PORT: the panics name the arena and the values. */
	KASSERT(size > 0, ("arena %s: size 0", vm->vm_name));
	KASSERT(strat == M_BESTFIT || strat == M_FIRSTFIT ||
	    strat == M_NEXTFIT, ("arena %s: flags %#x name no single fit "
	    "strategy (M_BESTFIT, M_FIRSTFIT or M_NEXTFIT)", vm->vm_name,
	    flags));
	if ((flags & M_NOWAIT) == 0)
		WITNESS_WARN(WARN_GIANTOK | WARN_SLEEPOK, NULL, "vmem_alloc");

	/*
	 * PORT: next fit bypasses the cache.  Upstream hands M_NEXTFIT on to
	 * qc_import(), whose window then trips vmem_xalloc()'s assertion, and
	 * a cache would defeat the rotation anyway.
	 */
	if (size <= vm->vm_qcache_max && strat != M_NEXTFIT) {
		/*
		 * The cache cannot hold resource 0, so ask it without
		 * sleeping; the vmem_xalloc() below may then still return 0.
		 */
		qc = &vm->vm_qcache[(size - 1) >> vm->vm_quantum_shift];
		*addrp = (vmem_addr_t)uma_zalloc(qc->qc_cache,
		    (flags & ~M_WAITOK) | M_NOWAIT);
		if (__predict_true(*addrp != 0))
			return (0);
	}

	return (vmem_xalloc(vm, size, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
	    flags, addrp));
}

int
vmem_xalloc(vmem_t *vm, const vmem_size_t size0, vmem_size_t align,
    const vmem_size_t phase, const vmem_size_t nocross,
    const vmem_addr_t minaddr, const vmem_addr_t maxaddr, int flags,
    vmem_addr_t *addrp)
{
	const vmem_size_t size = vmem_roundup_size(vm, size0);
	struct vmem_freelist *list;
	struct vmem_freelist *first;
	struct vmem_freelist *end;
	bt_t *bt;
	u_int nimports;			/* PORT: see out: below. */
	vmem_addr_t addr;	/* PORT: addrp may be NULL, as vmem(9) says. */
	int error;
	int strat;

	if (addrp == NULL)
		addrp = &addr;	/* PORT: see above. */
	flags &= VMEM_FLAGS;
	strat = flags & VMEM_FITMASK;
	/*
	 * PORT: misuse panics with a message naming the arena and the values
	 * (upstream's MPASS names only the expression).
	 */
	KASSERT(size0 > 0, ("arena %s: size 0", vm->vm_name));
	KASSERT(size >= size0, ("arena %s: size %#zx overflows when rounded "
	    "to the quantum %#zx", vm->vm_name, size0,
	    vm->vm_quantum_mask + 1));
	KASSERT(strat == M_BESTFIT || strat == M_FIRSTFIT ||
	    strat == M_NEXTFIT, ("arena %s: flags %#x name no single fit "
	    "strategy (M_BESTFIT, M_FIRSTFIT or M_NEXTFIT)", vm->vm_name,
	    flags));
	KASSERT((flags & (M_NOWAIT|M_WAITOK)) != (M_NOWAIT|M_WAITOK),
	    ("arena %s: M_NOWAIT and M_WAITOK together (flags %#x)",
	    vm->vm_name, flags));
	if ((flags & M_NOWAIT) == 0)
		WITNESS_WARN(WARN_GIANTOK | WARN_SLEEPOK, NULL, "vmem_xalloc");
	/* PORT: as above, the panics name the arena and the values. */
	KASSERT((align & vm->vm_quantum_mask) == 0 &&
	    (align & (align - 1)) == 0, ("arena %s: align %#zx is not a "
	    "power of two multiple of the quantum %#zx", vm->vm_name, align,
	    vm->vm_quantum_mask + 1));
	KASSERT((phase & vm->vm_quantum_mask) == 0, ("arena %s: phase %#zx "
	    "is not a multiple of the quantum %#zx", vm->vm_name, phase,
	    vm->vm_quantum_mask + 1));
	KASSERT((nocross & vm->vm_quantum_mask) == 0 &&
	    (nocross & (nocross - 1)) == 0, ("arena %s: nocross %#zx is not "
	    "a power of two multiple of the quantum %#zx", vm->vm_name,
	    nocross, vm->vm_quantum_mask + 1));
	KASSERT((align == 0 && phase == 0) || phase < align,
	    ("arena %s: phase %#zx is not below align %#zx", vm->vm_name,
	    phase, align));
	KASSERT(nocross == 0 || nocross >= size, ("arena %s: nocross %#zx "
	    "is smaller than size %#zx", vm->vm_name, nocross, size));
	KASSERT(minaddr <= maxaddr, ("arena %s: minaddr %#jx is above "
	    "maxaddr %#jx", vm->vm_name, (uintmax_t)minaddr,
	    (uintmax_t)maxaddr));
	KASSERT(!VMEM_CROSS_P(phase, phase + size - 1, nocross),
	    ("arena %s: phase %#zx and size %#zx cross nocross %#zx",
	    vm->vm_name, phase, size, nocross));
	if (strat == M_NEXTFIT)
		/* PORT: as above, the panic names the arena and the values. */
		KASSERT(minaddr == VMEM_ADDR_MIN && maxaddr == VMEM_ADDR_MAX,
		    ("arena %s: M_NEXTFIT takes no minaddr/maxaddr "
		    "(%#jx, %#jx)", vm->vm_name, (uintmax_t)minaddr,
		    (uintmax_t)maxaddr));
	/* PORT: M_ENDALLOC (ours) goes with best or first fit. */
	KASSERT(strat != M_NEXTFIT || (flags & M_ENDALLOC) == 0,
	    ("arena %s: M_ENDALLOC with M_NEXTFIT", vm->vm_name));

	if (align == 0)
		align = vm->vm_quantum_mask + 1;
	*addrp = 0;

	/*
	 * Next fit walks the segment list, not the free lists.
	 */
	if (strat == M_NEXTFIT)
		/*
		 * PORT: pass the rounded size. Upstream passes size0, which
		 * leaves segments that are not quantum multiples behind and
		 * can make a later next-fit scan loop forever.
		 */
		return (vmem_xalloc_nextfit(vm, size, align, phase, nocross,
		    flags, addrp));

	/* PORT: M_ENDALLOC (ours) takes the highest fit. */
	if ((flags & M_ENDALLOC) != 0)
		return (vmem_xalloc_endfit(vm, size, align, phase, nocross,
		    minaddr, maxaddr, flags, addrp));

	end = &vm->vm_freelist[VMEM_MAXORDER];
	/*
	 * Pick the free list to start from.
	 */
	first = bt_freehead_toalloc(vm, size, strat);
	/*
	 * PORT: instant fit with alignment, as illumos does.  A first-fit
	 * request aligned above the quantum, with no other constraint, starts
	 * at the list whose every block holds size + align - quantum: any of
	 * them has an aligned fit.  The best-fit retry below still scans all.
	 */
	if (strat == M_FIRSTFIT && align > vm->vm_quantum_mask + 1 &&
	    phase == 0 && nocross == 0 && minaddr == VMEM_ADDR_MIN &&
	    maxaddr == VMEM_ADDR_MAX &&
	    size + align - (vm->vm_quantum_mask + 1) > size)
		first = bt_freehead_toalloc(vm,
		    size + align - (vm->vm_quantum_mask + 1), strat);
	VMEM_LOCK(vm);
	nimports = vm->vm_nimports;	/* PORT: see out: below. */

	/*
	 * Stock up on tags for the whole operation.
	 */
	error = bt_fill(vm, flags);
	if (error != 0)
		goto out;
	for (;;) {
		/*
		 * PORT: refill on every pass, as an import takes two tags
		 * (upstream fills once: a second import trips bt_save()).
		 */
		if ((error = bt_fill(vm, flags)) != 0)
			break;
		/*
		 * Search the free lists for a block that can hold the
		 * request.  BESTFIT walks whole lists, since its first list
		 * may hold smaller blocks; FIRSTFIT looks only at the head of
		 * each list.
		 */
		/* PORT: empty lists are skipped, see vmem_freelist_next(). */
		for (list = vmem_freelist_next(vm, first); list < end;
		    list = vmem_freelist_next(vm, list + 1)) {
			LIST_FOREACH(bt, list, bt_freelist) {
				if (bt->bt_size >= size) {
					error = vmem_fit(bt, size, align, phase,
					    nocross, minaddr, maxaddr, addrp);
					if (error == 0) {
						vmem_clip(vm, bt, *addrp, size);
						goto out;
					}
				}
				/* FIRST skips to the next list. */
				if (strat == M_FIRSTFIT)
					break;
			}
		}

		/*
		 * If the quick search failed, search again the slow way.
		 */
		if (strat == M_FIRSTFIT) {
			strat = M_BESTFIT;
			first = bt_freehead_toalloc(vm, size, strat);
			continue;
		}

		/*
		 * Nothing fits: import, drain the caches, reclaim, and as a
		 * last resort sleep until something is freed.
		 */
		if (!vmem_try_fetch(vm, size, align, flags)) {
			error = ENOMEM;
			break;
		}
	}
out:
	/* PORT: unused imports back, hash resized (vmem_xalloc_unlock()). */
	vmem_xalloc_unlock(vm, nimports);
	if (error != 0 && (flags & M_NOWAIT) == 0)
		panic("failed to allocate waiting allocation\n");

	return (error);
}

/*
 * vmem_free: return a range to the arena (or to its quantum cache).
 */
void
vmem_free(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	qcache_t *qc;
	/* PORT: the panic names the arena and the address. */
	KASSERT(size > 0, ("arena %s: address %#jx freed with size 0",
	    vm->vm_name, (uintmax_t)addr));

	if (size <= vm->vm_qcache_max &&
	    __predict_true(addr >= VMEM_ADDR_QCACHE_MIN)) {
		qc = &vm->vm_qcache[(size - 1) >> vm->vm_quantum_shift];
		uma_zfree(qc->qc_cache, (void *)addr);
	} else
		vmem_xfree(vm, addr, size);
}

void
vmem_xfree(vmem_t *vm, vmem_addr_t addr, vmem_size_t size __unused)
{
	bt_t *bt;
	bt_t *t;
	bt_t *cursor;			/* PORT: see below. */
	vmem_size_t newhashsize;	/* PORT: see the end. */

	/*
	 * PORT: misuse panics with a message naming the arena, the address
	 * and the sizes (upstream's MPASS names only the expression).
	 */
	KASSERT(size > 0, ("arena %s: address %#jx freed with size 0",
	    vm->vm_name, (uintmax_t)addr));

	VMEM_LOCK(vm);
	bt = bt_lookupbusy(vm, addr);
	/* PORT: as above, the panic names the arena and the values. */
	KASSERT(bt != NULL, ("arena %s: address %#jx (size %#zx) is not "
	    "allocated: double free or unknown address", vm->vm_name,
	    (uintmax_t)addr, size));
	MPASS(bt->bt_start == addr);
	/* PORT: as above, the panic names the arena and the values. */
	KASSERT(bt->bt_size == vmem_roundup_size(vm, size) ||
	    bt->bt_size - vmem_roundup_size(vm, size) <= vm->vm_quantum_mask,
	    ("arena %s: address %#jx was allocated with size %#zx, freed "
	    "with size %#zx", vm->vm_name, (uintmax_t)addr, bt->bt_size,
	    size));
	MPASS(bt->bt_type == BT_TYPE_BUSY);
	bt_rembusy(vm, bt);
	bt->bt_type = BT_TYPE_FREE;

	/* coalesce */
	t = TAILQ_NEXT(bt, bt_seglist);
	if (t != NULL && t->bt_type == BT_TYPE_FREE) {
		MPASS(BT_END(bt) < t->bt_start);	/* YYY */
		bt->bt_size += t->bt_size;
		bt_remfree(vm, t);
		bt_remseg(vm, t);
	}
	t = BT_PREV(vm, bt);	/* PORT: see BT_PREV(). */
	if (t != NULL && t->bt_type == BT_TYPE_FREE) {
		MPASS(BT_END(t) < bt->bt_start);	/* YYY */
		bt->bt_size += t->bt_size;
		bt->bt_start = t->bt_start;
		bt_remfree(vm, t);
		bt_remseg(vm, t);
	}

	/*
	 * PORT: upstream never merges across the next-fit cursor: free space
	 * stays split there (a request for all of it fails) and a span the
	 * cursor sits in is never released, not even on destroy.  Merge across
	 * it and step the cursor past; vm_cursor_addr keeps where next fit
	 * left off.
	 */
	cursor = &vm->vm_cursor;
	t = NULL;
	if (TAILQ_NEXT(bt, bt_seglist) == cursor)
		t = TAILQ_NEXT(cursor, bt_seglist);
	else if (BT_PREV(vm, bt) == cursor)
		t = BT_PREV(vm, cursor);
	if (t != NULL && t->bt_type == BT_TYPE_FREE &&
	    (BT_END(t) + 1 == bt->bt_start || BT_END(bt) + 1 == t->bt_start)) {
		TAILQ_REMOVE(&vm->vm_seglist, cursor, bt_seglist);
		if (t->bt_start < bt->bt_start)
			bt->bt_start = t->bt_start;
		bt->bt_size += t->bt_size;
		bt_remfree(vm, t);
		bt_remseg(vm, t);
		TAILQ_INSERT_AFTER(&vm->vm_seglist, bt, cursor, bt_seglist);
	}

	/* PORT: resize the hash as tags go (see vmem_hash_target()). */
	newhashsize = vmem_hash_target(vm);
	if (!vmem_try_release(vm, bt, false)) {
		bt_insfree(vm, bt);
		VMEM_CONDVAR_BROADCAST(vm);
		bt_freetrim(vm, BT_MAXFREE);
	}
	if (newhashsize != 0)
		vmem_rehash(vm, newhashsize);	/* PORT: see above. */
}

/*
 * vmem_add: add a static span to the arena.
 */
int
vmem_add(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, int flags)
{
	int error;

	flags &= VMEM_FLAGS;
	/* PORT: reject spans that are empty or wrap past VMEM_ADDR_MAX. */
	KASSERT(size > 0 && addr + (size - 1) >= addr,
	    ("arena %s: span at %#jx of size %#zx is empty or wraps",
	    vm->vm_name, (uintmax_t)addr, size));
	KASSERT((size & vm->vm_quantum_mask) == 0, ("arena %s: span size "
	    "%#zx is not a multiple of the quantum %#zx", vm->vm_name, size,
	    vm->vm_quantum_mask + 1));
	/* PORT: an unaligned start would leave free blocks below a quantum. */
	KASSERT((addr & vm->vm_quantum_mask) == 0, ("arena %s: span start "
	    "%#jx is not a multiple of the quantum %#zx", vm->vm_name,
	    (uintmax_t)addr, vm->vm_quantum_mask + 1));

	VMEM_LOCK(vm);
	error = bt_fill(vm, flags);
	if (error == 0)
		vmem_add1(vm, addr, size, BT_TYPE_SPAN_STATIC);
	VMEM_UNLOCK(vm);

	return (error);
}

/*
 * vmem_size: how much of the arena is allocated, free, or both.
 */
vmem_size_t
vmem_size(vmem_t *vm, int typemask)
{
	int i;
	/* PORT: read the counters under the lock (no data race). */
	vmem_size_t size;

	switch (typemask) {
	case VMEM_ALLOC:
		/* PORT: read under the lock. */
		VMEM_LOCK(vm);
		size = vm->vm_inuse;
		VMEM_UNLOCK(vm);
		return (size);
	case VMEM_FREE:
		/* PORT: read under the lock. */
		VMEM_LOCK(vm);
		size = vm->vm_size - vm->vm_inuse;
		VMEM_UNLOCK(vm);
		return (size);
	case VMEM_FREE|VMEM_ALLOC:
		/* PORT: read under the lock. */
		VMEM_LOCK(vm);
		size = vm->vm_size;
		VMEM_UNLOCK(vm);
		return (size);
	case VMEM_MAXFREE:
		VMEM_LOCK(vm);
		for (i = VMEM_MAXORDER - 1; i >= 0; i--) {
			if (LIST_EMPTY(&vm->vm_freelist[i]))
				continue;
			VMEM_UNLOCK(vm);
			return ((vmem_size_t)ORDER2SIZE(i) <<
			    vm->vm_quantum_shift);
		}
		VMEM_UNLOCK(vm);
		return (0);
	default:
		/* PORT: the panic names the arena and the typemask. */
		panic("arena %s: bad typemask %#x", vm->vm_name, typemask);
	}
}

/* ---- debug */

#if defined(DDB) || defined(DIAGNOSTIC)

/* PORT: no __printflike: GCC takes no format attribute on a parameter. */
static void bt_dump(const bt_t *, int (*)(const char *, ...));

static const char *
bt_type_string(int type)
{

	switch (type) {
	case BT_TYPE_BUSY:
		return "busy";
	case BT_TYPE_FREE:
		return "free";
	case BT_TYPE_SPAN:
		return "span";
	case BT_TYPE_SPAN_STATIC:
		return "static span";
	case BT_TYPE_CURSOR:
		return "cursor";
	default:
		break;
	}
	return "BOGUS";
}

static void
bt_dump(const bt_t *bt, int (*pr)(const char *, ...))
{

	(*pr)("\t%p: %jx %jx, %d(%s)\n",
	    bt, (intmax_t)bt->bt_start, (intmax_t)bt->bt_size,
	    bt->bt_type, bt_type_string(bt->bt_type));
}

/* PORT: not static, and no __printflike (see bt_dump). */
void
vmem_dump(const vmem_t *vm , int (*pr)(const char *, ...))
{
	const bt_t *bt;
	int i;

	(*pr)("vmem %p '%s'\n", vm, vm->vm_name);
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		bt_dump(bt, pr);
	}

	for (i = 0; i < VMEM_MAXORDER; i++) {
		const struct vmem_freelist *fl = &vm->vm_freelist[i];

		if (LIST_EMPTY(fl)) {
			continue;
		}

		(*pr)("freelist[%d]\n", i);
		LIST_FOREACH(bt, fl, bt_freelist) {
			bt_dump(bt, pr);
		}
	}
}

#endif /* defined(DDB) || defined(DIAGNOSTIC) */

#if defined(DDB)
/* PORT: compat/ddb.h stands in for <ddb/ddb.h>. */

static bt_t *
vmem_whatis_lookup(vmem_t *vm, vmem_addr_t addr)
{
	bt_t *bt;

	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		/* PORT: the cursor (size 0) would match every address. */
		if (BT_ISSPAN_P(bt) || bt->bt_type == BT_TYPE_CURSOR) {
			continue;
		}
		if (bt->bt_start <= addr && addr <= BT_END(bt)) {
			return bt;
		}
	}

	return NULL;
}

void
vmem_whatis(vmem_addr_t addr, int (*pr)(const char *, ...))
{
	vmem_t *vm;

	mtx_lock(&vmem_list_lock);	/* PORT: other threads run on. */
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
		bt_t *bt;

		VMEM_LOCK(vm);	/* PORT: other threads run on. */
		bt = vmem_whatis_lookup(vm, addr);
		if (bt == NULL) {
			VMEM_UNLOCK(vm);	/* PORT: see above. */
			continue;
		}
		(*pr)("%p is %p+%zu in VMEM '%s' (%s)\n",
		    (void *)addr, (void *)bt->bt_start,
		    (vmem_size_t)(addr - bt->bt_start), vm->vm_name,
		    (bt->bt_type == BT_TYPE_BUSY) ? "allocated" : "free");
		VMEM_UNLOCK(vm);	/* PORT: see above. */
	}
	mtx_unlock(&vmem_list_lock);	/* PORT: see above. */
}

void
vmem_printall(const char *modif, int (*pr)(const char *, ...))
{
	const vmem_t *vm;

	mtx_lock(&vmem_list_lock);	/* PORT: other threads run on. */
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
		VMEM_LOCK_CONST(vm);	/* PORT: see above. */
		vmem_dump(vm, pr);
		VMEM_UNLOCK_CONST(vm);	/* PORT: see above. */
	}
	mtx_unlock(&vmem_list_lock);	/* PORT: see above. */
}

void
vmem_print(vmem_addr_t addr, const char *modif, int (*pr)(const char *, ...))
{
	/* PORT: C++ needs a reinterpret_cast. */
	const vmem_t *vm = reinterpret_cast<const vmem_t *>(addr);

	VMEM_LOCK_CONST(vm);	/* PORT: other threads run on. */
	vmem_dump(vm, pr);
	VMEM_UNLOCK_CONST(vm);	/* PORT: see above. */
}

DB_SHOW_COMMAND(vmemdump, vmemdump)
{

	if (!have_addr) {
		db_printf("usage: show vmemdump <addr>\n");
		return;
	}

	/* PORT: lock, as other threads run on. */
	VMEM_LOCK_CONST((const vmem_t *)addr);
	vmem_dump((const vmem_t *)addr, db_printf);
	VMEM_UNLOCK_CONST((const vmem_t *)addr);	/* PORT: see above. */
}

DB_SHOW_ALL_COMMAND(vmemdump, vmemdumpall)
{
	const vmem_t *vm;

	mtx_lock(&vmem_list_lock);	/* PORT: other threads run on. */
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
		/* PORT: braces and locking, as other threads run on. */
		VMEM_LOCK_CONST(vm);
		vmem_dump(vm, db_printf);
		VMEM_UNLOCK_CONST(vm);
	}
	mtx_unlock(&vmem_list_lock);	/* PORT: see above. */
}

DB_SHOW_COMMAND(vmem, vmem_summ)
{
	/* PORT: C++ needs a reinterpret_cast. */
	const vmem_t *vm = reinterpret_cast<const vmem_t *>(addr);
	const bt_t *bt;
	size_t ft[VMEM_MAXORDER], ut[VMEM_MAXORDER];
	size_t fs[VMEM_MAXORDER], us[VMEM_MAXORDER];
	int ord;

	if (!have_addr) {
		db_printf("usage: show vmem <addr>\n");
		return;
	}

	VMEM_LOCK_CONST(vm);	/* PORT: other threads run on. */
	db_printf("vmem %p '%s'\n", vm, vm->vm_name);
	db_printf("\tquantum:\t%zu\n", vm->vm_quantum_mask + 1);
	db_printf("\tsize:\t%zu\n", vm->vm_size);
	db_printf("\tinuse:\t%zu\n", vm->vm_inuse);
	db_printf("\tfree:\t%zu\n", vm->vm_size - vm->vm_inuse);
	db_printf("\tbusy tags:\t%d\n", vm->vm_nbusytag);
	db_printf("\tfree tags:\t%d\n", vm->vm_nfreetags);
	/* PORT: also show the busy-tag hash size. */
	db_printf("\thash buckets:\t%zu\n", vm->vm_hashsize);

	memset(&ft, 0, sizeof(ft));
	memset(&ut, 0, sizeof(ut));
	memset(&fs, 0, sizeof(fs));
	memset(&us, 0, sizeof(us));
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		ord = SIZE2ORDER(bt->bt_size >> vm->vm_quantum_shift);
		if (bt->bt_type == BT_TYPE_BUSY) {
			ut[ord]++;
			us[ord] += bt->bt_size;
		} else if (bt->bt_type == BT_TYPE_FREE) {
			ft[ord]++;
			fs[ord] += bt->bt_size;
		}
	}
	db_printf("\t\t\tinuse\tsize\t\tfree\tsize\n");
	for (ord = 0; ord < VMEM_MAXORDER; ord++) {
		if (ut[ord] == 0 && ft[ord] == 0)
			continue;
		db_printf("\t%-15zu %zu\t%-15zu %zu\t%-16zu\n",
		    ORDER2SIZE(ord) << vm->vm_quantum_shift,
		    ut[ord], us[ord], ft[ord], fs[ord]);
	}
	VMEM_UNLOCK_CONST(vm);	/* PORT: see above. */
}

DB_SHOW_ALL_COMMAND(vmem, vmem_summall)
{
	const vmem_t *vm;

	/*
	 * PORT: walk a snapshot, as vmem_summ() takes the arena locks and
	 * the list may change meanwhile.
	 */
	mtx_lock(&vmem_list_lock);
	LIST_FOREACH(vm, &vmem_list, vm_alllist)
		vmem_summ((db_expr_t)vm, TRUE, count, modif);
	mtx_unlock(&vmem_list_lock);	/* PORT: see above. */
}
#endif /* defined(DDB) */

#define vmem_printf printf

#if defined(DIAGNOSTIC)

static bool
vmem_check_sanity(vmem_t *vm)
{
	const bt_t *bt, *bt2;

	MPASS(vm != NULL);

	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		if (bt->bt_start > BT_END(bt)) {
			printf("corrupted tag\n");
			bt_dump(bt, vmem_printf);
			return false;
		}
	}
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		if (bt->bt_type == BT_TYPE_CURSOR) {
			if (bt->bt_start != 0 || bt->bt_size != 0) {
				printf("corrupted cursor\n");
				return false;
			}
			continue;
		}
		TAILQ_FOREACH(bt2, &vm->vm_seglist, bt_seglist) {
			if (bt == bt2) {
				continue;
			}
			if (bt2->bt_type == BT_TYPE_CURSOR) {
				continue;
			}
			if (BT_ISSPAN_P(bt) != BT_ISSPAN_P(bt2)) {
				continue;
			}
			if (bt->bt_start <= BT_END(bt2) &&
			    bt2->bt_start <= BT_END(bt)) {
				printf("overwrapped tags\n");
				bt_dump(bt, vmem_printf);
				bt_dump(bt2, vmem_printf);
				return false;
			}
		}
	}

	return true;
}

static void
vmem_check(vmem_t *vm)
{

	if (!vmem_check_sanity(vm)) {
		panic("insanity vmem %p", vm);
	}
}

/*
 * PORT: vmem_verify() is ours (sys/vmem_ext.h): vmem_check() and, on top,
 * the arena's bookkeeping, for tests and fuzzers.  Every segment lies in a
 * span in address order, the busy ones are in the hash and add up to
 * vm_inuse, the free ones sit on the right free list, the spans add up to
 * vm_size, and free neighbours are merged unless the cursor parts them.
 */
void
vmem_verify(vmem_t *vm)
{
	const bt_t *bt, *prev, *span;
	vmem_size_t inuse, size;
	int nbusy;

	VMEM_LOCK(vm);
	vmem_check(vm);
	inuse = size = 0;
	nbusy = 0;
	prev = span = NULL;
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		if (bt->bt_type == BT_TYPE_CURSOR)
			continue;
		KASSERT((bt->bt_size & vm->vm_quantum_mask) == 0 &&
		    bt->bt_size != 0, ("arena %s: segment %#jx size %#zx is "
		    "not a quantum multiple", vm->vm_name,
		    (uintmax_t)bt->bt_start, bt->bt_size));
		/* Spans go at the tail as added: not in address order. */
		if (BT_ISSPAN_P(bt)) {
			span = bt;
			size += bt->bt_size;
			prev = NULL;
			continue;
		}
		KASSERT(span != NULL && span->bt_start <= bt->bt_start &&
		    BT_END(bt) <= BT_END(span), ("arena %s: segment %#jx size "
		    "%#zx outside its span", vm->vm_name,
		    (uintmax_t)bt->bt_start, bt->bt_size));
		KASSERT(prev == NULL || BT_END(prev) < bt->bt_start,
		    ("arena %s: segment %#jx out of order", vm->vm_name,
		    (uintmax_t)bt->bt_start));
		if (bt->bt_type == BT_TYPE_BUSY) {
			KASSERT(bt_lookupbusy(vm, bt->bt_start) == bt,
			    ("arena %s: busy segment %#jx not in the hash",
			    vm->vm_name, (uintmax_t)bt->bt_start));
			inuse += bt->bt_size;
			nbusy++;
		} else {
			const bt_t *t;
			bool found = false;

			KASSERT(bt->bt_type == BT_TYPE_FREE,
			    ("arena %s: segment %#jx has type %d", vm->vm_name,
			    (uintmax_t)bt->bt_start, bt->bt_type));
			LIST_FOREACH(t, bt_freehead_tofree(vm, bt->bt_size),
			    bt_freelist)
				if (t == bt)
					found = true;
			KASSERT(found, ("arena %s: free segment %#jx size %#zx "
			    "not on its free list", vm->vm_name,
			    (uintmax_t)bt->bt_start, bt->bt_size));
			KASSERT(prev == NULL || prev->bt_type != BT_TYPE_FREE ||
			    TAILQ_PREV(bt, vmem_seglist, bt_seglist) !=
			    prev, ("arena %s: free segments %#jx and %#jx not "
			    "merged", vm->vm_name, (uintmax_t)prev->bt_start,
			    (uintmax_t)bt->bt_start));
		}
		prev = bt;
	}
	for (size_t i = 0; i < VMEM_MAXORDER; i++)
		KASSERT(LIST_EMPTY(&vm->vm_freelist[i]) ||
		    (vm->vm_freemap[i / 64] & ((uint64_t)1 << (i % 64))) != 0,
		    ("arena %s: free list %zu not empty but not in the map",
		    vm->vm_name, i));
	KASSERT(inuse == vm->vm_inuse && nbusy == vm->vm_nbusytag &&
	    size == vm->vm_size, ("arena %s: counted inuse %#zx in %d tags, "
	    "size %#zx; recorded %#zx in %d tags, size %#zx", vm->vm_name,
	    inuse, nbusy, size, vm->vm_inuse, vm->vm_nbusytag, vm->vm_size));
	VMEM_UNLOCK(vm);
}

#endif /* defined(DIAGNOSTIC) */

/* ---- PORT: statistics for programs (ours, declared in sys/vmem_ext.h) */

/*
 * vmem_get_stats: the numbers of "show vmem", as a structure.
 */
void
vmem_get_stats(vmem_t *vm, struct vmem_stats *st)
{
	const bt_t *bt;
	int ord;

	static_assert(VMEM_MAXORDER <= VMEM_STATS_NORDER,
	    "struct vmem_stats has too few orders");
	memset(st, 0, sizeof(*st));
	VMEM_LOCK(vm);
	strlcpy(st->vs_name, vm->vm_name, sizeof(st->vs_name));
	st->vs_quantum = vm->vm_quantum_mask + 1;
	st->vs_size = vm->vm_size;
	st->vs_inuse = vm->vm_inuse;
	st->vs_free = vm->vm_size - vm->vm_inuse;
	st->vs_limit = vm->vm_limit;
	st->vs_qcache_max = vm->vm_qcache_max;
	st->vs_import_quantum = vm->vm_import_quantum;
	st->vs_busy_tags = vm->vm_nbusytag;
	st->vs_free_tags = vm->vm_nfreetags;
	st->vs_hash_buckets = vm->vm_hashsize;
	st->vs_norder = VMEM_MAXORDER;
	for (ord = 0; ord < VMEM_MAXORDER; ord++)
		st->vs_order[ord].vo_size = ORDER2SIZE(ord) <<
		    vm->vm_quantum_shift;
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		if (BT_ISSPAN_P(bt)) {
			st->vs_spans++;
			continue;
		}
		if (bt->bt_type == BT_TYPE_CURSOR)
			continue;
		ord = SIZE2ORDER(bt->bt_size >> vm->vm_quantum_shift);
		if (bt->bt_type == BT_TYPE_BUSY) {
			st->vs_order[ord].vo_inuse_count++;
			st->vs_order[ord].vo_inuse_bytes += bt->bt_size;
		} else {
			st->vs_order[ord].vo_free_count++;
			st->vs_order[ord].vo_free_bytes += bt->bt_size;
		}
	}
	VMEM_UNLOCK(vm);
}

/*
 * vmem_foreach: call fn on every arena, newest first, with the arena list
 * locked (fn must not create or destroy arenas).
 */
void
vmem_foreach(void (*fn)(vmem_t *, void *), void *arg)
{
	vmem_t *vm;

	mi_startup();
	mtx_lock(&vmem_list_lock);
	LIST_FOREACH(vm, &vmem_list, vm_alllist)
		fn(vm, arg);
	mtx_unlock(&vmem_list_lock);
}

/*
 * vmem_walk_segments: call fn on the arena's segments of the types in
 * typemask (VMEM_WALK_* in sys/vmem_ext.h), in list order.  Without
 * VMEM_WALK_REENTRANT fn runs with the arena locked and must not call into
 * the arena; with it, fn runs unlocked on a snapshot.
 */
void
vmem_walk_segments(vmem_t *vm, int typemask, vmem_walk_fn_t *fn, void *arg)
{
	struct vmem_walk_seg {
		vmem_addr_t	start;
		vmem_size_t	size;
		int		type;
	} *segs;
	const bt_t *bt;
	size_t cap, n, i;
	int type;

	segs = NULL;
	cap = 0;
	for (;;) {
		n = 0;
		VMEM_LOCK(vm);
		TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
			if (BT_ISSPAN_P(bt))
				type = VMEM_WALK_SPAN;
			else if (bt->bt_type == BT_TYPE_BUSY)
				type = VMEM_WALK_ALLOC;
			else if (bt->bt_type == BT_TYPE_FREE)
				type = VMEM_WALK_FREE;
			else
				continue;
			if ((typemask & type) == 0)
				continue;
			if ((typemask & VMEM_WALK_REENTRANT) == 0)
				fn(arg, bt->bt_start, bt->bt_size, type);
			else if (n < cap) {
				segs[n].start = bt->bt_start;
				segs[n].size = bt->bt_size;
				segs[n].type = type;
			}
			n++;
		}
		VMEM_UNLOCK(vm);
		if ((typemask & VMEM_WALK_REENTRANT) == 0 || n <= cap)
			break;
		free(segs, M_VMEM);
		cap = n + n / 4 + 8;
		segs = static_cast<struct vmem_walk_seg *>(malloc(
		    cap * sizeof(*segs), M_VMEM, M_WAITOK));
	}
	if ((typemask & VMEM_WALK_REENTRANT) != 0)
		for (i = 0; i < n; i++)
			fn(arg, segs[i].start, segs[i].size, segs[i].type);
	free(segs, M_VMEM);
}

/*
 * PORT: ours.  Import and release callbacks that stack an arena on another
 * (arg: the parent), as the kernel's arenas import from kernel_arena: spans
 * are placed best fit in the parent, honouring the child's M_NOWAIT.
 */
int
vmem_import_arena(void *arg, vmem_size_t size, int flags, vmem_addr_t *addrp)
{

	return (vmem_xalloc(static_cast<vmem_t *>(arg), size, 0, 0, 0,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX, (flags & BT_FLAGS) | M_BESTFIT,
	    addrp));
}

void
vmem_release_arena(void *arg, vmem_addr_t addr, vmem_size_t size)
{

	vmem_xfree(static_cast<vmem_t *>(arg), addr, size);
}
