#include "tools/audit/audit.h"

#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/audit/audit_test_util.h"
#include "tools/audit/fingerprint.h"
#include "tools/audit/report.h"

namespace vmem_audit {
namespace {

using testing::AuditRun;
using ::testing::HasSubstr;
using testing::Lines;
using ::testing::Not;
using testing::RegistryOf;
using testing::RunAudit;

// A small upstream-like file: file scope, comments and three functions in
// style(9).
const std::string &Upstream() {
  static const std::string *const text = new std::string(Lines({
      "/* A synthetic widget allocator. */",       // 1
      "#include <sys/widget.h>",                   // 2
      "",                                          // 3
      "#define\tWIDGET_MAX\t4",                    // 4
      "",                                          // 5
      "static int",                                // 6
      "widget_size(struct widget *w)",             // 7
      "{",                                         // 8
      "\t/* Size in units. */",                    // 9
      "\treturn (w->w_size);",                     // 10
      "}",                                         // 11
      "",                                          // 12
      "static void",                               // 13
      "widget_free(struct widget *w, int flags)",  // 14
      "{",                                         // 15
      "\tint n;",                                  // 16
      "",                                          // 17
      "\tn = widget_size(w);",                     // 18
      "\tMPASS(n > 0);",                           // 19
      "\tw->w_size = 0;",                          // 20
      "\twidget_release(w, n);",                   // 21
      "}",                                         // 22
      "",                                          // 23
      "int",                                       // 24
      "widget_alloc(struct widget *w, int size)",  // 25
      "{",                                         // 26
      "\tw = malloc(size);",                       // 27
      "\tif (w == NULL)",                          // 28
      "\t\treturn (ENOMEM);",                      // 29
      "\treturn (0);",                             // 30
      "}",                                         // 31
  }));
  return *text;
}

// Upstream() with one line (1-based) replaced by several (none: deleted).
std::string Edited(int line, const std::vector<std::string> &with) {
  std::vector<std::string> lines = SplitLines(Upstream());
  lines.erase(lines.begin() + line - 1);
  lines.insert(lines.begin() + line - 1, with.begin(), with.end());
  return Lines(lines);
}

Status StatusOf(const AuditRun &run, const std::string &name) {
  const FunctionReport *r = run.Find(name);
  EXPECT_NE(r, nullptr) << name;
  return r != nullptr ? r->status : Status::kOursOnly;
}

std::string Report(const AuditRun &run, bool with_diff) {
  std::ostringstream out;
  PrintReport(run.upstream, run.ours, run.result, with_diff, out);
  return out.str();
}

TEST(AuditTest, IdenticalFilesAreClean) {
  auto run = RunAudit(Upstream(), Upstream());
  EXPECT_EQ(run->result.Count(Status::kSame), 3);
  EXPECT_TRUE(run->result.hunks.empty());
  EXPECT_EQ(run->result.DifferingLines(), 0);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, WhitespaceIsIgnoredAsByDiffW) {
  std::string ours = absl::StrReplaceAll(
      Upstream(), {{"\tint n;", "    int    n ;"}, {"(w, n)", "(w,n)"}});
  auto run = RunAudit(Upstream(), ours);
  EXPECT_TRUE(run->result.hunks.empty());
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kSame);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, BlankLinesCountButNeedNoTag) {
  auto run = RunAudit(Upstream(), Edited(17, {"", "", ""}));
  ASSERT_EQ(run->result.hunks.size(), 1u);
  EXPECT_TRUE(run->result.hunks[0].blank);
  EXPECT_FALSE(run->result.hunks[0].tagged);
  EXPECT_EQ(run->result.untagged_hunks, 0);
  EXPECT_EQ(run->result.DifferingLines(), 2);
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kSame);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, RewordedCommentIsAnUntaggedChange) {
  auto run = RunAudit(Upstream(), Edited(9, {"\t/* The size, in units. */"}));
  ASSERT_EQ(run->result.hunks.size(), 1u);
  EXPECT_FALSE(run->result.hunks[0].tagged);
  EXPECT_EQ(run->result.hunks[0].where, "widget_size");
  EXPECT_EQ(StatusOf(*run, "widget_size"), Status::kUntagged);
  EXPECT_EQ(run->result.untagged_hunks, 1);
  EXPECT_FALSE(run->result.Clean());
}

