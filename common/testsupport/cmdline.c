/*
 * cmdline.c: command lines for the parser tests (cmdline.h).
 */
#include <errno.h>
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
cmdline_help_version(struct cmdline *cl, const char *help_line, void *res,
    const bool *help, const bool *version)
{
	cmdline_parse(cl, help_line, res);
	if (!*help)
		fail_msg("\"%s\": no help", help_line);
	cmdline_parse(cl, "--version", res);
	if (!*version)
		fail_msg("--version: no version");
}

/* The test fails unless line fails with exactly the message want. */
static void
cmdline_error(struct cmdline *cl, const char *line, const char *want,
    void *res)
{
	int	argc = cmdline_split(cl, line);

	cl->err[0] = '\0';
	if (cl->parse(argc, cl->argv, res, cl->err, sizeof(cl->err)) != -1)
		fail_msg("\"%s\" parsed", line);
	if (strcmp(cl->err, want) != 0)
		fail_msg("\"%s\":\n got: %s\nwant: %s", line, cl->err, want);
}

void
cmdline_errors(struct cmdline *cl, const struct cmdline_bad *cases, size_t n,
    void *res)
{
	size_t	i;

	for (i = 0; i < n; i++)
		cmdline_error(cl, cases[i].line, cases[i].err, res);
}

void
cmdline_errors_file(struct cmdline *cl, const char *path, void *res)
{
	FILE	*f = fopen(path, "r");
	char	 line[1024], *tab;
	size_t	 lineno = 0, n = 0;

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((tab = strchr(line, '\t')) == NULL)
			fail_msg("%s:%zu: no tab between the words and the "
			    "message", path, lineno);
		*tab = '\0';
		cmdline_error(cl, line, tab + 1, res);
		n++;
	}
	fclose(f);
	if (n == 0)
		fail_msg("%s: no case", path);
}
