/*
 * mutex(9) as the kernel builds it: a lock word taken with one atomic
 * compare-and-swap when free, and sleeping (a futex) when contested; with
 * owner tracking so that mtx_assert() and recursion checks are real.
 * mtx_lock() and mtx_unlock() inline their uncontested halves; sleeping,
 * waking and the misuse panics are out of line (kern/kern_mutex.cc).
 *
 * A mutex made with MTX_RECURSE may be locked again by its owner, which
 * unlocks it as many times; without it, recursion panics, as does locking
 * a destroyed mutex.
 *
 * This is the one lock of compat/. A mutex with static storage may also
 * be initialised with MTX_INITIALIZER(name) instead of mtx_init(), and is
 * then usable from the first instruction of the program (static
 * initialisers, thread exit), before any SYSINIT has run.
 *
 * struct mtx is in <sys/_mutex.h>. struct mtx_padalign is a mutex alone on
 * its cache line: in C++ it converts to struct mtx *; in C, lock its
 * mtx_pad member.
 */
#ifndef _COMPAT_SYS_MUTEX_H_
#define	_COMPAT_SYS_MUTEX_H_

#include <sys/cdefs.h>
#include <sys/param.h>
#include <sys/_mutex.h>
#include <sys/proc.h>

/* mtx_state values (the futex word). */
#define	MTX_STATE_FREE		0u
#define	MTX_STATE_HELD		1u
#define	MTX_STATE_CONTESTED	2u	/* held, and a thread may sleep on it */
#define	MTX_STATE_DESTROYED	0xdead0000u /* mtx_destroy(): locking panics */

#ifdef __cplusplus
struct alignas(CACHE_LINE_SIZE) mtx_padalign : mtx {};
#else
struct mtx_padalign {
	struct mtx	mtx_pad;
} __attribute__((__aligned__(CACHE_LINE_SIZE)));
#endif

/* mtx_init() options. */
#define	MTX_DEF		0x00000000
#define	MTX_SPIN	0x00000001
#define	MTX_RECURSE	0x00000004
#define	MTX_NEW		0x00000020

/* mtx_assert() what. */
#define	MA_OWNED	0x01
#define	MA_NOTOWNED	0x02

/* A static mutex, ready without mtx_init(). */
#define	MTX_INITIALIZER(name)	{ MTX_STATE_FREE, MTX_DEF, (name), NULL, 0 }

__BEGIN_DECLS
void	mtx_init(struct mtx *m, const char *name, const char *type, int opts);
void	mtx_destroy(struct mtx *m);
int	mtx_trylock(struct mtx *m);
const char *mtx_name(struct mtx *m);

/* The out-of-line halves of mtx_lock()/mtx_unlock()/mtx_assert(). */
void	mtx_lock_contested(struct mtx *m);
void	mtx_unlock_contested(struct mtx *m);
void	mtx_recursed(struct mtx *m) __dead2;
void	mtx_not_owner(struct mtx *m) __dead2;
void	mtx_assert_fail(struct mtx *m, int what) __dead2;
__END_DECLS

/*
 * Inline, as the kernel's: free, the lock is one compare-and-swap and the
 * unlock one atomic decrement.
 */
static __inline void
mtx_lock(struct mtx *m)
{
	uint32_t expected = MTX_STATE_FREE;

	/*
	 * A recursion, or a destroyed mutex, finds the lock not free: the
	 * contested path recurses (MTX_RECURSE) or panics.
	 */
	if (__predict_false(!__atomic_compare_exchange_n(&m->mtx_state,
	    &expected, MTX_STATE_HELD, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)))
		mtx_lock_contested(m);
	__atomic_store_n(&m->mtx_owner, curthread, __ATOMIC_RELAXED);
	curthread->td_locks++;
}

static __inline void
mtx_unlock(struct mtx *m)
{
	if (__predict_false(__atomic_load_n(&m->mtx_owner,
	    __ATOMIC_RELAXED) != curthread))
		mtx_not_owner(m);
	curthread->td_locks--;
	__atomic_store_n(&m->mtx_owner, (struct thread *)NULL,
	    __ATOMIC_RELAXED);
	if (__predict_false(__atomic_fetch_sub(&m->mtx_state, 1,
	    __ATOMIC_RELEASE) != MTX_STATE_HELD))
		mtx_unlock_contested(m);
}

/* Inline: every vmem operation asserts its lock (mtx_assert()). */
static __inline int
mtx_owned(struct mtx *m)
{
	return (__atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) ==
	    curthread);
}

/*
 * Checked unless NDEBUG is defined, as MPASS (<sys/systm.h>): the kernel
 * compiles mtx_assert() only with INVARIANTS.
 */
#ifdef NDEBUG
#define	mtx_assert(m, what)	((void)sizeof(m), (void)sizeof(what))
#else
static __inline void
mtx_assert(struct mtx *m, int what)
{
	if (__predict_false((what != MA_OWNED && what != MA_NOTOWNED) ||
	    (mtx_owned(m) != 0) != (what == MA_OWNED)))
		mtx_assert_fail(m, what);
}
#endif

#endif /* !_COMPAT_SYS_MUTEX_H_ */
