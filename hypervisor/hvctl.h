/*
 * hvctl.h: the hypervisor's command, private header.
 */
#ifndef LGR_HVCTL_H
#define LGR_HVCTL_H

#include <stdbool.h>

#include "ctl.h"

/* Exit codes, one per failure class (hvctl(8)). */
enum hvctl_exit {
	HVCTL_OK = 0,
	HVCTL_USAGE = 1,
	HVCTL_CONNECT = 2,	/* no daemon, timeout */
	HVCTL_DENIED = 3,	/* key refused or role too weak */
	HVCTL_CONFLICT = 4,	/* eligibility conflicts */
	HVCTL_RELOC_FAILED = 5,	/* relocation ended with another code */
	HVCTL_NOTFOUND = 6,
	HVCTL_REFUSED = 7,
	HVCTL_ERROR = 8,
};

/* parser.c: the token table. */
#define PARSE_ASYNC	0x1
#define PARSE_FOLLOW	0x2

struct parse_result {
	struct ctl_request	 rq;
	unsigned		 flags;		/* PARSE_* */
};

/* Returns 0, or -1 after printing what was wrong and the choices. */
int		 parse(int argc, char **argv, struct parse_result *res);
void		 parse_usage(FILE *f);

/* output.c: formatters. */
struct json_object;
struct output {
	void	(*begin)(enum ctl_req req);
	void	(*row)(enum ctl_req req, struct json_object *o);
	void	(*end)(enum ctl_req req);
};
extern const struct output	output_text;
extern const struct output	output_json;
void		 output_progress(struct json_object *o);
void		 output_result(struct json_object *hist, bool json);

#endif
