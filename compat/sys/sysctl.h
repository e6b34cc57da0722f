/*
 * sysctl(9) integer knobs: SYSCTL_INT registers "<parent>.<name>" when the
 * program starts; a program reads and sets it with vmem_sysctl_int() (see
 * <sys/vmem_ext.h>).
 */
#ifndef _COMPAT_SYS_SYSCTL_H_
#define	_COMPAT_SYS_SYSCTL_H_

#include <sys/cdefs.h>

#define	OID_AUTO	(-1)
#define	CTLFLAG_RD	0x80000000
#define	CTLFLAG_WR	0x40000000
#define	CTLFLAG_RW	(CTLFLAG_RD | CTLFLAG_WR)
#define	CTLFLAG_TUN	0x00080000
#define	CTLFLAG_RWTUN	(CTLFLAG_RW | CTLFLAG_TUN)

__BEGIN_DECLS
/*
 * What SYSCTL_INT expands to. parent is a token like _debug or _kern; the
 * registered name drops the leading underscore.
 */
void	sysctl_register_int(const char *parent, const char *name, int access,
	    int *ptr, const char *descr);
__END_DECLS

#ifdef __cplusplus
struct sysctl_int_registrar {
	sysctl_int_registrar(const char *parent, const char *name, int access,
	    int *ptr, const char *descr) {
		sysctl_register_int(parent, name, access, ptr, descr);
	}
};

#define	SYSCTL_INT(parent, nbr, name, access, ptr, val, descr)		\
	static sysctl_int_registrar sysctl_##parent##_##name(#parent, #name, \
	    (access), (ptr), (descr))
#else
#define	SYSCTL_INT(parent, nbr, name, access, ptr, val, descr)		\
	static void __attribute__((__constructor__))			\
	sysctl_##parent##_##name(void)					\
	{								\
		sysctl_register_int(#parent, #name, (access), (ptr), (descr)); \
	}
#endif

#endif /* !_COMPAT_SYS_SYSCTL_H_ */
