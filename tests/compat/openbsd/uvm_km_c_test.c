/*
 * OpenBSD-style C code, compiled unchanged against this project: with
 * compat/openbsd on the include path, through the headers uvm_km(9) names
 * (<sys/param.h>, <uvm/uvm.h>). Kernel memory from kernel_map and from a
 * submap in the caller's storage, zeroed and aligned allocations, address
 * space only, pageable memory, and the calls that return 0.
 */
#include <sys/param.h>
#include <uvm/uvm.h>

#include <stdint.h>
#include <string.h>

#include "tests/util/check.h"

static struct vm_map submap_store;

static int
all_zero(vaddr_t va, vsize_t size)
{
	const unsigned char *p = (const unsigned char *)va;
	vsize_t i;

	for (i = 0; i < size; i++)
		if (p[i] != 0)
			return (0);
	return (1);
}

static void
test_page_size(void)
{
	CHECK(PAGE_SIZE >= 4096 && powerof2(PAGE_SIZE));
	CHECK(PAGE_MASK == PAGE_SIZE - 1);
	CHECK((1 << PAGE_SHIFT) == PAGE_SIZE);
	CHECK(round_page((vsize_t)1) == (vsize_t)PAGE_SIZE);
	CHECK(trunc_page((vaddr_t)PAGE_SIZE + 1) == (vaddr_t)PAGE_SIZE);
}

static void
test_kernel_map(void)
{
	vsize_t size = 3 * PAGE_SIZE + 1;
	vaddr_t va, z, al, km;

	va = uvm_km_alloc(kernel_map, size);
	CHECK(va != 0 && va % PAGE_SIZE == 0);
	if (va != 0) {
		memset((void *)va, 0xa5, size);	/* backed: writable */
		uvm_km_free(kernel_map, va, size);
	}

	z = uvm_km_zalloc(kernel_map, 2 * PAGE_SIZE);
	CHECK(z != 0 && all_zero(z, 2 * PAGE_SIZE));
	if (z != 0)
		uvm_km_free(kernel_map, z, 2 * PAGE_SIZE);

	al = uvm_km_alloc1(kernel_map, PAGE_SIZE, 16 * PAGE_SIZE, TRUE);
	CHECK(al != 0 && al % (16 * PAGE_SIZE) == 0);
	CHECK(al != 0 && all_zero(al, PAGE_SIZE));
	if (al != 0)
		uvm_km_free(kernel_map, al, PAGE_SIZE);

	km = uvm_km_kmemalloc(kernel_map, NULL, 2 * PAGE_SIZE,
	    UVM_KMF_NOWAIT | UVM_KMF_ZERO);
	CHECK(km != 0 && all_zero(km, 2 * PAGE_SIZE));
	if (km != 0)
		uvm_km_free(kernel_map, km, 2 * PAGE_SIZE);

	/* Pageable: no page until touched, and it reads as zero then. */
	va = uvm_km_valloc(kernel_map, 4 * PAGE_SIZE);
	CHECK(va != 0 && all_zero(va, 4 * PAGE_SIZE));
	if (va != 0)
		uvm_km_free_wakeup(kernel_map, va, 4 * PAGE_SIZE);

	/* More than the whole map: 0, and uvm_km_valloc_wait() too. */
	CHECK(uvm_km_alloc(kernel_map, (vsize_t)-1 / 2) == 0);
	CHECK(uvm_km_valloc_wait(kernel_map, (vsize_t)-1 / 2) == 0);
}

static void
test_submap(void)
{
	vaddr_t min = 0, max = 0, va[4];
	struct vm_map *sub;
	int i;

	sub = uvm_km_suballoc(kernel_map, &min, &max, 4 * PAGE_SIZE,
	    VM_MAP_PAGEABLE, FALSE, &submap_store);
	CHECK(sub == &submap_store);
	CHECK(max - min == (vsize_t)4 * PAGE_SIZE);
	for (i = 0; i < 4; i++) {
		va[i] = uvm_km_kmemalloc(sub, NULL, PAGE_SIZE, UVM_KMF_NOWAIT);
		CHECK(va[i] >= min && va[i] + PAGE_SIZE <= max);
	}
	/* Full. */
	CHECK(uvm_km_kmemalloc(sub, NULL, PAGE_SIZE, UVM_KMF_NOWAIT) == 0);
	/* Address space only: the caller enters its own pages. */
	uvm_km_free(sub, va[3], PAGE_SIZE);
	va[3] = uvm_km_kmemalloc(sub, NULL, PAGE_SIZE, UVM_KMF_VALLOC);
	CHECK(va[3] >= min && va[3] + PAGE_SIZE <= max);
	for (i = 0; i < 4; i++)
		if (va[i] != 0)
			uvm_km_free(sub, va[i], PAGE_SIZE);
}

int
main(void)
{
	test_page_size();
	test_kernel_map();
	test_submap();
	return (check_report("uvm_km_c_test", 0));
}
