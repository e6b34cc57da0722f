/* <machine/cpu.h>: cpu_spinwait(), the hint a busy-wait loop gives the CPU. */
#ifndef _COMPAT_MACHINE_CPU_H_
#define	_COMPAT_MACHINE_CPU_H_

static __inline void
cpu_spinwait(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#endif /* !_COMPAT_MACHINE_CPU_H_ */
