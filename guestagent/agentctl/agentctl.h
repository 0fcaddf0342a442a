/*
 * agentctl.h: private header of agentctl, the guest agent's CLI.
 * Prototypes grouped by the file that defines them.
 */
#ifndef LGR_AGENTCTL_H
#define LGR_AGENTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "agent_client.h"
#include "cli.h"

/* Exit codes (agentctl(8)). */
#define AGENTCTL_OK		0
#define AGENTCTL_FAILED		1	/* the agent answered an error */
#define AGENTCTL_USAGE		2
#define AGENTCTL_NOANSWER	3	/* no socket, no answer in time */
#define AGENTCTL_DENIED		4	/* key refused or role not allowed */

/*
 * parser.c: the command line (common/cli.h): the options, global before
 * or after the command, and the command words to one request.
 */
struct parse_result {
	struct agent_request	 rq;
	bool			 json;
	bool			 help;
	bool			 version;
	const char		*lab;		/* --lab, NULL: not given */
	const char		*guest;		/* --guest */
	const char		*socket;	/* -s */
	const char		*role;		/* -r */
	const char		*keyfile;	/* -k */
	int			 wait_ms;	/* -T, 0: from the request */
};

extern const struct cli_spec	parse_spec;

/*
 * Parse argv[1..argc-1] (argv[0] is the program).  Returns 0, or -1
 * with the message in err (cli.h's format).  With --help or --version
 * the rest is not checked.
 */
int		 parse_command(int argc, char **argv, struct parse_result *pr,
		    char *err, size_t errlen);
/* Which agent: -s, or --lab and --guest.  0, or -1 with err. */
int		 parse_target(const struct parse_result *pr, char *err,
		    size_t errlen);

/* output.c: formatters, so that JSON never touches the request code. */
struct output {
	void	(*prepare)(FILE *f, struct json_object *o);
	void	(*complete)(FILE *f, struct json_object *o);
	void	(*status)(FILE *f, struct json_object *o);
};

extern const struct output	output_human;
extern const struct output	output_json;

#endif
