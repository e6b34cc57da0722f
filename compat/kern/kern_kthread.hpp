// kthread(9) as the emulated kernel's own services use it (callout(9)'s
// softclock, taskqueue(9)'s thread): one thread that runs the service's
// loop under its mutex, started on first use and stopped, after the work in
// hand, when the program exits. C++ only: no C caller starts these.
#ifndef COMPAT_KERN_KERN_KTHREAD_HPP_
#define COMPAT_KERN_KERN_KTHREAD_HPP_

#include <thread>

#include <sys/condvar.h>
#include <sys/mutex.h>

class KernelThread {
 public:
  KernelThread(const KernelThread &) = delete;
  KernelThread &operator=(const KernelThread &) = delete;

  // Stops the thread, after the work in hand; later calls queue work that
  // never runs.
  void shutdown() {
    mtx_lock(&lock_);
    stopping_ = true;
    cv_broadcast(&cv_);
    mtx_unlock(&lock_);
    if (thread_.joinable()) thread_.join();
  }

 protected:
  explicit KernelThread(const char *name) {
    mtx_init(&lock_, name, nullptr, MTX_DEF);
    cv_init(&cv_, name);
  }
  // Services are never destroyed (see their get()), so neither is this.
  ~KernelThread() = default;

  // With lock_ held: starts the thread unless it runs or has stopped.
  void start_locked() {
    if (started_ || stopping_) return;
    started_ = true;
    thread_ = std::thread([this] {
      mtx_lock(&lock_);
      loop();
      mtx_unlock(&lock_);
    });
  }

  // The service's work, with lock_ held; returns once stopping_ is set.
  virtual void loop() = 0;

  struct mtx lock_;
  struct cv cv_;  // the service's work changed, or stopping
  bool stopping_ = false;

 private:
  bool started_ = false;
  std::thread thread_;
};

#endif  // COMPAT_KERN_KERN_KTHREAD_HPP_
