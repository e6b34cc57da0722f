// The command-line tools run: vmemstat's workload and report (text, JSON
// and the SVG picture, and its usage errors), its progress line on and off
// a terminal, and the benchmark binary's ratio table on a tiny run. Nothing
// here measures speed.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <cctype>
#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

struct Result {
  int status;
  std::string out;
};

Result run(const std::string &cmd) {
  Result r{-1, ""};
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

using ::testing::HasSubstr;
using ::testing::Not;

// A small XML reader, enough to check that a document is well-formed (one
// root, tags nested and closed, attributes quoted and not repeated, only
// the predefined and numeric character references, no stray '<' or '&')
// and to look at its elements. Returns null and sets *error otherwise.
struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<std::unique_ptr<Element>> children;
  std::string text;
};

class XmlReader {
 public:
  explicit XmlReader(const std::string &doc) : s_(doc) {}

  std::unique_ptr<Element> Parse(std::string *error) {
    std::unique_ptr<Element> root;
    Misc();
    if (Peek("<?xml")) {
      size_t end = s_.find("?>", i_);
      if (end == std::string::npos)
        return Fail("unterminated declaration", error);
      i_ = end + 2;
    }
    Misc();
    root = ParseElement();
    if (root == nullptr) return Fail(error_, error);
    Misc();
    if (i_ != s_.size()) return Fail("content after the root element", error);
    return root;
  }

 private:
  std::unique_ptr<Element> Fail(const std::string &why, std::string *error) {
    *error = why + " at offset " + std::to_string(i_);
    return nullptr;
  }
  bool Peek(const char *p) const { return s_.compare(i_, strlen(p), p) == 0; }
  void Space() {
    while (i_ < s_.size() && strchr(" \t\r\n", s_[i_]) != nullptr) i_++;
  }
  // Whitespace and comments between elements.
  void Misc() {
    for (;;) {
      Space();
      if (!Peek("<!--")) return;
      size_t end = s_.find("-->", i_);
      i_ = end == std::string::npos ? s_.size() : end + 3;
    }
  }
  bool Name(std::string *name) {
    size_t start = i_;
    while (i_ < s_.size() && (isalnum(static_cast<unsigned char>(s_[i_])) ||
                              strchr("_-.:", s_[i_]) != nullptr))
      i_++;
    *name = s_.substr(start, i_ - start);
    return !name->empty() && !isdigit(static_cast<unsigned char>((*name)[0]));
  }
  // Character data up to the next '<', with references checked.
  bool Text(std::string *out) {
    while (i_ < s_.size() && s_[i_] != '<') {
      if (s_[i_] == '&') {
        size_t end = s_.find(';', i_);
        if (end == std::string::npos) return false;
        std::string ref = s_.substr(i_ + 1, end - i_ - 1);
        static const std::map<std::string, char> kRefs = {{"amp", '&'},
                                                          {"lt", '<'},
                                                          {"gt", '>'},
                                                          {"quot", '"'},
                                                          {"apos", '\''}};
        if (kRefs.count(ref) != 0) {
          *out += kRefs.at(ref);
        } else if (ref.size() > 1 && ref[0] == '#') {
          *out += '?';
        } else {
          return false;
        }
        i_ = end + 1;
      } else {
        *out += s_[i_++];
      }
    }
    return true;
  }
  std::unique_ptr<Element> ParseElement() {
    auto e = std::make_unique<Element>();
    if (!Peek("<")) return Error("expected an element");
    i_++;
    if (!Name(&e->name)) return Error("bad element name");
    for (;;) {
      size_t before = i_;
      Space();
      if (Peek("/>")) {
        i_ += 2;
        return e;
      }
      if (Peek(">")) {
        i_++;
        break;
      }
      if (i_ == before) return Error("no space before an attribute");
      std::string name, value;
      if (!Name(&name)) return Error("bad attribute name");
      Space();
      if (!Peek("=")) return Error("attribute without '='");
      i_++;
      Space();
      if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\''))
        return Error("unquoted attribute value");
      char quote = s_[i_++];
      size_t end = s_.find(quote, i_);
      if (end == std::string::npos) return Error("unterminated attribute");
      std::string raw = s_.substr(i_, end - i_);
      if (raw.find('<') != std::string::npos)
        return Error("'<' in an attribute value");
      XmlReader sub(raw);
      if (!sub.Text(&value) || sub.i_ != raw.size())
        return Error("bad reference in an attribute value");
      i_ = end + 1;
      if (!e->attrs.emplace(name, value).second)
        return Error("repeated attribute " + name);
    }
    for (;;) {
      if (!Text(&e->text)) return Error("bad character reference");
      if (i_ >= s_.size()) return Error("unclosed element " + e->name);
      if (Peek("<!--")) {
        size_t end = s_.find("-->", i_);
        if (end == std::string::npos) return Error("unterminated comment");
        i_ = end + 3;
      } else if (Peek("</")) {
        i_ += 2;
        std::string name;
        if (!Name(&name) || name != e->name)
          return Error("</" + name + "> closes <" + e->name + ">");
        Space();
        if (!Peek(">")) return Error("bad end tag");
        i_++;
        return e;
      } else {
        std::unique_ptr<Element> child = ParseElement();
        if (child == nullptr) return nullptr;
        e->children.push_back(std::move(child));
      }
    }
  }
  std::unique_ptr<Element> Error(const std::string &why) {
    if (error_.empty()) error_ = why;
    return nullptr;
  }

  const std::string &s_;
  size_t i_ = 0;
  std::string error_;
};

