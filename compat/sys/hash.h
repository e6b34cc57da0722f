// hash32_buf() of FreeBSD's <sys/hash.h>: Bernstein's hash, h * 33 + c.
#ifndef COMPAT_HASH_H_
#define COMPAT_HASH_H_

#include <stddef.h>
#include <stdint.h>

#define HASHINIT 5381
#define HASHSTEP(x, c) (((x << 5) + x) + (c))

static inline uint32_t hash32_buf(const void *buf, size_t len, uint32_t hash) {
  const unsigned char *p = static_cast<const unsigned char *>(buf);
  while (len--) hash = HASHSTEP(hash, *p++);
  return hash;
}

// A 64-bit mixer (the finaliser of MurmurHash3): every input bit affects
// every output bit, so aligned or sequential keys spread over any
// power-of-two table.
static inline uint64_t hash64_mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

#endif  // COMPAT_HASH_H_
