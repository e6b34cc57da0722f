// Helpers for the kernel-memory tests: page size, residency, panics that
// name addresses. Bounded waits are tests/util/concurrency.h's.
#ifndef TESTS_COMPAT_VM_TEST_UTIL_H_
#define TESTS_COMPAT_VM_TEST_UTIL_H_

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <sys/vmem_ext.h>

#include "tests/util/concurrency.h"

namespace kmem_test {

inline size_t PageSize() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

// How many of the pages of [addr, addr + size) are resident (mincore).
inline size_t ResidentPages(uintptr_t addr, size_t size) {
  size_t n = (size + PageSize() - 1) / PageSize();
  std::vector<unsigned char> vec(n);
  if (mincore(reinterpret_cast<void *>(addr), size, vec.data()) != 0)
    return SIZE_MAX;
  size_t resident = 0;
  for (unsigned char v : vec) resident += v & 1;
  return resident;
}

// The process's resident set, in bytes (/proc/self/statm).
inline size_t ResidentBytes() {
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = fscanf(f, "%lu %lu", &size, &resident);
  fclose(f);
  return n == 2 ? resident * PageSize() : 0;
}

// Writes a pattern to every byte, one store per page plus the edges.
inline void Touch(uintptr_t addr, size_t size, unsigned char value) {
  auto *p = reinterpret_cast<volatile unsigned char *>(addr);
  for (size_t off = 0; off < size; off += PageSize()) p[off] = value;
  p[size - 1] = value;
}

inline bool AllBytesAre(uintptr_t addr, size_t size, unsigned char value) {
  const auto *p = reinterpret_cast<const unsigned char *>(addr);
  for (size_t i = 0; i < size; i++)
    if (p[i] != value) return false;
  return true;
}

// Panic messages name addresses, which differ in the child process of a
// threadsafe death test (it runs the test again, with its own mappings). So
// the child works out the message it expects and its panic handler says
// whether the panic carried it; the regex checks that verdict.
inline std::string &ExpectedPanic() {
  static std::string *expected = new std::string();
  return *expected;
}

inline void CheckPanicHandler(const char *message) {
  // message is "<function>: <text>", as the panic line without "panic: ".
  if (strstr(message, ExpectedPanic().c_str()) != nullptr)
    fprintf(stderr, "[panic as expected]\n");
  else
    fprintf(stderr, "[panic without \"%s\"]\n", ExpectedPanic().c_str());
  fflush(stderr);
}

inline std::string Hex(uintptr_t x) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%#jx", static_cast<uintmax_t>(x));
  return buf;
}

}  // namespace kmem_test

// Dies in a panic whose message contains expected (a plain string, worked
// out in the child process).
#define EXPECT_PANIC(statement, expected)                       \
  EXPECT_DEATH(                                                 \
      {                                                         \
        ::kmem_test::ExpectedPanic() = (expected);              \
        vmem_set_panic_handler(::kmem_test::CheckPanicHandler); \
        statement;                                              \
      },                                                        \
      "\\[panic as expected\\]")

#endif  // TESTS_COMPAT_VM_TEST_UTIL_H_
