#include "tests/fuzz/model.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include <algorithm>

#include <sys/vmem_ext.h>

namespace vmem_fuzz {

namespace {

using u128 = unsigned __int128;

u128 End(vmem_addr_t start, vmem_size_t size) {  // one past the last
  return static_cast<u128>(start) + size;
}

// Smallest x >= lo with x == phase (mod align).
u128 AlignUpPhase(u128 lo, u128 align, u128 phase) {
  u128 r = (phase + align - lo % align) % align;
  return lo + r;
}

bool Crosses(u128 start, u128 size, u128 nocross) {
  if (nocross == 0) return false;
  return start / nocross != (start + size - 1) / nocross;
}

// Values as vmem's messages print them (%#jx, %#zx, %#x: 0 is "0").
std::string Hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%#jx", static_cast<uintmax_t>(v));
  return buf;
}
std::string Hex32(int v) {
  char buf[16];
  snprintf(buf, sizeof(buf), "%#x", static_cast<unsigned>(v));
  return buf;
}

bool PowerOf2(uint64_t v) { return (v & (v - 1)) == 0; }

// VMEM_CROSS_P(): [a1, a2] crosses a multiple of boundary (0: none), in
// vmem's 64-bit arithmetic.
bool CrossP(uint64_t a1, uint64_t a2, uint64_t boundary) {
  return ((a1 ^ a2) & (0 - boundary)) != 0;
}

constexpr int kFitMask = M_BESTFIT | M_FIRSTFIT | M_NEXTFIT;

bool SingleFit(int strat) {
  return strat == M_BESTFIT || strat == M_FIRSTFIT || strat == M_NEXTFIT;
}

}  // namespace

std::string PanicPrediction::ToString() const {
  std::string s = "panic: " + function + ": ";
  for (size_t i = 0; i < fragments.size(); i++)
    s += (i == 0 ? "" : "...") + fragments[i];
  return s;
}

bool PanicMatches(const PanicPrediction &p, const std::string &output,
                  std::string *why) {
  // The panic line: the last line that starts with "panic: ".
  size_t at = std::string::npos;
  for (size_t pos = 0; pos < output.size();) {
    size_t eol = output.find('\n', pos);
    if (eol == std::string::npos) eol = output.size();
    if (output.compare(pos, 7, "panic: ") == 0) at = pos;
    pos = eol + 1;
  }
  if (at == std::string::npos) {
    *why = "it printed no panic line (expected \"" + p.ToString() + "\")";
    return false;
  }
  size_t eol = output.find('\n', at);
  std::string line = output.substr(
      at, eol == std::string::npos ? std::string::npos : eol - at);
  std::string head = "panic: " + p.function + ": ";
  bool ok = line.compare(0, head.size(), head) == 0;
  size_t pos = head.size();
  for (const std::string &f : p.fragments) {
    if (!ok) break;
    size_t found = line.find(f, pos);
    // A value must not run on into more digits ("0x10" in "0x100").
    while (found != std::string::npos && found + f.size() < line.size() &&
           isxdigit(static_cast<unsigned char>(f.back())) &&
           (isxdigit(static_cast<unsigned char>(line[found + f.size()])) ||
            line[found + f.size()] == 'x'))
      found = line.find(f, found + 1);
    ok = found != std::string::npos;
    if (ok) pos = found + f.size();
  }
  if (!ok) {
    *why = "its panic line \"" + line + "\" does not match the prediction \"" +
           p.ToString() + "\"";
    return false;
  }
  return true;
}

vmem_size_t ImportSize(vmem_size_t size, vmem_size_t align, vmem_size_t quantum,
                       vmem_size_t import_quantum, bool ximport,
                       bool *overflow) {
  u128 want = size;
  vmem_size_t s = size;
  if (align != quantum && !ximport) {
    want += 2 * static_cast<u128>(align);
    s = align * 2 + size;
  }
  vmem_size_t r = (s + (import_quantum - 1)) / import_quantum * import_quantum;
  u128 want_r = (want + import_quantum - 1) / import_quantum * import_quantum;
  *overflow = want_r != static_cast<u128>(r);
  return r;
}

std::vector<Range> Normalize(std::vector<Range> ranges) {
  NormalizeInPlace(&ranges);
  return ranges;
}

