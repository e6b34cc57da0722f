// Bounded waiting for the compat/ tests: poll a condition until it holds or a
// generous deadline passes. The deadline only keeps a broken build from
// hanging; no test asserts anything about how long a wait took.
#ifndef TESTS_COMPAT_WAIT_H_
#define TESTS_COMPAT_WAIT_H_

#include <chrono>
#include <thread>

#include "tests/util/concurrency.h"

namespace compat_test {

// Far longer than anything should take, even under a sanitizer.
constexpr std::chrono::seconds kGenerous{20};

template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds bound = kGenerous) {
  return test_util::WaitUntil(pred, bound);
}

}  // namespace compat_test

#endif  // TESTS_COMPAT_WAIT_H_
