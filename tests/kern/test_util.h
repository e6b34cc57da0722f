// Helpers shared by the tests/stack tests: arena snapshots for "unchanged"
// checks (from vmem_get_stats()), the "show vmem" summary as a string for
// failure messages, bounded waits.
#ifndef TESTS_STACK_TEST_UTIL_H_
#define TESTS_STACK_TEST_UTIL_H_

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

// Everything observable about an arena: vmem_size() for each typemask and
// what vmem_get_stats() reports.
struct ArenaState {
  vmem_size_t alloc, free, total, maxfree;
  vmem_stats stats;

  static ArenaState Of(vmem_t *vm) {
    return {vmem_size(vm, VMEM_ALLOC), vmem_size(vm, VMEM_FREE),
            vmem_size(vm, VMEM_ALLOC | VMEM_FREE), vmem_size(vm, VMEM_MAXFREE),
            test_util::Stats(vm)};
  }
  bool operator==(const ArenaState &o) const {
    return alloc == o.alloc && free == o.free && total == o.total &&
           maxfree == o.maxfree && test_util::SameStats(stats, o.stats);
  }
};

inline std::ostream &operator<<(std::ostream &os, const ArenaState &s) {
  using test_util::operator<<;
  return os << "alloc=" << s.alloc << " free=" << s.free << " total=" << s.total
            << " maxfree=" << s.maxfree << "\n"
            << s.stats;
}

// The state without the arena's private stock of boundary tags (its "free
// tags"): the stock is topped up before an allocation searches, so even a
// failing call may change it.
inline ArenaState WithoutTagStock(ArenaState s) {
  s.stats.vs_free_tags = 0;
  return s;
}

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

#endif  // TESTS_STACK_TEST_UTIL_H_
