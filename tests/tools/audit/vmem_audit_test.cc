// Runs the vmem_audit binary as a subprocess: exit codes, argument
// handling and where it looks for the files.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/audit/shell.h"

namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using vmem_audit::testing::Quote;
using vmem_audit::testing::ReadAll;
using vmem_audit::testing::RunShell;

std::string Lines(const std::vector<std::string> &lines) {
  return absl::StrJoin(lines, "\n") + "\n";
}

// Upstream as FreeBSD ships it: a userspace branch beside the kernel's.
const std::string kUpstream = Lines({
    "#ifdef _KERNEL",
    "#include <sys/systm.h>",
    "#else",
    "#include <stdlib.h>",
    "#endif",
    "",
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size);",
    "}",
    "",
    "void",
    "gadget_free(struct gadget *g)",
    "{",
    "\tMPASS(g != NULL);",
    "#ifdef _KERNEL",
    "\tuma_zfree(gadget_zone, g);",
    "#else",
    "\tfree(g);",
    "#endif",
    "}",
});

// The kernel text, one tagged change in a function, one at file scope.
const std::string kOursClean = Lines({
    "#include \"compat/systm.h\"\t/* PORT(1) */",
    "",
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size);",
    "}",
    "",
    "void",
    "gadget_free(struct gadget *g)",
    "{",
    "\tgadget_free_args(__func__, g);\t/* PORT(2) */",
    "\tMPASS(g != NULL);",
    "\tuma_zfree(gadget_zone, g);",
    "}",
});

const std::string kRegistry = Lines({
    "# Changes",
    "## 1. Headers",
    "- What: compat.",
    "## 2. Argument checks",
    "- What: a helper.",
});

const std::string kOursUntagged = Lines({
    "#include \"compat/systm.h\"\t/* PORT(1) */",
    "",
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size + 1);",
    "}",
    "",
    "void",
    "gadget_free(struct gadget *g)",
    "{",
    "\tgadget_free_args(__func__, g);\t/* PORT(2) */",
    "\tMPASS(g != NULL);",
    "\tuma_zfree(gadget_zone, g);",
    "}",
});

const std::string kOursMissing = Lines({
    "#include \"compat/systm.h\"\t/* PORT(1) */",
    "",
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size);\t/* PORT(2) */",
    "}",
});

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class VmemAuditBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char *tmp = std::getenv("TEST_TMPDIR");
    ASSERT_NE(tmp, nullptr);
    const ::testing::TestInfo *info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = absl::StrCat(tmp, "/", info->name());
    ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0) << dir_;
    char cwd[4096];
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    binary_ = absl::StrCat(cwd, "/tools/audit/vmem_audit");
    struct stat st;
    ASSERT_EQ(stat(binary_.c_str(), &st), 0) << binary_;
  }

  // Writes a file under the test's directory (creating parents) and
  // returns its absolute path.
  std::string Write(const std::string &relative, const std::string &text) {
    std::string path = dir_;
    size_t start = 0;
    for (size_t slash; (slash = relative.find('/', start)) != std::string::npos;
         start = slash + 1) {
      path = absl::StrCat(path, "/", relative.substr(start, slash - start));
      mkdir(path.c_str(), 0755);
    }
    path = absl::StrCat(dir_, "/", relative);
    std::ofstream(path) << text;
    return path;
  }

  // Runs the binary with args, from directory cwd (default: the test's
  // directory), with the given extra environment ("NAME=value ...").
  // registry, if given, is written to ours/PORTING.md first.
  Result Run(const std::vector<std::string> &args, const std::string &env = "",
             const std::string &cwd = "", const std::string &registry = "") {
    if (!registry.empty()) Write("ours/PORTING.md", registry);
    std::string cmd = absl::StrCat(
        "cd ", Quote(cwd.empty() ? dir_ : cwd),
        " && env -u BUILD_WORKSPACE_DIRECTORY -u BUILD_WORKING_DIRECTORY ", env,
        " ", Quote(binary_));
    for (const std::string &a : args) absl::StrAppend(&cmd, " ", Quote(a));
    const std::string out = absl::StrCat(dir_, "/stdout");
    const std::string err = absl::StrCat(dir_, "/stderr");
    absl::StrAppend(&cmd, " >", Quote(out), " 2>", Quote(err));
    Result r;
    r.exit_code = RunShell(cmd);
    r.out = ReadAll(out);
    r.err = ReadAll(err);
    return r;
  }

  std::string dir_;
  std::string binary_;
};

