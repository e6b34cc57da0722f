// Runs the vmem_audit binary as a subprocess: exit codes, argument
// handling and where it looks for the files.

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Lines(const std::vector<std::string>& lines) {
  return absl::StrJoin(lines, "\n") + "\n";
}

const std::string kUpstream = Lines({
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
    "\tfree(g);",
    "}",
});

// Same code, our comments, one tagged change.
const std::string kOursClean = Lines({
    "/* Our translation. */",
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size);\t/* in units */",
    "}",
    "",
    "void",
    "gadget_free(struct gadget *g)",
    "{",
    "\tKASSERT(g != NULL, (\"null\"));\t/* PORT: a message */",
    "\tfree(g);",
    "}",
});

const std::string kOursUntagged = Lines({
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size + 1);",
    "}",
    "",
    "void",
    "gadget_free(struct gadget *g)",
    "{",
    "\tMPASS(g != NULL);",
    "\tfree(g);",
    "}",
});

const std::string kOursMissing = Lines({
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size);",
    "}",
});

const std::string kOursSwapped = Lines({
    "void",
    "gadget_free(struct gadget *g)",
    "{",
    "\tMPASS(g != NULL);",
    "\tfree(g);",
    "}",
    "",
    "static int",
    "gadget_size(struct gadget *g)",
    "{",
    "\treturn (g->g_size);",
    "}",
});

const std::string kOursExtra = kOursClean + Lines({
                                                "",
                                                "int",
                                                "gadget_verify(void)",
                                                "{",
                                                "\treturn (0);",
                                                "}",
                                            });

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

class VmemAuditBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    ASSERT_NE(tmp, nullptr);
    const ::testing::TestInfo* info =
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
  std::string Write(const std::string& relative, const std::string& text) {
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
  Result Run(const std::vector<std::string>& args, const std::string& env = "",
             const std::string& cwd = "") {
    std::string cmd = absl::StrCat(
        "cd ", Quote(cwd.empty() ? dir_ : cwd),
        " && env -u BUILD_WORKSPACE_DIRECTORY -u BUILD_WORKING_DIRECTORY ",
        env, " ", Quote(binary_));
    for (const std::string& a : args) absl::StrAppend(&cmd, " ", Quote(a));
    const std::string out = absl::StrCat(dir_, "/stdout");
    const std::string err = absl::StrCat(dir_, "/stderr");
    absl::StrAppend(&cmd, " >", Quote(out), " 2>", Quote(err));
    const int status = std::system(cmd.c_str());
    Result r;
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.out = ReadAll(out);
    r.err = ReadAll(err);
    return r;
  }

  std::string dir_;
  std::string binary_;
};

