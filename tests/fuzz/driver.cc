#include "tests/fuzz/driver.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <algorithm>
#include <set>

#include <sys/vmem_ext.h>

namespace vmem_fuzz {

// ---- FakeSource

int FakeSource::Import(void *arg, vmem_size_t size, int flags,
                       vmem_addr_t *addrp) {
  auto *s = static_cast<FakeSource *>(arg);
  std::lock_guard<std::mutex> lock(s->mu_);
  if (s->fail_ || s->imports_ >= s->capacity_) {
    s->refused_++;
    return ENOMEM;
  }
  *addrp = s->next_;
  s->next_ += size + s->gap_;
  s->live_[*addrp] = size;
  s->imports_++;
  return 0;
}

void FakeSource::Release(void *arg, vmem_addr_t addr, vmem_size_t size) {
  auto *s = static_cast<FakeSource *>(arg);
  std::lock_guard<std::mutex> lock(s->mu_);
  auto it = s->live_.find(addr);
  if (it == s->live_.end() || it->second != size) {
    s->bad_releases_++;
    return;
  }
  s->live_.erase(it);
  s->releases_++;
}

void FakeSource::set_fail(bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_ = fail;
}
bool FakeSource::fail() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fail_;
}
void FakeSource::set_gap(vmem_size_t gap) {
  std::lock_guard<std::mutex> lock(mu_);
  gap_ = gap;
}
int FakeSource::imports() const {
  std::lock_guard<std::mutex> lock(mu_);
  return imports_;
}
int FakeSource::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}
int FakeSource::releases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return releases_;
}
int FakeSource::bad_releases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bad_releases_;
}
std::map<vmem_addr_t, vmem_size_t> FakeSource::live() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_;
}

// ---- the driver

