// Reference points for the benchmarks, measured in the same run:
//  - MapAllocator: the best-fit range allocator a user would write instead
//    of vmem (free segments by address and by size in std::map/std::set,
//    allocations in a hash map, one mutex);
//  - TlsStack: a thread-local pointer stack, the floor for any cached path.
#ifndef TOOLS_BENCH_REFERENCE_ALLOCATORS_H_
#define TOOLS_BENCH_REFERENCE_ALLOCATORS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bench {

class MapAllocator {
 public:
  MapAllocator(uintptr_t base, size_t size) { insert_free(base, size); }

  // Best fit; false when no free segment is big enough.
  bool alloc(size_t size, uintptr_t *addrp) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_size_.lower_bound({size, 0});
    if (it == by_size_.end()) return false;
    auto [fsize, faddr] = *it;
    erase_free(faddr, fsize);
    if (fsize > size) insert_free(faddr + size, fsize - size);
    allocated_.emplace(faddr, size);
    *addrp = faddr;
    return true;
  }

  void free(uintptr_t addr) {
    std::lock_guard<std::mutex> lock(mu_);
    auto a = allocated_.find(addr);
    size_t size = a->second;
    allocated_.erase(a);
    auto next = by_addr_.lower_bound(addr);
    if (next != by_addr_.end() && next->first == addr + size) {
      size += next->second;
      erase_free(next->first, next->second);
    }
    auto prev = by_addr_.lower_bound(addr);
    if (prev != by_addr_.begin()) {
      --prev;
      if (prev->first + prev->second == addr) {
        addr = prev->first;
        size += prev->second;
        erase_free(prev->first, prev->second);
      }
    }
    insert_free(addr, size);
  }

 private:
  void insert_free(uintptr_t addr, size_t size) {
    by_addr_.emplace(addr, size);
    by_size_.emplace(size, addr);
  }
  void erase_free(uintptr_t addr, size_t size) {
    by_addr_.erase(addr);
    by_size_.erase({size, addr});
  }

  std::mutex mu_;
  std::map<uintptr_t, size_t> by_addr_;
  std::set<std::pair<size_t, uintptr_t>> by_size_;
  std::unordered_map<uintptr_t, size_t> allocated_;
};

// Push and pop on a per-thread stack of pointers.
class TlsStack {
 public:
  static void push(void *p) { stack().push_back(p); }
  static void *pop() {
    auto &s = stack();
    if (s.empty()) return nullptr;
    void *p = s.back();
    s.pop_back();
    return p;
  }

 private:
  static std::vector<void *> &stack() {
    thread_local std::vector<void *> s;
    return s;
  }
};

}  // namespace bench

#endif  // TOOLS_BENCH_REFERENCE_ALLOCATORS_H_
