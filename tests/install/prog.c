/*
 * A C program written against the installed library only: built outside
 * Bazel by install_test.sh with cc and pkg-config, shared and static.
 * Prints "uvmem: ok" and exits 0, or names the first check that failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#define	CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "prog.c:%d: check failed: %s\n",	\
		    __LINE__, #cond);					\
		exit(1);						\
	}								\
} while (0)

int
main(void)
{
	vmem_t *ports, *kva, *kmem;
	vmem_addr_t a, b;
	struct vmem_stats st;
	FILE *out;
	char buf[4096];
	size_t n;
	int val;

	/* The README's and vmem(3)'s example. */
	ports = vmem_create("ioports", 0x1000, 0xf000, 1, 0, M_WAITOK);
	CHECK(ports != NULL);
	CHECK(vmem_xalloc(ports, 0x100, 0x100, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &a) == 0);
	CHECK(a % 0x100 == 0 && a >= 0x1000 && a + 0x100 <= 0x10000);
	CHECK(vmem_size(ports, VMEM_ALLOC) == 0x100);
	CHECK(vmem_xalloc(ports, 0x10000, 0, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &b) == ENOMEM);
	vmem_verify(ports);
	vmem_xfree(ports, a, 0x100);
	vmem_destroy(ports);

	/* Stacked arenas with a quantum cache, through the extensions. */
	kva = vmem_create("kva", 0x100000000, (vmem_size_t)1 << 32, 4096, 0,
	    M_WAITOK);
	kmem = vmem_create("kmem", 0, 0, 4096, 8 * 4096, M_WAITOK);
	vmem_set_import(kmem, vmem_import_arena, vmem_release_arena, kva,
	    64 * 4096);
	CHECK(vmem_alloc(kmem, 3 * 4096, M_BESTFIT | M_WAITOK, &a) == 0);
	CHECK(vmem_alloc(kmem, 100 * 4096, M_FIRSTFIT | M_NOWAIT, &b) == 0);
	CHECK(a >= 0x100000000 && b >= 0x100000000);
	vmem_get_stats(kmem, &st);
	CHECK(strcmp(st.vs_name, "kmem") == 0);
	CHECK(st.vs_quantum == 4096 && st.vs_spans >= 1);
	CHECK(vmem_size(kva, VMEM_ALLOC) == vmem_size(kmem,
	    VMEM_ALLOC | VMEM_FREE));

	/* The debugger's summary, into a file. */
	out = tmpfile();
	CHECK(out != NULL);
	CHECK(vmem_db_show("vmem", (vmem_addr_t)kmem, 1, out) == 0);
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	fclose(out);
	CHECK(strstr(buf, "kmem") != NULL);

	/* A tunable. */
	CHECK(vmem_sysctl_int("debug.vmem_check", &val, NULL) == 0);
	CHECK(val == 0);
	CHECK(vmem_sysctl_int("no.such.knob", &val, NULL) == ENOENT);

	vmem_free(kmem, b, 100 * 4096);
	vmem_free(kmem, a, 3 * 4096);
	vmem_destroy(kmem);
	CHECK(vmem_size(kva, VMEM_ALLOC) == 0);
	vmem_destroy(kva);

	printf("uvmem: ok\n");
	return (0);
}