TEST(AuditTest, FileScopeChangesAreAudited) {
  auto run = RunAudit(Upstream(), Edited(4, {"#define\tWIDGET_MAX\t5"}));
  ASSERT_EQ(run->result.hunks.size(), 1u);
  EXPECT_EQ(run->result.hunks[0].where, "");
  EXPECT_FALSE(run->result.hunks[0].tagged);
  EXPECT_EQ(run->result.Count(Status::kSame), 3);
  EXPECT_FALSE(run->result.Clean());
  EXPECT_THAT(Report(*run, false), HasSubstr("(file scope) !! untagged"));
}

TEST(AuditTest, TaggedFileScopeChange) {
  auto run = RunAudit(Upstream(),
                      Edited(4, {"#define\tWIDGET_MAX\t8\t/* PORT(1) */"}));
  ASSERT_EQ(run->result.hunks.size(), 1u);
  EXPECT_TRUE(run->result.hunks[0].tagged);
  EXPECT_EQ(run->result.hunks[0].refs, std::vector<int>{1});
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, TaggedByTrailingComment) {
  auto run =
      RunAudit(Upstream(),
               Edited(19, {"\tKASSERT(n > 0, (\"empty\"));\t/* PORT(1) */"}));
  const FunctionReport *r = run->Find("widget_free");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, Status::kPort);
  ASSERT_EQ(r->hunks.size(), 1u);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, TaggedByCommentLineInTheHunk) {
  auto run =
      RunAudit(Upstream(), Edited(19, {
                                          "\t/*",
                                          "\t * PORT(1): the panic says more.",
                                          "\t */",
                                          "\tKASSERT(n > 0, (\"empty\"));",
                                      }));
  ASSERT_EQ(run->result.hunks.size(), 1u);
  EXPECT_TRUE(run->result.hunks[0].tagged);
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kPort);
}

TEST(AuditTest, SeveralEntriesInOneTag) {
  auto run = RunAudit(
      Upstream(), Edited(19, {"\tKASSERT(n > 0, (\"e\"));\t/* PORT(2, 1) */"}));
  ASSERT_EQ(run->result.hunks.size(), 1u);
  EXPECT_EQ(run->result.hunks[0].refs, (std::vector<int>{1, 2}));
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, OneTagDoesNotCoverAnotherHunk) {
  // Two changes parted by one unchanged line: two hunks.
  std::vector<std::string> lines = SplitLines(Upstream());
  lines[17] = "\tn = widget_size(w) * 2;\t/* PORT(1) */";
  lines[19] = "\tw->w_size = 1;";
  auto run = RunAudit(Upstream(), Lines(lines));
  ASSERT_EQ(run->result.hunks.size(), 2u);
  EXPECT_TRUE(run->result.hunks[0].tagged);
  EXPECT_FALSE(run->result.hunks[1].tagged);
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kUntagged);
  EXPECT_FALSE(run->result.Clean());
}

TEST(AuditTest, TagOnAnUnchangedNeighbourDoesNotCover) {
  // The tag comment is a hunk of its own, above an unchanged line.
  std::vector<std::string> lines = SplitLines(Upstream());
  lines.insert(lines.begin() + 17, "\t/* PORT(1): see below. */");
  lines[20] = "\tw->w_size = 1;";
  auto run = RunAudit(Upstream(), Lines(lines));
  ASSERT_EQ(run->result.hunks.size(), 2u);
  EXPECT_TRUE(run->result.hunks[0].tagged);
  EXPECT_FALSE(run->result.hunks[1].tagged);
}

TEST(AuditTest, PureDeletionCannotBeTagged) {
  auto run = RunAudit(Upstream(), Edited(19, {}));
  ASSERT_EQ(run->result.hunks.size(), 1u);
  EXPECT_TRUE(run->result.hunks[0].hunk.PureDeletion());
  EXPECT_FALSE(run->result.hunks[0].tagged);
  // A tagged line left in its place tags it.
  auto tagged = RunAudit(Upstream(), Edited(19, {"\t/* PORT(1): no MPASS */"}));
  ASSERT_EQ(tagged->result.hunks.size(), 1u);
  EXPECT_TRUE(tagged->result.hunks[0].tagged);
  EXPECT_TRUE(tagged->result.Clean());
}

