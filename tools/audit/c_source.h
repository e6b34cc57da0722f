// Lexical view of a C/C++ source file, line by line: the code with comments
// blanked out, and where comments (and PORT(n) tags) sit.

#ifndef TOOLS_AUDIT_C_SOURCE_H_
#define TOOLS_AUDIT_C_SOURCE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vmem_audit {

// A deliberate deviation from upstream is tagged by a comment holding
// "PORT(n)" or "PORT(n, m, ...)": the numbers of the entries of the
// registry (kern/PORTING.md) that explain it.
inline constexpr absl::string_view kPortTag = "PORT";

// The entries cited by the tags in a piece of comment text, in order; and,
// in malformed, each "PORT" followed by ':' or '(' that is not a well-formed
// tag (such as the old "PORT:" or "PORT()"), quoted briefly.
struct PortTags {
  std::vector<int> refs;
  std::vector<std::string> malformed;
};
PortTags ParsePortTags(absl::string_view comment);

struct SourceLine {
  // The line as in the file, without its newline.
  std::string raw;
  // raw with every comment character replaced by a space (same columns).
  std::string code;
  // code with the contents of string and character literals also blanked
  // (the quotes stay): safe for counting braces and parentheses.
  std::string bare;
  // code with whitespace normalised (runs collapsed, trimmed); empty when
  // the line holds no code.
  std::string normalized;
  // Some comment covers part of this line.
  bool has_comment = false;
  // The comment text on this line (without the comment markers).
  std::string comment;
  // What the tags written on this line cite (a tag belongs to the line its
  // text is on, not to every line of its comment).
  std::vector<int> port_refs;
  // Malformed tags on this line (see PortTags).
  std::vector<std::string> malformed_tags;

  bool Tagged() const { return !port_refs.empty(); }

  // A line holding a comment and nothing else.
  bool CommentOnly() const { return has_comment && normalized.empty(); }
};

// Splits text into lines and strips C and C++ comments, knowing about
// string and character literals. A comment is blanked over every line it
// spans; the tags in it are parsed line by line.
std::vector<SourceLine> ScanSource(absl::string_view text);

// Splits text into lines as ScanSource() does, without scanning them.
std::vector<std::string> SplitLines(absl::string_view text);

// Collapses runs of whitespace to one space and trims both ends.
std::string NormalizeWhitespace(absl::string_view s);

// s without any whitespace: two lines compare equal this way exactly when
// "diff -w" (ignore all white space) takes them as equal.
std::string StripWhitespace(absl::string_view s);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_C_SOURCE_H_
