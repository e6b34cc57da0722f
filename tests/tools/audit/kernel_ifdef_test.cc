#include "tools/audit/kernel_ifdef.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/audit/audit_test_util.h"

namespace vmem_audit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Lines;

ResolvedSource Resolve(const std::vector<std::string> &lines) {
  return ResolveKernelConditionals(Lines(lines));
}

TEST(ResolveKernelTest, KeepsTheKernelBranches) {
  const ResolvedSource r = Resolve({
      "#include <sys/cdefs.h>",
      "",
      "#ifdef _KERNEL",
      "#include <sys/systm.h>",
      "#else\t/* _KERNEL */",
      "#include <stdlib.h>",
      "#endif\t/* _KERNEL */",
      "#ifndef _KERNEL",
      "#define\tM_ZERO\t0",
      "#endif",
      "#if defined(_KERNEL)",
      "int in_kernel;",
      "#endif",
      "#if !defined(_KERNEL)",
      "int in_userspace;",
      "#else",
      "int also_in_kernel;",
      "#endif",
  });
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.lines, ElementsAre("#include <sys/cdefs.h>", "",
                                   "#include <sys/systm.h>", "int in_kernel;",
                                   "int also_in_kernel;"));
}

TEST(ResolveKernelTest, OtherConditionalsStayAndNestingIsTracked) {
  const ResolvedSource r = Resolve({
      "#ifdef\t_KERNEL",
      "#if defined(DDB) || defined(DIAGNOSTIC)",
      "static void dump(void);",
      "#ifndef _KERNEL",
      "gone();",
      "#endif",
      "#endif /* DDB || DIAGNOSTIC */",
      "#else",
      "#ifdef DDB",
      "gone_too();",
      "#else",
      "gone_as_well();",
      "#endif",
      "#endif",
      "#ifdef DEBUG_MEMGUARD",
      "kept();",
      "#endif",
  });
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(
      r.lines,
      ElementsAre("#if defined(DDB) || defined(DIAGNOSTIC)",
                  "static void dump(void);", "#endif /* DDB || DIAGNOSTIC */",
                  "#ifdef DEBUG_MEMGUARD", "kept();", "#endif"));
}

TEST(ResolveKernelTest, CommentsAndContinuationsAreNotDirectives) {
  const ResolvedSource r = Resolve({
      "/*",
      "#ifdef _KERNEL",
      " */",
      "#define\tLONG(a)\t\t\\",
      "    ((a) + 1)",
  });
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.lines.size(), 5u);
}

TEST(ResolveKernelTest, UnsupportedFormsAreErrorsNotGuesses) {
  EXPECT_THAT(
      Resolve({"#if defined(_KERNEL) && defined(DDB)", "x;", "#endif"}).error,
      HasSubstr("line 1:"));
  EXPECT_THAT(
      Resolve({"#ifdef _KERNEL", "a;", "#elif defined(FOO)", "b;", "#endif"})
          .error,
      HasSubstr("line 3: #elif"));
  EXPECT_THAT(Resolve({"#ifdef _KERNEL", "a;"}).error,
              HasSubstr("line 1: #if without #endif"));
  EXPECT_THAT(Resolve({"#endif"}).error, HasSubstr("#endif without #if"));
  EXPECT_THAT(Resolve({"#ifdef _KERNEL", "#else", "#else", "#endif"}).error,
              HasSubstr("a second #else"));
}

TEST(ResolveKernelTest, SimilarNamesAreNotKernel) {
  const ResolvedSource r =
      Resolve({"#ifdef _KERNEL_OPT", "a;", "#else", "b;", "#endif"});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.lines.size(), 5u);
}

}  // namespace
}  // namespace vmem_audit
