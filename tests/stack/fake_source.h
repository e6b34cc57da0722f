// A fake span source for vmem_set_import(): hands out disjoint ranges,
// records every import and release, and can be told to fail.
#ifndef TESTS_STACK_FAKE_SOURCE_H_
#define TESTS_STACK_FAKE_SOURCE_H_

#include <errno.h>

#include <map>
#include <mutex>
#include <vector>

#include <sys/vmem.h>

namespace vmem_test {

class FakeSource {
 public:
  struct Call {
    vmem_addr_t addr;
    vmem_size_t size;
    int flags;  // imports only
  };

  // Ranges are handed out upwards from base, gap bytes apart (so that two
  // imported spans are never adjacent).
  explicit FakeSource(vmem_addr_t base = 0x10000000, vmem_size_t gap = 0x1000)
      : next_(base), gap_(gap) {}
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

  void set_fail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
  }

  std::vector<Call> imports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return imports_;
  }
  std::vector<Call> releases() const {
    std::lock_guard<std::mutex> lock(mu_);
    return releases_;
  }
  // Import attempts that were refused (set_fail).
  int failed_imports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }
  // Spans imported and not yet released: addr -> size.
  std::map<vmem_addr_t, vmem_size_t> live() const {
    std::lock_guard<std::mutex> lock(mu_);
    return live_;
  }
  // Releases that did not match a live import's addr and size.
  int bad_releases() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_releases_;
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
    if (fail_) {
      failed_++;
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
  bool fail_ = false;
  int failed_ = 0;
  int bad_releases_ = 0;
  std::vector<Call> imports_;
  std::vector<Call> releases_;
  std::map<vmem_addr_t, vmem_size_t> live_;
};

}  // namespace vmem_test

#endif  // TESTS_STACK_FAKE_SOURCE_H_
