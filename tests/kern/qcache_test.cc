// Quantum caches (basic): an arena with qcache_max = 4 quanta serves
// vmem_alloc() of 1 to 4 quanta from per-size caches that import batches
// of blocks from the arena and give them back when drained.
//
// vmem_verify() runs after every mutation (blocks held by the caches count
// as allocated in the arena).
#include <errno.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace {

struct Block {
  vmem_addr_t addr;
  vmem_size_t size;
};

bool Overlap(const Block &a, vmem_size_t asize, const Block &b,
             vmem_size_t bsize) {
  return a.addr < b.addr + bsize && b.addr < a.addr + asize;
}

TEST(QcacheTest, SmallAllocationsComeFromCachesAndAreSound) {
  const vmem_size_t q = 16;
  const vmem_addr_t base = 0x100000;
  const vmem_size_t span = 1024 * q;
  vmem_t *vm = vmem_create("qc-basic", base, span, q, 4 * q, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  vmem_verify(vm);

  std::mt19937 rng(42);
  std::vector<Block> live;
  for (int step = 0; step < 400; step++) {
    if (live.empty() || rng() % 3 != 0) {
      // 1 to 4 quanta, often not a quantum multiple.
      vmem_size_t size = 1 + rng() % (4 * q);
      int strat = (step % 3 == 0) ? M_FIRSTFIT : M_BESTFIT;
      Block b = {0, size};
      ASSERT_EQ(vmem_alloc(vm, size, strat | M_NOWAIT, &b.addr), 0)
          << "step " << step;
      vmem_verify(vm);
      const vmem_size_t rsize = vmem_roundup_size(vm, size);
      EXPECT_NE(b.addr, 0u);
      EXPECT_EQ(b.addr % q, 0u);
      EXPECT_GE(b.addr, base);
      EXPECT_LE(b.addr + rsize, base + span);
      for (const Block &o : live)
        ASSERT_FALSE(Overlap(b, rsize, o, vmem_roundup_size(vm, o.size)))
            << std::hex << b.addr << "+" << rsize << " overlaps live " << o.addr
            << "+" << o.size;
      live.push_back(b);
    } else {
      size_t i = rng() % live.size();
      vmem_free(vm, live[i].addr, live[i].size);
      vmem_verify(vm);
      live.erase(live.begin() + i);
    }
  }
  for (const Block &b : live) {
    vmem_free(vm, b.addr, b.size);
    vmem_verify(vm);
  }
  // What the caches still hold counts as allocated; never more than the
  // arena.
  EXPECT_LE(vmem_size(vm, VMEM_ALLOC), span);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), span);
  vmem_destroy(vm);
}

