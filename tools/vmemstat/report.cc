#include "tools/vmemstat/report.h"

#include <sys/vmem_ext.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vmemstat {
namespace {

std::string json_string(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      absl::StrAppendFormat(&out, "\\u%04x", c);
    else
      out += c;
  }
  return out + "\"";
}

}  // namespace

std::string text_report(const RunSummary &run,
                        const std::vector<vmem_t *> &arenas,
                        const std::vector<uma_zone_t> &zones) {
  std::string out = absl::StrFormat(
      "scenario %s: %d thread(s), %.1f s: %u allocations, %u frees; %u "
      "M_NOWAIT allocations of the workload found no space\n\n",
      run.scenario, run.threads, run.seconds, run.ops.allocs, run.ops.frees,
      run.ops.failures);
  for (vmem_t *vm : arenas) {
    struct vmem_stats st;
    vmem_get_stats(vm, &st);
    absl::StrAppendFormat(&out, "vmem '%s'\n", st.vs_name);
    absl::StrAppendFormat(&out, "\tquantum:\t%u bytes\n", st.vs_quantum);
    absl::StrAppendFormat(&out, "\tsize:\t\t%u bytes\n", st.vs_size);
    absl::StrAppendFormat(&out, "\tinuse:\t\t%u bytes\n", st.vs_inuse);
    absl::StrAppendFormat(&out, "\tfree:\t\t%u bytes\n", st.vs_free);
    absl::StrAppendFormat(&out, "\tspans:\t\t%u\n", st.vs_spans);
    absl::StrAppendFormat(&out, "\tbusy tags:\t%d\n", st.vs_busy_tags);
    absl::StrAppendFormat(&out, "\tfree tags:\t%d\n", st.vs_free_tags);
    absl::StrAppendFormat(&out, "\thash buckets:\t%u\n", st.vs_hash_buckets);
    // Per order of size: its smallest segment size, then the count and
    // bytes of the allocated and of the free segments in it.
    absl::StrAppendFormat(&out, "\t%-15s %-11s %-15s %-11s %s\n", "ORDER(B)",
                          "INUSE(SEGS)", "INUSE(B)", "FREE(SEGS)", "FREE(B)");
    for (int i = 0; i < st.vs_norder; i++) {
      const vmem_order_stats &o = st.vs_order[i];
      if (o.vo_inuse_count == 0 && o.vo_free_count == 0) continue;
      absl::StrAppendFormat(&out, "\t%-15u %-11u %-15u %-11u %u\n", o.vo_size,
                            o.vo_inuse_count, o.vo_inuse_bytes, o.vo_free_count,
                            o.vo_free_bytes);
    }
    out += "\n";
  }
  if (!zones.empty()) {
    bool any_failure = false;
    absl::StrAppendFormat(&out, "%-18s %8s %8s %8s %8s %10s %6s %6s\n", "ZONE",
                          "SIZE(B)", "LIMIT", "USED", "FREE", "REQ", "FAIL",
                          "SLEEP");
    for (uma_zone_t z : zones) {
      struct uma_zone_stats zs;
      uma_zone_get_stats(z, &zs);
      any_failure |= zs.failures != 0;
      absl::StrAppendFormat(&out, "%-18s %8u %8d %8d %8d %10u %6u %6u\n",
                            absl::StrCat(zs.name, ":"), zs.size, zs.limit,
                            zs.inuse, zs.free, zs.requests, zs.failures,
                            zs.sleeps);
    }
    out +=
        "LIMIT, USED and FREE count items; REQ allocations served, FAIL\n"
        "allocations that returned NULL, SLEEP waits for memory or a limit.\n";
    // As vmstat -z does, FAIL counts M_NOVM tries that found nothing ready.
    // vmem refills its boundary tags with one, then, if the zone had none,
    // allocates again allowing new memory: such a FAIL on "vmem btag" cost
    // the caller a retry, not an allocation.
    if (any_failure)
      out +=
          "FAIL includes M_NOVM tries: vmem refills its boundary tags from\n"
          "\"vmem btag\" first with M_NOWAIT|M_NOVM, which takes only a tag "
          "the zone\nholds ready, and if it has none allocates again "
          "allowing new memory:\nsuch a FAIL failed no caller.\n";
  }
  return out;
}

std::string json_report(const RunSummary &run,
                        const std::vector<vmem_t *> &arenas,
                        const std::vector<uma_zone_t> &zones) {
  std::string out = absl::StrFormat(
      "{\"scenario\": %s, \"threads\": %d, \"seconds\": %g, "
      "\"ops\": {\"allocs\": %u, \"frees\": %u, \"failures\": %u},\n"
      " \"arenas\": [",
      json_string(run.scenario), run.threads, run.seconds, run.ops.allocs,
      run.ops.frees, run.ops.failures);
  const char *sep = "";
  for (vmem_t *vm : arenas) {
    struct vmem_stats st;
    vmem_get_stats(vm, &st);
    absl::StrAppendFormat(
        &out,
        "%s\n  {\"name\": %s, \"quantum\": %u, \"size\": %u, \"inuse\": %u, "
        "\"free\": %u, \"spans\": %u, \"busy_tags\": %d, \"free_tags\": %d, "
        "\"hash_buckets\": %u, \"orders\": [",
        sep, json_string(st.vs_name), st.vs_quantum, st.vs_size, st.vs_inuse,
        st.vs_free, st.vs_spans, st.vs_busy_tags, st.vs_free_tags,
        st.vs_hash_buckets);
    const char *osep = "";
    for (int i = 0; i < st.vs_norder; i++) {
      const vmem_order_stats &o = st.vs_order[i];
      if (o.vo_inuse_count == 0 && o.vo_free_count == 0) continue;
      absl::StrAppendFormat(&out,
                            "%s{\"size\": %u, \"inuse\": %u, \"inuse_bytes\": "
                            "%u, \"free\": %u, \"free_bytes\": %u}",
                            osep, o.vo_size, o.vo_inuse_count, o.vo_inuse_bytes,
                            o.vo_free_count, o.vo_free_bytes);
      osep = ", ";
    }
    out += "]}";
    sep = ",";
  }
  out += "],\n \"zones\": [";
  sep = "";
  for (uma_zone_t z : zones) {
    struct uma_zone_stats zs;
    uma_zone_get_stats(z, &zs);
    absl::StrAppendFormat(&out,
                          "%s\n  {\"name\": %s, \"size\": %u, \"limit\": %d, "
                          "\"used\": %d, \"free\": %d, \"requests\": %u, "
                          "\"failures\": %u, \"sleeps\": %u}",
                          sep, json_string(zs.name), zs.size, zs.limit,
                          zs.inuse, zs.free, zs.requests, zs.failures,
                          zs.sleeps);
    sep = ",";
  }
  out += "]}\n";
  return out;
}

}  // namespace vmemstat
