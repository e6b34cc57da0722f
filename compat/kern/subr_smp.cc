// mp_ncpus (see <sys/smp.h>).
#include <sys/smp.h>

#include <unistd.h>

int compat_ncpus(void) {
  static const int ncpus = [] {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
  }();
  return ncpus;
}
