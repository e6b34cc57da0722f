/*
 * FreeBSD libuvmem's C interface, compiled as C and linked against
 * libuvmem.so: only <sys/vmem.h>, only libuvmem's functions and flags, used
 * the way C callers such as bhyve do (quantum 0, M_NOWAIT, the three fit
 * strategies, vmem_xalloc() with an alignment). No GoogleTest: prints how
 * many checks passed and exits non-zero if any failed.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/vmem.h>

#include "tests/util/check.h"

/* An ID allocator: IDs 1..16, quantum 0 (taken as 1), next fit. */
static void
test_ids(void)
{
	vmem_t *vm;
	vmem_addr_t id;
	vmem_addr_t i;

	vm = vmem_create("c-ids", 1, 16, 0, 0, M_WAITOK);
	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	CHECK(vmem_roundup_size(vm, 3) == 3);
	for (i = 1; i <= 10; i++) {
		CHECK(vmem_alloc(vm, 1, M_NEXTFIT | M_NOWAIT, &id) == 0);
		CHECK(id == i);
	}
	vmem_free(vm, 3, 1);
	CHECK(vmem_alloc(vm, 1, M_NEXTFIT | M_NOWAIT, &id) == 0);
	CHECK(id == 11);	/* not the freed 3 */
	CHECK(vmem_size(vm, VMEM_ALLOC) == 10);
	CHECK(vmem_size(vm, VMEM_FREE) == 6);
	CHECK(vmem_size(vm, VMEM_ALLOC | VMEM_FREE) == 16);
	for (i = 1; i <= 11; i++)
		if (i != 3)
			vmem_free(vm, i, 1);
	CHECK(vmem_size(vm, VMEM_ALLOC) == 0);
	vmem_destroy(vm);
}

/* Best and first fit, exhaustion with M_NOWAIT, vmem_add(). */
static void
test_fits(void)
{
	vmem_t *vm;
	vmem_addr_t a, b, c;

	vm = vmem_create("c-fits", 0x1000, 0x100, 0x10, 0, M_WAITOK);
	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	CHECK(vmem_roundup_size(vm, 1) == 0x10);
	CHECK(vmem_alloc(vm, 0x30, M_BESTFIT | M_NOWAIT, &a) == 0);
	CHECK(a == 0x1000);
	CHECK(vmem_alloc(vm, 0x11, M_FIRSTFIT | M_NOWAIT, &b) == 0);
	CHECK(b == 0x1030);
	CHECK(vmem_size(vm, VMEM_ALLOC) == 0x50);
	CHECK(vmem_alloc(vm, 0x100, M_BESTFIT | M_NOWAIT, &c) == ENOMEM);
	CHECK(vmem_add(vm, 0x8000, 0x100, M_NOWAIT) == 0);
	CHECK(vmem_size(vm, VMEM_ALLOC | VMEM_FREE) == 0x200);
	CHECK(vmem_alloc(vm, 0x100, M_BESTFIT | M_NOWAIT, &c) == 0);
	CHECK(c == 0x8000);
	CHECK(vmem_size(vm, VMEM_MAXFREE) == 0xb0 / 0x10 * 0x10);
	vmem_free(vm, a, 0x30);
	vmem_free(vm, b, 0x11);
	vmem_free(vm, c, 0x100);
	CHECK(vmem_size(vm, VMEM_ALLOC) == 0);
	CHECK(vmem_size(vm, VMEM_MAXFREE) == 0x100);
	vmem_destroy(vm);
}

/* vmem_xalloc() with an alignment, as bhyve allocates aligned ranges. */
static void
test_xalloc(void)
{
	vmem_t *vm;
	vmem_addr_t a, b;

	vm = vmem_create("c-xalloc", 0x100008, 0x10000, 0, 0, M_WAITOK);
	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	CHECK(vmem_xalloc(vm, 0x100, 0x1000, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &a) == 0);
	CHECK(a % 0x1000 == 0);
	CHECK(a == 0x101000);
	CHECK(vmem_xalloc(vm, 0x10, 0x100, 0, 0, 0x102000, 0x1020ff,
	    M_FIRSTFIT | M_NOWAIT, &b) == 0);
	CHECK(b == 0x102000);
	CHECK(vmem_xalloc(vm, 0x10, 0x100000, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &b) == ENOMEM);
	vmem_xfree(vm, a, 0x100);
	CHECK(vmem_xalloc(vm, 0x10, 0x100, 0, 0, 0x102000, 0x1020ff,
	    M_BESTFIT | M_NOWAIT, &a) == ENOMEM);
	vmem_xfree(vm, 0x102000, 0x10);
	CHECK(vmem_size(vm, VMEM_ALLOC) == 0);
	vmem_destroy(vm);
}

int
main(void)
{
	test_ids();
	test_fits();
	test_xalloc();
	return (check_report("c_abi_test", 0));
}
