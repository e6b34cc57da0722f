/*
 * An illumos-style C program written against the installed library only:
 * <sys/vmem.h> is illumos's (pkg-config uvmem-illumos puts
 * PREFIX/include/illumos on the include path). Built outside Bazel by
 * install_test.sh, shared and static. Prints "uvmem-illumos: ok" and exits
 * 0, or names the first check that failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/types.h>
#include <sys/vmem.h>

#define	CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "prog_illumos.c:%d: check failed: %s\n", \
		    __LINE__, #cond);					\
		exit(1);						\
	}								\
} while (0)

#define	PAGE	((size_t)4096)
#define	CHUNK	(16 * PAGE)
#define	HEAP	((uintptr_t)0x10000000)

static int imports, releases;

static void *
chunk_import(vmem_t *src, size_t size, int vmflag)
{
	imports++;
	return (vmem_alloc(src, size, vmflag));
}

static void
chunk_release(vmem_t *src, void *addr, size_t size)
{
	releases++;
	vmem_free(src, addr, size);
}

static void
count_bytes(void *arg, void *start, size_t size)
{
	(void)start;
	*(size_t *)arg += size;
}

int
main(void)
{
	vmem_t *heap, *pages, *ids;
	void *a, *c;
	size_t bytes;
	uintptr_t id;
	int i;

	heap = vmem_create("heap", (void *)HEAP, 64 * CHUNK, PAGE, NULL,
	    NULL, NULL, 0, VM_SLEEP);
	CHECK(heap != NULL);
	pages = vmem_create("pages", NULL, 0, PAGE, chunk_import,
	    chunk_release, heap, 0, VM_SLEEP);
	CHECK(pages != NULL);

	a = vmem_alloc(pages, 3 * PAGE, VM_SLEEP);
	CHECK(a != NULL && imports >= 1);
	CHECK(vmem_contains(heap, a, 3 * PAGE));
	c = vmem_xalloc(heap, 2 * PAGE, 8 * PAGE, 0, 0, NULL, NULL,
	    VM_NOSLEEP | VM_FIRSTFIT);
	CHECK(c != NULL && (uintptr_t)c % (8 * PAGE) == 0);
	bytes = 0;
	vmem_walk(pages, VMEM_ALLOC, count_bytes, &bytes);
	CHECK(bytes == 3 * PAGE);
	CHECK(vmem_size(pages, VMEM_ALLOC) == 3 * PAGE);
	vmem_xfree(heap, c, 2 * PAGE);
	vmem_free(pages, a, 3 * PAGE);
	vmem_destroy(pages);
	CHECK(releases == imports);
	CHECK(vmem_size(heap, VMEM_ALLOC) == 0);
	vmem_destroy(heap);

	/* An identifier arena, next fit. */
	ids = vmem_create("ids", (void *)1, 100, 1, NULL, NULL, NULL, 0,
	    VM_SLEEP | VMC_IDENTIFIER);
	CHECK(ids != NULL);
	for (i = 1; i <= 5; i++) {
		id = (uintptr_t)vmem_alloc(ids, 1, VM_SLEEP | VM_NEXTFIT);
		CHECK(id == (uintptr_t)i);
	}
	for (i = 1; i <= 5; i++)
		vmem_free(ids, (void *)(uintptr_t)i, 1);
	vmem_destroy(ids);

	printf("uvmem-illumos: ok\n");
	return (0);
}
