/*
 * <sys/kernel.h>: the clock rate and SYSINIT.
 *
 * SYSINITs register when the program starts (static initialisation) and
 * run once, in subsystem order, when mi_startup() is first called; the vmem
 * entry points call it, so a program needs no set-up of its own.
 */
#ifndef _COMPAT_SYS_KERNEL_H_
#define	_COMPAT_SYS_KERNEL_H_

#include <sys/cdefs.h>

__BEGIN_DECLS
/* Ticks per second of the emulated clock (callout(9), cv_timedwait()). */
extern const int hz;

/*
 * Runs every registered SYSINIT once. Safe to call from several threads and
 * from within a SYSINIT (a nested call returns at once).
 */
void	mi_startup(void);

/* What SYSINIT expands to: run func (no argument) at that point of boot. */
void	sysinit_register(int subsystem, int order, void (*func)(void));
__END_DECLS

enum sysinit_sub_id {
	SI_SUB_VM		= 0x1000000,
	SI_SUB_KMEM		= 0x1800000,
	SI_SUB_CONFIGURE	= 0x3800000,
};

enum sysinit_elem_order {
	SI_ORDER_FIRST		= 0x0000000,
	SI_ORDER_SECOND		= 0x0000001,
	SI_ORDER_MIDDLE		= 0x1000000,
	SI_ORDER_ANY		= 0xfffffff,
};

#ifdef __cplusplus
#include <type_traits>

struct sysinit_registrar {
	sysinit_registrar(int subsystem, int order, void (*func)(void)) {
		sysinit_register(subsystem, order, func);
	}
};

/* Kernel SYSINIT functions take a void * argument; vmem_startup() none. */
template <class F, class A>
void sysinit_call(F func, A arg) {
	if constexpr (std::is_invocable_v<F>)
		func();
	else
		func((void *)(arg));
}

#define	SYSINIT(uniquifier, subsystem, order, func, ident)		\
	static sysinit_registrar uniquifier##_sys_init((subsystem), (order), \
	    [] { sysinit_call(func, ident); })
#else
/* In C, func takes a void * argument, as the kernel's SYSINIT functions. */
#define	SYSINIT(uniquifier, subsystem, order, func, ident)		\
	static void uniquifier##_sys_run(void) { (func)((void *)(ident)); } \
	static void __attribute__((__constructor__))			\
	uniquifier##_sys_init(void)					\
	{								\
		sysinit_register((subsystem), (order), uniquifier##_sys_run); \
	}
#endif

#endif /* !_COMPAT_SYS_KERNEL_H_ */
