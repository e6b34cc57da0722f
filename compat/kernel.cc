#include "compat/kernel.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "absl/base/call_once.h"

const int hz = 1000;

namespace {
struct sysinit {
  int subsystem;
  int order;
  int seq;  // registration order breaks ties
  void (*func)(void);
};

std::vector<sysinit> &sysinits() {
  static auto *list = new std::vector<sysinit>();
  return *list;
}

thread_local bool booting;
}  // namespace

sysinit_registrar::sysinit_registrar(int subsystem, int order,
                                     void (*func)(void)) {
  auto &list = sysinits();
  list.push_back({subsystem, order, static_cast<int>(list.size()), func});
}

void mi_startup(void) {
  static absl::once_flag once;
  if (booting) return;
  absl::call_once(once, [] {
    booting = true;
    auto list = sysinits();
    std::sort(list.begin(), list.end(), [](const sysinit &a, const sysinit &b) {
      return std::tie(a.subsystem, a.order, a.seq) <
             std::tie(b.subsystem, b.order, b.seq);
    });
    for (const sysinit &si : list) si.func();
    booting = false;
  });
}
