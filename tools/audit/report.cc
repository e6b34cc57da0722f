#include "tools/audit/report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace vmem_audit {

namespace {

constexpr int kContext = 2;

// 12,345
std::string Thousands(int n) {
  std::string s = absl::StrCat(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) {
    s.insert(static_cast<size_t>(i), ",");
  }
  return s;
}

std::string Where(const FunctionReport &r) {
  std::string s;
  if (r.upstream != nullptr)
    absl::StrAppend(&s, "upstream:", r.upstream->first_line);
  if (r.ours != nullptr) {
    absl::StrAppend(&s, s.empty() ? "" : " ", "ours:", r.ours->first_line + 1);
  }
  if (!r.hunks.empty()) {
    absl::StrAppend(&s, " (", r.hunks.size(),
                    r.hunks.size() == 1 ? " hunk)" : " hunks)");
  }
  return s;
}

std::string TagsOf(const HunkReport &hr) {
  if (hr.blank && !hr.tagged) return "blank lines only";
  if (!hr.tagged) return "!! untagged";
  return absl::StrCat("PORT(", absl::StrJoin(hr.refs, ", "), ")");
}

}  // namespace

std::string Summary(const AuditResult &result) {
  return absl::StrFormat(
      "summary: %d same, %d port, %d UNTAGGED, %d MISSING, %d OURS-ONLY, "
      "%d ORDER; %d lines differ (%d upstream, %d ours) in %d hunks, %d "
      "untagged; %d tag findings, %d registry findings%s",
      result.Count(Status::kSame), result.Count(Status::kPort),
      result.Count(Status::kUntagged), result.Count(Status::kMissing),
      result.Count(Status::kOursOnly), result.out_of_order,
      result.DifferingLines(), result.deleted_lines, result.inserted_lines,
      static_cast<int>(result.hunks.size()), result.untagged_hunks,
      static_cast<int>(result.tag_findings.size()),
      static_cast<int>(result.registry_findings.size()),
      result.registry_checked ? "" : " (no registry)");
}

std::string ReadmeSummary(const UpstreamFile &upstream,
                          const AuditResult &result) {
  const int upstream_functions = static_cast<int>(upstream.functions.size());
  const int present = upstream_functions - result.Count(Status::kMissing);
  std::string what =
      upstream.commit.empty()
          ? absl::StrCat("`", upstream.label, "`")
          : absl::StrCat("FreeBSD commit `", upstream.commit.substr(0, 12),
                         "` of `sys/kern/subr_vmem.c`");
  return absl::StrCat(
      "Against ", what, " (with `_KERNEL` defined: ",
      Thousands(static_cast<int>(upstream.line_hashes.size())), " lines, ",
      upstream_functions, " functions) the port ",
      result.Clean() ? "audits clean" : "does NOT audit clean", ": ", present,
      " of the ", upstream_functions, " upstream functions are present",
      result.out_of_order == 0 ? ", in upstream order" : ", some out of order",
      ", ", result.Count(Status::kSame), " of them unchanged, and ",
      result.Count(Status::kOursOnly), " functions of our own are in it; ",
      Thousands(result.DifferingLines()), " lines differ (",
      Thousands(result.deleted_lines), " of upstream's, ",
      Thousands(result.inserted_lines), " of ours) in ", result.hunks.size(),
      " hunks, ", result.untagged_hunks, " of them untagged; ",
      result.tagged_lines, " tags cite the ", result.registry_entries,
      " entries of `kern/PORTING.md`, ",
      result.registry_findings.size() + result.tag_findings.size(),
      " mismatches.");
}

void PrintHunk(const UpstreamFile &upstream, const SourceFile &ours,
               const HunkReport &hr, std::ostream &out) {
  const Hunk &h = hr.hunk;
  out << absl::StrFormat(
      "@@ upstream L%d ours L%d @@ %s %s\n", h.a_begin + 1, h.b_begin + 1,
      hr.where.empty() ? "(file scope)" : hr.where, TagsOf(hr));
  auto ours_line = [&ours](int i) {
    return std::string(absl::StripTrailingAsciiWhitespace(ours.lines[i].raw));
  };
  for (int i = std::max(0, h.b_begin - kContext); i < h.b_begin; ++i) {
    out << "  " << ours_line(i) << "\n";
  }
  for (int i = h.a_begin; i < h.a_end; ++i) {
    if (upstream.text.empty()) {
      out << "- (upstream line " << i + 1 << ")\n";
    } else {
      out << "- " << absl::StripTrailingAsciiWhitespace(upstream.text[i])
          << "\n";
    }
  }
  for (int i = h.b_begin; i < h.b_end; ++i) out << "+ " << ours_line(i) << "\n";
  const int end =
      std::min(static_cast<int>(ours.lines.size()), h.b_end + kContext);
  for (int i = h.b_end; i < end; ++i) out << "  " << ours_line(i) << "\n";
}

void PrintReport(const UpstreamFile &upstream, const SourceFile &ours,
                 const AuditResult &result, bool with_diff, std::ostream &out) {
  out << absl::StrFormat("upstream: %s (%d lines, %d functions)\n",
                         upstream.label, upstream.line_hashes.size(),
                         upstream.functions.size());
  out << absl::StrFormat("ours:     %s (%d lines, %d functions)\n", ours.path,
                         ours.lines.size(), ours.functions.size());
  for (const FunctionReport &r : result.functions) {
    out << absl::StrFormat("%-10s  %-24s  %s\n", StatusName(r.status), r.name,
                           Where(r));
    if (r.out_of_order) {
      out << absl::StrFormat(
          "%-10s  %-24s  upstream puts it %s\n", "ORDER", r.name,
          r.order_after.empty() ? "first"
                                : absl::StrCat("after ", r.order_after));
    }
  }
  int file_scope = 0;
  for (const HunkReport &hr : result.hunks) file_scope += hr.where.empty();
  out << absl::StrFormat("%-10s  %-24s  (%d hunks)\n", "file scope", "",
                         file_scope);
  for (const HunkReport &hr : result.hunks) {
    if (with_diff || (!hr.tagged && !hr.blank))
      PrintHunk(upstream, ours, hr, out);
  }
  for (const Finding &f : result.tag_findings) {
    out << absl::StrFormat("TAG         %s:%d: %s\n", f.file, f.line, f.what);
  }
  for (const Finding &f : result.registry_findings) {
    out << absl::StrFormat("REGISTRY    %s:%d: %s\n", f.file, f.line, f.what);
  }
  out << Summary(result) << "\n";
}

}  // namespace vmem_audit
