#include "tools/audit/c_source.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmem_audit {
namespace {

TEST(NormalizeWhitespaceTest, CollapsesAndTrims) {
  EXPECT_EQ(NormalizeWhitespace("  a\t\tb   c \t"), "a b c");
  EXPECT_EQ(NormalizeWhitespace(" \t "), "");
  EXPECT_EQ(NormalizeWhitespace(""), "");
}

TEST(ScanSourceTest, SplitsLines) {
  EXPECT_EQ(ScanSource("").size(), 0u);
  EXPECT_EQ(ScanSource("a\n").size(), 1u);
  EXPECT_EQ(ScanSource("a\nb").size(), 2u);
  EXPECT_EQ(ScanSource("a\r\n\nb\n").size(), 3u);
  EXPECT_EQ(ScanSource("a\r\n")[0].raw, "a");
}

TEST(ScanSourceTest, StripsBlockAndLineComments) {
  const std::vector<SourceLine> lines = ScanSource(
      "x = 1; /* one */\n"
      "/*\n"
      " * two\n"
      " */\n"
      "y = 2; // three\n"
      "z = a /* in */ + b;\n");
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].normalized, "x = 1;");
  EXPECT_TRUE(lines[0].has_comment);
  EXPECT_FALSE(lines[0].CommentOnly());
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(lines[i].CommentOnly()) << i;
    EXPECT_EQ(lines[i].normalized, "") << i;
  }
  EXPECT_EQ(lines[4].normalized, "y = 2;");
  EXPECT_EQ(lines[5].normalized, "z = a + b;");
  // Columns are kept.
  EXPECT_EQ(lines[0].code.size(), lines[0].raw.size());
}

TEST(ScanSourceTest, CommentMarkersInsideLiteralsAreCode) {
  const std::vector<SourceLine> lines = ScanSource(
      "s = \"/* not a comment */\"; c = '/';\n"
      "t = \"a \\\" // still string\";\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].normalized, "s = \"/* not a comment */\"; c = '/';");
  EXPECT_FALSE(lines[0].has_comment);
  EXPECT_EQ(lines[1].normalized, "t = \"a \\\" // still string\";");
  EXPECT_FALSE(lines[1].has_comment);
}

TEST(ScanSourceTest, BareBlanksLiteralContents) {
  const std::vector<SourceLine> lines = ScanSource("printf(\"{%d}\", '}');\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].bare.find('{'), std::string::npos);
  EXPECT_EQ(lines[0].bare.find('}'), std::string::npos);
  EXPECT_NE(lines[0].code.find('{'), std::string::npos);
}

TEST(ScanSourceTest, TagsBelongToTheLineTheyAreOn) {
  const std::vector<SourceLine> lines = ScanSource(
      "/*\n"
      " * PORT(3): a reason\n"
      " */\n"
      "a();\n"
      "b();\t/* PORT(4, 12) */\n"
      "c();\t/* not tagged */\n"
      "d();\t// PORT(5): C++ style\n");
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_FALSE(lines[0].Tagged());
  EXPECT_EQ(lines[1].port_refs, std::vector<int>{3});
  EXPECT_FALSE(lines[2].Tagged());
  EXPECT_FALSE(lines[3].Tagged());
  EXPECT_EQ(lines[4].port_refs, (std::vector<int>{4, 12}));
  EXPECT_FALSE(lines[5].Tagged());
  EXPECT_EQ(lines[6].port_refs, std::vector<int>{5});
  for (const SourceLine &l : lines) EXPECT_TRUE(l.malformed_tags.empty());
}

TEST(ScanSourceTest, PortInCodeIsNotATag) {
  const std::vector<SourceLine> lines =
      ScanSource("puts(\"PORT(1) is not a comment\");\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].Tagged());
}

TEST(ParsePortTagsTest, WellFormed) {
  EXPECT_EQ(ParsePortTags("PORT(1)").refs, std::vector<int>{1});
  EXPECT_EQ(ParsePortTags(" x PORT( 2 ,3 ): y PORT(40)").refs,
            (std::vector<int>{2, 3, 40}));
  EXPECT_TRUE(ParsePortTags("IMPORT(1) SUPPORT: REPORT(2) PORTS").refs.empty());
  EXPECT_TRUE(
      ParsePortTags("IMPORT(1) SUPPORT: REPORT(2) PORTS").malformed.empty());
}

TEST(ParsePortTagsTest, Malformed) {
  for (const char *bad : {"PORT: old style", "PORT()", "PORT(x)", "PORT(1,)",
                          "PORT(0)", "PORT(1", "PORT(1 2)"}) {
    const PortTags tags = ParsePortTags(bad);
    EXPECT_TRUE(tags.refs.empty()) << bad;
    EXPECT_EQ(tags.malformed.size(), 1u) << bad;
  }
}

TEST(StripWhitespaceTest, RemovesEveryBlank) {
  EXPECT_EQ(StripWhitespace(" \ta b\t c \r"), "abc");
  EXPECT_EQ(StripWhitespace(""), "");
}

}  // namespace
}  // namespace vmem_audit
