#include "tools/audit/registry.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tools/audit/c_source.h"

namespace vmem_audit {

namespace {

// The `quoted` pieces of a line, in order.
std::vector<std::string> Backticked(absl::string_view line) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = line.find('`', pos)) != absl::string_view::npos) {
    const size_t end = line.find('`', pos + 1);
    if (end == absl::string_view::npos) break;
    out.push_back(std::string(line.substr(pos + 1, end - pos - 1)));
    pos = end + 1;
  }
  return out;
}

bool IsTestName(absl::string_view s) {
  const size_t dot = s.find('.');
  if (dot == 0 || dot == absl::string_view::npos || dot + 1 == s.size()) {
    return false;
  }
  for (char c : s) {
    if (c != '.' && c != '_' && c != '/' &&
        !absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace

const RegistryEntry *Registry::Find(int number) const {
  for (const RegistryEntry &e : entries) {
    if (e.number == number) return &e;
  }
  return nullptr;
}

Registry ParseRegistry(absl::string_view text) {
  Registry reg;
  const std::vector<std::string> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const int lineno = static_cast<int>(i) + 1;
    absl::string_view line = lines[i];
    if (absl::ConsumePrefix(&line, "## ")) {
      size_t digits = 0;
      while (digits < line.size() &&
             absl::ascii_isdigit(static_cast<unsigned char>(line[digits]))) {
        ++digits;
      }
      if (digits == 0) continue;  // a heading of another kind
      RegistryEntry e;
      e.line = lineno;
      if (!absl::SimpleAtoi(line.substr(0, digits), &e.number) ||
          line.substr(digits, 2) != ". ") {
        reg.errors.push_back(
            {lineno, "an entry heading is \"## <n>. <title>\""});
        continue;
      }
      e.title =
          std::string(absl::StripAsciiWhitespace(line.substr(digits + 2)));
      e.fix = absl::StartsWith(e.title, "Fix:");
      const int expected =
          reg.entries.empty() ? 1 : reg.entries.back().number + 1;
      if (e.number != expected) {
        reg.errors.push_back(
            {lineno, absl::StrCat("entry ", e.number, " where ", expected,
                                  " comes next")});
      }
      reg.entries.push_back(e);
      continue;
    }
    if (reg.entries.empty()) continue;
    std::string item(absl::StripLeadingAsciiWhitespace(lines[i]));
    if (!absl::StartsWith(item, "- Regression test")) continue;
    // The item goes on over the indented lines that follow it.
    while (i + 1 < lines.size() && !lines[i + 1].empty() &&
           absl::ascii_isspace(static_cast<unsigned char>(lines[i + 1][0])) &&
           !absl::StartsWith(absl::StripLeadingAsciiWhitespace(lines[i + 1]),
                             "- ")) {
      absl::StrAppend(&item, " ",
                      absl::StripLeadingAsciiWhitespace(lines[++i]));
    }
    RegistryEntry &e = reg.entries.back();
    std::string file;
    for (const std::string &piece : Backticked(item)) {
      if (absl::EndsWith(piece, ".cc") || absl::EndsWith(piece, ".c")) {
        file = piece;
      } else if (IsTestName(piece) && !file.empty()) {
        e.tests.push_back({file, piece});
      } else {
        reg.errors.push_back(
            {lineno, absl::StrCat("`", piece,
                                  "` is neither a test file nor "
                                  "a Suite.Name after one")});
      }
    }
  }
  for (const RegistryEntry &e : reg.entries) {
    if (e.fix && e.tests.empty()) {
      reg.errors.push_back({e.line, absl::StrCat("entry ", e.number,
                                                 " fixes an upstream defect "
                                                 "but names no regression "
                                                 "test")});
    }
  }
  return reg;
}

}  // namespace vmem_audit