std::unique_ptr<Element> ParseXml(const std::string &doc, std::string *error) {
  return XmlReader(doc).Parse(error);
}

void Collect(const Element &e, const std::string &name, const std::string &cls,
             std::vector<const Element *> *out) {
  auto it = e.attrs.find("class");
  if (e.name == name && it != e.attrs.end() && it->second == cls)
    out->push_back(&e);
  for (const auto &c : e.children) Collect(*c, name, cls, out);
}

uint64_t Num(const Element &e, const char *attr) {
  auto it = e.attrs.find(attr);
  EXPECT_NE(it, e.attrs.end()) << "<" << e.name << "> has no " << attr;
  return it == e.attrs.end() ? 0 : strtoull(it->second.c_str(), nullptr, 10);
}

std::string ReadFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(XmlReaderTest, RefusesWhatIsNotWellFormed) {
  std::string error;
  EXPECT_NE(ParseXml("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; "
                     "u<!-- c --></a>\n",
                     &error),
            nullptr)
      << error;
  for (const char *bad :
       {"<a><b></a></b>", "<a>", "<a x=1/>", "<a x=\"1\" x=\"2\"/>",
        "<a>&nbsp;</a>", "<a>x & y</a>", "<a/><b/>", "<a x=\"<\"/>",
        "<a x=\"1\"y=\"2\"/>", ""}) {
    EXPECT_EQ(ParseXml(bad, &error), nullptr) << bad;
  }
}

TEST(VmemstatTest, KernelScenarioReportsArenasAndZones) {
  Result r = run("tools/vmemstat --seconds=0.2 --threads=2");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char *s :
       {"vmem 'kva'", "vmem 'kmem'", "vmem 'pid'", "hash buckets:", "ORDER(B)",
        "ZONE", "vmem btag:", "kmem-4096:", "buf-4k:",
        "all allocations freed and arenas destroyed"})
    EXPECT_THAT(r.out, HasSubstr(s));
}

TEST(VmemstatTest, JsonOutput) {
  Result r = run("tools/vmemstat --seconds=0.1 --scenario=ids --json");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("{\"scenario\": \"ids\""));
  EXPECT_THAT(r.out, HasSubstr("\"arenas\": ["));
  EXPECT_THAT(r.out, HasSubstr("\"name\": \"ids\""));
  EXPECT_THAT(r.out, HasSubstr("\"zones\": ["));
}

// Every header of the text report names each column once and gives units.
TEST(VmemstatTest, TableHeadersHaveDistinctNamesWithUnits) {
  Result r = run("tools/vmemstat --seconds=0.2");
  ASSERT_EQ(r.status, 0) << r.out;
  std::istringstream lines(r.out);
  std::string line;
  int headers = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> names;
    for (std::string w; words >> w;) names.push_back(w);
    if (names.empty() || (names[0] != "ORDER(B)" && names[0] != "ZONE"))
      continue;
    headers++;
    std::set<std::string> unique(names.begin(), names.end());
    EXPECT_EQ(unique.size(), names.size()) << line;
    EXPECT_THAT(line, HasSubstr("(B)")) << "no unit in: " << line;
  }
  EXPECT_EQ(headers, 4);  // kva, kmem, pid, and the zones
  EXPECT_THAT(r.out, HasSubstr("quantum:\t4096 bytes"));
}

