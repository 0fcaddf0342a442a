/*
 * cmdline.c: command lines for the parser tests (cmdline.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline.h"

/* "PROG line" -> argv; words separated by single spaces. */
static int
cmdline_split(struct cmdline *cl, const char *line)
{
	char	*p, *save = NULL;
	int	 argc = 0;

	snprintf(cl->buf, sizeof(cl->buf), "%s %s", cl->prog, line);
	for (p = strtok_r(cl->buf, " ", &save); p != NULL &&
	    argc < CMDLINE_MAXW; p = strtok_r(NULL, " ", &save))
		cl->argv[argc++] = p;
	return argc;
}

void
cmdline_parse(struct cmdline *cl, const char *line, void *res)
{
	int	argc = cmdline_split(cl, line);

	if (cl->parse(argc, cl->argv, res, cl->err, sizeof(cl->err)) != 0)
		fail_msg("\"%s\": %s", line, cl->err);
}

void
cmdline_errors(struct cmdline *cl, const struct cmdline_bad *cases, size_t n,
    void *res)
{
	size_t	i;
	int	argc;

	for (i = 0; i < n; i++) {
		argc = cmdline_split(cl, cases[i].line);
		cl->err[0] = '\0';
		if (cl->parse(argc, cl->argv, res, cl->err,
		    sizeof(cl->err)) != -1)
			fail_msg("\"%s\" parsed", cases[i].line);
		if (strcmp(cl->err, cases[i].err) != 0)
			fail_msg("\"%s\":\n got: %s\nwant: %s", cases[i].line,
			    cl->err, cases[i].err);
	}
}