void NormalizeInPlace(std::vector<Range> *ranges) {
  std::vector<Range> &v = *ranges;
  if (!std::is_sorted(v.begin(), v.end(), [](const Range &a, const Range &b) {
        return a.start < b.start;
      }))
    std::sort(v.begin(), v.end(),
              [](const Range &a, const Range &b) { return a.start < b.start; });
  size_t n = 0;
  for (size_t i = 0; i < v.size(); i++) {
    const Range r = v[i];
    if (r.size == 0) continue;
    if (n > 0 &&
        End(v[n - 1].start, v[n - 1].size) == static_cast<u128>(r.start))
      v[n - 1].size += r.size;
    else
      v[n++] = r;
  }
  v.resize(n);
}

std::string RangesToString(const std::vector<Range> &ranges) {
  std::string s;
  char buf[64];
  for (const Range &r : ranges) {
    snprintf(buf, sizeof(buf), " [%#" PRIxPTR "+%#zx]", r.start, r.size);
    s += buf;
  }
  return s.empty() ? " (none)" : s;
}

int Model::MaskFlags(int flags) {
  return flags & (M_NOWAIT | M_WAITOK | M_USE_RESERVE | M_NOVM | M_BESTFIT |
                  M_FIRSTFIT | M_NEXTFIT | M_ENDALLOC);
}

PanicPrediction Model::CheckAdd(vmem_addr_t addr, vmem_size_t size,
                                int flags) const {
  const std::string arena = "arena " + name_;
  if (size == 0 || addr + (size - 1) < addr)
    return {"vmem_add: span empty or wraps",
            "vmem_add",
            {arena, "span at " + Hex(addr), "size " + Hex(size), "wraps"}};
  if ((size & (quantum_ - 1)) != 0)
    return {"vmem_add: span size not a quantum multiple",
            "vmem_add",
            {arena, "span size " + Hex(size), "quantum " + Hex(quantum_)}};
  if ((addr & (quantum_ - 1)) != 0)
    return {"vmem_add: span start not a quantum multiple",
            "vmem_add",
            {arena, "span start " + Hex(addr), "quantum " + Hex(quantum_)}};
  const int masked = MaskFlags(flags);
  if ((masked & (M_NOWAIT | M_WAITOK)) == (M_NOWAIT | M_WAITOK))
    return {
        "vmem_add: M_NOWAIT and M_WAITOK together",
        "vmem_add",
        {arena, "M_NOWAIT and M_WAITOK together", "flags " + Hex32(masked)}};
  // Which span vmem names is the first in its segment list that overlaps.
  if (OverlapsSpan(addr, size))
    return {"vmem_add: span overlaps a span",
            "vmem_add",
            {arena, "span at " + Hex(addr) + " of size " + Hex(size) +
                        " overlaps the span at"}};
  return {};
}

