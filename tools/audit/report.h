// Prints an AuditResult: one status line per function, optional diffs, and
// a summary.

#ifndef TOOLS_AUDIT_REPORT_H_
#define TOOLS_AUDIT_REPORT_H_

#include <ostream>
#include <string>

#include "tools/audit/audit.h"

namespace vmem_audit {

// "summary: 3 same, 1 whitespace, ..., 0 ORDER".
std::string Summary(const AuditResult& result);

// The diff of one function's normalised code lines: each change hunk with
// two lines of context, headed "@@ upstream L<n> ours L<m> @@" and marked
// "PORT" or "!! untagged". A kMissing function is shown as all "-".
void PrintFunctionDiff(const SourceFile& upstream, const SourceFile& ours,
                       const FunctionReport& r, std::ostream& out);

// The full report: a line per function (and an ORDER line for each one out
// of order), diffs if with_diff, then the summary.
void PrintReport(const SourceFile& upstream, const SourceFile& ours,
                 const AuditResult& result, bool with_diff,
                 std::ostream& out);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_REPORT_H_
