// Resolves the _KERNEL conditionals of a C file as "unifdef -D_KERNEL"
// does: FreeBSD's subr_vmem.c carries the userspace library (libuvmem) in
// #ifdef _KERNEL / #else branches, and the port follows the kernel's text.

#ifndef TOOLS_AUDIT_KERNEL_IFDEF_H_
#define TOOLS_AUDIT_KERNEL_IFDEF_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vmem_audit {

struct ResolvedSource {
  // The lines that remain, without newlines.
  std::vector<std::string> lines;
  // Empty on success; otherwise what could not be resolved, with its line.
  std::string error;
};

// Keeps the lines that a compiler with _KERNEL defined would see of the
// conditionals on _KERNEL and drops those conditionals' directive lines;
// every other line (other conditionals included) stays as it is. Handled:
// "#ifdef _KERNEL", "#ifndef _KERNEL", "#if defined(_KERNEL)",
// "#if !defined(_KERNEL)", each with an optional "#else" (comments after a
// directive are allowed). Any other directive that names _KERNEL (an #elif,
// a compound condition) is an error rather than a guess, as is an
// unbalanced #if/#endif.
ResolvedSource ResolveKernelConditionals(absl::string_view text);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_KERNEL_IFDEF_H_
