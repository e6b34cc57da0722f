#include "tools/vmemstat/scenario.h"

#include <sys/vmem_ext.h>
#include <vm/uma.h>

#include <memory>
#include <mutex>
#include <random>
#include <utility>

namespace vmemstat {
namespace {

constexpr vmem_size_t kPage = 4096;

// A zone of fixed-size buffers whose items are address ranges carved from
// an arena, as the kernel's zones sit on kmem.
struct BufferZone {
  vmem_t *arena;
  vmem_size_t size;
  uma_zone_t zone;
};

int buffer_import(void *arg, void **store, int count, int domain, int flags) {
  auto *bz = static_cast<BufferZone *>(arg);
  int i;
  for (i = 0; i < count; i++) {
    vmem_addr_t addr;
    if (vmem_alloc(bz->arena, bz->size, M_BESTFIT | M_NOWAIT, &addr) != 0)
      break;
    store[i] = reinterpret_cast<void *>(addr);
  }
  return i;
}

void buffer_release(void *arg, void **store, int count) {
  auto *bz = static_cast<BufferZone *>(arg);
  for (int i = 0; i < count; i++)
    vmem_free(bz->arena, reinterpret_cast<vmem_addr_t>(store[i]), bz->size);
}

// What one worker holds: (arena or zone index, address, size).
struct Held {
  int where;
  vmem_addr_t addr;
  vmem_size_t size;
};

// The kernel scenario: an address-space arena ("kva"), a kmem arena with a
// quantum cache importing from it, two buffer zones on kmem, and a process
// ID arena handing out IDs with next fit.
class KernelStack : public Stack {
 public:
  explicit KernelStack(int threads) : held_(threads) {
    kva_ = vmem_create("kva", 0x100000000, 1024 * 1024 * kPage, kPage, 0,
                       M_WAITOK);
    kmem_ = vmem_create("kmem", 0, 0, kPage, 8 * kPage, M_WAITOK);
    vmem_set_import(kmem_, vmem_import_arena, vmem_release_arena, kva_,
                    64 * kPage);
    for (vmem_size_t pages : {1, 4}) {
      auto bz = std::make_unique<BufferZone>();
      bz->arena = kmem_;
      bz->size = pages * kPage;
      std::string name = "buf-" + std::to_string(pages * 4) + "k";
      names_.push_back(name);
      bz->zone = uma_zcache_create(
          names_.back().c_str(), static_cast<int>(bz->size), nullptr, nullptr,
          nullptr, nullptr, buffer_import, buffer_release, bz.get(), 0);
      bufs_.push_back(std::move(bz));
    }
    pids_ = vmem_create("pid", 1, 99999, 1, 0, M_WAITOK);
  }

  ~KernelStack() override {
    for (auto &bz : bufs_) uma_zdestroy(bz->zone);
    vmem_destroy(pids_);
    vmem_destroy(kmem_);
    vmem_destroy(kva_);
  }

  std::vector<vmem_t *> arenas() const override { return {kva_, kmem_, pids_}; }

  OpCounts work(int thread, const std::function<bool()> &stop) override {
    OpCounts n;
    std::mt19937_64 rng(0x5eed + thread);
    auto &held = held_[thread];
    while (!stop()) {
      for (int burst = 0; burst < 64; burst++) {
        bool grow = held.size() < 512 && (held.empty() || rng() % 3 != 0);
        if (!grow) {
          size_t i = rng() % held.size();
          release(held[i]);
          held[i] = held.back();
          held.pop_back();
          n.frees++;
          continue;
        }
        Held h{};
        if (alloc(rng, &h)) {
          held.push_back(h);
          n.allocs++;
        } else {
          n.failures++;
        }
      }
    }
    return n;
  }

  void release_all() override {
    for (auto &held : held_) {
      for (const Held &h : held) release(h);
      held.clear();
    }
    for (auto &bz : bufs_) uma_zone_reclaim(bz->zone, UMA_RECLAIM_DRAIN);
  }

