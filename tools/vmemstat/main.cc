// vmemstat: builds a kernel-like stack of vmem arenas and zones, runs a
// short mixed workload on several threads, and prints what FreeBSD's
// "show vmem" and "vmstat -z" would show.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/vmemstat/report.h"
#include "tools/vmemstat/scenario.h"
#include "tools/vmemstat/svg.h"

ABSL_FLAG(std::string, scenario, "kernel",
          "what to build: kernel (kva -> kmem with quantum cache -> zones, "
          "plus a pid arena) or ids (an identifier arena)");
ABSL_FLAG(int, threads, 2, "worker threads (1 to 64)");
ABSL_FLAG(double, seconds, 3, "how long the workload runs (0.1 to 3600)");
ABSL_FLAG(bool, json, false, "print JSON instead of text");
ABSL_FLAG(std::string, svg, "",
          "also draw each arena (address map, quantum cache share, free "
          "histogram) as SVG into this file");

namespace {

int usage_error(const std::string &message) {
  fprintf(stderr, "vmemstat: %s\n\n%s\n", message.c_str(),
          absl::ProgramUsageMessage().data());
  return 2;
}

// A relative path given on the command line is taken from where the user
// ran the command: bazel run starts us elsewhere, and says where in
// BUILD_WORKING_DIRECTORY.
std::string from_caller(const std::string &path) {
  const char *cwd = getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || cwd == nullptr || *cwd == '\0')
    return path;
  return absl::StrCat(cwd, "/", path);
}

// Writes and closes f; false (after saying why) if that fails.
bool write_file(FILE *f, const std::string &path, const std::string &text) {
  bool ok = fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = fclose(f) == 0 && ok;
  if (!ok)
    fprintf(stderr, "vmemstat: cannot write %s: %s\n", path.c_str(),
            strerror(errno));
  return ok;
}

}  // namespace

int main(int argc, char **argv) {
  std::string usage =
      "usage: vmemstat [--scenario=NAME] [--threads=N] [--seconds=S] "
      "[--json] [--svg=FILE]\n\nscenarios:";
  for (const auto &[name, what] : vmemstat::scenarios())
    absl::StrAppend(&usage, "\n  ", name, ": ", what);
  absl::SetProgramUsageMessage(usage);
  std::vector<char *> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1)
    return usage_error(absl::StrCat("unexpected argument '", rest[1], "'"));

  const std::string scenario = absl::GetFlag(FLAGS_scenario);
  const int threads = absl::GetFlag(FLAGS_threads);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const bool json = absl::GetFlag(FLAGS_json);
  const std::string svg = from_caller(absl::GetFlag(FLAGS_svg));
  if (threads < 1 || threads > 64)
    return usage_error(absl::StrCat("--threads must be 1 to 64, not ",
                                    threads));
  if (!(seconds >= 0.1 && seconds <= 3600))
    return usage_error(absl::StrCat("--seconds must be 0.1 to 3600, not ",
                                    seconds));
  std::unique_ptr<vmemstat::Stack> stack =
      vmemstat::make_stack(scenario, threads);
  if (stack == nullptr)
    return usage_error(absl::StrCat("unknown scenario '", scenario, "'"));
  // Open the picture's file before the workload, so that a bad path fails at once.
  FILE *svg_file = nullptr;
  if (!svg.empty() && (svg_file = fopen(svg.c_str(), "w")) == nullptr) {
    fprintf(stderr, "vmemstat: cannot write %s: %s\n", svg.c_str(),
            strerror(errno));
    return 1;
  }

  // Workers run until the deadline; the main thread shows progress, on a
  // line that rewrites itself, only when both stdout and stderr are a
  // terminal: redirected or piped, carriage returns would pile up into one
  // long line in the file.
  const bool progress = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
  std::atomic<bool> done{false};
  std::vector<vmemstat::OpCounts> counts(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; t++)
    workers.emplace_back([&, t] {
      counts[t] = stack->work(t, [&] { return done.load(); });
    });
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    double elapsed = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (progress)
      fprintf(stderr, "\rvmemstat: %s on %d thread(s): %.1f/%.1f s",
              scenario.c_str(), threads, std::min(elapsed, seconds), seconds);
  }
  done = true;
  for (auto &w : workers) w.join();
  if (progress) fprintf(stderr, "\n");

  vmemstat::RunSummary run{scenario, threads, seconds, {}};
  for (const auto &c : counts) {
    run.ops.allocs += c.allocs;
    run.ops.frees += c.frees;
    run.ops.failures += c.failures;
  }
  // Report with the workers' allocations still live, then clean up. Every
  // zone is listed, as vmstat -z does: the allocator's own ("vmem",
  // "vmem btag"), the quantum caches ("kmem-4096" ...) and the stack's.
  std::vector<uma_zone_t> zones;
  uma_zone_foreach(
      [](uma_zone_t z, void *arg) {
        static_cast<std::vector<uma_zone_t> *>(arg)->push_back(z);
      },
      &zones);
  std::string report =
      json ? vmemstat::json_report(run, stack->arenas(), zones)
           : vmemstat::text_report(run, stack->arenas(), zones);
  fputs(report.c_str(), stdout);
  bool svg_ok = true;
  if (svg_file != nullptr)
    svg_ok = write_file(svg_file, svg,
                        vmemstat::svg_report(run, stack->arenas(), zones));
  stack->release_all();
  stack.reset();  // destroying an arena with live allocations would panic
  if (!json) printf("all allocations freed and arenas destroyed\n");
  return svg_ok ? 0 : 1;
}
