// SYSINIT and mi_startup(). Nothing else in this binary calls mi_startup(),
// so the first call is the test's.
#include <sys/kernel.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace {

std::mutex &log_lock() {
  static auto *mu = new std::mutex();
  return *mu;
}
std::vector<std::string> &boot_log() {
  static auto *log = new std::vector<std::string>();
  return *log;
}
void note(const std::string &s) {
  std::lock_guard<std::mutex> lock(log_lock());
  boot_log().push_back(s);
}
std::vector<std::string> logged() {
  std::lock_guard<std::mutex> lock(log_lock());
  return boot_log();
}

int ident_value;
std::atomic<int> nested_returned{0};

void configure_any(void *) { note("configure_any"); }
void kmem_middle() { note("kmem_middle"); }  // vmem_startup()'s shape
void vm_second(void *) { note("vm_second"); }
void vm_first(void *) { note("vm_first"); }
void vm_first_again(void *) { note("vm_first_again"); }  // a tie
void vm_middle_arg(void *arg) {
  note(arg == &ident_value ? "vm_middle_arg" : "vm_middle_wrong_arg");
}
void kmem_nested(void *) {
  note("kmem_nested");
  mi_startup();  // returns at once: we are booting
  nested_returned++;
  note("kmem_nested_after");
}

}  // namespace

// Registered out of order on purpose.
SYSINIT(t_configure_any, SI_SUB_CONFIGURE, SI_ORDER_ANY, configure_any, NULL);
SYSINIT(t_kmem_middle, SI_SUB_KMEM, SI_ORDER_MIDDLE, kmem_middle, NULL);
SYSINIT(t_vm_second, SI_SUB_VM, SI_ORDER_SECOND, vm_second, NULL);
SYSINIT(t_vm_first, SI_SUB_VM, SI_ORDER_FIRST, vm_first, NULL);
SYSINIT(t_kmem_nested, SI_SUB_KMEM, SI_ORDER_FIRST, kmem_nested, NULL);
SYSINIT(t_vm_middle_arg, SI_SUB_VM, SI_ORDER_MIDDLE, vm_middle_arg,
        &ident_value);
SYSINIT(t_vm_first_again, SI_SUB_VM, SI_ORDER_FIRST, vm_first_again, NULL);

namespace {

const std::vector<std::string> kExpected = {
    "vm_first",    "vm_first_again",    "vm_second",   "vm_middle_arg",
    "kmem_nested", "kmem_nested_after", "kmem_middle", "configure_any",
};

TEST(Sysinit, RunOnceInOrderOnFirstMiStartup) {
  EXPECT_TRUE(logged().empty()) << "SYSINITs ran before mi_startup()";

  // The first call comes from several threads at once: each returns only
  // when every SYSINIT has run.
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<size_t> seen(kThreads);
  for (int i = 0; i < kThreads; i++) {
    threads.emplace_back([&, i] {
      mi_startup();
      seen[i] = logged().size();
    });
  }
  for (auto &t : threads) t.join();
  for (int i = 0; i < kThreads; i++)
    EXPECT_EQ(seen[i], kExpected.size()) << "thread " << i;

  EXPECT_EQ(logged(), kExpected);
  EXPECT_EQ(nested_returned.load(), 1);

  // Later calls do nothing.
  mi_startup();
  mi_startup();
  EXPECT_EQ(logged(), kExpected);
}

}  // namespace
