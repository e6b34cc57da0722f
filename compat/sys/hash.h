/*
 * <sys/hash.h>: FreeBSD's hash routines.  The one vmem called,
 * hash32_buf(), is replaced in the port by a hash of its own
 * (vmem_hash_index(), kern/PORTING.md entry 28), and nothing else here uses
 * one, so this header only keeps the translation's include line upstream's.
 */
#ifndef _COMPAT_SYS_HASH_H_
#define	_COMPAT_SYS_HASH_H_

#endif /* !_COMPAT_SYS_HASH_H_ */
