// The command-line tools run: vmemstat's workload and report (text and
// JSON, and its usage errors), and the benchmark binary's ratio table on a
// tiny run. Nothing here measures speed.
#include <stdio.h>
#include <sys/wait.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

struct Result {
  int status;
  std::string out;
};

Result run(const std::string &cmd) {
  Result r{-1, ""};
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

using ::testing::HasSubstr;

TEST(VmemstatTest, KernelScenarioReportsArenasAndZones) {
  Result r = run("tools/vmemstat --seconds=0.2 --threads=2");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char *s : {"vmem 'kva'", "vmem 'kmem'", "vmem 'pid'",
                        "hash buckets:", "order size", "ITEM", "vmem btag:",
                        "kmem-4096:", "buf-4k:",
                        "all allocations freed and arenas destroyed"})
    EXPECT_THAT(r.out, HasSubstr(s));
}

TEST(VmemstatTest, JsonOutput) {
  Result r = run("tools/vmemstat --seconds=0.1 --scenario=ids --json");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("{\"scenario\": \"ids\""));
  EXPECT_THAT(r.out, HasSubstr("\"arenas\": ["));
  EXPECT_THAT(r.out, HasSubstr("\"name\": \"ids\""));
  EXPECT_THAT(r.out, HasSubstr("\"zones\": ["));
}

TEST(VmemstatTest, BadFlagsExplainThemselves) {
  Result r = run("tools/vmemstat --threads=0");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.out, HasSubstr("--threads must be 1 to 64"));
  EXPECT_THAT(r.out, HasSubstr("usage: vmemstat"));
  r = run("tools/vmemstat --scenario=nope");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.out, HasSubstr("unknown scenario 'nope'"));
  r = run("tools/vmemstat --seconds=-1");
  EXPECT_EQ(r.status, 2);
  r = run("tools/vmemstat extra");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.out, HasSubstr("unexpected argument 'extra'"));
}

TEST(VmemBenchTest, TinyRunPrintsTheRatioTable) {
  Result r = run(
      "tools/vmem_bench --benchmark_min_time=0.001 "
      "--benchmark_filter='BM_SmallPair|BM_TlsStack'");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("BM_SmallPair/cached"));
  EXPECT_THAT(r.out, HasSubstr("small pair, uncached / cached (1 thread)"));
}

}  // namespace
