// A C++ program written against the installed <sys/vmem.hpp> only: built
// outside Bazel by install_test.sh. Prints "uvmem++: ok" and exits 0.
#include <sys/vmem.hpp>

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "prog.cc:%d: check failed: %s\n", __LINE__, #cond); \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

int main() {
  uvmem::Arena kva("kva", 0x100000000, 1UL << 32, 4096);
  uvmem::Arena kmem("kmem", 0, 0, 4096, 8 * 4096);
  kmem.import_from(kva, 64 * 4096);
  {
    std::vector<uvmem::Allocation> held;
    for (int i = 0; i < 100; i++)
      held.push_back(kmem.alloc(4096 * (1 + i % 10)));
    uvmem::Constraints c;
    c.align = 16 * 4096;
    uvmem::Result<uvmem::Allocation> r = kmem.try_xalloc(4 * 4096, c);
    CHECK(r);
    CHECK(r->addr() % (16 * 4096) == 0);
    CHECK(kmem.allocated() >= 4 * 4096);
  }
  uvmem::Arena small("small", 0x1000, 0x1000, 0x100);
  uvmem::Allocation all = small.alloc(0x1000);
  uvmem::Result<uvmem::Allocation> none = small.try_alloc(0x100);
  CHECK(!none && none.error() == std::errc::not_enough_memory);
  std::printf("uvmem++: ok\n");
  return 0;
}
