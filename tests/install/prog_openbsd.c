/*
 * An OpenBSD-style C program written against the installed library only:
 * uvm_km(9) through <sys/param.h> and <uvm/uvm.h> (pkg-config uvmem-openbsd
 * puts PREFIX/include/openbsd on the include path). Built outside Bazel by
 * install_test.sh, shared and static. Prints "uvmem-openbsd: ok" and exits
 * 0, or names the first check that failed.
 */
#include <sys/param.h>
#include <uvm/uvm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define	CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "prog_openbsd.c:%d: check failed: %s\n", \
		    __LINE__, #cond);					\
		exit(1);						\
	}								\
} while (0)

static struct vm_map submap_store;	/* the caller's storage */

int
main(void)
{
	vaddr_t va, z, min = 0, max = 0;
	struct vm_map *sub;
	int i;

	CHECK(PAGE_SIZE >= 4096 && powerof2(PAGE_SIZE));
	CHECK(round_page((vsize_t)1) == (vsize_t)PAGE_SIZE);

	va = uvm_km_alloc(kernel_map, 3 * PAGE_SIZE);
	CHECK(va != 0 && va % PAGE_SIZE == 0);
	memset((void *)va, 0xa5, 3 * PAGE_SIZE);	/* backed: writable */
	uvm_km_free(kernel_map, va, 3 * PAGE_SIZE);

	z = uvm_km_zalloc(kernel_map, 2 * PAGE_SIZE);
	CHECK(z != 0);
	for (i = 0; i < 2 * PAGE_SIZE; i++)
		CHECK(((unsigned char *)z)[i] == 0);
	uvm_km_free(kernel_map, z, 2 * PAGE_SIZE);

	sub = uvm_km_suballoc(kernel_map, &min, &max, 4 * PAGE_SIZE,
	    VM_MAP_PAGEABLE, FALSE, &submap_store);
	CHECK(sub == &submap_store && max - min == (vsize_t)4 * PAGE_SIZE);
	va = uvm_km_kmemalloc(sub, NULL, PAGE_SIZE, UVM_KMF_NOWAIT);
	CHECK(va >= min && va + PAGE_SIZE <= max);
	uvm_km_free(sub, va, PAGE_SIZE);

	CHECK(uvm_km_alloc(kernel_map, (vsize_t)-1 / 2) == 0);

	printf("uvmem-openbsd: ok\n");
	return (0);
}
