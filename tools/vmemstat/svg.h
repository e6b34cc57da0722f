// vmemstat --svg: a picture of each arena, so fragmentation shows at a
// glance.
//
// Per arena, top to bottom:
//  - the address map: the arena's spans laid end to end in address order
//    (gaps between spans left out), wrapped into rows of kMapColumns cells.
//    A cell is coloured by the share of its bytes that is allocated, from
//    the free colour to the allocated colour; a dark tick marks where each
//    span starts. Each rect of the map (a run of cells of one shade) is
//    class "seg" and carries data-alloc and data-free, its bytes of each;
//    each tick is class "span" with data-addr and data-size. So the rects
//    of an arena add up to its size, and so do its spans.
//  - the share bar: what is allocated by callers, what the quantum caches
//    have handed out and what they hold free (allocated in the arena,
//    unused by anyone), and what is free; class "share", data-bytes.
//  - the per-order free histogram: for every size class (order) with free
//    segments, a bar of their bytes (class "order", data-size of the
//    class, data-free-count, data-free-bytes).
// Each arena is a <g class="arena"> with data-name, data-size, data-inuse
// and data-free.
#ifndef TOOLS_VMEMSTAT_SVG_H_
#define TOOLS_VMEMSTAT_SVG_H_

#include <sys/vmem.h>
#include <vm/uma.h>

#include <string>
#include <vector>

#include "tools/vmemstat/report.h"

namespace vmemstat {

inline constexpr int kMapColumns = 1024;
inline constexpr int kMapRows = 24;

// The whole document. Call with the arenas quiescent (the workers joined):
// the map, the statistics and the zones are read one after the other.
std::string svg_report(const RunSummary &run,
                       const std::vector<vmem_t *> &arenas,
                       const std::vector<uma_zone_t> &zones);

}  // namespace vmemstat

#endif  // TOOLS_VMEMSTAT_SVG_H_
