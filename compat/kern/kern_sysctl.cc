#include "compat/sysctl.h"

#include <errno.h>

#include <map>
#include <mutex>
#include <string>

namespace {
struct knob {
  int access;
  int *ptr;
  const char *descr;
};

std::mutex &knobs_lock() {
  static auto *mu = new std::mutex();
  return *mu;
}

std::map<std::string, knob> &knobs() {
  static auto *map = new std::map<std::string, knob>();
  return *map;
}
}  // namespace

sysctl_int_registrar::sysctl_int_registrar(const char *parent,
                                           const char *name, int access,
                                           int *ptr, const char *descr) {
  std::string full = parent[0] == '_' ? parent + 1 : parent;
  full += ".";
  full += name;
  std::lock_guard<std::mutex> lock(knobs_lock());
  knobs()[full] = knob{access, ptr, descr};
}

extern "C" int vmem_sysctl_int(const char *name, int *oldval,
                               const int *newval) {
  std::lock_guard<std::mutex> lock(knobs_lock());
  auto it = knobs().find(name);
  if (it == knobs().end()) return ENOENT;
  const knob &k = it->second;
  if (oldval != nullptr) *oldval = __atomic_load_n(k.ptr, __ATOMIC_RELAXED);
  if (newval != nullptr) {
    if ((k.access & CTLFLAG_WR) == 0) return EPERM;
    __atomic_store_n(k.ptr, *newval, __ATOMIC_RELAXED);
  }
  return 0;
}
