// The emulated kernel's background threads: "softclock" fires callout(9)s
// when they are due, "taskq" runs taskqueue_thread's tasks. Both start on
// first use and stop (finishing the work in hand) when the program exits.
#include <time.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "compat/callout.h"
#include "compat/kernel.h"
#include "compat/taskqueue.h"

namespace {

int64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

class KernelThreads {
 public:
  static KernelThreads &get() {
    static KernelThreads threads;
    return threads;
  }

  int reset(struct callout *c, int ticks, void (*func)(void *), void *arg) {
    std::lock_guard<std::mutex> lock(mu_);
    start_locked();
    int was_pending = c->c_pending;
    if (!was_pending) callouts_.push_back(c);
    c->c_func = func;
    c->c_arg = arg;
    c->c_due_ns = now_ns() + int64_t{ticks > 0 ? ticks : 1} * 1000000000 / hz;
    c->c_pending = 1;
    clock_cv_.notify_all();
    return was_pending;
  }

  int stop(struct callout *c) {
    std::lock_guard<std::mutex> lock(mu_);
    int was_pending = c->c_pending;
    if (was_pending) {
      c->c_pending = 0;
      for (auto it = callouts_.begin(); it != callouts_.end(); ++it)
        if (*it == c) {
          callouts_.erase(it);
          break;
        }
    }
    return was_pending;
  }

  int pending(struct callout *c) {
    std::lock_guard<std::mutex> lock(mu_);
    return c->c_pending;
  }

  int enqueue(struct task *t) {
    std::lock_guard<std::mutex> lock(mu_);
    start_locked();
    if (t->ta_pending++ == 0) tasks_.push_back(t);
    task_cv_.notify_all();
    return 0;
  }

  void drain(struct task *t) {
    std::unique_lock<std::mutex> lock(mu_);
    task_cv_.wait(lock, [&] { return t->ta_pending == 0 && running_ != t; });
  }

 private:
  KernelThreads() = default;

  ~KernelThreads() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      clock_cv_.notify_all();
      task_cv_.notify_all();
    }
    if (softclock_.joinable()) softclock_.join();
    if (taskq_.joinable()) taskq_.join();
  }

  void start_locked() {
    if (started_ || stopping_) return;
    started_ = true;
    softclock_ = std::thread([this] { softclock_loop(); });
    taskq_ = std::thread([this] { taskq_loop(); });
  }

  void softclock_loop() {
    std::unique_lock<std::mutex> lock(mu_);
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
        next = std::min(next, (*it)->c_due_ns);
      }
      if (due != nullptr) {
        due->c_pending = 0;
        void (*func)(void *) = due->c_func;
        void *arg = due->c_arg;
        lock.unlock();
        func(arg);
        lock.lock();
        continue;
      }
      if (next == INT64_MAX)
        clock_cv_.wait(lock);
      else
        clock_cv_.wait_for(lock, std::chrono::nanoseconds(next - now));
    }
  }

  void taskq_loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (tasks_.empty()) {
        task_cv_.wait(lock);
        continue;
      }
      struct task *t = tasks_.front();
      tasks_.pop_front();
      int pending = t->ta_pending;
      t->ta_pending = 0;
      running_ = t;
      lock.unlock();
      t->ta_func(t->ta_context, pending);
      lock.lock();
      running_ = nullptr;
      task_cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable clock_cv_;
  std::condition_variable task_cv_;
  std::vector<struct callout *> callouts_;
  std::deque<struct task *> tasks_;
  struct task *running_ = nullptr;
  bool started_ = false;
  bool stopping_ = false;
  std::thread softclock_;
  std::thread taskq_;
};

}  // namespace

struct taskqueue {};
static struct taskqueue taskqueue_thread_storage;
struct taskqueue *const taskqueue_thread = &taskqueue_thread_storage;

void callout_init(struct callout *c, int mpsafe) {
  c->c_func = nullptr;
  c->c_arg = nullptr;
  c->c_due_ns = 0;
  c->c_pending = 0;
  c->c_mpsafe = mpsafe;
}

int callout_reset(struct callout *c, int ticks, void (*func)(void *),
                  void *arg) {
  return KernelThreads::get().reset(c, ticks, func, arg);
}

int callout_stop(struct callout *c) { return KernelThreads::get().stop(c); }

int callout_pending(struct callout *c) {
  return KernelThreads::get().pending(c);
}

int taskqueue_enqueue(struct taskqueue *queue, struct task *task) {
  return KernelThreads::get().enqueue(task);
}

void taskqueue_drain(struct taskqueue *queue, struct task *task) {
  KernelThreads::get().drain(task);
}
