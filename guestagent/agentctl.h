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

/* Exit codes (agentctl(8)). */
#define AGENTCTL_OK		0
#define AGENTCTL_FAILED		1	/* the agent answered an error */
#define AGENTCTL_USAGE		2
#define AGENTCTL_NOANSWER	3	/* no socket, no answer in time */
#define AGENTCTL_DENIED		4	/* key refused or role not allowed */

/* parser.c: command words to one request (ospfctl's token table). */
struct parse_result {
	struct agent_request	 rq;
	bool			 json;
};

/*
 * Parse the command and its arguments (argv[0] is the command word;
 * unambiguous prefixes are accepted).  Returns 0, or -1 with a message
 * naming the valid choices in err.
 */
int		 parse_command(int argc, char **argv, struct parse_result *pr,
		    char *err, size_t errlen);
const char	*parse_synopsis(void);

/* output.c: formatters, so that JSON never touches the request code. */
struct output {
	void	(*prepare)(FILE *f, struct json_object *o);
	void	(*complete)(FILE *f, struct json_object *o);
	void	(*status)(FILE *f, struct json_object *o);
};

extern const struct output	output_human;
extern const struct output	output_json;

#endif
