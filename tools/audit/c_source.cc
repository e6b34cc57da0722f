#include "tools/audit/c_source.h"

#include <cstddef>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace vmem_audit {

namespace {

enum class State { kCode, kBlockComment, kLineComment, kString, kChar };

// Marks lines [first, last] as carrying a comment.
void MarkComment(std::vector<SourceLine> &lines, size_t first, size_t last) {
  for (size_t i = first; i <= last && i < lines.size(); ++i) {
    lines[i].has_comment = true;
  }
}

bool IsIdentChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Parses "(n, m, ...)" at the start of s; on success sets *refs and *length
// (the characters consumed).
bool ParseRefList(absl::string_view s, std::vector<int> *refs, size_t *length) {
  if (s.empty() || s[0] != '(') return false;
  const size_t close = s.find(')');
  if (close == absl::string_view::npos) return false;
  std::vector<int> out;
  absl::string_view body = s.substr(1, close - 1);
  while (true) {
    body = absl::StripLeadingAsciiWhitespace(body);
    size_t digits = 0;
    while (digits < body.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(body[digits]))) {
      ++digits;
    }
    int n = 0;
    if (digits == 0 || digits > 6 ||
        !absl::SimpleAtoi(body.substr(0, digits), &n) || n <= 0) {
      return false;
    }
    out.push_back(n);
    body = absl::StripLeadingAsciiWhitespace(body.substr(digits));
    if (body.empty()) break;
    if (body[0] != ',') return false;
    body.remove_prefix(1);
  }
  *refs = std::move(out);
  *length = close + 1;
  return true;
}

}  // namespace

PortTags ParsePortTags(absl::string_view comment) {
  PortTags tags;
  size_t pos = 0;
  while ((pos = comment.find(kPortTag, pos)) != absl::string_view::npos) {
    const size_t after = pos + kPortTag.size();
    const bool word_start = pos == 0 || !IsIdentChar(comment[pos - 1]);
    const char next = after < comment.size() ? comment[after] : '\0';
    if (!word_start || (next != '(' && next != ':')) {
      pos = after;
      continue;
    }
    std::vector<int> refs;
    size_t length = 0;
    if (next == '(' && ParseRefList(comment.substr(after), &refs, &length)) {
      tags.refs.insert(tags.refs.end(), refs.begin(), refs.end());
      pos = after + length;
      continue;
    }
    tags.malformed.push_back(std::string(comment.substr(pos, 12)));
    pos = after;
  }
  return tags;
}

std::vector<std::string> SplitLines(absl::string_view text) {
  std::vector<std::string> lines;
  // Split on '\n'; a final line without newline still counts, but a
  // trailing newline does not start an extra empty line.
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(std::string(line));
    start = end + 1;
  }
  return lines;
}

std::string StripWhitespace(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

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
  for (std::string &raw : SplitLines(text)) {
    SourceLine sl;
    sl.raw = std::move(raw);
    lines.push_back(std::move(sl));
  }

  State state = State::kCode;
  size_t comment_first = 0;  // line where the current comment began

  for (size_t li = 0; li < lines.size(); ++li) {
    SourceLine &sl = lines[li];
    const std::string &raw = sl.raw;
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
            sl.code[i] = sl.code[i + 1] = ' ';
            sl.bare[i] = sl.bare[i + 1] = ' ';
            ++i;
          } else if (c == '/' && next == '/') {
            state = State::kLineComment;
            comment_first = li;
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
            MarkComment(lines, comment_first, li);
            state = State::kCode;
          } else {
            sl.comment.push_back(c);
          }
          break;
        case State::kLineComment:
          sl.code[i] = sl.bare[i] = ' ';
          sl.comment.push_back(c);
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
      MarkComment(lines, comment_first, li);
      state = State::kCode;
    } else if (state == State::kString || state == State::kChar) {
      // Unterminated literal (or a line-continued one): resynchronise.
      if (raw.empty() || raw.back() != '\\') state = State::kCode;
    }
    sl.normalized = NormalizeWhitespace(sl.code);
    PortTags tags = ParsePortTags(sl.comment);
    sl.port_refs = std::move(tags.refs);
    sl.malformed_tags = std::move(tags.malformed);
  }
  if (state == State::kBlockComment && !lines.empty()) {
    MarkComment(lines, comment_first, lines.size() - 1);
  }
  return lines;
}

}  // namespace vmem_audit
