// vmem_audit: checks kern/subr_vmem.cc against FreeBSD's subr_vmem.c.
// See cli.h; run "vmem_audit --help" for usage.

#include <iostream>
#include <string>
#include <vector>

#include "tools/audit/cli.h"

int main(int argc, char **argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return vmem_audit::RunVmemAudit(args, vmem_audit::CliEnvironmentFromProcess(),
                                  std::cout, std::cerr);
}
