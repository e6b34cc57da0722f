#include "tests/fuzz/model.h"

#include <inttypes.h>
#include <stdio.h>

#include <algorithm>

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

}  // namespace

std::vector<Range> Normalize(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const Range &a, const Range &b) { return a.start < b.start; });
  std::vector<Range> out;
  for (const Range &r : ranges) {
    if (r.size == 0) continue;
    if (!out.empty() &&
        End(out.back().start, out.back().size) == static_cast<u128>(r.start)) {
      out.back().size += r.size;
    } else {
      out.push_back(r);
    }
  }
  return out;
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

bool Model::LastSpanEndsAtTop() const {
  auto it = spans_.find(last_span_);
  return have_last_ && it != spans_.end() &&
         End(it->first, it->second.first) == static_cast<u128>(1) << 64;
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
      runs.push_back({static_cast<vmem_addr_t>(lo),
                      static_cast<vmem_size_t>(stop - lo)});
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

std::vector<Range> Model::FreeSpace() const { return Normalize(FreeRuns()); }

std::vector<Range> Model::SpanSpace() const {
  std::vector<Range> v;
  for (const auto &s : spans_) v.push_back({s.first, s.second.first});
  return Normalize(v);
}

}  // namespace vmem_fuzz
