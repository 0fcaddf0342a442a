/*
 * drainctl.h: private header of drainctl, the client of ospfd_lgr.so.
 */
#ifndef DRAINCTL_H
#define DRAINCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "cli.h"
#include "lgr_ctl.h"

/* Exit codes (drainctl(8)). */
#define EXIT_REFUSED	1	/* the module answered with an error */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NOREPLY	3	/* no module reachable at the socket */

/* parser.c */
#define PARSE_TIMEOUT_MS	5000	/* reply time-out without -t */

struct parse_result {
	int		 action;	/* enum lgr_type request */
	int		 nifs;
	const char	*ifs[LGR_MAX_ARGS];
	bool		 json;
	bool		 follow;
	bool		 help;
	bool		 version;
	const char	*sockdir;	/* -s */
	const char	*lab;		/* --lab, --router */
	const char	*router;
	const char	*role;		/* operator (default), viewer */
	const char	*keyfile;	/* secret key instead of a role */
	int		 timeout_ms;
};

extern const struct cli_spec parse_spec;

/*
 * parse: the whole command line (argv[0] is the program) to one request
 * and its options.  Returns 0, or -1 with a message for the operator in
 * err (cli.h's format; the interface names are checked here).
 */
int		 parse(int argc, char **argv, struct parse_result *res,
		    char *err, size_t errlen);

/* output.c */
struct output {
	void	(*head)(void);
	void	(*item)(struct json_object *);
	void	(*tail)(struct json_object *end);
};

const struct output *output_get(int action, int json);
const struct output *output_stream(int json);
void		 output_event(struct json_object *ev, int json);

#endif
