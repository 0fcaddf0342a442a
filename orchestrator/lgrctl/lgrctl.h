/*
 * lgrctl.h: the operator's command, private header.
 */
#ifndef LGR_LGRCTL_H
#define LGR_LGRCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "lgrd_ctl.h"

/* parser.c: the token table. */
#define PARSE_DRY_RUN	0x1
#define PARSE_FOLLOW	0x2
#define PARSE_NO_WAIT	0x4

struct parse_result {
	struct lgr_request	 rq;
	unsigned		 flags;		/* PARSE_* */
};

/* Returns 0, or -1 after printing what was wrong and the choices. */
int		 parse(int argc, char **argv, struct parse_result *res);
void		 parse_usage(FILE *f);

/* output.c: formatters, one per request, text or JSON. */
struct json_object;
struct output {
	void	(*begin)(enum lgr_req req);
	void	(*row)(enum lgr_req req, struct json_object *o);
	void	(*end)(enum lgr_req req);
};
extern const struct output	output_text;
extern const struct output	output_json;
/* One progress line of a running job (a terminal: rewritten in place). */
void		 output_progress(struct json_object *rep, bool tty);
/* An event as one line. */
void		 output_event(struct json_object *ev);

#endif
