// Helpers shared by the tests/stack tests: arena snapshots for "unchanged"
// checks, the "show vmem" summary as a string, bounded waits.
#ifndef TESTS_STACK_TEST_UTIL_H_
#define TESTS_STACK_TEST_UTIL_H_

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "tests/util/concurrency.h"
#include "tests/util/vmem_show.h"

namespace vmem_test {

using test_util::kHangTimeout;
using test_util::Spawn;
using test_util::WaitUntil;

// vmem_db_show("vmem") for vm, as a string.
inline std::string ShowVmem(vmem_t *vm) {
  return test_util::VmemShow("vmem", vm);
}

// The text without the lines containing what.
inline std::string DropLines(const std::string &text, const std::string &what) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line))
    if (line.find(what) == std::string::npos) out += line + "\n";
  return out;
}

// The number after "<key>:" in the "show vmem" summary, or -1.
inline long ShowField(const std::string &show, const std::string &key) {
  size_t pos = show.find(key + ":");
  if (pos == std::string::npos) return -1;
  return strtol(show.c_str() + pos + key.size() + 1, nullptr, 10);
}

// Everything observable about an arena.
struct ArenaState {
  vmem_size_t alloc, free, total, maxfree;
  std::string show;

  static ArenaState Of(vmem_t *vm) {
    return {vmem_size(vm, VMEM_ALLOC), vmem_size(vm, VMEM_FREE),
            vmem_size(vm, VMEM_ALLOC | VMEM_FREE),
            vmem_size(vm, VMEM_MAXFREE), ShowVmem(vm)};
  }
  bool operator==(const ArenaState &o) const {
    return alloc == o.alloc && free == o.free && total == o.total &&
           maxfree == o.maxfree && show == o.show;
  }
};

inline std::ostream &operator<<(std::ostream &os, const ArenaState &s) {
  return os << "alloc=" << s.alloc << " free=" << s.free
            << " total=" << s.total << " maxfree=" << s.maxfree << "\n"
            << s.show;
}

// The state without the arena's private stock of boundary tags ("free
// tags"): the stock is topped up before an allocation searches, so even a
// failing call may change it.
inline ArenaState WithoutTagStock(ArenaState s) {
  s.show = DropLines(s.show, "free tags");
  return s;
}


}  // namespace vmem_test

// Runs statement in a death-test child (set death_test_style "threadsafe"
// first): a panic there (vmem_verify() finding broken invariants, say) or
// a failed expectation fails this test without killing the test binary.
#define EXPECT_OK_IN_CHILD(statement)                                    \
  EXPECT_EXIT(                                                           \
      {                                                                  \
        statement;                                                       \
        fprintf(stderr, "child done\n");                                \
        _exit(::testing::Test::HasFailure() ? 1 : 0);                   \
      },                                                                 \
      ::testing::ExitedWithCode(0), "child done")

#endif  // TESTS_STACK_TEST_UTIL_H_