TEST_F(VmemAuditBinaryTest, CleanExitsZero) {
  const std::string up = Write("up.c", kUpstream);
  const std::string ours = Write("ours/subr_vmem.cc", kOursClean);
  Write("ours/PORTING.md", kRegistry);
  const Result r = Run({up, ours});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("same        gadget_size"));
  EXPECT_THAT(r.out, HasSubstr("port        gadget_free"));
  EXPECT_THAT(r.out, HasSubstr("summary: 1 same, 1 port, 0 UNTAGGED, "
                               "0 MISSING, 0 OURS-ONLY, 0 ORDER; "
                               "3 lines differ (1 upstream, 2 ours) in "
                               "2 hunks, 0 untagged"));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(VmemAuditBinaryTest, UntaggedExitsOneAndShowsTheHunk) {
  const Result r =
      Run({Write("up.c", kUpstream), Write("ours/subr_vmem.cc", kOursUntagged)},
          "", "", kRegistry);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("UNTAGGED    gadget_size"));
  EXPECT_THAT(r.out, HasSubstr("@@ upstream L6 ours L6 @@ gadget_size "
                               "!! untagged\n"
                               "  gadget_size(struct gadget *g)\n"
                               "  {\n"
                               "- \treturn (g->g_size);\n"
                               "+ \treturn (g->g_size + 1);\n"));
}

TEST_F(VmemAuditBinaryTest, DiffShowsEveryHunk) {
  const Result r = Run({"--diff", Write("up.c", kUpstream),
                        Write("ours/subr_vmem.cc", kOursClean)},
                       "", "", kRegistry);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("@@ upstream L1 ours L1 @@ (file scope) "
                               "PORT(1)\n"));
  EXPECT_THAT(r.out, HasSubstr("+ \tgadget_free_args(__func__, g);"));
}

TEST_F(VmemAuditBinaryTest, MissingExitsOne) {
  const Result r =
      Run({Write("up.c", kUpstream), Write("ours/subr_vmem.cc", kOursMissing)},
          "", "", kRegistry);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("MISSING     gadget_free"));
}

TEST_F(VmemAuditBinaryTest, RegistryMismatchExitsOne) {
  const Result r =
      Run({Write("up.c", kUpstream), Write("ours/subr_vmem.cc", kOursClean)},
          "", "", kRegistry + "## 3. Unused\n");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("REGISTRY    " + dir_ +
                               "/ours/PORTING.md:6: entry 3 is cited by no "
                               "tag"));
}

