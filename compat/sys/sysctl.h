// sysctl(9) integer knobs: SYSCTL_INT registers "<parent>.<name>", which a
// program reads and sets with vmem_sysctl_int() (see <sys/vmem_ext.h>).
#ifndef COMPAT_SYSCTL_H_
#define COMPAT_SYSCTL_H_

#define OID_AUTO (-1)
#define CTLFLAG_RD 0x80000000
#define CTLFLAG_WR 0x40000000
#define CTLFLAG_RW (CTLFLAG_RD | CTLFLAG_WR)
#define CTLFLAG_TUN 0x00080000
#define CTLFLAG_RWTUN (CTLFLAG_RW | CTLFLAG_TUN)

struct sysctl_int_registrar {
  sysctl_int_registrar(const char *parent, const char *name, int access,
                       int *ptr, const char *descr);
};

// parent is a token like _debug or _kern; the registered name drops the
// leading underscore.
#define SYSCTL_INT(parent, nbr, name, access, ptr, val, descr) \
  static sysctl_int_registrar sysctl_##parent##_##name(#parent, #name, \
                                                       (access), (ptr), (descr))

extern "C" int vmem_sysctl_int(const char *name, int *oldval,
                               const int *newval);

#endif  // COMPAT_SYSCTL_H_
