// <sys/smp.h>: the number of CPUs.
#ifndef COMPAT_SMP_H_
#define COMPAT_SMP_H_

int compat_ncpus(void);
#define mp_ncpus (compat_ncpus())

#endif  // COMPAT_SMP_H_
