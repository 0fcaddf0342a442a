/*
 * namelist.h: test input with n generated names, for the limits of name
 * lists (test support): head, then PREFIX0, PREFIX1, ... separated by
 * commas, each in double quotes or not, then tail.
 */
#ifndef LGR_NAMELIST_H
#define LGR_NAMELIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Write head, the n names (quoted: as JSON strings) and tail into buf:
 * the length written, or -1 when it did not fit in len bytes.
 */
int	namelist_write(char *buf, size_t len, const char *head,
	    const char *prefix, size_t n, bool quoted, const char *tail);

#endif
