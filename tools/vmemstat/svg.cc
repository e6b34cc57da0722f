#include "tools/vmemstat/svg.h"

#include <stdio.h>
#include <sys/vmem_ext.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vmemstat {
namespace {

// Layout, in pixels.
constexpr int kMargin = 16;
constexpr int kCellHeight = 8;
constexpr int kBarHeight = 18;
constexpr int kHistHeight = 90;
constexpr int kLine = 16;  // a line of text
constexpr int kWidth = kMapColumns + 2 * kMargin;

constexpr const char *kFreeColour = "#e4ecf4";
constexpr const char *kAllocColour = "#c0392b";
constexpr const char *kQcUsedColour = "#e67e22";
constexpr const char *kQcFreeColour = "#f5c542";
constexpr const char *kSpanColour = "#1b2631";
constexpr const char *kHistColour = "#2e86c1";

std::string xml_escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no other control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

// 4096 -> "4Ki", 1536 -> "1.5Ki": binary suffixes without a unit, since an
// arena's units may be bytes, ports or IDs.
std::string human(uint64_t n) {
  static const char *const kSuffix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  int i = 0;
  double v = static_cast<double>(n);
  while (v >= 1024 && i < 6) {
    v /= 1024;
    i++;
  }
  if (i == 0) return absl::StrCat(n);
  return v >= 100 || v == static_cast<double>(static_cast<uint64_t>(v))
             ? absl::StrFormat("%.0f%s", v, kSuffix[i])
             : absl::StrFormat("%.1f%s", v, kSuffix[i]);
}

// Mix of the free and allocated colours; level 0 (free) to 8 (allocated).
std::string shade(int level) {
  auto mix = [level](int a, int b) { return a + (b - a) * level / 8; };
  return absl::StrFormat("#%02x%02x%02x", mix(0xe4, 0xc0), mix(0xec, 0x39),
                         mix(0xf4, 0x2b));
}

struct Segment {
  vmem_addr_t start;
  vmem_size_t size;
  int type;
};

void collect(void *arg, vmem_addr_t start, vmem_size_t size, int type) {
  static_cast<std::vector<Segment> *>(arg)->push_back({start, size, type});
}

// What an arena's quantum caches hold: items handed out and items kept
// free, in bytes. The caches are the zones named "<arena>-<size>" (cut to
// 15 characters, as qc_init() names them) whose items are that size.
struct QcacheShare {
  uint64_t inuse = 0;
  uint64_t free = 0;
};

QcacheShare qcache_share(const vmem_stats &st,
                         const std::vector<uma_zone_t> &zones) {
  QcacheShare share;
  if (st.vs_qcache_max == 0 || st.vs_quantum == 0) return share;
  for (vmem_size_t size = st.vs_quantum; size <= st.vs_qcache_max;
       size += st.vs_quantum) {
    const std::string name =
        absl::StrFormat("%s-%u", st.vs_name, size).substr(0, 15);
    for (uma_zone_t z : zones) {
      uma_zone_stats zs;
      uma_zone_get_stats(z, &zs);
      if (zs.size != size || zs.name != name) continue;
      share.inuse +=
          static_cast<uint64_t>(std::max<int64_t>(zs.inuse, 0)) * zs.size;
      share.free +=
          static_cast<uint64_t>(std::max<int64_t>(zs.free, 0)) * zs.size;
      break;
    }
  }
  return share;
}

class ArenaPicture {
 public:
  ArenaPicture(vmem_t *vm, const std::vector<uma_zone_t> &zones, int top)
      : top_(top) {
    // Walk first: the statistics then describe the same (quiescent) arena.
    vmem_walk_segments(vm, VMEM_WALK_ALLOC | VMEM_WALK_FREE | VMEM_WALK_SPAN,
                       collect, &segments_);
    vmem_get_stats(vm, &st_);
    share_ = qcache_share(st_, zones);
    for (const Segment &s : segments_)
      if (s.type != VMEM_WALK_SPAN) total_ += s.size;
    // One cell per unit at most; rows as needed.
    cells_ = std::min<uint64_t>(total_, uint64_t{kMapColumns} * kMapRows);
    rows_ = cells_ == 0
                ? 1
                : static_cast<int>((cells_ + kMapColumns - 1) / kMapColumns);
  }

