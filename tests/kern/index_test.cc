// The index of the free segments (kern/PORTING.md entries 38 and 39):
// windowed requests take the lowest fit in their window (the highest with
// M_ENDALLOC), next fit lands where the walk lands, and the searches that
// used to walk the arena visit few segments once the index exists. The
// work is counted (struct vmem_stats's vs_search_visits), never timed.
#include <errno.h>
#include <string.h>
#include <sys/malloc.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace {

struct Free {
  vmem_addr_t start;
  vmem_size_t size;
};

void CollectFree(void *arg, vmem_addr_t start, vmem_size_t size, int) {
  static_cast<std::vector<Free> *>(arg)->push_back({start, size});
}

// The free segments, by address.
std::vector<Free> FreeSegments(vmem_t *vm) {
  std::vector<Free> f;
  vmem_walk_segments(vm, VMEM_WALK_FREE, &CollectFree, &f);
  std::sort(f.begin(), f.end(),
            [](const Free &a, const Free &b) { return a.start < b.start; });
  return f;
}

vmem_stats Stats(vmem_t *vm) {
  vmem_stats st;
  vmem_get_stats(vm, &st);
  return st;
}

uint64_t Visits(vmem_t *vm) { return Stats(vm).vs_search_visits; }

// Whether [a, a + size) meets the constraints (small addresses: no wrap).
bool Meets(vmem_addr_t a, vmem_size_t size, vmem_size_t align,
           vmem_size_t phase, vmem_size_t nocross, vmem_addr_t lo,
           vmem_addr_t hi) {
  if (a < lo || a + size - 1 > hi) return false;
  if (align != 0 && (a - phase) % align != 0) return false;
  if (nocross != 0 && a / nocross != (a + size - 1) / nocross) return false;
  return true;
}

// The lowest (or highest) start that meets the constraints in some free
// segment, by brute force over quanta; false if none.
bool Expected(const std::vector<Free> &frees, vmem_size_t q, vmem_size_t size,
              vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
              vmem_addr_t lo, vmem_addr_t hi, bool high, vmem_addr_t *out) {
  bool found = false;
  for (const Free &f : frees) {
    if (f.size < size) continue;
    for (vmem_addr_t a = f.start; a + size <= f.start + f.size; a += q) {
      if (!Meets(a, size, align, phase, nocross, lo, hi)) continue;
      if (!found || (high ? a > *out : a < *out)) *out = a;
      found = true;
    }
  }
  return found;
}

// An arena of n IDs (quantum 1) at base 0x1000 with every ID allocated,
// then the IDs at the given offsets freed.
vmem_t *IdArena(const char *name, vmem_size_t n,
                const std::vector<vmem_addr_t> &free_ids) {
  vmem_t *vm = vmem_create(name, 0x1000, n, 1, 0, M_WAITOK);
  vmem_addr_t a;
  for (vmem_size_t i = 0; i < n; i++)
    EXPECT_EQ(vmem_xalloc(vm, 1, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                          M_FIRSTFIT | M_NOWAIT, &a),
              0);
  for (vmem_addr_t id : free_ids) vmem_xfree(vm, 0x1000 + id, 1);
  return vm;
}

// Scattered IDs: every stride-th, starting at first.
std::vector<vmem_addr_t> Scattered(vmem_size_t n, vmem_size_t count) {
  std::vector<vmem_addr_t> ids;
  const vmem_size_t stride = n / count;
  for (vmem_size_t i = 0; i < count; i++) ids.push_back(i * stride + 3);
  return ids;
}

