// witness_warn(), behind WITNESS_WARN (see <sys/lock.h>).
#include <sys/lock.h>

#include <stdio.h>

#include <sys/systm.h>

void witness_warn(int flags, const char *fmt, const char *func) {
  if ((flags & WARN_PANIC) != 0)
    panic("%s: may sleep with %d mutex(es) held", fmt, curthread->td_locks);
  fprintf(stderr, "witness: %s: %s may sleep with %d mutex(es) held\n", func,
          fmt, curthread->td_locks);
}
