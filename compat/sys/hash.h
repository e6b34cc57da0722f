/*
 * <sys/hash.h>: hash64_mix(), the hash vmem's busy-tag table uses (see
 * bt_hashhead() in kern/subr_vmem.cc for why not FreeBSD's hash32_buf()).
 */
#ifndef _COMPAT_SYS_HASH_H_
#define	_COMPAT_SYS_HASH_H_

#include <stdint.h>

/*
 * A 64-bit mixer (the finaliser of MurmurHash3): every input bit affects
 * every output bit, so aligned or sequential keys spread over any
 * power-of-two table.
 */
static __inline uint64_t
hash64_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (x);
}

#endif /* !_COMPAT_SYS_HASH_H_ */