  int height() const {
    return 2 * kLine + rows_ * kCellHeight + kLine + kBarHeight + kLine +
           kLine + kHistHeight + kLine + kMargin;
  }

  std::string draw() {
    std::string out = absl::StrFormat(
        "<g class=\"arena\" data-name=\"%s\" data-size=\"%u\" "
        "data-inuse=\"%u\" data-free=\"%u\" data-quantum=\"%u\">\n",
        xml_escape(st_.vs_name), st_.vs_size, st_.vs_inuse, st_.vs_free,
        st_.vs_quantum);
    int y = top_ + kLine;
    vmem_size_t largest = 0;
    size_t nfree = 0;
    for (const Segment &s : segments_)
      if (s.type == VMEM_WALK_FREE) {
        largest = std::max(largest, s.size);
        nfree++;
      }
    absl::StrAppendFormat(
        &out,
        "<text x=\"%d\" y=\"%d\" class=\"title\">vmem '%s': size %s, in use "
        "%s (%.1f%%), free %s in %u segment(s), largest free %s, %u span(s), "
        "quantum %s</text>\n",
        kMargin, y, xml_escape(st_.vs_name), human(st_.vs_size),
        human(st_.vs_inuse),
        st_.vs_size ? 100.0 * st_.vs_inuse / st_.vs_size : 0.0,
        human(st_.vs_free), nfree, human(largest), st_.vs_spans,
        human(st_.vs_quantum));
    y += kLine / 2;
    draw_map(&out, y);
    y += rows_ * kCellHeight + kLine;
    draw_share(&out, y);
    y += kBarHeight + 2 * kLine;
    draw_histogram(&out, y);
    out += "</g>\n";
    return out;
  }

 private:
  // Cell c covers positions [bound(c), bound(c + 1)) of the spans laid end
  // to end.
  uint64_t bound(uint64_t c) const {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(total_) * c /
                                 cells_);
  }
  uint64_t cell_of(uint64_t pos) const {
    // The last cell whose start is at or before pos.
    uint64_t c = static_cast<uint64_t>(static_cast<unsigned __int128>(pos) *
                                       cells_ / total_);
    while (c + 1 < cells_ && bound(c + 1) <= pos) c++;
    while (c > 0 && bound(c) > pos) c--;
    return c;
  }

  void draw_map(std::string *out, int y0) {
    if (cells_ == 0) {
      absl::StrAppendFormat(out, "<text x=\"%d\" y=\"%d\">(no spans)</text>\n",
                            kMargin, y0 + kCellHeight);
      return;
    }
    // Bytes allocated and free in each cell.
    std::vector<uint64_t> alloc(cells_), free(cells_);
    std::vector<std::pair<uint64_t, const Segment *>> span_starts;
    uint64_t pos = 0;
    for (const Segment &s : segments_) {
      if (s.type == VMEM_WALK_SPAN) {
        span_starts.push_back({pos, &s});
        continue;
      }
      uint64_t end = pos + s.size;
      for (uint64_t c = cell_of(pos); c < cells_ && bound(c) < end; c++) {
        uint64_t lo = std::max(pos, bound(c));
        uint64_t hi = std::min(end, bound(c + 1));
        if (hi <= lo) continue;
        (s.type == VMEM_WALK_ALLOC ? alloc : free)[c] += hi - lo;
      }
      pos = end;
    }
    // Runs of cells of one shade, row by row.
    auto level = [&](uint64_t c) {
      uint64_t all = alloc[c] + free[c];
      if (alloc[c] == 0) return 0;
      if (free[c] == 0) return 8;
      return std::clamp(static_cast<int>((alloc[c] * 8 + all / 2) / all), 1, 7);
    };
    for (uint64_t row_start = 0; row_start < cells_; row_start += kMapColumns) {
      uint64_t row_end = std::min<uint64_t>(row_start + kMapColumns, cells_);
      int y = y0 + static_cast<int>(row_start / kMapColumns) * kCellHeight;
      uint64_t c = row_start;
      while (c < row_end) {
        int l = level(c);
        uint64_t a = 0, f = 0, e = c;
        while (e < row_end && level(e) == l) {
          a += alloc[e];
          f += free[e];
          e++;
        }
        absl::StrAppendFormat(
            out,
            "<rect class=\"seg\" x=\"%d\" y=\"%d\" width=\"%d\" "
            "height=\"%d\" fill=\"%s\" data-alloc=\"%u\" data-free=\"%u\"/>\n",
            kMargin + static_cast<int>(c - row_start), y,
            static_cast<int>(e - c), kCellHeight, shade(l), a, f);
        c = e;
      }
    }
    for (const auto &[at, span] : span_starts) {
      uint64_t c = cell_of(at);
      int x = kMargin + static_cast<int>(c % kMapColumns);
      int y = y0 + static_cast<int>(c / kMapColumns) * kCellHeight;
      absl::StrAppendFormat(
          out,
          "<line class=\"span\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
          "stroke=\"%s\" stroke-width=\"1\" data-addr=\"%u\" "
          "data-size=\"%u\"><title>span %#x-%#x (%s)</title></line>\n",
          x, y - 2, x, y + kCellHeight + 2, kSpanColour, span->start,
          span->size, span->start, span->start + span->size - 1,
          human(span->size));
    }
  }

