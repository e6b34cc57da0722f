// The audit of the real translation, as "bazel test //tests/..." runs it:
// kern/subr_vmem.cc against the fingerprint of upstream's file and the
// registry kern/PORTING.md. It must be clean; the README must quote the
// tool's figures; a copy with any untagged change to a line upstream has
// (file scope, a constant, a comment, code) must fail; and the regression
// tests that the registry names must exist.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/audit/shell.h"
#include "tools/audit/c_source.h"
#include "tools/audit/registry.h"

namespace {

using ::testing::HasSubstr;
using vmem_audit::testing::Quote;
using vmem_audit::testing::ReadAll;
using vmem_audit::testing::RunShell;

void WriteAll(const std::string &path, const std::string &text) {
  std::ofstream(path) << text;
}

struct Result {
  int exit_code = -1;
  std::string out;
};

class PortAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char cwd[4096];
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    root_ = cwd;  // the runfiles tree: the workspace's files
    const char *tmp = std::getenv("TEST_TMPDIR");
    ASSERT_NE(tmp, nullptr);
    tmp_ = tmp;
    translation_ = ReadAll(Path("kern/subr_vmem.cc"));
    ASSERT_FALSE(translation_.empty());
  }

  std::string Path(const std::string &relative) const {
    return absl::StrCat(root_, "/", relative);
  }

  // Audits ours (a file) against the fingerprint and the registry.
  Result Audit(const std::string &ours,
               const std::vector<std::string> &extra = {}) const {
    std::string cmd = absl::StrCat(
        Quote(Path("tools/audit/vmem_audit")),
        " --fingerprint=", Quote(Path("tools/audit/upstream_fingerprint.txt")),
        " --registry=", Quote(Path("kern/PORTING.md")),
        " --ours=", Quote(ours));
    for (const std::string &a : extra) absl::StrAppend(&cmd, " ", Quote(a));
    const std::string out = absl::StrCat(tmp_, "/audit.out");
    absl::StrAppend(&cmd, " >", Quote(out), " 2>&1");
    Result r;
    r.exit_code = RunShell(cmd);
    r.out = ReadAll(out);
    return r;
  }

  // Audits a copy of the translation with from replaced by to (once).
  Result AuditMutated(const std::string &from, const std::string &to) {
    EXPECT_EQ(Count(translation_, from), 1) << from;
    const std::string copy = absl::StrCat(tmp_, "/subr_vmem.cc");
    WriteAll(copy, absl::StrReplaceAll(translation_, {{from, to}}));
    return Audit(copy);
  }

  static int Count(const std::string &text, const std::string &what) {
    int n = 0;
    for (size_t pos = 0; (pos = text.find(what, pos)) != std::string::npos;
         pos += what.size()) {
      ++n;
    }
    return n;
  }

  std::string root_;
  std::string tmp_;
  std::string translation_;
};

