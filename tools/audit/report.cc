#include "tools/audit/report.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vmem_audit {

namespace {

constexpr int kContext = 2;

// 1-based source line of code line i, or of the end of the function when i
// is one past the last code line.
int SourceLineAt(const CodeLines& code, const Function* f, int i) {
  if (i < static_cast<int>(code.source_line.size())) {
    return code.source_line[i] + 1;
  }
  return f != nullptr ? f->last_line + 1 : 0;
}

std::string Where(const FunctionReport& r) {
  std::string s;
  if (r.upstream != nullptr) {
    absl::StrAppend(&s, "upstream:", r.upstream->first_line + 1);
  }
  if (r.ours != nullptr) {
    absl::StrAppend(&s, s.empty() ? "" : " ", "ours:", r.ours->first_line + 1);
  }
  return s;
}

void PrintHunk(const FunctionReport& r, const HunkReport& hr,
               std::ostream& out) {
  const Hunk& h = hr.hunk;
  out << absl::StrFormat(
      "@@ upstream L%d ours L%d @@ %s\n",
      SourceLineAt(r.upstream_code, r.upstream, h.a_begin),
      SourceLineAt(r.ours_code, r.ours, h.b_begin),
      hr.tagged ? "PORT" : "!! untagged");
  const std::vector<std::string>& a = r.upstream_code.text;
  const std::vector<std::string>& b = r.ours_code.text;
  // Context before: the common lines just before, as in ours.
  for (int i = std::max(0, h.b_begin - kContext); i < h.b_begin; ++i) {
    out << "  " << b[i] << "\n";
  }
  for (int i = h.a_begin; i < h.a_end; ++i) out << "- " << a[i] << "\n";
  for (int i = h.b_begin; i < h.b_end; ++i) out << "+ " << b[i] << "\n";
  const int end = std::min(static_cast<int>(b.size()), h.b_end + kContext);
  for (int i = h.b_end; i < end; ++i) out << "  " << b[i] << "\n";
}

}  // namespace

std::string Summary(const AuditResult& result) {
  return absl::StrFormat(
      "summary: %d same, %d whitespace, %d port, %d UNTAGGED, %d MISSING, "
      "%d ours-only, %d ORDER",
      result.Count(Status::kSame), result.Count(Status::kWhitespace),
      result.Count(Status::kPort), result.Count(Status::kUntagged),
      result.Count(Status::kMissing), result.Count(Status::kOursOnly),
      result.out_of_order);
}

void PrintFunctionDiff(const SourceFile& upstream, const SourceFile& ours,
                       const FunctionReport& r, std::ostream& out) {
  if (r.status == Status::kMissing) {
    out << absl::StrFormat("--- %s:%d %s\n", upstream.path,
                           r.upstream->first_line + 1, r.name);
    out << "+++ (not in ours)\n";
    for (const std::string& s : r.upstream_code.text) out << "- " << s << "\n";
    return;
  }
  if (r.hunks.empty()) return;
  out << absl::StrFormat("--- %s:%d %s\n", upstream.path,
                         r.upstream->first_line + 1, r.name);
  out << absl::StrFormat("+++ %s:%d %s\n", ours.path, r.ours->first_line + 1,
                         r.name);
  for (const HunkReport& hr : r.hunks) PrintHunk(r, hr, out);
}

void PrintReport(const SourceFile& upstream, const SourceFile& ours,
                 const AuditResult& result, bool with_diff,
                 std::ostream& out) {
  out << absl::StrFormat("upstream: %s (%d functions)\n", upstream.path,
                         upstream.functions.size());
  out << absl::StrFormat("ours:     %s (%d functions)\n", ours.path,
                         ours.functions.size());
  for (const FunctionReport& r : result.functions) {
    out << absl::StrFormat("%-10s  %-24s  %s\n", StatusName(r.status), r.name,
                           Where(r));
    if (r.out_of_order) {
      out << absl::StrFormat(
          "%-10s  %-24s  upstream puts it %s\n", "ORDER", r.name,
          r.order_after.empty() ? "first"
                                : absl::StrCat("after ", r.order_after));
    }
    if (with_diff) PrintFunctionDiff(upstream, ours, r, out);
  }
  out << Summary(result) << "\n";
}

}  // namespace vmem_audit
