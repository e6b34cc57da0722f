#include "tools/audit/audit.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vmem_audit {

namespace {

// Indices (into seq) of a longest strictly increasing subsequence.
std::vector<int> LongestIncreasing(const std::vector<int> &seq) {
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

// The function a hunk is in: the first upstream function one of its
// deleted lines lies in; for a pure insertion, the upstream function it is
// inserted inside of; failing those, the function of ours one of its
// inserted lines lies in; "" at file scope.
std::string WhereIs(const UpstreamFile &upstream, const SourceFile &ours,
                    const Hunk &h) {
  for (const FunctionSpan &f : upstream.functions) {
    const int first = f.first_line - 1;
    const int last = f.last_line - 1;
    if (h.a_begin < h.a_end) {
      if (h.a_begin <= last && h.a_end - 1 >= first) return f.name;
    } else if (first <= h.a_begin - 1 && h.a_begin <= last) {
      return f.name;
    }
  }
  for (const Function &f : ours.functions) {
    if (h.b_begin < h.b_end && h.b_begin <= f.last_line &&
        h.b_end - 1 >= f.first_line) {
      return f.name;
    }
  }
  return "";
}

}  // namespace

SourceFile ParseSource(std::string path, absl::string_view text) {
  SourceFile f;
  f.path = std::move(path);
  f.lines = ScanSource(text);
  f.functions = ExtractFunctions(f.lines);
  return f;
}

UpstreamFile UpstreamFromText(std::string label,
                              const std::vector<std::string> &lines) {
  const Fingerprint fp = MakeFingerprint("", "", lines);
  UpstreamFile u = UpstreamFromFingerprint(std::move(label), fp);
  u.text = lines;
  return u;
}

UpstreamFile UpstreamFromFingerprint(std::string label, const Fingerprint &fp) {
  UpstreamFile u;
  u.label = std::move(label);
  u.commit = fp.commit;
  u.line_hashes = fp.line_hashes;
  u.functions = fp.functions;
  return u;
}

absl::string_view StatusName(Status s) {
  switch (s) {
    case Status::kSame:
      return "same";
    case Status::kPort:
      return "port";
    case Status::kUntagged:
      return "UNTAGGED";
    case Status::kMissing:
      return "MISSING";
    case Status::kOursOnly:
      return "OURS-ONLY";
  }
  return "?";
}

bool AuditResult::Clean() const {
  return untagged_hunks == 0 && Count(Status::kUntagged) == 0 &&
         Count(Status::kMissing) == 0 && Count(Status::kOursOnly) == 0 &&
         out_of_order == 0 && registry_checked && tag_findings.empty() &&
         registry_findings.empty();
}

bool HunkTagged(const SourceFile &ours, const Hunk &hunk) {
  for (int i = hunk.b_begin; i < hunk.b_end; ++i) {
    if (ours.lines[i].Tagged()) return true;
  }
  return false;
}

AuditResult Audit(const UpstreamFile &upstream, const SourceFile &ours,
                  const Registry *registry, const std::string &registry_path) {
  AuditResult result;

  // The diff of the whole file, lines compared without whitespace.
  std::vector<uint64_t> ours_hashes;
  for (const SourceLine &l : ours.lines) ours_hashes.push_back(LineHash(l.raw));
  const uint64_t blank = LineHash("");
  for (const Hunk &h : HunksOf(DiffLines(upstream.line_hashes, ours_hashes))) {
    HunkReport hr;
    hr.hunk = h;
    hr.where = WhereIs(upstream, ours, h);
    hr.blank = true;
    for (int i = h.a_begin; i < h.a_end; ++i) {
      hr.blank = hr.blank && upstream.line_hashes[i] == blank;
    }
    for (int i = h.b_begin; i < h.b_end; ++i) {
      hr.blank = hr.blank && ours_hashes[i] == blank;
      const std::vector<int> &refs = ours.lines[i].port_refs;
      hr.refs.insert(hr.refs.end(), refs.begin(), refs.end());
    }
    std::sort(hr.refs.begin(), hr.refs.end());
    hr.refs.erase(std::unique(hr.refs.begin(), hr.refs.end()), hr.refs.end());
    hr.tagged = HunkTagged(ours, h);
    if (!hr.tagged && !hr.blank) ++result.untagged_hunks;
    result.deleted_lines += h.a_end - h.a_begin;
    result.inserted_lines += h.b_end - h.b_begin;
    result.hunks.push_back(std::move(hr));
  }

  // Functions: upstream's, found by name, with their hunks and order.
  std::map<std::string, const Function *> ours_by_name;
  for (const Function &f : ours.functions) ours_by_name[f.name] = &f;
  std::map<std::string, int> upstream_index;
  for (const FunctionSpan &up : upstream.functions) {
    upstream_index[up.name] = static_cast<int>(result.functions.size());
    FunctionReport r;
    r.name = up.name;
    r.upstream = &up;
    auto it = ours_by_name.find(up.name);
    r.ours = it != ours_by_name.end() ? it->second : nullptr;
    result.functions.push_back(std::move(r));
  }
  for (size_t i = 0; i < result.hunks.size(); ++i) {
    auto it = upstream_index.find(result.hunks[i].where);
    if (it != upstream_index.end()) {
      result.functions[it->second].hunks.push_back(static_cast<int>(i));
    }
  }
  for (FunctionReport &r : result.functions) {
    if (r.ours == nullptr) {
      r.status = Status::kMissing;
      continue;
    }
    for (int i : r.hunks) {
      const HunkReport &hr = result.hunks[i];
      if (!hr.tagged && !hr.blank) {
        r.status = Status::kUntagged;
      } else if (!hr.blank && r.status == Status::kSame) {
        r.status = Status::kPort;
      }
    }
  }
  // Order: our functions, as upstream positions, should increase; those
  // off a longest increasing run are out of order.
  std::vector<int> positions;
  for (const Function &f : ours.functions) {
    auto it = upstream_index.find(f.name);
    if (it != upstream_index.end()) positions.push_back(it->second);
  }
  std::vector<bool> in_order(positions.size(), false);
  for (int i : LongestIncreasing(positions)) in_order[i] = true;
  for (size_t i = 0; i < positions.size(); ++i) {
    if (in_order[i]) continue;
    FunctionReport &r = result.functions[positions[i]];
    r.out_of_order = true;
    r.order_after =
        positions[i] > 0 ? result.functions[positions[i] - 1].name : "";
    ++result.out_of_order;
  }
  for (const Function &f : ours.functions) {
    if (upstream_index.count(f.name) != 0) continue;
    FunctionReport r;
    r.name = f.name;
    r.status = Status::kOursOnly;
    r.ours = &f;
    result.functions.push_back(std::move(r));
  }
  for (const FunctionReport &r : result.functions) {
    ++result.counts[static_cast<int>(r.status)];
  }

  // Tags against the registry, both ways.
  std::set<int> cited;
  for (size_t i = 0; i < ours.lines.size(); ++i) {
    const SourceLine &l = ours.lines[i];
    const int lineno = static_cast<int>(i) + 1;
    if (l.Tagged()) ++result.tagged_lines;
    for (const std::string &bad : l.malformed_tags) {
      result.tag_findings.push_back(
          {ours.path, lineno,
           absl::StrCat("\"", bad, "...\" is not a tag: write PORT(n)")});
    }
    for (int n : l.port_refs) {
      cited.insert(n);
      if (registry != nullptr && registry->Find(n) == nullptr) {
        result.tag_findings.push_back(
            {ours.path, lineno,
             absl::StrCat("PORT(", n, ") cites no entry of the registry")});
      }
    }
  }
  if (registry != nullptr) {
    result.registry_checked = true;
    result.registry_entries = static_cast<int>(registry->entries.size());
    for (const RegistryError &e : registry->errors) {
      result.registry_findings.push_back({registry_path, e.line, e.what});
    }
    for (const RegistryEntry &e : registry->entries) {
      if (cited.count(e.number) == 0) {
        result.registry_findings.push_back(
            {registry_path, e.line,
             absl::StrCat("entry ", e.number, " is cited by no tag in ",
                          ours.path)});
      }
    }
  }
  return result;
}

}  // namespace vmem_audit
