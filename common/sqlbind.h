/*
 * sqlbind.h: binding statement parameters from a type string, shared by
 * the hypervisor's directory and lgrd's journal (both SQLite).
 */
#ifndef LGR_SQLBIND_H
#define LGR_SQLBIND_H

#include <stdarg.h>

#include <sqlite3.h>

/*
 * Bind one argument per letter of types, in order: 'i' int64_t, 'd'
 * double, 's' a string (NULL binds SQL NULL); any other letter binds
 * NULL without taking an argument.  Returns SQLITE_OK or the error.
 */
int	sqlbind(sqlite3_stmt *st, const char *types, va_list ap);

#endif