TEST(AuditTest, OldStyleTagIsMalformed) {
  auto run = RunAudit(Upstream(),
                      Edited(19, {"\tKASSERT(n > 0, (\"e\"));\t/* PORT: */"}));
  EXPECT_EQ(run->result.untagged_hunks, 1);
  ASSERT_EQ(run->result.tag_findings.size(), 1u);
  EXPECT_EQ(run->result.tag_findings[0].line, 19);
  EXPECT_THAT(run->result.tag_findings[0].what, HasSubstr("not a tag"));
  EXPECT_FALSE(run->result.Clean());
}

TEST(AuditTest, TagCitingNoEntry) {
  const std::string registry = RegistryOf(1);
  auto run = RunAudit(
      Upstream(), Edited(19, {"\tKASSERT(n > 0, (\"e\"));\t/* PORT(1, 7) */"}),
      &registry);
  ASSERT_EQ(run->result.tag_findings.size(), 1u);
  EXPECT_THAT(run->result.tag_findings[0].what,
              HasSubstr("PORT(7) cites no entry"));
  EXPECT_FALSE(run->result.Clean());
  EXPECT_THAT(Report(*run, false),
              HasSubstr("TAG         ours.cc:19: PORT(7)"));
}

TEST(AuditTest, EntryCitedByNoTag) {
  const std::string registry = RegistryOf(2);
  auto run = RunAudit(Upstream(),
                      Edited(19, {"\tKASSERT(n > 0, (\"e\"));\t/* PORT(1) */"}),
                      &registry);
  ASSERT_EQ(run->result.registry_findings.size(), 1u);
  EXPECT_THAT(run->result.registry_findings[0].what,
              HasSubstr("entry 2 is cited by no tag"));
  EXPECT_FALSE(run->result.Clean());
}

TEST(AuditTest, NoRegistryIsNeverClean) {
  auto run = RunAudit(Upstream(), Upstream());
  AuditResult r = Audit(run->upstream, run->ours, nullptr);
  EXPECT_FALSE(r.registry_checked);
  EXPECT_FALSE(r.Clean());
}

TEST(AuditTest, MissingAndOursOnlyFunctions) {
  // widget_free replaced by a function of our own.
  std::vector<std::string> lines = SplitLines(Upstream());
  lines.erase(lines.begin() + 12, lines.begin() + 22);
  lines.insert(lines.begin() + 12, {"/* PORT(1): ours. */", "int",
                                    "widget_verify(struct widget *w)", "{",
                                    "\treturn (w != NULL);", "}"});
  auto run = RunAudit(Upstream(), Lines(lines));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kMissing);
  EXPECT_EQ(StatusOf(*run, "widget_verify"), Status::kOursOnly);
  EXPECT_EQ(run->result.Count(Status::kMissing), 1);
  EXPECT_EQ(run->result.Count(Status::kOursOnly), 1);
  EXPECT_FALSE(run->result.Clean());
  EXPECT_THAT(Report(*run, false), HasSubstr("OURS-ONLY   widget_verify"));
}

TEST(AuditTest, OrderSwap) {
  // widget_alloc moved before widget_free.
  std::vector<std::string> lines = SplitLines(Upstream());
  std::vector<std::string> alloc(lines.begin() + 23, lines.end());
  lines.erase(lines.begin() + 22, lines.end());
  alloc.push_back("");
  lines.insert(lines.begin() + 12, alloc.begin(), alloc.end());
  auto run = RunAudit(Upstream(), Lines(lines));
  EXPECT_EQ(run->result.out_of_order, 1);
  int flagged = 0;
  for (const FunctionReport &r : run->result.functions)
    flagged += r.out_of_order;
  EXPECT_EQ(flagged, 1);
  EXPECT_FALSE(run->result.Clean());
  EXPECT_THAT(Report(*run, false), HasSubstr("1 ORDER"));
}

