// taskqueue(9) (see <sys/taskqueue.h>): a background "taskq" thread runs
// taskqueue_thread's tasks. It starts with the first taskqueue_enqueue()
// and stops (finishing the task in hand) when the program exits.
#include <deque>

#include <sys/taskqueue.h>

#include "compat/kern/kern_kthread.hpp"

namespace {

class Taskq : public KernelThread {
 public:
  // Never destroyed: a callout or task may still call in while the program
  // exits; the thread is stopped by shutdown() (see TaskqStopper below).
  static Taskq &get() {
    static Taskq *instance = new Taskq();
    return *instance;
  }

  int enqueue(struct task *t) {
    mtx_lock(&lock_);
    start_locked();
    if (t->ta_pending++ == 0) tasks_.push_back(t);
    cv_broadcast(&cv_);
    mtx_unlock(&lock_);
    return 0;
  }

  void drain(struct task *t) {
    mtx_lock(&lock_);
    while (t->ta_pending != 0 || running_ == t) cv_wait(&cv_, &lock_);
    mtx_unlock(&lock_);
  }

  Taskq() : KernelThread("taskqueue") {}

 private:
  void loop() override {
    while (!stopping_) {
      if (tasks_.empty()) {
        cv_wait(&cv_, &lock_);
        continue;
      }
      struct task *t = tasks_.front();
      tasks_.pop_front();
      int pending = t->ta_pending;
      t->ta_pending = 0;
      running_ = t;
      mtx_unlock(&lock_);
      t->ta_func(t->ta_context, pending);
      mtx_lock(&lock_);
      running_ = nullptr;
      cv_broadcast(&cv_);
    }
  }

  std::deque<struct task *> tasks_;
  struct task *running_ = nullptr;
};

// Stops the thread when the program exits (if it ever started).
struct TaskqStopper {
  ~TaskqStopper() { Taskq::get().shutdown(); }
} taskq_stopper;

}  // namespace

struct taskqueue {};
static struct taskqueue taskqueue_thread_storage;
struct taskqueue *const taskqueue_thread = &taskqueue_thread_storage;

int taskqueue_enqueue(struct taskqueue *queue, struct task *task) {
  return Taskq::get().enqueue(task);
}

void taskqueue_drain(struct taskqueue *queue, struct task *task) {
  Taskq::get().drain(task);
}
