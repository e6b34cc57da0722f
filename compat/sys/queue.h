// queue(3) lists. glibc's <sys/queue.h> has every macro the kernel files
// use (LIST_*, TAILQ_* with TAILQ_PREV, TAILQ_LAST, TAILQ_INSERT_BEFORE).
#ifndef COMPAT_QUEUE_H_
#define COMPAT_QUEUE_H_

#include <sys/queue.h>

#endif  // COMPAT_QUEUE_H_
