// The fake span source of the tests: a vmem_import_t/vmem_release_t pair
// that hands out disjoint ranges, records every import and release, and
// can be told to fail or given a capacity. Thread-safe.
#ifndef TESTS_UTIL_FAKE_SOURCE_H_
#define TESTS_UTIL_FAKE_SOURCE_H_

#include <errno.h>

#include <climits>
#include <map>
#include <mutex>
#include <vector>

#include <sys/vmem.h>

namespace test_util {

class FakeSource {
 public:
  struct Call {
    vmem_addr_t addr;
    vmem_size_t size;
    int flags;  // imports only
  };

  // Ranges are handed out upwards from base, gap bytes apart (so that two
  // imported spans are never adjacent); once capacity spans have been
  // handed out, imports are refused.
  explicit FakeSource(vmem_addr_t base = 0x10000000, vmem_size_t gap = 0x1000,
                      int capacity = INT_MAX)
      : next_(base), gap_(gap), capacity_(capacity) {}
  FakeSource(const FakeSource &) = delete;
  FakeSource &operator=(const FakeSource &) = delete;

  // vmem_import_t / vmem_release_t; arg is the FakeSource.
  static int Import(void *arg, vmem_size_t size, int flags,
                    vmem_addr_t *addrp) {
    return static_cast<FakeSource *>(arg)->DoImport(size, flags, addrp);
  }
  static void Release(void *arg, vmem_addr_t addr, vmem_size_t size) {
    static_cast<FakeSource *>(arg)->DoRelease(addr, size);
  }

  // Makes vm import from this source.
  void Attach(vmem_t *vm, vmem_size_t import_quantum) {
    vmem_set_import(vm, &Import, &Release, this, import_quantum);
  }

  // While set, every import is refused.
  void set_fail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
  }
  bool fail() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fail_;
  }
  // The gap left after the next spans.
  void set_gap(vmem_size_t gap) {
    std::lock_guard<std::mutex> lock(mu_);
    gap_ = gap;
  }

  // Successful imports, and every release (bad ones too), in order.
  std::vector<Call> imports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return imports_;
  }
  std::vector<Call> releases() const {
    std::lock_guard<std::mutex> lock(mu_);
    return releases_;
  }
  // Successful imports; releases of a live span with its size.
  int import_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(imports_.size());
  }
  int release_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(releases_.size()) - bad_releases_;
  }
  // Import attempts refused (set_fail, or the capacity reached).
  int refused() const {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_;
  }
  // Releases that did not match a live span's address and size.
  int bad_releases() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_releases_;
  }
  // Spans imported and not yet released: addr -> size.
  std::map<vmem_addr_t, vmem_size_t> live() const {
    std::lock_guard<std::mutex> lock(mu_);
    return live_;
  }
  // Whether [addr, addr + size) lies inside one live imported span.
  bool Contains(vmem_addr_t addr, vmem_size_t size) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.upper_bound(addr);
    if (it == live_.begin()) return false;
    --it;
    return addr >= it->first && size <= it->second &&
           addr - it->first <= it->second - size;
  }

 private:
  int DoImport(vmem_size_t size, int flags, vmem_addr_t *addrp) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_ || static_cast<int>(imports_.size()) >= capacity_) {
      refused_++;
      return ENOMEM;
    }
    vmem_addr_t addr = next_;
    next_ += size + gap_;
    imports_.push_back({addr, size, flags});
    live_[addr] = size;
    *addrp = addr;
    return 0;
  }

  void DoRelease(vmem_addr_t addr, vmem_size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    releases_.push_back({addr, size, 0});
    auto it = live_.find(addr);
    if (it == live_.end() || it->second != size) {
      bad_releases_++;
      return;
    }
    live_.erase(it);
  }

  mutable std::mutex mu_;
  vmem_addr_t next_;
  vmem_size_t gap_;
  const int capacity_;
  bool fail_ = false;
  int refused_ = 0;
  int bad_releases_ = 0;
  std::vector<Call> imports_;
  std::vector<Call> releases_;
  std::map<vmem_addr_t, vmem_size_t> live_;
};

}  // namespace test_util

#endif  // TESTS_UTIL_FAKE_SOURCE_H_