PanicPrediction Model::CheckAlloc(bool x, vmem_size_t size0,
                                  const Constraints &c, int flags) const {
  const std::string arena = "arena " + name_;
  const int masked = MaskFlags(flags);
  const int strat = masked & kFitMask;
  const vmem_size_t mask = quantum_ - 1;
  // vmem_alloc() checks the size and the strategy, then calls vmem_xalloc().
  if (!x) {
    if (size0 == 0)
      return {"vmem_alloc: size 0", "vmem_alloc", {arena, "size 0"}};
    if (!SingleFit(strat))
      return {"vmem_alloc: no single fit strategy",
              "vmem_alloc",
              {arena, "flags " + Hex32(masked), "fit strategy"}};
  }
  const vmem_size_t size = RoundUp(size0);
  if (size0 == 0)
    return {"vmem_xalloc: size 0", "vmem_xalloc", {arena, "size 0"}};
  if (size < size0)
    return {
        "vmem_xalloc: size overflows when rounded",
        "vmem_xalloc",
        {arena, "size " + Hex(size0), "overflows", "quantum " + Hex(quantum_)}};
  if (!SingleFit(strat))
    return {"vmem_xalloc: no single fit strategy",
            "vmem_xalloc",
            {arena, "flags " + Hex32(masked), "fit strategy"}};
  if ((masked & (M_NOWAIT | M_WAITOK)) == (M_NOWAIT | M_WAITOK))
    return {"vmem_xalloc: M_NOWAIT and M_WAITOK",
            "vmem_xalloc",
            {arena, "M_NOWAIT and M_WAITOK", "flags " + Hex32(masked)}};
  if ((c.align & mask) != 0 || !PowerOf2(c.align))
    return {"vmem_xalloc: align",
            "vmem_xalloc",
            {arena, "align " + Hex(c.align), "quantum " + Hex(quantum_)}};
  if ((c.phase & mask) != 0)
    return {"vmem_xalloc: phase not a quantum multiple",
            "vmem_xalloc",
            {arena, "phase " + Hex(c.phase), "quantum " + Hex(quantum_)}};
  if ((c.nocross & mask) != 0 || !PowerOf2(c.nocross))
    return {"vmem_xalloc: nocross",
            "vmem_xalloc",
            {arena, "nocross " + Hex(c.nocross), "quantum " + Hex(quantum_)}};
  if (!((c.align == 0 && c.phase == 0) || c.phase < c.align))
    return {"vmem_xalloc: phase not below align",
            "vmem_xalloc",
            {arena, "phase " + Hex(c.phase), "align " + Hex(c.align)}};
  if (c.nocross != 0 && c.nocross < size)
    return {"vmem_xalloc: nocross below size",
            "vmem_xalloc",
            {arena, "nocross " + Hex(c.nocross), "size " + Hex(size)}};
  if (c.minaddr > c.maxaddr)
    return {"vmem_xalloc: minaddr above maxaddr",
            "vmem_xalloc",
            {arena, "minaddr " + Hex(c.minaddr), "maxaddr " + Hex(c.maxaddr)}};
  if (CrossP(c.phase, c.phase + size - 1, c.nocross))
    return {"vmem_xalloc: phase and size cross nocross",
            "vmem_xalloc",
            {arena, "phase " + Hex(c.phase), "size " + Hex(size),
             "nocross " + Hex(c.nocross)}};
  if (strat == M_NEXTFIT &&
      (c.minaddr != VMEM_ADDR_MIN || c.maxaddr != VMEM_ADDR_MAX))
    return {"vmem_xalloc: M_NEXTFIT with a window",
            "vmem_xalloc",
            {arena, "M_NEXTFIT", Hex(c.minaddr), Hex(c.maxaddr)}};
  if (strat == M_NEXTFIT && (masked & M_ENDALLOC) != 0)
    return {"vmem_xalloc: M_ENDALLOC with M_NEXTFIT",
            "vmem_xalloc",
            {arena, "M_ENDALLOC", "M_NEXTFIT"}};
  return {};
}

PanicPrediction Model::CheckFree(bool x, vmem_addr_t addr,
                                 vmem_size_t size) const {
  const std::string arena = "arena " + name_;
  if (size == 0) {
    const char *fn = x ? "vmem_xfree" : "vmem_free";
    return {std::string(fn) + ": size 0",
            fn,
            {arena, "address " + Hex(addr), "size 0"}};
  }
  // vmem_free() hands anything above the quantum cache to vmem_xfree().
  auto it = allocs_.find(addr);
  if (it == allocs_.end())
    return {
        "vmem_xfree: not allocated",
        "vmem_xfree",
        {arena, "address " + Hex(addr), "size " + Hex(size), "not allocated"}};
  if (RoundUp(size) != it->second)
    return {"vmem_xfree: wrong size",
            "vmem_xfree",
            {arena, "address " + Hex(addr), "size " + Hex(it->second),
             "size " + Hex(size)}};
  return {};
}

PanicPrediction Model::CheckImported(vmem_addr_t addr, vmem_size_t size,
                                     vmem_size_t asked, bool ximport) const {
  const std::string arena = "arena " + name_;
  if (ximport && ((size & (quantum_ - 1)) != 0 || size < asked))
    return {"vmem_import: span size",
            "vmem_import",
            {arena, "imported span " + Hex(addr), "size " + Hex(size),
             "at least " + Hex(asked)}};
  if ((addr & (quantum_ - 1)) != 0 || addr + (size - 1) < addr)
    return {"vmem_import: span start or wrap",
            "vmem_import",
            {arena, "imported span at " + Hex(addr), "size " + Hex(size),
             "quantum " + Hex(quantum_)}};
  return {};
}

