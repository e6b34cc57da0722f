// The C++ interface, <sys/vmem.hpp>: ownership (arenas destroyed, ranges
// given back, moves), results and error codes on the paths that do not
// wait, constraints, stacking on a parent arena or a source object, waiting
// allocations across threads, and misuse that still panics: an allocation
// that outlives its arena or is leaked is caught when the arena goes, and
// under AddressSanitizer a leaked handle is reported.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <sys/vmem.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UVMEM_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UVMEM_TEST_ASAN 1
#endif

namespace {

using uvmem::Allocation;
using uvmem::Arena;
using uvmem::Constraints;
using uvmem::Fit;
using uvmem::Result;

// Owning, move-only types; nothing on the non-waiting paths may throw.
static_assert(!std::is_copy_constructible_v<Arena>);
static_assert(!std::is_copy_assignable_v<Arena>);
static_assert(std::is_nothrow_move_constructible_v<Arena>);
static_assert(std::is_nothrow_move_assignable_v<Arena>);
static_assert(!std::is_copy_constructible_v<Allocation>);
static_assert(!std::is_copy_assignable_v<Allocation>);
static_assert(std::is_nothrow_move_constructible_v<Allocation>);
static_assert(std::is_nothrow_move_assignable_v<Allocation>);
static_assert(noexcept(std::declval<Arena &>().try_alloc(1)));
static_assert(noexcept(std::declval<Arena &>().try_xalloc(1, Constraints{})));
static_assert(noexcept(Arena::try_create("x", 0, 0)));
static_assert(noexcept(std::declval<Arena &>().try_add(0, 1)));
static_assert(std::is_same_v<decltype(std::declval<Arena &>().try_alloc(1)),
                             Result<Allocation>>);

constexpr uvmem::size_type kPage = 4096;

TEST(ArenaTest, HandlesGiveTheirRangesBack) {
  Arena a("cxx-basic", 0x10000, 64 * kPage, kPage);
  ASSERT_TRUE(a);
  EXPECT_EQ(a.total(), 64 * kPage);
  {
    Allocation x = a.alloc(3 * kPage);
    Allocation y = a.alloc(kPage, Fit::first);
    ASSERT_TRUE(x);
    EXPECT_EQ(x.size(), 3 * kPage);
    EXPECT_EQ(x.end(), x.addr() + 3 * kPage);
    EXPECT_EQ(x.arena(), a.get());
    EXPECT_FALSE(x.constrained());
    EXPECT_EQ(x.addr() % kPage, 0u);
    EXPECT_TRUE(x.end() <= y.addr() || y.end() <= x.addr());
    EXPECT_EQ(a.allocated(), 4 * kPage);
    EXPECT_EQ(a.available(), 60 * kPage);
    a.verify();
  }
  EXPECT_EQ(a.allocated(), 0u);
  a.verify();
}

TEST(ArenaTest, MovesTransferOwnership) {
  Arena a("cxx-move", 0x10000, 16 * kPage, kPage);
  vmem_t *vm = a.get();
  Arena b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): empty by contract
  EXPECT_EQ(b.get(), vm);

  Allocation x = b.alloc(kPage);
  const uvmem::addr_t addr = x.addr();
  Allocation y(std::move(x));
  EXPECT_FALSE(x);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(y.addr(), addr);
  EXPECT_EQ(b.allocated(), kPage);

  // Assigning over a live handle gives its range back first.
  Allocation z = b.alloc(2 * kPage);
  z = std::move(y);
  EXPECT_EQ(z.addr(), addr);
  EXPECT_EQ(b.allocated(), kPage);
  z = Allocation();
  EXPECT_EQ(b.allocated(), 0u);

  // Arenas move into containers and out again.
  std::vector<Arena> arenas;
  arenas.push_back(std::move(b));
  arenas.emplace_back("cxx-move2", 0x1000, 0x1000);
  Allocation w = arenas[0].alloc(kPage);
  arenas.reserve(100);  // moves the Arenas; the handle still frees
  w.reset();
  EXPECT_FALSE(w);
  EXPECT_EQ(arenas[0].allocated(), 0u);
}

