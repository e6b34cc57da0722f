// Benchmarks of vmem's common paths, with reference allocators measured in
// the same run; the binary ends with a table of ratios between variants,
// for comparing builds. The project's goals are relative to other vmem
// implementations, measured by the peer harness (README, "Benchmarks"),
// not to these references.
// Run with: tools/bazel run -c opt //tools:vmem_bench
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tools/bench/reference_allocators.h"

namespace {

constexpr vmem_addr_t kBase = 0x10000000;
constexpr vmem_size_t kQuantum = 4096;
constexpr vmem_size_t kArenaSize = vmem_size_t{1} << 40;

struct Allocation {
  vmem_addr_t addr;
  vmem_size_t size;
};

vmem_size_t random_size(std::mt19937_64 &rng, int max_quanta) {
  return (1 + rng() % max_quanta) * kQuantum;
}

// Churn: a live set of `live` allocations of 1..16 quanta; each step frees
// a random one and allocates a new one.
void BM_Churn(benchmark::State &state, int strategy) {
  const int live = static_cast<int>(state.range(0));
  vmem_t *vm = vmem_create("churn", kBase, kArenaSize, kQuantum, 0, M_WAITOK);
  std::mt19937_64 rng(1);
  std::vector<Allocation> set(live);
  for (auto &a : set) {
    a.size = random_size(rng, 16);
    vmem_alloc(vm, a.size, strategy, &a.addr);
  }
  for (auto _ : state) {
    Allocation &a = set[rng() % live];
    vmem_free(vm, a.addr, a.size);
    a.size = random_size(rng, 16);
    vmem_alloc(vm, a.size, strategy, &a.addr);
  }
  state.SetItemsProcessed(state.iterations());
  for (auto &a : set) vmem_free(vm, a.addr, a.size);
  vmem_destroy(vm);
}
BENCHMARK_CAPTURE(BM_Churn, bestfit, M_BESTFIT)->Arg(10000);
BENCHMARK_CAPTURE(BM_Churn, firstfit, M_FIRSTFIT)->Arg(10000);

void BM_ChurnReference(benchmark::State &state) {
  const int live = static_cast<int>(state.range(0));
  bench::MapAllocator ref(kBase, kArenaSize);
  std::mt19937_64 rng(1);
  std::vector<Allocation> set(live);
  for (auto &a : set) {
    a.size = random_size(rng, 16);
    ref.alloc(a.size, &a.addr);
  }
  for (auto _ : state) {
    Allocation &a = set[rng() % live];
    ref.free(a.addr);
    a.size = random_size(rng, 16);
    ref.alloc(a.size, &a.addr);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChurnReference)->Arg(10000);

// Identifiers: quantum 1, next fit, 10,000 live IDs.
void BM_NextfitIds(benchmark::State &state) {
  vmem_t *vm = vmem_create("ids", 1, 1 << 24, 1, 0, M_WAITOK);
  std::mt19937_64 rng(2);
  std::vector<vmem_addr_t> ids(10000);
  for (auto &id : ids) vmem_alloc(vm, 1, M_NEXTFIT, &id);
  for (auto _ : state) {
    vmem_addr_t &id = ids[rng() % ids.size()];
    vmem_free(vm, id, 1);
    vmem_alloc(vm, 1, M_NEXTFIT, &id);
  }
  state.SetItemsProcessed(state.iterations());
  for (auto id : ids) vmem_free(vm, id, 1);
  vmem_destroy(vm);
}
BENCHMARK(BM_NextfitIds);

void BM_IdsReference(benchmark::State &state) {
  bench::MapAllocator ref(1, 1 << 24);
  std::mt19937_64 rng(2);
  std::vector<uintptr_t> ids(10000);
  for (auto &id : ids) ref.alloc(1, &id);
  for (auto _ : state) {
    uintptr_t &id = ids[rng() % ids.size()];
    ref.free(id);
    ref.alloc(1, &id);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IdsReference);

// Constrained xalloc: 1..4 quanta, aligned to 16 quanta, not crossing a
// 256-quantum boundary, inside a window, among 1,000 live allocations.
void BM_XallocConstrained(benchmark::State &state) {
  vmem_t *vm = vmem_create("xalloc", kBase, 1 << 30, kQuantum, 0, M_WAITOK);
  std::mt19937_64 rng(3);
  std::vector<Allocation> set(1000);
  for (auto &a : set) {
    a.size = random_size(rng, 16);
    vmem_alloc(vm, a.size, M_BESTFIT, &a.addr);
  }
  const vmem_addr_t lo = kBase + (1 << 24), hi = kBase + (1 << 29) - 1;
  for (auto _ : state) {
    vmem_size_t size = random_size(rng, 4);
    vmem_addr_t addr;
    vmem_xalloc(vm, size, 16 * kQuantum, 0, 256 * kQuantum, lo, hi, M_BESTFIT,
                &addr);
    vmem_xfree(vm, addr, size);
  }
  state.SetItemsProcessed(state.iterations());
  for (auto &a : set) vmem_free(vm, a.addr, a.size);
  vmem_destroy(vm);
}
BENCHMARK(BM_XallocConstrained);

// Arenas shared by the threads of a benchmark live for the whole run: a
// thread may still be freeing when another leaves the loop.
vmem_t *shared(const char *name, vmem_size_t qcache_max) {
  static std::mutex mu;
  static std::map<std::string, vmem_t *> arenas;
  std::lock_guard<std::mutex> lock(mu);
  vmem_t *&vm = arenas[name];
  if (vm == nullptr)
    vm = vmem_create(name, kBase, kArenaSize, kQuantum, qcache_max, M_WAITOK);
  return vm;
}

// Aligned first fit: 1..4 quanta aligned to 16 quanta among 10,000 live
// allocations of 1..16 quanta (the instant-fit-with-alignment path).
void BM_XallocAlignedFirstfit(benchmark::State &state) {
  vmem_t *vm = vmem_create("aligned", kBase, 1 << 30, kQuantum, 0, M_WAITOK);
  std::mt19937_64 rng(8);
  std::vector<Allocation> set(10000);
  for (auto &a : set) {
    a.size = random_size(rng, 16);
    vmem_alloc(vm, a.size, M_BESTFIT, &a.addr);
  }
  for (size_t i = 0; i < set.size(); i += 2) {
    vmem_free(vm, set[i].addr, set[i].size);
    set[i].size = 0;
  }
  for (auto _ : state) {
    vmem_size_t size = random_size(rng, 4);
    vmem_addr_t addr;
    vmem_xalloc(vm, size, 16 * kQuantum, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                M_FIRSTFIT, &addr);
    vmem_xfree(vm, addr, size);
  }
  state.SetItemsProcessed(state.iterations());
  for (auto &a : set)
    if (a.size != 0) vmem_free(vm, a.addr, a.size);
  vmem_destroy(vm);
}
BENCHMARK(BM_XallocAlignedFirstfit);

// Small sizes (1..8 quanta) allocated and freed at once, through the
// quantum cache or not; one arena shared by all threads.
void BM_SmallPair(benchmark::State &state, bool cached) {
  vmem_t *qcache_arena =
      cached ? shared("qc", 8 * kQuantum) : shared("noqc", 0);
  vmem_size_t q = 1 + state.thread_index();
  for (auto _ : state) {
    vmem_size_t size = q * kQuantum;
    vmem_addr_t addr;
    vmem_alloc(qcache_arena, size, M_BESTFIT, &addr);
    benchmark::DoNotOptimize(addr);
    vmem_free(qcache_arena, addr, size);
    q = q == 8 ? 1 : q + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SmallPair, cached, true)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SmallPair, uncached, false)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

void BM_TlsStack(benchmark::State &state) {
  static int item;
  for (auto _ : state) {
    bench::TlsStack::push(&item);
    benchmark::DoNotOptimize(bench::TlsStack::pop());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TlsStack)->Threads(1)->Threads(2)->UseRealTime();

// An arena importing from another, as kmem from the kernel arena.
void BM_Imported(benchmark::State &state) {
  vmem_t *parent =
      vmem_create("parent", kBase, kArenaSize, kQuantum, 0, M_WAITOK);
  vmem_t *child = vmem_create("child", 0, 0, kQuantum, 0, M_WAITOK);
  vmem_set_import(child, vmem_import_arena, vmem_release_arena, parent,
                  64 * kQuantum);
  std::mt19937_64 rng(4);
  std::vector<Allocation> set(1000);
  for (auto &a : set) {
    a.size = random_size(rng, 16);
    vmem_alloc(child, a.size, M_BESTFIT, &a.addr);
  }
  for (auto _ : state) {
    Allocation &a = set[rng() % set.size()];
    vmem_free(child, a.addr, a.size);
    a.size = random_size(rng, 16);
    vmem_alloc(child, a.size, M_BESTFIT, &a.addr);
  }
  state.SetItemsProcessed(state.iterations());
  for (auto &a : set) vmem_free(child, a.addr, a.size);
  vmem_destroy(child);
  vmem_destroy(parent);
}
BENCHMARK(BM_Imported);

// Free (and re-allocate) one of `live` one-quantum allocations: the cost
// of the busy-tag hash lookup as the live set grows. The addresses are
// visited in a shuffled order fixed up front, so that picking the next one
// is a sequential read and the benchmark measures vmem's cache misses, not
// its own. (First fit hands the freed address straight back.)
void BM_FreeWithLive(benchmark::State &state) {
  const size_t live = static_cast<size_t>(state.range(0));
  vmem_t *vm = vmem_create("live", kBase, kArenaSize, kQuantum, 0, M_WAITOK);
  std::vector<vmem_addr_t> set(live);
  for (auto &addr : set) vmem_alloc(vm, kQuantum, M_FIRSTFIT, &addr);
  std::shuffle(set.begin(), set.end(), std::mt19937_64(5));
  size_t i = 0;
  for (auto _ : state) {
    vmem_addr_t &addr = set[i];
    vmem_free(vm, addr, kQuantum);
    vmem_alloc(vm, kQuantum, M_FIRSTFIT, &addr);
    i = i + 1 == live ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
  for (auto addr : set) vmem_free(vm, addr, kQuantum);
  vmem_destroy(vm);
}
BENCHMARK(BM_FreeWithLive)->Arg(10000)->Arg(1000000);

// One million tags allocated, then freed in random order.
void BM_MillionTags(benchmark::State &state) {
  const size_t n = 1000000;
  std::vector<vmem_addr_t> set(n);
  std::mt19937_64 rng(6);
  for (auto _ : state) {
    vmem_t *vm =
        vmem_create("million", kBase, kArenaSize, kQuantum, 0, M_WAITOK);
    for (auto &addr : set) vmem_alloc(vm, kQuantum, M_BESTFIT, &addr);
    std::shuffle(set.begin(), set.end(), rng);
    for (auto addr : set) vmem_free(vm, addr, kQuantum);
    vmem_destroy(vm);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_MillionTags)->Unit(benchmark::kMillisecond)->Iterations(1);

// Several threads churning on one arena (no quantum cache).
void BM_SharedArena(benchmark::State &state) {
  vmem_t *shared_arena = shared("shared", 0);
  std::mt19937_64 rng(7 + state.thread_index());
  std::vector<Allocation> set(1000);
  bool filled = false;
  for (auto _ : state) {
    if (!filled) {
      for (auto &a : set) {
        a.size = random_size(rng, 16);
        vmem_alloc(shared_arena, a.size, M_BESTFIT, &a.addr);
      }
      filled = true;
    }
    Allocation &a = set[rng() % set.size()];
    vmem_free(shared_arena, a.addr, a.size);
    a.size = random_size(rng, 16);
    vmem_alloc(shared_arena, a.size, M_BESTFIT, &a.addr);
  }
  state.SetItemsProcessed(state.iterations());
  if (filled)
    for (auto &a : set) vmem_free(shared_arena, a.addr, a.size);
}
BENCHMARK(BM_SharedArena)->Threads(1)->Threads(2)->UseRealTime();

// Collects nanoseconds per item of every repetition for the ratio table,
// which compares medians: a shared machine's noise moves single runs by a
// fifth or more.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end() && it->second.value > 0)
        ns_per_item_[run.benchmark_name()].push_back(1e9 / it->second.value);
    }
  }

  // Prints "what: a / b = ratio" for each pair that ran.
  void print_ratios() const {
    struct Ratio {
      const char *what, *num, *den;
    };
    const Ratio ratios[] = {
        {"best-fit churn, std::map reference / vmem", "BM_ChurnReference/10000",
         "BM_Churn/bestfit/10000"},
        {"first-fit churn, std::map reference / vmem",
         "BM_ChurnReference/10000", "BM_Churn/firstfit/10000"},
        {"next-fit IDs, std::map reference / vmem", "BM_IdsReference",
         "BM_NextfitIds"},
        {"free with 1M live / with 10k live", "BM_FreeWithLive/1000000",
         "BM_FreeWithLive/10000"},
        {"small pair, uncached / cached (1 thread)",
         "BM_SmallPair/uncached/real_time/threads:1",
         "BM_SmallPair/cached/real_time/threads:1"},
        {"small pair, cached / TLS stack (1 thread)",
         "BM_SmallPair/cached/real_time/threads:1",
         "BM_TlsStack/real_time/threads:1"},
        {"cached throughput, 2 threads / 1 thread",
         "BM_SmallPair/cached/real_time/threads:1",
         "BM_SmallPair/cached/real_time/threads:2"},
        {"shared arena throughput, 2 threads / 1 thread",
         "BM_SharedArena/real_time/threads:1",
         "BM_SharedArena/real_time/threads:2"},
        // The cliffs (cliffs.cc); targets in kern/PORTING.md entry 38.
        {"claim an ID, 24K free / instant fit (<= 20)",
         "BM_ClaimId/random/20/24576", "BM_ClaimIdInstantFit/20/24576"},
        {"claim an ID, 1M free of 4M / 1K of 1M (<= 3)",
         "BM_ClaimId/random/22/1048576", "BM_ClaimId/random/20/1024"},
        {"  the same, IDs in address order", "BM_ClaimId/in_order/22/1048576",
         "BM_ClaimId/in_order/20/1024"},
        {"  a dependent load, 128 MiB / 1 MiB", "BM_DependentLoad/134217728",
         "BM_DependentLoad/1048576"},
        {"near-full next fit / instant fit (<= 10)", "BM_NearFullIds/nextfit",
         "BM_NearFullIds/instantfit"},
        {"first stacked request, top MiB / any (<= 10)",
         "BM_FirstStackedRequest/constrained/manual_time",
         "BM_FirstStackedRequest/unconstrained/manual_time"},
    };
    printf("\n%-48s %10s\n", "ratio of medians", "measured");
    for (const Ratio &r : ratios) {
      auto n = ns_per_item_.find(r.num), d = ns_per_item_.find(r.den);
      if (n == ns_per_item_.end() || d == ns_per_item_.end()) continue;
      printf("%-48s %10.2f\n", r.what, median(n->second) / median(d->second));
    }
  }

 private:
  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t mid = v.size() / 2;
    return v.size() % 2 != 0 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  std::map<std::string, std::vector<double>> ns_per_item_;
};

}  // namespace

int main(int argc, char **argv) {
  // Unless told otherwise: five repetitions of each benchmark. Not
  // interleaved: the benchmarks run in the order above, so the ones with
  // small live sets get tags from compact slabs, before the million-tag
  // ones scatter the tag zone's free items over 64 MiB.
  std::vector<char *> args(argv, argv + argc);
  char repetitions[] = "--benchmark_repetitions=5";
  bool told = false;
  for (int i = 1; i < argc; i++)
    told = told || strncmp(argv[i], "--benchmark_repetitions", 23) == 0;
  if (!told) args.insert(args.begin() + 1, repetitions);
  argc = static_cast<int>(args.size());
  args.push_back(nullptr);
  argv = args.data();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
