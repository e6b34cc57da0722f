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
 * A probe site is a no-op instruction and a note that says where its
 * arguments are: when nobody traces, it costs the arguments' setup, so
 * pass values at hand (no calls).  A tracer reads the arguments when the
 * probe fires; nothing is recorded in the process.
 *
 * Names: a probe is PROV:::NAME, as in DTrace.  USDT has a provider and
 * a name only, so the module and function parts are left empty.  A name
 * is written as FreeBSD's sources write it, a dash as "__"
 * (SDT_PROBE2(vmem, , , alloc__start, ...) is DTrace's vmem:::alloc-start),
 * and the note keeps that spelling: FreeBSD converts at run time, a note
 * is written at compile time, and perf(1) takes only C identifiers (one
 * dashed note makes `perf probe` refuse every probe of the file).
 *
 * SDT_PROVIDER_DEFINE() and SDT_PROBE_DEFINEn() emit nothing (the note
 * at each site is the whole probe); they declare a name that each
 * SDT_PROBEn() checks at compile time, so a probe fired without being
 * defined, or misspelt, does not compile.  As in FreeBSD, the definitions
 * list a provider's probes and their argument types in one place.
 */
#ifndef _COMPAT_SYS_SDT_H_
#define	_COMPAT_SYS_SDT_H_

#if defined(__has_include_next)
#if __has_include_next(<sys/sdt.h>)
#include_next <sys/sdt.h>
#endif
#endif

#define	_FBSD_SDT_NAME(prov, mod, func, name)				\
	sdt_##prov##_##mod##_##func##_##name
#define	SDT_PROVIDER_DEFINE(prov)					\
	extern const int sdt_provider_##prov
#define	SDT_PROVIDER_DECLARE(prov)					\
	extern const int sdt_provider_##prov
#define	SDT_PROBE_DECLARE(prov, mod, func, name)			\
	extern const int _FBSD_SDT_NAME(prov, mod, func, name)
#define	SDT_PROBE_DEFINE(prov, mod, func, name)				\
	SDT_PROBE_DECLARE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE0(prov, mod, func, name)			\
	SDT_PROBE_DEFINE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE1(prov, mod, func, name, t0)			\
	SDT_PROBE_DEFINE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE2(prov, mod, func, name, t0, t1)		\
	SDT_PROBE_DEFINE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE3(prov, mod, func, name, t0, t1, t2)		\
	SDT_PROBE_DEFINE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE4(prov, mod, func, name, t0, t1, t2, t3)	\
	SDT_PROBE_DEFINE(prov, mod, func, name)
#define	SDT_PROBE_DEFINE5(prov, mod, func, name, t0, t1, t2, t3, t4)	\
	SDT_PROBE_DEFINE(prov, mod, func, name)

/* Fails to compile unless the probe was defined (or declared). */
#define	_FBSD_SDT_CHECK(prov, mod, func, name)				\
	(void)sizeof(_FBSD_SDT_NAME(prov, mod, func, name))

#if defined(_SYS_SDT_H) && !defined(SDT_NO_USDT)
/* systemtap's header is there: each probe is a USDT note. */
#define	SDT_USDT	1
#define	_FBSD_SDT_NOTE0(prov, name)		STAP_PROBE(prov, name)
#define	_FBSD_SDT_NOTE1(prov, name, a0)	STAP_PROBE1(prov, name, a0)
#define	_FBSD_SDT_NOTE2(prov, name, a0, a1)	STAP_PROBE2(prov, name, a0, a1)
#define	_FBSD_SDT_NOTE3(prov, name, a0, a1, a2)				\
	STAP_PROBE3(prov, name, a0, a1, a2)
#define	_FBSD_SDT_NOTE4(prov, name, a0, a1, a2, a3)				\
	STAP_PROBE4(prov, name, a0, a1, a2, a3)
#define	_FBSD_SDT_NOTE5(prov, name, a0, a1, a2, a3, a4)			\
	STAP_PROBE5(prov, name, a0, a1, a2, a3, a4)
#else
/* No USDT header: nothing, arguments unevaluated (but used). */
#define	SDT_USDT	0
#define	_FBSD_SDT_NOTE0(prov, name)		(void)0
#define	_FBSD_SDT_NOTE1(prov, name, a0)	(void)sizeof(a0)
#define	_FBSD_SDT_NOTE2(prov, name, a0, a1)					\
	(void)sizeof(a0), (void)sizeof(a1)
#define	_FBSD_SDT_NOTE3(prov, name, a0, a1, a2)				\
	_FBSD_SDT_NOTE2(prov, name, a0, a1), (void)sizeof(a2)
#define	_FBSD_SDT_NOTE4(prov, name, a0, a1, a2, a3)				\
	_FBSD_SDT_NOTE3(prov, name, a0, a1, a2), (void)sizeof(a3)
#define	_FBSD_SDT_NOTE5(prov, name, a0, a1, a2, a3, a4)			\
	_FBSD_SDT_NOTE4(prov, name, a0, a1, a2, a3), (void)sizeof(a4)
#endif

#define	_FBSD_SDT_PROBE(prov, mod, func, name, note)				\
	do {								\
		_FBSD_SDT_CHECK(prov, mod, func, name);			\
		note;							\
	} while (0)
#define	SDT_PROBE0(prov, mod, func, name)				\
	_FBSD_SDT_PROBE(prov, mod, func, name, _FBSD_SDT_NOTE0(prov, name))
#define	SDT_PROBE1(prov, mod, func, name, a0)				\
	_FBSD_SDT_PROBE(prov, mod, func, name, _FBSD_SDT_NOTE1(prov, name, a0))
#define	SDT_PROBE2(prov, mod, func, name, a0, a1)			\
	_FBSD_SDT_PROBE(prov, mod, func, name, _FBSD_SDT_NOTE2(prov, name, a0, a1))
#define	SDT_PROBE3(prov, mod, func, name, a0, a1, a2)			\
	_FBSD_SDT_PROBE(prov, mod, func, name,				\
	    _FBSD_SDT_NOTE3(prov, name, a0, a1, a2))
#define	SDT_PROBE4(prov, mod, func, name, a0, a1, a2, a3)		\
	_FBSD_SDT_PROBE(prov, mod, func, name,				\
	    _FBSD_SDT_NOTE4(prov, name, a0, a1, a2, a3))
#define	SDT_PROBE5(prov, mod, func, name, a0, a1, a2, a3, a4)		\
	_FBSD_SDT_PROBE(prov, mod, func, name,				\
	    _FBSD_SDT_NOTE5(prov, name, a0, a1, a2, a3, a4))

#endif /* !_COMPAT_SYS_SDT_H_ */