TEST(ArenaTest, ReleaseAndAdoptHandOver) {
  Arena a("cxx-release", 0x10000, 16 * kPage, kPage);
  Allocation x = a.alloc(2 * kPage);
  const uvmem::size_type size = x.size();
  const uvmem::addr_t addr = x.release();
  EXPECT_FALSE(x);
  EXPECT_EQ(a.allocated(), 2 * kPage);  // still ours to free
  vmem_free(a.get(), addr, size);
  EXPECT_EQ(a.allocated(), 0u);

  uvmem::addr_t raw;
  ASSERT_EQ(vmem_xalloc(a.get(), kPage, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                        M_BESTFIT | M_NOWAIT, &raw),
            0);
  {
    Allocation adopted = Allocation::adopt(a.get(), raw, kPage, true);
    EXPECT_TRUE(adopted.constrained());
  }
  EXPECT_EQ(a.allocated(), 0u);

  vmem_t *vm = a.release();
  EXPECT_FALSE(a);
  Arena again = Arena::adopt(vm);
  EXPECT_EQ(again.get(), vm);
}

TEST(ArenaTest, ExhaustionIsAnErrorCodeAndChangesNothing) {
  Arena a("cxx-enomem", 0x10000, 4 * kPage, kPage);
  Allocation all = a.alloc(4 * kPage);
  Result<Allocation> r = a.try_alloc(kPage);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), std::errc::not_enough_memory);
  EXPECT_EQ(r.error().value(), ENOMEM);
  EXPECT_EQ(a.allocated(), 4 * kPage);

  Constraints c;
  c.align = 2 * kPage;
  Result<Allocation> rx = a.try_xalloc(kPage, c);
  EXPECT_EQ(rx.error(), std::errc::not_enough_memory);

  all.reset();
  Result<Allocation> ok = a.try_alloc(kPage);
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok.error());
  EXPECT_EQ(ok->size(), kPage);
  Allocation taken = std::move(ok).value();
  EXPECT_EQ(a.allocated(), kPage);
}

TEST(ArenaTest, TryCreateAndTryAdd) {
  Result<Arena> r = Arena::try_create("cxx-trycreate", 0, 0, kPage);
  ASSERT_TRUE(r) << r.error().message();
  Arena a = std::move(*r);
  EXPECT_EQ(a.total(), 0u);
  EXPECT_EQ(a.try_alloc(kPage).error(), std::errc::not_enough_memory);
  EXPECT_FALSE(a.try_add(0x100000, 8 * kPage));
  a.add(0x200000, 8 * kPage);
  EXPECT_EQ(a.total(), 16 * kPage);
  EXPECT_EQ(a.roundup(1), kPage);
  Allocation x = a.alloc(kPage);
  EXPECT_GE(x.addr(), 0x100000u);
}

TEST(ArenaTest, Constraints) {
  Arena a("cxx-xalloc", 0x100000, 0x100000, 0x10);
  Constraints c;
  c.align = 0x1000;
  c.phase = 0x20;
  Allocation x = a.xalloc(0x40, c);
  EXPECT_TRUE(x.constrained());
  EXPECT_EQ(x.addr() % 0x1000, 0x20u);

  Constraints window;
  window.minaddr = 0x180000;
  window.maxaddr = 0x180fff;
  Result<Allocation> w = a.try_xalloc(0x100, window);
  ASSERT_TRUE(w);
  EXPECT_GE(w->addr(), 0x180000u);
  EXPECT_LE(w->end(), 0x181000u);

  Constraints boundary;
  boundary.nocross = 0x1000;
  boundary.minaddr = 0x180f80;
  Result<Allocation> b = a.try_xalloc(0x100, boundary);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->addr() / 0x1000, (b->end() - 1) / 0x1000);

  Constraints top;
  top.top_down = true;
  Allocation t = a.xalloc(0x100, top);
  EXPECT_EQ(t.end(), 0x200000u);
  a.verify();
}

TEST(ArenaTest, NextFitRotates) {
  Arena ids("cxx-ids", 1, 1000, 1);
  uvmem::addr_t first;
  {
    Allocation a = ids.alloc(1, Fit::next);
    first = a.addr();
  }
  Allocation b = ids.alloc(1, Fit::next);
  EXPECT_NE(b.addr(), first);  // not reused at once
}

TEST(ArenaTest, WalkSeesEverySegment) {
  Arena a("cxx-walk", 0x10000, 16 * kPage, kPage);
  Allocation x = a.alloc(kPage);
  Allocation y = a.alloc(3 * kPage);
  uvmem::size_type alloc = 0, free = 0, spans = 0;
  a.walk(VMEM_WALK_ALLOC | VMEM_WALK_FREE | VMEM_WALK_SPAN,
         [&](uvmem::addr_t start, uvmem::size_type size, int type) {
           EXPECT_EQ(start % kPage, 0u);
           (type == VMEM_WALK_ALLOC  ? alloc
            : type == VMEM_WALK_FREE ? free
                                     : spans) += size;
         });
  EXPECT_EQ(alloc, 4 * kPage);
  EXPECT_EQ(alloc + free, a.total());
  EXPECT_EQ(spans, a.total());
  // Reentrant walks may call into the arena.
  int calls = 0;
  a.walk(VMEM_WALK_ALLOC | VMEM_WALK_REENTRANT,
         [&](uvmem::addr_t, uvmem::size_type, int) {
           calls++;
           EXPECT_EQ(a.allocated(), 4 * kPage);
         });
  EXPECT_EQ(calls, 2);
  vmem_stats st = a.stats();
  EXPECT_STREQ(st.vs_name, "cxx-walk");
  EXPECT_EQ(st.vs_inuse, 4 * kPage);
}

