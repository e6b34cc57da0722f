/*
 * <sys/sdt.h>: FreeBSD's SDT(9) statically defined tracing probes, the
 * subset the kernel code here uses, as USDT probes that perf(1) and
 * bpftrace(8) find in the ELF notes (`perf probe -x LIB -a sdt_PROV:NAME`,
 * `usdt:LIB:PROV:NAME`).
 *
 * Linux's USDT header, systemtap's, has the same name: this one reaches it
 * with #include_next, as cdefs.h reaches the C library's.  Where it is not
 * installed, every probe compiles to nothing.
 *
 * A probe is a 16-bit semaphore, which perf and bpftrace raise while they
 * trace it, and one note in a function of its own that the probe sites
 * call while it is raised, as FreeBSD's SDT_PROBE() calls DTrace only
 * while the probe is enabled.  When nobody traces, a site costs a load
 * and a branch, and its arguments are not evaluated; each probe has one
 * location, so `perf probe -a sdt_PROV:NAME` covers every site.  The
 * arguments reach the tracer as 64-bit integers (uintptr_t): pointers,
 * sizes, addresses and errors, each cheap to compute.  Nothing is recorded
 * in the process.
 *
 * Names: a probe is PROV:::NAME, as in DTrace.  USDT has a provider and
 * a name only, so the module and function parts are left empty.  A name
 * is written as FreeBSD's sources write it, a dash as "__"
 * (SDT_PROBE2(vmem, , , alloc__start, ...) is DTrace's vmem:::alloc-start),
 * and the note keeps that spelling: FreeBSD converts at run time, a note
 * is written at compile time, and perf(1) takes only C identifiers (one
 * dashed note makes `perf probe` refuse every probe of the file).
 *
 * SDT_PROBE_DEFINEn() defines the probe (its semaphore and note) in one
 * file, SDT_PROBE_DECLARE() lets other files fire it; SDT_PROVIDER_DEFINE()
 * only documents.  SDT_PROBE_ENABLED() is whether a tracer raised the
 * probe, for a site that must test more than that before it fires.  An
 * SDT_PROBEn() of a probe neither defined nor declared does not compile.
 * Without systemtap's header the probes are nothing.
 */
#ifndef _COMPAT_SYS_SDT_H_
#define	_COMPAT_SYS_SDT_H_

#include <stdint.h>

#if defined(__has_include_next) && !defined(SDT_NO_USDT)
#if __has_include_next(<sys/sdt.h>)
#ifndef _SDT_HAS_SEMAPHORES
#define	_SDT_HAS_SEMAPHORES	1
#endif
#include_next <sys/sdt.h>
#endif
#endif

#define	SDT_PROVIDER_DEFINE(prov)					\
	extern const int sdt_provider_##prov
#define	SDT_PROVIDER_DECLARE(prov)					\
	extern const int sdt_provider_##prov

#define	_FBSD_SDT_ARGS0		void
#define	_FBSD_SDT_ARGS1		uintptr_t a0
#define	_FBSD_SDT_ARGS2		_FBSD_SDT_ARGS1, uintptr_t a1
#define	_FBSD_SDT_ARGS3		_FBSD_SDT_ARGS2, uintptr_t a2
#define	_FBSD_SDT_ARGS4		_FBSD_SDT_ARGS3, uintptr_t a3
#define	_FBSD_SDT_ARGS5		_FBSD_SDT_ARGS4, uintptr_t a4

#if defined(_SYS_SDT_H) && defined(_SDT_HAS_SEMAPHORES)
#define	SDT_USDT	1
/*
 * A site's call of its probe's note clobbers no register (the function is
 * a no-op and says so), so that a function with a probe site keeps its
 * values where it would without one.  Sanitizers put calls into every
 * function, which such a function may not make.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define	_FBSD_SDT_SANITIZED
#endif
#endif
#if (defined(__x86_64__) || defined(__i386__)) &&			\
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) &&	\
    !defined(_FBSD_SDT_SANITIZED)
#if defined(__clang__)
#define	_FBSD_SDT_NOCLOBBER	__no_caller_saved_registers__,
#else	/* GCC saves no vector register there: it may not use one */
#define	_FBSD_SDT_NOCLOBBER						\
	__no_caller_saved_registers__, __target__("general-regs-only"),
