// Audits our kern/subr_vmem.cc against upstream's subr_vmem.c (with
// _KERNEL resolved): the whole file, file scope and comments included, is
// diffed line by line ignoring whitespace (as "diff -w"), and every change
// hunk must carry a PORT(n) tag on one of its own lines, citing an entry of
// the registry (kern/PORTING.md); every entry must be cited. Upstream's
// functions must all be there, in upstream's order, and the file must hold
// no function that upstream lacks.

#ifndef TOOLS_AUDIT_AUDIT_H_
#define TOOLS_AUDIT_AUDIT_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/audit/c_functions.h"
#include "tools/audit/c_source.h"
#include "tools/audit/fingerprint.h"
#include "tools/audit/line_diff.h"
#include "tools/audit/registry.h"

namespace vmem_audit {

// Our file, scanned.
struct SourceFile {
  std::string path;
  std::vector<SourceLine> lines;
  std::vector<Function> functions;
};

SourceFile ParseSource(std::string path, absl::string_view text);

// What the audit knows of upstream's file: from a checkout (text known) or
// from the fingerprint (hashes only).
struct UpstreamFile {
  std::string label;   // for the report: the path, or the fingerprint's
  std::string commit;  // empty for a checkout
  std::vector<uint64_t> line_hashes;
  std::vector<std::string> text;  // the lines; empty from a fingerprint
  std::vector<FunctionSpan> functions;
};

// lines: upstream's file after ResolveKernelConditionals().
UpstreamFile UpstreamFromText(std::string label,
                              const std::vector<std::string> &lines);
UpstreamFile UpstreamFromFingerprint(std::string label, const Fingerprint &fp);

enum class Status {
  kSame,      // no line of it differs (whitespace aside)
  kPort,      // some lines differ, every hunk tagged
  kUntagged,  // some hunk of it is not tagged
  kMissing,   // upstream has it, we do not
  kOursOnly,  // we have it, upstream does not
};
inline constexpr int kNumStatuses = 5;

// "same", "port", "UNTAGGED", "MISSING", "OURS-ONLY".
absl::string_view StatusName(Status s);

struct HunkReport {
  Hunk hunk;              // a: upstream's lines, b: ours (0-based)
  bool tagged = false;    // a line of ours in it carries a PORT(n) tag
  bool blank = false;     // only blank lines differ: needs no tag
  std::vector<int> refs;  // the entries its tags cite
  std::string where;      // the function it is in; "" at file scope
};

struct FunctionReport {
  std::string name;
  Status status = Status::kSame;
  const FunctionSpan *upstream = nullptr;  // null for kOursOnly
  const Function *ours = nullptr;          // null for kMissing
  std::vector<int> hunks;                  // indices into AuditResult::hunks
  // Placed differently from upstream relative to the other functions;
  // order_after names the function upstream puts just before it.
  bool out_of_order = false;
  std::string order_after;
};

// A tag that is malformed or cites no entry, or an entry no tag cites.
struct Finding {
  std::string file;
  int line = 0;  // 1-based
  std::string what;
};

struct AuditResult {
  std::vector<HunkReport> hunks;
  // Upstream's functions in upstream order (found or kMissing), then the
  // kOursOnly ones in our order.
  std::vector<FunctionReport> functions;
  std::array<int, kNumStatuses> counts{};
  int out_of_order = 0;
  int deleted_lines = 0;   // upstream's lines in hunks
  int inserted_lines = 0;  // our lines in hunks
  int untagged_hunks = 0;
  int tagged_lines = 0;  // our lines carrying a tag
  bool registry_checked = false;
  int registry_entries = 0;
  std::vector<Finding> tag_findings;       // tags: malformed, unknown entry
  std::vector<Finding> registry_findings;  // entries: uncited, malformed

  int Count(Status s) const { return counts[static_cast<int>(s)]; }
  int DifferingLines() const { return deleted_lines + inserted_lines; }
  // Nothing untagged, missing, out of order or ours-only, and the tags and
  // the registry (when checked) agree.
  bool Clean() const;
};

// Whether a hunk is tagged: some line of ours in it (b_begin..b_end)
// carries a well-formed tag. A tag therefore covers only the hunk it is
// written in; a pure deletion must leave a tagged line in its place.
bool HunkTagged(const SourceFile &ours, const Hunk &hunk);

// The whole audit. registry may be null (tags are then not checked against
// entries, and the result is not clean); registry_path names it in
// findings.
AuditResult Audit(const UpstreamFile &upstream, const SourceFile &ours,
                  const Registry *registry,
                  const std::string &registry_path = "");

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_AUDIT_H_
