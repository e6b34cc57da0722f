// Finds the top-level function definitions of a style(9) C file.

#ifndef TOOLS_AUDIT_C_FUNCTIONS_H_
#define TOOLS_AUDIT_C_FUNCTIONS_H_

#include <string>
#include <vector>

#include "tools/audit/c_source.h"

namespace vmem_audit {

// One function definition; line numbers are 0-based indices into the
// file's SourceLine vector.
struct Function {
  std::string name;
  int first_line = 0;  // return-type line, or the name line if none
  int name_line = 0;   // "name(args" at column 0
  int open_line = 0;   // the "{" at column 0
  int last_line = 0;   // the matching "}"
};

// A definition is a "{" at column 0 preceded directly by a declarator: a
// line at column 0 holding "name(" (then any indented continuation lines,
// with balanced parentheses, ending in ")"), and optionally a return-type
// line just above it ("static __noinline int"). The body runs to the
// matching "}". DDB commands, DB_SHOW_COMMAND(vmem, vmem_summ) and the like,
// are named by their second argument. Forward declarations (ending in ";")
// have no body and are skipped. Names repeated within one file (e.g.
// alternatives under #ifdef) get "#2", "#3", ... appended.
std::vector<Function> ExtractFunctions(const std::vector<SourceLine> &lines);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_C_FUNCTIONS_H_
