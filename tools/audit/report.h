// Prints an AuditResult: a line per function, every finding (untagged
// hunks, tags and registry entries that do not match), optionally every
// hunk's diff, and the summary figures.

#ifndef TOOLS_AUDIT_REPORT_H_
#define TOOLS_AUDIT_REPORT_H_

#include <ostream>
#include <string>

#include "tools/audit/audit.h"

namespace vmem_audit {

// "summary: 36 same, 29 port, 0 UNTAGGED, ...; 244 lines differ ...".
std::string Summary(const AuditResult &result);

// The figures as the README quotes them: one sentence, the same for the
// same file and upstream.
std::string ReadmeSummary(const UpstreamFile &upstream,
                          const AuditResult &result);

// One hunk: "@@ upstream L<n> ours L<m> @@ <function> <tags>" then its
// lines, upstream's as "- text" (or "- (upstream line n)" when only the
// fingerprint is known) and ours as "+ text", with two lines of context.
void PrintHunk(const UpstreamFile &upstream, const SourceFile &ours,
               const HunkReport &hr, std::ostream &out);

// The full report; every hunk's diff if with_diff, else only the untagged
// ones'.
void PrintReport(const UpstreamFile &upstream, const SourceFile &ours,
                 const AuditResult &result, bool with_diff, std::ostream &out);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_REPORT_H_