// A freed small block is handed out again by its cache.
TEST(QcacheTest, FreedBlockIsReused) {
  const vmem_size_t q = 4096;
  vmem_t *vm = vmem_create("qc-reuse", 0x10000000, 256 * q, q, 4 * q, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  for (vmem_size_t n = 1; n <= 4; n++) {
    vmem_addr_t a, b;
    ASSERT_EQ(vmem_alloc(vm, n * q, M_BESTFIT | M_NOWAIT, &a), 0);
    vmem_verify(vm);
    vmem_free(vm, a, n * q);
    vmem_verify(vm);
    ASSERT_EQ(vmem_alloc(vm, n * q, M_BESTFIT | M_NOWAIT, &b), 0);
    vmem_verify(vm);
    EXPECT_EQ(a, b) << n << " quanta";
    vmem_free(vm, b, n * q);
    vmem_verify(vm);
  }
  vmem_destroy(vm);
}

// One allocation of each cached size makes each cache import a batch; sized
// so that the batches take the arena exactly. After everything is freed the
// blocks sit in the caches, the arena has no free space, and an allocation
// of the whole arena succeeds only by draining the caches.
TEST(QcacheTest, ExhaustionDrainsTheCaches) {
  const vmem_size_t q = 16;
  const vmem_addr_t base = 0x200000;
  vmem_t *vm = vmem_create("qc-drain", base, 80 * q, q, 4 * q, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  // Allocate 1..4 quanta through the caches until the arena has no free
  // space left (the caches import in batches), then free everything: it all
  // goes back into the caches, so the arena stays full.
  std::vector<std::pair<vmem_addr_t, vmem_size_t>> held;
  for (int i = 0; vmem_size(vm, VMEM_FREE) != 0; i++) {
    ASSERT_LT(i, 80) << "the arena never filled up";
    vmem_size_t size = (1 + i % 4) * q;
    vmem_addr_t addr;
    if (vmem_alloc(vm, size, M_BESTFIT | M_NOWAIT, &addr) != 0) break;
    held.emplace_back(addr, size);
    vmem_verify(vm);
  }
  for (auto [addr, size] : held) {
    vmem_free(vm, addr, size);
    vmem_verify(vm);
  }
  // Nothing is allocated by the caller, yet the arena is full: the cached
  // blocks hold it all.
  ASSERT_EQ(vmem_size(vm, VMEM_FREE), 0u);

  vmem_addr_t all;
  ASSERT_EQ(vmem_alloc(vm, 80 * q, M_BESTFIT | M_NOWAIT, &all), 0);
  vmem_verify(vm);
  EXPECT_EQ(all, base);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 80 * q);
  vmem_free(vm, all, 80 * q);
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);

  // The caches refill from the arena afterwards.
  vmem_addr_t b;
  ASSERT_EQ(vmem_alloc(vm, 2 * q, M_FIRSTFIT | M_NOWAIT, &b), 0);
  vmem_verify(vm);
  vmem_free(vm, b, 2 * q);
  vmem_verify(vm);
  vmem_destroy(vm);
}

// The caches cannot hold address 0, so they never hand it out; only the
// direct allocation that follows an empty cache can, once nothing else is
// left. Freeing 0 works.
TEST(QcacheTest, CachesNeverHandOutZero) {
  const vmem_size_t q = 16;
  vmem_t *vm = vmem_create("qc-zero", 0, 64 * q, q, 4 * q, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  std::vector<vmem_addr_t> got;
  for (int i = 0; i < 63; i++) {
    vmem_addr_t addr;
    ASSERT_EQ(vmem_alloc(vm, q, M_BESTFIT | M_NOWAIT, &addr), 0) << i;
    vmem_verify(vm);
    EXPECT_NE(addr, 0u);
    got.push_back(addr);
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(std::unique(got.begin(), got.end()), got.end());
  vmem_addr_t last = 1;
  ASSERT_EQ(vmem_alloc(vm, q, M_BESTFIT | M_NOWAIT, &last), 0);
  vmem_verify(vm);
  EXPECT_EQ(last, 0u);
  vmem_addr_t none;
  EXPECT_EQ(vmem_alloc(vm, q, M_BESTFIT | M_NOWAIT, &none), ENOMEM);
  vmem_verify(vm);
  vmem_free(vm, last, q);
  vmem_verify(vm);
  for (vmem_addr_t addr : got) {
    vmem_free(vm, addr, q);
    vmem_verify(vm);
  }
  vmem_destroy(vm);
}

// Destroying an arena whose caches hold blocks gives them back first.
TEST(QcacheTest, DestroyWithEverythingFreed) {
  for (vmem_size_t q : {1, 16, 4096}) {
    vmem_t *vm =
        vmem_create("qc-destroy", 0x40000000, 512 * q, q, 4 * q, M_WAITOK);
    ASSERT_NE(vm, nullptr);
    std::vector<Block> live;
    for (int i = 0; i < 40; i++) {
      Block b = {0, (vmem_size_t)(1 + i % 4) * q};
      ASSERT_EQ(vmem_alloc(vm, b.size, M_BESTFIT | M_WAITOK, &b.addr), 0);
      vmem_verify(vm);
      live.push_back(b);
    }
    for (const Block &b : live) {
      vmem_free(vm, b.addr, b.size);
      vmem_verify(vm);
    }
    vmem_destroy(vm);
  }
}

}  // namespace