// A zone's FAIL counts M_NOVM tries, as vmstat -z does; whenever one shows,
// the report says what it is (vmem's boundary tags refill with one first).
TEST(VmemstatTest, ZoneFailuresAreExplained) {
  Result r = run("tools/vmemstat --seconds=0.3 --threads=4");
  ASSERT_EQ(r.status, 0) << r.out;
  std::istringstream lines(r.out);
  std::string line;
  bool in_zones = false, any_fail = false;
  while (std::getline(lines, line)) {
    if (line.rfind("ZONE ", 0) == 0) {
      in_zones = true;
      continue;
    }
    if (!in_zones || line.empty() || line.find(": ") == std::string::npos ||
        line[0] == 'F' || line[0] == 'L')
      continue;
    std::istringstream words(line.substr(line.find(": ") + 1));
    std::vector<uint64_t> n;
    for (uint64_t v; words >> v;) n.push_back(v);
    if (n.size() == 7 && n[5] != 0) any_fail = true;
  }
  ASSERT_TRUE(in_zones) << r.out;
  EXPECT_THAT(r.out, HasSubstr("FAIL\nallocations that returned NULL"));
  if (any_fail)
    EXPECT_THAT(r.out, HasSubstr("FAIL includes M_NOVM tries"));
  else
    EXPECT_THAT(r.out, Not(HasSubstr("FAIL includes M_NOVM tries")));
}

// Runs vmemstat with the two streams apart.
struct Streams {
  int status;
  std::string out, err;
};
Streams run_apart(const std::string &args) {
  const std::string dir = getenv("TEST_TMPDIR");
  Result r = run("{ tools/vmemstat " + args + " >" + dir + "/stdout 2>" + dir +
                 "/stderr; }");
  return {r.status, ReadFile(dir + "/stdout"), ReadFile(dir + "/stderr")};
}

// -h and --help print vmemstat's usage (each option on a line of its own,
// as in vmemstat.8's SYNOPSIS) on stdout and exit 0, running nothing.
TEST(VmemstatTest, HelpPrintsTheUsage) {
  for (const char *flag : {"-h", "--help", "--seconds=3600 --help"}) {
    SCOPED_TRACE(flag);
    Streams s = run_apart(flag);
    EXPECT_EQ(s.status, 0);
    EXPECT_EQ(s.err, "");
    EXPECT_THAT(s.out, HasSubstr("usage: vmemstat [--scenario=name] "
                                 "[--threads=n] [--seconds=s] [--json] "
                                 "[--svg=file]\n"));
    for (const char *line :
         {"\n  --scenario=name ", "\n  --threads=n ", "\n  --seconds=s ",
          "\n  --json ", "\n  --svg=file ", "\n  -h, --help ",
          "\n  kernel: ", "\n  ids: "})
      EXPECT_THAT(s.out, HasSubstr(line));
    EXPECT_THAT(s.out, Not(HasSubstr("helpfull")));
  }
}

