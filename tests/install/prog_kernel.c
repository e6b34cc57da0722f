/*
 * Kernel-style code against the installed kernel environment (pkg-config
 * uvmem-kernel): mutex(9), condvar(9) and malloc(9) together with vmem(9)
 * M_WAITOK. A worker takes requests from a queue under a mutex, sleeping
 * on a condition variable, and frees the ranges they name; the main thread
 * fills an arena and then allocates with M_WAITOK, which sleeps until the
 * worker frees. Built outside Bazel, shared and static. Prints
 * "uvmem-kernel: ok" and exits 0, or names the first check that failed.
 */
#include <pthread.h>
#include <stdio.h>

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/queue.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/malloc.h>
#include <sys/vmem.h>

#define	CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "prog_kernel.c:%d: check failed: %s\n", \
		    __LINE__, #cond);					\
		exit(1);						\
	}								\
} while (0)

MALLOC_DEFINE(M_REQ, "req", "free requests");

struct req {
	STAILQ_ENTRY(req) r_link;
	vmem_addr_t	r_addr;		/* 0: stop */
};

static struct mtx req_mtx;
static struct cv req_cv;
static STAILQ_HEAD(, req) reqs = STAILQ_HEAD_INITIALIZER(reqs);
static vmem_t *arena;
static int frees;

static void *
worker(void *arg)
{
	struct req *r;
	vmem_addr_t addr;

	(void)arg;
	for (;;) {
		mtx_lock(&req_mtx);
		while ((r = STAILQ_FIRST(&reqs)) == NULL)
			cv_wait(&req_cv, &req_mtx);
		STAILQ_REMOVE_HEAD(&reqs, r_link);
		mtx_assert(&req_mtx, MA_OWNED);
		mtx_unlock(&req_mtx);
		addr = r->r_addr;
		free(r, M_REQ);
		if (addr == 0)
			return (NULL);
		__atomic_add_fetch(&frees, 1, __ATOMIC_SEQ_CST);
		vmem_free(arena, addr, 1);
	}
}

static void
request(vmem_addr_t addr)
{
	struct req *r;

	r = malloc(sizeof(*r), M_REQ, M_WAITOK | M_ZERO);
	KASSERT(r != NULL, ("M_WAITOK returned NULL"));
	r->r_addr = addr;
	mtx_lock(&req_mtx);
	STAILQ_INSERT_TAIL(&reqs, r, r_link);
	cv_signal(&req_cv);
	mtx_unlock(&req_mtx);
}

int
main(void)
{
	vmem_addr_t addrs[8], a;
	pthread_t td;
	int i;

	mtx_init(&req_mtx, "reqs", NULL, MTX_DEF);
	cv_init(&req_cv, "reqs");
	arena = vmem_create("ids", 1, nitems(addrs), 1, 0, M_WAITOK);
	CHECK(arena != NULL);
	CHECK(pthread_create(&td, NULL, worker, NULL) == 0);

	for (i = 0; i < (int)nitems(addrs); i++)
		CHECK(vmem_alloc(arena, 1, M_BESTFIT | M_WAITOK,
		    &addrs[i]) == 0);
	CHECK(vmem_alloc(arena, 1, M_BESTFIT | M_NOWAIT, &a) == ENOMEM);
	/* The arena is full: the worker frees one, then this wakes. */
	request(addrs[3]);
	CHECK(vmem_alloc(arena, 1, M_BESTFIT | M_WAITOK, &a) == 0);
	CHECK(a == addrs[3]);
	CHECK(__atomic_load_n(&frees, __ATOMIC_SEQ_CST) == 1);
	for (i = 0; i < (int)nitems(addrs); i++)
		request(addrs[i]);
	request(0);
	CHECK(pthread_join(td, NULL) == 0);
	CHECK(frees == 1 + (int)nitems(addrs));
	CHECK(STAILQ_EMPTY(&reqs));
	CHECK(M_REQ->ks_inuse == 0 && M_REQ->ks_calls == 2 + nitems(addrs));
	CHECK(vmem_size(arena, VMEM_ALLOC) == 0);
	vmem_destroy(arena);
	cv_destroy(&req_cv);
	mtx_destroy(&req_mtx);
	printf("uvmem-kernel: ok\n");
	return (0);
}
