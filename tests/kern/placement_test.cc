// Placement policies: M_BESTFIT, M_FIRSTFIT and M_NEXTFIT, and coalescing
// of free neighbours.
//
// vmem_verify() runs after every mutation; it panics (and so aborts the
// test) if the arena's invariants break.
#include <errno.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <algorithm>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/util/arena_stats.h"

namespace {

using Seg = test_util::Segment;
using test_util::FreeCounts;
using test_util::Segments;

vmem_addr_t Alloc(vmem_t *vm, vmem_size_t size, int strat) {
  vmem_addr_t addr = 0;
  EXPECT_EQ(vmem_alloc(vm, size, strat | M_NOWAIT, &addr), 0)
      << "size " << size;
  vmem_verify(vm);
  return addr;
}

void Free(vmem_t *vm, vmem_addr_t addr, vmem_size_t size) {
  vmem_free(vm, addr, size);
  vmem_verify(vm);
}

// An arena of quantum q at base whose free space is exactly the holes, of
// the given sizes in quanta, in address order, each followed by a busy
// one-quantum separator; the rest of the arena is one busy block.
struct Holes {
  vmem_t *vm;
  std::vector<vmem_addr_t> hole;  // start of each hole
  std::vector<std::pair<vmem_addr_t, vmem_size_t>> busy;

  Holes(const char *name, vmem_size_t q, vmem_addr_t base, vmem_size_t total,
        const std::vector<vmem_size_t> &quanta) {
    vm = vmem_create(name, base, total * q, q, 0, M_WAITOK);
    std::vector<std::pair<vmem_addr_t, vmem_size_t>> holes;
    vmem_size_t used = 0;
    for (vmem_size_t n : quanta) {
      vmem_addr_t h = Alloc(vm, n * q, M_BESTFIT);
      vmem_addr_t sep = Alloc(vm, q, M_BESTFIT);
      holes.push_back({h, n * q});
      busy.push_back({sep, q});
      used += n + 1;
    }
    if (used < total)
      busy.push_back(
          {Alloc(vm, (total - used) * q, M_BESTFIT), (total - used) * q});
    EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0u);
    for (const auto &h : holes) {
      hole.push_back(h.first);
      Free(vm, h.first, h.second);
    }
  }
  void Destroy() {
    for (const auto &b : busy) Free(vm, b.first, b.second);
    vmem_destroy(vm);
  }
};

// Holes of up to 32 quanta each have a free list of their own, so best fit
// is exact there: the smallest hole that fits, wherever it is.
TEST(PlacementTest, BestFitPicksSmallestFittingHole) {
  const vmem_size_t q = 16;
  Holes h("pl-best", q, 0x10000, 64, {3, 5, 2, 8});
  vmem_t *vm = h.vm;
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), 18 * q);
  EXPECT_EQ(vmem_size(vm, VMEM_MAXFREE), 8 * q);

  vmem_addr_t a = Alloc(vm, 2 * q, M_BESTFIT);  // the 2-quantum hole
  EXPECT_EQ(a, h.hole[2]);
  vmem_addr_t b = Alloc(vm, 4 * q, M_BESTFIT);  // the 5: no 4 exists
  EXPECT_EQ(b, h.hole[1]);
  vmem_addr_t c = Alloc(vm, 1 * q, M_BESTFIT);  // the 1 left of the 5
  EXPECT_EQ(c, h.hole[1] + 4 * q);
  vmem_addr_t d = Alloc(vm, 3 * q - 5, M_BESTFIT);  // rounds up to the 3
  EXPECT_EQ(d, h.hole[0]);
  vmem_addr_t e = Alloc(vm, 6 * q, M_BESTFIT);  // only the 8 is left
  EXPECT_EQ(e, h.hole[3]);
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), 2 * q);
  vmem_addr_t none;
  EXPECT_EQ(vmem_alloc(vm, 3 * q, M_BESTFIT | M_NOWAIT, &none), ENOMEM);
  vmem_verify(vm);

  Free(vm, a, 2 * q);
  Free(vm, b, 4 * q);
  Free(vm, c, q);
  Free(vm, d, 3 * q - 5);
  Free(vm, e, 6 * q);
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), 18 * q);
  h.Destroy();
}

