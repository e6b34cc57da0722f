/*
 * A zone(9) program as the page's SYNOPSIS has it (<sys/param.h>,
 * <sys/queue.h>, <vm/uma.h>), built outside Bazel against the installed
 * kernel environment (pkg-config uvmem-kernel), shared and static. Prints
 * "uvmem-zone: ok" and exits 0, or names the first check that failed.
 */
#define	_POSIX_C_SOURCE	200809L	/* nanosleep() */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sys/param.h>
#include <sys/queue.h>
#include <vm/uma.h>

#define	CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "prog_zone.c:%d: check failed: %s\n",	\
		    __LINE__, #cond);					\
		exit(1);						\
	}								\
} while (0)

struct conn {
	LIST_ENTRY(conn) c_link;
	int	c_magic;	/* set once by the zone's init: type-stable */
	int	c_id;
};

#define	CONN_MAGIC	0x5a5a

static int inits;

static int
conn_init(void *mem, int size, int flags)
{
	struct conn *c = (struct conn *)mem;

	(void)flags;
	CHECK(size == (int)sizeof(struct conn));
	c->c_magic = CONN_MAGIC;
	__atomic_add_fetch(&inits, 1, __ATOMIC_RELAXED);
	return (0);
}

static uma_zone_t conn_zone;
static int freed;

/* Frees c a while after starting, for the M_WAITOK allocation to wait. */
static void *
late_free(void *c)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	__atomic_store_n(&freed, 1, __ATOMIC_SEQ_CST);
	uma_zfree(conn_zone, c);
	return (NULL);
}

int
main(void)
{
	LIST_HEAD(, conn) conns = LIST_HEAD_INITIALIZER(conns);
	struct conn *c, *tmp, *kept[4];
	pthread_t td;
	int i, n;

	conn_zone = uma_zcreate("conn", sizeof(struct conn), NULL, NULL,
	    conn_init, NULL, UMA_ALIGN_PTR, 0);
	CHECK(conn_zone != NULL);

	/* Items are fresh, initialised once, and come back type-stable. */
	for (i = 0; i < 100; i++) {
		c = (struct conn *)uma_zalloc(conn_zone, M_WAITOK);
		CHECK(c != NULL && c->c_magic == CONN_MAGIC);
		c->c_id = i;
		LIST_INSERT_HEAD(&conns, c, c_link);
	}
	n = __atomic_load_n(&inits, __ATOMIC_RELAXED);
	CHECK(n >= 100);
	LIST_FOREACH_SAFE(c, &conns, c_link, tmp) {
		LIST_REMOVE(c, c_link);
		uma_zfree(conn_zone, c);
	}
	for (i = 0; i < 100; i++) {
		c = (struct conn *)uma_zalloc(conn_zone, M_WAITOK | M_ZERO);
		CHECK(c != NULL && c->c_id == 0);
		uma_zfree(conn_zone, c);
		c = (struct conn *)uma_zalloc(conn_zone, M_NOWAIT);
		CHECK(c != NULL);
		uma_zfree(conn_zone, c);
	}
	CHECK(__atomic_load_n(&inits, __ATOMIC_RELAXED) == n);

	/* A limit: M_NOWAIT fails at it, M_WAITOK sleeps until a free. */
	CHECK(uma_zone_set_max(conn_zone, nitems(kept)) == nitems(kept));
	for (i = 0; i < (int)nitems(kept); i++) {
		kept[i] = (struct conn *)uma_zalloc(conn_zone, M_NOWAIT);
		CHECK(kept[i] != NULL);
	}
	CHECK(uma_zalloc(conn_zone, M_NOWAIT) == NULL);
	CHECK(pthread_create(&td, NULL, late_free, kept[0]) == 0);
	c = (struct conn *)uma_zalloc(conn_zone, M_WAITOK);
	CHECK(c != NULL);
	CHECK(__atomic_load_n(&freed, __ATOMIC_SEQ_CST) == 1);
	CHECK(pthread_join(td, NULL) == 0);
	kept[0] = c;
	for (i = 0; i < (int)nitems(kept); i++)
		uma_zfree(conn_zone, kept[i]);
	uma_zdestroy(conn_zone);
	printf("uvmem-zone: ok\n");
	return (0);
}
