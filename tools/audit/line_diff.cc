#include "tools/audit/line_diff.h"

#include <cstddef>
#include <map>

namespace vmem_audit {

std::vector<Edit> DiffLines(const std::vector<uint64_t> &a,
                            const std::vector<uint64_t> &b) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  // Cost of an edit script: every deleted or inserted line weighs more
  // than all hunks together can, so the script is a minimal one (a longest
  // common subsequence kept), and among those it has the fewest hunks.
  // That stops a lone "}" from being matched to the wrong closing brace
  // and splitting one change into several hunks. The largest cost,
  // (n + m) * (n + m + 2), fits 32 bits for files of up to 20,000 lines.
  const int64_t kEditWeight = static_cast<int64_t>(n) + m + 1;
  using Cost = int32_t;
  // cost[(c * (n + 1) + i) * (m + 1) + j]: cheapest script for a[i..] ->
  // b[j..] when the previous step was a change (c = 1) or a kept line or
  // the start (c = 0).
  const size_t plane = static_cast<size_t>(n + 1) * (m + 1);
  std::vector<Cost> cost(2 * plane, 0);
  auto at = [&](int c, int i, int j) -> Cost & {
    return cost[c * plane + static_cast<size_t>(i) * (m + 1) + j];
  };
  for (int i = n; i >= 0; --i) {
    for (int j = m; j >= 0; --j) {
      if (i == n && j == m) continue;
      const bool same = i < n && j < m && a[i] == b[j];
      for (int c = 0; c < 2; ++c) {
        const int64_t change = kEditWeight + (c == 0 ? 1 : 0);
        int64_t best = -1;
        if (same) best = at(0, i + 1, j + 1);
        if (i < n) {
          const int64_t del = change + at(1, i + 1, j);
          if (best < 0 || del < best) best = del;
        }
        if (j < m) {
          const int64_t ins = change + at(1, i, j + 1);
          if (best < 0 || ins < best) best = ins;
        }
        at(c, i, j) = static_cast<Cost>(best);
      }
    }
  }
  // Walk the cheapest path; on ties keep, then delete, then insert (so a
  // hunk lists its deletions first).
  std::vector<Edit> out;
  out.reserve(static_cast<size_t>(n + m));
  int i = 0;
  int j = 0;
  int c = 0;
  while (i < n || j < m) {
    const int64_t here = at(c, i, j);
    const int64_t change = kEditWeight + (c == 0 ? 1 : 0);
    if (i < n && j < m && a[i] == b[j] && at(0, i + 1, j + 1) == here) {
      out.push_back({EditOp::kKeep, i++, j++});
      c = 0;
    } else if (i < n && change + at(1, i + 1, j) == here) {
      out.push_back({EditOp::kDelete, i++, -1});
      c = 1;
    } else {
      out.push_back({EditOp::kInsert, -1, j++});
      c = 1;
    }
  }
  return out;
}

std::vector<Edit> DiffLines(const std::vector<std::string> &a,
                            const std::vector<std::string> &b) {
  // Equal strings get equal keys, different ones different keys.
  std::map<std::string, uint64_t> ids;
  auto keys = [&ids](const std::vector<std::string> &lines) {
    std::vector<uint64_t> out;
    for (const std::string &s : lines) {
      out.push_back(ids.emplace(s, ids.size()).first->second);
    }
    return out;
  };
  const std::vector<uint64_t> ka = keys(a);
  const std::vector<uint64_t> kb = keys(b);
  return DiffLines(ka, kb);
}

std::vector<Hunk> HunksOf(const std::vector<Edit> &edits) {
  std::vector<Hunk> hunks;
  int a_pos = 0;  // next line of a
  int b_pos = 0;  // next line of b
  size_t k = 0;
  while (k < edits.size()) {
    if (edits[k].op == EditOp::kKeep) {
      a_pos = edits[k].a_index + 1;
      b_pos = edits[k].b_index + 1;
      ++k;
      continue;
    }
    Hunk h;
    h.a_begin = h.a_end = a_pos;
    h.b_begin = h.b_end = b_pos;
    while (k < edits.size() && edits[k].op != EditOp::kKeep) {
      if (edits[k].op == EditOp::kDelete) {
        h.a_end = ++a_pos;
      } else {
        h.b_end = ++b_pos;
      }
      ++k;
    }
    hunks.push_back(h);
  }
  return hunks;
}

}  // namespace vmem_audit
