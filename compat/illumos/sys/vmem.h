/*
 * <sys/vmem.h> for illumos code: illumos's vmem interface, by illumos's
 * names, with compat/illumos on the include path (so that this file is
 * <sys/vmem.h>, as on illumos).
 *
 * The functions are those of <illumos_vmem.h> (see there for what they do
 * and where they differ from illumos): each name here is bound, with an
 * asm label, to its link name illumos_<name>, so that one program may hold
 * illumos code and code that calls FreeBSD's functions of the same names,
 * in different files. A file cannot include both this header and FreeBSD's
 * <sys/vmem.h>; one that needs both interfaces uses <illumos_vmem.h>.
 */
#ifndef _SYS_VMEM_H
#define	_SYS_VMEM_H

#include <sys/types.h>

#include <illumos_vmem.h>

#define	__ILLUMOS_STR(x)	#x
#define	__ILLUMOS_XSTR(x)	__ILLUMOS_STR(x)
#define	__ILLUMOS_NAME(name)						\
	__asm__(__ILLUMOS_XSTR(__USER_LABEL_PREFIX__) "illumos_" #name)

#ifdef	__cplusplus
extern "C" {
#endif

extern vmem_t *vmem_create(const char *, void *, size_t, size_t,
    vmem_alloc_t *, vmem_free_t *, vmem_t *, size_t, int)
    __ILLUMOS_NAME(vmem_create);
extern vmem_t *vmem_xcreate(const char *, void *, size_t, size_t,
    vmem_ximport_t *, vmem_free_t *, vmem_t *, size_t, int)
    __ILLUMOS_NAME(vmem_xcreate);
extern void vmem_destroy(vmem_t *) __ILLUMOS_NAME(vmem_destroy);
extern void *vmem_alloc(vmem_t *, size_t, int) __ILLUMOS_NAME(vmem_alloc);
extern void *vmem_xalloc(vmem_t *, size_t, size_t, size_t, size_t,
    void *, void *, int) __ILLUMOS_NAME(vmem_xalloc);
extern void vmem_free(vmem_t *, void *, size_t) __ILLUMOS_NAME(vmem_free);
extern void vmem_xfree(vmem_t *, void *, size_t) __ILLUMOS_NAME(vmem_xfree);
extern void *vmem_add(vmem_t *, void *, size_t, int) __ILLUMOS_NAME(vmem_add);
extern int vmem_contains(vmem_t *, void *, size_t)
    __ILLUMOS_NAME(vmem_contains);
extern void vmem_walk(vmem_t *, int, void (*)(void *, void *, size_t), void *)
    __ILLUMOS_NAME(vmem_walk);
extern size_t vmem_size(vmem_t *, int) __ILLUMOS_NAME(vmem_size);

#ifdef	__cplusplus
}
#endif

#endif	/* _SYS_VMEM_H */
