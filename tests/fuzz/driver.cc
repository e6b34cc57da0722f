#include "tests/fuzz/driver.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include <sys/vmem_ext.h>

namespace vmem_fuzz {

using test_util::FakeSource;

namespace {
using u128 = unsigned __int128;
}  // namespace

// ---- statistics

void DriverStats::Add(const DriverStats &o) {
  ops += o.ops;
  allocs += o.allocs;
  alloc_failures += o.alloc_failures;
  frees += o.frees;
  spans_added += o.spans_added;
  imports += o.imports;
  releases += o.releases;
  careless_ops += o.careless_ops;
  null_addrp_allocs += o.null_addrp_allocs;
  placements_checked += o.placements_checked;
  waiting_allocs += o.waiting_allocs;
  odd_imports += o.odd_imports;
  predicted_panics += o.predicted_panics;
  panics_verified += o.panics_verified;
  predicted_sleeps += o.predicted_sleeps;
  sleeps_verified += o.sleeps_verified;
  child_retries += o.child_retries;
  import_size_wraps += o.import_size_wraps;
  import_overlap_skipped += o.import_overlap_skipped;
  novm_skipped += o.novm_skipped;
  novm_enomem += o.novm_enomem;
}

std::string DriverStats::ToString() const {
  char buf[1024];
  snprintf(buf, sizeof(buf),
           "ops %lld (careless %lld): allocs %lld (failed %lld, addrp NULL "
           "%lld, waiting %lld, placement predicted %lld), frees %lld, spans "
           "added %lld, imports %lld (odd accepted %lld), releases %lld\n"
           "predicted panics %lld (verified in a child %lld), predicted "
           "sleeps %lld (verified %lld), hung children retried %lld\n"
           "import size wraps %lld; not made: import "
           "overlap %lld, waiting M_NOVM %lld; "
           "M_NOVM ENOMEM %lld",
           (long long)ops, (long long)careless_ops, (long long)allocs,
           (long long)alloc_failures, (long long)null_addrp_allocs,
           (long long)waiting_allocs, (long long)placements_checked,
           (long long)frees, (long long)spans_added, (long long)imports,
           (long long)odd_imports, (long long)releases,
           (long long)predicted_panics, (long long)panics_verified,
           (long long)predicted_sleeps, (long long)sleeps_verified,
           (long long)child_retries, (long long)import_size_wraps,
           (long long)import_overlap_skipped, (long long)novm_skipped,
           (long long)novm_enomem);
  return buf;
}

namespace {
std::mutex process_stats_mu;
DriverStats process_stats;
}  // namespace

DriverStats ProcessStats() {
  std::lock_guard<std::mutex> lock(process_stats_mu);
  return process_stats;
}

// ---- the driver

namespace {

constexpr int kMaxOps = 300;
constexpr int kSlots = 16;
constexpr vmem_size_t kSlotQuanta = 256;
constexpr vmem_addr_t kSourceBase = 0x10000000;
constexpr int kSourceCapacity = 48;
// Careless opcodes: 0xe0 and up; below, the careful ones (opcode % 10).
constexpr uint8_t kCarelessOpcodes = 0xe0;
// BT_MAXALLOC in kern/subr_vmem.cc: with this many spare tags in stock an
// operation takes none from the tag zone before it imports.
constexpr int kBtMaxAlloc = 4;

class Reader {
 public:
  Reader(const uint8_t *data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= static_cast<uint64_t>(u8()) << (8 * i);
    return v;
  }

 private:
  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
};

struct Live {
  vmem_addr_t addr;
  vmem_size_t size0;  // as requested
  bool x;             // vmem_xalloc (free with vmem_xfree)
};

// Segments as vmem_walk_segments() reports them, in list order.
struct Seg {
  vmem_addr_t start;
  vmem_size_t size;
  int type;
};

void Collect(void *arg, vmem_addr_t start, vmem_size_t size, int type) {
  static_cast<std::vector<Seg> *>(arg)->push_back({start, size, type});
}

std::string FlagsName(int flags) {
  std::string s;
  static const struct {
    int bit;
    const char *name;
  } kNames[] = {{M_BESTFIT, "bestfit"}, {M_FIRSTFIT, "firstfit"},
                {M_NEXTFIT, "nextfit"}, {M_ENDALLOC, "endalloc"},
                {M_NOWAIT, "nowait"},   {M_WAITOK, "waitok"},
                {M_NOVM, "novm"},       {M_USE_RESERVE, "use_reserve"}};
  int rest = flags;
  for (const auto &n : kNames) {
    if ((flags & n.bit) == 0) continue;
    if (!s.empty()) s += "|";
    s += n.name;
    rest &= ~n.bit;
  }
  if (rest != 0 || s.empty()) {
    char buf[24];
    snprintf(buf, sizeof(buf), "%s%#x", s.empty() ? "" : "|",
             static_cast<unsigned>(rest));
    s += buf;
  }
  return s;
}

// One allocation request, careful or careless.
struct Request {
  bool x = false;  // vmem_xalloc() (else vmem_alloc(); c: the defaults)
  vmem_size_t size0 = 0;
  Constraints c;
  int flags = 0;  // as passed
  bool null_addrp = false;
};

// What the model says a valid request does.
struct Fetch {
  enum Kind {
    kFitsNow,           // fits in the arena's free space
    kFitsAfterImports,  // fits after `imports` imports
    kFails,             // M_NOWAIT: ENOMEM; waiting: sleeps for ever
    kPanics,            // an import returns a span vmem refuses: `panic`
    kImportOverflow,    // the import size wraps: ENOMEM, no import
    kImportOverlap,     // the source would hand out a span the arena has
  };
  Kind kind = kFails;
  int imports = 0;
  PanicPrediction panic;
};

class Runner {
 public:
  Runner(const uint8_t *data, size_t size, const DriverOptions &options,
         DriverStats *stats)
      : rd_(data, size), opt_(options), st_(stats), model_(1) {}

  bool Run(std::string *error);

 private:
  bool Fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
  void Trace(const char *fmt, ...) __attribute__((format(printf, 2, 3)));

  vmem_addr_t SlotBase(int i) const {
    if (i == kSlots - 1)  // the top of the address space
      return VMEM_ADDR_MAX - kSlotQuanta * q_ + 1;
    return static_cast<vmem_addr_t>(i) * kSlotQuanta * q_;
  }

  vmem_size_t ReadSize();
  int ReadFit();
  bool AddSpan();
  bool Alloc(bool constrained);
  bool DoAlloc(const Request &rq);
  Fetch PredictFetch(vmem_size_t size, const Constraints &c,
                     vmem_size_t limit) const;
  bool FreeOne(size_t index);
  bool SetLimit();
  bool SyncSource(int imports_before, int allocated_span_hint);
  bool Check();
  std::vector<Seg> Walk() const;
  std::set<vmem_addr_t> CursorCuts(const std::vector<Seg> &segs) const;
  int SpareTags() const;

