/* <sys/smp.h>: the number of CPUs. */
#ifndef _COMPAT_SYS_SMP_H_
#define	_COMPAT_SYS_SMP_H_

#include <sys/cdefs.h>

__BEGIN_DECLS
int	compat_ncpus(void);
__END_DECLS

#define	mp_ncpus	(compat_ncpus())

#endif /* !_COMPAT_SYS_SMP_H_ */
