// vmemstat's output: per arena what FreeBSD's "show vmem" shows, per zone
// what "vmstat -z" shows; as text or JSON.
#ifndef TOOLS_VMEMSTAT_REPORT_H_
#define TOOLS_VMEMSTAT_REPORT_H_

#include <sys/vmem.h>
#include <vm/uma.h>

#include <string>
#include <vector>

#include "tools/vmemstat/scenario.h"

namespace vmemstat {

struct RunSummary {
  std::string scenario;
  int threads = 0;
  double seconds = 0;
  OpCounts ops;
};

std::string text_report(const RunSummary &run,
                        const std::vector<vmem_t *> &arenas,
                        const std::vector<uma_zone_t> &zones);
std::string json_report(const RunSummary &run,
                        const std::vector<vmem_t *> &arenas,
                        const std::vector<uma_zone_t> &zones);

}  // namespace vmemstat

#endif  // TOOLS_VMEMSTAT_REPORT_H_
