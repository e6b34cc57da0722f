// Helpers shared by the tests/kern tests: arena snapshots for "unchanged"
// checks (tests/util/arena_stats.h), the "show vmem" summary as a string for
// failure messages, bounded waits.
#ifndef TESTS_KERN_TEST_UTIL_H_
#define TESTS_KERN_TEST_UTIL_H_

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "tests/util/arena_stats.h"
#include "tests/util/concurrency.h"
#include "tests/util/vmem_show.h"

namespace vmem_test {

using test_util::kHangTimeout;
using test_util::kSettle;
using test_util::Spawn;
using test_util::WaitUntil;

// vmem_db_show("vmem") for vm, as a string (for failure messages).
inline std::string ShowVmem(vmem_t *vm) {
  return test_util::VmemShow("vmem", vm);
}

using test_util::ArenaSnapshot;
using test_util::WithoutTagStock;

}  // namespace vmem_test

// Runs statement in a death-test child (set death_test_style "threadsafe"
// first): a panic there (vmem_verify() finding broken invariants, say) or
// a failed expectation fails this test without killing the test binary.
#define EXPECT_OK_IN_CHILD(statement)                 \
  EXPECT_EXIT(                                        \
      {                                               \
        statement;                                    \
        fprintf(stderr, "child done\n");              \
        _exit(::testing::Test::HasFailure() ? 1 : 0); \
      },                                              \
      ::testing::ExitedWithCode(0), "child done")

#endif  // TESTS_KERN_TEST_UTIL_H_
