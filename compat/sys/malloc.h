/*
 * malloc(9): malloc(size, type, flags) and free(addr, type), with kernel
 * semantics.
 *
 * M_WAITOK never returns NULL (it waits for memory); M_NOWAIT may, and a
 * test hook can make it fail on purpose; M_ZERO zeroes. Each MALLOC_DEFINE
 * type counts its use.
 *
 * The functions are kern_malloc() and kern_free(). C++ calls them through
 * overloads of the C library's malloc() and free(). In C, malloc and free
 * are macros that take the kernel's arguments, as in the kernel: a C file
 * that includes this header cannot call the C library's under those names,
 * and must include <malloc.h>, if at all, before it (it includes
 * <stdlib.h> itself).
 *
 * The M_* flags are libuvmem's values (<sys/_malloc_flags.h>), not the
 * FreeBSD kernel's: code that uses the names gets the right ones.
 *
 * free(9) panics when the type is not the allocation's (each allocation
 * records its type in a header in front of it).
 */
#ifndef _COMPAT_SYS_MALLOC_H_
#define	_COMPAT_SYS_MALLOC_H_

#include <sys/cdefs.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#include <sys/_malloc_flags.h>	/* the M_* flags: libuvmem's values */

struct malloc_type {
	const char	*ks_shortdesc;
	const char	*ks_longdesc;
	/* Counters, updated with __atomic builtins. */
	uint64_t	ks_calls;	/* successful allocations */
	uint64_t	ks_failures;	/* M_NOWAIT allocations that failed */
	int64_t		ks_inuse;	/* allocations not yet freed */
	int64_t		ks_memuse;	/* their bytes */
};

#define	MALLOC_DEFINE(type, shortdesc, longdesc)			\
	struct malloc_type type[1] = {{ (shortdesc), (longdesc), 0, 0, 0, 0 }}
#define	MALLOC_DECLARE(type)	extern struct malloc_type type[1]

/*
 * Failure injection: when set, the hook is asked before every M_NOWAIT
 * allocation and a true answer makes it fail. Returns the previous hook.
 */
typedef bool (*malloc_failure_hook_t)(size_t size, struct malloc_type *type);

__BEGIN_DECLS
void	*kern_malloc(size_t size, struct malloc_type *type, int flags);
void	kern_free(void *addr, struct malloc_type *type);
malloc_failure_hook_t malloc_set_failure_hook(malloc_failure_hook_t hook);
__END_DECLS

#ifdef __cplusplus
inline void *
malloc(size_t size, struct malloc_type *type, int flags)
{
	return (kern_malloc(size, type, flags));
}

inline void
free(void *addr, struct malloc_type *type)
{
	kern_free(addr, type);
}
#else
#define	malloc(size, type, flags)	kern_malloc((size), (type), (flags))
#define	free(addr, type)		kern_free((addr), (type))
#endif

#endif /* !_COMPAT_SYS_MALLOC_H_ */
