// panic(9), KASSERT(9) and MPASS: always on.
//
// A panic prints "panic: <function>: <message>" to stderr and calls the
// panic handler, abort() by default. A handler that returns still ends in
// abort(); one that throws or longjmps leaves kernel state undefined (locks
// may be held), which is only fit for tests.
#ifndef COMPAT_PANIC_H_
#define COMPAT_PANIC_H_

#include <stdarg.h>

#include "compat/cdefs.h"

extern "C" {
typedef void (*vmem_panic_handler_t)(const char *message);
// Install a handler; returns the previous one. NULL restores abort().
vmem_panic_handler_t vmem_set_panic_handler(vmem_panic_handler_t handler);
}

[[noreturn]] void panic_func(const char *func, const char *fmt, ...)
    __printflike(2, 3);
[[noreturn]] void vpanic_func(const char *func, const char *fmt, va_list ap);

// Calls name the function they are in, as FreeBSD's messages mostly do by
// hand; a message that already starts with "<function>: " is not doubled.
#define panic(...) panic_func(__func__, __VA_ARGS__)

// KASSERT(exp, ("fmt", args...)), as in the kernel.
#define KASSERT(exp, msg)                  \
  do {                                     \
    if (__predict_false(!(exp))) panic msg; \
  } while (0)

// MPASS(ex): an internal invariant, compiled like assert(): checked unless
// NDEBUG is defined (Bazel's -c opt), as the kernel checks it only with
// INVARIANTS. Misuse by callers is caught by KASSERTs, which stay on.
#define MPASS(ex) MPASS4(ex, #ex, __FILE__, __LINE__)
#ifdef NDEBUG
#define MPASS4(ex, what, file, line) ((void)sizeof((ex) ? 1 : 0))
#else
#define MPASS4(ex, what, file, line) \
  KASSERT((ex), ("Assertion %s failed at %s:%d", what, file, line))
#endif

#endif  // COMPAT_PANIC_H_
