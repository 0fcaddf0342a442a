/*
 * hvctl.h: the hypervisor's command, private header.
 */
#ifndef LGR_HVCTL_H
#define LGR_HVCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "hv_ctl.h"

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

#define HVCTL_TIMEOUT_MS	5000	/* -t: wait for each answer frame */

/* parser.c: the token table (common/cli.h). */
#define PARSE_ASYNC	0x1
#define PARSE_FOLLOW	0x2
#define PARSE_JSON	0x4

struct parse_result {
	struct hv_request	 rq;
	unsigned		 flags;		/* PARSE_* */
	const char		*labdir;	/* -D, NULL: not given */
	const char		*lab;		/* -l */
	const char		*member;	/* -m */
	const char		*role;		/* -k */
	const char		*keyfile;	/* -K */
	int			 timeout_ms;	/* -t */
	bool			 help;
	bool			 version;
};

/*
 * Parse argv[1..argc-1].  Returns 0 (help or version set, or a request
 * in rq), or -1 with the message in err (no program name, no newline).
 */
int		 parse(int argc, char **argv, struct parse_result *res,
		    char *err, size_t errlen);
extern const struct cli_spec	parse_spec;

/* output.c: formatters. */
struct json_object;
struct output {
	void	(*begin)(enum hv_req req);
	void	(*row)(enum hv_req req, struct json_object *o);
	void	(*end)(enum hv_req req);
};
extern const struct output	output_text;
extern const struct output	output_json;
void		 output_progress(struct json_object *o);
void		 output_result(struct json_object *hist, bool json);

#endif
