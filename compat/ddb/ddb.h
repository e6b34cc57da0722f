/*
 * <ddb/ddb.h>: DDB's show commands as callable functions.
 * DB_SHOW_COMMAND(name, func) defines func and registers it as "show name"
 * (DB_SHOW_ALL_COMMAND: "show all name") when the program starts;
 * vmem_db_show() (<sys/vmem_ext.h>) runs one, printing with db_printf().
 */
#ifndef _COMPAT_DDB_DDB_H_
#define	_COMPAT_DDB_DDB_H_

#include <sys/cdefs.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

typedef intptr_t db_expr_t;
typedef void db_cmdfcn_t(db_expr_t addr, bool have_addr, db_expr_t count,
    char *modif);

__BEGIN_DECLS
int	db_printf(const char *fmt, ...) __printflike(1, 2);
/* What DB_SHOW_COMMAND expands to: name is "show ..." */
void	db_command_register(const char *name, db_cmdfcn_t *func);
__END_DECLS

#ifdef __cplusplus
struct db_command_registrar {
	db_command_registrar(const char *name, db_cmdfcn_t *func) {
		db_command_register(name, func);
	}
};

#define	_DB_COMMAND(prefix, cmd_name, func_name)			\
	static db_cmdfcn_t func_name;					\
	static db_command_registrar func_name##_db_cmd(prefix #cmd_name, \
	    func_name);							\
	static void func_name(db_expr_t addr, bool have_addr, db_expr_t count, \
	    char *modif)
#else
#define	_DB_COMMAND(prefix, cmd_name, func_name)			\
	static db_cmdfcn_t func_name;					\
	static void __attribute__((__constructor__))			\
	func_name##_db_cmd(void)					\
	{								\
		db_command_register(prefix #cmd_name, func_name);	\
	}								\
	static void func_name(db_expr_t addr, bool have_addr, db_expr_t count, \
	    char *modif)
#endif

#define	DB_SHOW_COMMAND(cmd_name, func_name)				\
	_DB_COMMAND("show ", cmd_name, func_name)
#define	DB_SHOW_ALL_COMMAND(cmd_name, func_name)			\
	_DB_COMMAND("show all ", cmd_name, func_name)

#endif /* !_COMPAT_DDB_DDB_H_ */
