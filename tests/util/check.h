/*
 * CHECK() for the C test programs, which do without GoogleTest: a failed
 * check prints its place and expression and the program goes on; main()
 * ends with check_report(), which prints the tally and gives the exit
 * status. The counters are per file.
 */
#ifndef TESTS_UTIL_CHECK_H_
#define	TESTS_UTIL_CHECK_H_

#include <stdio.h>

static int check_passed;
static int check_failed;

#define	CHECK(cond) do {						\
	if (cond) {							\
		check_passed++;						\
	} else {							\
		check_failed++;						\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
	}								\
} while (0)

/* Prints "<name>: N checks passed, M failed"; returns the exit status. */
static inline int
check_report(const char *name, int more_failed)
{
	printf("%s: %d checks passed, %d failed\n", name, check_passed,
	    check_failed + more_failed);
	return (check_failed + more_failed != 0);
}

#endif /* !TESTS_UTIL_CHECK_H_ */