// Beyond 32 quanta a free list holds a range of sizes; best fit takes the
// first block that fits from the lowest list that may hold one.
TEST(PlacementTest, BestFitUsesLowestSizeClassThatFits) {
  Holes h("pl-bestclass", 1, 0x1000, 256, {35, 50, 70});
  vmem_t *vm = h.vm;
  // 40 does not fit the 35; the 50, in the same [32, 63] list, does.
  vmem_addr_t a = Alloc(vm, 40, M_BESTFIT);
  EXPECT_EQ(a, h.hole[1]);
  // 64 only fits the 70.
  vmem_addr_t b = Alloc(vm, 64, M_BESTFIT);
  EXPECT_EQ(b, h.hole[2]);
  Free(vm, a, 40);
  Free(vm, b, 64);
  h.Destroy();
}

// First fit starts at the first free list whose blocks are all big enough
// and takes its head, even when a smaller list holds a block that fits.
TEST(PlacementTest, FirstFitTakesFromFirstListOfBigEnoughBlocks) {
  Holes h("pl-first", 1, 0x1000, 256, {35, 50, 70});
  vmem_t *vm = h.vm;
  // 40 quanta: the [32, 63] list may hold smaller blocks (the 35), so first
  // fit starts at [64, 127] and takes the 70, not the 50.
  vmem_addr_t a = Alloc(vm, 40, M_FIRSTFIT);
  EXPECT_EQ(a, h.hole[2]);
  Free(vm, a, 40);
  // 32 is the lower bound of its list: every block there fits.
  vmem_addr_t b = Alloc(vm, 32, M_FIRSTFIT);
  EXPECT_TRUE(b == h.hole[0] || b == h.hole[1]) << std::hex << b;
  Free(vm, b, 32);
  // Exact lists below 32 quanta.
  h.Destroy();

  Holes s("pl-firstsmall", 16, 0x1000, 64, {8, 3, 5});
  vm = s.vm;
  vmem_addr_t c = Alloc(vm, 3 * 16, M_FIRSTFIT);
  EXPECT_EQ(c, s.hole[1]);
  vmem_addr_t d = Alloc(vm, 4 * 16, M_FIRSTFIT);  // list of 4 empty: the 5
  EXPECT_EQ(d, s.hole[2]);
  Free(vm, c, 3 * 16);
  Free(vm, d, 4 * 16);
  s.Destroy();
}

// When no list of surely-big-enough blocks has one, first fit falls back to
// best fit over the lists that may.
TEST(PlacementTest, FirstFitFallsBackToBestFit) {
  Holes h("pl-firstfb", 1, 0x1000, 128, {35, 50});
  vmem_t *vm = h.vm;
  vmem_addr_t a = Alloc(vm, 40, M_FIRSTFIT);
  EXPECT_EQ(a, h.hole[1]);
  vmem_addr_t none;
  EXPECT_EQ(vmem_alloc(vm, 36, M_FIRSTFIT | M_NOWAIT, &none), ENOMEM);
  vmem_verify(vm);
  Free(vm, a, 40);
  h.Destroy();
}

// Next fit as an ID allocator: IDs 1..N come out in order, freed IDs are
// not reused until the cursor wraps around past the end.
TEST(PlacementTest, NextFitRotatesAndWraps) {
  const int n = 16;
  vmem_t *vm = vmem_create("pl-next", 1, n, 1, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  for (int id = 1; id <= 10; id++) EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), id);
  Free(vm, 3, 1);
  Free(vm, 5, 1);
  // The freed 3 and 5 lie behind the cursor: the IDs keep increasing.
  for (int id = 11; id <= n; id++) EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), id);
  // At the end the cursor wraps around to the freed IDs, in order.
  EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), 3u);
  EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), 5u);
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0u);
  // Full (the cursor is after 5, not at the head of the segment list).
  vmem_addr_t none;
  EXPECT_EQ(vmem_alloc(vm, 1, M_NEXTFIT | M_NOWAIT, &none), ENOMEM);
  vmem_verify(vm);

  // A freed ID ahead of the cursor comes next, then ones behind it.
  Free(vm, 2, 1);
  Free(vm, 9, 1);
  Free(vm, 14, 1);
  EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), 9u);
  Free(vm, 7, 1);
  EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), 14u);
  EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), 2u);
  EXPECT_EQ(Alloc(vm, 1, M_NEXTFIT), 7u);

  // Best fit, by contrast, reuses freed IDs right away, wherever the
  // cursor is.
  Free(vm, 12, 1);
  Free(vm, 4, 1);
  vmem_addr_t x = Alloc(vm, 1, M_BESTFIT);
  vmem_addr_t y = Alloc(vm, 1, M_BESTFIT);
  EXPECT_EQ(std::min(x, y), 4u);
  EXPECT_EQ(std::max(x, y), 12u);

  for (int id = 1; id <= n; id++) Free(vm, id, 1);
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), vmem_size_t(n));
  vmem_destroy(vm);
}

