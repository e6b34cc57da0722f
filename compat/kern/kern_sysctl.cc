// sysctl(9) integer knobs (see <sys/sysctl.h>) and vmem_sysctl_int()
// (<sys/vmem_ext.h>).
#include <errno.h>

#include <map>
#include <string>

#include <sys/mutex.h>
#include <sys/sysctl.h>
#include <sys/vmem_ext.h>

namespace {
struct knob {
  int access;
  int *ptr;
  const char *descr;
};

// Knobs register from static initialisers: the lock is ready before them.
struct mtx knobs_lock = MTX_INITIALIZER("sysctl knobs");

std::map<std::string, knob> &knobs() {
  static auto *map = new std::map<std::string, knob>();
  return *map;
}
}  // namespace

void sysctl_register_int(const char *parent, const char *name, int access,
                         int *ptr, const char *descr) {
  std::string full = parent[0] == '_' ? parent + 1 : parent;
  full += ".";
  full += name;
  mtx_lock(&knobs_lock);
  knobs()[full] = knob{access, ptr, descr};
  mtx_unlock(&knobs_lock);
}

int vmem_sysctl_int(const char *name, int *oldval, const int *newval) {
  int error = 0;
  mtx_lock(&knobs_lock);
  auto it = knobs().find(name);
  if (it == knobs().end()) {
    error = ENOENT;
  } else {
    const knob &k = it->second;
    if (oldval != nullptr) *oldval = __atomic_load_n(k.ptr, __ATOMIC_RELAXED);
    if (newval != nullptr) {
      if ((k.access & CTLFLAG_WR) == 0)
        error = EPERM;
      else
        __atomic_store_n(k.ptr, *newval, __ATOMIC_RELAXED);
    }
  }
  mtx_unlock(&knobs_lock);
  return error;
}
