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

#endif  // COMPAT_HASH_H_