TEST(IndexTest, ClaimingAnIdVisitsLogarithmicallyManyNodes) {
  const vmem_size_t n = 1 << 18;
  const std::vector<vmem_addr_t> ids = Scattered(n, 8192);
  vmem_t *vm = IdArena("claim", n, ids);
  EXPECT_EQ(Stats(vm).vs_indexed, 0u);
  // The first claim walks every segment once, and builds the index.
  vmem_addr_t a;
  ASSERT_EQ(vmem_xalloc(vm, 1, 0, 0, 0, 0x1000 + ids[0], 0x1000 + ids[0],
                        M_BESTFIT | M_NOWAIT, &a),
            0);
  EXPECT_EQ(a, 0x1000 + ids[0]);
  EXPECT_EQ(Stats(vm).vs_indexed, ids.size() - 1);
  vmem_verify(vm);
  // Every claim after it descends the tree: expected depth about
  // 2 ln(8192) = 18; a scan would visit thousands.
  // (vmem_get_stats() walks the arena: read the counter around the loop.)
  std::mt19937 rng(1);
  std::vector<vmem_addr_t> rest(ids.begin() + 1, ids.end());
  std::shuffle(rest.begin(), rest.end(), rng);
  const uint64_t start = Visits(vm);
  for (vmem_addr_t id : rest) {
    ASSERT_EQ(vmem_xalloc(vm, 1, 0, 0, 0, 0x1000 + id, 0x1000 + id,
                          M_FIRSTFIT | M_NOWAIT, &a),
              0);
    ASSERT_EQ(a, 0x1000 + id);
  }
  EXPECT_LT((Visits(vm) - start) / rest.size(), 40u);
  EXPECT_EQ(Stats(vm).vs_indexed, 0u);
  vmem_verify(vm);
  // Nothing is free: a claim fails after looking at the empty root alone.
  const uint64_t before = Visits(vm);
  EXPECT_EQ(vmem_xalloc(vm, 1, 0, 0, 0, 0x1000 + ids[5], 0x1000 + ids[5],
                        M_BESTFIT | M_NOWAIT, &a),
            ENOMEM);
  EXPECT_LE(Visits(vm) - before, 1u);
  for (vmem_addr_t i = 0; i < n; i++) vmem_xfree(vm, 0x1000 + i, 1);
  vmem_destroy(vm);
}

TEST(IndexTest, EmptyWindowFailsWithoutAScan) {
  const vmem_size_t n = 1 << 16;
  const std::vector<vmem_addr_t> ids = Scattered(n, 4096);
  vmem_t *vm = IdArena("emptywin", n, ids);
  vmem_addr_t a;
  // Build the index with a first windowed request.
  ASSERT_EQ(vmem_xalloc(vm, 1, 0, 0, 0, 0x1000, 0x1000 + n - 1,
                        M_BESTFIT | M_NOWAIT, &a),
            0);
  EXPECT_EQ(a, 0x1000 + ids[0]);
  vmem_xfree(vm, a, 1);
  ASSERT_GT(Stats(vm).vs_indexed, 0u);
  // Windows with no free ID, and sizes no segment has: ENOMEM, the arena
  // unchanged, and a handful of nodes visited.
  const vmem_size_t free_before = vmem_size(vm, VMEM_FREE);
  for (int i = 1; i < 100; i++) {
    const vmem_addr_t lo = 0x1000 + ids[i] + 1;
    const uint64_t before = Visits(vm);
    EXPECT_EQ(
        vmem_xalloc(vm, 1, 0, 0, 0, lo, lo + 10, M_BESTFIT | M_NOWAIT, &a),
        ENOMEM);
    EXPECT_EQ(vmem_xalloc(vm, 2, 0, 0, 0, 0x1000, 0x1000 + n - 1,
                          M_FIRSTFIT | M_NOWAIT, &a),
              ENOMEM);
    EXPECT_LT(Visits(vm) - before, 100u);
  }
  EXPECT_EQ(vmem_size(vm, VMEM_FREE), free_before);
  vmem_verify(vm);
  for (vmem_addr_t i = 0; i < n; i++)
    if (!std::binary_search(ids.begin(), ids.end(), i))
      vmem_xfree(vm, 0x1000 + i, 1);
  vmem_destroy(vm);
}

bool FailVmemMallocs(size_t, struct malloc_type *type) {
  return strcmp(type->ks_shortdesc, "vmem") == 0;
}

