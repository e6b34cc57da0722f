// The fake span source of the tests: a vmem_import_t/vmem_release_t pair
// (or a vmem_ximport_t for vmem_set_ximport()) that hands out disjoint
// ranges, records every import and release, and can be told to fail or
// given a capacity. It can also be armed to misbehave once, as a careless
// import function does (odd spans), and says what it will do next (Plan()),
// so that a model can play imports ahead of vmem. Thread-safe.
#ifndef TESTS_UTIL_FAKE_SOURCE_H_
#define TESTS_UTIL_FAKE_SOURCE_H_

#include <errno.h>

#include <climits>
#include <map>
#include <mutex>
#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

namespace test_util {

class FakeSource {
 public:
  struct Call {
    vmem_addr_t addr;
    vmem_size_t size;
    int flags;  // imports only
  };
  struct Span {
    vmem_addr_t addr = 0;
    vmem_size_t size = 0;
  };

  // One misbehaviour, for the next import that is not refused (Arm()).
  enum Odd {
    kNormal = 0,
    kUnaligned,  // the start is param bytes past where it should be
    kWrap,       // the span starts param bytes below 2^64 (wraps if longer)
    kTop,        // the span ends at VMEM_ADDR_MAX
    kFailOnce,   // refuse this import
    // ximport sources only (a plain source cannot say what it returns):
    kShort,      // param bytes shorter than asked
    kUnrounded,  // one byte longer than asked
    kLarge,      // param bytes longer than asked
    kOddCount
  };
  // Everything that decides what the next import returns.
  struct State {
    vmem_addr_t next = 0;
    vmem_size_t gap = 0;
    int capacity = 0;
    int imports = 0;  // successful so far
    bool fail = false;
    bool ximport = false;  // attached with vmem_set_ximport()
    Odd odd = kNormal;
    vmem_size_t odd_param = 0;
  };

  // What a source in state *st does with a request for asked bytes aligned
  // to align (ximport sources align their spans; plain ones ignore it):
  // false if it refuses (set_fail, the capacity reached, kFailOnce, or no
  // room left below 2^64); else the span it returns, and *st becomes the
  // source's state after. A model plays imports with it.
  static bool Plan(State *st, vmem_size_t asked, vmem_size_t align,
                   Span *span) {
    using u128 = unsigned __int128;
    constexpr u128 kAddrSpace = static_cast<u128>(1) << 64;
    if (st->fail || st->imports >= st->capacity) return false;
    Odd odd = st->odd;
    const vmem_size_t param = st->odd_param;
    st->odd = kNormal;
    st->odd_param = 0;
    if (odd == kFailOnce) return false;
    if (!st->ximport && odd >= kShort) odd = kNormal;
    vmem_size_t size = asked;
    if (odd == kShort) size = asked > param ? asked - param : 0;
    if (odd == kUnrounded) size = asked + 1;
    if (odd == kLarge) size = asked + param;
    if (odd == kWrap || odd == kTop) {
      // Careless: at the top of the address space, wherever the others are.
      span->addr = odd == kWrap ? 0 - param : 0 - size;
      span->size = size;
      st->imports++;
      return true;
    }
    u128 start = st->next;
    if (st->ximport && align > 1) start = (start + align - 1) / align * align;
    if (odd == kUnaligned) start += param;
    if (start + size > kAddrSpace) return false;  // no room left above
    span->addr = static_cast<vmem_addr_t>(start);
    span->size = size;
    u128 next = start + size + st->gap;
    st->next =
        next >= kAddrSpace ? VMEM_ADDR_MAX : static_cast<vmem_addr_t>(next);
    st->imports++;
    return true;
  }

  // Ranges are handed out upwards from base, gap bytes apart (so that two
  // imported spans are never adjacent); once capacity spans have been
  // handed out, imports are refused.
  explicit FakeSource(vmem_addr_t base = 0x10000000, vmem_size_t gap = 0x1000,
                      int capacity = INT_MAX) {
    st_.next = base;
    st_.gap = gap;
    st_.capacity = capacity;
  }
  FakeSource(const FakeSource &) = delete;
  FakeSource &operator=(const FakeSource &) = delete;

  // vmem_import_t / vmem_ximport_t / vmem_release_t; arg is the FakeSource.
  static int Import(void *arg, vmem_size_t size, int flags,
                    vmem_addr_t *addrp) {
    vmem_size_t s = size;
    return static_cast<FakeSource *>(arg)->DoImport(&s, 0, flags, addrp);
  }
  static int XImport(void *arg, vmem_size_t *sizep, vmem_size_t align,
                     int flags, vmem_addr_t *addrp) {
    return static_cast<FakeSource *>(arg)->DoImport(sizep, align, flags, addrp);
  }
  static void Release(void *arg, vmem_addr_t addr, vmem_size_t size) {
    static_cast<FakeSource *>(arg)->DoRelease(addr, size);
  }

  // Makes vm import from this source: vmem_set_import(), or
  // vmem_set_ximport() (then spans are aligned as asked).
  void Attach(vmem_t *vm, vmem_size_t import_quantum) {
    vmem_set_import(vm, &Import, &Release, this, import_quantum);
    std::lock_guard<std::mutex> lock(mu_);
    st_.ximport = false;
  }
  void AttachX(vmem_t *vm, vmem_size_t import_quantum) {
    vmem_set_ximport(vm, &XImport, &Release, this, import_quantum);
    std::lock_guard<std::mutex> lock(mu_);
    st_.ximport = true;
  }

  // While set, every import is refused.
  void set_fail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    st_.fail = fail;
  }
  bool fail() const {
    std::lock_guard<std::mutex> lock(mu_);
    return st_.fail;
  }
  // The gap left after the next spans.
  void set_gap(vmem_size_t gap) {
    std::lock_guard<std::mutex> lock(mu_);
    st_.gap = gap;
  }
  // Misbehave once (see Odd), or no longer.
  void Arm(Odd odd, vmem_size_t param) {
    std::lock_guard<std::mutex> lock(mu_);
    st_.odd = odd;
    st_.odd_param = param;
  }
  void Disarm() { Arm(kNormal, 0); }
  State state() const {
    std::lock_guard<std::mutex> lock(mu_);
    return st_;
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
  // Import attempts refused (set_fail, the capacity reached, kFailOnce, no
  // room left).
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
  int DoImport(vmem_size_t *sizep, vmem_size_t align, int flags,
               vmem_addr_t *addrp) {
    std::lock_guard<std::mutex> lock(mu_);
    Span span;
    if (!Plan(&st_, *sizep, align, &span)) {
      refused_++;
      return ENOMEM;
    }
    imports_.push_back({span.addr, span.size, flags});
    live_[span.addr] = span.size;
    *addrp = span.addr;
    *sizep = span.size;
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
  State st_;
  int refused_ = 0;
  int bad_releases_ = 0;
  std::vector<Call> imports_;
  std::vector<Call> releases_;
  std::map<vmem_addr_t, vmem_size_t> live_;
};

}  // namespace test_util

#endif  // TESTS_UTIL_FAKE_SOURCE_H_
