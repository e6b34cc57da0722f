// hz, the rate of the emulated clock (see <sys/kernel.h>).
#include <sys/kernel.h>

const int hz = 1000;
