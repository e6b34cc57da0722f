// Helpers for the tests of the illumos interface: the segments of an arena
// as vmem_walk() reports them, a ledger of the spans each source hands out
// through tracked import functions, bounded waits.
#ifndef TESTS_COMPAT_ILLUMOS_TEST_UTIL_H_
#define TESTS_COMPAT_ILLUMOS_TEST_UTIL_H_

#include <stdint.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "compat/illumos/illumos_vmem.h"
#include "gtest/gtest.h"
#include "tests/util/concurrency.h"

namespace illumos_test {

using test_util::kHangTimeout;
using test_util::Spawn;
using test_util::WaitUntil;

using Seg = std::pair<uintptr_t, size_t>;

inline uintptr_t U(const void *p) { return reinterpret_cast<uintptr_t>(p); }
inline void *P(uintptr_t a) { return reinterpret_cast<void *>(a); }

// The segments of the types in typemask, in walk order.
inline std::vector<Seg> Walk(vmem_t *vm, int typemask) {
  std::vector<Seg> segs;
  illumos_vmem_walk(
      vm, typemask,
      [](void *arg, void *start, size_t size) {
        static_cast<std::vector<Seg> *>(arg)->push_back({U(start), size});
      },
      &segs);
  return segs;
}

// Everything vmem_walk() and vmem_size() show of an arena.
struct Snapshot {
  std::vector<Seg> spans, alloc, free;
  size_t inuse, avail;
  static Snapshot Of(vmem_t *vm) {
    return {Walk(vm, VMEM_SPAN), Walk(vm, VMEM_ALLOC), Walk(vm, VMEM_FREE),
            illumos_vmem_size(vm, VMEM_ALLOC),
            illumos_vmem_size(vm, VMEM_FREE)};
  }
  bool operator==(const Snapshot &o) const {
    return spans == o.spans && alloc == o.alloc && free == o.free &&
           inuse == o.inuse && avail == o.avail;
  }
};

// Import functions that record, per source arena, the spans they hand out
// and check that each comes back whole, once, with its size.
class Ledger {
 public:
  static Ledger &Get() {
    static Ledger *l = new Ledger;
    return *l;
  }
  void Imported(vmem_t *src, void *addr, size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    auto &m = out_[src];
    if (!m.emplace(U(addr), size).second) errors_++;
    imports_[src]++;
  }
  void Released(vmem_t *src, void *addr, size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    auto &m = out_[src];
    auto it = m.find(U(addr));
    if (it == m.end() || it->second != size)
      errors_++;
    else
      m.erase(it);
    releases_[src]++;
  }
  // Spans of src imported and not yet released.
  std::map<uintptr_t, size_t> Outstanding(vmem_t *src) {
    std::lock_guard<std::mutex> lock(mu_);
    return out_[src];
  }
  int Imports(vmem_t *src) {
    std::lock_guard<std::mutex> lock(mu_);
    return imports_[src];
  }
  int Releases(vmem_t *src) {
    std::lock_guard<std::mutex> lock(mu_);
    return releases_[src];
  }
  // Releases of spans not imported, or with another size.
  int Errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }
  // Forget src (its arena is gone; its address may be reused).
  void Forget(vmem_t *src) {
    std::lock_guard<std::mutex> lock(mu_);
    out_.erase(src);
    imports_.erase(src);
    releases_.erase(src);
    sleeping_.erase(src);
  }
  // VM_SLEEP imports from src under way (afunc calls not yet returned).
  int Sleeping(vmem_t *src) {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeping_[src];
  }
  void AddSleeping(vmem_t *src, int n) {
    std::lock_guard<std::mutex> lock(mu_);
    sleeping_[src] += n;
  }

 private:
  std::mutex mu_;
  std::map<vmem_t *, std::map<uintptr_t, size_t>> out_;
  std::map<vmem_t *, int> imports_, releases_, sleeping_;
  int errors_ = 0;
};

// vmem_alloc/vmem_free on the source, recorded in the ledger.
inline void *TrackedAlloc(vmem_t *src, size_t size, int vmflag) {
  const bool sleeps = (vmflag & VM_NOSLEEP) == 0;
  if (sleeps) Ledger::Get().AddSleeping(src, 1);
  void *p = illumos_vmem_alloc(src, size, vmflag);
  if (sleeps) Ledger::Get().AddSleeping(src, -1);
  if (p != nullptr) Ledger::Get().Imported(src, p, size);
  return p;
}
inline void TrackedFree(vmem_t *src, void *addr, size_t size) {
  Ledger::Get().Released(src, addr, size);
  illumos_vmem_free(src, addr, size);
}

// A source arena for the tracked import functions: [base, base + size)
// with the given quantum, no import of its own.
inline vmem_t *NewSource(const char *name, uintptr_t base, size_t size,
                         size_t quantum) {
  return illumos_vmem_create(name, P(base), size, quantum, nullptr, nullptr,
                             nullptr, 0, VM_SLEEP);
}

// Checks that every span imported from src came back whole and once, then
// destroys src.
inline void DestroySource(vmem_t *src) {
  EXPECT_EQ(Ledger::Get().Errors(), 0);
  EXPECT_TRUE(Ledger::Get().Outstanding(src).empty());
  illumos_vmem_destroy(src);
  Ledger::Get().Forget(src);
}

}  // namespace illumos_test

#endif  // TESTS_COMPAT_ILLUMOS_TEST_UTIL_H_
