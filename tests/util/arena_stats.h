// An arena's numbers and segments as data, for assertions: what
// vmem_get_stats() reports (FreeBSD's "show vmem" summary), what
// vmem_walk_segments() visits, and both as one snapshot (the tests' one).
#ifndef TESTS_UTIL_ARENA_STATS_H_
#define TESTS_UTIL_ARENA_STATS_H_

#include <string.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <map>
#include <ostream>
#include <vector>

namespace test_util {

inline vmem_stats Stats(vmem_t *vm) {
  vmem_stats st;
  vmem_get_stats(vm, &st);
  return st;
}

// Field by field, the order table up to vs_norder.
inline bool SameStats(const vmem_stats &a, const vmem_stats &b) {
  if (strcmp(a.vs_name, b.vs_name) != 0 || a.vs_quantum != b.vs_quantum ||
      a.vs_size != b.vs_size || a.vs_inuse != b.vs_inuse ||
      a.vs_free != b.vs_free || a.vs_limit != b.vs_limit ||
      a.vs_qcache_max != b.vs_qcache_max ||
      a.vs_import_quantum != b.vs_import_quantum ||
      a.vs_busy_tags != b.vs_busy_tags || a.vs_free_tags != b.vs_free_tags ||
      a.vs_hash_buckets != b.vs_hash_buckets || a.vs_spans != b.vs_spans ||
      a.vs_norder != b.vs_norder)
    return false;
  for (int i = 0; i < a.vs_norder; i++) {
    const vmem_order_stats &x = a.vs_order[i], &y = b.vs_order[i];
    if (x.vo_size != y.vo_size || x.vo_inuse_count != y.vo_inuse_count ||
        x.vo_inuse_bytes != y.vo_inuse_bytes ||
        x.vo_free_count != y.vo_free_count ||
        x.vo_free_bytes != y.vo_free_bytes)
      return false;
  }
  return true;
}

inline std::ostream &operator<<(std::ostream &os, const vmem_stats &st) {
  os << "arena " << st.vs_name << ": quantum " << st.vs_quantum << " size "
     << st.vs_size << " inuse " << st.vs_inuse << " free " << st.vs_free
     << " limit " << st.vs_limit << " busy tags " << st.vs_busy_tags
     << " free tags " << st.vs_free_tags << " hash buckets "
     << st.vs_hash_buckets << " spans " << st.vs_spans << "\n";
  for (int i = 0; i < st.vs_norder; i++) {
    const vmem_order_stats &o = st.vs_order[i];
    if (o.vo_inuse_count == 0 && o.vo_free_count == 0) continue;
    os << "  order size " << o.vo_size << ": inuse " << o.vo_inuse_count << " ("
       << o.vo_inuse_bytes << " bytes), free " << o.vo_free_count << " ("
       << o.vo_free_bytes << " bytes)\n";
  }
  return os;
}

// Free segments per row of the order table: smallest size -> count.
inline std::map<vmem_size_t, size_t> FreeCounts(vmem_t *vm) {
  const vmem_stats st = Stats(vm);
  std::map<vmem_size_t, size_t> counts;
  for (int i = 0; i < st.vs_norder; i++)
    if (st.vs_order[i].vo_free_count != 0)
      counts[st.vs_order[i].vo_size] = st.vs_order[i].vo_free_count;
  return counts;
}

// A segment as vmem_walk_segments() reports it.
struct Segment {
  vmem_addr_t start;
  vmem_size_t size;
  int type;  // VMEM_WALK_SPAN, VMEM_WALK_ALLOC or VMEM_WALK_FREE
};

// The spans and segments of vm in list order (each span before its
// segments; the next-fit cursor is not a segment).
inline std::vector<Segment> Segments(vmem_t *vm) {
  std::vector<Segment> segs;
  vmem_walk_segments(
      vm, VMEM_WALK_SPAN | VMEM_WALK_ALLOC | VMEM_WALK_FREE,
      [](void *arg, vmem_addr_t start, vmem_size_t size, int type) {
        static_cast<std::vector<Segment> *>(arg)->push_back(
            {start, size, type});
      },
      &segs);
  return segs;
}

inline bool operator==(const Segment &a, const Segment &b) {
  return a.start == b.start && a.size == b.size && a.type == b.type;
}

// Everything observable about an arena, for "unchanged" checks: vmem_size()
// for each typemask, what vmem_get_stats() reports, and its spans and
// segments.
struct ArenaSnapshot {
  vmem_size_t alloc, free, total, maxfree;
  vmem_stats stats;
  std::vector<Segment> segments;

  static ArenaSnapshot Of(vmem_t *vm) {
    return {vmem_size(vm, VMEM_ALLOC),
            vmem_size(vm, VMEM_FREE),
            vmem_size(vm, VMEM_ALLOC | VMEM_FREE),
            vmem_size(vm, VMEM_MAXFREE),
            Stats(vm),
            Segments(vm)};
  }
  bool operator==(const ArenaSnapshot &o) const {
    return alloc == o.alloc && free == o.free && total == o.total &&
           maxfree == o.maxfree && SameStats(stats, o.stats) &&
           segments == o.segments;
  }
};

inline std::ostream &operator<<(std::ostream &os, const ArenaSnapshot &s) {
  os << "alloc=" << s.alloc << " free=" << s.free << " total=" << s.total
     << " maxfree=" << s.maxfree << "\n"
     << s.stats;
  for (const Segment &g : s.segments)
    os << "  "
       << (g.type == VMEM_WALK_SPAN    ? "span"
           : g.type == VMEM_WALK_ALLOC ? "alloc"
                                       : "free")
       << " 0x" << std::hex << g.start << " 0x" << g.size << std::dec << "\n";
  return os;
}

// The snapshot without the arena's private stock of boundary tags (its
// "free tags"): the stock is topped up before an allocation searches, so
// even a failing call may change it.
inline ArenaSnapshot WithoutTagStock(ArenaSnapshot s) {
  s.stats.vs_free_tags = 0;
  return s;
}

}  // namespace test_util

#endif  // TESTS_UTIL_ARENA_STATS_H_
