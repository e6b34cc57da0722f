#include "tools/audit/registry.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/audit/audit_test_util.h"

namespace vmem_audit {
namespace {

using ::testing::HasSubstr;
using testing::Lines;

TEST(RegistryTest, EntriesAndTheirTests) {
  const Registry reg = ParseRegistry(Lines({
      "# Changes",
      "",
      "Some text; ## not a heading.",
      "",
      "## 1. Casts",
      "- What: casts.",
      "",
      "## Another kind of heading",
      "",
      "## 2. Fix: next fit loops",
      "- What: it stops.",
      "- Regression tests: `tests/a_test.cc` `ATest.One`",
      "  `ATest.Two`; `tests/b_test.cc`",
      "  `BTest.Three`",
      "- Why: it loops.",
  }));
  EXPECT_TRUE(reg.errors.empty());
  ASSERT_EQ(reg.entries.size(), 2u);
  EXPECT_EQ(reg.entries[0].number, 1);
  EXPECT_EQ(reg.entries[0].title, "Casts");
  EXPECT_EQ(reg.entries[0].line, 5);
  EXPECT_FALSE(reg.entries[0].fix);
  EXPECT_TRUE(reg.entries[1].fix);
  ASSERT_EQ(reg.entries[1].tests.size(), 3u);
  EXPECT_EQ(reg.entries[1].tests[0].file, "tests/a_test.cc");
  EXPECT_EQ(reg.entries[1].tests[1].name, "ATest.Two");
  EXPECT_EQ(reg.entries[1].tests[2].file, "tests/b_test.cc");
  EXPECT_EQ(reg.entries[1].tests[2].name, "BTest.Three");
  EXPECT_NE(reg.Find(2), nullptr);
  EXPECT_EQ(reg.Find(3), nullptr);
}

TEST(RegistryTest, NumbersGoOneByOne) {
  const Registry reg =
      ParseRegistry(Lines({"## 1. A", "## 3. C", "## 3. C again", "## 4x. D"}));
  ASSERT_EQ(reg.errors.size(), 3u);
  EXPECT_EQ(reg.errors[0].line, 2);
  EXPECT_THAT(reg.errors[0].what, HasSubstr("entry 3 where 2 comes next"));
  EXPECT_THAT(reg.errors[2].what, HasSubstr("## <n>. <title>"));
}

TEST(RegistryTest, AFixNamesItsRegressionTest) {
  const Registry reg = ParseRegistry(Lines({
      "## 1. Fix: something",
      "- What: it.",
      "## 2. Fix: another",
      "- Regression test: `NoFileFirst.Test`",
  }));
  ASSERT_EQ(reg.errors.size(), 3u);
  EXPECT_THAT(reg.errors[0].what, HasSubstr("neither a test file"));
  EXPECT_THAT(reg.errors[1].what,
              HasSubstr("entry 1 fixes an upstream defect but names no "
                        "regression test"));
  EXPECT_THAT(reg.errors[2].what, HasSubstr("entry 2"));
}

}  // namespace
}  // namespace vmem_audit
