#include "tests/fuzz/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/vmem_ext.h>

namespace vmem_fuzz {

namespace {

double NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// The state letter of /proc/<pid>/stat (after the parenthesised name).
char ProcState(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return '?';
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return '?';
  buf[n] = '\0';
  const char *p = strrchr(buf, ')');
  return p != nullptr && p[1] == ' ' ? p[2] : '?';
}

// Reads what is there without blocking; returns false at end of file.
bool Drain(int fd, std::string *out) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return true;  // EAGAIN: the child still has the pipe open
  }
}

[[noreturn]] void ChildMain(int wfd, const std::function<void()> &op) {
  // libFuzzer (and a test) may handle SIGABRT; a panic must kill the child.
  signal(SIGABRT, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGABRT);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  if (dup2(wfd, STDERR_FILENO) < 0) _exit(kChildReturned + 1);
  vmem_set_panic_handler(nullptr);
  op();
  _exit(kChildReturned);
}

}  // namespace

std::string ChildResult::Describe() const {
  char buf[160];
  switch (outcome) {
    case kForkFailed:
      snprintf(buf, sizeof(buf), "fork failed");
      break;
    case kAborted:
      snprintf(buf, sizeof(buf), "aborted (SIGABRT)");
      break;
    case kSignaled:
      snprintf(buf, sizeof(buf), "killed by signal %d (%s)", signo,
               strsignal(signo));
      break;
    case kExited:
      if (code == kChildReturned)
        snprintf(buf, sizeof(buf), "returned without a panic");
      else
        snprintf(buf, sizeof(buf), "exited with code %d", code);
      break;
    case kAsleep:
      snprintf(buf, sizeof(buf), "still there after the wait (state %c)",
               state);
      break;
    case kTimedOut:
      snprintf(buf, sizeof(buf), "did not end in time (state %c), killed",
               state);
      break;
  }
  std::string s = buf;
  if (!output.empty()) {
    std::string out = output;
    if (out.size() > 2000) out = out.substr(0, 2000) + "...";
    s += "; stderr: \"" + out + "\"";
  }
  return s;
}

ChildResult RunInChild(const std::function<void()> &op, ChildMode mode,
                       int wait_ms, int timeout_ms) {
  ChildResult r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return r;
  fflush(stdout);
  fflush(stderr);
  double start = NowMs();
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return r;
  }
  if (pid == 0) {
    close(fds[0]);
    ChildMain(fds[1], op);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  // Read until the child closes the pipe (it ends) or time is up.
  bool open = true;
  double deadline = start + (mode == ChildMode::kSleep ? wait_ms : timeout_ms);
  for (;;) {
    double left = deadline - NowMs();
    if (left <= 0) break;
    struct pollfd pfd = {fds[0], POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(left) + 1);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && !(open = Drain(fds[0], &r.output))) break;
  }
  int status = 0;
  if (open) {
    // Still there. A sleeper should be asleep in the kernel; give one that
    // is still on its way there until the timeout.
    bool reaped = false;
    char state = ProcState(pid);
    if (mode == ChildMode::kSleep) {
      while (state != 'S' && NowMs() < start + timeout_ms) {
        usleep(2000);
        if (waitpid(pid, &status, WNOHANG) == pid) {
          reaped = true;
          break;
        }
        state = ProcState(pid);
      }
    }
    if (!reaped) {
      r.state = state;
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    Drain(fds[0], &r.output);
    close(fds[0]);
    if (!reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
      r.outcome = mode == ChildMode::kSleep ? ChildResult::kAsleep
                                            : ChildResult::kTimedOut;
      r.ms = NowMs() - start;
      return r;
    }
    // It ended by itself meanwhile: report how.
  } else {
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  r.ms = NowMs() - start;
  if (WIFSIGNALED(status)) {
    r.signo = WTERMSIG(status);
    r.outcome =
        r.signo == SIGABRT ? ChildResult::kAborted : ChildResult::kSignaled;
  } else {
    r.code = WEXITSTATUS(status);
    r.outcome = ChildResult::kExited;
  }
  return r;
}

bool CheckPanicked(const PanicPrediction &p, const ChildResult &r,
                   std::string *why) {
  if (r.outcome != ChildResult::kAborted) {
    *why = "the child " + r.Describe();
    return false;
  }
  std::string mismatch;
  if (!PanicMatches(p, r.output, &mismatch)) {
    *why = "the child aborted, but " + mismatch;
    return false;
  }
  return true;
}

bool CheckAsleep(const ChildResult &r, std::string *why) {
  if (r.outcome == ChildResult::kAsleep && r.state == 'S') return true;
  *why = "the child " + r.Describe();
  return false;
}

PredictionLedger &PredictionLedger::Get() {
  static PredictionLedger *ledger = new PredictionLedger;
  return *ledger;
}

bool PredictionLedger::ShouldVerify(const std::string &kind, int per_kind) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t &taken = taken_[kind];
  if (per_kind >= 0 && taken >= per_kind) return false;
  taken++;
  return true;
}

void PredictionLedger::Record(const std::string &kind, bool verified) {
  std::lock_guard<std::mutex> lock(mu_);
  auto &k = kinds_[kind];
  if (verified) k.first++;
  k.second++;
}

std::string PredictionLedger::Report() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string s;
  char buf[256];
  for (const auto &k : kinds_) {
    snprintf(buf, sizeof(buf), "  %-44s %lld verified of %lld\n",
             k.first.c_str(), static_cast<long long>(k.second.first),
             static_cast<long long>(k.second.second));
    s += buf;
  }
  return s;
}

int64_t PredictionLedger::verified() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto &k : kinds_) n += k.second.first;
  return n;
}

int64_t PredictionLedger::predicted() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto &k : kinds_) n += k.second.second;
  return n;
}

std::map<std::string, std::pair<int64_t, int64_t>> PredictionLedger::kinds()
    const {
  std::lock_guard<std::mutex> lock(mu_);
  return kinds_;
}

void PredictionLedger::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  kinds_.clear();
  taken_.clear();
}

}  // namespace vmem_fuzz
