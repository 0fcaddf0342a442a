/*
 * namelist.c: test input with n generated names (namelist.h).
 */
#include <stdio.h>

#include "namelist.h"

/* What snprintf returned, added to *off: 0, or -1 when it did not fit. */
static int
namelist_add(int n, size_t len, size_t *off)
{
	if (n < 0 || (size_t)n >= len - *off)
		return -1;
	*off += (size_t)n;
	return 0;
}

int
namelist_write(char *buf, size_t len, const char *head, const char *prefix,
    size_t n, bool quoted, const char *tail)
{
	const char	*q = quoted ? "\"" : "";
	size_t		 i, off = 0;

	if (len == 0 || namelist_add(snprintf(buf, len, "%s", head), len,
	    &off) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (namelist_add(snprintf(buf + off, len - off, "%s%s%s%zu%s",
		    i > 0 ? "," : "", q, prefix, i, q), len, &off) == -1)
			return -1;
	if (namelist_add(snprintf(buf + off, len - off, "%s", tail), len,
	    &off) == -1)
		return -1;
	return (int)off;
}
