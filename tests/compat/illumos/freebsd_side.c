/*
 * The FreeBSD half of illumos_c_test: FreeBSD's <sys/vmem.h>, whose
 * vmem_create(), vmem_alloc() ... share their names with illumos's, in the
 * same program as illumos code. Returns the number of failed checks.
 */
#include <sys/vmem.h>

#include "tests/util/check.h"

int freebsd_side(vmem_t *ids, vmem_addr_t first_free_id);

int
freebsd_side(vmem_t *ids, vmem_addr_t first_free_id)
{
	vmem_t *vm;
	vmem_addr_t addr;

	/* An identifier arena of the illumos side, through FreeBSD's calls. */
	CHECK(vmem_alloc(ids, 1, M_NEXTFIT | M_NOWAIT, &addr) == 0);
	CHECK(addr == first_free_id);
	vmem_free(ids, addr, 1);

	/* FreeBSD's vmem_create(), with its own signature. */
	vm = vmem_create("c-bsd", 0x1000, 0x1000, 0x10, 0, M_WAITOK);
	CHECK(vm != NULL);
	if (vm == NULL)
		return (check_failed);
	CHECK(vmem_xalloc(vm, 0x100, 0x100, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &addr) == 0);
	CHECK(addr % 0x100 == 0);
	vmem_xfree(vm, addr, 0x100);
	CHECK(vmem_size(vm, VMEM_ALLOC) == 0);
	vmem_destroy(vm);
	printf("freebsd_side: %d checks passed, %d failed\n", check_passed,
	    check_failed);
	return (check_failed);
}
