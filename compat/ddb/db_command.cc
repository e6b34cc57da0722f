// DDB's show commands (see <ddb/ddb.h>) and vmem_db_show()
// (<sys/vmem_ext.h>).
#include <ddb/ddb.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <map>
#include <string>

#include <sys/mutex.h>
#include <sys/vmem_ext.h>

namespace {
// Commands register from static initialisers: the lock is ready before
// them.
struct mtx db_lock = MTX_INITIALIZER("ddb");

// Under db_lock.
std::map<std::string, db_cmdfcn_t *> &commands() {
  static auto *map = new std::map<std::string, db_cmdfcn_t *>();
  return *map;
}

// One command runs at a time (under db_cmd_lock); its output goes to
// db_out.
struct mtx db_cmd_lock = MTX_INITIALIZER("ddb command");
FILE *db_out;
}  // namespace

void db_command_register(const char *name, db_cmdfcn_t *func) {
  mtx_lock(&db_lock);
  commands()[name] = func;
  mtx_unlock(&db_lock);
}

int db_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(db_out != nullptr ? db_out : stdout, fmt, ap);
  va_end(ap);
  return n;
}

int vmem_db_show(const char *command, vmem_addr_t addr, int have_addr,
                 FILE *out) {
  std::string name = std::string("show ") + command;
  mtx_lock(&db_lock);
  auto it = commands().find(name);
  db_cmdfcn_t *func = it != commands().end() ? it->second : nullptr;
  mtx_unlock(&db_lock);
  if (func == nullptr) return ENOENT;
  mtx_lock(&db_cmd_lock);
  db_out = out;
  char modif[1] = {'\0'};
  func(static_cast<db_expr_t>(addr), have_addr != 0, -1, modif);
  fflush(db_out != nullptr ? db_out : stdout);
  db_out = nullptr;
  mtx_unlock(&db_cmd_lock);
  return 0;
}
