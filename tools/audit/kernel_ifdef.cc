#include "tools/audit/kernel_ifdef.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tools/audit/c_source.h"

namespace vmem_audit {

namespace {

constexpr absl::string_view kMacro = "_KERNEL";

bool IsIdentChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Whether s names the identifier _KERNEL (as a whole word).
bool MentionsKernel(absl::string_view s) {
  for (size_t pos = 0; (pos = s.find(kMacro, pos)) != absl::string_view::npos;
       pos += kMacro.size()) {
    const size_t end = pos + kMacro.size();
    if ((pos == 0 || !IsIdentChar(s[pos - 1])) &&
        (end == s.size() || !IsIdentChar(s[end]))) {
      return true;
    }
  }
  return false;
}

// A preprocessor directive: its keyword ("if", "ifdef", "else", ...) and
// the rest of it, comments removed.
struct Directive {
  std::string keyword;
  std::string rest;
};

bool ParseDirective(absl::string_view code, Directive *d) {
  code = absl::StripAsciiWhitespace(code);
  if (!absl::ConsumePrefix(&code, "#")) return false;
  code = absl::StripLeadingAsciiWhitespace(code);
  size_t n = 0;
  while (n < code.size() && IsIdentChar(code[n])) ++n;
  d->keyword = std::string(code.substr(0, n));
  d->rest = std::string(absl::StripAsciiWhitespace(code.substr(n)));
  return true;
}

enum class Kind { kOther, kKernelTrue, kKernelFalse, kError };

// What an #if, #ifdef or #ifndef tests.
Kind Classify(const Directive &d) {
  const std::string rest = StripWhitespace(d.rest);
  if (d.keyword == "ifdef" || d.keyword == "ifndef") {
    if (rest != kMacro) return Kind::kOther;
    return d.keyword == "ifdef" ? Kind::kKernelTrue : Kind::kKernelFalse;
  }
  if (rest == "defined(_KERNEL)" || rest == "defined_KERNEL") {
    return Kind::kKernelTrue;
  }
  if (rest == "!defined(_KERNEL)" || rest == "!defined_KERNEL") {
    return Kind::kKernelFalse;
  }
  return MentionsKernel(d.rest) ? Kind::kError : Kind::kOther;
}

struct Frame {
  bool kernel;       // a conditional on _KERNEL (resolved away)
  bool value;        // kernel only: whether the current branch is taken
  bool parent_keep;  // the lines around the conditional are kept
  bool seen_else;
  int line;  // 1-based, for errors
};

}  // namespace

ResolvedSource ResolveKernelConditionals(absl::string_view text) {
  ResolvedSource out;
  const std::vector<SourceLine> lines = ScanSource(text);
  std::vector<Frame> stack;
  auto keeping = [&stack] {
    if (stack.empty()) return true;
    const Frame &f = stack.back();
    return f.parent_keep && (!f.kernel || f.value);
  };
  auto fail = [&out](int line, absl::string_view what) {
    out.lines.clear();
    out.error = absl::StrCat("line ", line, ": ", what);
    return out;
  };

  for (size_t i = 0; i < lines.size(); ++i) {
    const int lineno = static_cast<int>(i) + 1;
    // A directive continued with backslash-newline takes its next lines.
    std::string code = lines[i].code;
    size_t last = i;
    while (!code.empty() && code.back() == '\\' && last + 1 < lines.size() &&
           absl::StartsWith(absl::StripLeadingAsciiWhitespace(lines[i].code),
                            "#")) {
      code.pop_back();
      code += lines[++last].code;
    }
    Directive d;
    bool drop_directive = false;
    if (ParseDirective(code, &d)) {
      if (d.keyword == "if" || d.keyword == "ifdef" || d.keyword == "ifndef") {
        const bool parent_keep = keeping();
        const Kind kind = Classify(d);
        if (kind == Kind::kError) {
          return fail(lineno,
                      "a condition on _KERNEL that is not "
                      "#ifdef, #ifndef or #if [!]defined(_KERNEL)");
        }
        const bool kernel = kind != Kind::kOther;
        stack.push_back(
            {kernel, kind == Kind::kKernelTrue, parent_keep, false, lineno});
        drop_directive = kernel;
      } else if (d.keyword == "elif") {
        if (stack.empty()) return fail(lineno, "#elif without #if");
        if (stack.back().kernel || MentionsKernel(d.rest)) {
          return fail(lineno, "#elif in or on a _KERNEL conditional");
        }
      } else if (d.keyword == "else") {
        if (stack.empty()) return fail(lineno, "#else without #if");
        Frame &f = stack.back();
        if (f.seen_else) return fail(lineno, "a second #else");
        f.seen_else = true;
        if (f.kernel) {
          f.value = !f.value;
          drop_directive = true;
        }
      } else if (d.keyword == "endif") {
        if (stack.empty()) return fail(lineno, "#endif without #if");
        drop_directive = stack.back().kernel;
        stack.pop_back();
      }
    }
    // A directive line belongs to the region around its conditional: kept
    // when that region is (except the _KERNEL ones, always dropped).
    bool keep;
    if (drop_directive) {
      keep = false;
    } else if (!d.keyword.empty() &&
               (d.keyword == "else" || d.keyword == "elif" ||
                d.keyword == "endif" || d.keyword == "if" ||
                d.keyword == "ifdef" || d.keyword == "ifndef")) {
      keep = d.keyword == "endif" ? keeping() : stack.back().parent_keep;
    } else {
      keep = keeping();
    }
    for (size_t j = i; j <= last; ++j) {
      if (keep) out.lines.push_back(lines[j].raw);
    }
    i = last;
  }
  if (!stack.empty()) {
    return fail(stack.back().line, "#if without #endif");
  }
  return out;
}

}  // namespace vmem_audit