TEST(ArenaTest, QuantumCacheHandles) {
  Arena a("cxx-qcache", 0x10000, 256 * kPage, kPage, 4 * kPage);
  std::vector<Allocation> held;
  for (int i = 0; i < 100; i++) held.push_back(a.alloc((1 + i % 4) * kPage));
  EXPECT_GT(a.allocated(), 0u);
  held.clear();
  // The caches keep items, which count as allocated; the arena is still
  // destroyed cleanly (the caches are drained first).
}

TEST(ArenaTest, ImportFromAParentArena) {
  Arena kva("cxx-kva", 0x100000000, 1024 * kPage, kPage);
  Arena kmem("cxx-kmem", 0, 0, kPage);
  kmem.import_from(kva, 16 * kPage);
  EXPECT_EQ(kmem.total(), 0u);
  {
    Allocation x = kmem.alloc(2 * kPage);
    EXPECT_GE(x.addr(), 0x100000000u);
    EXPECT_EQ(kmem.total(), 16 * kPage);
    EXPECT_EQ(kva.allocated(), 16 * kPage);
    Result<Allocation> big = kmem.try_alloc(100 * kPage);
    ASSERT_TRUE(big);
    EXPECT_EQ(kva.allocated(), kmem.total());
  }
  // Wholly free spans went back to the parent.
  EXPECT_EQ(kmem.total(), 0u);
  EXPECT_EQ(kva.allocated(), 0u);
}

// A span source written as a C++ object: no function pointers, no casts.
class Source {
 public:
  uvmem::Result<uvmem::addr_t> import(uvmem::size_type size, int flags) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_) return std::make_error_code(std::errc::not_enough_memory);
    imported_[next_] = size;
    uvmem::addr_t addr = next_;
    next_ += size + 0x100000;  // never adjacent
    last_flags_ = flags;
    return addr;
  }
  void release(uvmem::addr_t addr, uvmem::size_type size) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = imported_.find(addr);
    ASSERT_NE(it, imported_.end());
    EXPECT_EQ(it->second, size);
    imported_.erase(it);
  }
  size_t live() {
    std::lock_guard<std::mutex> lock(mu_);
    return imported_.size();
  }
  int last_flags() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_flags_;
  }
  void set_fail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
  }

 private:
  std::mutex mu_;
  std::map<uvmem::addr_t, uvmem::size_type> imported_;
  uvmem::addr_t next_ = 0x40000000;
  int last_flags_ = 0;
  bool fail_ = false;
};

TEST(ArenaTest, ImportFromASourceObject) {
  Source source;
  {
    Arena a("cxx-source", 0, 0, kPage);
    a.import_from(source, 8 * kPage);
    Result<Allocation> x = a.try_alloc(kPage);
    ASSERT_TRUE(x);
    EXPECT_EQ(source.live(), 1u);
    EXPECT_NE(source.last_flags() & M_NOWAIT, 0);
    EXPECT_EQ(x->addr(), 0x40000000u);

    source.set_fail(true);
    Result<Allocation> y = a.try_alloc(16 * kPage);
    EXPECT_EQ(y.error(), std::errc::not_enough_memory);
    EXPECT_EQ(source.live(), 1u);
    source.set_fail(false);
    Allocation z = a.alloc(16 * kPage);
    EXPECT_EQ(source.live(), 2u);
  }
  // Destroying the arena gave every span back.
  EXPECT_EQ(source.live(), 0u);
}

// M_WAITOK allocations wait for space another thread frees.
TEST(ArenaTest, WaitingAllocationWakesWhenSpaceIsFreed) {
  Arena a("cxx-wait", 0x10000, 4 * kPage, kPage);
  Allocation all = a.alloc(4 * kPage);
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    Allocation x = a.alloc(2 * kPage);  // sleeps until all is given back
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(got.load());
  all.reset();
  waiter.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(a.allocated(), 0u);
}

