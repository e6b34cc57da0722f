// DDB's show commands as callable functions. DB_SHOW_COMMAND(name, func)
// defines func and registers it as "show name" (DB_SHOW_ALL_COMMAND:
// "show all name"); vmem_db_show() runs one, printing with db_printf().
#ifndef COMPAT_DDB_H_
#define COMPAT_DDB_H_

#include <stdint.h>
#include <stdio.h>

#include "compat/cdefs.h"

typedef intptr_t db_expr_t;
typedef void db_cmdfcn_t(db_expr_t addr, bool have_addr, db_expr_t count,
                         char *modif);

int db_printf(const char *fmt, ...) __printflike(1, 2);

struct db_command_registrar {
  db_command_registrar(const char *name, db_cmdfcn_t *func);
};

#define DB_SHOW_COMMAND(cmd_name, func_name)                                \
  static db_cmdfcn_t func_name;                                             \
  static db_command_registrar func_name##_db_cmd("show " #cmd_name,         \
                                                 func_name);                \
  static void func_name(db_expr_t addr, bool have_addr, db_expr_t count,    \
                        char *modif)

#define DB_SHOW_ALL_COMMAND(cmd_name, func_name)                            \
  static db_cmdfcn_t func_name;                                             \
  static db_command_registrar func_name##_db_cmd("show all " #cmd_name,     \
                                                 func_name);                \
  static void func_name(db_expr_t addr, bool have_addr, db_expr_t count,    \
                        char *modif)

extern "C" int vmem_db_show(const char *command, uintptr_t addr,
                            int have_addr, FILE *out);

#endif  // COMPAT_DDB_H_
