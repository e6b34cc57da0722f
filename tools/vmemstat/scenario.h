// The arenas and zones vmemstat builds, and the workload it runs on them.
#ifndef TOOLS_VMEMSTAT_SCENARIO_H_
#define TOOLS_VMEMSTAT_SCENARIO_H_

#include <sys/vmem.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vmemstat {

// Counts of what the workload did, summed over threads.
struct OpCounts {
  uint64_t allocs = 0;
  uint64_t frees = 0;
  uint64_t failures = 0;  // M_NOWAIT requests that found no space
};

// A stack of arenas and zones, built by one of the scenarios.
class Stack {
 public:
  virtual ~Stack() = default;
  // Arenas, bottom first, for the report.
  virtual std::vector<vmem_t *> arenas() const = 0;
  // One worker's loop: runs until stop() returns true.
  virtual OpCounts work(int thread, const std::function<bool()> &stop) = 0;
  // Frees what the workers left allocated (call after they joined).
  virtual void release_all() = 0;
};

// Names of the scenarios, and a description of each.
const std::vector<std::pair<std::string, std::string>> &scenarios();

// Builds the named scenario's stack; nullptr for an unknown name.
std::unique_ptr<Stack> make_stack(const std::string &name, int threads);

}  // namespace vmemstat

#endif  // TOOLS_VMEMSTAT_SCENARIO_H_