 private:
  enum { kKmem, kKmemAligned, kPid, kZone0, kZone1 };

  bool alloc(std::mt19937_64 &rng, Held *h) {
    h->where = static_cast<int>(rng() % 5);
    switch (h->where) {
      case kKmem:
        h->size = (1 + rng() % 16) * kPage;
        return vmem_alloc(kmem_, h->size, M_BESTFIT | M_NOWAIT, &h->addr) == 0;
      case kKmemAligned:
        h->size = (1 + rng() % 8) * kPage;
        return vmem_xalloc(kmem_, h->size, 16 * kPage, 0, 0, VMEM_ADDR_MIN,
                           VMEM_ADDR_MAX, M_FIRSTFIT | M_NOWAIT, &h->addr) == 0;
      case kPid:
        h->size = 1;
        return vmem_alloc(pids_, 1, M_NEXTFIT | M_NOWAIT, &h->addr) == 0;
      default: {
        BufferZone &bz = *bufs_[h->where - kZone0];
        h->size = bz.size;
        void *item = uma_zalloc(bz.zone, M_NOWAIT);
        h->addr = reinterpret_cast<vmem_addr_t>(item);
        return item != nullptr;
      }
    }
  }

  void release(const Held &h) {
    switch (h.where) {
      case kKmem:
        vmem_free(kmem_, h.addr, h.size);
        break;
      case kKmemAligned:
        vmem_xfree(kmem_, h.addr, h.size);
        break;
      case kPid:
        vmem_free(pids_, h.addr, 1);
        break;
      default:
        uma_zfree(bufs_[h.where - kZone0]->zone,
                  reinterpret_cast<void *>(h.addr));
    }
  }

  vmem_t *kva_;
  vmem_t *kmem_;
  vmem_t *pids_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<BufferZone>> bufs_;
  std::vector<std::vector<Held>> held_;
};

// The ids scenario: one identifier arena, next fit, quantum 1, as a PID or
// inode-number allocator.
class IdStack : public Stack {
 public:
  explicit IdStack(int threads) : held_(threads) {
    ids_ = vmem_create("ids", 1, 1 << 20, 1, 0, M_WAITOK);
  }
  ~IdStack() override { vmem_destroy(ids_); }

  std::vector<vmem_t *> arenas() const override { return {ids_}; }

  OpCounts work(int thread, const std::function<bool()> &stop) override {
    OpCounts n;
    std::mt19937_64 rng(0x1d5 + thread);
    auto &held = held_[thread];
    while (!stop()) {
      for (int burst = 0; burst < 256; burst++) {
        if (held.size() < 4096 && (held.empty() || rng() % 2 == 0)) {
          vmem_addr_t id;
          if (vmem_alloc(ids_, 1, M_NEXTFIT | M_NOWAIT, &id) == 0) {
            held.push_back(id);
            n.allocs++;
          } else {
            n.failures++;
          }
        } else {
          size_t i = rng() % held.size();
          vmem_free(ids_, held[i], 1);
          held[i] = held.back();
          held.pop_back();
          n.frees++;
        }
      }
    }
    return n;
  }

  void release_all() override {
    for (auto &held : held_) {
      for (vmem_addr_t id : held) vmem_free(ids_, id, 1);
      held.clear();
    }
  }

 private:
  vmem_t *ids_;
  std::vector<std::vector<vmem_addr_t>> held_;
};

}  // namespace

const std::vector<std::pair<std::string, std::string>> &scenarios() {
  static const auto *list =
      new std::vector<std::pair<std::string, std::string>>{
          {"kernel",
           "kva arena -> kmem arena (quantum cache) -> buffer zones, plus a "
           "pid arena"},
          {"ids", "one identifier arena handing out IDs with next fit"},
      };
  return *list;
}

std::unique_ptr<Stack> make_stack(const std::string &name, int threads) {
  if (name == "kernel") return std::make_unique<KernelStack>(threads);
  if (name == "ids") return std::make_unique<IdStack>(threads);
  return nullptr;
}

}  // namespace vmemstat
