// vmemstat: builds a kernel-like stack of vmem arenas and zones, runs a
// short mixed workload on several threads, and prints what FreeBSD's
// "show vmem" and "vmstat -z" would show.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/vmemstat/options.h"
#include "tools/vmemstat/pending_file.h"
#include "tools/vmemstat/report.h"
#include "tools/vmemstat/scenario.h"
#include "tools/vmemstat/svg.h"

namespace {

int usage_error(const std::string &message) {
  fprintf(stderr, "vmemstat: %s\n%s", message.c_str(),
          vmemstat::usage().c_str());
  return vmemstat::kExitUsage;
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

}  // namespace

int main(int argc, char **argv) {
  vmemstat::Options options;
  const std::string bad = vmemstat::parse_options(argc, argv, &options);
  if (!bad.empty()) return usage_error(bad);
  if (options.help) {
    fputs(vmemstat::usage().c_str(), stdout);
    return vmemstat::kExitOk;
  }
  const std::string &scenario = options.scenario;
  const int threads = options.threads;
  const double seconds = options.seconds;
  const bool json = options.json;
  // The picture's file is created (as a temporary) before the workload, so
  // that a bad path fails at once; it replaces the named file at the end.
  std::unique_ptr<vmemstat::PendingFile> svg_file;
  if (!options.svg.empty()) {
    std::string error;
    svg_file = vmemstat::PendingFile::Create(from_caller(options.svg), &error);
    if (svg_file == nullptr) return usage_error(absl::StrCat("--svg: ", error));
  }
  std::unique_ptr<vmemstat::Stack> stack =
      vmemstat::make_stack(scenario, threads);

  // Workers run until the deadline; the main thread shows progress, on a
  // line that rewrites itself, only when both stdout and stderr are a
  // terminal: redirected or piped, carriage returns would pile up into one
  // long line in the file.
  const bool progress = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
  std::atomic<bool> done{false};
  std::vector<vmemstat::OpCounts> counts(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; t++)
    workers.emplace_back(
        [&, t] { counts[t] = stack->work(t, [&] { return done.load(); }); });
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
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
  std::string report = json
                           ? vmemstat::json_report(run, stack->arenas(), zones)
                           : vmemstat::text_report(run, stack->arenas(), zones);
  fputs(report.c_str(), stdout);
  bool svg_ok = true;
  if (svg_file != nullptr) {
    std::string error;
    svg_ok = svg_file->Commit(vmemstat::svg_report(run, stack->arenas(), zones),
                              &error);
    if (!svg_ok) fprintf(stderr, "vmemstat: %s\n", error.c_str());
  }
  stack->release_all();
  stack.reset();  // destroying an arena with live allocations would panic
  if (!json) printf("all allocations freed and arenas destroyed\n");
  return svg_ok ? vmemstat::kExitOk : vmemstat::kExitSvgWrite;
}
