#include "compat/witness.h"

#include <stdio.h>
#include <unistd.h>

#include "compat/panic.h"
#include "compat/smp.h"

void witness_warn(int flags, const char *fmt, const char *func) {
  if ((flags & WARN_PANIC) != 0)
    panic("%s: may sleep with %d mutex(es) held", fmt, compat_locks_held());
  fprintf(stderr, "witness: %s: %s may sleep with %d mutex(es) held\n", func,
          fmt, compat_locks_held());
}

int compat_ncpus(void) {
  static const int ncpus = [] {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
  }();
  return ncpus;
}
