#include "compat/ddb.h"

#include <errno.h>
#include <stdarg.h>

#include <map>
#include <mutex>
#include <string>

namespace {
std::map<std::string, db_cmdfcn_t *> &commands() {
  static auto *map = new std::map<std::string, db_cmdfcn_t *>();
  return *map;
}

// One command runs at a time; its output goes to db_out.
std::mutex &db_lock() {
  static auto *mu = new std::mutex();
  return *mu;
}
FILE *db_out;
}  // namespace

db_command_registrar::db_command_registrar(const char *name,
                                           db_cmdfcn_t *func) {
  commands()[name] = func;
}

int db_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(db_out != nullptr ? db_out : stdout, fmt, ap);
  va_end(ap);
  return n;
}

extern "C" int vmem_db_show(const char *command, uintptr_t addr,
                            int have_addr, FILE *out) {
  std::string name = std::string("show ") + command;
  auto it = commands().find(name);
  if (it == commands().end()) return ENOENT;
  std::lock_guard<std::mutex> lock(db_lock());
  db_out = out;
  char modif[1] = {'\0'};
  it->second(static_cast<db_expr_t>(addr), have_addr != 0, -1, modif);
  fflush(db_out != nullptr ? db_out : stdout);
  db_out = nullptr;
  return 0;
}
