#include "tools/audit/line_diff.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmem_audit {
namespace {

using Lines = std::vector<std::string>;

// Applies an edit script to a, taking inserted lines from b.
Lines Apply(const Lines &a, const Lines &b, const std::vector<Edit> &edits) {
  Lines out;
  int next_a = 0;
  for (const Edit &e : edits) {
    switch (e.op) {
      case EditOp::kKeep:
        EXPECT_EQ(e.a_index, next_a);
        EXPECT_EQ(a[e.a_index], b[e.b_index]);
        out.push_back(a[next_a++]);
        break;
      case EditOp::kDelete:
        EXPECT_EQ(e.a_index, next_a);
        ++next_a;
        break;
      case EditOp::kInsert:
        out.push_back(b[e.b_index]);
        break;
    }
  }
  EXPECT_EQ(next_a, static_cast<int>(a.size()));
  return out;
}

int Kept(const std::vector<Edit> &edits) {
  int n = 0;
  for (const Edit &e : edits) n += e.op == EditOp::kKeep;
  return n;
}

TEST(DiffLinesTest, Identical) {
  const Lines a = {"a", "b", "c"};
  const std::vector<Edit> edits = DiffLines(a, a);
  EXPECT_EQ(Kept(edits), 3);
  EXPECT_TRUE(HunksOf(edits).empty());
}

TEST(DiffLinesTest, EmptySides) {
  const Lines a = {"a", "b"};
  EXPECT_TRUE(DiffLines(Lines{}, Lines{}).empty());
  std::vector<Hunk> hunks = HunksOf(DiffLines(a, Lines{}));
  ASSERT_EQ(hunks.size(), 1u);
  EXPECT_TRUE(hunks[0].PureDeletion());
  EXPECT_EQ(hunks[0].a_begin, 0);
  EXPECT_EQ(hunks[0].a_end, 2);
  hunks = HunksOf(DiffLines(Lines{}, a));
  ASSERT_EQ(hunks.size(), 1u);
  EXPECT_TRUE(hunks[0].PureInsertion());
  EXPECT_EQ(hunks[0].b_end, 2);
}

TEST(DiffLinesTest, ReplaceInsertDelete) {
  const Lines a = {"a", "b", "c", "d", "e"};
  const Lines b = {"a", "B", "c", "e", "f"};
  const std::vector<Edit> edits = DiffLines(a, b);
  EXPECT_EQ(Apply(a, b, edits), b);
  EXPECT_EQ(Kept(edits), 3);
  const std::vector<Hunk> hunks = HunksOf(edits);
  ASSERT_EQ(hunks.size(), 3u);
  // b -> B
  EXPECT_EQ(hunks[0].a_begin, 1);
  EXPECT_EQ(hunks[0].a_end, 2);
  EXPECT_EQ(hunks[0].b_begin, 1);
  EXPECT_EQ(hunks[0].b_end, 2);
  // d deleted, before b's "e" (index 3)
  EXPECT_TRUE(hunks[1].PureDeletion());
  EXPECT_EQ(hunks[1].a_begin, 3);
  EXPECT_EQ(hunks[1].b_begin, 3);
  // f appended
  EXPECT_TRUE(hunks[2].PureInsertion());
  EXPECT_EQ(hunks[2].a_begin, 5);
  EXPECT_EQ(hunks[2].b_begin, 4);
}

TEST(DiffLinesTest, DeletionsComeFirstInAHunk) {
  const Lines a = {"x", "old", "y"};
  const Lines b = {"x", "new1", "new2", "y"};
  const std::vector<Edit> edits = DiffLines(a, b);
  ASSERT_EQ(edits.size(), 5u);
  EXPECT_EQ(edits[1].op, EditOp::kDelete);
  EXPECT_EQ(edits[2].op, EditOp::kInsert);
  EXPECT_EQ(edits[3].op, EditOp::kInsert);
}

// Wrapping a block in a lock: the lone "}" of upstream must pair with the
// function's closing brace, giving one hunk per side of the block rather
// than a stray hunk in the middle.
TEST(DiffLinesTest, PrefersFewestHunks) {
  const Lines a = {"{", "for (;;)", "f();", "}"};
  const Lines b = {"{",    "lock();", "for (;;) {", "f();",
                   "g();", "}",       "unlock();",  "}"};
  const std::vector<Edit> edits = DiffLines(a, b);
  EXPECT_EQ(Apply(a, b, edits), b);
  EXPECT_EQ(Kept(edits), 3);
  EXPECT_EQ(HunksOf(edits).size(), 2u);
}

TEST(DiffLinesTest, MinimalOnLargerInput) {
  Lines a;
  Lines b;
  for (int i = 0; i < 200; ++i) {
    a.push_back("line " + std::to_string(i));
    if (i % 7 == 0)
      b.push_back("changed " + std::to_string(i));
    else if (i % 11 != 0)
      b.push_back("line " + std::to_string(i));
  }
  const std::vector<Edit> edits = DiffLines(a, b);
  EXPECT_EQ(Apply(a, b, edits), b);
  int expected_kept = 0;
  for (int i = 0; i < 200; ++i) expected_kept += i % 7 != 0 && i % 11 != 0;
  EXPECT_EQ(Kept(edits), expected_kept);
}

}  // namespace
}  // namespace vmem_audit