namespace {

constexpr int kMaxOps = 300;
constexpr int kSlots = 16;
constexpr vmem_size_t kSlotQuanta = 256;
constexpr vmem_addr_t kSourceBase = 0x10000000;
constexpr int kSourceCapacity = 48;

class Reader {
 public:
  Reader(const uint8_t *data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }

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

const char *FitName(int flags) {
  switch (flags & (M_BESTFIT | M_FIRSTFIT | M_NEXTFIT)) {
    case M_BESTFIT:
      return (flags & M_ENDALLOC) ? "bestfit|endalloc" : "bestfit";
    case M_FIRSTFIT:
      return (flags & M_ENDALLOC) ? "firstfit|endalloc" : "firstfit";
    default:
      return "nextfit";
  }
}

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
  bool FreeOne(size_t index);
  bool SetLimit();
  bool SyncSource(int imports_before, int allocated_span_hint);
  bool Check();
  std::vector<Seg> Walk() const;
  std::set<vmem_addr_t> CursorCuts(const std::vector<Seg> &segs) const;

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
  int op_ = 0;
  std::string error_;
};

bool Runner::Fail(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (error_.empty()) {
    char head[128];
    snprintf(head, sizeof(head), "op %d (quantum %#zx, %s): ", op_, q_,
             src_ != nullptr ? "importing" : "static");
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
  // Known issue (5): vmem_add1() takes a span at 0 for the continuation of
  // a last segment that ends at VMEM_ADDR_MAX (the sum wraps) and makes a
  // span that wraps (vmem_verify() panics). Skipped while tolerated.
  if (addr == 0 && src_ == nullptr && opt_.tolerate_known_issues &&
      model_.LastSpanEndsAtTop()) {
    st_->wrap_add_skipped++;
    return true;
  }
  Trace("vmem_add(%#" PRIxPTR ", %#zx)", addr, size);
  int error = vmem_add(vm_, addr, size, M_NOWAIT);
  if (error != 0) return Fail("vmem_add(%#" PRIxPTR ", %#zx) = %d", addr, size,
                              error);
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
    if ((m & 3) != 0 && (flags & M_NEXTFIT) == 0 &&
        !model_.spans().empty()) {
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
        c.maxaddr = mx > VMEM_ADDR_MAX ? VMEM_ADDR_MAX
                                        : static_cast<vmem_addr_t>(mx);
      }
    }
  }
  bool unconstrained = (c.align == 0 || c.align == q_) && c.phase == 0 &&
                       c.nocross == 0 && c.minaddr == VMEM_ADDR_MIN &&
                       c.maxaddr == VMEM_ADDR_MAX;
  int imports_before = src_ != nullptr ? src_->imports() : 0;
  int refused_before = src_ != nullptr ? src_->refused() : 0;
  // Known issue (4): a next-fit request that merges the two free segments
  // the cursor parts leaves the merged segment on the free list of its old
  // size (vmem_verify() panics). While tolerated, no next-fit request is
  // made while the cursor parts free space.
  if ((flags & M_NEXTFIT) != 0 && opt_.tolerate_known_issues &&
      !CursorCuts(Walk()).empty()) {
    st_->nextfit_skipped++;
    return true;
  }
  // Known issue (3): a constrained request that the first imported span
  // does not meet imports again with too few boundary tags in stock, and
  // bt_save() panics. While tolerated, a temporary limit stops the second
  // import before bt_save() (vmem_import() checks the limit first).
  bool capped = false;
  if (src_ != nullptr && !unconstrained && opt_.tolerate_known_issues) {
    vmem_size_t align = c.align == 0 ? q_ : c.align;
    vmem_size_t isize = align != q_ ? 2 * align + size : size;
    isize = (isize + import_quantum_ - 1) / import_quantum_ * import_quantum_;
    if (limit_ == 0 || model_.total() + isize < limit_) {
      vmem_set_limit(vm_, model_.total() + isize);
      capped = true;
    }
  }
  vmem_addr_t addr = 0;
  int error;
  if (constrained)
    error = vmem_xalloc(vm_, size0, c.align, c.phase, c.nocross, c.minaddr,
                        c.maxaddr, flags, &addr);
  else
    error = vmem_alloc(vm_, size0, flags, &addr);
  if (capped) vmem_set_limit(vm_, limit_);
  Trace("%s(%#zx, align %#zx, phase %#zx, nocross %#zx, min %#" PRIxPTR
        ", max %#" PRIxPTR ", %s) = %d, %#" PRIxPTR,
        constrained ? "vmem_xalloc" : "vmem_alloc", size0, c.align, c.phase,
        c.nocross, c.minaddr, c.maxaddr, FitName(flags), error, addr);
  // Spans the request imported, and any it released (next fit's merge).
  if (!SyncSource(imports_before, error == 0 ? 1 : 0)) return false;
  if (error == 0) {
    if (!model_.IsFree(addr, size))
      return Fail("%s(%#zx, %s) returned %#" PRIxPTR
                  ", which is not free space of one span in the model",
                  constrained ? "vmem_xalloc" : "vmem_alloc", size0,
                  FitName(flags), addr);
    if (!model_.Meets(addr, size, c))
      return Fail("vmem_xalloc(%#zx, align %#zx, phase %#zx, nocross %#zx, "
                  "min %#" PRIxPTR ", max %#" PRIxPTR
                  ") returned %#" PRIxPTR ", which breaks the constraints",
                  size0, c.align, c.phase, c.nocross, c.minaddr, c.maxaddr,
                  addr);
    model_.Allocate(addr, size);
    live_.push_back({addr, size0, constrained});
    st_->allocs++;
    // Unused imports are checked once the allocation is in the model.
    return SyncSource(imports_before, 2);
  }
  st_->alloc_failures++;
  if (error != ENOMEM)
    return Fail("allocation failed with %d, not ENOMEM", error);
  vmem_addr_t fit;
  if (model_.FindFit(size, c, &fit)) {
    std::set<vmem_addr_t> cuts = CursorCuts(Walk());
    if (opt_.tolerate_known_issues && !cuts.empty() &&
        !model_.FindFit(size, c, &fit, cuts)) {
      st_->cursor_split_tolerated++;
      return true;
    }
    return Fail("%s(%#zx, align %#zx, phase %#zx, nocross %#zx, min %#" PRIxPTR
                ", max %#" PRIxPTR ", %s) failed, but the model fits it at "
                "%#" PRIxPTR "; free runs:%s",
                constrained ? "vmem_xalloc" : "vmem_alloc", size0, c.align,
                c.phase, c.nocross, c.minaddr, c.maxaddr, FitName(flags), fit,
                RangesToString(model_.FreeRuns()).c_str());
  }
  if (src_ != nullptr && unconstrained) {
    vmem_size_t isize =
        (size + import_quantum_ - 1) / import_quantum_ * import_quantum_;
    bool refused = src_->refused() > refused_before;
    bool limited = limit_ != 0 && limit_ < model_.total() + isize;
    if (!refused && !limited)
      return Fail("unconstrained %s(%#zx, %s) failed without asking the "
                  "source or hitting the limit (%#zx, total %#zx)",
                  constrained ? "vmem_xalloc" : "vmem_alloc", size0,
                  FitName(flags), limit_, model_.total());
  }
  return true;
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
  st_->frees++;
  return SyncSource(src_ != nullptr ? src_->imports() : 0, 0);
}

