// vmemstat's command line: its options, their checks and its usage. A
// parser of its own, so that -h and --help print vmemstat's usage (not a
// flag library's) and every bad option exits 2, as vmemstat.8 says.
#ifndef TOOLS_VMEMSTAT_OPTIONS_H_
#define TOOLS_VMEMSTAT_OPTIONS_H_

#include <string>

namespace vmemstat {

// Exit statuses (vmemstat.8, EXIT STATUS).
inline constexpr int kExitOk = 0;
inline constexpr int kExitSvgWrite = 1;  // the SVG file could not be written
inline constexpr int kExitUsage = 2;     // bad options or arguments

struct Options {
  std::string scenario = "kernel";
  int threads = 2;
  double seconds = 3;
  bool json = false;
  std::string svg;  // empty: no picture
  bool help = false;
};

// The usage: one line per option, as the manual's SYNOPSIS, then the
// scenarios.
std::string usage();

// Parses argv into *options. Returns "" when it is valid, else one line
// naming the offending option or value. Checks values only: whether the
// SVG file can be written is for the caller to find out.
std::string parse_options(int argc, char **argv, Options *options);

}  // namespace vmemstat

#endif  // TOOLS_VMEMSTAT_OPTIONS_H_
