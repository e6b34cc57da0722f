#include "tools/audit/audit.h"

#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tools/audit/report.h"

namespace vmem_audit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::AuditRun;
using testing::Lines;
using testing::RunAudit;

// A small upstream-like file: three functions in style(9).
const std::string& Upstream() {
  static const std::string* const text = new std::string(Lines({
      "/* A synthetic widget allocator. */",
      "#include <sys/widget.h>",
      "",
      "static int",
      "widget_size(struct widget *w)",
      "{",
      "\t/* Size in units. */",
      "\treturn (w->w_size);",
      "}",
      "",
      "static void",
      "widget_free(struct widget *w, int flags)",
      "{",
      "\tint n;",
      "",
      "\tn = widget_size(w);",
      "\tMPASS(n > 0);",
      "\tw->w_size = 0;",
      "\twidget_release(w, n);",
      "}",
      "",
      "int",
      "widget_alloc(struct widget *w, int size)",
      "{",
      "\tw = malloc(size);",
      "\tif (w == NULL)",
      "\t\treturn (ENOMEM);",
      "\treturn (0);",
      "}",
  }));
  return *text;
}

// Ours: Upstream() with widget_free's body lines replaced.
std::string OursWithFreeBody(const std::vector<std::string>& body) {
  std::vector<std::string> lines = {
      "/* Our translation. */",
      "#include \"compat/widget.h\"",
      "",
      "static int",
      "widget_size(struct widget *w)",
      "{",
      "\t/* Size in units. */",
      "\treturn (w->w_size);",
      "}",
      "",
      "static void",
      "widget_free(struct widget *w, int flags)",
      "{",
  };
  lines.insert(lines.end(), body.begin(), body.end());
  for (const char* l : {"}", "", "int",
                        "widget_alloc(struct widget *w, int size)", "{",
                        "\tw = malloc(size);", "\tif (w == NULL)",
                        "\t\treturn (ENOMEM);", "\treturn (0);", "}"}) {
    lines.push_back(l);
  }
  return Lines(lines);
}

const std::vector<std::string> kUpstreamFreeBody = {
    "\tint n;",
    "",
    "\tn = widget_size(w);",
    "\tMPASS(n > 0);",
    "\tw->w_size = 0;",
    "\twidget_release(w, n);",
};

Status StatusOf(const AuditRun& run, const std::string& name) {
  const FunctionReport* r = run.Find(name);
  EXPECT_NE(r, nullptr) << name;
  return r != nullptr ? r->status : Status::kOursOnly;
}

TEST(AuditTest, IdenticalFunctionsAreSame) {
  auto run = RunAudit(Upstream(), OursWithFreeBody(kUpstreamFreeBody));
  EXPECT_EQ(StatusOf(*run, "widget_size"), Status::kSame);
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kSame);
  EXPECT_EQ(StatusOf(*run, "widget_alloc"), Status::kSame);
  EXPECT_EQ(run->result.Count(Status::kSame), 3);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, WhitespaceOnly) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "    int     n;",
                                      "",
                                      "",
                                      "\tn = widget_size(w);  ",
                                      "\tMPASS(n > 0);",
                                      "\tw->w_size = 0;",
                                      "\twidget_release(w,\tn);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kWhitespace);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, CommentRewordingIsWhitespace) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;\t/* units */",
                                      "",
                                      "\t/*",
                                      "\t * Our own words about this.",
                                      "\t */",
                                      "\tn = widget_size(w);",
                                      "\tMPASS(n > 0);",
                                      "\tw->w_size = 0; // reset",
                                      "\twidget_release(w, n);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kWhitespace);
}

TEST(AuditTest, TaggedByTrailingComment) {
  auto run = RunAudit(Upstream(),
                      OursWithFreeBody({
                          "\tint n;",
                          "",
                          "\tn = widget_size(w);",
                          "\tKASSERT(n > 0, (\"empty\"));\t/* PORT: message */",
                          "\tw->w_size = 0;",
                          "\twidget_release(w, n);",
                      }));
  const FunctionReport* r = run->Find("widget_free");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, Status::kPort);
  ASSERT_EQ(r->hunks.size(), 1u);
  EXPECT_TRUE(r->hunks[0].tagged);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, TaggedByCommentBlockAbove) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);",
                                      "\t/*",
                                      "\t * PORT: the panic says more, and",
                                      "\t * we log it.",
                                      "\t */",
                                      "\tKASSERT(n > 0, (\"empty\"));",
                                      "\twidget_log(w);",
                                      "\tw->w_size = 0;",
                                      "\twidget_release(w, n);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kPort);
}

