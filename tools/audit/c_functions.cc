#include "tools/audit/c_functions.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace vmem_audit {

namespace {

bool IsIdentChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool StartsAtColumnZero(const SourceLine &l) {
  return !l.bare.empty() &&
         !absl::ascii_isspace(static_cast<unsigned char>(l.bare[0]));
}

bool IsBlank(absl::string_view s) {
  return absl::StripAsciiWhitespace(s).empty();
}

int ParenBalance(absl::string_view s) {
  int n = 0;
  for (char c : s) {
    if (c == '(') ++n;
    if (c == ')') --n;
  }
  return n;
}

// The last identifier in s (e.g. "bt_fill" in "static int bt_fill ").
std::string LastIdentifier(absl::string_view s) {
  s = absl::StripTrailingAsciiWhitespace(s);
  size_t end = s.size();
  size_t begin = end;
  while (begin > 0 && IsIdentChar(s[begin - 1])) --begin;
  return std::string(s.substr(begin, end - begin));
}

// DB_COMMAND, DB_SHOW_COMMAND, DB_SHOW_ALL_COMMAND, DB_SHOW_COMMAND_FLAGS...
bool IsDdbCommandMacro(absl::string_view name) {
  return absl::StartsWith(name, "DB_") && absl::StrContains(name, "COMMAND");
}

// The second macro argument in "MACRO(a, b)" (or "" if there is none).
std::string SecondArgument(absl::string_view line) {
  size_t open = line.find('(');
  size_t close = line.rfind(')');
  if (open == absl::string_view::npos || close == absl::string_view::npos ||
      close < open) {
    return "";
  }
  std::vector<absl::string_view> args =
      absl::StrSplit(line.substr(open + 1, close - open - 1), ',');
  if (args.size() < 2) return "";
  return std::string(absl::StripAsciiWhitespace(args[1]));
}

// Whether the line could be a style(9) return-type line ("static int",
// "vmem_t *", "static __noinline int").
bool IsReturnTypeLine(const SourceLine &l) {
  if (!StartsAtColumnZero(l) || l.normalized.empty()) return false;
  const std::string &s = l.normalized;
  if (s[0] == '#') return false;
  switch (s.back()) {
    case ';':
    case '{':
    case '}':
    case ')':
    case ',':
    case '\\':
    case '=':
      return false;
    default:
      return true;
  }
}

// Index of the line holding the "}" matching the "{" on line open, or -1.
int MatchingBrace(const std::vector<SourceLine> &lines, int open) {
  int depth = 0;
  for (int i = open; i < static_cast<int>(lines.size()); ++i) {
    for (char c : lines[i].bare) {
      if (c == '{') ++depth;
      if (c == '}') {
        if (--depth == 0) return i;
      }
    }
  }
  return -1;
}

}  // namespace

std::vector<Function> ExtractFunctions(const std::vector<SourceLine> &lines) {
  std::vector<Function> out;
  std::map<std::string, int> seen;
  const int n = static_cast<int>(lines.size());
  for (int i = 1; i < n; ++i) {
    if (lines[i].bare.empty() || lines[i].bare[0] != '{') continue;

    // Walk up over indented continuation lines to the name line.
    int k = i - 1;
    while (k >= 0 && !StartsAtColumnZero(lines[k]) && !IsBlank(lines[k].bare)) {
      --k;
    }
    if (k < 0 || !StartsAtColumnZero(lines[k])) continue;
    const SourceLine &name_line = lines[k];
    if (name_line.normalized.empty() || name_line.normalized[0] == '#') {
      continue;
    }
    absl::string_view decl_end =
        absl::StripTrailingAsciiWhitespace(lines[i - 1].bare);
    if (decl_end.empty() || decl_end.back() != ')') continue;
    int balance = 0;
    for (int j = k; j < i; ++j) balance += ParenBalance(lines[j].bare);
    if (balance != 0) continue;
    const size_t paren = name_line.bare.find('(');
    if (paren == std::string::npos) continue;
    const absl::string_view before = absl::StripTrailingAsciiWhitespace(
        absl::string_view(name_line.bare.data(), paren));
    std::string name = LastIdentifier(before);
    if (name.empty()) continue;

    Function f;
    f.name_line = k;
    f.first_line = k;
    f.open_line = i;
    if (IsDdbCommandMacro(name)) {
      name = SecondArgument(name_line.normalized);
      if (name.empty()) continue;
    } else if (IsBlank(before.substr(0, before.size() - name.size())) &&
               k > 0 && IsReturnTypeLine(lines[k - 1])) {
      f.first_line = k - 1;
    }
    f.last_line = MatchingBrace(lines, i);
    if (f.last_line < 0) continue;

    const int count = ++seen[name];
    f.name = count == 1 ? name : absl::StrCat(name, "#", count);
    out.push_back(f);
    i = f.last_line;
  }
  return out;
}

}  // namespace vmem_audit
