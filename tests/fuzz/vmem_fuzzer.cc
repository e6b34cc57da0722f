// libFuzzer target: runs the differential driver (driver.h) on each input
// and crashes (abort) when vmem and the model disagree; vmem's own panics
// (vmem_verify(), KASSERT) abort too. Known upstream limitations are
// tolerated, as in differential_test.cc.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "tests/fuzz/driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vmem_fuzz::DriverOptions options;
  options.trace = getenv("VMEM_FUZZ_TRACE") != nullptr;
  std::string error;
  if (!vmem_fuzz::RunStream(data, size, options, nullptr, &error)) {
    fprintf(stderr, "vmem_fuzzer: vmem and the model disagree: %s\n",
            error.c_str());
    abort();
  }
  return 0;
}
