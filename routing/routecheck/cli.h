/*
 * cli.h: private header of the routecheck command.
 */
#ifndef ROUTECHECK_CLI_H
#define ROUTECHECK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "routecheck.h"

/* Exit codes (routecheck(8)). */
#define EXIT_VIOLATION	1	/* an invariant or the snapshot differs */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_COLLECT	3	/* a router (or the lab) could not be read */

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