  void draw_share(std::string *out, int y) {
    struct Part {
      const char *label;
      uint64_t bytes;
      const char *colour;
    };
    // The quantum caches' items are allocated segments of the arena:
    // split what is allocated into what callers asked the arena for, what
    // the caches handed out and what they keep free.
    uint64_t inuse = st_.vs_inuse;
    uint64_t qc_used = std::min<uint64_t>(share_.inuse, inuse);
    uint64_t qc_free = std::min<uint64_t>(share_.free, inuse - qc_used);
    std::vector<Part> parts;
    parts.push_back({"allocated", inuse - qc_used - qc_free, kAllocColour});
    if (st_.vs_qcache_max != 0) {
      parts.push_back({"quantum cache, handed out", qc_used, kQcUsedColour});
      parts.push_back({"quantum cache, held free", qc_free, kQcFreeColour});
    }
    parts.push_back({"free", st_.vs_free, kFreeColour});
    uint64_t total = 0;
    for (const Part &p : parts) total += p.bytes;
    absl::StrAppendFormat(out, "<text x=\"%d\" y=\"%d\" class=\"label\">",
                          kMargin, y - 4);
    const char *sep = "";
    for (const Part &p : parts) {
      absl::StrAppendFormat(out, "%s%s %s", sep, p.label, human(p.bytes));
      sep = " | ";
    }
    *out += "</text>\n";
    double x = kMargin;
    uint64_t done = 0;
    for (const Part &p : parts) {
      done += p.bytes;
      double next =
          kMargin +
          (total ? static_cast<double>(kMapColumns) * done / total : 0.0);
      absl::StrAppendFormat(
          out,
          "<rect class=\"share\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
          "height=\"%d\" fill=\"%s\" stroke=\"%s\" stroke-width=\"0.5\" "
          "data-part=\"%s\" data-bytes=\"%u\"><title>%s: %u</title></rect>\n",
          x, y, next - x, kBarHeight, p.colour, kSpanColour, p.label, p.bytes,
          p.label, p.bytes);
      x = next;
    }
  }

