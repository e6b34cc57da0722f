/*
 * FreeBSD kernel-style C code, compiled unchanged against this project,
 * with compat/ and the project root on the include path: mutex(9) and
 * condvar(9) with threads sleeping on each other, malloc(9) and its flags,
 * a uma(9) zone with a constructor and destructor, queue(3) lists and a
 * vmem arena.
 */
#define	_POSIX_C_SOURCE	200809L		/* pthreads */

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sys/param.h>
#include <sys/queue.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/kernel.h>
#include <sys/malloc.h>
#include <sys/vmem.h>
#include <vm/uma.h>

#include "tests/util/check.h"

MALLOC_DEFINE(M_CTEST, "ctest", "kernel-style C test");

struct job {
	LIST_ENTRY(job)	j_link;
	int		j_value;
	int		j_magic;	/* set by the zone's constructor */
};
LIST_HEAD(joblist, job);

#define	JOB_MAGIC	0x5ca1ab1e
#define	NJOBS		1000
#define	NWORKERS	3

/* A queue of jobs under a mutex; workers sleep on a condvar. */
static struct mtx queue_lock;
static struct cv queue_cv;		/* jobs queued, or closing */
static struct cv done_cv;		/* a worker finished a job */
static struct joblist queue = LIST_HEAD_INITIALIZER(queue);
static int closing;
static int jobs_done;			/* under queue_lock */
static long sum_done;			/* of jobs constructed */
static uma_zone_t job_zone;
static int ctors, dtors;		/* __atomic builtins */

static int
job_ctor(void *mem, int size, void *arg __unused, int flags __unused)
{
	struct job *j = mem;

	if (size != (int)sizeof(struct job))
		return (EINVAL);
	j->j_magic = JOB_MAGIC;
	__atomic_add_fetch(&ctors, 1, __ATOMIC_RELAXED);
	return (0);
}

static void
job_dtor(void *mem, int size __unused, void *arg __unused)
{
	struct job *j = mem;

	j->j_magic = 0;
	__atomic_add_fetch(&dtors, 1, __ATOMIC_RELAXED);
}

static void *
worker(void *arg __unused)
{
	struct job *j;

	mtx_lock(&queue_lock);
	for (;;) {
		while (LIST_EMPTY(&queue) && !closing)
			cv_wait(&queue_cv, &queue_lock);
		if ((j = LIST_FIRST(&queue)) == NULL)
			break;
		LIST_REMOVE(j, j_link);
		mtx_assert(&queue_lock, MA_OWNED);
		if (j->j_magic == JOB_MAGIC)
			sum_done += j->j_value;
		jobs_done++;
		cv_broadcast(&done_cv);
		mtx_unlock(&queue_lock);
		uma_zfree(job_zone, j);
		mtx_lock(&queue_lock);
	}
	mtx_unlock(&queue_lock);
	return (NULL);
}

static void
test_threads(void)
{
	pthread_t workers[NWORKERS];
	struct uma_zone_stats st;
	struct job *j;
	int i;

	mtx_init(&queue_lock, "ctest queue", NULL, MTX_DEF);
	cv_init(&queue_cv, "ctest jobs");
	cv_init(&done_cv, "ctest done");
	job_zone = uma_zcreate("ctest jobs", sizeof(struct job), job_ctor,
	    job_dtor, NULL, NULL, UMA_ALIGN_PTR, 0);
	CHECK(job_zone != NULL);
	for (i = 0; i < NWORKERS; i++)
		CHECK(pthread_create(&workers[i], NULL, worker, NULL) == 0);

	for (i = 1; i <= NJOBS; i++) {
		j = uma_zalloc(job_zone, M_WAITOK);
		j->j_value = i;
		mtx_lock(&queue_lock);
		LIST_INSERT_HEAD(&queue, j, j_link);
		cv_signal(&queue_cv);
		mtx_unlock(&queue_lock);
	}
	/* Wait for the workers, then let them go. */
	mtx_lock(&queue_lock);
	while (jobs_done < NJOBS)
		cv_wait(&done_cv, &queue_lock);
	CHECK(mtx_owned(&queue_lock));
	CHECK(curthread->td_locks == 1);
	closing = 1;
	cv_broadcast(&queue_cv);
	mtx_unlock(&queue_lock);
	CHECK(!mtx_owned(&queue_lock));
	for (i = 0; i < NWORKERS; i++)
		CHECK(pthread_join(workers[i], NULL) == 0);

	CHECK(sum_done == (long)NJOBS * (NJOBS + 1) / 2);
	CHECK(ctors == NJOBS && dtors == NJOBS);
	uma_zone_get_stats(job_zone, &st);
	CHECK(st.inuse == 0);
	CHECK(st.requests == NJOBS);
	uma_zdestroy(job_zone);

	/* A timed wait that nobody signals times out. */
	mtx_lock(&queue_lock);
	CHECK(cv_timedwait(&done_cv, &queue_lock, hz / 100) == EWOULDBLOCK);
	CHECK(mtx_owned(&queue_lock));
	mtx_unlock(&queue_lock);
	cv_destroy(&done_cv);
	cv_destroy(&queue_cv);
	mtx_destroy(&queue_lock);
}

static bool
refuse_ctest(size_t size __unused, struct malloc_type *type)
{
	return (type == M_CTEST);
}

static void
test_malloc(void)
{
	unsigned char *p;
	struct job *j, *tj;
	struct joblist list;
	malloc_failure_hook_t old;
	size_t i;
	int zeroed = 1;

	p = malloc(256, M_CTEST, M_WAITOK | M_ZERO);
	CHECK(p != NULL);
	for (i = 0; p != NULL && i < 256; i++)
		zeroed &= p[i] == 0;
	CHECK(zeroed);
	CHECK(M_CTEST->ks_inuse == 1 && M_CTEST->ks_calls == 1);
	free(p, M_CTEST);
	CHECK(M_CTEST->ks_inuse == 0);

	/* M_NOWAIT may fail (here on purpose); M_WAITOK never does. */
	old = malloc_set_failure_hook(refuse_ctest);
	CHECK(malloc(16, M_CTEST, M_NOWAIT) == NULL);
	CHECK(M_CTEST->ks_failures == 1);
	malloc_set_failure_hook(old);

	/* A list of kernel allocations, freed while walking it. */
	LIST_INIT(&list);
	for (i = 0; i < 10; i++) {
		j = malloc(sizeof(*j), M_CTEST, M_WAITOK | M_ZERO);
		j->j_value = (int)i;
		LIST_INSERT_HEAD(&list, j, j_link);
	}
	CHECK(M_CTEST->ks_inuse == 10);
	LIST_FOREACH_SAFE(j, &list, j_link, tj) {
		LIST_REMOVE(j, j_link);
		free(j, M_CTEST);
	}
	CHECK(LIST_EMPTY(&list));
	CHECK(M_CTEST->ks_inuse == 0 && M_CTEST->ks_memuse == 0);
}

static void
test_vmem(void)
{
	vmem_t *vm;
	vmem_addr_t a;

	vm = vmem_create("ctest", 0x10000, 0x10000, 0x100, 0, M_WAITOK);
	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	CHECK(vmem_xalloc(vm, 0x300, 0x1000, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &a) == 0);
	CHECK(a == roundup2(a, 0x1000));
	CHECK(vmem_size(vm, VMEM_ALLOC) == 0x300);
	vmem_xfree(vm, a, 0x300);
	vmem_destroy(vm);
}

int
main(void)
{
	test_threads();
	test_malloc();
	test_vmem();
	return (check_report("kernel_c_test", 0));
}
