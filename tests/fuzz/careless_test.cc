// The careless caller's inputs (driver.h): the model's predictions of
// vmem's argument checks, the fork()ed children that verify predicted
// panics and sleeps (child.h), hand-written streams of each kind of
// careless input (careless_streams.h, also the seed corpus), and that a
// wrong prediction is caught as a divergence.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"
#include "tests/fuzz/careless_streams.h"
#include "tests/fuzz/child.h"
#include "tests/fuzz/driver.h"
#include "tests/fuzz/model.h"
#include "tests/util/concurrency.h"

namespace vmem_fuzz {
namespace {

// The children's time bounds, in the milliseconds RunInChild() takes.
const int kHangMs = static_cast<int>(
    std::chrono::milliseconds(test_util::kHangTimeout).count());
const int kSettleMs = static_cast<int>(test_util::kSettle.count());

// ---- the model's predictions

TEST(PredictionTest, AddStartNotAQuantumMultiple) {
  // The report: vmem_add(vm, 0x100010, 65536, M_WAITOK), quantum 4096.
  Model m(4096, "arena0");
  PanicPrediction p = m.CheckAdd(0x100010, 65536, M_WAITOK);
  EXPECT_EQ(p.function, "vmem_add");
  EXPECT_EQ(p.ToString(),
            "panic: vmem_add: arena arena0...span start 0x100010..."
            "quantum 0x1000");
  EXPECT_TRUE(m.CheckAdd(0x100000, 65536, M_WAITOK).empty());
  EXPECT_FALSE(m.CheckAdd(VMEM_ADDR_MAX - 0xfff, 0x2000, M_WAITOK).empty());
  EXPECT_TRUE(m.CheckAdd(0 - 0x2000, 0x2000, M_WAITOK).empty());  // the top
  EXPECT_FALSE(m.CheckAdd(0x100000, 0, M_WAITOK).empty());
  EXPECT_FALSE(m.CheckAdd(0x100000, 65536, M_WAITOK | M_NOWAIT).empty());
}

TEST(PredictionTest, AddOverlappingASpan) {
  Model m(16, "arena0");
  m.AddSpan(0x1000, 0x1000, false);
  EXPECT_EQ(m.CheckAdd(0x1ff0, 0x20, M_WAITOK).ToString(),
            "panic: vmem_add: arena arena0...span at 0x1ff0 of size 0x20 "
            "overlaps the span at");
  EXPECT_TRUE(m.CheckAdd(0x2000, 0x20, M_WAITOK).empty());
  EXPECT_TRUE(m.CheckAdd(0xfe0, 0x20, M_WAITOK).empty());
}

TEST(PredictionTest, FlagsOutsideVmemFlagsAreIgnored) {
  Model m(16);
  Constraints none;
  EXPECT_TRUE(m.CheckAlloc(false, 0x10, none,
                           M_BESTFIT | M_NOWAIT | M_ZERO | 0x1 | 0x40000000)
                  .empty());
  // The message shows the flags as vmem masked them.
  PanicPrediction p = m.CheckAlloc(false, 0x10, none, M_NOWAIT | M_ZERO);
  EXPECT_EQ(p.kind, "vmem_alloc: no single fit strategy");
  EXPECT_EQ(p.fragments[1], "flags 0x800");
  p = m.CheckAlloc(true, 0x10, none, M_BESTFIT | M_NOWAIT | M_WAITOK);
  EXPECT_EQ(p.kind, "vmem_xalloc: M_NOWAIT and M_WAITOK");
  // vmem_alloc() hands M_NOWAIT|M_WAITOK on to vmem_xalloc(), which checks.
  p = m.CheckAlloc(false, 0x10, none, M_BESTFIT | M_NOWAIT | M_WAITOK);
  EXPECT_EQ(p.function, "vmem_xalloc");
}

TEST(PredictionTest, ChecksInVmemsOrder) {
  Model m(16);
  Constraints c;
  c.align = 0x30;  // bad
  c.minaddr = 2;   // above maxaddr: checked later
  c.maxaddr = 1;
  EXPECT_EQ(m.CheckAlloc(true, 0x10, c, M_BESTFIT | M_NOWAIT).kind,
            "vmem_xalloc: align");
  c.align = 0x100;
  EXPECT_EQ(m.CheckAlloc(true, 0x10, c, M_BESTFIT | M_NOWAIT).kind,
            "vmem_xalloc: minaddr above maxaddr");
  // Size 0 comes first, then the rounding.
  EXPECT_EQ(m.CheckAlloc(true, 0, c, 0).kind, "vmem_xalloc: size 0");
  EXPECT_EQ(m.CheckAlloc(true, VMEM_ADDR_MAX, Constraints(), 0).kind,
            "vmem_xalloc: size overflows when rounded");
}

TEST(PredictionTest, FreeSizeMustRoundToTheAllocation) {
  Model m(16);
  m.AddSpan(0x1000, 0x1000, false);
  m.Allocate(0x1000, 0x30);
  EXPECT_TRUE(m.CheckFree(true, 0x1000, 0x30).empty());
  EXPECT_TRUE(m.CheckFree(true, 0x1000, 0x21).empty());  // rounds to 0x30
  EXPECT_EQ(m.CheckFree(true, 0x1000, 0x20).kind, "vmem_xfree: wrong size");
  EXPECT_EQ(m.CheckFree(true, 0x1000, VMEM_ADDR_MAX).kind,
            "vmem_xfree: wrong size");  // rounds to 0
  EXPECT_EQ(m.CheckFree(false, 0x1000, 0).kind, "vmem_free: size 0");
  EXPECT_EQ(m.CheckFree(true, 0x1010, 0x20).kind, "vmem_xfree: not allocated");
}

TEST(PredictionTest, ImportSizeWraps) {
  bool overflow;
  EXPECT_EQ(ImportSize(0x30, 0x10, 0x10, 0x100, false, &overflow), 0x100u);
  EXPECT_FALSE(overflow);
  EXPECT_EQ(ImportSize(0x30, 0x100, 0x10, 0x100, false, &overflow), 0x300u);
  EXPECT_EQ(ImportSize(0x30, 0x100, 0x10, 0x100, true, &overflow), 0x100u);
  ImportSize(0 - 0x10, 0x10, 0x10, 0x40, false, &overflow);
  EXPECT_TRUE(overflow);
  ImportSize(0x10, static_cast<vmem_size_t>(1) << 63, 0x10, 0x10, false,
             &overflow);
  EXPECT_TRUE(overflow);
}

TEST(PanicMatchesTest, FragmentsInOrderAndWhole) {
  PanicPrediction p{"k", "vmem_xfree", {"arena a", "address 0x10", "size 0"}};
  std::string why;
  EXPECT_TRUE(PanicMatches(
      p, "noise\npanic: vmem_xfree: arena a: address 0x10 freed with size 0\n",
      &why));
  // 0x10 must not match the start of 0x100, nor "size 0" "size 0x20".
  EXPECT_FALSE(PanicMatches(
      p, "panic: vmem_xfree: arena a: address 0x100 freed with size 0\n",
      &why));
  EXPECT_FALSE(PanicMatches(
      p, "panic: vmem_xfree: arena a: address 0x10 freed with size 0x20\n",
      &why));
  EXPECT_NE(why.find("does not match"), std::string::npos) << why;
  // Another function, the fragments out of order, no panic line.
  EXPECT_FALSE(PanicMatches(
      p, "panic: vmem_free: arena a: address 0x10 freed with size 0\n", &why));
  EXPECT_FALSE(PanicMatches(
      p, "panic: vmem_xfree: address 0x10 arena a size 0\n", &why));
  EXPECT_FALSE(PanicMatches(p, "abort\n", &why));
  EXPECT_NE(why.find("no panic line"), std::string::npos) << why;
}

// ---- children

// An arena for the child tests, made before any fork: the children only
// use it. Quantum 16, [0x1000, 0x2000), one allocation of 0x40 at 0x1000.
vmem_t *ChildArena() {
  static vmem_t *vm = [] {
    vmem_t *v = vmem_create("kid", 0x1000, 0x1000, 16, 0, M_WAITOK);
    vmem_addr_t a;
    if (vmem_xalloc(v, 0x40, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                    M_BESTFIT | M_NOWAIT, &a) != 0 ||
        a != 0x1000)
      abort();
    return v;
  }();
  return vm;
}

PanicPrediction WrongSize() {
  return {"test",
          "vmem_xfree",
          {"arena kid", "address 0x1000", "size 0x40", "size 0x80"}};
}

TEST(ChildTest, PredictedPanicIsVerified) {
  vmem_t *vm = ChildArena();
  ChildResult r = RunInChild([vm] { vmem_xfree(vm, 0x1000, 0x80); },
                             ChildMode::kPanic, 0, kHangMs);
  std::string why;
  EXPECT_TRUE(CheckPanicked(WrongSize(), r, &why)) << why;
  EXPECT_EQ(r.outcome, ChildResult::kAborted);
  // The parent's arena is untouched.
  vmem_verify(vm);
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0x40u);
}

// A fake child that does not panic: the check must report it.
TEST(ChildTest, ChildThatReturnsIsADivergence) {
  ChildResult r = RunInChild([] {}, ChildMode::kPanic, 0, kHangMs);
  EXPECT_EQ(r.outcome, ChildResult::kExited);
  EXPECT_EQ(r.code, kChildReturned);
  std::string why;
  EXPECT_FALSE(CheckPanicked(WrongSize(), r, &why));
  EXPECT_NE(why.find("returned without a panic"), std::string::npos) << why;
}

TEST(ChildTest, OtherPanicIsADivergence) {
  vmem_t *vm = ChildArena();
  ChildResult r = RunInChild([vm] { vmem_xfree(vm, 0x1000, 0); },
                             ChildMode::kPanic, 0, kHangMs);
  EXPECT_EQ(r.outcome, ChildResult::kAborted);
  std::string why;
  EXPECT_FALSE(CheckPanicked(WrongSize(), r, &why));
  EXPECT_NE(why.find("does not match"), std::string::npos) << why;
}

TEST(ChildTest, ExitSignalAndHangAreDivergences) {
  std::string why;
  ChildResult r = RunInChild([] { _exit(3); }, ChildMode::kPanic, 0, kHangMs);
  EXPECT_EQ(r.outcome, ChildResult::kExited);
  EXPECT_FALSE(CheckPanicked(WrongSize(), r, &why));
  r = RunInChild([] { raise(SIGKILL); }, ChildMode::kPanic, 0, kHangMs);
  EXPECT_EQ(r.outcome, ChildResult::kSignaled);
  EXPECT_FALSE(CheckPanicked(WrongSize(), r, &why));
  // An abort() without the predicted panic line.
  r = RunInChild([] { abort(); }, ChildMode::kPanic, 0, kHangMs);
  EXPECT_EQ(r.outcome, ChildResult::kAborted);
  EXPECT_FALSE(CheckPanicked(WrongSize(), r, &why));
  EXPECT_NE(why.find("no panic line"), std::string::npos) << why;
  r = RunInChild(
      [] {
        for (;;) pause();
      },
      ChildMode::kPanic, 0, 200);
  EXPECT_EQ(r.outcome, ChildResult::kTimedOut);
  EXPECT_FALSE(CheckPanicked(WrongSize(), r, &why));
}

TEST(ChildTest, SleeperIsFoundAsleep) {
  vmem_t *vm = ChildArena();
  // More than the arena holds, waiting: sleeps for ever.
  ChildResult r = RunInChild(
      [vm] {
        vmem_addr_t a;
        vmem_alloc(vm, 0x2000, M_BESTFIT | M_WAITOK, &a);
      },
      ChildMode::kSleep, kSettleMs, kHangMs);
  std::string why;
  EXPECT_TRUE(CheckAsleep(r, &why)) << why;
  // One that returns, and one that spins, are not asleep.
  r = RunInChild([] {}, ChildMode::kSleep, kSettleMs, kHangMs);
  EXPECT_FALSE(CheckAsleep(r, &why));
  r = RunInChild(
      [] {
        for (volatile int i = 0;; i++) {
        }
      },
      ChildMode::kSleep, 50, 300);
  EXPECT_EQ(r.outcome, ChildResult::kAsleep);
  EXPECT_EQ(r.state, 'R');
  EXPECT_FALSE(CheckAsleep(r, &why));
  EXPECT_EQ(vmem_size(vm, VMEM_ALLOC), 0x40u);
}

// Forking while the periodic task runs and other threads allocate must
// neither hang nor fail: the panic path needs no other thread.
TEST(ChildTest, ManyChildrenWhileOtherThreadsWork) {
  vmem_t *vm = ChildArena();
  int interval = 1, old;
  ASSERT_EQ(vmem_sysctl_int("kern.vmem_periodic_interval", &old, &interval), 0);
  std::atomic<bool> stop{false};
  std::thread worker([&stop] {
    vmem_t *w = vmem_create("kid-worker", 0x10000, 0x100000, 16, 0, M_WAITOK);
    while (!stop.load()) {
      vmem_addr_t a[64];
      for (auto &x : a)
        if (vmem_alloc(w, 0x30, M_BESTFIT | M_WAITOK, &x) != 0) abort();
      for (auto x : a) vmem_free(w, x, 0x30);
      std::string s(100, 'x');  // and malloc
    }
    vmem_destroy(w);
  });
  int hung = 0;
  for (int i = 0; i < 100; i++) {
    ChildResult r = RunInChild([vm] { vmem_xfree(vm, 0x1000, 0x80); },
                               ChildMode::kPanic, 0, 5000);
    if (r.outcome == ChildResult::kTimedOut) {
      hung++;
      continue;
    }
    std::string why;
    ASSERT_TRUE(CheckPanicked(WrongSize(), r, &why)) << why;
  }
  stop = true;
  worker.join();
  vmem_sysctl_int("kern.vmem_periodic_interval", nullptr, &old);
  // A child can inherit a lock another thread held at the fork; the driver
  // retries those. They must be rare.
  printf("100 children, %d hung\n", hung);
  EXPECT_LE(hung, 2);
}

TEST(LedgerTest, VerifiesAFewOfEachKind) {
  PredictionLedger &l = PredictionLedger::Get();
  EXPECT_TRUE(l.ShouldVerify("ledger-test", 2));
  EXPECT_TRUE(l.ShouldVerify("ledger-test", 2));
  EXPECT_FALSE(l.ShouldVerify("ledger-test", 2));
  EXPECT_TRUE(l.ShouldVerify("ledger-test-all", -1));
  EXPECT_FALSE(l.ShouldVerify("ledger-test-none", 0));
  l.Record("ledger-test", true);
  l.Record("ledger-test", false);
  auto counts = l.kinds().at("ledger-test");
  EXPECT_EQ(counts.first, 1);
  EXPECT_EQ(counts.second, 2);
}

// ---- the streams

bool RunCareless(const CarelessStream &s, const DriverOptions &options,
                 DriverStats *st, std::string *error) {
  return RunStream(s.bytes.data(), s.bytes.size(), options, st, error);
}

TEST(CarelessStreamTest, EachKindIsPredictedAndVerified) {
  for (const CarelessStream &s : CarelessStreams()) {
    SCOPED_TRACE(s.name);
    auto before = PredictionLedger::Get().kinds();
    DriverOptions options;
    options.verify_per_kind = -1;  // every prediction, in a child
    options.trace = getenv("VMEM_FUZZ_TRACE") != nullptr;
    DriverStats st;
    std::string error;
    ASSERT_TRUE(RunCareless(s, options, &st, &error)) << error;
    auto after = PredictionLedger::Get().kinds();
    for (const char *kind : s.kinds) {
      int64_t verified = after[kind].first - before[kind].first;
      EXPECT_GE(verified, 1) << kind << ": not predicted or not verified";
    }
    EXPECT_EQ(st.panics_verified, st.predicted_panics);
    EXPECT_EQ(st.sleeps_verified, st.predicted_sleeps);
    for (const auto &want : s.at_least)
      EXPECT_GE(st.*(want.first), want.second) << st.ToString();
  }
}

// Every careless kind of the model appears in some stream.
TEST(CarelessStreamTest, StreamsCoverEveryKind) {
  std::set<std::string> covered;
  for (const CarelessStream &s : CarelessStreams())
    for (const char *kind : s.kinds) covered.insert(kind);
  for (const char *kind : {"vmem_add: span empty or wraps",
                           "vmem_add: span size not a quantum multiple",
                           "vmem_add: span start not a quantum multiple",
                           "vmem_alloc: size 0",
                           "vmem_alloc: no single fit strategy",
                           "vmem_xalloc: size 0",
                           "vmem_xalloc: size overflows when rounded",
                           "vmem_xalloc: no single fit strategy",
                           "vmem_xalloc: M_NOWAIT and M_WAITOK",
                           "vmem_xalloc: align",
                           "vmem_xalloc: phase not a quantum multiple",
                           "vmem_xalloc: nocross",
                           "vmem_xalloc: phase not below align",
                           "vmem_xalloc: nocross below size",
                           "vmem_xalloc: minaddr above maxaddr",
                           "vmem_xalloc: phase and size cross nocross",
                           "vmem_xalloc: M_NEXTFIT with a window",
                           "vmem_xalloc: M_ENDALLOC with M_NEXTFIT",
                           "vmem_free: size 0",
                           "vmem_xfree: size 0",
                           "vmem_xfree: not allocated",
                           "vmem_xfree: wrong size",
                           "vmem_import: span size",
                           "vmem_import: span start or wrap",
                           "vmem_set_import: arena not empty",
                           "vmem_size: bad typemask",
                           "vmem_alloc: sleeps for ever",
                           "vmem_xalloc: sleeps for ever"})
    EXPECT_EQ(covered.count(kind), 1u) << kind;
}

// A wrong prediction is a divergence: with every prediction altered, the
// driver must report the first stream that panics as diverging.
TEST(CarelessStreamTest, WrongPredictionIsCaught) {
  DriverOptions options;
  options.verify_per_kind = -1;
  options.corrupt_predictions = true;
  for (const CarelessStream &s : CarelessStreams()) {
    if (s.kinds.empty() || s.kinds[0] == std::string("vmem_alloc: sleeps "
                                                     "for ever"))
      continue;
    SCOPED_TRACE(s.name);
    std::string error;
    EXPECT_FALSE(RunCareless(s, options, nullptr, &error));
    EXPECT_NE(error.find("must panic"), std::string::npos) << error;
    EXPECT_NE(error.find("does not match"), std::string::npos) << error;
  }
}

// Without verification the predicted panics are skipped and counted.
TEST(CarelessStreamTest, BudgetSpentPredictionsAreSkipped) {
  DriverOptions options;
  options.verify_per_kind = 0;
  DriverStats st;
  std::string error;
  ASSERT_TRUE(RunCareless(CarelessStreams()[1], options, &st, &error)) << error;
  EXPECT_GT(st.predicted_panics, 5);
  EXPECT_EQ(st.panics_verified, 0);
}

// The fuzz target's operation count (vmem_fuzzer.cc prints it at exit,
// run_fuzzer.sh checks it against --min-ops) adds up every stream run.
TEST(StatsTest, ProcessStatsAddUpEveryStream) {
  DriverStats before = ProcessStats();
  DriverOptions options;
  options.verify_per_kind = 0;
  DriverStats mine;
  std::string error;
  for (const CarelessStream &s : CarelessStreams())
    ASSERT_TRUE(RunCareless(s, options, &mine, &error)) << error;
  DriverStats after = ProcessStats();
  EXPECT_GT(mine.ops, 50);
  EXPECT_EQ(after.ops - before.ops, mine.ops);
  EXPECT_EQ(after.predicted_panics - before.predicted_panics,
            mine.predicted_panics);
  EXPECT_EQ(after.allocs - before.allocs, mine.allocs);
  // Every decoded operation counts once, whatever became of it.
  const CarelessStream &alloc = CarelessStreams()[1];
  DriverStats one;
  ASSERT_TRUE(RunCareless(alloc, options, &one, &error)) << error;
  EXPECT_EQ(one.ops, 15);
}

// The seed corpus holds the streams above, byte for byte.
TEST(CarelessStreamTest, SeedCorpusHoldsTheStreams) {
  const char *dir = getenv("VMEM_FUZZ_WRITE_CORPUS");
  for (const CarelessStream &s : CarelessStreams()) {
    if (dir != nullptr) {
      std::ofstream out(std::string(dir) + "/careless_" + s.name,
                        std::ios::binary);
      out.write(reinterpret_cast<const char *>(s.bytes.data()),
                static_cast<std::streamsize>(s.bytes.size()));
      continue;
    }
    std::ifstream in(std::string("tests/fuzz/corpus/careless_") + s.name,
                     std::ios::binary);
    ASSERT_TRUE(in) << "corpus/careless_" << s.name << " missing";
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    EXPECT_EQ(data, s.bytes) << "corpus/careless_" << s.name;
  }
}

}  // namespace
}  // namespace vmem_fuzz
