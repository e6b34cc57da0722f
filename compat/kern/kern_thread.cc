// curthread (see <sys/proc.h>).
#include <sys/proc.h>

__thread struct thread compat_thread_self
    __attribute__((__tls_model__("initial-exec")));