TEST(ArenaTest, ThreadsShareAnArena) {
  Arena a("cxx-threads", 0x10000, 4096 * kPage, kPage, 4 * kPage);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++)
    threads.emplace_back([&a, t] {
      std::vector<Allocation> held;
      for (int i = 0; i < 2000; i++) {
        if (held.size() > 50) held.erase(held.begin() + (i * 7 + t) % 50);
        Result<Allocation> r = a.try_alloc((1 + (i + t) % 6) * kPage);
        if (r) held.push_back(std::move(*r));
      }
    });
  for (auto &th : threads) th.join();
  a.verify();
}

class ArenaDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

// An allocation that outlives its arena: the arena's destruction panics.
TEST_F(ArenaDeathTest, AllocationOutlivingItsArenaPanics) {
  EXPECT_DEATH(
      {
        Allocation keep;
        {
          Arena a("cxx-outlive", 0x10000, 16 * kPage, kPage);
          keep = a.alloc(2 * kPage);
        }
      },
      "panic: vmem_destroy1: arena cxx-outlive destroyed with 1 "
      "allocation\\(s\\) of 8192 byte\\(s\\) live");
}

// A range leaked with release() is caught the same way.
TEST_F(ArenaDeathTest, LeakedRangePanicsWhenTheArenaGoes) {
  EXPECT_DEATH(
      {
        Arena a("cxx-leak", 0x10000, 16 * kPage, kPage);
        (void)a.alloc(kPage).release();
      },
      "panic: vmem_destroy1: arena cxx-leak destroyed with 1 "
      "allocation\\(s\\)");
}

TEST_F(ArenaDeathTest, DoubleFreeBehindAHandlePanics) {
  EXPECT_DEATH(
      {
        Arena a("cxx-dfree", 0x10000, 16 * kPage, kPage);
        Allocation x = a.alloc(kPage);
        vmem_free(a.get(), x.addr(), x.size());
      },  // x frees it again here
      "panic: vmem_xfree: arena cxx-dfree: address 0x10000 \\(size 0x1000\\) "
      "is not allocated");
}

TEST_F(ArenaDeathTest, InvalidRequestsStillPanic) {
  EXPECT_DEATH(
      {
        Arena a("cxx-size0", 0x10000, 16 * kPage, kPage);
        Result<Allocation> r = a.try_alloc(0);
      },
      "panic: vmem_alloc: arena cxx-size0: size 0");
  EXPECT_DEATH(
      {
        Arena a("cxx-align", 0x10000, 16 * kPage, kPage);
        Constraints c;
        c.align = 3 * kPage;
        Result<Allocation> r = a.try_xalloc(kPage, c);
      },
      "panic: vmem_xalloc: arena cxx-align: align 0x3000 is not a power of "
      "two");
}

TEST_F(ArenaDeathTest, EmptyArenaAndMissingValueAbort) {
  EXPECT_DEATH(
      {
        Arena a;
        Allocation x = a.alloc(1);
      },
      "panic: uvmem::Arena::alloc: empty arena");
  EXPECT_DEATH(
      {
        Arena a("cxx-novalue", 0x10000, kPage, kPage);
        Allocation all = a.alloc(kPage);
        Result<Allocation> r = a.try_alloc(kPage);
        Allocation x = std::move(r).value();
      },
      "panic: uvmem::Result::value: no value: ");
}

// A handle leaked on the heap (never destroyed, so its range is never given
// back) is reported by AddressSanitizer's leak checker when the program
// exits. Without AddressSanitizer the program exits quietly: the leak
// would only show when the arena is destroyed (see above).
bool LeakCheckerFired(int status) {
#ifdef UVMEM_TEST_ASAN
  return (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) ||
         (WIFEXITED(status) && WEXITSTATUS(status) != 0);
#else
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
#endif
}

// Where the leaked objects pass through: a store the compiler must make,
// so that the allocations are not optimised away, then overwritten.
Arena *volatile leaked_arena;
Allocation *volatile leaked_handle;

__attribute__((noinline)) void LeakAHandle() {
  leaked_arena = new Arena("cxx-lsan", 0x10000, 16 * kPage, kPage);
  leaked_handle = new Allocation(leaked_arena->alloc(kPage));
  leaked_handle = nullptr;
  leaked_arena = nullptr;
}

TEST_F(ArenaDeathTest, LeakedHandleIsReportedByAsan) {
  EXPECT_EXIT(
      {
        LeakAHandle();
        exit(0);
      },
      LeakCheckerFired,
#ifdef UVMEM_TEST_ASAN
      "LeakSanitizer: detected memory leaks"
#else
      ""
#endif
  );
}

}  // namespace
