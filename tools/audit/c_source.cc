#include "tools/audit/c_source.h"

#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace vmem_audit {

namespace {

enum class State { kCode, kBlockComment, kLineComment, kString, kChar };

// Marks lines [first, last] as carrying a comment, and as tagged if the
// comment's text holds the tag.
void MarkComment(std::vector<SourceLine>& lines, size_t first, size_t last,
                 absl::string_view text) {
  const bool tagged = absl::StrContains(text, kPortTag);
  for (size_t i = first; i <= last && i < lines.size(); ++i) {
    lines[i].has_comment = true;
    if (tagged) lines[i].port = true;
  }
}

}  // namespace

std::string NormalizeWhitespace(absl::string_view s) {
  std::string out;
  bool pending_space = false;
  for (char c : s) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::vector<SourceLine> ScanSource(absl::string_view text) {
  std::vector<SourceLine> lines;
  // Split on '\n'; a final line without newline still counts, but a
  // trailing newline does not start an extra empty line.
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SourceLine sl;
    sl.raw = std::string(line);
    lines.push_back(std::move(sl));
    start = end + 1;
  }

  State state = State::kCode;
  size_t comment_first = 0;   // line where the current comment began
  std::string comment_text;   // text of the current comment

  for (size_t li = 0; li < lines.size(); ++li) {
    SourceLine& sl = lines[li];
    const std::string& raw = sl.raw;
    sl.code = raw;
    sl.bare = raw;
    for (size_t i = 0; i < raw.size(); ++i) {
      const char c = raw[i];
      const char next = i + 1 < raw.size() ? raw[i + 1] : '\0';
      switch (state) {
        case State::kCode:
          if (c == '/' && next == '*') {
            state = State::kBlockComment;
            comment_first = li;
            comment_text.clear();
            sl.code[i] = sl.code[i + 1] = ' ';
            sl.bare[i] = sl.bare[i + 1] = ' ';
            ++i;
          } else if (c == '/' && next == '/') {
            state = State::kLineComment;
            comment_first = li;
            comment_text.clear();
            sl.code[i] = sl.code[i + 1] = ' ';
            sl.bare[i] = sl.bare[i + 1] = ' ';
            ++i;
          } else if (c == '"') {
            state = State::kString;
          } else if (c == '\'') {
            state = State::kChar;
          }
          break;
        case State::kBlockComment:
          sl.code[i] = sl.bare[i] = ' ';
          if (c == '*' && next == '/') {
            sl.code[i + 1] = sl.bare[i + 1] = ' ';
            ++i;
            MarkComment(lines, comment_first, li, comment_text);
            state = State::kCode;
          } else {
            comment_text.push_back(c);
          }
          break;
        case State::kLineComment:
          sl.code[i] = sl.bare[i] = ' ';
          comment_text.push_back(c);
          break;
        case State::kString:
        case State::kChar: {
          const char quote = state == State::kString ? '"' : '\'';
          if (c == '\\' && i + 1 < raw.size()) {
            sl.bare[i] = sl.bare[i + 1] = ' ';
            ++i;
          } else if (c == quote) {
            state = State::kCode;
          } else {
            sl.bare[i] = ' ';
          }
          break;
        }
      }
    }
    // End of line.
    if (state == State::kLineComment) {
      // A backslash-newline would continue it; style(9) code never does.
      MarkComment(lines, comment_first, li, comment_text);
      state = State::kCode;
    } else if (state == State::kBlockComment) {
      comment_text.push_back('\n');
    } else if (state == State::kString || state == State::kChar) {
      // Unterminated literal (or a line-continued one): resynchronise.
      if (raw.empty() || raw.back() != '\\') state = State::kCode;
    }
    sl.normalized = NormalizeWhitespace(sl.code);
  }
  if (state == State::kBlockComment && !lines.empty()) {
    MarkComment(lines, comment_first, lines.size() - 1, comment_text);
  }
  return lines;
}

}  // namespace vmem_audit
