#include "compat/kernel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <tuple>
#include <vector>

const int hz = 1000;

namespace {
struct sysinit {
  int subsystem;
  int order;
  int seq;  // registration order breaks ties
  void (*func)(void);
  bool done;
};

std::vector<sysinit> &sysinits() {
  static auto *list = new std::vector<sysinit>();
  return *list;
}

// Registered and run so far; equal once booted.
std::atomic<int> registered{0};
std::atomic<int> ran{0};

thread_local bool booting;
}  // namespace

sysinit_registrar::sysinit_registrar(int subsystem, int order,
                                     void (*func)(void)) {
  auto &list = sysinits();
  list.push_back(
      {subsystem, order, static_cast<int>(list.size()), func, false});
  registered.fetch_add(1, std::memory_order_release);
}

// Runs the SYSINITs not run yet, in order. Usually that is all of them, on
// the first call; but a constructor of another file may call into vmem
// before every file has registered its SYSINITs (static initialisation
// order), and the late ones then run on a later call.
void mi_startup(void) {
  if (booting ||
      ran.load(std::memory_order_acquire) ==
          registered.load(std::memory_order_acquire))
    return;
  static std::mutex *mu = new std::mutex();
  std::lock_guard<std::mutex> lock(*mu);
  booting = true;
  for (;;) {
    auto &list = sysinits();
    std::vector<sysinit *> todo;
    for (sysinit &si : list)
      if (!si.done) todo.push_back(&si);
    if (todo.empty()) break;
    std::sort(todo.begin(), todo.end(), [](const sysinit *a, const sysinit *b) {
      return std::tie(a->subsystem, a->order, a->seq) <
             std::tie(b->subsystem, b->order, b->seq);
    });
    sysinit *si = todo.front();
    si->done = true;
    si->func();
    ran.fetch_add(1, std::memory_order_release);
  }
  booting = false;
}
