// A line diff (longest common subsequence) and its change hunks.

#ifndef TOOLS_AUDIT_LINE_DIFF_H_
#define TOOLS_AUDIT_LINE_DIFF_H_

#include <cstdint>
#include <string>
#include <vector>

namespace vmem_audit {

enum class EditOp { kKeep, kDelete, kInsert };

// One step of the script turning a into b. a_index is set for kKeep and
// kDelete, b_index for kKeep and kInsert; the other is -1.
struct Edit {
  EditOp op;
  int a_index;
  int b_index;
};

// A maximal run of deleted and/or inserted lines: a[a_begin, a_end) was
// replaced by b[b_begin, b_end). For a pure deletion b_begin == b_end is
// the position in b where the lines went; likewise for a pure insertion.
struct Hunk {
  int a_begin = 0;
  int a_end = 0;
  int b_begin = 0;
  int b_end = 0;

  bool PureDeletion() const { return b_begin == b_end; }
  bool PureInsertion() const { return a_begin == a_end; }
};

// A minimal edit script from a to b (a longest common subsequence is kept)
// and, among the minimal ones, one with the fewest hunks. O(n*m) time and
// space (8 bytes a cell: 30 MB for two files of 2,000 lines). Within a
// hunk, deletions come before insertions. Lines are compared as keys
// (hashes of lines) or as strings.
std::vector<Edit> DiffLines(const std::vector<uint64_t> &a,
                            const std::vector<uint64_t> &b);
std::vector<Edit> DiffLines(const std::vector<std::string> &a,
                            const std::vector<std::string> &b);

// The change hunks of an edit script, in order.
std::vector<Hunk> HunksOf(const std::vector<Edit> &edits);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_LINE_DIFF_H_