TEST(AuditTest, TaggedByCommentInsideTheHunk) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);",
                                      "\tKASSERT(n > 0, (\"empty\"));",
                                      "\t/* PORT: log as well. */",
                                      "\twidget_log(w);",
                                      "\tw->w_size = 0;",
                                      "\twidget_release(w, n);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kPort);
}

TEST(AuditTest, CommentAboveSeparatedByBlankLineDoesNotTag) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);",
                                      "\t/* PORT: too far away. */",
                                      "",
                                      "\tKASSERT(n > 0, (\"empty\"));",
                                      "\tw->w_size = 0;",
                                      "\twidget_release(w, n);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kUntagged);
}

TEST(AuditTest, UntaggedChange) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);",
                                      "\tMPASS(n > 0);",
                                      "\tw->w_size = 1;\t/* why? */",
                                      "\twidget_release(w, n);",
                                  }));
  const FunctionReport* r = run->Find("widget_free");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, Status::kUntagged);
  ASSERT_EQ(r->hunks.size(), 1u);
  EXPECT_FALSE(r->hunks[0].tagged);
  EXPECT_EQ(run->result.Count(Status::kUntagged), 1);
  EXPECT_FALSE(run->result.Clean());
}

TEST(AuditTest, OneTagDoesNotCoverALaterHunk) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\t/* PORT: count twice. */",
                                      "\tn = widget_size(w) * 2;",
                                      "\tMPASS(n > 0);",
                                      "\tw->w_size = 1;",
                                      "\twidget_release(w, n);",
                                  }));
  const FunctionReport* r = run->Find("widget_free");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, Status::kUntagged);
  ASSERT_EQ(r->hunks.size(), 2u);
  EXPECT_TRUE(r->hunks[0].tagged);
  EXPECT_FALSE(r->hunks[1].tagged);
}

TEST(AuditTest, PureDeletionTaggedOnTheLineBefore) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);\t/* PORT: no MPASS */",
                                      "\tw->w_size = 0;",
                                      "\twidget_release(w, n);",
                                  }));
  const FunctionReport* r = run->Find("widget_free");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, Status::kPort);
  ASSERT_EQ(r->hunks.size(), 1u);
  EXPECT_TRUE(r->hunks[0].hunk.PureDeletion());
}

TEST(AuditTest, PureDeletionTaggedOnTheLineAfter) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);",
                                      "\tw->w_size = 0;\t/* PORT: no MPASS */",
                                      "\twidget_release(w, n);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kPort);
}

TEST(AuditTest, PureDeletionTaggedByCommentAtThePoint) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);",
                                      "\t/* PORT: no MPASS here. */",
                                      "\tw->w_size = 0;",
                                      "\twidget_release(w, n);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kPort);
}

TEST(AuditTest, PureDeletionUntagged) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\tn = widget_size(w);",
                                      "\tw->w_size = 0;",
                                      "\twidget_release(w, n);",
                                  }));
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kUntagged);
}

TEST(AuditTest, SignatureChangeTaggedAboveTheReturnType) {
  std::string ours = OursWithFreeBody(kUpstreamFreeBody);
  const std::string from = "static void\nwidget_free(";
  const size_t at = ours.find(from);
  ASSERT_NE(at, std::string::npos);
  ours.replace(at, from.size(),
               "/* PORT: not static, for the tests. */\nvoid\nwidget_free(");
  auto run = RunAudit(Upstream(), ours);
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kPort);
}

