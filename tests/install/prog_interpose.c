/*
 * A vmem program that happens to define functions of the kernel
 * environment's names: libuvmem.so binds its own calls inside
 * (-Bsymbolic-functions), so these are never called underneath vmem.
 * Prints "uvmem-interpose: ok".
 */
#include <stdio.h>
#include <stdlib.h>

#include <sys/vmem.h>

void mtx_init(void *m, const char *name, const char *type, int opts);
void cv_wait(void *cv, void *m);
void cv_broadcast(void *cv);

void
mtx_init(void *m, const char *name, const char *type, int opts)
{
	(void)m; (void)name; (void)type; (void)opts;
	fprintf(stderr, "prog_interpose.c: the program's mtx_init called\n");
	abort();
}

void
cv_wait(void *cv, void *m)
{
	(void)cv; (void)m;
	fprintf(stderr, "prog_interpose.c: the program's cv_wait called\n");
	abort();
}

void
cv_broadcast(void *cv)
{
	(void)cv;
	fprintf(stderr, "prog_interpose.c: the program's cv_broadcast called\n");
	abort();
}

int
main(void)
{
	vmem_t *vm;
	vmem_addr_t a;

	vm = vmem_create("interposed", 0x1000, 0x1000, 1, 0, M_WAITOK);
	if (vm == NULL || vmem_alloc(vm, 16, M_BESTFIT | M_WAITOK, &a) != 0)
		return (1);
	vmem_free(vm, a, 16);
	vmem_destroy(vm);
	printf("uvmem-interpose: ok\n");
	return (0);
}
