// What a debugger "show" command prints for an arena, as a string.
#ifndef TESTS_UTIL_VMEM_SHOW_H_
#define TESTS_UTIL_VMEM_SHOW_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <string>
#include <vector>

namespace test_util {

// vmem_db_show(command) for vm ("vmem", "vmemdump", ...); aborts if the
// command does not exist.
inline std::string VmemShow(const char *command, vmem_t *vm) {
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == nullptr ||
      vmem_db_show(command, reinterpret_cast<vmem_addr_t>(vm), 1, f) != 0)
    abort();
  fclose(f);
  std::string out(buf, len);
  free(buf);
  return out;
}

// One line of "show vmemdump"'s segment list.
struct VmemSeg {
  uintmax_t start;
  uintmax_t size;
  std::string type;  // "static span", "span", "free", "busy", "cursor"
};

// The segment list of vm in list order (from "show vmemdump"), without the
// free lists that follow it.
inline std::vector<VmemSeg> VmemSegments(vmem_t *vm) {
  std::vector<VmemSeg> segs;
  std::string out = VmemShow("vmemdump", vm);
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    if (eol == std::string::npos) eol = out.size();
    std::string line = out.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.rfind("freelist[", 0) == 0) break;
    void *p;
    uintmax_t start, size;
    int type, n = 0;
    if (sscanf(line.c_str(), "\t%p: %jx %jx, %d(%n", &p, &start, &size, &type,
               &n) != 4 ||
        n == 0)
      continue;
    std::string name = line.substr(n);
    if (!name.empty() && name.back() == ')') name.pop_back();
    segs.push_back({start, size, name});
  }
  return segs;
}

}  // namespace test_util

#endif  // TESTS_UTIL_VMEM_SHOW_H_