  // The careless caller.
  bool Careless(uint8_t op);
  vmem_size_t Shaped64();
  int CarelessFlags();
  bool CarelessAdd();
  bool CarelessAlloc();
  bool CarelessFree();
  bool ArmSource();
  bool SetImport();
  bool SizeQuery();
  void Freed(vmem_addr_t addr, vmem_size_t size0);

  // Predicted panics and sleeps: checked in a child, never run here.
  bool ExpectPanic(const PanicPrediction &p, const std::function<void()> &op);
  bool ExpectSleep(const char *function, const std::function<void()> &op);

  Reader rd_;
  const DriverOptions &opt_;
  DriverStats *st_;
  Model model_;
  vmem_t *vm_ = nullptr;
  FakeSource *src_ = nullptr;
  vmem_size_t q_ = 1;
  vmem_size_t import_quantum_ = 0;
  vmem_size_t limit_ = 0;
  std::vector<Live> live_;
  std::vector<Live> freed_;  // recently freed, for double frees
  // Check()'s buffers.
  std::vector<Seg> segs_;
  std::vector<Range> busy_, free_, spans_, mfree_;
  int op_ = 0;
  std::string error_;
};

bool Runner::Fail(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (error_.empty()) {
    char head[128];
    snprintf(head, sizeof(head), "op %d (quantum %#zx, %s): ", op_, q_,
             src_ == nullptr         ? "static"
             : src_->state().ximport ? "ximporting"
                                     : "importing");
    error_ = std::string(head) + buf;
  }
  return false;
}

void Runner::Trace(const char *fmt, ...) {
  if (!opt_.trace) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "[%d] ", op_);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

std::vector<Seg> Runner::Walk() const {
  std::vector<Seg> segs;
  vmem_walk_segments(vm_, VMEM_WALK_ALLOC | VMEM_WALK_FREE | VMEM_WALK_SPAN,
                     &Collect, &segs);
  return segs;
}

int Runner::SpareTags() const {
  struct vmem_stats vs;
  vmem_get_stats(vm_, &vs);
  return vs.vs_free_tags;
}

// Two free segments that abut with no span between: only the next-fit
// cursor parts them. Returns where the second starts.
std::set<vmem_addr_t> Runner::CursorCuts(const std::vector<Seg> &segs) const {
  std::set<vmem_addr_t> cuts;
  for (size_t i = 1; i < segs.size(); i++) {
    const Seg &a = segs[i - 1], &b = segs[i];
    if (a.type == VMEM_WALK_FREE && b.type == VMEM_WALK_FREE &&
        static_cast<unsigned __int128>(a.start) + a.size == b.start)
      cuts.insert(b.start);
  }
  return cuts;
}

bool Runner::ExpectPanic(const PanicPrediction &predicted,
                         const std::function<void()> &op) {
  st_->predicted_panics++;
  PanicPrediction p = predicted;
  if (opt_.corrupt_predictions && !p.fragments.empty())
    p.fragments[0] += "-not-this-arena";
  Trace("  must panic: %s", p.ToString().c_str());
  PredictionLedger &ledger = PredictionLedger::Get();
  if (!ledger.ShouldVerify(p.kind, opt_.verify_per_kind)) {
    ledger.Record(p.kind, false);
    return true;
  }
  for (int attempt = 0;; attempt++) {
    ChildResult r = RunInChild(op, ChildMode::kPanic, 0, opt_.child_timeout_ms);
    if (r.outcome == ChildResult::kTimedOut && attempt < opt_.child_retries) {
      st_->child_retries++;
      continue;
    }
    std::string why;
    if (!CheckPanicked(p, r, &why))
      return Fail("the model says this must panic (\"%s\"), but %s",
                  p.ToString().c_str(), why.c_str());
    Trace("  panicked as predicted in a child (%.1f ms)", r.ms);
    ledger.Record(p.kind, true);
    st_->panics_verified++;
    return true;
  }
}

bool Runner::ExpectSleep(const char *function,
                         const std::function<void()> &op) {
  st_->predicted_sleeps++;
  std::string kind = std::string(function) + ": sleeps for ever";
  Trace("  must sleep for ever");
  PredictionLedger &ledger = PredictionLedger::Get();
  if (!ledger.ShouldVerify(kind, opt_.verify_per_kind)) {
    ledger.Record(kind, false);
    return true;
  }
  ChildResult r = RunInChild(op, ChildMode::kSleep, opt_.child_sleep_ms,
                             opt_.child_timeout_ms);
  std::string why;
  if (!CheckAsleep(r, &why))
    return Fail("the model says this %s sleeps for ever, but %s", function,
                why.c_str());
  Trace("  asleep as predicted in a child");
  ledger.Record(kind, true);
  st_->sleeps_verified++;
  return true;
}

vmem_size_t Runner::ReadSize() {
  uint8_t b = rd_.u8();
  vmem_size_t quanta = (b & 0x80) ? 1 + (b & 0x7f) * 3 : 1 + (b & 0x0f);
  vmem_size_t under = q_ > 1 ? rd_.u8() % q_ : 0;  // an unrounded size
  return quanta * q_ - under;
}

int Runner::ReadFit() {
  uint8_t b = rd_.u8();
  static const int kFits[3] = {M_BESTFIT, M_FIRSTFIT, M_NEXTFIT};
  int flags = kFits[b % 3] | M_NOWAIT;
  if ((b & 0x10) != 0 && (flags & M_NEXTFIT) == 0) flags |= M_ENDALLOC;
  return flags;
}

bool Runner::AddSpan() {
  uint8_t b = rd_.u8(), o = rd_.u8(), l = rd_.u8();
  int slot = b % kSlots;
  vmem_size_t off, len;
  if ((b & 0x10) != 0) {  // the whole slot: may abut its neighbours
    off = 0;
    len = kSlotQuanta;
  } else {
    off = o % kSlotQuanta;
    len = 1 + l % (kSlotQuanta - off);
  }
  vmem_addr_t addr = SlotBase(slot) + off * q_;
  vmem_size_t size = len * q_;
  if (model_.OverlapsSpan(addr, size)) return true;  // misuse: skip
  Trace("vmem_add(%#" PRIxPTR ", %#zx)", addr, size);
  int error = vmem_add(vm_, addr, size, M_NOWAIT);
  if (error != 0)
    return Fail("vmem_add(%#" PRIxPTR ", %#zx) = %d", addr, size, error);
  if (src_ != nullptr)
    model_.AddSpan(addr, size, false);
  else
    model_.AddStaticSpanMerging(addr, size);
  st_->spans_added++;
  return true;
}

bool Runner::Alloc(bool constrained) {
  vmem_size_t size0 = ReadSize();
  int flags = ReadFit();
  vmem_size_t size = model_.RoundUp(size0);
  Constraints c;
  if (constrained) {
    uint8_t a = rd_.u8(), p = rd_.u8(), n = rd_.u8(), m = rd_.u8();
    c.align = (a & 7) == 7 ? 0 : q_ << (a & 7);
    vmem_size_t align = c.align == 0 ? q_ : c.align;
    c.phase = (a & 0x80) ? (p % (align / q_)) * q_ : 0;
    if ((n & 3) != 0) {
      vmem_size_t nc = q_;
      while (nc < size) nc <<= 1;
      c.nocross = nc << (n >> 2) % 4;
      unsigned __int128 ph = c.phase;
      if (ph / c.nocross != (ph + size - 1) / c.nocross) c.nocross = 0;
    }
    if ((m & 3) != 0 && (flags & M_NEXTFIT) == 0 && !model_.spans().empty()) {
      // Bounds inside some span, or below/above everything.
      auto it = model_.spans().begin();
      std::advance(it, rd_.u8() % model_.spans().size());
      vmem_size_t span = it->second.first;
      vmem_size_t unaligned = (m & 0x80) ? rd_.u8() % q_ : 0;
      if ((m & 1) != 0)
        c.minaddr = it->first + (rd_.u16() % (span / q_)) * q_ + unaligned;
      if ((m & 2) != 0) {
        unsigned __int128 mx = static_cast<unsigned __int128>(c.minaddr) +
                               (rd_.u16() % (2 * span / q_ + 1)) * q_;
        c.maxaddr =
            mx > VMEM_ADDR_MAX ? VMEM_ADDR_MAX : static_cast<vmem_addr_t>(mx);
      }
    }
  }
  Request rq;
  rq.x = constrained;
  rq.size0 = size0;
  rq.c = c;
  rq.flags = flags;
  return DoAlloc(rq);
}

// The model's play of what vmem_xalloc() does when the request does not fit
// the free space: vmem_import() (the limit, then the source), the checks
// of the span it returns, and the search again; until it fits or the
// source (or the limit) refuses.
Fetch Runner::PredictFetch(vmem_size_t size, const Constraints &c,
                           vmem_size_t limit) const {
  Fetch f;
  vmem_addr_t fit;
  if (model_.FindFit(size, c, &fit)) {
    f.kind = Fetch::kFitsNow;
    return f;
  }
  if (src_ == nullptr) return f;  // kFails
  FakeSource::State st = src_->state();
  Model m = model_;
  vmem_size_t total = model_.total();
  const vmem_size_t align = c.align == 0 ? q_ : c.align;
  for (;;) {
    bool overflow;
    vmem_size_t isize =
        ImportSize(size, align, q_, import_quantum_, st.ximport, &overflow);
    if (overflow) {
      f.kind = Fetch::kImportOverflow;
      return f;
    }
    if (limit != 0 && limit < total + isize) return f;  // kFails
    FakeSource::Span span;
    if (!FakeSource::Plan(&st, isize, align, &span)) return f;  // refused
    f.imports++;
    f.panic = model_.CheckImported(span.addr, span.size, isize, st.ximport);
    if (!f.panic.empty()) {
      f.kind = Fetch::kPanics;
      return f;
    }
    // An ximport span beyond the limit goes straight back.
    if (st.ximport && limit != 0 && limit < total + span.size) return f;
    if (m.OverlapsSpan(span.addr, span.size)) {
      f.kind = Fetch::kImportOverlap;
      return f;
    }
    m.AddSpan(span.addr, span.size, true);
    total += span.size;
    if (m.FindFit(size, c, &fit)) {
      f.kind = Fetch::kFitsAfterImports;
      return f;
    }
  }
}

bool Runner::DoAlloc(const Request &rq) {
  const vmem_size_t size0 = rq.size0;
  const Constraints &c = rq.c;
  const vmem_size_t size = model_.RoundUp(size0);
  const int masked = Model::MaskFlags(rq.flags);
  const bool waiting = (masked & M_NOWAIT) == 0;
  const bool novm = (masked & M_NOVM) != 0;
  const char *fn = rq.x ? "vmem_xalloc" : "vmem_alloc";
  bool unconstrained = (c.align == 0 || c.align == q_) && c.phase == 0 &&
                       c.nocross == 0 && c.minaddr == VMEM_ADDR_MIN &&
                       c.maxaddr == VMEM_ADDR_MAX;
  vmem_t *vm = vm_;
  auto call = [vm, rq](vmem_addr_t *addrp) {
    if (rq.null_addrp) addrp = nullptr;
    if (rq.x)
      return vmem_xalloc(vm, rq.size0, rq.c.align, rq.c.phase, rq.c.nocross,
                         rq.c.minaddr, rq.c.maxaddr, rq.flags, addrp);
    return vmem_alloc(vm, rq.size0, rq.flags, addrp);
  };
  auto op = [call] {
    vmem_addr_t addr;
    call(&addr);
  };
  Trace("%s(%#zx, align %#zx, phase %#zx, nocross %#zx, min %#" PRIxPTR
        ", max %#" PRIxPTR ", %s%s)",
        fn, size0, c.align, c.phase, c.nocross, c.minaddr, c.maxaddr,
        FlagsName(rq.flags).c_str(), rq.null_addrp ? ", addrp NULL" : "");
  const Fetch f = PredictFetch(size, c, limit_);
  switch (f.kind) {
    case Fetch::kImportOverflow:
      Trace("  the import size wraps: fails without importing");
      st_->import_size_wraps++;
      break;
    case Fetch::kImportOverlap:
      Trace("  not made: the source would hand out a span the arena has");
      st_->import_overlap_skipped++;
      src_->Disarm();
      return true;
    case Fetch::kPanics: {
      // A careless import function: vmem must refuse its span.
      bool ok = ExpectPanic(f.panic, op);
      src_->Disarm();  // the caller's source, fixed
      return ok;
    }
    default:
      break;
  }
  // With this many spare tags and no import, the request takes no tag
  // from the zone: M_NOVM cannot fail it.
  const bool tags_ok = f.kind == Fetch::kFitsNow && SpareTags() >= kBtMaxAlloc;
  const bool fails =
      f.kind == Fetch::kFails || f.kind == Fetch::kImportOverflow;
  if (waiting) {
    // M_NOVM with an empty tag zone fails even a waiting request (ENOMEM,
    // or "failed to allocate waiting allocation"): the zone decides.
    if (novm && !tags_ok) {
      Trace("  not made: waiting M_NOVM request may need tags");
      st_->novm_skipped++;
      return true;
    }
    if (fails) return ExpectSleep(fn, op);
  }
  int imports_before = src_ != nullptr ? src_->import_count() : 0;
  int refused_before = src_ != nullptr ? src_->refused() : 0;
  const bool armed =
      src_ != nullptr && src_->state().odd != FakeSource::kNormal;
  vmem_addr_t addr = 0;
  int error = call(&addr);
  Trace("  = %d, %#" PRIxPTR, error, addr);
  if (armed && src_->state().odd == FakeSource::kNormal &&
      src_->import_count() != imports_before)
    st_->odd_imports++;  // a misbehaving import vmem had to accept
  // Spans the request imported, and any it released (next fit's merge).
  if (!SyncSource(imports_before, error == 0 ? 1 : 0)) return false;
  const int imported =
      src_ != nullptr ? src_->import_count() - imports_before : 0;
  if (error == 0) {
    if (rq.null_addrp) {
      // The new busy segment is the allocation.
      std::vector<Seg> segs;
      vmem_walk_segments(vm_, VMEM_WALK_ALLOC, &Collect, &segs);
      bool found = false;
      for (const Seg &s : segs) {
        if (model_.allocations().count(s.start) != 0) continue;
        if (found)
          return Fail(
              "%s(addrp NULL) made more than one busy "
              "segment",
              fn);
        found = true;
        addr = s.start;
      }
      if (!found)
        return Fail(
            "%s(addrp NULL) succeeded, but there is no "
            "new busy segment",
            fn);
      st_->null_addrp_allocs++;
    }
    if (!model_.IsFree(addr, size))
      return Fail("%s(%#zx, %s) returned %#" PRIxPTR
                  ", which is not free space of one span in the model",
                  fn, size0, FlagsName(rq.flags).c_str(), addr);
    if (!model_.Meets(addr, size, c))
      return Fail(
          "vmem_xalloc(%#zx, align %#zx, phase %#zx, nocross %#zx, "
          "min %#" PRIxPTR ", max %#" PRIxPTR ") returned %#" PRIxPTR
          ", which breaks the constraints",
          size0, c.align, c.phase, c.nocross, c.minaddr, c.maxaddr, addr);
    if (fails)
      return Fail("%s(%#zx) succeeded at %#" PRIxPTR
                  ", but the model finds "
                  "no room even after importing",
                  fn, size0, addr);
    // A windowed request takes the lowest fit in its window, M_ENDALLOC
    // the highest (kern/PORTING.md entries 39 and 33).
    const bool windowed =
        c.minaddr > VMEM_ADDR_QCACHE_MIN || c.maxaddr < VMEM_ADDR_MAX;
    const bool high = (masked & M_ENDALLOC) != 0;
    if ((masked & M_NEXTFIT) == 0 && (windowed || high) &&
        f.kind == Fetch::kFitsNow && imported == 0) {
      vmem_addr_t want;
      const bool found = high ? model_.FindHighestFit(size, c, &want)
                              : model_.FindFit(size, c, &want);
      if (!found || want != addr)
        return Fail(
            "vmem_xalloc(%#zx, align %#zx, phase %#zx, nocross "
            "%#zx, min %#" PRIxPTR ", max %#" PRIxPTR
            ", %s) "
            "returned %#" PRIxPTR "; the model's %s fit is %#" PRIxPTR,
            size0, c.align, c.phase, c.nocross, c.minaddr, c.maxaddr,
            FlagsName(rq.flags).c_str(), addr, high ? "highest" : "lowest",
            found ? want : 0);
      st_->placements_checked++;
    }
    if (imported != f.imports)
      return Fail(
          "%s(%#zx) imported %d span(s); the model's play imports "
          "%d",
          fn, size0, imported, f.imports);
    model_.Allocate(addr, size);
    live_.push_back({addr, size0, rq.x});
    st_->allocs++;
    if (waiting) st_->waiting_allocs++;
    // Unused imports are checked once the allocation is in the model.
    return SyncSource(imports_before, 2);
  }
  st_->alloc_failures++;
  if (error != ENOMEM)
    return Fail("allocation failed with %d, not ENOMEM", error);
  if (waiting)
    return Fail("the waiting request %s(%#zx, %s) failed with ENOMEM", fn,
                size0, FlagsName(rq.flags).c_str());
  if (novm && !tags_ok) {
    // No boundary tags without going to the VM: allowed, arena unchanged.
    st_->novm_enomem++;
    return true;
  }
  vmem_addr_t fit;
  if (model_.FindFit(size, c, &fit)) {
    return Fail("%s(%#zx, align %#zx, phase %#zx, nocross %#zx, min %#" PRIxPTR
                ", max %#" PRIxPTR
                ", %s) failed, but the model fits it at "
                "%#" PRIxPTR "; free runs:%s",
                fn, size0, c.align, c.phase, c.nocross, c.minaddr, c.maxaddr,
                FlagsName(rq.flags).c_str(), fit,
                RangesToString(model_.FreeRuns()).c_str());
  }
  if (f.kind == Fetch::kFitsAfterImports)
    return Fail(
        "%s(%#zx, %s) failed, but the model imports %d span(s) and "
        "fits it",
        fn, size0, FlagsName(rq.flags).c_str(), f.imports);
  if (imported != f.imports)
    return Fail(
        "%s(%#zx) imported %d span(s) and failed; the model's play "
        "imports %d",
        fn, size0, imported, f.imports);
  if (src_ != nullptr && unconstrained) {
    vmem_size_t isize =
        (size + import_quantum_ - 1) / import_quantum_ * import_quantum_;
    bool refused = src_->refused() > refused_before;
    bool limited = limit_ != 0 && limit_ < model_.total() + isize;
    // (An ximport span beyond the limit is imported and given back.)
    if (!refused && !limited && imported == 0 &&
        f.kind != Fetch::kImportOverflow)
      return Fail(
          "unconstrained %s(%#zx, %s) failed without asking the "
          "source or hitting the limit (%#zx, total %#zx)",
          fn, size0, FlagsName(rq.flags).c_str(), limit_, model_.total());
  }
  return true;
}

void Runner::Freed(vmem_addr_t addr, vmem_size_t size0) {
  if (freed_.size() >= 16) freed_.erase(freed_.begin());
  freed_.push_back({addr, size0, false});
}

bool Runner::FreeOne(size_t index) {
  Live l = live_[index];
  live_[index] = live_.back();
  live_.pop_back();
  Trace("%s(%#" PRIxPTR ", %#zx)", l.x ? "vmem_xfree" : "vmem_free", l.addr,
        l.size0);
  if (l.x)
    vmem_xfree(vm_, l.addr, l.size0);
  else
    vmem_free(vm_, l.addr, l.size0);
  model_.Free(l.addr);
  Freed(l.addr, l.size0);
  st_->frees++;
  return SyncSource(src_ != nullptr ? src_->import_count() : 0, 0);
}

bool Runner::SetLimit() {
  uint8_t b = rd_.u8();
  limit_ = (b & 7) == 0 ? 0 : model_.total() + (b >> 3) % 5 * import_quantum_;
  Trace("vmem_set_limit(%#zx)", limit_);
  vmem_set_limit(vm_, limit_);
  return true;
}

// ---- the careless caller

// A 64-bit value from a few bytes, shaped to land on the edges.
vmem_size_t Runner::Shaped64() {
  uint8_t k = rd_.u8();
  switch (k % 8) {
    case 0:
      return rd_.u8();
    case 1:
      return static_cast<vmem_size_t>(rd_.u8()) * q_;
    case 2:
      return VMEM_ADDR_MAX - rd_.u8();
    case 3:
      return static_cast<vmem_size_t>(1) << (rd_.u8() % 64);
    case 4:
      return (static_cast<vmem_size_t>(1) << (rd_.u8() % 64)) +
             static_cast<int8_t>(rd_.u8());
    case 5:
      return 0 - static_cast<vmem_size_t>(rd_.u8()) * q_;
    case 6:
      return rd_.u64();
    default:
      return SlotBase(rd_.u8() % kSlots) + rd_.u8() * q_;
  }
}

// Flags as a careless caller passes them: mostly one fit strategy and
// M_NOWAIT, but also none or several strategies, M_WAITOK, neither or
// both, M_ENDALLOC, M_NOVM, M_USE_RESERVE and bits vmem does not know.
int Runner::CarelessFlags() {
  uint8_t a = rd_.u8(), b = rd_.u8();
  static const int kFits[3] = {M_BESTFIT, M_FIRSTFIT, M_NEXTFIT};
  int flags = 0;
  switch (a & 7) {
    case 5:  // none
      break;
    case 6:  // two
      flags = kFits[(a >> 3) % 3] | kFits[((a >> 3) + 1) % 3];
      break;
    case 7:  // all three
      flags = M_BESTFIT | M_FIRSTFIT | M_NEXTFIT;
      break;
    default:
      flags = kFits[(a >> 3) % 3];
  }
  switch ((a >> 5) & 3) {
    case 0:
    case 1:
      flags |= M_NOWAIT;
      break;
    case 2:
      flags |= M_WAITOK;
      break;
    default:
      flags |= (b & 1) != 0 ? M_NOWAIT | M_WAITOK : 0;
  }
  if ((a & 0x80) != 0 && (b & 0x80) != 0) flags |= M_ENDALLOC;
  if ((b & 6) == 6) flags |= M_NOVM;
  if ((b & 8) != 0) flags |= M_USE_RESERVE;
  // Bits vmem does not look at (M_ZERO and others, the sign bit, all).
  static const int kUnknown[16] = {0,
                                   0,
                                   0,
                                   0x1,
                                   0x4,
                                   0x8,
                                   0x10,
                                   0x40,
                                   M_ZERO,
                                   0x10000,
                                   0x20000,
                                   0x100000,
                                   0x1000000,
                                   0x40000000,
                                   static_cast<int>(0x80000000u),
                                   ~Model::MaskFlags(~0)};
  flags |= kUnknown[(b >> 4) % 16];
  return flags;
}

bool Runner::Careless(uint8_t op) {
  st_->careless_ops++;
  switch (op % 32) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return CarelessAdd();
    case 16:
    case 17:
    case 18:
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
      return CarelessFree();
    case 24:
    case 25:
    case 26:
    case 27:
      return ArmSource();
    case 28:
      return SetImport();
    case 29:
      return SizeQuery();
    default:  // 6..15, 30, 31
      return CarelessAlloc();
  }
}

bool Runner::CarelessAdd() {
  uint8_t k = rd_.u8(), b = rd_.u8(), o = rd_.u8(), l = rd_.u8(), r = rd_.u8();
  int flags = CarelessFlags();
  int slot = b % kSlots;
  vmem_size_t off = o % kSlotQuanta;
  vmem_size_t len = 1 + l % (kSlotQuanta - off);
  vmem_addr_t addr = SlotBase(slot) + off * q_;
  vmem_size_t size = len * q_;
  vmem_size_t odd = q_ > 1 ? 1 + r % (q_ - 1) : 0;  // 0 if all is aligned
  switch (k % 8) {
    case 0:  // a good span, careless flags
      break;
    case 1:  // an unaligned start (the case that corrupted -c opt builds)
      addr += odd;
      break;
    case 2:  // a size that is not a quantum multiple
      size += odd;
      break;
    case 3:  // empty
      size = 0;
      break;
    case 4:  // wraps past VMEM_ADDR_MAX
      addr = VMEM_ADDR_MAX - len * q_ + 1;
      size = (len + 1 + r % 16) * q_;
      break;
    case 5:  // ends at VMEM_ADDR_MAX exactly
      addr = 0 - size;
      break;
    case 6:  // huge: [2^62, 2^63) less a few quanta
      addr = static_cast<vmem_addr_t>(1) << 62;
      size = (static_cast<vmem_size_t>(1) << 62) - (l % 4) * q_;
      break;
    default:  // anything
      addr = Shaped64();
      size = Shaped64();
  }
  Trace("vmem_add(%#" PRIxPTR ", %#zx, %s)", addr, size,
        FlagsName(flags).c_str());
  PanicPrediction p = model_.CheckAdd(addr, size, flags);
  vmem_t *vm = vm_;
  if (!p.empty())
    return ExpectPanic(
        p, [vm, addr, size, flags] { vmem_add(vm, addr, size, flags); });
  const int masked = Model::MaskFlags(flags);
  const bool tags_ok = SpareTags() >= kBtMaxAlloc;
  int error = vmem_add(vm_, addr, size, flags);
  if (error != 0) {
    if (error == ENOMEM && (masked & M_NOVM) != 0 && !tags_ok) {
      st_->novm_enomem++;
      return true;
    }
    return Fail("vmem_add(%#" PRIxPTR ", %#zx, %s) = %d", addr, size,
                FlagsName(flags).c_str(), error);
  }
  if (src_ != nullptr)
    model_.AddSpan(addr, size, false);
  else
    model_.AddStaticSpanMerging(addr, size);
  st_->spans_added++;
  return true;
}

bool Runner::CarelessAlloc() {
  uint8_t k = rd_.u8();
  Request rq;
  rq.x = (k & 1) != 0;
  rq.null_addrp = (k & 6) == 6;
  rq.flags = CarelessFlags();
  uint8_t s = rd_.u8();
  switch (s % 8) {
    case 0:
      rq.size0 = 0;
      break;
    case 4: {  // near 2^64
      static const vmem_size_t kHuge[8] = {
          VMEM_ADDR_MAX,
          q_ > 1 ? 0 - q_ + 1 : VMEM_ADDR_MAX,
          0 - q_,
          0 - 2 * q_,
          static_cast<vmem_size_t>(1) << 63,
          static_cast<vmem_size_t>(1) << 62,
          (static_cast<vmem_size_t>(1) << 62) - 4 * q_,
          ((static_cast<vmem_size_t>(1) << 63) + 1)};
      rq.size0 = kHuge[rd_.u8() % 8];
      break;
    }
    case 5: {  // as large as some free run, or a byte more
      std::vector<Range> runs = model_.FreeRuns();
      uint8_t b = rd_.u8();
      rq.size0 = runs.empty() ? q_ : runs[b % runs.size()].size + (b >> 7);
      break;
    }
    case 6:
      rq.size0 = Shaped64();
      break;
    default:
      rq.size0 = ReadSize();
  }
  if (rq.x) {
    uint8_t a = rd_.u8(), p = rd_.u8(), n = rd_.u8(), m = rd_.u8();
    uint8_t v = rd_.u8();
    const vmem_size_t size = model_.RoundUp(rq.size0);
    Constraints &c = rq.c;
    switch (a % 8) {
      case 0:
      case 1:
        c.align = 0;
        break;
      case 2:
      case 3:
        c.align = q_ << (v % 10);
        break;
      case 4:  // not a power of two
        c.align = 3 * q_ << (v % 4);
        break;
      case 5:  // not a quantum multiple (or, at quantum 1, zero)
        c.align = q_ / 2;
        break;
      case 6:
        c.align = static_cast<vmem_size_t>(1) << 63;
        break;
      default:
        c.align = Shaped64();
    }
    const vmem_size_t align = c.align == 0 ? q_ : c.align;
    switch (p % 8) {
      case 0:
      case 1:
      case 2:
        c.phase = 0;
        break;
      case 3:  // valid when align is
        c.phase = align > q_ ? (v % (align / q_)) * q_ : 0;
        break;
      case 4:  // align itself
        c.phase = c.align;
        break;
      case 5:  // beyond align
        c.phase = align + q_;
        break;
      case 6:  // not a quantum multiple
        c.phase = q_ / 2 + (q_ > 1 ? q_ : 1);
        break;
      default:
        c.phase = Shaped64();
    }
    switch (n % 8) {
      case 0:
      case 1:
      case 2:
        c.nocross = 0;
        break;
      case 3: {  // a power of two at least the size
        vmem_size_t nc = q_;
        while (nc < size && nc < (static_cast<vmem_size_t>(1) << 63)) nc <<= 1;
        c.nocross = nc << (v % 3);
        break;
      }
      case 4:  // a power of two below the size
        c.nocross = size >= 2 * q_ ? q_ : q_ * 2;
        break;
      case 5:  // not a power of two
        c.nocross = 3 * q_ << (v % 4);
        break;
      case 6:
        c.nocross = static_cast<vmem_size_t>(1) << 63;
        break;
      default:
        c.nocross = Shaped64();
    }
    switch (m % 8) {
      case 0:
      case 1:
      case 2:
        break;
      case 3:
        if (!model_.spans().empty()) {  // a window inside a span
          auto it = model_.spans().begin();
          std::advance(it, v % model_.spans().size());
          vmem_size_t quanta = it->second.first / q_;
          c.minaddr = it->first + (rd_.u8() % quanta) * q_;
          c.maxaddr = c.minaddr + (rd_.u8() % quanta) * q_ + q_ - 1;
          if (c.maxaddr < c.minaddr) c.maxaddr = VMEM_ADDR_MAX;
        }
        break;
      case 4:  // minaddr above maxaddr
        c.minaddr = SlotBase(v % kSlots) + q_;
        c.maxaddr = c.minaddr - 1 - rd_.u8();
        break;
      case 5:  // the top of the address space
        c.minaddr = VMEM_ADDR_MAX - rd_.u8() * q_;
        break;
      case 6:  // one address
        c.minaddr = c.maxaddr = SlotBase(v % kSlots) + rd_.u8() * q_;
        break;
      default:
        c.minaddr = Shaped64();
        c.maxaddr = Shaped64();
    }
  }
  PanicPrediction p = model_.CheckAlloc(rq.x, rq.size0, rq.c, rq.flags);
  if (!p.empty()) {
    Trace("%s(%#zx, align %#zx, phase %#zx, nocross %#zx, min %#" PRIxPTR
          ", max %#" PRIxPTR ", %s%s)",
          rq.x ? "vmem_xalloc" : "vmem_alloc", rq.size0, rq.c.align, rq.c.phase,
          rq.c.nocross, rq.c.minaddr, rq.c.maxaddr, FlagsName(rq.flags).c_str(),
          rq.null_addrp ? ", addrp NULL" : "");
    vmem_t *vm = vm_;
    return ExpectPanic(p, [vm, rq] {
      vmem_addr_t addr;
      vmem_addr_t *addrp = rq.null_addrp ? nullptr : &addr;
      if (rq.x)
        vmem_xalloc(vm, rq.size0, rq.c.align, rq.c.phase, rq.c.nocross,
                    rq.c.minaddr, rq.c.maxaddr, rq.flags, addrp);
      else
        vmem_alloc(vm, rq.size0, rq.flags, addrp);
    });
  }
  return DoAlloc(rq);
}

bool Runner::CarelessFree() {
  uint8_t k = rd_.u8(), a = rd_.u8(), b = rd_.u8();
  bool x = (k & 1) != 0;
  int kind = (k >> 1) % 8;
  vmem_addr_t addr = 0;
  vmem_size_t size = 0;
  if (live_.empty() && kind != 5) kind = 6;
  if (kind == 5 && freed_.empty()) kind = 6;
  const Live *l = live_.empty() ? nullptr : &live_[a % live_.size()];
  if (l != nullptr) {
    addr = l->addr;
    size = l->size0;
  }
  const vmem_size_t rounded = model_.RoundUp(size);
  switch (kind) {
    case 0:  // right (either function frees either kind here)
      break;
    case 1:
      size = 0;
      break;
    case 2:  // another size: some round to the same, some not
      switch (b % 4) {
        case 0:
          size = rounded - b % q_;
          break;
        case 1:
          size = rounded + q_ * (1 + b % 4);
          break;
        case 2:
          size = rounded - q_;
          break;
        default:
          size = rounded + 1;
      }
      break;
    case 3: {  // near 2^64
      static const vmem_size_t kHuge[3] = {VMEM_ADDR_MAX, 0 - q_ + 1,
                                           static_cast<vmem_size_t>(1) << 63};
      size = kHuge[b % 3];
      break;
    }
    case 4:  // inside the allocation, or just past it
      addr += rounded > q_ ? q_ * (1 + b % (rounded / q_ - 1)) : rounded;
      break;
    case 5: {  // freed already: a double free (unless it came back)
      const Live &f = freed_[a % freed_.size()];
      addr = f.addr;
      size = f.size0;
      break;
    }
    case 6:  // anywhere
      addr = (b & 1) != 0 ? Shaped64() : SlotBase(b % kSlots) + a * q_;
      size = q_ * (1 + b % 8);
      break;
    default:  // not quantum-aligned
      addr += q_ > 1 ? 1 + b % (q_ - 1) : 1;
  }
  const char *fn = x ? "vmem_xfree" : "vmem_free";
  Trace("careless %s(%#" PRIxPTR ", %#zx)", fn, addr, size);
  PanicPrediction p = model_.CheckFree(x, addr, size);
  vmem_t *vm = vm_;
  if (!p.empty())
    return ExpectPanic(p, [vm, x, addr, size] {
      if (x)
        vmem_xfree(vm, addr, size);
      else
        vmem_free(vm, addr, size);
    });
  // Valid: the model has an allocation at addr of that rounded size.
  size_t index = live_.size();
  for (size_t i = 0; i < live_.size(); i++)
    if (live_[i].addr == addr) index = i;
  if (index == live_.size())
    return Fail("the model has an allocation at %#" PRIxPTR
                " that the driver does not",
                addr);
  live_[index] = live_.back();
  live_.pop_back();
  if (x)
    vmem_xfree(vm_, addr, size);
  else
    vmem_free(vm_, addr, size);
  model_.Free(addr);
  Freed(addr, size);
  st_->frees++;
  return SyncSource(src_ != nullptr ? src_->import_count() : 0, 0);
}

bool Runner::ArmSource() {
  uint8_t k = rd_.u8(), b = rd_.u8();
  if (src_ == nullptr) return true;
  FakeSource::Odd odd =
      static_cast<FakeSource::Odd>(1 + k % (FakeSource::kOddCount - 1));
  vmem_size_t param = 0;
  switch (odd) {
    case FakeSource::kUnaligned:
      param = q_ > 1 ? 1 + b % (q_ - 1) : 0;
      break;
    case FakeSource::kWrap:
      param = q_ * (1 + b % 4);
      break;
    case FakeSource::kShort:
      param = q_ * (1 + b % 2);
      break;
    case FakeSource::kLarge:
      param = q_ * (1 + b % 64);
      break;
    default:
      break;
  }
  Trace("source: next import odd (%d, %#zx)", static_cast<int>(odd), param);
  src_->Arm(odd, param);
  return true;
}

bool Runner::SetImport() {
  uint8_t k = rd_.u8();
  bool x = (k & 1) != 0;
  vmem_size_t iq = q_ << (2 * ((k >> 1) % 4));
  Trace("%s(import quantum %#zx)", x ? "vmem_set_ximport" : "vmem_set_import",
        iq);
  PanicPrediction p = model_.CheckSetImport();
  vmem_t *vm = vm_;
  FakeSource *src = src_;
  if (!p.empty())
    return ExpectPanic(p, [vm, src, x, iq] {
      FakeSource spare(kSourceBase, 0, 1);
      FakeSource *s = src != nullptr ? src : &spare;
      if (x)
        s->AttachX(vm, iq);
      else
        s->Attach(vm, iq);
    });
  if (src_ == nullptr) return Fail("an arena with no span and no source");
  if (x)
    src_->AttachX(vm_, iq);
  else
    src_->Attach(vm_, iq);
  import_quantum_ = iq;
  return true;
}

bool Runner::SizeQuery() {
  uint8_t k = rd_.u8();
  static const int kMasks[16] = {VMEM_ALLOC,
                                 VMEM_FREE,
                                 VMEM_ALLOC | VMEM_FREE,
                                 VMEM_MAXFREE,
                                 VMEM_ALLOC,
                                 VMEM_FREE,
                                 VMEM_ALLOC | VMEM_FREE,
                                 VMEM_MAXFREE,
                                 0,
                                 0x4,
                                 VMEM_MAXFREE | VMEM_ALLOC,
                                 0x20,
                                 -1,
                                 static_cast<int>(0x80000000u),
                                 0x13,
                                 0x80};
  int typemask = kMasks[k % 16];
  Trace("vmem_size(%#x)", static_cast<unsigned>(typemask));
  PanicPrediction p = model_.CheckSizeQuery(typemask);
  vmem_t *vm = vm_;
  if (!p.empty())
    return ExpectPanic(p, [vm, typemask] { vmem_size(vm, typemask); });
  vmem_size_t got = vmem_size(vm_, typemask);
  vmem_size_t want = 0;
  switch (typemask) {
    case VMEM_ALLOC:
      want = model_.inuse();
      break;
    case VMEM_FREE:
      want = model_.total() - model_.inuse();
      break;
    case VMEM_ALLOC | VMEM_FREE:
      want = model_.total();
      break;
    default:
      return true;  // VMEM_MAXFREE: Check() bounds it
  }
  if (got != want)
    return Fail("vmem_size(%#x) = %#zx; the model says %#zx",
                static_cast<unsigned>(typemask), got, want);
  return true;
}

// Brings the model's imported spans in line with the source: new imports
// join the model, and releases leave it. Then checks that vmem gave back
// exactly the used imported spans that are wholly free. imports_before:
// the source's import count before the operation (spans imported since
// and not used must have been given back: PORT(21)).
bool Runner::SyncSource(int imports_before, int phase) {
  if (src_ == nullptr) return true;
  if (src_->bad_releases() != 0)
    return Fail(
        "vmem released a span the source did not hand out, or with "
        "another size");
  std::map<vmem_addr_t, vmem_size_t> live = src_->live();
  std::vector<vmem_addr_t> gone;
  for (const auto &s : model_.spans())
    if (s.second.second && live.count(s.first) == 0) gone.push_back(s.first);
  for (vmem_addr_t a : gone) {
    vmem_size_t size = model_.spans().at(a).first;
    auto free_spans = model_.WhollyFreeImportedSpans(false);
    if (std::find(free_spans.begin(), free_spans.end(), Range{a, size}) ==
        free_spans.end())
      return Fail("vmem released span %#" PRIxPTR
                  "+%#zx, which has "
                  "allocations in the model",
                  a, size);
    Trace("  released %#" PRIxPTR "+%#zx", a, size);
    model_.RemoveSpan(a);
    st_->releases++;
  }
  for (const auto &s : live) {
    if (model_.HasSpan(s.first, s.second, true)) continue;
    if (model_.OverlapsSpan(s.first, s.second))
      return Fail("imported span %#" PRIxPTR " overlaps the model's spans",
                  s.first);
    Trace("  imported %#" PRIxPTR "+%#zx", s.first, s.second);
    model_.AddSpan(s.first, s.second, true);
    st_->imports++;
  }
  if (phase == 1) return true;  // the allocation is not in the model yet
  // Used imported spans that are wholly free must be gone.
  for (const Range &r : model_.WhollyFreeImportedSpans(true)) {
    std::set<vmem_addr_t> cuts = CursorCuts(Walk());
    auto c = cuts.lower_bound(r.start);
    bool split =
        c != cuts.end() && static_cast<unsigned __int128>(*c) <
                               static_cast<unsigned __int128>(r.start) + r.size;
    return Fail("imported span %#" PRIxPTR
                "+%#zx is wholly free but was not "
                "released%s",
                r.start, r.size,
                split ? " (the next-fit cursor parts its free space)" : "");
  }
  // Spans imported by this operation and left unused.
  if (phase != 0 || imports_before != src_->import_count()) {
    std::vector<Range> unused;
    for (const Range &r : model_.WhollyFreeImportedSpans(false)) {
      auto used = model_.WhollyFreeImportedSpans(true);
      if (std::find(used.begin(), used.end(), r) == used.end())
        unused.push_back(r);
    }
    if (!unused.empty())
      return Fail(
          "a failed or satisfied request left imported span(s) "
          "unused and unreleased:%s",
          RangesToString(unused).c_str());
  }
  return true;
}

bool Runner::Check() {
  vmem_verify(vm_);  // panics on a broken invariant
  // The buffers keep their storage from one operation to the next.
  segs_.clear();
  vmem_walk_segments(vm_, VMEM_WALK_ALLOC | VMEM_WALK_FREE | VMEM_WALK_SPAN,
                     &Collect, &segs_);
  busy_.clear();
  free_.clear();
  spans_.clear();
  vmem_size_t maxseg = 0;
  for (const Seg &s : segs_) {
    if (s.type == VMEM_WALK_ALLOC) busy_.push_back({s.start, s.size});
    if (s.type == VMEM_WALK_FREE) {
      free_.push_back({s.start, s.size});
      maxseg = std::max(maxseg, s.size);
    }
    if (s.type == VMEM_WALK_SPAN) spans_.push_back({s.start, s.size});
  }
  auto by_start = [](const Range &a, const Range &b) {
    return a.start < b.start;
  };
  std::sort(busy_.begin(), busy_.end(), by_start);
  bool same = busy_.size() == model_.allocations().size();
  auto a = model_.allocations().begin();
  for (size_t i = 0; same && i < busy_.size(); i++, ++a)
    same = busy_[i].start == a->first && busy_[i].size == a->second;
  if (!same) {
    std::vector<Range> mbusy;
    for (const auto &m : model_.allocations())
      mbusy.push_back({m.first, m.second});
    return Fail("busy segments differ: vmem%s; model%s",
                RangesToString(busy_).c_str(), RangesToString(mbusy).c_str());
  }
  NormalizeInPlace(&free_);
  model_.FreeRunsInto(&mfree_);
  NormalizeInPlace(&mfree_);
  if (free_ != mfree_)
    return Fail("free space differs: vmem%s; model%s",
                RangesToString(free_).c_str(), RangesToString(mfree_).c_str());
  std::sort(spans_.begin(), spans_.end(), by_start);
  same = spans_.size() == model_.spans().size();
  auto sp = model_.spans().begin();
  for (size_t i = 0; same && i < spans_.size(); i++, ++sp)
    same = spans_[i].start == sp->first && spans_[i].size == sp->second.first;
  if (!same) {
    std::vector<Range> mspans;
    for (const auto &m : model_.spans())
      mspans.push_back({m.first, m.second.first});
    return Fail("spans differ: vmem%s; model%s", RangesToString(spans_).c_str(),
                RangesToString(mspans).c_str());
  }
  vmem_size_t inuse = vmem_size(vm_, VMEM_ALLOC);
  vmem_size_t total = vmem_size(vm_, VMEM_ALLOC | VMEM_FREE);
  vmem_size_t freesz = vmem_size(vm_, VMEM_FREE);
  if (inuse != model_.inuse() || total != model_.total() ||
      freesz != model_.total() - model_.inuse())
    return Fail(
        "vmem_size: alloc %#zx, total %#zx, free %#zx; model %#zx, "
        "%#zx, %#zx",
        inuse, total, freesz, model_.inuse(), model_.total(),
        model_.total() - model_.inuse());
  vmem_size_t maxfree = vmem_size(vm_, VMEM_MAXFREE);
  if (maxfree > maxseg ||
      (maxseg != 0 && static_cast<u128>(maxfree) * 2 <= maxseg))
    return Fail(
        "vmem_size(VMEM_MAXFREE) %#zx for a largest free segment of "
        "%#zx",
        maxfree, maxseg);
  return true;
}

bool Runner::Run(std::string *error) {
  uint8_t h = rd_.u8();
  static const vmem_size_t kQuanta[3] = {1, 16, 4096};
  q_ = kQuanta[h % 3];
  bool importing = (h / 3) % 2 != 0;
  import_quantum_ = q_ << (2 * ((h / 6) % 4));
  model_ = Model(q_);
  if (importing) {
    vm_ = vmem_create("fuzz", 0, 0, q_, 0, M_WAITOK);
    src_ = new FakeSource(kSourceBase, (h & 0x80) ? 0 : q_, kSourceCapacity);
    if ((h / 24) % 3 == 2)
      src_->AttachX(vm_, import_quantum_);
    else
      src_->Attach(vm_, import_quantum_);
  } else {
    // An initial span in slot 1, as vmem_create() adds it.
    vmem_size_t len = 1 + rd_.u8() % kSlotQuanta;
    vm_ = vmem_create("fuzz", SlotBase(1), len * q_, q_, 0, M_WAITOK);
    model_.AddSpan(SlotBase(1), len * q_, false);
  }
  bool ok = vm_ != nullptr ? Check() : Fail("vmem_create failed");
  while (ok && !rd_.done() && op_ < kMaxOps) {
    op_++;
    st_->ops++;
    uint8_t opcode = rd_.u8();
    if (opcode >= kCarelessOpcodes) {
      ok = Careless(opcode - kCarelessOpcodes);
      if (ok) ok = Check();
      continue;
    }
    switch (opcode % 10) {
      case 0:
        ok = AddSpan();
        break;
      case 1:
      case 2:
        ok = Alloc(false);
        break;
      case 3:
      case 4:
        ok = Alloc(true);
        break;
      case 5:
      case 6: {
        uint16_t i = rd_.u16();
        if (!live_.empty()) ok = FreeOne(i % live_.size());
        break;
      }
      case 7:
        if (src_ != nullptr) {
          Trace("source fail %d", !src_->fail());
          src_->set_fail(!src_->fail());
        }
        break;
      case 8:
        if (src_ != nullptr) ok = SetLimit();
        break;
      case 9:  // free everything, newest first
        while (ok && !live_.empty()) ok = FreeOne(live_.size() - 1);
        break;
    }
    if (ok) ok = Check();
  }
  // Tear down: free the rest (checking), then destroy.
  if (ok) op_++;
  while (ok && !live_.empty()) {
    ok = FreeOne(live_.size() - 1);
    if (ok) ok = Check();
  }
  if (ok && model_.inuse() != 0) ok = Fail("model not empty at the end");
  if (!ok) {
    // Free whatever vmem still has allocated, so that it can be destroyed.
    std::vector<Seg> segs;
    vmem_walk_segments(vm_, VMEM_WALK_ALLOC, &Collect, &segs);
    for (const Seg &s : segs) vmem_xfree(vm_, s.start, s.size);
    live_.clear();
  }
  if (vm_ != nullptr) vmem_destroy(vm_);
  delete src_;
  if (!ok && error != nullptr) *error = error_;
  return ok;
}

}  // namespace

bool RunStream(const uint8_t *data, size_t size, const DriverOptions &options,
               DriverStats *stats, std::string *error) {
  DriverStats local;
  Runner r(data, size, options, &local);
  bool ok = r.Run(error);
  if (stats != nullptr) stats->Add(local);
  std::lock_guard<std::mutex> lock(process_stats_mu);
  process_stats.Add(local);
  return ok;
}

}  // namespace vmem_fuzz
