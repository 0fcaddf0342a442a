/*
 * cmdline.h: command lines for the parser tests of every program
 * (cmocka; test support): one line of words split like a shell would
 * split it without quotes, parsed by the program's parse(); the exact
 * message of every bad line, from a table or from a fixture file.
 */
#ifndef LGR_CMDLINE_H
#define LGR_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAXW	16

/* The program's parse(): 0, or -1 with the message in err. */
typedef int	(*cmdline_parse_fn)(int argc, char **argv, void *res,
		    char *err, size_t errlen);

/* The words of the last line parsed live here: results point into them. */
struct cmdline {
	const char		*prog;
	cmdline_parse_fn	 parse;
	char			 buf[512];
	char			*argv[CMDLINE_MAXW];
	char			 err[512];
};

struct cmdline_bad {
	const char	*line;
	const char	*err;		/* the exact message */
};

/* Parse "PROG line" into res; the test fails when it does not parse. */
void	cmdline_parse(struct cmdline *cl, const char *line, void *res);
/*
 * Every program's --help and --version: "PROG help_line" sets *help and
 * "PROG --version" sets *version (both point into res); the test fails
 * otherwise.
 */
void	cmdline_help_version(struct cmdline *cl, const char *help_line,
	    void *res, const bool *help, const bool *version);
/* The test fails unless each line fails with exactly its message. */
void	cmdline_errors(struct cmdline *cl, const struct cmdline_bad *cases,
	    size_t n, void *res);
/*
 * The same for the bad lines of a fixture file: one a line, the words,
 * a tab, the exact message; blank lines and lines starting with # are
 * passed over.  The test fails when the file cannot be read, holds a
 * line without a tab, or no case at all.
 */
void	cmdline_errors_file(struct cmdline *cl, const char *path,
	    void *res);

#endif