// With no memory for its nodes, the index goes, and the searches walk and
// land where they did; with memory back, a long walk builds it again.
TEST(IndexTest, AnIndexWithoutMemoryIsDroppedAndSearchesStillLand) {
  const vmem_size_t n = 1 << 14;
  const std::vector<vmem_addr_t> ids = Scattered(n, 1024);
  vmem_t *vm = IdArena("nomem", n, ids);
  vmem_addr_t a;
  ASSERT_EQ(vmem_xalloc(vm, 1, 0, 0, 0, 0x1000 + ids[0], 0x1000 + ids[0],
                        M_BESTFIT | M_NOWAIT, &a),
            0);
  vmem_xfree(vm, a, 1);
  ASSERT_EQ(Stats(vm).vs_indexed, ids.size());
  // Free the IDs halfway between: as many free segments again.
  malloc_set_failure_hook(&FailVmemMallocs);
  for (vmem_addr_t id : ids) vmem_xfree(vm, 0x1000 + id + 8, 1);
  malloc_set_failure_hook(nullptr);
  EXPECT_EQ(Stats(vm).vs_indexed, 0u);
  vmem_verify(vm);
  for (size_t i = 1; i < 20; i++) {
    ASSERT_EQ(vmem_xalloc(vm, 1, 0, 0, 0, 0x1000 + ids[i] + 8, 0x1000 + n - 1,
                          M_BESTFIT | M_NOWAIT, &a),
              0);
    EXPECT_EQ(a, 0x1000 + ids[i] + 8);
    vmem_xfree(vm, a, 1);
  }
  EXPECT_EQ(Stats(vm).vs_indexed, 2 * ids.size());
  vmem_verify(vm);
  for (vmem_addr_t i = 0; i < n; i++)
    if (!std::binary_search(ids.begin(), ids.end(), i) &&
        !std::binary_search(ids.begin(), ids.end(), i - 8))
      vmem_xfree(vm, 0x1000 + i, 1);
  vmem_destroy(vm);
}

// Random windowed requests with every constraint against a brute-force
// answer: the lowest fit in the window, the highest with M_ENDALLOC,
// before and after the arena builds its index.
TEST(IndexTest, WindowedRequestsTakeTheLowestFit) {
  const vmem_size_t q = 16, quanta = 4096;
  const vmem_addr_t base = 0x10000;
  vmem_t *vm = vmem_create("window", base, quanta * q, q, 0, M_WAITOK);
  std::mt19937_64 rng(7);
  std::map<vmem_addr_t, vmem_size_t> live;
  bool indexed = false;
  for (int step = 0; step < 6000; step++) {
    if (!live.empty() && rng() % 3 == 0) {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      vmem_xfree(vm, it->first, it->second);
      live.erase(it);
      continue;
    }
    const vmem_size_t size = (1 + rng() % 4) * q;
    vmem_size_t align = 0, phase = 0, nocross = 0;
    if (rng() % 2) align = q << (rng() % 4);
    if (align > q && rng() % 2) phase = (rng() % (align / q)) * q;
    if (rng() % 3 == 0) {
      nocross = q;
      while (nocross < size || nocross <= align) nocross <<= 1;
      nocross <<= rng() % 3;
      if (phase / nocross != (phase + size - 1) / nocross) nocross = 0;
    }
    vmem_addr_t lo = base + (rng() % quanta) * q;
    vmem_addr_t hi = lo + (rng() % 512) * q + q - 1;
    if (rng() % 4 == 0) lo = VMEM_ADDR_MIN;
    const bool high = rng() % 3 == 0;
    int flags = (rng() % 2 ? M_BESTFIT : M_FIRSTFIT) | M_NOWAIT;
    if (high) flags |= M_ENDALLOC;
    vmem_addr_t want = 0, got = 0;
    const bool fits = Expected(FreeSegments(vm), q, size, align, phase, nocross,
                               lo, hi, high, &want);
    const int error =
        vmem_xalloc(vm, size, align, phase, nocross, lo, hi, flags, &got);
    ASSERT_EQ(error, fits ? 0 : ENOMEM) << "step " << step << " size " << size
                                        << " window " << lo << ".." << hi;
    if (fits) {
      ASSERT_EQ(got, want) << "step " << step << " size " << size << " align "
                           << align << " phase " << phase << " nocross "
                           << nocross << " window " << lo << ".." << hi
                           << (high ? " endalloc" : "");
      live[got] = size;
    }
    indexed = indexed || Stats(vm).vs_indexed != 0;
    if (step % 97 == 0) vmem_verify(vm);
  }
  EXPECT_TRUE(indexed);
  vmem_verify(vm);
  for (const auto &l : live) vmem_xfree(vm, l.first, l.second);
  vmem_destroy(vm);
}

// Next fit as the walk takes it, in a one-span arena: the rest of the
// segment that holds the cursor, then the segments above it, then from
// the bottom; the cursor goes to the allocation's end.
struct NextFitModel {
  vmem_addr_t cursor = 0;