PanicPrediction Model::CheckSetImport() const {
  if (total_ == 0) return {};
  return {"vmem_set_import: arena not empty",
          "vmem_set_import",
          {"arena " + name_, "non-empty", "size " + Hex(total_)}};
}

PanicPrediction Model::CheckSizeQuery(int typemask) const {
  if (typemask == VMEM_ALLOC || typemask == VMEM_FREE ||
      typemask == (VMEM_ALLOC | VMEM_FREE) || typemask == VMEM_MAXFREE)
    return {};
  return {"vmem_size: bad typemask",
          "vmem_size",
          {"arena " + name_, "typemask " + Hex32(typemask)}};
}

bool Model::OverlapsSpan(vmem_addr_t addr, vmem_size_t size) const {
  for (const auto &s : spans_) {
    if (static_cast<u128>(addr) < End(s.first, s.second.first) &&
        static_cast<u128>(s.first) < End(addr, size))
      return true;
  }
  return false;
}

void Model::AddSpan(vmem_addr_t addr, vmem_size_t size, bool imported) {
  spans_[addr] = {size, imported};
  total_ += size;
  have_last_ = true;
  last_span_ = addr;
}

void Model::AddStaticSpanMerging(vmem_addr_t addr, vmem_size_t size) {
  auto it = spans_.find(last_span_);
  if (have_last_ && it != spans_.end() &&
      End(it->first, it->second.first) == static_cast<u128>(addr)) {
    it->second.first += size;
    total_ += size;
    return;
  }
  AddSpan(addr, size, false);
}

void Model::RemoveSpan(vmem_addr_t addr) {
  auto it = spans_.find(addr);
  total_ -= it->second.first;
  spans_.erase(it);
  used_spans_.erase(addr);
}

bool Model::HasSpan(vmem_addr_t addr, vmem_size_t size, bool imported) const {
  auto it = spans_.find(addr);
  return it != spans_.end() && it->second.first == size &&
         it->second.second == imported;
}

std::map<vmem_addr_t, std::pair<vmem_size_t, bool>>::const_iterator
Model::SpanOf(vmem_addr_t addr) const {
  auto it = spans_.upper_bound(addr);
  if (it == spans_.begin()) return spans_.end();
  --it;
  if (static_cast<u128>(addr) < End(it->first, it->second.first)) return it;
  return spans_.end();
}

std::vector<Range> Model::WhollyFreeImportedSpans(bool used_only) const {
  std::vector<Range> out;
  for (const auto &s : spans_) {
    if (!s.second.second) continue;
    if (used_only && used_spans_.count(s.first) == 0) continue;
    auto a = allocs_.lower_bound(s.first);
    if (a != allocs_.end() &&
        static_cast<u128>(a->first) < End(s.first, s.second.first))
      continue;
    out.push_back({s.first, s.second.first});
  }
  return out;
}

bool Model::IsFree(vmem_addr_t addr, vmem_size_t size) const {
  if (size == 0) return false;
  auto s = SpanOf(addr);
  if (s == spans_.end() || End(addr, size) > End(s->first, s->second.first))
    return false;
  auto a = allocs_.upper_bound(addr);
  if (a != allocs_.end() && static_cast<u128>(a->first) < End(addr, size))
    return false;
  if (a != allocs_.begin()) {
    --a;
    if (End(a->first, a->second) > static_cast<u128>(addr)) return false;
  }
  return true;
}

void Model::Allocate(vmem_addr_t addr, vmem_size_t size) {
  allocs_[addr] = size;
  inuse_ += size;
  auto s = SpanOf(addr);
  if (s != spans_.end() && s->second.second) used_spans_.insert(s->first);
}

vmem_size_t Model::Free(vmem_addr_t addr) {
  auto it = allocs_.find(addr);
  vmem_size_t size = it->second;
  inuse_ -= size;
  allocs_.erase(it);
  return size;
}

