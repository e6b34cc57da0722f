/*
 * "compat/malloc.h", the header's name before compat/ took FreeBSD's
 * layout, for code not yet moved to <sys/malloc.h>. Remove once nothing
 * includes it (see compat/legacy/README.md).
 */
#ifndef _COMPAT_LEGACY_MALLOC_H_
#define	_COMPAT_LEGACY_MALLOC_H_

#include <sys/malloc.h>

#endif /* !_COMPAT_LEGACY_MALLOC_H_ */
