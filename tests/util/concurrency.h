// Bounded waiting for tests with threads, and the one place for their time
// bounds: a generous bound that only a hang (a bug) ever reaches, a short
// while for a thread to settle into a sleep, a thread whose result is a
// future, polling until a condition holds, and a watchdog for child
// processes that a bug could wedge. No test asserts anything about how
// long a wait took.
#ifndef TESTS_UTIL_CONCURRENCY_H_
#define TESTS_UTIL_CONCURRENCY_H_

#include <stdio.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace test_util {

// Far longer than anything should take, even under a sanitizer on a loaded
// machine, and well under Bazel's timeout of a small test (60 s), so that
// a hang fails with a message rather than a kill.
inline constexpr std::chrono::seconds kHangTimeout{20};

// Long enough, in practice, for a thread to reach the sleep it is headed
// for. Checks that a thread still sleeps after kSettle can only pass
// wrongly (if it had not got there yet), never fail wrongly.
inline constexpr std::chrono::milliseconds kSettle{50};

// Runs f on a detached thread (so that a thread a bug leaves asleep cannot
// hang the binary's exit); the future gives its result.
template <class F>
auto Spawn(F f) -> std::future<std::invoke_result_t<F>> {
  std::packaged_task<std::invoke_result_t<F>()> task(std::move(f));
  auto fut = task.get_future();
  std::thread(std::move(task)).detach();
  return fut;
}

// Polls pred every millisecond until it holds (true) or timeout passes.
template <class Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = kHangTimeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// In a child process (a death test) that a bug could wedge, lock held:
// after kHangTimeout, prints "HANG: <what>" and ends the process with
// status 2.
inline void StartWatchdog(std::string what) {
  std::thread([what = std::move(what)] {
    std::this_thread::sleep_for(kHangTimeout);
    fprintf(stderr, "HANG: %s\n", what.c_str());
    fflush(stderr);
    _exit(2);
  }).detach();
}

}  // namespace test_util

#endif  // TESTS_UTIL_CONCURRENCY_H_
