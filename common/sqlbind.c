/*
 * sqlbind.c: statement parameters from a type string (see sqlbind.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "sqlbind.h"

int
sqlbind(sqlite3_stmt *st, const char *types, va_list ap)
{
	const char	*s;
	int		 i, rc = SQLITE_OK;

	for (i = 1; *types != '\0' && rc == SQLITE_OK; types++, i++) {
		switch (*types) {
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_double(st, i, va_arg(ap, double));
			break;
		case 's':
			s = va_arg(ap, const char *);
			rc = s != NULL ? sqlite3_bind_text(st, i, s, -1,
			    SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
			break;
		default:
			rc = sqlite3_bind_null(st, i);
			break;
		}
	}
	return rc;
}
