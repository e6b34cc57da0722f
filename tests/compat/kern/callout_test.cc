// callout(9) and taskqueue(9) on the emulated kernel's background threads.
// hz is 1000: a tick is a millisecond.
#include <sys/callout.h>

#include <atomic>
#include <thread>

#include <sys/kernel.h>
#include <sys/taskqueue.h>
#include "gtest/gtest.h"
#include "tests/util/concurrency.h"

namespace {

using test_util::WaitUntil;

// Callouts and their records live for the whole program, so that a failing
// test cannot leave the softclock thread a dangling pointer.
struct Probe {
  struct callout c;
  std::atomic<int> fired{0};
  std::atomic<void *> arg{nullptr};
  std::atomic<int> limit{0};  // self-rescheduling: stop after this many
};

void count_fire(void *arg) {
  auto *p = static_cast<Probe *>(arg);
  p->arg = arg;
  p->fired++;
}

void reschedule_self(void *arg) {
  auto *p = static_cast<Probe *>(arg);
  if (p->fired.load() + 1 < p->limit.load()) {
    EXPECT_EQ(callout_reset(&p->c, 1, reschedule_self, p), 0);
  }
  p->fired++;
}

// Waits until the softclock thread has fired everything due before now,
// by scheduling a sentinel after it and waiting for that.
void flush_softclock(int ticks) {
  static Probe sentinel;
  int before = sentinel.fired.load();
  callout_init(&sentinel.c, 1);
  callout_reset(&sentinel.c, ticks, count_fire, &sentinel);
  ASSERT_TRUE(WaitUntil([&] { return sentinel.fired.load() > before; }));
}

TEST(Callout, FiresAfterItsTicks) {
  static Probe p;
  callout_init(&p.c, 1);
  EXPECT_EQ(callout_pending(&p.c), 0);
  EXPECT_EQ(callout_reset(&p.c, 10, count_fire, &p), 0);
  EXPECT_TRUE(WaitUntil([] { return p.fired.load() >= 1; }));
  EXPECT_EQ(p.arg.load(), &p);
  EXPECT_EQ(callout_pending(&p.c), 0);
  EXPECT_EQ(callout_stop(&p.c), 0);  // not pending any more
  // Fires once.
  flush_softclock(5);
  EXPECT_EQ(p.fired.load(), 1);
}

TEST(Callout, ZeroTicksStillFires) {
  static Probe p;
  callout_init(&p.c, 1);
  EXPECT_EQ(callout_reset(&p.c, 0, count_fire, &p), 0);
  EXPECT_TRUE(WaitUntil([] { return p.fired.load() >= 1; }));
  flush_softclock(5);
  EXPECT_EQ(p.fired.load(), 1);
}

TEST(Callout, StopBeforeItFiresPreventsIt) {
  static Probe p;
  callout_init(&p.c, 1);
  EXPECT_EQ(callout_reset(&p.c, 300, count_fire, &p), 0);
  EXPECT_EQ(callout_pending(&p.c), 1);
  ASSERT_EQ(callout_stop(&p.c), 1) << "fired before it could be stopped";
  EXPECT_EQ(callout_pending(&p.c), 0);
  EXPECT_EQ(callout_stop(&p.c), 0);
  // A sentinel due after p would have been: were p still queued, the
  // softclock thread would fire it first.
  flush_softclock(400);
  EXPECT_EQ(p.fired.load(), 0);
}

TEST(Callout, ResetOfAPendingCalloutReschedules) {
  static Probe slow, fast;
  callout_init(&slow.c, 1);
  // Far off: only a reschedule makes it fire within the test.
  EXPECT_EQ(callout_reset(&slow.c, 3600 * hz, count_fire, &fast), 0);
  EXPECT_EQ(callout_reset(&slow.c, 1, count_fire, &slow), 1);
  EXPECT_TRUE(WaitUntil([] { return slow.fired.load() >= 1; }));
  EXPECT_EQ(slow.arg.load(), &slow);  // the new function argument
  EXPECT_EQ(callout_pending(&slow.c), 0);
  // Queued once, so fired once.
  flush_softclock(5);
  EXPECT_EQ(slow.fired.load(), 1);
  EXPECT_EQ(fast.fired.load(), 0);
}

TEST(Callout, MayRescheduleItselfFromItsFunction) {
  static Probe p;
  callout_init(&p.c, 1);
  p.limit = 4;
  callout_reset(&p.c, 1, reschedule_self, &p);
  EXPECT_TRUE(WaitUntil([] { return p.fired.load() >= 4; }));
  flush_softclock(5);
  EXPECT_EQ(p.fired.load(), 4);
  EXPECT_EQ(callout_pending(&p.c), 0);
}

// taskqueue(9).

// A task that holds the taskqueue thread until released.
struct Blocker {
  struct task t;
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
};

void block(void *context, int pending) {
  auto *b = static_cast<Blocker *>(context);
  b->started = true;
  WaitUntil([b] { return b->release.load(); });
}

struct Counted {
  struct task t;
  std::atomic<int> runs{0};
  std::atomic<int> last_pending{0};
  std::atomic<int> total_pending{0};
};

void count_run(void *context, int pending) {
  auto *c = static_cast<Counted *>(context);
  c->last_pending = pending;
  c->total_pending += pending;
  c->runs++;
}

// Releases a blocker from another thread a little later, so that the
// caller can already be inside taskqueue_drain(); if it is not yet, the test
// is merely weaker, never wrong.
std::thread release_later(Blocker *b) {
  return std::thread([b] {
    std::this_thread::sleep_for(test_util::kSettle);
    b->release = true;
  });
}

TEST(Taskqueue, RunsAnEnqueuedTask) {
  static Counted c;
  TASK_INIT(&c.t, 0, count_run, &c);
  EXPECT_EQ(taskqueue_enqueue(taskqueue_thread, &c.t), 0);
  EXPECT_TRUE(WaitUntil([] { return c.runs.load() >= 1; }));
  EXPECT_EQ(c.last_pending.load(), 1);
  taskqueue_drain(taskqueue_thread, &c.t);
  EXPECT_EQ(c.runs.load(), 1);
}

TEST(Taskqueue, EnqueuedSeveralTimesRunsOnceWithPendingCount) {
  static Blocker b;
  static Counted c;
  TASK_INIT(&b.t, 0, block, &b);
  TASK_INIT(&c.t, 0, count_run, &c);
  taskqueue_enqueue(taskqueue_thread, &b.t);
  ASSERT_TRUE(WaitUntil([] { return b.started.load(); }));
  for (int i = 0; i < 3; i++) taskqueue_enqueue(taskqueue_thread, &c.t);
  EXPECT_EQ(c.runs.load(), 0);
  std::thread releaser = release_later(&b);
  // Drain waits for the queued task to run.
  taskqueue_drain(taskqueue_thread, &c.t);
  EXPECT_EQ(c.runs.load(), 1);
  EXPECT_EQ(c.last_pending.load(), 3);
  releaser.join();
  taskqueue_drain(taskqueue_thread, &b.t);

  // Enqueued again after it ran: runs again, pending 1.
  taskqueue_enqueue(taskqueue_thread, &c.t);
  taskqueue_drain(taskqueue_thread, &c.t);
  EXPECT_EQ(c.runs.load(), 2);
  EXPECT_EQ(c.last_pending.load(), 1);
  EXPECT_EQ(c.total_pending.load(), 4);
}

TEST(Taskqueue, DrainWaitsForARunningTask) {
  static Blocker b;
  static std::atomic<bool> finished{false};
  TASK_INIT(
      &b.t, 0,
      [](void *context, int pending) {
        block(context, pending);
        finished = true;
      },
      &b);
  taskqueue_enqueue(taskqueue_thread, &b.t);
  ASSERT_TRUE(WaitUntil([] { return b.started.load(); }));
  std::thread releaser = release_later(&b);
  taskqueue_drain(taskqueue_thread, &b.t);
  EXPECT_TRUE(finished.load()) << "drain returned while the task ran";
  releaser.join();
}

TEST(Taskqueue, DrainOfAnIdleTaskReturns) {
  static Counted c;
  TASK_INIT(&c.t, 0, count_run, &c);
  taskqueue_drain(taskqueue_thread, &c.t);
  EXPECT_EQ(c.runs.load(), 0);
}

}  // namespace