// Every bad option or value: one line naming it, then the usage, on stderr,
// nothing on stdout, exit 2 (vmemstat.8, EXIT STATUS), and no workload
// (--seconds=3600 would outlast the test's timeout).
TEST(VmemstatTest, BadOptionsExitTwoBeforeAnyWork) {
  const struct {
    const char *args;
    const char *line;
  } cases[] = {
      {"--seconds=3600 --bogus", "vmemstat: unknown option '--bogus'\n"},
      {"--seconds=3600 -x", "vmemstat: unknown option '-x'\n"},
      {"--seconds=3600 extra", "vmemstat: unexpected argument 'extra'\n"},
      {"--seconds=3600 --json=yes", "vmemstat: option --json takes no value\n"},
      {"--seconds=3600 --threads",
       "vmemstat: option --threads needs a value\n"},
      {"--seconds=3600 --threads=abc",
       "vmemstat: --threads must be a number from 1 to 64, not 'abc'\n"},
      {"--seconds=3600 --threads=0",
       "vmemstat: --threads must be a number from 1 to 64, not '0'\n"},
      {"--seconds=3600 --threads=-2",
       "vmemstat: --threads must be a number from 1 to 64, not '-2'\n"},
      {"--seconds=3600 --threads=65",
       "vmemstat: --threads must be a number from 1 to 64, not '65'\n"},
      {"--seconds=abc",
       "vmemstat: --seconds must be a number from 0.1 to 3600, not 'abc'\n"},
      {"--seconds=0",
       "vmemstat: --seconds must be a number from 0.1 to 3600, not '0'\n"},
      {"--seconds=-1",
       "vmemstat: --seconds must be a number from 0.1 to 3600, not '-1'\n"},
      {"--seconds=nan",
       "vmemstat: --seconds must be a number from 0.1 to 3600, not 'nan'\n"},
      {"--seconds=3600 --scenario=nope",
       "vmemstat: --scenario: unknown scenario 'nope'\n"},
      {"--seconds=3600 --svg=/dev/null/x.svg",
       "vmemstat: --svg: cannot write /dev/null/x.svg: Not a directory\n"},
      {"--seconds=3600 --svg=/",
       "vmemstat: --svg: cannot write /: Is a "
       "directory\n"},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.args);
    Streams s = run_apart(c.args);
    EXPECT_EQ(s.status, 2);
    EXPECT_EQ(s.out, "");
    EXPECT_EQ(s.err.substr(0, s.err.find('\n') + 1), c.line);
    EXPECT_THAT(s.err, HasSubstr("\nusage: vmemstat [--scenario=name]"));
  }
}

// A value may also be the next argument.
TEST(VmemstatTest, ValueAsTheNextArgument) {
  Result r = run("tools/vmemstat --scenario ids --seconds 0.1 --threads 1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("scenario ids: 1 thread(s), 0.1 s"));
}

// The picture is well-formed SVG, and for every arena the map's rects, the
// spans and the share bar each add up to the arena's size; the map's
// allocated bytes to what is in use, the histogram's to what is free.
void CheckSvg(const std::string &path, const std::vector<std::string> &names) {
  std::string doc = ReadFile(path);
  ASSERT_FALSE(doc.empty()) << path;
  std::string error;
  std::unique_ptr<Element> root = ParseXml(doc, &error);
  ASSERT_NE(root, nullptr) << error;
  EXPECT_EQ(root->name, "svg");
  EXPECT_EQ(root->attrs["xmlns"], "http://www.w3.org/2000/svg");
  std::vector<const Element *> arenas;
  Collect(*root, "g", "arena", &arenas);
  std::vector<std::string> seen;
  for (const Element *a : arenas) {
    const std::string name = a->attrs.at("data-name");
    seen.push_back(name);
    SCOPED_TRACE("arena " + name);
    const uint64_t size = Num(*a, "data-size");
    EXPECT_GT(size, 0u);
    std::vector<const Element *> segs, spans, shares, orders;
    Collect(*a, "rect", "seg", &segs);
    Collect(*a, "line", "span", &spans);
    Collect(*a, "rect", "share", &shares);
    Collect(*a, "rect", "order", &orders);
    ASSERT_FALSE(segs.empty());
    ASSERT_FALSE(spans.empty());
    uint64_t alloc = 0, free = 0, span_bytes = 0, share = 0, order_free = 0;
    for (const Element *e : segs) {
      alloc += Num(*e, "data-alloc");
      free += Num(*e, "data-free");
    }
    for (const Element *e : spans) span_bytes += Num(*e, "data-size");
    for (const Element *e : shares) share += Num(*e, "data-bytes");
    for (const Element *e : orders) order_free += Num(*e, "data-free-bytes");
    EXPECT_EQ(alloc + free, size);
    EXPECT_EQ(alloc, Num(*a, "data-inuse"));
    EXPECT_EQ(free, Num(*a, "data-free"));
    EXPECT_EQ(span_bytes, size);
    EXPECT_EQ(share, size);
    EXPECT_EQ(order_free, free);
  }
  EXPECT_EQ(seen, names);
}

TEST(VmemstatTest, SvgOfTheKernelScenario) {
  const std::string svg = std::string(getenv("TEST_TMPDIR")) + "/kernel.svg";
  Result r = run("tools/vmemstat --seconds=0.3 --svg=" + svg);
  ASSERT_EQ(r.status, 0) << r.out;
  CheckSvg(svg, {"kva", "kmem", "pid"});
  // kmem has a quantum cache: the share bar shows its part.
  EXPECT_THAT(ReadFile(svg),
              HasSubstr("data-part=\"quantum cache, held free\""));
}

TEST(VmemstatTest, SvgOfTheIdScenarioWithJson) {
  const std::string svg = std::string(getenv("TEST_TMPDIR")) + "/ids.svg";
  Result r =
      run("tools/vmemstat --seconds=0.2 --scenario=ids --json --svg=" + svg);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"name\": \"ids\""));
  CheckSvg(svg, {"ids"});
}

