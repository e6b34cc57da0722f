// Pairs the functions of upstream's subr_vmem.c with ours by name and
// classifies every difference.

#ifndef TOOLS_AUDIT_AUDIT_H_
#define TOOLS_AUDIT_AUDIT_H_

#include <array>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/audit/c_functions.h"
#include "tools/audit/c_source.h"
#include "tools/audit/line_diff.h"

namespace vmem_audit {

// A source file, scanned.
struct SourceFile {
  std::string path;
  std::vector<SourceLine> lines;
  std::vector<Function> functions;
};

SourceFile ParseSource(std::string path, absl::string_view text);

enum class Status {
  kSame,        // byte for byte identical
  kWhitespace,  // identical code; whitespace or comments differ
  kPort,        // code differs, every change hunk tagged PORT:
  kUntagged,    // code differs and some hunk is not tagged
  kMissing,     // upstream has it, we do not
  kOursOnly,    // we have it, upstream does not
};
inline constexpr int kNumStatuses = 6;

// "same", "whitespace", "port", "UNTAGGED", "MISSING", "ours-only".
absl::string_view StatusName(Status s);

// The normalised code lines of a function, with the 0-based source line
// each came from.
struct CodeLines {
  std::vector<std::string> text;
  std::vector<int> source_line;
};

CodeLines CodeLinesOf(const SourceFile& file, const Function& f);

struct HunkReport {
  Hunk hunk;  // indices into FunctionReport::upstream_code / ours_code
  bool tagged = false;
};

struct FunctionReport {
  std::string name;
  Status status = Status::kSame;
  const Function* upstream = nullptr;  // null for kOursOnly
  const Function* ours = nullptr;      // null for kMissing
  CodeLines upstream_code;
  CodeLines ours_code;
  std::vector<Edit> edits;
  std::vector<HunkReport> hunks;
  // Paired functions only: placed differently relative to the others than
  // upstream places it; order_after names the function upstream puts just
  // before it ("" if it comes first).
  bool out_of_order = false;
  std::string order_after;
};

struct AuditResult {
  // Upstream's functions in upstream order (paired or kMissing), then the
  // kOursOnly ones in our order.
  std::vector<FunctionReport> functions;
  std::array<int, kNumStatuses> counts{};
  int out_of_order = 0;

  int Count(Status s) const { return counts[static_cast<int>(s)]; }
  // No kUntagged, kMissing or out-of-order function.
  bool Clean() const;
};

// Compares one function pair; fills status, code lines, edits and hunks.
FunctionReport CompareFunctions(const SourceFile& upstream,
                                const Function& up, const SourceFile& ours,
                                const Function& our);

// Whether a change hunk is tagged: PORT: in a comment on any of our source
// lines the hunk spans, or in the comment lines directly above its first
// line; for a pure deletion, on our code line just before or just after
// the deletion point (or in the comment lines directly above the latter).
bool HunkTagged(const SourceFile& ours, const CodeLines& ours_code,
                const Hunk& hunk);

// The whole audit: pairs functions by name and checks their order.
AuditResult Audit(const SourceFile& upstream, const SourceFile& ours);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_AUDIT_H_
