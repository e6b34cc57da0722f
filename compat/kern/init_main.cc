// SYSINIT and mi_startup() (see <sys/kernel.h>).
#include <atomic>
#include <tuple>
#include <vector>

#include <sys/condvar.h>
#include <sys/kernel.h>
#include <sys/mutex.h>

namespace {
struct sysinit {
  int subsystem;
  int order;
  int seq;  // registration order breaks ties
  void (*func)(void);
  bool done;
};

// SYSINITs register from static initialisers: the lock is ready before
// them.
struct mtx sysinit_lock = MTX_INITIALIZER("sysinit");
// Signalled when the thread that boots is done; booter is that thread.
struct cv sysinit_cv = {0, 0, "sysinit"};
struct thread *booter;  // under sysinit_lock

// Under sysinit_lock.
std::vector<sysinit> &sysinits() {
  static auto *list = new std::vector<sysinit>();
  return *list;
}

// Registered and run so far; equal once booted.
std::atomic<int> registered{0};
std::atomic<int> ran{0};

// The first SYSINIT not run yet, in order, or nullptr. Under sysinit_lock.
sysinit *next_sysinit() {
  sysinit *next = nullptr;
  for (sysinit &si : sysinits())
    if (!si.done && (next == nullptr ||
                     std::tie(si.subsystem, si.order, si.seq) <
                         std::tie(next->subsystem, next->order, next->seq)))
      next = &si;
  return next;
}
}  // namespace

void sysinit_register(int subsystem, int order, void (*func)(void)) {
  mtx_lock(&sysinit_lock);
  auto &list = sysinits();
  list.push_back(
      {subsystem, order, static_cast<int>(list.size()), func, false});
  registered.fetch_add(1, std::memory_order_release);
  mtx_unlock(&sysinit_lock);
}

// Runs the SYSINITs not run yet, in order, on one thread; other callers
// wait until it is done. Usually that is all of them, on the first call;
// but a constructor of another file may call into vmem before every file
// has registered its SYSINITs (static initialisation order), and the late
// ones then run on a later call. No lock is held while a SYSINIT runs.
void mi_startup(void) {
  if (ran.load(std::memory_order_acquire) ==
      registered.load(std::memory_order_acquire))
    return;
  mtx_lock(&sysinit_lock);
  if (booter == curthread) {
    // Called from a SYSINIT: the outer call goes on with the rest.
    mtx_unlock(&sysinit_lock);
    return;
  }
  while (booter != nullptr) cv_wait(&sysinit_cv, &sysinit_lock);
  booter = curthread;
  while (sysinit *si = next_sysinit()) {
    si->done = true;
    void (*func)(void) = si->func;
    mtx_unlock(&sysinit_lock);
    func();
    ran.fetch_add(1, std::memory_order_release);
    mtx_lock(&sysinit_lock);
  }
  booter = nullptr;
  cv_broadcast(&sysinit_cv);
  mtx_unlock(&sysinit_lock);
}
