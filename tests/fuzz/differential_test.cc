// The differential driver (driver.h) on many seeded random streams and on
// the seed corpus: vmem and the reference model must agree throughout.
#include <stdio.h>
#include <stdlib.h>

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
         total.ToString().c_str(),
         PredictionLedger::Get().Report().c_str());
  if (getenv("VMEM_FUZZ_SEED") != nullptr) return;
  // The streams must exercise the paths they are meant to.
  EXPECT_GT(total.allocs, 1000);
  EXPECT_GT(total.alloc_failures, 100);
  EXPECT_GT(total.imports, 100);
  EXPECT_GT(total.releases, 50);
  EXPECT_GT(total.spans_added, 100);
}

TEST(DifferentialTest, SeedCorpus) {
  const char *names[] = {"static_q1", "static_q16", "static_q4096",
                         "import_q1", "import_q16", "import_q4096",
                         "nextfit_cursor", "top_of_space"};
  int found = 0;
  for (const char *name : names) {
    std::string path = std::string("tests/fuzz/corpus/") + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    found++;
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    std::string error;
    EXPECT_TRUE(RunStream(data.data(), data.size(), DriverOptions(), nullptr,
                          &error))
        << name << ": " << error;
  }
  EXPECT_EQ(found, 8) << "seed corpus files missing";
}

}  // namespace
}  // namespace vmem_fuzz