std::vector<Range> Model::FreeRuns(const std::set<vmem_addr_t> &cuts) const {
  std::vector<Range> runs;
  auto emit = [&](u128 lo, u128 hi) {  // [lo, hi)
    while (lo < hi) {
      u128 stop = hi;
      auto c = cuts.upper_bound(static_cast<vmem_addr_t>(lo));
      if (c != cuts.end() && static_cast<u128>(*c) < hi) stop = *c;
      runs.push_back(
          {static_cast<vmem_addr_t>(lo), static_cast<vmem_size_t>(stop - lo)});
      lo = stop;
    }
  };
  for (const auto &s : spans_) {
    u128 pos = s.first;
    u128 end = End(s.first, s.second.first);
    for (auto a = allocs_.lower_bound(s.first);
         a != allocs_.end() && static_cast<u128>(a->first) < end; ++a) {
      emit(pos, a->first);
      pos = End(a->first, a->second);
    }
    emit(pos, end);
  }
  return runs;
}

bool Model::Meets(vmem_addr_t addr, vmem_size_t size,
                  const Constraints &c) const {
  u128 align = c.align == 0 ? quantum_ : c.align;
  if (static_cast<u128>(addr) % align != c.phase % align) return false;
  if (Crosses(addr, size, c.nocross)) return false;
  if (addr < c.minaddr) return false;
  if (End(addr, size) - 1 > static_cast<u128>(c.maxaddr)) return false;
  return true;
}

bool Model::FindFit(vmem_size_t size, const Constraints &c, vmem_addr_t *addrp,
                    const std::set<vmem_addr_t> &cuts) const {
  const u128 align = c.align == 0 ? quantum_ : c.align;
  for (const Range &r : FreeRuns(cuts)) {
    if (r.size < size) continue;
    u128 lo = std::max<u128>(r.start, c.minaddr);
    u128 last = std::min<u128>(End(r.start, r.size) - 1, c.maxaddr);
    if (lo > last) continue;
    u128 x = AlignUpPhase(lo, align, c.phase);
    for (int i = 0; i < 8 && x + size - 1 <= last; i++) {
      if (!Crosses(x, size, c.nocross)) {
        *addrp = static_cast<vmem_addr_t>(x);
        return true;
      }
      // Move to the boundary that the range crosses.
      u128 boundary = (x + size - 1) / c.nocross * c.nocross;
      x = AlignUpPhase(boundary, align, c.phase);
    }
  }
  return false;
}

bool Model::FindHighestFit(vmem_size_t size, const Constraints &c,
                           vmem_addr_t *addrp) const {
  const u128 align = c.align == 0 ? quantum_ : c.align;
  // The highest x <= v with x = phase modulo align; false if there is none.
  auto down = [&](u128 v, u128 *x) {
    if (v < c.phase) return false;
    *x = (v - c.phase) / align * align + c.phase;
    return true;
  };
  const std::vector<Range> runs = FreeRuns();
  for (auto r = runs.rbegin(); r != runs.rend(); ++r) {
    if (r->size < size) continue;
    u128 lo = std::max<u128>(r->start, c.minaddr);
    u128 last = std::min<u128>(End(r->start, r->size) - 1, c.maxaddr);
    if (lo > last || last - lo + 1 < size) continue;
    u128 x;
    bool ok = down(last - size + 1, &x);
    for (int i = 0; i < 8 && ok && x >= lo; i++) {
      if (!Crosses(x, size, c.nocross)) {
        *addrp = static_cast<vmem_addr_t>(x);
        return true;
      }
      // Move below the boundary that the range crosses.
      u128 boundary = (x + size - 1) / c.nocross * c.nocross;
      ok = boundary >= size && down(boundary - size, &x);
    }
  }
  return false;
}

void Model::FreeRunsInto(std::vector<Range> *out) const {
  out->clear();
  for (const auto &s : spans_) {
    u128 pos = s.first;
    u128 end = End(s.first, s.second.first);
    for (auto a = allocs_.lower_bound(s.first);
         a != allocs_.end() && static_cast<u128>(a->first) < end; ++a) {
      if (pos < a->first)
        out->push_back({static_cast<vmem_addr_t>(pos),
                        static_cast<vmem_size_t>(a->first - pos)});
      pos = End(a->first, a->second);
    }
    if (pos < end)
      out->push_back(
          {static_cast<vmem_addr_t>(pos), static_cast<vmem_size_t>(end - pos)});
  }
}

std::vector<Range> Model::FreeSpace() const { return Normalize(FreeRuns()); }

std::vector<Range> Model::SpanSpace() const {
  std::vector<Range> v;
  for (const auto &s : spans_) v.push_back({s.first, s.second.first});
  return Normalize(v);
}

}  // namespace vmem_fuzz
