// Helpers for auditing small synthetic C sources in tests.

#ifndef TESTS_AUDIT_AUDIT_TEST_UTIL_H_
#define TESTS_AUDIT_AUDIT_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "tools/audit/audit.h"

namespace vmem_audit {
namespace testing {

// Joins lines with "\n" (and a final newline): keeps the synthetic sources
// readable in the tests, one string literal per line.
inline std::string Lines(const std::vector<std::string>& lines) {
  return absl::StrJoin(lines, "\n") + "\n";
}

// An audit of two in-memory files. The result points into the files, so
// they live together.
struct AuditRun {
  SourceFile upstream;
  SourceFile ours;
  AuditResult result;

  // The report of the named function, or null.
  const FunctionReport* Find(absl::string_view name) const {
    for (const FunctionReport& r : result.functions) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }
};

inline std::unique_ptr<AuditRun> RunAudit(absl::string_view upstream,
                                          absl::string_view ours) {
  auto run = std::make_unique<AuditRun>();
  run->upstream = ParseSource("upstream.c", upstream);
  run->ours = ParseSource("ours.cc", ours);
  run->result = Audit(run->upstream, run->ours);
  return run;
}

}  // namespace testing
}  // namespace vmem_audit

#endif  // TESTS_AUDIT_AUDIT_TEST_UTIL_H_