TEST_F(VmemAuditBinaryTest, CleanExitsZero) {
  const std::string up = Write("up.c", kUpstream);
  const std::string ours = Write("ours.cc", kOursClean);
  const Result r = Run({up, ours});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("whitespace  gadget_size"));
  EXPECT_THAT(r.out, HasSubstr("port        gadget_free"));
  EXPECT_THAT(r.out, HasSubstr("summary: 0 same, 1 whitespace, 1 port, "
                               "0 UNTAGGED, 0 MISSING, 0 ours-only, 0 ORDER"));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(VmemAuditBinaryTest, OursOnlyIsStillClean) {
  const Result r =
      Run({Write("up.c", kUpstream), Write("ours.cc", kOursExtra)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ours-only   gadget_verify"));
}

TEST_F(VmemAuditBinaryTest, UntaggedExitsOne) {
  const Result r =
      Run({Write("up.c", kUpstream), Write("ours.cc", kOursUntagged)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("UNTAGGED    gadget_size"));
  EXPECT_THAT(r.out, Not(HasSubstr("!! untagged")));
}

TEST_F(VmemAuditBinaryTest, DiffShowsUntaggedHunks) {
  const Result r = Run(
      {"--diff", Write("up.c", kUpstream), Write("ours.cc", kOursUntagged)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("!! untagged"));
  EXPECT_THAT(r.out, HasSubstr("- return (g->g_size);\n"
                               "+ return (g->g_size + 1);"));
}

TEST_F(VmemAuditBinaryTest, MissingExitsOne) {
  const Result r =
      Run({Write("up.c", kUpstream), Write("ours.cc", kOursMissing)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("MISSING     gadget_free"));
}

TEST_F(VmemAuditBinaryTest, OrderExitsOne) {
  const Result r =
      Run({Write("up.c", kUpstream), Write("ours.cc", kOursSwapped)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ORDER"));
  EXPECT_THAT(r.out, HasSubstr("1 ORDER"));
}

TEST_F(VmemAuditBinaryTest, UpstreamMayBeASourceTree) {
  Write("freebsd/sys/kern/subr_vmem.c", kUpstream);
  const Result r =
      Run({absl::StrCat(dir_, "/freebsd"), Write("ours.cc", kOursClean)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("freebsd/sys/kern/subr_vmem.c"));
}

TEST_F(VmemAuditBinaryTest, DefaultOursUnderBuildWorkspaceDirectory) {
  Write("ws/kern/subr_vmem.cc", kOursClean);
  const std::string up = Write("up.c", kUpstream);
  const Result r =
      Run({up}, absl::StrCat("BUILD_WORKSPACE_DIRECTORY=", dir_, "/ws"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(dir_, "/ws/kern/subr_vmem.cc")));
}

TEST_F(VmemAuditBinaryTest, DefaultOursRelativeToCwd) {
  Write("checkout/kern/subr_vmem.cc", kOursUntagged);
  const std::string up = Write("up.c", kUpstream);
  const Result r = Run({up}, "", absl::StrCat(dir_, "/checkout"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ours:     kern/subr_vmem.cc"));
}

TEST_F(VmemAuditBinaryTest, RelativePathsFollowBuildWorkingDirectory) {
  Write("caller/up.c", kUpstream);
  Write("caller/ours.cc", kOursClean);
  // As under bazel run: the tool runs elsewhere, the paths are the caller's.
  const Result r = Run({"up.c", "ours.cc"},
                       absl::StrCat("BUILD_WORKING_DIRECTORY=", dir_,
                                    "/caller"),
                       "/");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(VmemAuditBinaryTest, NoArgumentsIsAUsageError) {
  const Result r = Run({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing <upstream>"));
  EXPECT_THAT(r.err, HasSubstr("usage: vmem_audit"));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST_F(VmemAuditBinaryTest, UnknownFlagIsAUsageError) {
  const Result r = Run({"--frobnicate", Write("up.c", kUpstream)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option --frobnicate"));
  EXPECT_THAT(r.err, HasSubstr("usage: vmem_audit"));
}

TEST_F(VmemAuditBinaryTest, TooManyArgumentsIsAUsageError) {
  const std::string up = Write("up.c", kUpstream);
  const Result r = Run({up, up, up});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("too many arguments"));
}

TEST_F(VmemAuditBinaryTest, UnreadableFileIsAUsageError) {
  const Result r = Run({Write("up.c", kUpstream),
                        absl::StrCat(dir_, "/no/such/file.cc")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read"));
  EXPECT_THAT(r.err, HasSubstr("no/such/file.cc"));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST_F(VmemAuditBinaryTest, TreeWithoutSubrVmemIsAUsageError) {
  mkdir(absl::StrCat(dir_, "/empty_tree").c_str(), 0755);
  const Result r = Run(
      {absl::StrCat(dir_, "/empty_tree"), Write("ours.cc", kOursClean)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("empty_tree/sys/kern/subr_vmem.c"));
}

TEST_F(VmemAuditBinaryTest, FileWithoutFunctionsIsAUsageError) {
  const Result r = Run({Write("up.c", "int x;\n"), Write("ours.cc", kOursClean)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no function definitions found"));
}

TEST_F(VmemAuditBinaryTest, HelpExitsZero) {
  const Result r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: vmem_audit [--diff] <upstream> [<ours>]"));
}

}  // namespace
