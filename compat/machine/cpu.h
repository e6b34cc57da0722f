// cpu_spinwait(9): the hint a busy-wait loop gives the CPU (machine/cpu.h).
#ifndef COMPAT_CPU_H_
#define COMPAT_CPU_H_

inline void cpu_spinwait(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

#endif  // COMPAT_CPU_H_