TEST_F(VmemAuditBinaryTest, NoRegistryIsAUsageErrorUnlessWaived) {
  const std::string up = Write("up.c", kUpstream);
  const std::string ours = Write("lone/subr_vmem.cc", kOursClean);
  Result r = Run({up, ours});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read the registry"));
  r = Run({"--no-registry", up, ours});
  EXPECT_EQ(r.exit_code, 1) << "never clean without a registry";
  EXPECT_THAT(r.out, HasSubstr("(no registry)"));
  r = Run({"--registry=" + Write("elsewhere.md", kRegistry), up, ours});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(VmemAuditBinaryTest, FingerprintRoundTrip) {
  const std::string up = Write("freebsd/sys/kern/subr_vmem.c", kUpstream);
  const std::string fp = absl::StrCat(dir_, "/fp.txt");
  Result r = Run({"--write-fingerprint=" + fp,
                  "--commit=0123456789abcdef0123456789abcdef01234567",
                  absl::StrCat(dir_, "/freebsd")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("14 lines, 2 functions"));  // _KERNEL resolved
  EXPECT_THAT(ReadAll(fp), Not(HasSubstr("g_size")));
  const std::string ours = Write("ours/subr_vmem.cc", kOursClean);
  Write("ours/PORTING.md", kRegistry);
  r = Run({"--fingerprint=" + fp, "--ours=" + ours});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("FreeBSD 0123456789ab sys/kern/subr_vmem.c"));
  r = Run({"--fingerprint=" + fp, "--ours=" + ours, "--summary"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "Against FreeBSD commit `0123456789ab` of `sys/kern/subr_vmem.c` "
            "(with `_KERNEL` defined: 14 lines, 2 functions) the port audits "
            "clean: 2 of the 2 upstream functions are present, in upstream "
            "order, 1 of them unchanged, and 0 functions of our own are in "
            "it; 3 lines differ (1 of upstream's, 2 of ours) in 2 hunks, 0 "
            "of them untagged; 2 tags cite the 2 entries of "
            "`kern/PORTING.md`, 0 mismatches.\n");
  // From the fingerprint an untagged hunk shows upstream's line numbers.
  r = Run({"--fingerprint=" + fp,
           "--ours=" + Write("ours/subr_vmem.cc", kOursUntagged)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("- (upstream line 6)\n"
                               "+ \treturn (g->g_size + 1);\n"));
}

TEST_F(VmemAuditBinaryTest, DefaultsComeFromTheWorkspace) {
  const std::string up = Write("up.c", kUpstream);
  ASSERT_EQ(Run({"--write-fingerprint=" + absl::StrCat(dir_, "/fp.txt"),
                 "--commit=0123456789abcdef0123456789abcdef01234567", up})
                .exit_code,
            0);
  Write("ws/tools/audit/upstream_fingerprint.txt",
        ReadAll(absl::StrCat(dir_, "/fp.txt")));
  Write("ws/kern/subr_vmem.cc", kOursClean);
  Write("ws/kern/PORTING.md", kRegistry);
  Result r = Run({}, absl::StrCat("BUILD_WORKSPACE_DIRECTORY=", dir_, "/ws"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(dir_, "/ws/kern/subr_vmem.cc")));
  // Or the current directory.
  r = Run({}, "", absl::StrCat(dir_, "/ws"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ours:     kern/subr_vmem.cc"));
}

TEST_F(VmemAuditBinaryTest, UpstreamMayBeASourceTree) {
  Write("freebsd/sys/kern/subr_vmem.c", kUpstream);
  const Result r = Run(
      {absl::StrCat(dir_, "/freebsd"), Write("ours/subr_vmem.cc", kOursClean)},
      "", "", kRegistry);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("freebsd/sys/kern/subr_vmem.c"));
}

TEST_F(VmemAuditBinaryTest, RelativePathsFollowBuildWorkingDirectory) {
  Write("caller/up.c", kUpstream);
  Write("caller/ours/subr_vmem.cc", kOursClean);
  Write("caller/ours/PORTING.md", kRegistry);
  // As under bazel run: the tool runs elsewhere, the paths are the caller's.
  const Result r =
      Run({"up.c", "ours/subr_vmem.cc"},
          absl::StrCat("BUILD_WORKING_DIRECTORY=", dir_, "/caller"), "/");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(VmemAuditBinaryTest, UnresolvableUpstreamIsAnError) {
  const Result r = Run({Write("up.c", "#if _KERNEL > 1\n#endif\n"),
                        Write("ours/subr_vmem.cc", kOursClean)},
                       "", "", kRegistry);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot resolve _KERNEL: line 1:"));
}

TEST_F(VmemAuditBinaryTest, UsageErrors) {
  Result r = Run({"--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option --frobnicate"));
  EXPECT_THAT(r.err, HasSubstr("usage: vmem_audit"));
  r = Run({"a", "b", "c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("too many arguments"));
  r = Run({Write("up.c", kUpstream), absl::StrCat(dir_, "/no/such/file.cc")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read"));
  EXPECT_THAT(r.err, HasSubstr("no/such/file.cc"));
  EXPECT_THAT(r.out, IsEmpty());
  r = Run({"--fingerprint=" + absl::StrCat(dir_, "/none")});
  EXPECT_EQ(r.exit_code, 2);
  r = Run({"--write-fingerprint=x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("needs <upstream>"));
  r = Run({"--write-fingerprint=x", Write("up.c", kUpstream)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--commit"));
  r = Run({"--fingerprint=" + Write("bad.txt", "nonsense\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.txt: line 1: unexpected"));
}

TEST_F(VmemAuditBinaryTest, HelpExitsZero) {
  const Result r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: vmem_audit [options] [<upstream> "
                               "[<ours>]]"));
}

}  // namespace
