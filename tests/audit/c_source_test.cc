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
  const std::vector<SourceLine> lines =
      ScanSource("printf(\"{%d}\", '}');\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].bare.find('{'), std::string::npos);
  EXPECT_EQ(lines[0].bare.find('}'), std::string::npos);
  EXPECT_NE(lines[0].code.find('{'), std::string::npos);
}

TEST(ScanSourceTest, PortTagMarksEveryLineOfItsComment) {
  const std::vector<SourceLine> lines = ScanSource(
      "/*\n"
      " * PORT: a reason\n"
      " */\n"
      "a();\n"
      "b();\t/* PORT: inline */\n"
      "c();\t/* not tagged */\n"
      "d();\t// PORT: C++ style\n");
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_TRUE(lines[0].port);
  EXPECT_TRUE(lines[1].port);
  EXPECT_TRUE(lines[2].port);
  EXPECT_FALSE(lines[3].port);
  EXPECT_TRUE(lines[4].port);
  EXPECT_FALSE(lines[5].port);
  EXPECT_TRUE(lines[6].port);
}

TEST(ScanSourceTest, PortInCodeIsNotATag) {
  const std::vector<SourceLine> lines =
      ScanSource("puts(\"PORT: not a comment\");\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].port);
}

}  // namespace
}  // namespace vmem_audit