TEST(AuditTest, MissingAndOursOnly) {
  const std::string ours = Lines({
      "static int",
      "widget_size(struct widget *w)",
      "{",
      "\treturn (w->w_size);",
      "}",
      "",
      "int",
      "widget_alloc(struct widget *w, int size)",
      "{",
      "\tw = malloc(size);",
      "\tif (w == NULL)",
      "\t\treturn (ENOMEM);",
      "\treturn (0);",
      "}",
      "",
      "/* PORT: ours. */",
      "int",
      "widget_verify(struct widget *w)",
      "{",
      "\treturn (w != NULL);",
      "}",
  });
  auto run = RunAudit(Upstream(), ours);
  EXPECT_EQ(StatusOf(*run, "widget_free"), Status::kMissing);
  EXPECT_EQ(StatusOf(*run, "widget_verify"), Status::kOursOnly);
  EXPECT_EQ(run->result.Count(Status::kMissing), 1);
  EXPECT_EQ(run->result.Count(Status::kOursOnly), 1);
  EXPECT_EQ(run->result.out_of_order, 0);
  EXPECT_FALSE(run->result.Clean());
  // ours-only alone is fine.
  auto run2 = RunAudit(Upstream(), OursWithFreeBody(kUpstreamFreeBody) +
                                       Lines({"void", "extra(void)", "{", "}"}));
  EXPECT_EQ(StatusOf(*run2, "extra"), Status::kOursOnly);
  EXPECT_TRUE(run2->result.Clean());
}

TEST(AuditTest, OrderSwap) {
  // widget_alloc moved before widget_free.
  const std::string ours = Lines({
      "static int",
      "widget_size(struct widget *w)",
      "{",
      "\t/* Size in units. */",
      "\treturn (w->w_size);",
      "}",
      "",
      "int",
      "widget_alloc(struct widget *w, int size)",
      "{",
      "\tw = malloc(size);",
      "\tif (w == NULL)",
      "\t\treturn (ENOMEM);",
      "\treturn (0);",
      "}",
      "",
      "static void",
      "widget_free(struct widget *w, int flags)",
      "{",
      "\tint n;",
      "",
      "\tn = widget_size(w);",
      "\tMPASS(n > 0);",
      "\tw->w_size = 0;",
      "\twidget_release(w, n);",
      "}",
  });
  auto run = RunAudit(Upstream(), ours);
  EXPECT_EQ(run->result.out_of_order, 1);
  int flagged = 0;
  for (const FunctionReport& r : run->result.functions) {
    flagged += r.out_of_order;
    EXPECT_EQ(r.status, Status::kSame) << r.name;
  }
  EXPECT_EQ(flagged, 1);
  EXPECT_FALSE(run->result.Clean());
  std::ostringstream out;
  PrintReport(run->upstream, run->ours, run->result, false, out);
  EXPECT_THAT(out.str(), HasSubstr("ORDER"));
  EXPECT_THAT(out.str(), HasSubstr("1 ORDER"));
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
      "\tmtx_lock(&widgets_lock);\t/* PORT: other threads. */",
      "\tLIST_FOREACH(w, &widgets, w_link)",
      "\t\twidget_show((db_expr_t)w, 1, 0, NULL);",
      "\tmtx_unlock(&widgets_lock);\t/* PORT: see above. */",
      "}",
  });
  auto run = RunAudit(upstream, ours);
  EXPECT_EQ(StatusOf(*run, "widget_show"), Status::kSame);
  EXPECT_EQ(StatusOf(*run, "widget_showall"), Status::kPort);
  EXPECT_TRUE(run->result.Clean());
}

TEST(AuditTest, DiffOutputMarksUntaggedHunks) {
  auto run = RunAudit(Upstream(), OursWithFreeBody({
                                      "\tint n;",
                                      "",
                                      "\t/* PORT: count twice. */",
                                      "\tn = widget_size(w) * 2;",
                                      "\tMPASS(n > 0);",
                                      "\tw->w_size = 1;",
                                      "\twidget_release(w, n);",
                                  }));
  std::ostringstream out;
  PrintReport(run->upstream, run->ours, run->result, true, out);
  const std::string s = out.str();
  EXPECT_THAT(s, HasSubstr("UNTAGGED    widget_free"));
  EXPECT_THAT(s, HasSubstr("- n = widget_size(w);\n+ n = widget_size(w) * 2;"));
  EXPECT_THAT(s, HasSubstr("- w->w_size = 0;\n+ w->w_size = 1;"));
  EXPECT_THAT(s, HasSubstr("@@ PORT"));
  EXPECT_THAT(s, HasSubstr("@@ !! untagged"));
  EXPECT_THAT(s, HasSubstr("summary: 2 same, 0 whitespace, 0 port, "
                           "1 UNTAGGED, 0 MISSING, 0 ours-only, 0 ORDER"));
  // Without --diff, no code is shown.
  std::ostringstream brief;
  PrintReport(run->upstream, run->ours, run->result, false, brief);
  EXPECT_THAT(brief.str(), Not(HasSubstr("@@")));
}

}  // namespace
}  // namespace vmem_audit
