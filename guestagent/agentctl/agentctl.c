/*
 * agentctl: one request to a guest agent (guestagentd), its answer
 * through a formatter.
 *
 *   agentctl [--lab LAB --guest G | -s SOCKET] [--role ROLE | --key FILE]
 *	      [-T MS] [-j] COMMAND	(options before or after the command)
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentctl.h"
#include "ctlclient.h"

#define AGENTCTL_MARGIN_MS	5000	/* beyond the operation's own timeout */

struct agentctl {
	struct parse_result	 pr;
	const char		*role;
	char			 path[PATH_MAX];
	char			 labdir[PATH_MAX];
};

static void
agentctl_usage(void)
{
	cli_usage(&parse_spec, stdout);
	printf("options:\n"
	    "  --lab LAB -g GUEST    the agent at %s/LAB/GUEST/%s\n"
	    "  -s, --socket PATH     the agent's control socket\n"
	    "  -r, --role ROLE       lab key: orchestrator (default for "
	    "prepare, complete),\n"
	    "                        operator (default otherwise) or viewer\n"
	    "  -k, --key FILE        secret key file instead of a role\n"
	    "  -T, --wait MS         answer time (default: the operation's "
	    "timeout + 5 s)\n"
	    "  -j, --json            JSON output\n"
	    "  -h, --help            this text\n"
	    "  --version             version\n", labname_rundir(),
	    LABNAME_AGENT_SOCK);
}

/* The socket and the lab directory whose keys we use. */
static int
agentctl_paths(struct agentctl *c)
{
	char	*slash;

	if (c->pr.socket != NULL) {
		snprintf(c->path, sizeof(c->path), "%s", c->pr.socket);
		snprintf(c->labdir, sizeof(c->labdir), "%s", c->pr.socket);
		/* LABDIR/GUEST/agent.ctl: two levels up. */
		if ((slash = strrchr(c->labdir, '/')) != NULL)
			*slash = '\0';
		if ((slash = strrchr(c->labdir, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(c->labdir, sizeof(c->labdir), "..");
		return 0;
	}
	if (labname_labdir(c->pr.lab, c->labdir, sizeof(c->labdir)) == NULL ||
	    labname_agent_sock(c->labdir, c->pr.guest, c->path,
	    sizeof(c->path)) == NULL) {
		fprintf(stderr, "agentctl: lab %s: path too long\n",
		    c->pr.lab);
		return -1;
	}
	return 0;
}

static int
agentctl_timeout(const struct agentctl *c)
{
	const struct agent_request	*rq = &c->pr.rq;
	uint64_t			 t;

	if (c->pr.wait_ms > 0)
		return c->pr.wait_ms;
	switch (rq->type) {
	case AGENT_REQ_PREPARE:
		t = rq->timeout_ms != AGENT_UNSET ? rq->timeout_ms :
		    AGENT_PREPARE_TIMEOUT_MS;
		break;
	case AGENT_REQ_COMPLETE:
		/* Naive mode's two fixed waits, or the Full wait. */
		t = rq->timeout_ms != AGENT_UNSET ? rq->timeout_ms : 30000;
		break;
	default:
		t = 0;
		break;
	}
	return (int)t + AGENTCTL_MARGIN_MS;
}

/* Why the connection or the request failed (ac NULL: at the open). */
static int
agentctl_failure(struct agent_client *ac, const struct agentctl *c)
{
	const char	*text;
	int		 code;

	switch (errno) {
	case EACCES:
		fprintf(stderr, "agentctl: the agent refused our key (%s): "
		    "authentication failed\n", c->pr.keyfile ? c->pr.keyfile :
		    c->role);
		return AGENTCTL_DENIED;
	case ETIMEDOUT:
		if (ac == NULL)
			fprintf(stderr, "agentctl: %s\n", ctlclient_errtext());
		else
			fprintf(stderr, "agentctl: no answer from %s in time\n",
			    c->path);
		return AGENTCTL_NOANSWER;
	case ENOENT:
		fprintf(stderr, "agentctl: %s: %s (is guestagentd running?)\n",
		    c->path, strerror(errno));
		return AGENTCTL_NOANSWER;
	case EREMOTEIO:
		code = agent_client_error(ac, &text);
		fprintf(stderr, "agentctl: %s (%d %s)\n", text, code,
		    reply_name(code));
		return code == REPLY_E_DENIED ? AGENTCTL_DENIED :
		    AGENTCTL_FAILED;
	default:
		fprintf(stderr, "agentctl: %s: %s\n", c->path, strerror(errno));
		return AGENTCTL_NOANSWER;
	}
}

static void
agentctl_print(const struct output *out, int req, struct json_object *o)
{
	if (o == NULL)
		return;
	switch (req) {
	case AGENT_REQ_PREPARE:
		out->prepare(stdout, o);
		break;
	case AGENT_REQ_COMPLETE:
		out->complete(stdout, o);
		break;
	case AGENT_REQ_STATUS:
		out->status(stdout, o);
		break;
	default:
		break;
	}
}

static int
agentctl_run(struct agentctl *c)
{
	struct keys_client	 kc;
	struct agent_client	*ac;
	struct json_object	*data;
	int			 rc;

	c->role = c->pr.role != NULL ? c->pr.role :
	    codec_writes(&agent_codec, c->pr.rq.type) ? "orchestrator" :
	    "operator";
	if (keys_load_client(c->labdir, c->role, c->pr.keyfile, &kc) == -1) {
		fprintf(stderr, "agentctl: key %s (lab keys in %s/%s): %s\n",
		    c->pr.keyfile ? c->pr.keyfile : c->role, c->labdir,
		    KEYS_DIR, strerror(errno));
		return AGENTCTL_USAGE;
	}
	if ((ac = agent_client_open(NULL, c->path, &kc, 0)) == NULL)
		return agentctl_failure(NULL, c);
	rc = AGENTCTL_OK;
	if (agent_client_request(ac, &c->pr.rq, agentctl_timeout(c),
	    &data) == -1)
		rc = agentctl_failure(ac, c);
	else {
		agentctl_print(c->pr.json ? &output_json : &output_human,
		    c->pr.rq.type, data);
		json_object_put(data);
	}
	agent_client_close(ac);
	return rc;
}

int
main(int argc, char **argv)
{
	struct agentctl	c;
	char		err[CLI_ERRLEN];

	memset(&c, 0, sizeof(c));
	if (parse_command(argc, argv, &c.pr, err, sizeof(err)) == -1 ||
	    (!c.pr.help && !c.pr.version && parse_target(&c.pr, err,
	    sizeof(err)) == -1)) {
		fprintf(stderr, "agentctl: %s\ntry 'agentctl --help'\n", err);
		return AGENTCTL_USAGE;
	}
	if (c.pr.help) {
		agentctl_usage();
		return AGENTCTL_OK;
	}
	if (c.pr.version) {
		printf("agentctl %s\n", LGR_VERSION);
		return AGENTCTL_OK;
	}
	if (agentctl_paths(&c) == -1)
		return AGENTCTL_USAGE;
	return agentctl_run(&c);
}
