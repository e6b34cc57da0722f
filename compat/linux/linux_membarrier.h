// An asymmetric fence pair for a fast side that runs often and a slow side
// that runs rarely (the userspace stand-in for the kernel's critical
// sections and IPIs): the fast side only keeps the compiler from reordering,
// the slow side makes every running thread of the process execute a full
// fence (Linux membarrier(2)). A store on one side followed by its fence
// and a load then behaves as if both sides had used full fences.
// Where membarrier is unavailable, the fast side uses a full fence too.
#ifndef COMPAT_ASYMMETRIC_FENCE_H_
#define COMPAT_ASYMMETRIC_FENCE_H_

#include <atomic>

#include "compat/cdefs.h"

// Set when the slow side cannot force fences on other threads. A thread
// calls asymmetric_fence_init() before its first asymmetric_fence_light().
extern std::atomic<bool> asymmetric_fence_degraded;

// Registers the process for membarrier(2) once; later calls are no-ops.
void asymmetric_fence_init(void);

inline void asymmetric_fence_light(void) {
  if (__predict_false(
          asymmetric_fence_degraded.load(std::memory_order_relaxed)))
    std::atomic_thread_fence(std::memory_order_seq_cst);
  else
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

void asymmetric_fence_heavy(void);

#endif  // COMPAT_ASYMMETRIC_FENCE_H_
