// A reference model of a vmem arena for differential testing: the arena's
// spans and allocations as plain interval sets, with an independent answer
// to "is there room for this request" (fit computed in 128-bit arithmetic,
// by brute reasoning rather than by vmem's free lists).
#ifndef TESTS_FUZZ_MODEL_H_
#define TESTS_FUZZ_MODEL_H_

#include <stdint.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <sys/vmem.h>

namespace vmem_fuzz {

// [start, start + size), size > 0.
struct Range {
  vmem_addr_t start;
  vmem_size_t size;
  bool operator==(const Range &o) const {
    return start == o.start && size == o.size;
  }
};

// The constraints of one vmem_xalloc() (vmem_alloc(): all defaults).
struct Constraints {
  vmem_size_t align = 0;  // 0: the quantum
  vmem_size_t phase = 0;
  vmem_size_t nocross = 0;
  vmem_addr_t minaddr = VMEM_ADDR_MIN;
  vmem_addr_t maxaddr = VMEM_ADDR_MAX;
};

// A panic the model says a call must end in: "panic: <function>: " and
// then each fragment, in order (the arena's name, the offending values,
// each with the word that says what it is). Empty function: no panic.
struct PanicPrediction {
  std::string kind;      // "<function>: <what>", one per distinct check
  std::string function;  // the function the panic names
  std::vector<std::string> fragments;

  bool empty() const { return function.empty(); }
  // The expected message, fragments joined by "...".
  std::string ToString() const;
};

// Whether the output of a process (its stderr) holds the panic line p
// predicts; otherwise *why says what is missing.
bool PanicMatches(const PanicPrediction &p, const std::string &output,
                  std::string *why);

// What vmem_import() asks of its source for a request: roundup(size, or
// size + 2 * align when align is above the quantum and the source is not
// an ximport one, to the import quantum), in vmem's 64-bit arithmetic.
// *overflow: that sum or the rounding wrapped past 2^64 (vmem then fails
// the request without importing).
vmem_size_t ImportSize(vmem_size_t size, vmem_size_t align, vmem_size_t quantum,
                       vmem_size_t import_quantum, bool ximport,
                       bool *overflow);

// Sorted, merged (adjacent ranges joined) list of ranges.
std::vector<Range> Normalize(std::vector<Range> ranges);
void NormalizeInPlace(std::vector<Range> *ranges);
std::string RangesToString(const std::vector<Range> &ranges);

class Model {
 public:
  explicit Model(vmem_size_t quantum, std::string name = "fuzz")
      : quantum_(quantum), name_(std::move(name)) {}

  vmem_size_t quantum() const { return quantum_; }
  // vmem_roundup_size().
  vmem_size_t RoundUp(vmem_size_t size) const {
    return (size + quantum_ - 1) & ~(quantum_ - 1);
  }

  // ---- Argument checks: what a careless caller gets. Each returns the
  // panic the call must end in, or an empty prediction if vmem accepts the
  // arguments (the call then behaves as the rest of the model says).

  // The flag bits vmem looks at (upstream's VMEM_FLAGS: M_NOWAIT,
  // M_WAITOK, M_USE_RESERVE, M_NOVM, the three fit strategies, and our
  // M_ENDALLOC); vmem masks every other bit off and ignores it.
  static int MaskFlags(int flags);
  // vmem_add(addr, size).
  PanicPrediction CheckAdd(vmem_addr_t addr, vmem_size_t size, int flags) const;
  // vmem_alloc(size0, flags) (x false; c must be the defaults) or
  // vmem_xalloc(size0, c, flags).
  PanicPrediction CheckAlloc(bool x, vmem_size_t size0, const Constraints &c,
                             int flags) const;
  // vmem_free(addr, size) (x false) or vmem_xfree(addr, size): the size
  // must round to the allocation's (rounded) size.
  PanicPrediction CheckFree(bool x, vmem_addr_t addr, vmem_size_t size) const;
  // The span an import function returned: at addr, of size (for an
  // ximport source; a plain source's span has the size asked).
  PanicPrediction CheckImported(vmem_addr_t addr, vmem_size_t size,
                                vmem_size_t asked, bool ximport) const;
  // vmem_set_import()/vmem_set_ximport(): only on an arena with no span.
  PanicPrediction CheckSetImport() const;
  // vmem_size(typemask).
  PanicPrediction CheckSizeQuery(int typemask) const;

