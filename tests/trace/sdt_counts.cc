// Makes a known number of each vmem request, import, sleep, ... and prints
// how many times each probe of vmem_sdt(9) must have fired, one
// "PROBE COUNT" line each, for the tracing tests to compare with what perf
// and bpftrace counted. Linked against libuvmem.so, the library they
// trace.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/syscall.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

namespace {

struct Counts {
  long create = 0, destroy = 0, alloc_start = 0, alloc = 0, free = 0;
  long qc_import = 0, qc_release = 0, import = 0, release = 0;
  long sleep = 0, wakeup = 0;
};
Counts n;

void Check(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "sdt_counts: %s\n", what);
    exit(1);
  }
}

vmem_t *Create(const char *name, vmem_addr_t base, vmem_size_t size,
               vmem_size_t quantum, vmem_size_t qcache_max) {
  vmem_t *vm = vmem_create(name, base, size, quantum, qcache_max, M_WAITOK);
  Check(vm != nullptr, "vmem_create");
  n.create++;
  return vm;
}

void Destroy(vmem_t *vm) {
  vmem_destroy(vm);
  n.destroy++;
}

int Alloc(vmem_t *vm, vmem_size_t size, int flags, vmem_addr_t *addr) {
  n.alloc_start++;
  n.alloc++;
  return vmem_alloc(vm, size, flags, addr);
}

int Xalloc(vmem_t *vm, vmem_size_t size, vmem_size_t align, int flags,
           vmem_addr_t *addr) {
  n.alloc_start++;
  n.alloc++;
  return vmem_xalloc(vm, size, align, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX, flags,
                     addr);
}

void Free(vmem_t *vm, vmem_addr_t addr, vmem_size_t size) {
  n.free++;
  vmem_free(vm, addr, size);
}

void Xfree(vmem_t *vm, vmem_addr_t addr, vmem_size_t size) {
  n.free++;
  vmem_xfree(vm, addr, size);
}

void CountArena(vmem_t *, void *arg) { ++*static_cast<long *>(arg); }

// Best, first and next fit, vmem_alloc() and vmem_xalloc(), a failure.
void Plain() {
  vmem_t *vm = Create("sdt-plain", 0x1000, 1 << 20, 16, 0);
  std::vector<vmem_addr_t> a(100), x(50), nf(10);
  for (auto &addr : a)
    Check(Alloc(vm, 32, M_BESTFIT | M_WAITOK, &addr) == 0, "alloc");
  for (auto &addr : x)
    Check(Xalloc(vm, 64, 64, M_FIRSTFIT | M_NOWAIT, &addr) == 0, "xalloc");
  for (auto &addr : nf)
    Check(Alloc(vm, 16, M_NEXTFIT | M_NOWAIT, &addr) == 0, "nextfit");
  vmem_addr_t big;
  Check(Alloc(vm, 2 << 20, M_BESTFIT | M_NOWAIT, &big) != 0, "too big");
  for (vmem_addr_t addr : a) Free(vm, addr, 32);
  for (vmem_addr_t addr : x) Xfree(vm, addr, 64);
  for (vmem_addr_t addr : nf) Xfree(vm, addr, 16);
  Destroy(vm);
}

// The quantum cache: what it imports is counted apart, and it gives all of
// it back when the arena is destroyed.
void Cached() {
  vmem_t *vm = Create("sdt-qcache", 0x100000, 1 << 20, 16, 8 * 16);
  std::vector<vmem_addr_t> a(200);
  for (auto &addr : a)
    Check(Alloc(vm, 32, M_BESTFIT | M_WAITOK, &addr) == 0, "cached alloc");
  // Everything the cache imported is in use or cached now.
  n.qc_import += vmem_size(vm, VMEM_ALLOC) / 32;
  n.qc_release += vmem_size(vm, VMEM_ALLOC) / 32;
  for (vmem_addr_t addr : a) Free(vm, addr, 32);
  Destroy(vm);

  // A cache miss: the arena runs out, and vmem_xalloc() takes over.
  vm = Create("sdt-qmiss", 0x100000, 4 * 32, 16, 2 * 16);
  std::vector<vmem_addr_t> got;
  vmem_addr_t addr;
  while (Alloc(vm, 32, M_BESTFIT | M_NOWAIT, &addr) == 0) got.push_back(addr);
  Check(got.size() == 4, "qmiss: four allocations");
  n.qc_import += 4;
  n.qc_release += 4;
  for (vmem_addr_t addr : got) Free(vm, addr, 32);
  Destroy(vm);
}

// A stacked arena: one span imported and released; its calls into the
// parent are not requests.
void Stacked() {
  vmem_t *parent = Create("sdt-parent", 0x10000000, 1 << 24, 4096, 0);
  vmem_t *child = Create("sdt-child", 0, 0, 4096, 0);
  vmem_set_import(child, vmem_import_arena, vmem_release_arena, parent,
                  64 * 4096);
  std::vector<vmem_addr_t> a(10);
  for (auto &addr : a)
    Check(Alloc(child, 4096, M_BESTFIT | M_WAITOK, &addr) == 0, "child");
  n.import++;
  for (vmem_addr_t addr : a) Free(child, addr, 4096);
  n.release++;
  Check(vmem_size(child, VMEM_ALLOC | VMEM_FREE) == 0, "span released");
  Destroy(child);
  Destroy(parent);
}

// The state ('S' sleeping) of a thread of this process.
char ThreadState(long tid) {
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)),
                   std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size()
             ? '?'
             : stat[paren + 2];
}

// One M_WAITOK allocation that sleeps until another thread frees.
void Sleep() {
  vmem_t *vm = Create("sdt-sleep", 0x1000, 4096, 4096, 0);
  vmem_addr_t held, addr;
  Check(Alloc(vm, 4096, M_BESTFIT | M_WAITOK, &held) == 0, "hold");
  const long me = syscall(SYS_gettid);
  std::thread freer([&] {
    while (ThreadState(me) != 'S')
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Free(vm, held, 4096);
  });
  Check(Alloc(vm, 4096, M_BESTFIT | M_WAITOK, &addr) == 0, "sleeper");
  freer.join();
  n.sleep++;
  n.wakeup++;
  Free(vm, addr, 4096);
  Destroy(vm);
}

}  // namespace

int main() {
  // No wake-up by the periodic task during the test.
  const int hour = 3600 * 1000;
  Check(vmem_sysctl_int("kern.vmem_periodic_interval", nullptr, &hour) == 0,
        "sysctl");
  long boot = 0;
  vmem_foreach(CountArena, &boot);  // boots the emulated kernel
  n.create += boot;

  Plain();
  Cached();
  Stacked();
  Sleep();

  printf("vmem:create %ld\n", n.create);
  printf("vmem:destroy %ld\n", n.destroy);
  printf("vmem:alloc__start %ld\n", n.alloc_start);
  printf("vmem:alloc %ld\n", n.alloc);
  printf("vmem:free %ld\n", n.free);
  printf("vmem:qc__import %ld\n", n.qc_import);
  printf("vmem:qc__release %ld\n", n.qc_release);
  printf("vmem:import %ld\n", n.import);
  printf("vmem:release %ld\n", n.release);
  printf("vmem:sleep %ld\n", n.sleep);
  printf("vmem:wakeup %ld\n", n.wakeup);
  return 0;
}