TEST_F(PortAuditTest, TheTranslationAuditsClean) {
  const Result r = Audit(Path("kern/subr_vmem.cc"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr(" 0 UNTAGGED, 0 MISSING, 0 OURS-ONLY, 0 ORDER"));
}

// Collapses whitespace (line breaks included), for prose compared across
// different wrapping.
std::string Flat(const std::string &s) {
  return vmem_audit::NormalizeWhitespace(s);
}

TEST_F(PortAuditTest, TheReadmeQuotesTheToolsFigures) {
  const Result r = Audit(Path("kern/subr_vmem.cc"), {"--summary"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string figures = Flat(r.out);
  EXPECT_NE(Flat(ReadAll(Path("README.md"))).find(figures), std::string::npos)
      << "README.md, \"Auditing the port against FreeBSD\", must quote what "
         "tools/bazel run //tools/audit:vmem_audit -- --summary prints:\n"
      << figures;
}

TEST_F(PortAuditTest, UntouchedCopyPasses) {
  const Result r =
      AuditMutated("#define\tBT_MAXALLOC\t4\n", "#define\tBT_MAXALLOC\t4\n");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(PortAuditTest, ChangedConstantAtFileScopeFails) {
  const Result r =
      AuditMutated("#define\tBT_MAXALLOC\t4\n", "#define\tBT_MAXALLOC\t5\n");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("(file scope) !! untagged"));
  EXPECT_THAT(r.out, HasSubstr("+ #define\tBT_MAXALLOC\t5"));
}

TEST_F(PortAuditTest, DeletedLineAtFileScopeFails) {
  const Result r = AuditMutated("#define\tVMEM_NAME_MAX\t16\n", "");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("(file scope) !! untagged"));
}

TEST_F(PortAuditTest, RewordedCommentFails) {
  const Result r = AuditMutated(" * Pop a tag off of the freetag stack.\n",
                                " * Pop a tag off the freetag stack.\n");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("+  * Pop a tag off the freetag stack."));
}

TEST_F(PortAuditTest, ChangedCodeInAFunctionFails) {
  const Result r = AuditMutated("\t\tbt->bt_start = bt->bt_start + size;\n",
                                "\t\tbt->bt_start += size;\n");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("UNTAGGED    vmem_clip"));
}

TEST_F(PortAuditTest, MpassTurnedIntoKassertFails) {
  const Result r = AuditMutated(
      "\tMPASS(minaddr <= maxaddr);\n",
      "\tKASSERT(minaddr <= maxaddr, (\"%s: minaddr above maxaddr\", "
      "__func__));\n");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("UNTAGGED    vmem_xalloc"));
}

TEST_F(PortAuditTest, RemovedTagFails) {
  const Result r = AuditMutated(
      "\t\t    flags, addrp));\t/* PORT(11): size, "
      "not size0 */\n",
      "\t\t    flags, addrp));\n");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("vmem_xalloc !! untagged"));
  EXPECT_THAT(r.out, HasSubstr("entry 11 is cited by no tag"));
}

TEST_F(PortAuditTest, TagCitingNoEntryFails) {
  const Result r = AuditMutated("/* PORT(33): the highest fit, */",
                                "/* PORT(99): the highest fit, */");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("PORT(99) cites no entry of the registry"));
}

TEST_F(PortAuditTest, FunctionOfOurOwnInTheTranslationFails) {
  const Result r =
      AuditMutated("#define vmem_printf printf\n",
                   "#define vmem_printf printf\n\n/* PORT(3) */\nstatic int\n"
                   "vmem_ours(void)\n{\n\treturn (0);\n}\n");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("OURS-ONLY   vmem_ours"));
}

// Each fix's regression tests are where the registry says.
TEST_F(PortAuditTest, RegressionTestsNamedByTheRegistryExist) {
  const vmem_audit::Registry reg =
      vmem_audit::ParseRegistry(ReadAll(Path("kern/PORTING.md")));
  EXPECT_TRUE(reg.errors.empty());
  int fixes = 0;
  for (const vmem_audit::RegistryEntry &e : reg.entries) {
    if (!e.fix) continue;
    ++fixes;
    EXPECT_FALSE(e.tests.empty()) << e.number;
    for (const vmem_audit::RegressionTest &t : e.tests) {
      struct stat st;
      ASSERT_EQ(stat(Path(t.file).c_str(), &st), 0)
          << "entry " << e.number << ": " << t.file
          << " (add it to port_audit_test's data)";
      const std::string source = ReadAll(Path(t.file));
      const size_t dot = t.name.find('.');
      const std::string suite = t.name.substr(0, dot);
      const std::string name = t.name.substr(dot + 1);
      EXPECT_THAT(source, HasSubstr(absl::StrCat(suite, ", ", name, ")")))
          << "entry " << e.number << ": " << t.file << " " << t.name;
    }
  }
  EXPECT_GT(fixes, 0);
}

}  // namespace
