// panic(9), KASSERT and MPASS.
#include <sys/systm.h>
#include <sys/vmem_ext.h>

#include <signal.h>
#include <stdio.h>

#include "gtest/gtest.h"

namespace {

class PanicDeathTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// Panics from functions with known names: panic() names its caller.
void panic_with_values(const char *what, int n) {
  panic("the %s is %d", what, n);
}

void panic_already_named() { panic("panic_already_named: do not double"); }

void panic_with_newline() { panic("trailing newline\n"); }

void kassert_fails(int x) { KASSERT(x == 2, ("x is %d, not 2", x)); }

void mpass_fails(const void *ptr) { MPASS(ptr != nullptr); }

void marker_handler(const char *message) {
  fprintf(stderr, "handler saw [%s]\n", message);
  fflush(stderr);
}

void other_handler(const char *message) {}

TEST_F(PanicDeathTest, PrintsFunctionAndMessage) {
  EXPECT_EXIT(panic_with_values("answer", 42), testing::KilledBySignal(SIGABRT),
              "panic: panic_with_values: the answer is 42");
}

TEST_F(PanicDeathTest, FunctionNameNotDoubled) {
  // Doubled, the text would read "panic_already_named: panic_already_named:".
  EXPECT_DEATH(panic_already_named(),
               "panic: panic_already_named: do not double");
}

TEST_F(PanicDeathTest, KassertNamesFunctionAndValues) {
  EXPECT_DEATH(kassert_fails(7), "panic: kassert_fails: x is 7, not 2");
}

TEST_F(PanicDeathTest, MpassNamesExpressionAndPlace) {
#ifdef NDEBUG
  GTEST_SKIP() << "MPASS is compiled out with NDEBUG (-c opt)";
#endif
  EXPECT_DEATH(mpass_fails(nullptr),
               "panic: mpass_fails: Assertion ptr != nullptr failed at "
               "[^ ]*panic_test\\.cc:[0-9]+");
}

TEST_F(PanicDeathTest, HandlerGetsFunctionAndMessageThenAbort) {
  // The handler returns, so abort() still follows. The message has the
  // function prefix once and no trailing newline.
  EXPECT_EXIT(
      {
        vmem_set_panic_handler(marker_handler);
        panic_with_newline();
      },
      testing::KilledBySignal(SIGABRT),
      "panic: panic_with_newline: trailing newline\n"
      "handler saw \\[panic_with_newline: trailing newline\\]");
  EXPECT_EXIT(
      {
        vmem_set_panic_handler(marker_handler);
        panic_already_named();
      },
      testing::KilledBySignal(SIGABRT),
      "handler saw \\[panic_already_named: do not double\\]");
}

TEST(Panic, PassingAssertionsDoNotPanicAndEvaluateOnce) {
  int evaluations = 0;
  KASSERT(++evaluations == 1, ("evaluated %d times", evaluations));
  EXPECT_EQ(evaluations, 1);
  MPASS(++evaluations == 2);
#ifdef NDEBUG
  EXPECT_EQ(evaluations, 1);  // compiled out, as assert()
#else
  EXPECT_EQ(evaluations, 2);
#endif
  kassert_fails(2);
  int x = 0;
  mpass_fails(&x);
}

TEST(Panic, SetHandlerReturnsPrevious) {
  vmem_panic_handler_t saved = vmem_set_panic_handler(marker_handler);
  EXPECT_EQ(vmem_set_panic_handler(other_handler), &marker_handler);
  EXPECT_EQ(vmem_set_panic_handler(nullptr), &other_handler);
  EXPECT_EQ(vmem_set_panic_handler(saved), nullptr);
}

}  // namespace
