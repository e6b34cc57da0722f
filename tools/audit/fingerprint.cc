#include "tools/audit/fingerprint.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/audit/c_functions.h"
#include "tools/audit/c_source.h"

namespace vmem_audit {

namespace {

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

}  // namespace

uint64_t LineHash(absl::string_view line) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : line) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

Fingerprint MakeFingerprint(const std::string &commit, const std::string &path,
                            const std::vector<std::string> &lines) {
  Fingerprint fp;
  fp.commit = commit;
  fp.path = path;
  for (const std::string &l : lines) fp.line_hashes.push_back(LineHash(l));
  const std::vector<Function> functions =
      ExtractFunctions(ScanSource(absl::StrJoin(lines, "\n") + "\n"));
  for (const Function &f : functions) {
    fp.functions.push_back({f.name, f.first_line + 1, f.last_line + 1});
  }
  return fp;
}

std::string FormatFingerprint(const Fingerprint &fp) {
  std::string out =
      "# Fingerprint of FreeBSD's subr_vmem.c for tools/audit: hashes of its\n"
      "# lines (with _KERNEL defined, whitespace removed) and its function\n"
      "# boundaries, not its text. Regenerate from a FreeBSD checkout with\n"
      "#   vmem_audit --write-fingerprint=<this file> --commit=<hash> <tree>\n";
  absl::StrAppend(&out, "commit ", fp.commit, "\n");
  absl::StrAppend(&out, "path ", fp.path, "\n");
  absl::StrAppend(&out, "lines ", fp.line_hashes.size(), "\n");
  for (const FunctionSpan &f : fp.functions) {
    absl::StrAppend(&out, "function ", f.first_line, " ", f.last_line, " ",
                    f.name, "\n");
  }
  for (uint64_t h : fp.line_hashes) {
    absl::StrAppend(&out, absl::StrFormat("%016x", h), "\n");
  }
  return out;
}

bool ParseFingerprint(absl::string_view text, Fingerprint *fp,
                      std::string *error) {
  *fp = Fingerprint();
  int expected_lines = -1;
  int lineno = 0;
  auto fail = [&](absl::string_view what) {
    *error = absl::StrCat("line ", lineno, ": ", what);
    return false;
  };
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() == 1 && f[0].size() == 16 && IsHex(f[0])) {
      uint64_t h = 0;
      if (!absl::SimpleHexAtoi(f[0], &h)) return fail("bad hash");
      fp->line_hashes.push_back(h);
    } else if (f[0] == "commit" && f.size() == 2 && f[1].size() == 40 &&
               IsHex(f[1])) {
      fp->commit = std::string(f[1]);
    } else if (f[0] == "path" && f.size() == 2) {
      fp->path = std::string(f[1]);
    } else if (f[0] == "lines" && f.size() == 2 &&
               absl::SimpleAtoi(f[1], &expected_lines)) {
    } else if (f[0] == "function" && f.size() == 4) {
      FunctionSpan span;
      span.name = std::string(f[3]);
      if (!absl::SimpleAtoi(f[1], &span.first_line) ||
          !absl::SimpleAtoi(f[2], &span.last_line) || span.first_line < 1 ||
          span.last_line < span.first_line) {
        return fail("bad function line");
      }
      fp->functions.push_back(span);
    } else {
      return fail(absl::StrCat("unexpected \"", line.substr(0, 40), "\""));
    }
  }
  lineno = 0;
  if (fp->commit.empty()) return fail("no commit");
  if (expected_lines != static_cast<int>(fp->line_hashes.size())) {
    return fail(absl::StrCat("\"lines\" says ", expected_lines, ", found ",
                             fp->line_hashes.size(), " hashes"));
  }
  for (const FunctionSpan &s : fp->functions) {
    if (s.last_line > expected_lines) {
      return fail(absl::StrCat("function ", s.name, " ends past the file"));
    }
  }
  return true;
}

}  // namespace vmem_audit