TEST(AuditTest, DdbCommandsArePaired) {
  const std::string upstream = Lines({
      "DB_SHOW_COMMAND(widget, widget_show)",
      "{",
      "\tdb_printf(\"widget %p\\n\", (void *)addr);",
      "}",
      "",
      "DB_SHOW_ALL_COMMAND(widgets, widget_showall)",
      "{",
      "\tLIST_FOREACH(w, &widgets, w_link)",
      "\t\twidget_show((db_expr_t)w, 1, 0, NULL);",
      "}",
  });
  const std::string ours = Lines({
      "DB_SHOW_COMMAND(widget, widget_show)",
      "{",
      "\tdb_printf(\"widget %p\\n\", (void *)addr);",
      "}",
      "",
      "DB_SHOW_ALL_COMMAND(widgets, widget_showall)",
      "{",
      "\tmtx_lock(&widgets_lock);\t/* PORT(1): other threads. */",
      "\tLIST_FOREACH(w, &widgets, w_link)",
      "\t\twidget_show((db_expr_t)w, 1, 0, NULL);",
      "\tmtx_unlock(&widgets_lock);\t/* PORT(1) */",
      "}",
  });
  auto run = RunAudit(upstream, ours);
  EXPECT_EQ(StatusOf(*run, "widget_show"), Status::kSame);
  EXPECT_EQ(StatusOf(*run, "widget_showall"), Status::kPort);
  EXPECT_EQ(run->result.hunks.size(), 2u);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, FiguresCountLinesAsDiffDoes) {
  // One line changed (1 + 1), two inserted, one deleted.
  std::vector<std::string> lines = SplitLines(Upstream());
  lines[26] = "\t/* PORT(1): no malloc */";  // was "\tw = malloc(size);"
  lines.insert(lines.begin() + 21, {"\t/* PORT(1) */", "\twidget_log(w);"});
  lines[9] = "\treturn (w->w_size + 1);\t/* PORT(1) */";
  auto run = RunAudit(Upstream(), Lines(lines));
  EXPECT_EQ(run->result.deleted_lines, 2);
  EXPECT_EQ(run->result.inserted_lines, 4);
  EXPECT_EQ(run->result.DifferingLines(), 6);
  EXPECT_EQ(run->result.hunks.size(), 3u);
  EXPECT_EQ(run->result.tagged_lines, 3);
  EXPECT_TRUE(run->result.Clean());
  EXPECT_THAT(Summary(run->result),
              HasSubstr("6 lines differ (2 upstream, 4 ours) in 3 hunks, "
                        "0 untagged"));
}

TEST(AuditTest, DiffShowsTextAndMarksHunks) {
  std::vector<std::string> lines = SplitLines(Upstream());
  lines[17] = "\tn = widget_size(w) * 2;\t/* PORT(1) */";
  lines[19] = "\tw->w_size = 1;";
  auto run = RunAudit(Upstream(), Lines(lines));
  const std::string s = Report(*run, true);
  EXPECT_THAT(s, HasSubstr("UNTAGGED    widget_free"));
  EXPECT_THAT(s,
              HasSubstr("@@ upstream L18 ours L18 @@ widget_free PORT(1)\n"));
  EXPECT_THAT(s, HasSubstr("- \tn = widget_size(w);\n"
                           "+ \tn = widget_size(w) * 2;\t/* PORT(1) */\n"));
  EXPECT_THAT(s, HasSubstr("@@ upstream L20 ours L20 @@ widget_free "
                           "!! untagged\n"));
  // Without the diff, only the untagged hunk is shown.
  const std::string brief = Report(*run, false);
  EXPECT_THAT(brief, Not(HasSubstr("PORT(1)\n")));
  EXPECT_THAT(brief, HasSubstr("!! untagged"));
}

TEST(AuditTest, FromTheFingerprintUpstreamLinesAreNumbers) {
  auto run = RunAudit(Upstream(), Edited(20, {"\tw->w_size = 1;"}));
  const Fingerprint fp =
      MakeFingerprint(std::string(40, 'a'), "w.c", SplitLines(Upstream()));
  const UpstreamFile from_fp = UpstreamFromFingerprint("fp", fp);
  EXPECT_EQ(from_fp.line_hashes, run->upstream.line_hashes);
  ASSERT_EQ(from_fp.functions.size(), run->upstream.functions.size());
  const AuditResult r = Audit(from_fp, run->ours, &run->registry);
  ASSERT_EQ(r.hunks.size(), 1u);
  std::ostringstream out;
  PrintHunk(from_fp, run->ours, r.hunks[0], out);
  EXPECT_THAT(out.str(), HasSubstr("- (upstream line 20)\n+ \tw->w_size = 1;"));
}

}  // namespace
}  // namespace vmem_audit