#endif
#else
#define	_FBSD_SDT_NOCLOBBER
#endif
#if defined(__clang__)
#define	_FBSD_SDT_ONCE							\
	__attribute__((_FBSD_SDT_NOCLOBBER __noinline__, __cold__))
#else
/* One location per probe: never inlined, never cloned. */
#define	_FBSD_SDT_ONCE							\
	__attribute__((_FBSD_SDT_NOCLOBBER __noinline__, __noclone__, __cold__))
#endif
/* systemtap's notes name the semaphore PROV_NAME_semaphore. */
#define	_FBSD_SDT_SEM(prov, name)	prov##_##name##_semaphore
#define	_FBSD_SDT_FIRE(prov, name)	sdt_##prov##_##name##_fire
#define	SDT_PROBE_DECLARE(prov, mod, func, name)			\
	extern __attribute__((__visibility__("hidden")))		\
	    volatile unsigned short _FBSD_SDT_SEM(prov, name)

#define	_FBSD_SDT_DEFINE(prov, name, n, note)				\
	__attribute__((__visibility__("hidden"), __section__(".probes"),\
	    __used__)) volatile unsigned short _FBSD_SDT_SEM(prov, name);\
	__attribute__((__visibility__("hidden"))) _FBSD_SDT_ONCE void	\
	_FBSD_SDT_FIRE(prov, name)(_FBSD_SDT_ARGS##n)			\
	{								\
		note;							\
	}								\
	SDT_PROBE_DECLARE(prov, , , name)
#define	SDT_PROBE_DEFINE(prov, mod, func, name)				\
	SDT_PROBE_DEFINE0(prov, mod, func, name)
#define	SDT_PROBE_DEFINE0(prov, mod, func, name)			\
	_FBSD_SDT_DEFINE(prov, name, 0, STAP_PROBE(prov, name))
#define	SDT_PROBE_DEFINE1(prov, mod, func, name, t0)			\
	_FBSD_SDT_DEFINE(prov, name, 1, STAP_PROBE1(prov, name, a0))
#define	SDT_PROBE_DEFINE2(prov, mod, func, name, t0, t1)		\
	_FBSD_SDT_DEFINE(prov, name, 2, STAP_PROBE2(prov, name, a0, a1))
#define	SDT_PROBE_DEFINE3(prov, mod, func, name, t0, t1, t2)		\
	_FBSD_SDT_DEFINE(prov, name, 3,					\
	    STAP_PROBE3(prov, name, a0, a1, a2))
#define	SDT_PROBE_DEFINE4(prov, mod, func, name, t0, t1, t2, t3)	\
	_FBSD_SDT_DEFINE(prov, name, 4,					\
	    STAP_PROBE4(prov, name, a0, a1, a2, a3))
#define	SDT_PROBE_DEFINE5(prov, mod, func, name, t0, t1, t2, t3, t4)	\
	_FBSD_SDT_DEFINE(prov, name, 5,					\
	    STAP_PROBE5(prov, name, a0, a1, a2, a3, a4))

/* Whether a tracer has raised the probe's semaphore (a load, no call). */
#define	SDT_PROBE_ENABLED(prov, mod, func, name)			\
	__builtin_expect(_FBSD_SDT_SEM(prov, name) != 0, 0)
/* A site: the call, only while a tracer has raised the semaphore. */
#define	_FBSD_SDT_PROBE(prov, name, n, args)				\
	do {								\
		if (SDT_PROBE_ENABLED(prov, , , name))			\
			_FBSD_SDT_FIRE(prov, name) args;		\
	} while (0)
#define	_FBSD_SDT_U(a)		((uintptr_t)(a))
#define	SDT_PROBE0(prov, mod, func, name)				\
	_FBSD_SDT_PROBE(prov, name, 0, ())
#define	SDT_PROBE1(prov, mod, func, name, a0)				\
	_FBSD_SDT_PROBE(prov, name, 1, (_FBSD_SDT_U(a0)))
#define	SDT_PROBE2(prov, mod, func, name, a0, a1)			\
	_FBSD_SDT_PROBE(prov, name, 2, (_FBSD_SDT_U(a0), _FBSD_SDT_U(a1)))
#define	SDT_PROBE3(prov, mod, func, name, a0, a1, a2)			\
	_FBSD_SDT_PROBE(prov, name, 3, (_FBSD_SDT_U(a0), _FBSD_SDT_U(a1),\
	    _FBSD_SDT_U(a2)))
#define	SDT_PROBE4(prov, mod, func, name, a0, a1, a2, a3)		\
	_FBSD_SDT_PROBE(prov, name, 4, (_FBSD_SDT_U(a0), _FBSD_SDT_U(a1),\
	    _FBSD_SDT_U(a2), _FBSD_SDT_U(a3)))
#define	SDT_PROBE5(prov, mod, func, name, a0, a1, a2, a3, a4)		\
	_FBSD_SDT_PROBE(prov, name, 5, (_FBSD_SDT_U(a0), _FBSD_SDT_U(a1),\
	    _FBSD_SDT_U(a2), _FBSD_SDT_U(a3), _FBSD_SDT_U(a4)))

#else /* no USDT header: nothing, arguments unevaluated (but used) */
#define	SDT_USDT	0
#define	_FBSD_SDT_NAME(prov, name)	sdt_##prov##_##name
#define	SDT_PROBE_DECLARE(prov, mod, func, name)			\
	extern const int _FBSD_SDT_NAME(prov, name)
#define	SDT_PROBE_DEFINE(prov, mod, func, name)				\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE0(prov, mod, func, name)			\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE1(prov, mod, func, name, t0)			\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE2(prov, mod, func, name, t0, t1)		\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE3(prov, mod, func, name, t0, t1, t2)		\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE4(prov, mod, func, name, t0, t1, t2, t3)	\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE5(prov, mod, func, name, t0, t1, t2, t3, t4)	\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_ENABLED(prov, mod, func, name)			\
	((void)sizeof(_FBSD_SDT_NAME(prov, name)), 0)
#define	_FBSD_SDT_PROBE(prov, name, uses)				\
	do {								\
		(void)sizeof(_FBSD_SDT_NAME(prov, name));		\
		uses;							\
	} while (0)
#define	SDT_PROBE0(prov, mod, func, name)				\
	_FBSD_SDT_PROBE(prov, name, (void)0)
#define	SDT_PROBE1(prov, mod, func, name, a0)				\
	_FBSD_SDT_PROBE(prov, name, (void)sizeof(a0))
#define	SDT_PROBE2(prov, mod, func, name, a0, a1)			\
	_FBSD_SDT_PROBE(prov, name, (void)sizeof(a0); (void)sizeof(a1))
#define	SDT_PROBE3(prov, mod, func, name, a0, a1, a2)			\
	_FBSD_SDT_PROBE(prov, name, (void)sizeof(a0); (void)sizeof(a1);	\
	    (void)sizeof(a2))
#define	SDT_PROBE4(prov, mod, func, name, a0, a1, a2, a3)		\
	_FBSD_SDT_PROBE(prov, name, (void)sizeof(a0); (void)sizeof(a1);	\
	    (void)sizeof(a2); (void)sizeof(a3))
#define	SDT_PROBE5(prov, mod, func, name, a0, a1, a2, a3, a4)		\
	_FBSD_SDT_PROBE(prov, name, (void)sizeof(a0); (void)sizeof(a1);	\
	    (void)sizeof(a2); (void)sizeof(a3); (void)sizeof(a4))
#endif

#endif /* !_COMPAT_SYS_SDT_H_ */
