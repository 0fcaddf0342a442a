/*
 * command.h: private header of the routecheck command.
 */
#ifndef ROUTECHECK_COMMAND_H
#define ROUTECHECK_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "routecheck.h"

/* Exit codes (routecheck(8)). */
#define EXIT_VIOLATION	1	/* an invariant or the snapshot differs */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_COLLECT	3	/* a router (or the lab) could not be read */

/* parser.c: the command line (cli.h), options before or after LAB. */
#define PARSE_TIMEOUT_MS	10000	/* all answers together, without -t */

struct options {
	const char	*lab;
	const char	*routers[CLI_ARGS];
	size_t		 nrouters;
	const char	*topology;	/* -f */
	const char	*expect;
	const char	*snapshot;
	const char	*from;
	const char	*junit;
	const char	*guest;
	enum rc_source	 source;
	bool		 zebra;
	bool		 json;
	bool		 quiet;
	bool		 help;
	bool		 version;
	int		 timeout_ms;
};

extern const struct cli_spec parse_spec;

/*
 * parse: the whole command line (argv[0] is the program).  Returns 0, or
 * -1 with a message for the operator in err (cli.h's format).  The
 * routers and the guest are checked against the topology later.
 */
int		 parse(int argc, char **argv, struct options *o, char *err,
		    size_t errlen);

/* What one run found, for the formatters. */
struct result {
	const char		*lab;
	const char		*guest;		/* --guest, or NULL */
	const struct rc_snap	*snap;
	const struct rc_report	*report;
	size_t			 nfailed;	/* routers not collected */
	bool			 from_file;	/* --from */
	double			 collect_ms;
	double			 check_ms;
};

/* output.c */
struct output {
	const char	*name;
	void		(*print)(FILE *, const struct result *, bool quiet);
};

const struct output *output_get(bool json);
/* JUnit XML into path; -1 with errno when it cannot be written. */
int		 output_junit(const char *path, const struct result *res);

#endif
