// The differential driver: decodes an operation stream from bytes, applies
// each operation to a vmem arena and to the reference model (model.h), and
// checks after every operation that they agree.
//
// Stream layout: byte 0 picks the quantum (1, 16 or 4096), whether the
// arena imports from a fake source (through vmem_set_import(), or
// vmem_set_ximport() when (byte / 24) % 3 == 2), the import quantum and
// the gap between imported spans; every further
// operation is an opcode byte and its argument bytes (missing bytes read as
// 0; the stream ends when the bytes do). Opcodes below 0xe0 are the
// careful caller's (opcode % 10: add a span, allocate, allocate with
// constraints, free, toggle the source's failure, set a limit, free all);
// every such request is M_NOWAIT with one fit strategy, and the arena has
// no quantum cache (qcache_max 0). Opcodes 0xe0 and up are a careless
// caller's: vmem_add() of unaligned, empty, wrapping or top-of-space spans;
// allocations of size 0 or near 2^64, with any flag bits (unknown ones,
// none or two fit strategies, M_NOWAIT|M_WAITOK, waiting requests,
// M_NOVM), with unmeetable or invalid constraints, with a NULL addrp;
// frees of a wrong size, of size 0, of unknown or interior addresses,
// double frees; an import function that returns an unaligned, wrapping,
// short, unrounded or larger span, or fails once; vmem_set_import() on an
// arena with spans; vmem_size() with any typemask.
//
// For each operation the model says either how it behaves (then it runs
// here and is checked as below) or that it must panic, and with what
// message (the function, the arena, the values), or that it must sleep for
// ever (a waiting request nothing can satisfy). Those never run here: the
// first few of each kind per process run in a fork()ed child (child.h),
// which must die of SIGABRT after printing the predicted panic, or still be
// asleep after a while; the rest are counted as predicted and skipped. A
// child that does otherwise is a divergence, like any other.
//
// Checks after every operation: vmem_verify(); the busy segments are
// exactly the model's allocations, the free segments cover exactly the
// model's free space, the spans cover exactly the model's spans;
// vmem_size() for VMEM_ALLOC, VMEM_FREE and both matches the model; the
// fake source's live spans are the model's imported spans, and a span was
// given back exactly when it became wholly free. After every allocation:
// the range was free in the model, lies in one span and meets its
// constraints. After every failure: the model has no free run where the
// request fits (unconstrained or not), unless an import was refused or
// the limit stopped it. In an importing arena the model also plays the
// imports a request makes (their sizes, the limit, where the source puts
// them) and predicts the outcome exactly: success or failure, and how many
// spans it imports.
#ifndef TESTS_FUZZ_DRIVER_H_
#define TESTS_FUZZ_DRIVER_H_

#include <stddef.h>
#include <stdint.h>

#include <chrono>
#include <string>
#include <vector>

#include <sys/vmem.h>

#include "tests/fuzz/child.h"
#include "tests/fuzz/model.h"
#include "tests/util/concurrency.h"
#include "tests/util/fake_source.h"

namespace vmem_fuzz {

struct DriverOptions {
  // Operations the model says must panic, or sleep for ever, are never run
  // in this process: this many of each kind per process are run in a
  // fork()ed child and checked (-1: every one; 0: none), the rest counted.
  int verify_per_kind = 3;
  // How long a child that must panic may take; how long one that must
  // sleep is watched (tests/util/concurrency.h's bounds).
  int child_timeout_ms = static_cast<int>(
      std::chrono::milliseconds(test_util::kHangTimeout).count());
  int child_sleep_ms = static_cast<int>(test_util::kSettle.count());
  // A hung child is retried this many times (see child.h) before it counts
  // as a divergence.
  int child_retries = 2;
  // Test hook: alter every panic prediction (its arena name), so that a
  // correct vmem must be reported as diverging.
  bool corrupt_predictions = false;
  // Print every operation to stderr.
  bool trace = false;
};

struct DriverStats {
  int64_t ops = 0;  // every decoded operation, whatever became of it
  int64_t allocs = 0;
  int64_t alloc_failures = 0;
  int64_t frees = 0;
  int64_t spans_added = 0;
  int64_t imports = 0;
  int64_t releases = 0;
  // The careless caller's operations (opcodes 0xe0 and up).
  int64_t careless_ops = 0;
  int64_t null_addrp_allocs = 0;   // allocations made with addrp NULL
  int64_t placements_checked = 0;  // windowed or M_ENDALLOC, predicted
  int64_t waiting_allocs = 0;      // made without M_NOWAIT (they fitted)
  int64_t odd_imports = 0;         // misbehaving imports vmem accepted
  // Predictions of a panic (or of sleeping for ever): checked in a child,
  // or counted and skipped.
  int64_t predicted_panics = 0;
  int64_t panics_verified = 0;
  int64_t predicted_sleeps = 0;
  int64_t sleeps_verified = 0;
  int64_t child_retries = 0;  // hung children retried
  // Operations not made, and why.
  int64_t import_size_wraps = 0;       // failed: the import size wraps
  int64_t import_overlap_skipped = 0;  // the source would hand out a span
                                       // that overlaps the arena's
  int64_t novm_skipped = 0;  // waiting M_NOVM requests that may need the
                             // tag zone (its state decides, not the arena's)
  int64_t novm_enomem = 0;   // M_NOWAIT|M_NOVM requests that failed for
                             // want of boundary tags (allowed)

  void Add(const DriverStats &o);
  // One line per group of counters.
  std::string ToString() const;
};

// Every stream run in this process, added up (RunStream() adds to it).
DriverStats ProcessStats();

// Runs one stream. Returns true if vmem and the model agreed throughout;
// otherwise *error says where they parted. The arena is destroyed at the
// end either way (after freeing what the stream left allocated).
bool RunStream(const uint8_t *data, size_t size, const DriverOptions &options,
               DriverStats *stats, std::string *error);

}  // namespace vmem_fuzz

#endif  // TESTS_FUZZ_DRIVER_H_
