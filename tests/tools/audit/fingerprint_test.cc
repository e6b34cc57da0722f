#include "tools/audit/fingerprint.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmem_audit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kLines = {
    "/* A file. */", "", "static int", "f(void)", "{", "\treturn (0);", "}",
};
const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

TEST(LineHashTest, IgnoresWhitespaceOnly) {
  EXPECT_EQ(LineHash("\treturn (0);"), LineHash("return(0) ;  "));
  EXPECT_NE(LineHash("return (0);"), LineHash("return (1);"));
  EXPECT_EQ(LineHash(""), LineHash(" \t"));
}

TEST(FingerprintTest, HoldsHashesAndFunctionsNotText) {
  const Fingerprint fp = MakeFingerprint(kCommit, "sys/f.c", kLines);
  ASSERT_EQ(fp.line_hashes.size(), kLines.size());
  ASSERT_EQ(fp.functions.size(), 1u);
  EXPECT_EQ(fp.functions[0].name, "f");
  EXPECT_EQ(fp.functions[0].first_line, 3);
  EXPECT_EQ(fp.functions[0].last_line, 7);
  const std::string text = FormatFingerprint(fp);
  EXPECT_THAT(text, HasSubstr("commit " + kCommit + "\n"));
  EXPECT_THAT(text, HasSubstr("function 3 7 f\n"));
  EXPECT_THAT(text, Not(HasSubstr("return")));
}

TEST(FingerprintTest, RoundTrip) {
  const Fingerprint fp = MakeFingerprint(kCommit, "sys/f.c", kLines);
  Fingerprint back;
  std::string error;
  ASSERT_TRUE(ParseFingerprint(FormatFingerprint(fp), &back, &error)) << error;
  EXPECT_EQ(back.commit, fp.commit);
  EXPECT_EQ(back.path, fp.path);
  EXPECT_EQ(back.line_hashes, fp.line_hashes);
  ASSERT_EQ(back.functions.size(), 1u);
  EXPECT_EQ(back.functions[0].name, "f");
  EXPECT_EQ(back.functions[0].last_line, 7);
}

TEST(FingerprintTest, MalformedIsRejected) {
  const std::string good =
      FormatFingerprint(MakeFingerprint(kCommit, "sys/f.c", kLines));
  Fingerprint fp;
  std::string error;
  // A hash missing.
  std::string text = good.substr(0, good.rfind('\n', good.size() - 2) + 1);
  EXPECT_FALSE(ParseFingerprint(text, &fp, &error));
  EXPECT_THAT(error, HasSubstr("\"lines\" says 7, found 6"));
  // Something else.
  EXPECT_FALSE(ParseFingerprint(good + "what\n", &fp, &error));
  EXPECT_THAT(error, HasSubstr("unexpected"));
  // No commit.
  EXPECT_FALSE(ParseFingerprint("lines 0\n", &fp, &error));
  EXPECT_THAT(error, HasSubstr("no commit"));
}

}  // namespace
}  // namespace vmem_audit