// The picture replaces the named file whole, and leaves no temporary.
TEST(VmemstatTest, SvgReplacesTheFileWhole) {
  const std::string dir = std::string(getenv("TEST_TMPDIR")) + "/replace";
  ASSERT_EQ(system(("rm -rf " + dir + " && mkdir " + dir + " && echo old > " +
                    dir + "/ids.svg")
                       .c_str()),
            0);
  Result r = run("tools/vmemstat --seconds=0.1 --scenario=ids --svg=" + dir +
                 "/ids.svg");
  ASSERT_EQ(r.status, 0) << r.out;
  CheckSvg(dir + "/ids.svg", {"ids"});
  Result ls = run("ls -A " + dir);
  EXPECT_EQ(ls.out, "ids.svg\n");
}

// When the picture cannot be written at the end (here the file size limit
// is 0), vmemstat still prints its report, says so, exits 1 (vmemstat.8),
// and leaves the named file as it was, with no temporary beside it.
TEST(VmemstatTest, SvgWriteFailureExitsOneAndKeepsTheOldFile) {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  // With no file size left (ulimit -f 0), ThreadSanitizer's own runtime
  // dies of SIGBUS before vmemstat runs.
  GTEST_SKIP() << "ulimit -f 0 kills ThreadSanitizer's runtime";
#endif
#endif
  const std::string dir = std::string(getenv("TEST_TMPDIR")) + "/full";
  ASSERT_EQ(system(("rm -rf " + dir + " && mkdir " + dir + " && echo old > " +
                    dir + "/ids.svg")
                       .c_str()),
            0);
  Result r =
      run("sh -c \"trap '' XFSZ; ulimit -f 0; exec tools/vmemstat "
          "--seconds=0.1 --scenario=ids --svg=" +
          dir + "/ids.svg\"");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("vmem 'ids'"));
  EXPECT_THAT(r.out, HasSubstr("vmemstat: cannot write " + dir + "/ids.svg"));
  EXPECT_EQ(ReadFile(dir + "/ids.svg"), "old\n");
  Result ls = run("ls -A " + dir);
  EXPECT_EQ(ls.out, "ids.svg\n");
}

// Redirected, the output has no carriage-return progress: one long line of
// it was all a log got before.
TEST(VmemstatTest, NoProgressLineWhenRedirected) {
  Result r = run("tools/vmemstat --seconds=0.6 --scenario=ids");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, Not(HasSubstr("\r")));
  EXPECT_THAT(r.out, Not(HasSubstr("thread(s): ")));
}

// On a terminal (script(1) gives it one), the progress line rewrites
// itself with carriage returns.
TEST(VmemstatTest, ProgressLineOnATerminal) {
  if (system("command -v script >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no script(1)";
  Result probe = run("script -qec true /dev/null");
  if (probe.status != 0) GTEST_SKIP() << "no terminal here: " << probe.out;
  Result r = run(
      "script -qec 'tools/vmemstat --seconds=0.8 --scenario=ids' /dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\rvmemstat: ids on 2 thread(s): "));
}

TEST(VmemBenchTest, TinyRunPrintsTheRatioTable) {
  Result r =
      run("tools/vmem_bench --benchmark_min_time=0.001 "
          "--benchmark_filter='BM_SmallPair|BM_TlsStack'");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("BM_SmallPair/cached"));
  EXPECT_THAT(r.out, HasSubstr("small pair, uncached / cached (1 thread)"));
}

}  // namespace
