#include "tools/audit/c_functions.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/audit/c_source.h"

namespace vmem_audit {
namespace {

using ::testing::ElementsAre;

std::vector<Function> Extract(const std::vector<std::string> &lines) {
  return ExtractFunctions(ScanSource(absl::StrJoin(lines, "\n") + "\n"));
}

std::vector<std::string> Names(const std::vector<Function> &fs) {
  std::vector<std::string> out;
  for (const Function &f : fs) out.push_back(f.name);
  return out;
}

TEST(ExtractFunctionsTest, Style9Definition) {
  const std::vector<Function> fs = Extract({
      "#include <stdio.h>",   // 0
      "",                     // 1
      "static int",           // 2
      "widget_count(int n)",  // 3
      "{",                    // 4
      "\treturn (n + 1);",    // 5
      "}",                    // 6
  });
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].name, "widget_count");
  EXPECT_EQ(fs[0].first_line, 2);
  EXPECT_EQ(fs[0].name_line, 3);
  EXPECT_EQ(fs[0].open_line, 4);
  EXPECT_EQ(fs[0].last_line, 6);
}

TEST(ExtractFunctionsTest, StaticInlineNoinlineAndPointerReturns) {
  const std::vector<Function> fs = Extract({
      "static inline void",
      "gadget_a(void)",
      "{",
      "}",
      "",
      "static __noinline int",
      "_gadget_b(int x)",
      "{",
      "\treturn x;",
      "}",
      "",
      "static struct gadget_list *",
      "gadget_c(struct gadget *g)",
      "{",
      "\treturn &g->list;",
      "}",
  });
  EXPECT_THAT(Names(fs), ElementsAre("gadget_a", "_gadget_b", "gadget_c"));
  EXPECT_EQ(fs[1].first_line, 5);
  EXPECT_EQ(fs[2].first_line, 11);
}

TEST(ExtractFunctionsTest, MultiLinePrototype) {
  const std::vector<Function> fs = Extract({
      "int",                                            // 0
      "gizmo_fit(const struct gizmo *g, size_t size,",  // 1
      "    size_t align, size_t phase,",                // 2
      "    int (*cb)(const char *, ...))",              // 3
      "{",                                              // 4
      "\treturn (0);",                                  // 5
      "}",                                              // 6
  });
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].name, "gizmo_fit");
  EXPECT_EQ(fs[0].first_line, 0);
  EXPECT_EQ(fs[0].name_line, 1);
  EXPECT_EQ(fs[0].open_line, 4);
}

TEST(ExtractFunctionsTest, ForwardDeclarationsAreNotDefinitions) {
  const std::vector<Function> fs = Extract({
      "static void gadget_dump(const struct gadget *,",
      "    int (*)(const char *, ...));",
      "static int",
      "gadget_probe(int);",
      "",
      "static int",
      "gadget_probe(int x)",
      "{",
      "\treturn x;",
      "}",
  });
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].name, "gadget_probe");
  EXPECT_EQ(fs[0].first_line, 5);
}

TEST(ExtractFunctionsTest, DdbCommandsAreNamedByTheirSecondArgument) {
  const std::vector<Function> fs = Extract({
      "DB_SHOW_COMMAND(gadget, gadget_show)",
      "{",
      "\tif (!have_addr)",
      "\t\treturn;",
      "}",
      "",
      "DB_SHOW_ALL_COMMAND(gadgets, gadget_showall)",
      "{",
      "}",
      "",
      "DB_COMMAND(gkick, gadget_kick)",
      "{",
      "}",
  });
  EXPECT_THAT(Names(fs),
              ElementsAre("gadget_show", "gadget_showall", "gadget_kick"));
  EXPECT_EQ(fs[0].first_line, 0);
  EXPECT_EQ(fs[0].last_line, 4);
}

TEST(ExtractFunctionsTest, NestedBracesStringsAndComments) {
  const std::vector<Function> fs = Extract({
      "void",                                   // 0
      "gadget_print(int n)",                    // 1
      "{",                                      // 2
      "\tif (n) {",                             // 3
      "\t\tprintf(\"}\\n\");",                  // 4
      "\t\tputchar('}');",                      // 5
      "\t\t/* } in a comment */",               // 6
      "\t\t{ int inner = '{'; (void)inner; }",  // 7
      "\t}",                                    // 8
      "\t// } C++ comment",                     // 9
      "\tprintf(\"%s\", \"{{{\");",             // 10
      "}",                                      // 11
      "",                                       // 12
      "void",                                   // 13
      "gadget_after(void)",                     // 14
      "{",                                      // 15
      "}",                                      // 16
  });
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].name, "gadget_print");
  EXPECT_EQ(fs[0].last_line, 11);
  EXPECT_EQ(fs[1].name, "gadget_after");
  EXPECT_EQ(fs[1].first_line, 13);
}

TEST(ExtractFunctionsTest, StructsInitialisersAndMacrosAreSkipped) {
  const std::vector<Function> fs = Extract({
      "struct gadget {",
      "\tint g_size;",
      "};",
      "static int gadget_table[] =",
      "{",
      "\t1, 2,",
      "};",
      "SYSINIT(gadget, SI_SUB_X, SI_ORDER_ANY, gadget_init, NULL);",
      "#define\tGADGET_MAX(a) \\",
      "\t((a) + 1)",
      "/*",
      "{",
      "*/",
  });
  EXPECT_TRUE(fs.empty());
}

TEST(ExtractFunctionsTest, OneLineHeaderAndPreprocessorAbove) {
  const std::vector<Function> fs = Extract({
      "#endif",
      "static int gadget_one(void)",
      "{",
      "\treturn 1;",
      "}",
      "#ifdef GADGET",
      "int",
      "gadget_two(void)",
      "{",
      "\treturn 2;",
      "}",
  });
  EXPECT_THAT(Names(fs), ElementsAre("gadget_one", "gadget_two"));
  EXPECT_EQ(fs[0].first_line, 1);
  EXPECT_EQ(fs[1].first_line, 6);
}

TEST(ExtractFunctionsTest, RepeatedNamesAreNumbered) {
  const std::vector<Function> fs = Extract({
      "#ifdef A",
      "int",
      "gadget(void)",
      "{",
      "}",
      "#else",
      "int",
      "gadget(void)",
      "{",
      "}",
      "#endif",
  });
  EXPECT_THAT(Names(fs), ElementsAre("gadget", "gadget#2"));
}

}  // namespace
}  // namespace vmem_audit
