// taskqueue(9) (see <sys/taskqueue.h>): a background "taskq" thread runs
// taskqueue_thread's tasks. It starts with the first taskqueue_enqueue()
// and stops (finishing the task in hand) when the program exits.
#include <deque>
#include <thread>

#include <sys/condvar.h>
#include <sys/mutex.h>
#include <sys/taskqueue.h>

namespace {

class Taskq {
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

  Taskq() {
    mtx_init(&lock_, "taskqueue", nullptr, MTX_DEF);
    cv_init(&cv_, "taskqueue");
  }

  // Stops the thread, after the work in hand; later calls queue work that
  // never runs.
  void shutdown() {
    mtx_lock(&lock_);
    stopping_ = true;
    cv_broadcast(&cv_);
    mtx_unlock(&lock_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void start_locked() {
    if (started_ || stopping_) return;
    started_ = true;
    thread_ = std::thread([this] { loop(); });
  }

  void loop() {
    mtx_lock(&lock_);
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
    mtx_unlock(&lock_);
  }

  struct mtx lock_;
  struct cv cv_;  // tasks queued or run, or stopping
  std::deque<struct task *> tasks_;
  struct task *running_ = nullptr;
  bool started_ = false;
  bool stopping_ = false;
  std::thread thread_;
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
