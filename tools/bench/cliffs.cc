// The searches that used to walk the arena (kern/PORTING.md entries 38 to
// 40), each next to its yardstick in the same arena: one alloc+free of one
// quantum with M_FIRSTFIT ("instant fit"). Part of //tools:vmem_bench,
// whose ratio table compares them.
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"

namespace {

// An arena of 2^log2 IDs (quantum 1) with nfree scattered free IDs, the
// rest allocated in blocks between them; free_ids in random order, or in
// address order.
struct IdArena {
  vmem_t *vm;
  std::vector<vmem_addr_t> free_ids;
  std::vector<std::pair<vmem_addr_t, vmem_size_t>> blocks;

  IdArena(int log2, vmem_size_t nfree, bool address_order = false) {
    const vmem_size_t n = vmem_size_t{1} << log2, stride = n / nfree;
    vm = vmem_create("ids", 0, n, 1, 0, M_WAITOK);
    vmem_addr_t a;
    vmem_addr_t next = 0;
    for (vmem_size_t i = 0; i < nfree; i++) {
      const vmem_addr_t id = i * stride + stride / 2;
      if (id > next) {
        vmem_xalloc(vm, id - next, 0, 0, 0, next, id - 1, M_FIRSTFIT | M_WAITOK,
                    &a);
        blocks.push_back({a, id - next});
      }
      vmem_xalloc(vm, 1, 0, 0, 0, id, id, M_FIRSTFIT | M_WAITOK, &a);
      free_ids.push_back(a);
      next = id + 1;
    }
    if (next < n) {
      vmem_xalloc(vm, n - next, 0, 0, 0, next, n - 1, M_FIRSTFIT | M_WAITOK,
                  &a);
      blocks.push_back({a, n - next});
    }
    for (vmem_addr_t id : free_ids) vmem_xfree(vm, id, 1);
    if (!address_order)
      std::shuffle(free_ids.begin(), free_ids.end(), std::mt19937_64(5));
  }
  ~IdArena() {
    for (const auto &b : blocks) vmem_xfree(vm, b.first, b.second);
    vmem_destroy(vm);
  }
};

// Claim a given free ID ([id, id]) and give it back, the IDs in random
// order; the first claim, before timing, builds the index.
void BM_ClaimId(benchmark::State &state, bool address_order) {
  IdArena ids(static_cast<int>(state.range(0)), state.range(1), address_order);
  vmem_addr_t a;
  size_t i = 0;
  for (auto _ : state) {
    const vmem_addr_t id = ids.free_ids[i++ % ids.free_ids.size()];
    vmem_xalloc(ids.vm, 1, 0, 0, 0, id, id, M_BESTFIT | M_NOWAIT, &a);
    vmem_xfree(ids.vm, a, 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_ClaimId, random, false)
    ->Args({20, 1024})
    ->Args({20, 24576})
    ->Args({22, 1 << 20});
// The same claims in address order: what is left of the 1M case's cost
// when the memory it touches is near in cache, as a sweep over the IDs
// makes it.
BENCHMARK_CAPTURE(BM_ClaimId, in_order, true)
    ->Args({20, 1024})
    ->Args({22, 1 << 20});

// A load whose address comes from the previous one, over bytes of memory
// in random order: the latency a search pays per cache miss, at the size
// of the 1M-ID arena (its tags, hash table and index) and at the 1K one's.
void BM_DependentLoad(benchmark::State &state) {
  const size_t lines = static_cast<size_t>(state.range(0)) / 64;
  struct alignas(64) Line {
    size_t next;
  };
  std::vector<Line> mem(lines);
  std::vector<size_t> order(lines);
  for (size_t i = 0; i < lines; i++) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(5));
  for (size_t i = 0; i < lines; i++)
    mem[order[i]].next = order[(i + 1) % lines];
  size_t p = order[0];
  for (auto _ : state) {
    p = mem[p].next;
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DependentLoad)->Arg(1 << 20)->Arg(128 << 20);

// The yardstick on the same arena: instant fit of one ID.
void BM_ClaimIdInstantFit(benchmark::State &state) {
  IdArena ids(static_cast<int>(state.range(0)), state.range(1));
  vmem_addr_t a;
  for (auto _ : state) {
    vmem_xalloc(ids.vm, 1, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                M_FIRSTFIT | M_NOWAIT, &a);
    vmem_xfree(ids.vm, a, 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClaimIdInstantFit)->Args({20, 24576});

// Next fit on an identifier arena of 65,535 IDs with 13 free, and instant
// fit on the same arena.
void BM_NearFullIds(benchmark::State &state, int strategy) {
  const vmem_size_t n = 65535;
  vmem_t *vm = vmem_create("nearfull", 1, n, 1, 0, M_WAITOK);
  vmem_addr_t a;
  for (vmem_size_t i = 0; i < n; i++) vmem_alloc(vm, 1, M_NEXTFIT, &a);
  for (vmem_size_t i = 0; i < 13; i++) vmem_free(vm, 1 + i * 5003 + 7, 1);
  for (auto _ : state) {
    vmem_alloc(vm, 1, strategy | M_NOWAIT, &a);
    vmem_free(vm, a, 1);
  }
  state.SetItemsProcessed(state.iterations());
  for (vmem_size_t i = 0; i < n; i++)
    if (i % 5003 != 7 || i / 5003 >= 13) vmem_free(vm, 1 + i, 1);
  vmem_destroy(vm);
}
BENCHMARK_CAPTURE(BM_NearFullIds, nextfit, M_NEXTFIT);
BENCHMARK_CAPTURE(BM_NearFullIds, instantfit, M_FIRSTFIT);

// The first request on a fresh arena stacked on a 1 GiB parent (import
// quantum 256 KiB): for the top MiB of the parent, or anywhere. Only the
// request is timed.
void BM_FirstStackedRequest(benchmark::State &state, bool constrained) {
  constexpr vmem_addr_t kBase = 0x40000000;
  constexpr vmem_size_t kGiB = vmem_size_t{1} << 30, kMiB = 1 << 20;
  for (auto _ : state) {
    vmem_t *parent = vmem_create("parent", kBase, kGiB, 4096, 0, M_WAITOK);
    vmem_t *child = vmem_create("child", 0, 0, 4096, 0, M_WAITOK);
    vmem_set_import(child, vmem_import_arena, vmem_release_arena, parent,
                    256 * 1024);
    vmem_addr_t a;
    const auto start = std::chrono::steady_clock::now();
    if (constrained)
      vmem_xalloc(child, 4096, 0, 0, 0, kBase + kGiB - kMiB, VMEM_ADDR_MAX,
                  M_BESTFIT | M_NOWAIT, &a);
    else
      vmem_alloc(child, 4096, M_BESTFIT | M_NOWAIT, &a);
    const auto end = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    vmem_free(child, a, 4096);
    vmem_destroy(child);
    vmem_destroy(parent);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_FirstStackedRequest, constrained, true)->UseManualTime();
BENCHMARK_CAPTURE(BM_FirstStackedRequest, unconstrained, false)
    ->UseManualTime();

}  // namespace
