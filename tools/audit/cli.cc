#include "tools/audit/cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tools/audit/audit.h"
#include "tools/audit/fingerprint.h"
#include "tools/audit/kernel_ifdef.h"
#include "tools/audit/registry.h"
#include "tools/audit/report.h"

namespace vmem_audit {

namespace {

constexpr char kUsage[] =
    "usage: vmem_audit [options] [<upstream> [<ours>]]\n"
    "\n"
    "Audits our kern/subr_vmem.cc against FreeBSD's sys/kern/subr_vmem.c\n"
    "with _KERNEL defined (as \"unifdef -D_KERNEL\" leaves it): the whole\n"
    "file is diffed ignoring whitespace, comments and file scope included,\n"
    "and every hunk must carry a PORT(n) tag citing an entry of the\n"
    "registry (kern/PORTING.md), every entry must be cited, and upstream's\n"
    "functions must all be there, in order, with none of our own.\n"
    "\n"
    "  <upstream>   FreeBSD's subr_vmem.c, or a FreeBSD source tree\n"
    "               (<tree>/sys/kern/subr_vmem.c); without it, the\n"
    "               fingerprint of upstream is used\n"
    "  <ours>       our subr_vmem.cc, or a checkout of this project;\n"
    "               default: kern/subr_vmem.cc of the workspace\n"
    "               ($BUILD_WORKSPACE_DIRECTORY under bazel run, else .)\n"
    "  --ours=FILE         the same as <ours>, without <upstream>\n"
    "  --fingerprint=FILE  default: tools/audit/upstream_fingerprint.txt\n"
    "                      of the workspace\n"
    "  --registry=FILE     default: PORTING.md next to <ours>\n"
    "  --no-registry       do not check tags against a registry (the\n"
    "                      audit is then never clean)\n"
    "  --diff              show every hunk (untagged ones are always shown;\n"
    "                      upstream's text only with <upstream>)\n"
    "  --summary           print only the sentence the README quotes\n"
    "  --write-fingerprint=FILE --commit=HASH\n"
    "                      write the fingerprint of <upstream> (required),\n"
    "                      taken at commit HASH, to FILE, and stop\n"
    "\n"
    "Exit status: 0 clean, 1 findings, 2 usage errors.\n";

std::string GetEnv(const char *name) {
  const char *v = std::getenv(name);
  return v != nullptr ? v : "";
}

bool IsDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A path given on the command line, relative to the caller's directory.
std::string FromCaller(const std::string &path, const CliEnvironment &env) {
  if (path.empty() || path[0] == '/' || env.working_dir.empty()) return path;
  return absl::StrCat(env.working_dir, "/", path);
}

// A directory stands for the file at suffix inside it.
std::string FileIn(const std::string &path, const char *suffix) {
  if (!IsDirectory(path)) return path;
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return absl::StrCat(dir, "/", suffix);
}

// A file of the workspace, by default.
std::string InWorkspace(const CliEnvironment &env, const char *relative) {
  if (env.workspace_dir.empty()) return relative;
  return absl::StrCat(env.workspace_dir, "/", relative);
}

std::string Dirname(const std::string &path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool ReadFile(const std::string &path, std::string *text, std::string *error) {
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

int UsageError(const std::string &message, std::ostream &err) {
  err << "vmem_audit: " << message << "\n\n" << kUsage;
  return kExitUsage;
}

int Error(const std::string &message, std::ostream &err) {
  err << "vmem_audit: " << message << "\n";
  return kExitUsage;
}

struct Options {
  bool diff = false;
  bool summary = false;
  bool no_registry = false;
  std::string ours;
  std::string fingerprint;
  std::string registry;
  std::string write_fingerprint;
  std::string commit;
  std::vector<std::string> paths;
};

// "--name=value": sets *value when arg is that option.
bool ValueOption(const std::string &arg, absl::string_view name,
                 std::string *value) {
  absl::string_view rest = arg;
  if (!absl::ConsumePrefix(&rest, name) || !absl::ConsumePrefix(&rest, "=")) {
    return false;
  }
  *value = std::string(rest);
  return true;
}

}  // namespace

CliEnvironment CliEnvironmentFromProcess() {
  CliEnvironment env;
  env.workspace_dir = GetEnv("BUILD_WORKSPACE_DIRECTORY");
  env.working_dir = GetEnv("BUILD_WORKING_DIRECTORY");
  return env;
}

int RunVmemAudit(const std::vector<std::string> &args,
                 const CliEnvironment &env, std::ostream &out,
                 std::ostream &err) {
  Options o;
  bool options_done = false;
  for (const std::string &arg : args) {
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      o.paths.push_back(arg);
    } else if (arg == "--") {
      options_done = true;
    } else if (arg == "--diff") {
      o.diff = true;
    } else if (arg == "--summary") {
      o.summary = true;
    } else if (arg == "--no-registry") {
      o.no_registry = true;
    } else if (arg == "-h" || arg == "--help") {
      out << kUsage;
      return kExitClean;
    } else if (!ValueOption(arg, "--ours", &o.ours) &&
               !ValueOption(arg, "--fingerprint", &o.fingerprint) &&
               !ValueOption(arg, "--registry", &o.registry) &&
               !ValueOption(arg, "--write-fingerprint", &o.write_fingerprint) &&
               !ValueOption(arg, "--commit", &o.commit)) {
      return UsageError(absl::StrCat("unknown option ", arg), err);
    }
  }
  if (o.paths.size() > 2) return UsageError("too many arguments", err);
  if (o.paths.size() == 2 && !o.ours.empty()) {
    return UsageError("<ours> given twice", err);
  }
  if (!o.registry.empty() && o.no_registry) {
    return UsageError("--registry and --no-registry together", err);
  }

  // Upstream: a checkout, resolved here, or the fingerprint.
  std::string error;
  UpstreamFile upstream;
  if (!o.paths.empty()) {
    const std::string path =
        FileIn(FromCaller(o.paths[0], env), "sys/kern/subr_vmem.c");
    std::string text;
    if (!ReadFile(path, &text, &error)) {
      return UsageError(absl::StrCat("cannot read ", error), err);
    }
    ResolvedSource resolved = ResolveKernelConditionals(text);
    if (!resolved.error.empty()) {
      return Error(
          absl::StrCat(path, ": cannot resolve _KERNEL: ", resolved.error),
          err);
    }
    if (!o.write_fingerprint.empty()) {
      if (o.commit.size() != 40) {
        return UsageError("--write-fingerprint needs --commit=<40 hex digits>",
                          err);
      }
      const Fingerprint fp =
          MakeFingerprint(o.commit, "sys/kern/subr_vmem.c", resolved.lines);
      const std::string target = FromCaller(o.write_fingerprint, env);
      std::ofstream f(target, std::ios::binary);
      f << FormatFingerprint(fp);
      f.close();
      if (!f) return Error(absl::StrCat("cannot write ", target), err);
      out << "wrote " << target << ": " << fp.line_hashes.size() << " lines, "
          << fp.functions.size() << " functions\n";
      return kExitClean;
    }
    upstream = UpstreamFromText(path, resolved.lines);
  } else {
    if (!o.write_fingerprint.empty()) {
      return UsageError("--write-fingerprint needs <upstream>", err);
    }
    const std::string path =
        o.fingerprint.empty()
            ? InWorkspace(env, "tools/audit/upstream_fingerprint.txt")
            : FromCaller(o.fingerprint, env);
    std::string text;
    if (!ReadFile(path, &text, &error)) {
      return UsageError(absl::StrCat("cannot read ", error), err);
    }
    Fingerprint fp;
    if (!ParseFingerprint(text, &fp, &error)) {
      return Error(absl::StrCat(path, ": ", error), err);
    }
    upstream = UpstreamFromFingerprint(
        absl::StrCat("FreeBSD ", fp.commit.substr(0, 12), " ", fp.path,
                     ", _KERNEL defined (fingerprint ", path, ")"),
        fp);
  }

  // Ours, and the registry next to it.
  std::string ours_path;
  if (o.paths.size() == 2) {
    ours_path = FileIn(FromCaller(o.paths[1], env), "kern/subr_vmem.cc");
  } else if (!o.ours.empty()) {
    ours_path = FileIn(FromCaller(o.ours, env), "kern/subr_vmem.cc");
  } else {
    ours_path = InWorkspace(env, "kern/subr_vmem.cc");
  }
  std::string ours_text;
  if (!ReadFile(ours_path, &ours_text, &error)) {
    return UsageError(absl::StrCat("cannot read ", error), err);
  }
  const SourceFile ours = ParseSource(ours_path, ours_text);

  Registry registry;
  std::string registry_path;
  if (!o.no_registry) {
    registry_path = o.registry.empty()
                        ? absl::StrCat(Dirname(ours_path), "/PORTING.md")
                        : FromCaller(o.registry, env);
    std::string text;
    if (!ReadFile(registry_path, &text, &error)) {
      return UsageError(absl::StrCat("cannot read the registry ", error), err);
    }
    registry = ParseRegistry(text);
  }

  const AuditResult result =
      Audit(upstream, ours, o.no_registry ? nullptr : &registry, registry_path);
  if (o.summary) {
    out << ReadmeSummary(upstream, result) << "\n";
  } else {
    PrintReport(upstream, ours, result, o.diff, out);
  }
  return result.Clean() ? kExitClean : kExitFindings;
}

}  // namespace vmem_audit
