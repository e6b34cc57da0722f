// callout(9) (see <sys/callout.h>): a background "softclock" thread fires
// callouts when they are due. It starts with the first callout_reset() and
// stops when the program exits.
#include <stdint.h>
#include <time.h>

#include <vector>

#include <sys/callout.h>
#include <sys/kernel.h>

#include "compat/kern/kern_kthread.hpp"

namespace {

int64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

class Softclock : public KernelThread {
 public:
  // Never destroyed: a callout or task may still call in while the program
  // exits; the thread is stopped by shutdown() (see SoftclockStopper below).
  static Softclock &get() {
    static Softclock *instance = new Softclock();
    return *instance;
  }

  int reset(struct callout *c, int ticks, void (*func)(void *), void *arg) {
    mtx_lock(&lock_);
    start_locked();
    int was_pending = c->c_pending;
    if (!was_pending) callouts_.push_back(c);
    c->c_func = func;
    c->c_arg = arg;
    c->c_due_ns = now_ns() + int64_t{ticks > 0 ? ticks : 1} * 1000000000 / hz;
    c->c_pending = 1;
    cv_broadcast(&cv_);
    mtx_unlock(&lock_);
    return was_pending;
  }

  int stop(struct callout *c) {
    mtx_lock(&lock_);
    int was_pending = c->c_pending;
    if (was_pending) {
      c->c_pending = 0;
      for (auto it = callouts_.begin(); it != callouts_.end(); ++it)
        if (*it == c) {
          callouts_.erase(it);
          break;
        }
    }
    mtx_unlock(&lock_);
    return was_pending;
  }

  int pending(struct callout *c) {
    mtx_lock(&lock_);
    int pending = c->c_pending;
    mtx_unlock(&lock_);
    return pending;
  }

  Softclock() : KernelThread("softclock") {}

 private:
  void loop() override {
    while (!stopping_) {
      int64_t now = now_ns();
      struct callout *due = nullptr;
      int64_t next = INT64_MAX;
      for (auto it = callouts_.begin(); it != callouts_.end(); ++it) {
        if ((*it)->c_due_ns <= now) {
          due = *it;
          callouts_.erase(it);
          break;
        }
        if ((*it)->c_due_ns < next) next = (*it)->c_due_ns;
      }
      if (due != nullptr) {
        due->c_pending = 0;
        void (*func)(void *) = due->c_func;
        void *arg = due->c_arg;
        mtx_unlock(&lock_);
        func(arg);
        mtx_lock(&lock_);
        continue;
      }
      if (next == INT64_MAX) {
        cv_wait(&cv_, &lock_);
      } else {
        // Whole ticks, rounded up: woken early, the loop sleeps again.
        const int64_t tick_ns = 1000000000 / hz;
        cv_timedwait(&cv_, &lock_,
                     static_cast<int>((next - now + tick_ns - 1) / tick_ns));
      }
    }
  }

  std::vector<struct callout *> callouts_;
};

// Stops the thread when the program exits (if it ever started).
struct SoftclockStopper {
  ~SoftclockStopper() { Softclock::get().shutdown(); }
} softclock_stopper;

}  // namespace

void callout_init(struct callout *c, int mpsafe) {
  c->c_func = nullptr;
  c->c_arg = nullptr;
  c->c_due_ns = 0;
  c->c_pending = 0;
  c->c_mpsafe = mpsafe;
}

int callout_reset(struct callout *c, int ticks, void (*func)(void *),
                  void *arg) {
  return Softclock::get().reset(c, ticks, func, arg);
}

int callout_stop(struct callout *c) { return Softclock::get().stop(c); }

int callout_pending(struct callout *c) { return Softclock::get().pending(c); }
