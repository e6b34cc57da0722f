#include "tools/audit/audit.h"

#include <algorithm>
#include <map>
#include <utility>

namespace vmem_audit {

namespace {

// Whether PORT: is in the run of comment-only lines directly above line
// (no blank line in between).
bool TaggedAbove(const SourceFile& file, int line) {
  for (int i = line - 1; i >= 0 && file.lines[i].CommentOnly(); --i) {
    if (file.lines[i].port) return true;
  }
  return false;
}

bool TaggedAt(const SourceFile& file, int line) {
  return line >= 0 && line < static_cast<int>(file.lines.size()) &&
         file.lines[line].port;
}

// Indices (into seq) of a longest strictly increasing subsequence.
std::vector<int> LongestIncreasing(const std::vector<int>& seq) {
  const int n = static_cast<int>(seq.size());
  std::vector<int> len(n, 1);
  std::vector<int> prev(n, -1);
  int best = -1;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j) {
      if (seq[j] < seq[i] && len[j] + 1 > len[i]) {
        len[i] = len[j] + 1;
        prev[i] = j;
      }
    }
    if (best < 0 || len[i] > len[best]) best = i;
  }
  std::vector<int> out;
  for (int i = best; i >= 0; i = prev[i]) out.push_back(i);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

SourceFile ParseSource(std::string path, absl::string_view text) {
  SourceFile f;
  f.path = std::move(path);
  f.lines = ScanSource(text);
  f.functions = ExtractFunctions(f.lines);
  return f;
}

absl::string_view StatusName(Status s) {
  switch (s) {
    case Status::kSame:
      return "same";
    case Status::kWhitespace:
      return "whitespace";
    case Status::kPort:
      return "port";
    case Status::kUntagged:
      return "UNTAGGED";
    case Status::kMissing:
      return "MISSING";
    case Status::kOursOnly:
      return "ours-only";
  }
  return "?";
}

bool AuditResult::Clean() const {
  return Count(Status::kUntagged) == 0 && Count(Status::kMissing) == 0 &&
         out_of_order == 0;
}

CodeLines CodeLinesOf(const SourceFile& file, const Function& f) {
  CodeLines out;
  for (int i = f.first_line; i <= f.last_line; ++i) {
    const std::string& s = file.lines[i].normalized;
    if (s.empty()) continue;
    out.text.push_back(s);
    out.source_line.push_back(i);
  }
  return out;
}

bool HunkTagged(const SourceFile& ours, const CodeLines& ours_code,
                const Hunk& hunk) {
  const int n = static_cast<int>(ours_code.source_line.size());
  if (hunk.PureDeletion()) {
    const int before =
        hunk.b_begin > 0 ? ours_code.source_line[hunk.b_begin - 1] : -1;
    const int after = hunk.b_begin < n ? ours_code.source_line[hunk.b_begin]
                                       : -1;
    return TaggedAt(ours, before) || TaggedAt(ours, after) ||
           (after >= 0 && TaggedAbove(ours, after));
  }
  const int first = ours_code.source_line[hunk.b_begin];
  const int last = ours_code.source_line[hunk.b_end - 1];
  for (int i = first; i <= last; ++i) {
    if (ours.lines[i].port) return true;
  }
  return TaggedAbove(ours, first);
}

FunctionReport CompareFunctions(const SourceFile& upstream,
                                const Function& up, const SourceFile& ours,
                                const Function& our) {
  FunctionReport r;
  r.name = up.name;
  r.upstream = &up;
  r.ours = &our;
  r.upstream_code = CodeLinesOf(upstream, up);
  r.ours_code = CodeLinesOf(ours, our);

  bool raw_equal = up.last_line - up.first_line == our.last_line -
                                                       our.first_line;
  for (int i = 0; raw_equal && i <= up.last_line - up.first_line; ++i) {
    raw_equal = upstream.lines[up.first_line + i].raw ==
                ours.lines[our.first_line + i].raw;
  }
  if (raw_equal) {
    r.status = Status::kSame;
    return r;
  }
  if (r.upstream_code.text == r.ours_code.text) {
    r.status = Status::kWhitespace;
    return r;
  }
  r.edits = DiffLines(r.upstream_code.text, r.ours_code.text);
  r.status = Status::kPort;
  for (const Hunk& h : HunksOf(r.edits)) {
    HunkReport hr;
    hr.hunk = h;
    hr.tagged = HunkTagged(ours, r.ours_code, h);
    if (!hr.tagged) r.status = Status::kUntagged;
    r.hunks.push_back(hr);
  }
  return r;
}

AuditResult Audit(const SourceFile& upstream, const SourceFile& ours) {
  AuditResult result;
  std::map<std::string, const Function*> ours_by_name;
  for (const Function& f : ours.functions) ours_by_name[f.name] = &f;
  std::map<std::string, int> upstream_index;

  for (const Function& up : upstream.functions) {
    upstream_index[up.name] = static_cast<int>(result.functions.size());
    auto it = ours_by_name.find(up.name);
    if (it == ours_by_name.end()) {
      FunctionReport r;
      r.name = up.name;
      r.status = Status::kMissing;
      r.upstream = &up;
      r.upstream_code = CodeLinesOf(upstream, up);
      result.functions.push_back(std::move(r));
    } else {
      result.functions.push_back(
          CompareFunctions(upstream, up, ours, *it->second));
    }
  }

  // Order: our paired functions, as upstream positions, should increase.
  // Those off a longest increasing run are out of order.
  std::vector<int> positions;
  for (const Function& f : ours.functions) {
    auto it = upstream_index.find(f.name);
    if (it != upstream_index.end()) positions.push_back(it->second);
  }
  std::vector<bool> in_order(positions.size(), false);
  for (int i : LongestIncreasing(positions)) in_order[i] = true;
  for (size_t i = 0; i < positions.size(); ++i) {
    if (in_order[i]) continue;
    FunctionReport& r = result.functions[positions[i]];
    r.out_of_order = true;
    r.order_after =
        positions[i] > 0 ? result.functions[positions[i] - 1].name : "";
    ++result.out_of_order;
  }

  for (const Function& f : ours.functions) {
    if (upstream_index.count(f.name) != 0) continue;
    FunctionReport r;
    r.name = f.name;
    r.status = Status::kOursOnly;
    r.ours = &f;
    r.ours_code = CodeLinesOf(ours, f);
    result.functions.push_back(std::move(r));
  }
  for (const FunctionReport& r : result.functions) {
    ++result.counts[static_cast<int>(r.status)];
  }
  return result;
}

}  // namespace vmem_audit
