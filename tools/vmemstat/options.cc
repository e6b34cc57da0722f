#include "tools/vmemstat/options.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tools/vmemstat/scenario.h"

namespace vmemstat {

std::string usage() {
  std::string out =
      "usage: vmemstat [--scenario=name] [--threads=n] [--seconds=s] "
      "[--json] [--svg=file]\n"
      "       vmemstat -h | --help\n"
      "\n"
      "  --scenario=name  the stack to build and load (default kernel)\n"
      "  --threads=n      worker threads, 1 to 64 (default 2)\n"
      "  --seconds=s      how long the workload runs, 0.1 to 3600 "
      "(default 3)\n"
      "  --json           print the report as JSON instead of text\n"
      "  --svg=file       also draw every arena into file, an SVG picture\n"
      "  -h, --help       print this and exit\n"
      "\n"
      "scenarios:\n";
  for (const auto &[name, what] : scenarios())
    absl::StrAppend(&out, "  ", name, ": ", what, "\n");
  absl::StrAppend(&out, "\nSee vmemstat(8).\n");
  return out;
}

namespace {

bool known_scenario(const std::string &name) {
  for (const auto &s : scenarios())
    if (s.first == name) return true;
  return false;
}

}  // namespace

std::string parse_options(int argc, char **argv, Options *o) {
  for (int i = 1; i < argc; i++) {
    const absl::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      o->help = true;
      continue;
    }
    if (!absl::StartsWith(arg, "-"))
      return absl::StrCat("unexpected argument '", arg, "'");
    // --name=value, or --name value for the options that take one.
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    const bool takes_value = name == "--scenario" || name == "--threads" ||
                             name == "--seconds" || name == "--svg";
    if (name == "--json") {
      if (eq != absl::string_view::npos) return "option --json takes no value";
      o->json = true;
      continue;
    }
    if (!takes_value) return absl::StrCat("unknown option '", name, "'");
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrCat("option ", name, " needs a value");
    }
    if (name == "--scenario") {
      if (!known_scenario(value))
        return absl::StrCat("--scenario: unknown scenario '", value, "'");
      o->scenario = value;
    } else if (name == "--threads") {
      if (!absl::SimpleAtoi(value, &o->threads) || o->threads < 1 ||
          o->threads > 64)
        return absl::StrCat("--threads must be a number from 1 to 64, not '",
                            value, "'");
    } else if (name == "--seconds") {
      if (!absl::SimpleAtod(value, &o->seconds) || !std::isfinite(o->seconds) ||
          o->seconds < 0.1 || o->seconds > 3600)
        return absl::StrCat(
            "--seconds must be a number from 0.1 to 3600, not '", value, "'");
    } else {
      if (value.empty()) return "--svg needs a file name";
      o->svg = value;
    }
  }
  return "";
}

}  // namespace vmemstat