  void draw_histogram(std::string *out, int y) {
    absl::StrAppendFormat(
        out,
        "<text x=\"%d\" y=\"%d\" class=\"label\">free segments per order "
        "(bar: bytes; above: count)</text>\n",
        kMargin, y - 4);
    std::vector<const vmem_order_stats *> orders;
    uint64_t most = 0;
    for (int i = 0; i < st_.vs_norder; i++)
      if (st_.vs_order[i].vo_free_count != 0) {
        orders.push_back(&st_.vs_order[i]);
        most = std::max<uint64_t>(most, st_.vs_order[i].vo_free_bytes);
      }
    if (orders.empty()) {
      absl::StrAppendFormat(out,
                            "<text x=\"%d\" y=\"%d\">(nothing free)</text>\n",
                            kMargin, y + kLine);
      return;
    }
    const int slot =
        std::min(64, kMapColumns / static_cast<int>(orders.size()));
    const int base = y + kHistHeight - kLine;
    for (size_t i = 0; i < orders.size(); i++) {
      const vmem_order_stats &o = *orders[i];
      int h =
          most == 0
              ? 0
              : std::max(1, static_cast<int>(
                                (kHistHeight - 2 * kLine) *
                                static_cast<double>(o.vo_free_bytes) / most));
      int x = kMargin + static_cast<int>(i) * slot;
      absl::StrAppendFormat(
          out,
          "<rect class=\"order\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
          "fill=\"%s\" data-size=\"%u\" data-free-count=\"%u\" "
          "data-free-bytes=\"%u\"><title>%s and up: %u free, %s</title>"
          "</rect>\n",
          x + 2, base - h, slot - 4, h, kHistColour, o.vo_size, o.vo_free_count,
          o.vo_free_bytes, human(o.vo_size), o.vo_free_count,
          human(o.vo_free_bytes));
      absl::StrAppendFormat(out,
                            "<text x=\"%d\" y=\"%d\" class=\"small\" "
                            "text-anchor=\"middle\">%u</text>\n",
                            x + slot / 2, base - h - 3, o.vo_free_count);
      absl::StrAppendFormat(out,
                            "<text x=\"%d\" y=\"%d\" class=\"small\" "
                            "text-anchor=\"middle\">%s</text>\n",
                            x + slot / 2, base + 12, human(o.vo_size));
    }
  }

  int top_;
  vmem_stats st_;
  QcacheShare share_;
  std::vector<Segment> segments_;
  uint64_t total_ = 0;
  uint64_t cells_ = 0;
  int rows_ = 1;
};

}  // namespace

std::string svg_report(const RunSummary &run,
                       const std::vector<vmem_t *> &arenas,
                       const std::vector<uma_zone_t> &zones) {
  std::string body;
  int y = kMargin + kLine;
  body += absl::StrFormat(
      "<text x=\"%d\" y=\"%d\" class=\"title\">vmemstat: scenario %s, %d "
      "thread(s), %.1f s: %u allocations, %u frees, %u M_NOWAIT "
      "failures</text>\n",
      kMargin, y, xml_escape(run.scenario), run.threads, run.seconds,
      run.ops.allocs, run.ops.frees, run.ops.failures);
  y += kLine / 2;
  // The legend.
  const struct {
    const char *label;
    std::string colour;
  } legend[] = {{"free", kFreeColour},
                {"partly allocated", shade(4)},
                {"allocated", kAllocColour},
                {"quantum cache, handed out", kQcUsedColour},
                {"quantum cache, held free", kQcFreeColour},
                {"span start", kSpanColour}};
  int x = kMargin;
  for (const auto &l : legend) {
    absl::StrAppendFormat(&body,
                          "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" "
                          "fill=\"%s\" stroke=\"%s\" stroke-width=\"0.5\"/>"
                          "<text x=\"%d\" y=\"%d\" class=\"small\">%s</text>\n",
                          x, y, l.colour, kSpanColour, x + 14, y + 9, l.label);
    x += 14 + 7 * static_cast<int>(std::string(l.label).size()) + 16;
  }
  y += kLine + kLine / 2;
  for (vmem_t *vm : arenas) {
    ArenaPicture picture(vm, zones, y);
    body += picture.draw();
    y += picture.height();
  }
  std::string out = absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\">\n"
      "<style>text { font-family: monospace; font-size: 12px; fill: #1b2631 }"
      " .title { font-weight: bold } .small { font-size: 10px }"
      " rect.seg { shape-rendering: crispEdges }</style>\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
      kWidth, y, kWidth, y);
  out += body;
  out += "</svg>\n";
  return out;
}

}  // namespace vmemstat
