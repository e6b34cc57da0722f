// Running one operation in a fork()ed child, for the operations the model
// says must panic (or sleep forever): the parent never runs them itself,
// so it can go on with the arena as it was.
//
// The child is a copy of the process with only the forking thread (the
// emulated kernel's callout thread is not copied); it resets SIGABRT to
// its default action (libFuzzer catches it), turns core dumps off, sends
// its stderr into a pipe the parent reads, clears the panic handler, runs
// the operation and, if that returns, exits with kChildReturned. A panic
// prints "panic: ..." and aborts, so the parent sees SIGABRT and the text.
// A child that hangs is killed after a timeout: a lock another thread held
// at the fork (malloc's, an arena's during the periodic rehash) stays held
// in the child, so the caller may retry.
#ifndef TESTS_FUZZ_CHILD_H_
#define TESTS_FUZZ_CHILD_H_

#include <stdint.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "tests/fuzz/model.h"

namespace vmem_fuzz {

// The exit status of a child whose operation returned.
constexpr int kChildReturned = 86;

struct ChildResult {
  enum Outcome {
    kForkFailed,  // fork() or pipe() failed
    kAborted,     // killed by SIGABRT: a panic (or another abort)
    kSignaled,    // killed by another signal (signo)
    kExited,      // exited with code (kChildReturned: the operation returned)
    kAsleep,      // sleep mode: still there after the wait, then killed
    kTimedOut,    // panic mode: not done by the deadline, then killed
  };
  Outcome outcome = kForkFailed;
  int signo = 0;
  int code = 0;
  // sleep mode: the child's state in /proc/<pid>/stat when it was killed
  // ('S': asleep, 'R': running, ...).
  char state = 0;
  std::string output;  // what the child wrote to stderr
  double ms = 0;       // wall time, fork to reaped

  std::string Describe() const;
};

enum class ChildMode {
  kPanic,  // wait for the child to end (up to timeout_ms)
  kSleep,  // the child must not end: look at it after wait_ms, kill it
};

// Runs op in a fork()ed child as described above. kPanic: waits up to
// timeout_ms for it to end. kSleep: returns kAsleep if it is still there
// after wait_ms and asleep (or still running after timeout_ms).
ChildResult RunInChild(const std::function<void()> &op, ChildMode mode,
                       int wait_ms, int timeout_ms);

// The prediction checks: the child died of SIGABRT and its stderr holds
// the predicted panic line; or it was still asleep. On failure *why says
// what happened instead.
bool CheckPanicked(const PanicPrediction &p, const ChildResult &r,
                   std::string *why);
bool CheckAsleep(const ChildResult &r, std::string *why);

// How often each kind of prediction was checked in a child, per process:
// forking costs milliseconds, so each kind is checked a few times and the
// rest are counted as predicted and skipped. Thread-safe.
class PredictionLedger {
 public:
  static PredictionLedger &Get();

  // Whether the next prediction of this kind is to be checked in a child
  // (per_kind: at most that many per process; -1: all; 0: none).
  bool ShouldVerify(const std::string &kind, int per_kind);
  void Record(const std::string &kind, bool verified);
  // "kind: verified/predicted" lines, sorted by kind.
  std::string Report() const;
  int64_t verified() const;
  int64_t predicted() const;
  // The kinds seen so far.
  std::map<std::string, std::pair<int64_t, int64_t>> kinds() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  // kind -> (verified, predicted)
  std::map<std::string, std::pair<int64_t, int64_t>> kinds_;
  std::map<std::string, int64_t> taken_;
};

}  // namespace vmem_fuzz

#endif  // TESTS_FUZZ_CHILD_H_
