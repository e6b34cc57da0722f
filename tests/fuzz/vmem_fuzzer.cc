// libFuzzer target: runs the differential driver (driver.h) on each input
// and crashes (abort) when vmem and the model disagree; vmem's own panics
// (vmem_verify(), KASSERT) abort too. Operations the model says must panic
// are checked in fork()ed children (a few of each kind per process).
//
// At exit (libFuzzer ends with exit() after -runs or -max_total_time) it
// prints the operations it ran:
//   vmem_fuzzer: N operations, 0 divergences
// and the driver's counters; run_fuzzer.sh adds these up. A divergence
// aborts at once, so a process that prints the line has none.
//
// Environment: VMEM_FUZZ_TRACE=1 prints every operation;
// VMEM_FUZZ_VERIFY_PER_KIND=n checks n predictions of each kind in a child
// (-1: all, 0: none; default 3); VMEM_FUZZ_CORRUPT_PREDICTIONS=1 alters
// every panic prediction, so that the first one checked is reported as a
// divergence (to see that a run fails as it should).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "tests/fuzz/child.h"
#include "tests/fuzz/driver.h"

namespace {

vmem_fuzz::DriverOptions options;

void PrintTotals() {
  vmem_fuzz::DriverStats st = vmem_fuzz::ProcessStats();
  vmem_fuzz::PredictionLedger &ledger = vmem_fuzz::PredictionLedger::Get();
  std::string counters;
  for (char c : "vmem_fuzzer: " + st.ToString()) {
    counters += c;
    if (c == '\n') counters += "vmem_fuzzer: ";
  }
  fprintf(stderr,
          "vmem_fuzzer: %lld operations, 0 divergences\n%s\n"
          "vmem_fuzzer: predictions checked in a child, by kind:\n%s",
          static_cast<long long>(st.ops), counters.c_str(),
          ledger.Report().c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  options.trace = getenv("VMEM_FUZZ_TRACE") != nullptr;
  if (const char *v = getenv("VMEM_FUZZ_VERIFY_PER_KIND"))
    options.verify_per_kind = atoi(v);
  options.corrupt_predictions =
      getenv("VMEM_FUZZ_CORRUPT_PREDICTIONS") != nullptr;
  atexit(PrintTotals);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string error;
  if (!vmem_fuzz::RunStream(data, size, options, nullptr, &error)) {
    fprintf(stderr, "vmem_fuzzer: vmem and the model disagree: %s\n",
            error.c_str());
    abort();
  }
  return 0;
}
