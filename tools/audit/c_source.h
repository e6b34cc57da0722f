// Lexical view of a C/C++ source file, line by line: the code with comments
// blanked out, and where comments (and "PORT:" tags) sit.

#ifndef TOOLS_AUDIT_C_SOURCE_H_
#define TOOLS_AUDIT_C_SOURCE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vmem_audit {

// The marker that tags a deliberate deviation from upstream.
inline constexpr absl::string_view kPortTag = "PORT:";

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
  // A comment covering part of this line contains kPortTag.
  bool port = false;

  // A line holding a comment and nothing else.
  bool CommentOnly() const { return has_comment && normalized.empty(); }
};

// Splits text into lines and strips C and C++ comments, knowing about
// string and character literals. A comment is blanked over every line it
// spans; if it contains kPortTag, every one of those lines gets port = true.
std::vector<SourceLine> ScanSource(absl::string_view text);

// Collapses runs of whitespace to one space and trims both ends.
std::string NormalizeWhitespace(absl::string_view s);

}  // namespace vmem_audit

#endif  // TOOLS_AUDIT_C_SOURCE_H_
