// Helpers for auditing small synthetic C sources in tests.

#ifndef TESTS_TOOLS_AUDIT_AUDIT_TEST_UTIL_H_
#define TESTS_TOOLS_AUDIT_AUDIT_TEST_UTIL_H_

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "tools/audit/audit.h"
#include "tools/audit/c_source.h"
#include "tools/audit/registry.h"

namespace vmem_audit {
namespace testing {

// Joins lines with "\n" (and a final newline): keeps the synthetic sources
// readable in the tests, one string literal per line.
inline std::string Lines(const std::vector<std::string> &lines) {
  return absl::StrJoin(lines, "\n") + "\n";
}

// A registry with entries 1..n.
inline std::string RegistryOf(int n) {
  std::string text = "# Changes\n\n";
  for (int i = 1; i <= n; ++i) {
    absl::StrAppend(&text, "## ", i, ". Change ", i, "\n\n- What: it.\n\n");
  }
  return text;
}

// An audit of two in-memory files (upstream's taken as already resolved)
// and a registry. The result points into the files, so they live together.
struct AuditRun {
  UpstreamFile upstream;
  SourceFile ours;
  Registry registry;
  AuditResult result;

  // The report of the named function, or null.
  const FunctionReport *Find(absl::string_view name) const {
    for (const FunctionReport &r : result.functions) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }
};

// registry: its text; by default one entry for each number up to the
// highest our file cites.
inline std::unique_ptr<AuditRun> RunAudit(
    absl::string_view upstream, absl::string_view ours,
    const std::string *registry = nullptr) {
  auto run = std::make_unique<AuditRun>();
  run->upstream = UpstreamFromText("upstream.c", SplitLines(upstream));
  run->ours = ParseSource("ours.cc", ours);
  int highest = 0;
  for (const SourceLine &l : run->ours.lines) {
    for (int n : l.port_refs) highest = std::max(highest, n);
  }
  run->registry =
      ParseRegistry(registry != nullptr ? *registry : RegistryOf(highest));
  run->result = Audit(run->upstream, run->ours, &run->registry, "PORTING.md");
  return run;
}

}  // namespace testing
}  // namespace vmem_audit

#endif  // TESTS_TOOLS_AUDIT_AUDIT_TEST_UTIL_H_
