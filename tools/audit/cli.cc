#include "tools/audit/cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/audit/audit.h"
#include "tools/audit/report.h"

namespace vmem_audit {

namespace {

constexpr char kUsage[] =
    "usage: vmem_audit [--diff] <upstream> [<ours>]\n"
    "\n"
    "Compares our kern/subr_vmem.cc with FreeBSD's sys/kern/subr_vmem.c\n"
    "function by function. Every difference in code must be tagged by a\n"
    "comment containing \"PORT:\".\n"
    "\n"
    "  <upstream>  FreeBSD's subr_vmem.c, or a FreeBSD source tree\n"
    "              (<tree>/sys/kern/subr_vmem.c is used)\n"
    "  <ours>      our subr_vmem.cc, or a checkout of this project\n"
    "              (<dir>/kern/subr_vmem.cc); default: kern/subr_vmem.cc\n"
    "              in $BUILD_WORKSPACE_DIRECTORY (bazel run) or the cwd\n"
    "  --diff      show the code diff of every function that differs\n"
    "\n"
    "Statuses: same, whitespace (code identical), port (every change\n"
    "tagged), UNTAGGED, MISSING (upstream only), ours-only; ORDER marks a\n"
    "function placed differently from upstream.\n"
    "Exit status: 0 clean, 1 if any UNTAGGED, MISSING or ORDER, 2 on usage\n"
    "errors.\n";

std::string GetEnv(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A path given on the command line, relative to the caller's directory.
std::string FromCaller(const std::string& path, const CliEnvironment& env) {
  if (path.empty() || path[0] == '/' || env.working_dir.empty()) return path;
  return absl::StrCat(env.working_dir, "/", path);
}

// A directory stands for the file at suffix inside it.
std::string FileIn(const std::string& path, const char* suffix) {
  if (!IsDirectory(path)) return path;
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return absl::StrCat(dir, "/", suffix);
}

bool ReadFile(const std::string& path, std::string* text, std::string* error) {
  if (IsDirectory(path)) {
    *error = absl::StrCat(path, ": is a directory");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = absl::StrCat(path, ": ", std::strerror(errno));
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    *error = absl::StrCat(path, ": read error");
    return false;
  }
  *text = ss.str();
  return true;
}

int UsageError(const std::string& message, std::ostream& err) {
  err << "vmem_audit: " << message << "\n\n" << kUsage;
  return kExitUsage;
}

}  // namespace

CliEnvironment CliEnvironmentFromProcess() {
  CliEnvironment env;
  env.workspace_dir = GetEnv("BUILD_WORKSPACE_DIRECTORY");
  env.working_dir = GetEnv("BUILD_WORKING_DIRECTORY");
  return env;
}

int RunVmemAudit(const std::vector<std::string>& args,
                 const CliEnvironment& env, std::ostream& out,
                 std::ostream& err) {
  bool with_diff = false;
  bool options_done = false;
  std::vector<std::string> paths;
  for (const std::string& arg : args) {
    if (!options_done && arg == "--") {
      options_done = true;
    } else if (!options_done && arg == "--diff") {
      with_diff = true;
    } else if (!options_done && (arg == "-h" || arg == "--help")) {
      out << kUsage;
      return kExitClean;
    } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
      return UsageError(absl::StrCat("unknown option ", arg), err);
    } else {
      paths.push_back(arg);
    }
  }
  if (paths.empty()) return UsageError("missing <upstream>", err);
  if (paths.size() > 2) return UsageError("too many arguments", err);

  const std::string upstream_path =
      FileIn(FromCaller(paths[0], env), "sys/kern/subr_vmem.c");
  std::string ours_path;
  if (paths.size() == 2) {
    ours_path = FileIn(FromCaller(paths[1], env), "kern/subr_vmem.cc");
  } else if (!env.workspace_dir.empty()) {
    ours_path = absl::StrCat(env.workspace_dir, "/kern/subr_vmem.cc");
  } else {
    ours_path = "kern/subr_vmem.cc";
  }

  std::string upstream_text;
  std::string ours_text;
  std::string error;
  if (!ReadFile(upstream_path, &upstream_text, &error) ||
      !ReadFile(ours_path, &ours_text, &error)) {
    return UsageError(absl::StrCat("cannot read ", error), err);
  }

  const SourceFile upstream = ParseSource(upstream_path, upstream_text);
  const SourceFile ours = ParseSource(ours_path, ours_text);
  if (upstream.functions.empty()) {
    return UsageError(
        absl::StrCat(upstream_path, ": no function definitions found"), err);
  }
  if (ours.functions.empty()) {
    return UsageError(
        absl::StrCat(ours_path, ": no function definitions found"), err);
  }
  const AuditResult result = Audit(upstream, ours);
  PrintReport(upstream, ours, result, with_diff, out);
  return result.Clean() ? kExitClean : kExitFindings;
}

}  // namespace vmem_audit
