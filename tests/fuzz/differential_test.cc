// The differential driver (driver.h) on many seeded random streams and on
// the seed corpus: vmem and the reference model must agree throughout.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/driver.h"

namespace vmem_fuzz {
namespace {

std::vector<uint8_t> RandomStream(uint32_t seed, size_t len, uint8_t header) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(len);
  for (auto &b : v) b = static_cast<uint8_t>(rng());
  v[0] = header;
  return v;
}

void RunMany(int first_seed, int count, DriverStats *total) {
  for (int seed = first_seed; seed < first_seed + count; seed++) {
    // Cover every header class: quantum x mode x import quantum x gap.
    uint8_t header = static_cast<uint8_t>(seed * 37);
    std::vector<uint8_t> s = RandomStream(seed, 64 + seed % 512, header);
    DriverStats st;
    std::string error;
    DriverOptions options;
    // Debugging: VMEM_FUZZ_SEED=n traces stream n (and runs only it).
    const char *only = getenv("VMEM_FUZZ_SEED");
    if (only != nullptr) {
      if (atoi(only) != seed) continue;
      options.trace = true;
    }
    bool ok = RunStream(s.data(), s.size(), options, &st, &error);
    ASSERT_TRUE(ok) << "seed " << seed << ": " << error;
    total->Add(st);
  }
}

TEST(DifferentialTest, SeededRandomStreams) {
  DriverStats total;
  RunMany(1, 1200, &total);
  printf("%s\npredictions checked in a child, by kind:\n%s",
         total.ToString().c_str(), PredictionLedger::Get().Report().c_str());
  if (getenv("VMEM_FUZZ_SEED") != nullptr) return;
  // The streams must exercise the paths they are meant to.
  EXPECT_GT(total.allocs, 1000);
  EXPECT_GT(total.alloc_failures, 100);
  EXPECT_GT(total.imports, 100);
  EXPECT_GT(total.releases, 50);
  EXPECT_GT(total.spans_added, 100);
}

// Every file of the seed corpus, with every predicted panic and sleep
// checked in a child (the careless_* files are careless_streams.h).
TEST(DifferentialTest, SeedCorpus) {
  const std::string dir = "tests/fuzz/corpus";
  std::vector<std::string> names;
  if (DIR *d = opendir(dir.c_str())) {
    while (struct dirent *e = readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  DriverOptions options;
  options.verify_per_kind = -1;
  DriverStats total;
  for (const std::string &name : names) {
    std::ifstream in(dir + "/" + name, std::ios::binary);
    ASSERT_TRUE(in) << name;
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    std::string error;
    EXPECT_TRUE(RunStream(data.data(), data.size(), options, &total, &error))
        << name << ": " << error;
  }
  printf("%zu files: %s\n", names.size(), total.ToString().c_str());
  EXPECT_GE(names.size(), 17u) << "seed corpus files missing";
  EXPECT_GT(total.panics_verified, 20);
  EXPECT_EQ(total.panics_verified, total.predicted_panics);
}

}  // namespace
}  // namespace vmem_fuzz