bool Runner::SetLimit() {
  uint8_t b = rd_.u8();
  limit_ = (b & 7) == 0 ? 0 : model_.total() + (b >> 3) % 5 * import_quantum_;
  Trace("vmem_set_limit(%#zx)", limit_);
  vmem_set_limit(vm_, limit_);
  return true;
}

// Brings the model's imported spans in line with the source: new imports
// join the model, and releases leave it. Then checks that vmem gave back
// exactly the used imported spans that are wholly free. imports_before:
// the source's import count before the operation (spans imported since
// and not used are the second known issue).
bool Runner::SyncSource(int imports_before, int phase) {
  if (src_ == nullptr) return true;
  if (src_->bad_releases() != 0)
    return Fail("vmem released a span the source did not hand out, or with "
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
      return Fail("vmem released span %#" PRIxPTR "+%#zx, which has "
                  "allocations in the model", a, size);
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
    bool split = c != cuts.end() &&
                 static_cast<unsigned __int128>(*c) <
                     static_cast<unsigned __int128>(r.start) + r.size;
    if (split && opt_.tolerate_known_issues) {
      st_->cursor_split_tolerated++;
      continue;
    }
    return Fail("imported span %#" PRIxPTR "+%#zx is wholly free but was not "
                "released%s", r.start, r.size,
                split ? " (the next-fit cursor parts its free space)" : "");
  }
  // Spans imported by this operation and left unused.
  if (phase != 0 || imports_before != src_->imports()) {
    std::vector<Range> unused;
    for (const Range &r : model_.WhollyFreeImportedSpans(false)) {
      auto used = model_.WhollyFreeImportedSpans(true);
      if (std::find(used.begin(), used.end(), r) == used.end())
        unused.push_back(r);
    }
    if (!unused.empty()) {
      if (!opt_.tolerate_known_issues)
        return Fail("a failed or satisfied request left imported span(s) "
                    "unused and unreleased:%s",
                    RangesToString(unused).c_str());
      st_->unused_import_tolerated++;
    }
  }
  return true;
}

bool Runner::Check() {
  vmem_verify(vm_);  // panics on a broken invariant
  std::vector<Seg> segs = Walk();
  std::vector<Range> busy, freev, spans;
  vmem_size_t maxseg = 0;
  for (const Seg &s : segs) {
    if (s.type == VMEM_WALK_ALLOC) busy.push_back({s.start, s.size});
    if (s.type == VMEM_WALK_FREE) {
      freev.push_back({s.start, s.size});
      maxseg = std::max(maxseg, s.size);
    }
    if (s.type == VMEM_WALK_SPAN) spans.push_back({s.start, s.size});
  }
  std::sort(busy.begin(), busy.end(),
            [](const Range &a, const Range &b) { return a.start < b.start; });
  std::vector<Range> mbusy;
  for (const auto &a : model_.allocations()) mbusy.push_back({a.first, a.second});
  if (busy != mbusy)
    return Fail("busy segments differ: vmem%s; model%s",
                RangesToString(busy).c_str(), RangesToString(mbusy).c_str());
  if (Normalize(freev) != model_.FreeSpace())
    return Fail("free space differs: vmem%s; model%s",
                RangesToString(Normalize(freev)).c_str(),
                RangesToString(model_.FreeSpace()).c_str());
  std::sort(spans.begin(), spans.end(),
            [](const Range &a, const Range &b) { return a.start < b.start; });
  std::vector<Range> mspans;
  for (const auto &sp : model_.spans())
    mspans.push_back({sp.first, sp.second.first});
  if (spans != mspans)
    return Fail("spans differ: vmem%s; model%s", RangesToString(spans).c_str(),
                RangesToString(mspans).c_str());
  vmem_size_t inuse = vmem_size(vm_, VMEM_ALLOC);
  vmem_size_t total = vmem_size(vm_, VMEM_ALLOC | VMEM_FREE);
  vmem_size_t freesz = vmem_size(vm_, VMEM_FREE);
  if (inuse != model_.inuse() || total != model_.total() ||
      freesz != model_.total() - model_.inuse())
    return Fail("vmem_size: alloc %#zx, total %#zx, free %#zx; model %#zx, "
                "%#zx, %#zx", inuse, total, freesz, model_.inuse(),
                model_.total(), model_.total() - model_.inuse());
  vmem_size_t maxfree = vmem_size(vm_, VMEM_MAXFREE);
  if (maxfree > maxseg || (maxseg != 0 && maxfree * 2 <= maxseg))
    return Fail("vmem_size(VMEM_MAXFREE) %#zx for a largest free segment of "
                "%#zx", maxfree, maxseg);
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
  Runner r(data, size, options, stats != nullptr ? stats : &local);
  return r.Run(error);
}

}  // namespace vmem_fuzz