// Multi-unit next-fit allocations with quantum 16: ascending addresses.
TEST(PlacementTest, NextFitAscendsWithLargerBlocks) {
  vmem_t *vm = vmem_create("pl-nextq", 0x1000, 0x400, 16, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  vmem_addr_t a = Alloc(vm, 0x40, M_NEXTFIT);
  vmem_addr_t b = Alloc(vm, 0x20, M_NEXTFIT);
  vmem_addr_t c = Alloc(vm, 0x100, M_NEXTFIT);
  EXPECT_EQ(a, 0x1000u);
  EXPECT_EQ(b, 0x1040u);
  EXPECT_EQ(c, 0x1060u);
  Free(vm, a, 0x40);
  vmem_addr_t d = Alloc(vm, 0x10, M_NEXTFIT);
  EXPECT_EQ(d, 0x1160u);  // not the freed 0x1000
  Free(vm, b, 0x20);
  Free(vm, c, 0x100);
  Free(vm, d, 0x10);
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0x400u);
  // The free space may be parted by the cursor; a next-fit allocation of
  // the whole span merges it.
  vmem_addr_t all = Alloc(vm, 0x400, M_NEXTFIT);
  EXPECT_EQ(all, 0x1000u);
  Free(vm, all, 0x400);
  vmem_destroy(vm);
}

