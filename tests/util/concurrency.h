// Bounded waiting for tests with threads: a generous bound that only a hang
// (a bug) ever reaches, a thread whose result is a future, and polling until
// a condition holds. No test asserts anything about how long a wait took.
#ifndef TESTS_UTIL_CONCURRENCY_H_
#define TESTS_UTIL_CONCURRENCY_H_

#include <chrono>
#include <future>
#include <thread>
#include <type_traits>
#include <utility>

namespace test_util {

inline constexpr std::chrono::seconds kHangTimeout{60};

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

}  // namespace test_util

#endif  // TESTS_UTIL_CONCURRENCY_H_
