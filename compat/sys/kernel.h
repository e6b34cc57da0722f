// <sys/kernel.h>: the clock rate and SYSINIT.
//
// SYSINITs register at static-initialisation time and run once, in
// subsystem order, when mi_startup() is first called; the vmem entry points
// call it, so a program needs no set-up of its own.
#ifndef COMPAT_KERNEL_H_
#define COMPAT_KERNEL_H_

#include <type_traits>

// Ticks per second of the emulated clock (callout(9), cv_timedwait()).
extern const int hz;

enum sysinit_sub_id {
  SI_SUB_VM = 0x1000000,
  SI_SUB_KMEM = 0x1800000,
  SI_SUB_CONFIGURE = 0x3800000,
};

enum sysinit_elem_order {
  SI_ORDER_FIRST = 0x0000000,
  SI_ORDER_SECOND = 0x0000001,
  SI_ORDER_MIDDLE = 0x1000000,
  SI_ORDER_ANY = 0xfffffff,
};

// Runs every registered SYSINIT once. Safe to call from several threads and
// from within a SYSINIT (a nested call returns at once).
void mi_startup(void);

struct sysinit_registrar {
  sysinit_registrar(int subsystem, int order, void (*func)(void));
};

// Kernel SYSINIT functions take a void * argument; vmem_startup() takes none.
template <class F, class A>
void sysinit_call(F func, A arg) {
  if constexpr (std::is_invocable_v<F>)
    func();
  else
    func((void *)(arg));
}

#define SYSINIT(uniquifier, subsystem, order, func, ident)              \
  static sysinit_registrar uniquifier##_sys_init((subsystem), (order), \
                                                 [] { sysinit_call(func, ident); })

#endif  // COMPAT_KERNEL_H_
