// The registry of deliberate changes (kern/PORTING.md): numbered entries
// that the PORT(n) tags of the translation cite.

#ifndef TOOLS_AUDIT_REGISTRY_H_
#define TOOLS_AUDIT_REGISTRY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vmem_audit {

// A regression test an entry names: a file of the workspace and a test in
// it ("Suite.Name").
struct RegressionTest {
  std::string file;
  std::string name;
};

struct RegistryEntry {
  int number = 0;
  std::string title;
  int line = 0;  // 1-based, of the heading
  // A fix of an upstream defect: its title starts with "Fix:", and it must
  // name the regression tests that fail without it.
  bool fix = false;
  std::vector<RegressionTest> tests;
};

// Something wrong in the registry itself, at a 1-based line.
struct RegistryError {
  int line = 0;
  std::string what;
};

struct Registry {
  std::vector<RegistryEntry> entries;
  // Malformed headings, numbers out of sequence, fixes without tests.
  std::vector<RegistryError> errors;

  const RegistryEntry *Find(int number) const;
};

// Entries start with a heading "## <n>. <title>", numbered 1, 2, 3, ... in
// order; other headings and text are free. In a fix, a list item starting
// "- Regression test" (it may go on over indented lines) names its tests as
// `<file>` `<Suite.Name>` ..., each test after the file it is in; a file
// may be followed by several tests.
Registry ParseRegistry(absl::string_view text);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_REGISTRY_H_
