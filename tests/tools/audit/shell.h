// Running the vmem_audit binary from a test: quoting for the shell, running
// a command with its output in a file, reading files back.

#ifndef TESTS_TOOLS_AUDIT_SHELL_H_
#define TESTS_TOOLS_AUDIT_SHELL_H_

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace vmem_audit {
namespace testing {

// The whole file ("" if it cannot be read).
inline std::string ReadAll(const std::string &path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// s as one shell word.
inline std::string Quote(const std::string &s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// Runs a shell command (which redirects its own output); its exit code, or
// -1 if it did not exit.
inline int RunShell(const std::string &command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace testing
}  // namespace vmem_audit

#endif  // TESTS_TOOLS_AUDIT_SHELL_H_
