/*
 * drainctl.h: private header of drainctl, the client of ospfd_lgr.so.
 */
#ifndef DRAINCTL_H
#define DRAINCTL_H

#include <stddef.h>

#include <json-c/json.h>

#include "lgr_ctl.h"

/* Exit codes (drainctl(8)). */
#define EXIT_REFUSED	1	/* the module answered with an error */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NOREPLY	3	/* no module reachable at the socket */

/* parser.c */
struct parse_result {
	int		 action;	/* enum lgr_type request */
	int		 nifs;
	const char	*ifs[LGR_MAX_ARGS];
	int		 json;
	int		 follow;
};

/*
 * parse: map the command words (after the options) to one request.
 * Accepts unambiguous prefixes of keywords.  Returns 0, or -1 with a
 * message for the operator in err (naming the word and the valid choices).
 */
int		 parse(int argc, char *const argv[], struct parse_result *res,
		    char *err, size_t errlen);
const char	*parse_synopsis(void);

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
