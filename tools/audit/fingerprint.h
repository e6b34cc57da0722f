// A fingerprint of the upstream file: facts about it, not its text. The
// audit diffs our file against it when no FreeBSD checkout is at hand (as
// in "bazel test"): the commit it was taken from, a hash of each line of
// the file (with _KERNEL resolved; every line, blank ones included, its
// whitespace removed) and where each function starts and ends.

#ifndef TOOLS_AUDIT_FINGERPRINT_H_
#define TOOLS_AUDIT_FINGERPRINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vmem_audit {

// A function of the upstream file: lines are 1-based and inclusive, from
// the return-type line (or the name line) to the closing brace.
struct FunctionSpan {
  std::string name;
  int first_line = 0;
  int last_line = 0;
};

struct Fingerprint {
  std::string commit;  // 40 hex digits
  std::string path;    // in the upstream tree: sys/kern/subr_vmem.c
  std::vector<uint64_t> line_hashes;
  std::vector<FunctionSpan> functions;
};

// The hash of a line as the audit compares lines: FNV-1a (64 bits) of the
// line with all whitespace removed, as "diff -w" compares.
uint64_t LineHash(absl::string_view line);

// The fingerprint of upstream's file, given as its lines after
// ResolveKernelConditionals().
Fingerprint MakeFingerprint(const std::string &commit, const std::string &path,
                            const std::vector<std::string> &lines);

// The text form checked in as tools/audit/upstream_fingerprint.txt:
// "# " comment lines, then "commit <hex>", "path <path>",
// "lines <n>", one "function <first> <last> <name>" per function and one
// 16-digit hex hash per line of the file.
std::string FormatFingerprint(const Fingerprint &fp);

// Parses FormatFingerprint()'s output; false and *error on a malformed one.
bool ParseFingerprint(absl::string_view text, Fingerprint *fp,
                      std::string *error);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_FINGERPRINT_H_
