/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * The M_* flags, defined once for every interface that takes them: vmem(9)
 * (<sys/vmem.h>) and the kernel environment's malloc(9) and zone(9)
 * (<sys/malloc.h>, <vm/uma.h>).
 *
 * They are libuvmem's values, not the FreeBSD kernel's: M_NOWAIT and the
 * fit strategies are those of FreeBSD's userspace <sys/vmem.h>, so libuvmem
 * callers compile unchanged, and the library is one binary for both.
 * Kernel-style code compiled against the kernel environment gets these
 * values too (the kernel's M_NOWAIT is 0x0001; here 0x0800, the kernel's
 * M_NODUMP): use the names, never numbers.
 */
#ifndef _SYS__MALLOC_FLAGS_H_
#define	_SYS__MALLOC_FLAGS_H_

#define	M_WAITOK	0x0002	/* may sleep; never fails (default) */
#define	M_ZERO		0x0100	/* malloc(9), uma(9): zero the memory */
#define	M_NOVM		0x0200	/* do not ask the backing allocator */
#define	M_USE_RESERVE	0x0400	/* may dip into reserved items */
#define	M_NOWAIT	0x0800	/* do not sleep; may fail with ENOMEM */
#define	M_FIRSTFIT	0x1000	/* vmem: fast fit */
#define	M_BESTFIT	0x2000	/* vmem: low fragmentation */
#define	M_NEXTFIT	0x8000	/* vmem: follow a cursor (rotating IDs) */

#endif /* !_SYS__MALLOC_FLAGS_H_ */
