#include "tools/audit/line_diff.h"

#include <cstddef>

namespace vmem_audit {

std::vector<Edit> DiffLines(const std::vector<std::string>& a,
                            const std::vector<std::string>& b) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  // Cost of an edit script: every deleted or inserted line weighs more
  // than all hunks together can, so the script is a minimal one (a longest
  // common subsequence kept), and among those it has the fewest hunks.
  // That stops a lone "}" from being matched to the wrong closing brace
  // and splitting one change into several hunks.
  const long long kEditWeight = static_cast<long long>(n) + m + 1;
  // cost[c][i][j]: cheapest script for a[i..] -> b[j..] when the previous
  // step was a change (c = 1) or a kept line / the start (c = 0).
  std::vector<std::vector<std::vector<long long>>> cost(
      2, std::vector<std::vector<long long>>(
             n + 1, std::vector<long long>(m + 1, 0)));
  for (int i = n; i >= 0; --i) {
    for (int j = m; j >= 0; --j) {
      if (i == n && j == m) continue;
      for (int c = 0; c < 2; ++c) {
        const long long change = kEditWeight + (c == 0 ? 1 : 0);
        long long best = -1;
        if (i < n && j < m && a[i] == b[j]) best = cost[0][i + 1][j + 1];
        if (i < n) {
          const long long del = change + cost[1][i + 1][j];
          if (best < 0 || del < best) best = del;
        }
        if (j < m) {
          const long long ins = change + cost[1][i][j + 1];
          if (best < 0 || ins < best) best = ins;
        }
        cost[c][i][j] = best;
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
    const long long here = cost[c][i][j];
    const long long change = kEditWeight + (c == 0 ? 1 : 0);
    if (i < n && j < m && a[i] == b[j] && cost[0][i + 1][j + 1] == here) {
      out.push_back({EditOp::kKeep, i++, j++});
      c = 0;
    } else if (i < n && change + cost[1][i + 1][j] == here) {
      out.push_back({EditOp::kDelete, i++, -1});
      c = 1;
    } else {
      out.push_back({EditOp::kInsert, -1, j++});
      c = 1;
    }
  }
  return out;
}

std::vector<Hunk> HunksOf(const std::vector<Edit>& edits) {
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
