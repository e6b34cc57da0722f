/*
 * <sys/systm.h>: panic(9), KASSERT(9) and MPASS, and the C library
 * functions the kernel's own library provides (printf, snprintf, memcpy,
 * bzero, ...).
 *
 * A panic prints "panic: <function>: <message>" to stderr and calls the
 * panic handler set with vmem_set_panic_handler() (<sys/vmem_ext.h>),
 * abort() by default. A handler that returns still ends in abort(); one
 * that throws or longjmps leaves kernel state undefined (locks may be
 * held), which is only fit for tests.
 *
 * KASSERT is always checked. MPASS, for internal invariants, is compiled
 * like assert(): checked unless NDEBUG is defined (Bazel's -c opt), as the
 * kernel checks it only with INVARIANTS.
 */
#ifndef _COMPAT_SYS_SYSTM_H_
#define	_COMPAT_SYS_SYSTM_H_

#include <sys/cdefs.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sys/libkern.h>

__BEGIN_DECLS
void	panic_func(const char *func, const char *fmt, ...) __dead2
	    __printflike(2, 3);
void	vpanic_func(const char *func, const char *fmt, va_list ap) __dead2;
__END_DECLS

/*
 * panic() names the function it is called in, as FreeBSD's messages mostly
 * do by hand; a message that already starts with "<function>: " is not
 * doubled.
 */
#define	panic(...)	panic_func(__func__, __VA_ARGS__)

/* KASSERT(exp, ("fmt", args...)), as in the kernel. */
#define	KASSERT(exp, msg) do {						\
	if (__predict_false(!(exp)))					\
		panic msg;						\
} while (0)

#define	MPASS(ex)	MPASS4(ex, #ex, __FILE__, __LINE__)
#ifdef NDEBUG
#define	MPASS4(ex, what, file, line)	((void)sizeof((ex) ? 1 : 0))
#else
#define	MPASS4(ex, what, file, line)					\
	KASSERT((ex), ("Assertion %s failed at %s:%d", what, file, line))
#endif

#endif /* !_COMPAT_SYS_SYSTM_H_ */
