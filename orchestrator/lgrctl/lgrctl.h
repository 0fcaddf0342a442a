/*
 * lgrctl.h: the operator's command, private header.  Prototypes are
 * grouped under the file that defines them.
 */
#ifndef LGR_LGRCTL_H
#define LGR_LGRCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lgrd_ctl.h"

/* lgrctl's exit codes, one per failure class (lgrctl(8)). */
enum lgrctl_exit {
	LGRCTL_OK = 0,		/* done; every guest moved */
	LGRCTL_USAGE = 1,
	LGRCTL_FAILED = 2,	/* some guests did not move / not eligible */
	LGRCTL_EMPTY = 3,	/* nothing matched the workload on the source */
	LGRCTL_UNKNOWN = 4,	/* unknown workload, guest, member or job */
	LGRCTL_DENIED = 5,	/* key refused or role too weak */
	LGRCTL_UNREACHABLE = 6,	/* lgrd not running or not answering */
	LGRCTL_ERROR = 7,	/* anything else */
};

#define LGRCTL_TIMEOUT_MS	60000	/* per answer frame, -t */

/* parser.c: the command line (common/cli.h). */
#define PARSE_DRY_RUN	0x1
#define PARSE_FOLLOW	0x2
#define PARSE_NO_WAIT	0x4

struct parse_result {
	struct lgrd_request	 rq;
	unsigned		 flags;		/* PARSE_* */
	const char		*labdir;	/* -D, NULL */
	const char		*lab;		/* -l, NULL */
	const char		*role;		/* -k, "operator" */
	const char		*keyfile;	/* -K, NULL */
	int			 timeout_ms;	/* -t */
	bool			 json;
	bool			 quiet;
	bool			 help;
	bool			 version;
};

/* 0, or -1 with the message in err (without "lgrctl: "). */
int		 parse_args(int argc, char **argv, struct parse_result *res,
		    char *err, size_t len);
void		 parse_usage(FILE *f);
/* The exit code of an error terminator's reply code (reply.h). */
int		 parse_exit_code(int reply);

/* output.c: formatters, one per request, text or JSON. */
struct json_object;
struct output {
	void	(*begin)(enum lgrd_req req);
	void	(*row)(enum lgrd_req req, struct json_object *o);
	void	(*end)(enum lgrd_req req);
};
extern const struct output	output_text;
extern const struct output	output_json;
/*
 * The progress line of a running job: counts and every guest in
 * flight, with its step (and the hypervisor's progress while it
 * relocates).  Returns buf.
 */
char		*output_progress_line(struct json_object *rep, char *buf,
		    size_t len);
/* An event as one line. */
void		 output_event(struct json_object *ev);
/* The moves of one job with their steps (lgrctl status JOB). */
void		 output_moves(struct json_object *rep);
/* "job N started: ..." after an evacuate or relocate. */
void		 output_started(struct json_object *o);

#endif
