/*
 * "compat/uma.h", the header's name before compat/ took FreeBSD's layout,
 * for code not yet moved to <vm/uma.h>. Remove once nothing includes it
 * (see compat/legacy/README.md).
 */
#ifndef _COMPAT_LEGACY_UMA_H_
#define	_COMPAT_LEGACY_UMA_H_

#include <vm/uma.h>

#endif /* !_COMPAT_LEGACY_UMA_H_ */
