// The vmem_audit command line: arguments, files, exit codes.

#ifndef TOOLS_AUDIT_CLI_H_
#define TOOLS_AUDIT_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace vmem_audit {

inline constexpr int kExitClean = 0;     // nothing to report
inline constexpr int kExitFindings = 1;  // untagged hunks, mismatched tags...
inline constexpr int kExitUsage = 2;     // bad arguments or unreadable file

// Where the files are looked for. bazel run sets BUILD_WORKSPACE_DIRECTORY
// (the workspace root) and BUILD_WORKING_DIRECTORY (the caller's cwd) and
// runs the tool from its runfiles; empty when unset.
struct CliEnvironment {
  std::string workspace_dir;
  std::string working_dir;
};

CliEnvironment CliEnvironmentFromProcess();

// Runs "vmem_audit [options] [<upstream> [<ours>]]" (args excludes
// argv[0]); the report goes to out, errors and usage to err. Returns the
// exit code. See kUsage in cli.cc.
int RunVmemAudit(const std::vector<std::string> &args,
                 const CliEnvironment &env, std::ostream &out,
                 std::ostream &err);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_CLI_H_