// Next fit carves the free segment after the cursor in place while it stays
// on its free list (kern/PORTING.md, entry 37), and takes the full path when
// it would move to another list, when it is used up, and for constrained
// requests. vmem_verify() after each allocation checks that every free
// segment is on the list of its size: the remainder crosses from the list
// of [32, 63] quanta to [31, 31], and so on down to one quantum.
TEST(PlacementTest, NextFitCarvesAcrossFreeListBoundaries) {
  const vmem_size_t q = 16, n = 40;
  auto free_segments = [](vmem_t *vm) {
    std::vector<std::pair<vmem_addr_t, vmem_size_t>> free;
    for (const Seg &s : Segments(vm))
      if (s.type == VMEM_WALK_FREE) free.emplace_back(s.start, s.size);
    return free;
  };
  using FreeList = std::vector<std::pair<vmem_addr_t, vmem_size_t>>;
  vmem_t *vm = vmem_create("pl-carve", 0x1000, n * q, q, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  for (vmem_size_t i = 0; i < n; i++) {
    EXPECT_EQ(Alloc(vm, q, M_NEXTFIT), 0x1000 + i * q);
    const FreeList left =
        i + 1 < n ? FreeList{{0x1000 + (i + 1) * q, (n - i - 1) * q}}
                  : FreeList{};
    EXPECT_EQ(free_segments(vm), left) << "after " << i + 1 << " allocations";
  }
  for (vmem_size_t i = 0; i < n; i++) Free(vm, 0x1000 + i * q, q);
  vmem_destroy(vm);

  // Aligned: the full path's vmem_fit() skips the misaligned start and
  // leaves the quanta before the block free; the next request is carved
  // again.
  vm = vmem_create("pl-carve", 0x1000, n * q, q, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  EXPECT_EQ(Alloc(vm, q, M_NEXTFIT), 0x1000u);
  vmem_addr_t a;
  ASSERT_EQ(vmem_xalloc(vm, 2 * q, 4 * q, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_NEXTFIT | M_NOWAIT, &a),
            0);
  vmem_verify(vm);
  EXPECT_EQ(a, 0x1040u);
  EXPECT_EQ(Alloc(vm, q, M_NEXTFIT), 0x1060u);
  EXPECT_EQ(free_segments(vm),
            (FreeList{{0x1010, 3 * q}, {0x1070, (n - 7) * q}}));
  Free(vm, 0x1000, q);
  Free(vm, a, 2 * q);
  Free(vm, 0x1060, q);
  vmem_destroy(vm);
}

// Freed neighbours merge: after a random series of allocations and frees,
// freeing everything leaves exactly one free segment per span.
TEST(PlacementTest, FreeCoalescesToOneSegmentPerSpan) {
  for (int strat : {M_BESTFIT, M_FIRSTFIT}) {
    SCOPED_TRACE(strat == M_BESTFIT ? "M_BESTFIT" : "M_FIRSTFIT");
    const vmem_size_t q = 16;
    vmem_t *vm = vmem_create("pl-coalesce", 0x10000, 0x800, q, 0, M_WAITOK);
    ASSERT_NE(vm, nullptr);
    ASSERT_EQ(vmem_add(vm, 0x40000, 0x800, M_WAITOK), 0);
    ASSERT_EQ(vmem_add(vm, 0x80000, 0x200, M_WAITOK), 0);
    vmem_verify(vm);

    std::mt19937 rng(12345);
    std::vector<std::pair<vmem_addr_t, vmem_size_t>> live;
    for (int step = 0; step < 300; step++) {
      if (live.empty() || rng() % 3 != 0) {
        vmem_size_t size = 1 + rng() % (8 * q);
        vmem_addr_t addr;
        int error = vmem_alloc(vm, size, strat | M_NOWAIT, &addr);
        vmem_verify(vm);
        if (error == 0)
          live.push_back({addr, size});
        else
          EXPECT_EQ(error, ENOMEM);
      } else {
        size_t i = rng() % live.size();
        Free(vm, live[i].first, live[i].second);
        live.erase(live.begin() + i);
      }
    }
    std::shuffle(live.begin(), live.end(), rng);
    for (const auto &l : live) Free(vm, l.first, l.second);

    EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0u);
    EXPECT_EQ(vmem_size(vm, VMEM_FREE), 0x1200u);
    EXPECT_EQ(vmem_size(vm, VMEM_MAXFREE), 0x800u);
    std::vector<Seg> segs = Segments(vm);
    ASSERT_EQ(segs.size(), 6u);
    const vmem_addr_t base[] = {0x10000, 0x40000, 0x80000};
    const vmem_size_t size[] = {0x800, 0x800, 0x200};
    for (int i = 0; i < 3; i++) {
      EXPECT_EQ(segs[2 * i].type, VMEM_WALK_SPAN);
      EXPECT_EQ(segs[2 * i + 1].type, VMEM_WALK_FREE);
      EXPECT_EQ(segs[2 * i + 1].start, base[i]);
      EXPECT_EQ(segs[2 * i + 1].size, size[i]);
    }
    // The per-order table: two free 0x800 segments, one 0x200.
    std::map<vmem_size_t, size_t> table = FreeCounts(vm);
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table[0x800], 2u);
    EXPECT_EQ(table[0x200], 1u);
    vmem_destroy(vm);
  }
}

// Freeing a block between two free ones merges all three at once; freeing
// next to one free neighbour merges with it on that side.
TEST(PlacementTest, FreeMergesWithEachNeighbour) {
  vmem_t *vm = vmem_create("pl-merge", 0x1000, 0x50, 16, 0, M_WAITOK);
  ASSERT_NE(vm, nullptr);
  vmem_addr_t b[5];
  for (int i = 0; i < 5; i++) b[i] = Alloc(vm, 16, M_BESTFIT);
  Free(vm, b[1], 16);
  Free(vm, b[3], 16);
  EXPECT_EQ(Segments(vm).size(), 6u);  // span + b0 f1 b2 f3 b4
  Free(vm, b[2], 16);                  // merges f1, b2, f3
  std::vector<Seg> segs = Segments(vm);
  ASSERT_EQ(segs.size(), 4u);
  EXPECT_EQ(segs[2].start, 0x1010u);
  EXPECT_EQ(segs[2].size, 0x30u);
  EXPECT_EQ(segs[2].type, VMEM_WALK_FREE);
  Free(vm, b[0], 16);  // merges with the right neighbour
  segs = Segments(vm);
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[1].start, 0x1000u);
  EXPECT_EQ(segs[1].size, 0x40u);
  Free(vm, b[4], 16);  // merges with the left neighbour
  segs = Segments(vm);
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[1].size, 0x50u);
  vmem_destroy(vm);
}

}  // namespace