  vmem_addr_t Next(const std::vector<Free> &frees, vmem_size_t size, bool *ok) {
    *ok = true;
    for (const Free &f : frees)
      if (f.start < cursor && cursor <= f.start + f.size - 1 &&
          f.start + f.size - cursor >= size)
        return Take(cursor, size);
    for (const Free &f : frees)
      if (f.start >= cursor && f.size >= size) return Take(f.start, size);
    for (const Free &f : frees)
      if (f.size >= size) return Take(f.start, size);
    *ok = false;
    return 0;
  }
  vmem_addr_t Take(vmem_addr_t a, vmem_size_t size) {
    cursor = a + size;
    return a;
  }
};

TEST(IndexTest, NextFitMatchesTheWalk) {
  const vmem_size_t n = 20000;
  vmem_t *vm = vmem_create("nextfit", 0x100, n, 1, 0, M_WAITOK);
  NextFitModel model;
  model.cursor = 0x100;
  std::mt19937_64 rng(3);
  std::vector<std::pair<vmem_addr_t, vmem_size_t>> live;
  for (int step = 0; step < 40000; step++) {
    // Fill the arena to about 95%, then churn there: long walks.
    const bool full = vmem_size(vm, VMEM_ALLOC) > n * 95 / 100;
    if (!live.empty() && (full || (step > 20000 && rng() % 2 == 0))) {
      const size_t i = rng() % live.size();
      vmem_xfree(vm, live[i].first, live[i].second);
      live[i] = live.back();
      live.pop_back();
      continue;
    }
    const vmem_size_t size = 1 + rng() % 3;
    bool ok;
    const vmem_addr_t want = model.Next(FreeSegments(vm), size, &ok);
    vmem_addr_t got = 0;
    const int error = vmem_xalloc(vm, size, 0, 0, 0, VMEM_ADDR_MIN,
                                  VMEM_ADDR_MAX, M_NEXTFIT | M_NOWAIT, &got);
    ASSERT_EQ(error, ok ? 0 : ENOMEM) << "step " << step;
    if (ok) {
      ASSERT_EQ(got, want) << "step " << step << " size " << size;
      live.push_back({got, size});
    }
    if (step % 1000 == 0) vmem_verify(vm);
  }
  EXPECT_GT(Stats(vm).vs_indexed, 0u);
  vmem_verify(vm);
  for (const auto &l : live) vmem_xfree(vm, l.first, l.second);
  vmem_destroy(vm);
}

TEST(IndexTest, NearFullNextFitVisitsFewNodes) {
  const vmem_size_t n = 65535;
  vmem_t *vm = vmem_create("nearfull", 1, n, 1, 0, M_WAITOK);
  vmem_addr_t a;
  for (vmem_size_t i = 0; i < n; i++)
    ASSERT_EQ(vmem_alloc(vm, 1, M_NEXTFIT | M_NOWAIT, &a), 0);
  for (vmem_size_t i = 0; i < 13; i++) vmem_free(vm, 1 + i * 5003 + 7, 1);
  // Each free ID, in turn, taken and given back: the first search walks
  // and builds the index; every one after it visits a few nodes.
  for (int i = 0; i < 2; i++) {
    ASSERT_EQ(vmem_alloc(vm, 1, M_NEXTFIT | M_NOWAIT, &a), 0);
    vmem_free(vm, a, 1);
  }
  ASSERT_GT(Stats(vm).vs_indexed, 0u);
  uint64_t worst = 0;
  for (int i = 0; i < 1000; i++) {
    const uint64_t before = Visits(vm);
    ASSERT_EQ(vmem_alloc(vm, 1, M_NEXTFIT | M_NOWAIT, &a), 0);
    EXPECT_EQ((a - 1 - 7) % 5003, 0u) << a;
    vmem_free(vm, a, 1);
    worst = std::max(worst, Visits(vm) - before);
  }
  EXPECT_LT(worst, 40u);
  vmem_verify(vm);
  for (vmem_size_t i = 0; i < n; i++) {
    const bool was_freed = i % 5003 == 7 && i / 5003 < 13;
    if (!was_freed) vmem_free(vm, 1 + i, 1);
  }
  vmem_destroy(vm);
}

}  // namespace
