/*
 * illumos-style C code, compiled unchanged against this project: with
 * compat/illumos on the include path, <sys/vmem.h> is illumos's, and
 * vmem_create(), vmem_alloc() ... are illumos's functions (link names
 * illumos_vmem_create() ...). freebsd_side.c, in the same program, calls
 * FreeBSD's functions of the same names on the same arenas.
 *
 * Covered: a page arena with vmem_xcreate() importing from a heap arena
 * (the import may enlarge the span, VMC_XALIGN), spans given back when
 * wholly free, the fit policies, vmem_xalloc() constraints, vmem_walk(),
 * vmem_contains(), and an identifier arena (VMC_IDENTIFIER, next fit).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sys/types.h>
#include <sys/vmem.h>

#include "tests/util/check.h"

/* In freebsd_side.c: checks with FreeBSD's interface; failures. */
int freebsd_side(vmem_t *ids, uintptr_t first_free_id);

#define	PAGE	((size_t)4096)
#define	CHUNK	(16 * PAGE)		/* what the import brings in */
#define	HEAP	((uintptr_t)0x10000000)

static int imports, releases;
static size_t imported;			/* bytes imported, not released */

/* Imports whole chunks, aligned as asked (VMC_XALIGN). */
static void *
chunk_import(vmem_t *src, size_t *sizep, size_t align, int vmflag)
{
	size_t size = (*sizep + CHUNK - 1) / CHUNK * CHUNK;
	void *p;

	p = vmem_xalloc(src, size, align > PAGE ? align : PAGE, 0, 0, NULL,
	    NULL, vmflag);
	if (p == NULL)
		return (NULL);
	*sizep = size;
	imports++;
	imported += size;
	return (p);
}

static void
chunk_release(vmem_t *src, void *addr, size_t size)
{
	releases++;
	imported -= size;
	vmem_xfree(src, addr, size);
}

struct walk_count {
	int	segs;
	size_t	bytes;
};

static void
count_segment(void *arg, void *start, size_t size)
{
	struct walk_count *w = arg;

	(void)start;
	w->segs++;
	w->bytes += size;
}

static void
test_xcreate_import(void)
{
	vmem_t *heap, *vm;
	void *a, *b, *c;
	struct walk_count w;

	heap = vmem_create("c-heap", (void *)HEAP, 64 * CHUNK, PAGE, NULL,
	    NULL, NULL, 0, VM_SLEEP);
	CHECK(heap != NULL);
	vm = vmem_xcreate("c-pages", NULL, 0, PAGE, chunk_import,
	    chunk_release, heap, 0, VM_SLEEP | VMC_XALIGN);
	CHECK(vm != NULL);
	if (heap == NULL || vm == NULL)
		return;
	CHECK(vmem_size(vm, VMEM_ALLOC | VMEM_FREE) == 0);

	/* One import of a whole chunk serves several allocations. */
	a = vmem_alloc(vm, 3 * PAGE, VM_SLEEP);
	CHECK(a != NULL);
	CHECK(imports == 1);
	CHECK(vmem_size(vm, VMEM_ALLOC | VMEM_FREE) == CHUNK);
	CHECK(vmem_contains(heap, a, 3 * PAGE));
	b = vmem_alloc(vm, PAGE, VM_NOSLEEP | VM_BESTFIT);
	CHECK(b != NULL);
	CHECK(imports == 1);

	/*
	 * Constraints: aligned to 8 pages, not crossing 16, within the first
	 * chunk of the heap (which the arena imported: constrained requests
	 * do not import).
	 */
	c = vmem_xalloc(vm, 2 * PAGE, 8 * PAGE, 0, 16 * PAGE, (void *)HEAP,
	    (void *)(HEAP + CHUNK), VM_NOSLEEP | VM_FIRSTFIT);
	CHECK(c != NULL);
	CHECK((uintptr_t)c % (8 * PAGE) == 0);
	CHECK((uintptr_t)c >= HEAP && (uintptr_t)c + 2 * PAGE <= HEAP + CHUNK);
	CHECK(imports == 1);

	memset(&w, 0, sizeof(w));
	vmem_walk(vm, VMEM_ALLOC, count_segment, &w);
	CHECK(w.bytes == 6 * PAGE);
	memset(&w, 0, sizeof(w));
	vmem_walk(vm, VMEM_SPAN, count_segment, &w);
	CHECK(w.bytes == vmem_size(vm, VMEM_ALLOC | VMEM_FREE));
	CHECK(w.bytes == imported);

	/* A request no chunk can hold fails at once with VM_NOSLEEP. */
	CHECK(vmem_xalloc(vm, PAGE, 0, 0, 0, (void *)1, (void *)0x1000,
	    VM_NOSLEEP) == NULL);

	vmem_xfree(vm, c, 2 * PAGE);
	vmem_free(vm, b, PAGE);
	vmem_free(vm, a, 3 * PAGE);
	/* Wholly free, the span went back. */
	CHECK(releases == imports);
	vmem_destroy(vm);
	CHECK(releases == imports);
	CHECK(imported == 0);
	CHECK(vmem_size(heap, VMEM_ALLOC) == 0);
	vmem_destroy(heap);
}

static void
test_identifiers(void)
{
	vmem_t *ids;
	uintptr_t id;
	int i, fails;

	ids = vmem_create("c-ids", (void *)1, 1000, 1, NULL, NULL, NULL, 0,
	    VM_SLEEP | VMC_IDENTIFIER);
	CHECK(ids != NULL);
	if (ids == NULL)
		return;
	for (i = 1; i <= 10; i++) {
		id = (uintptr_t)vmem_alloc(ids, 1, VM_SLEEP | VM_NEXTFIT);
		CHECK(id == (uintptr_t)i);
	}
	vmem_free(ids, (void *)3, 1);
	/* Next fit does not hand a freed identifier out again at once. */
	id = (uintptr_t)vmem_alloc(ids, 1, VM_NOSLEEP | VM_NEXTFIT);
	CHECK(id == 11);
	CHECK(vmem_size(ids, VMEM_ALLOC) == 10);

	/* FreeBSD's functions on the same arena, from another file. */
	fails = freebsd_side(ids, 12);
	CHECK(fails == 0);
	CHECK(vmem_size(ids, VMEM_ALLOC) == 10);

	for (i = 1; i <= 11; i++)
		if (i != 3)
			vmem_free(ids, (void *)(uintptr_t)i, 1);
	CHECK(vmem_size(ids, VMEM_ALLOC) == 0);
	vmem_destroy(ids);
}

int
main(void)
{
	test_xcreate_import();
	test_identifiers();
	return (check_report("illumos_c_test", 0));
}