  // Spans, as vmem keeps them: each import is a span; a static span is one
  // too, except that in an arena without a release function a static span
  // that starts where the previously added one ends extends it (vmem_add1()).
  bool OverlapsSpan(vmem_addr_t addr, vmem_size_t size) const;
  void AddSpan(vmem_addr_t addr, vmem_size_t size, bool imported);
  // vmem_add() in an arena without a release function.
  void AddStaticSpanMerging(vmem_addr_t addr, vmem_size_t size);
  // An imported span, given back to the source. REQUIRES: wholly free.
  void RemoveSpan(vmem_addr_t addr);
  bool HasSpan(vmem_addr_t addr, vmem_size_t size, bool imported) const;
  // Imported spans with nothing allocated in them; used_only: only those
  // that had an allocation once (vmem releases a span from vmem_xfree()).
  std::vector<Range> WhollyFreeImportedSpans(bool used_only) const;
  const std::map<vmem_addr_t, std::pair<vmem_size_t, bool>> &spans() const {
    return spans_;
  }

  // Allocations, with rounded sizes.
  // Whether [addr, addr + size) lies in one span and is wholly free.
  bool IsFree(vmem_addr_t addr, vmem_size_t size) const;
  void Allocate(vmem_addr_t addr, vmem_size_t size);
  // Returns the recorded (rounded) size. REQUIRES: allocated at addr.
  vmem_size_t Free(vmem_addr_t addr);
  const std::map<vmem_addr_t, vmem_size_t> &allocations() const {
    return allocs_;
  }

  vmem_size_t total() const { return total_; }
  vmem_size_t inuse() const { return inuse_; }

  // Free runs (maximal, within one model span), optionally cut at the
  // given addresses (a cut at p ends a run at p - 1 and starts one at p).
  std::vector<Range> FreeRuns(const std::set<vmem_addr_t> &cuts = {}) const;
  // The same into *out (cleared first; no cuts), reusing its storage.
  void FreeRunsInto(std::vector<Range> *out) const;
  // Lowest start of a rounded size that meets c in some free run, if any.
  bool FindFit(vmem_size_t size, const Constraints &c, vmem_addr_t *addrp,
               const std::set<vmem_addr_t> &cuts = {}) const;
  // Highest start of a rounded size that meets c in some free run, if any.
  bool FindHighestFit(vmem_size_t size, const Constraints &c,
                      vmem_addr_t *addrp) const;
  // Whether [addr, addr + size) meets the constraints.
  bool Meets(vmem_addr_t addr, vmem_size_t size, const Constraints &c) const;

  // All free space, all spans, all allocations: normalized.
  std::vector<Range> FreeSpace() const;
  std::vector<Range> SpanSpace() const;

 private:
  // The span holding addr, or spans_.end().
  std::map<vmem_addr_t, std::pair<vmem_size_t, bool>>::const_iterator SpanOf(
      vmem_addr_t addr) const;

  vmem_size_t quantum_;
  std::string name_;
  // start -> (size, imported)
  std::map<vmem_addr_t, std::pair<vmem_size_t, bool>> spans_;
  std::set<vmem_addr_t> used_spans_;  // imported spans allocated from once
  std::map<vmem_addr_t, vmem_size_t> allocs_;
  vmem_size_t total_ = 0;
  bool have_last_ = false;
  vmem_addr_t last_span_ = 0;  // start of the span added last
  vmem_size_t inuse_ = 0;
};

}  // namespace vmem_fuzz

#endif  // TESTS_FUZZ_MODEL_H_
