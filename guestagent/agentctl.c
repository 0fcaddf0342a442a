/*
 * agentctl: one request to a guest agent (guestagentd), its answer
 * through a formatter.
 *
 *   agentctl [--lab LAB --guest G | -s SOCKET] [--role ROLE | --key FILE]
 *	      [-T MS] [-j] COMMAND
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentctl.h"
#include "labname.h"

#define AGENTCTL_MARGIN_MS	5000	/* beyond the operation's own timeout */

struct agentctl {
	const char		*lab;
	const char		*guest;
	const char		*socket;
	const char		*role;
	const char		*keyfile;
	int			 timeout_ms;	/* 0: from the request */
	bool			 json;
	char			 path[PATH_MAX];
	char			 labdir[PATH_MAX];
};

static void __attribute__((noreturn))
usage(FILE *f, int code)
{
	fprintf(f, "usage: agentctl [--lab LAB --guest GUEST | -s SOCKET] "
	    "[--role ROLE | --key FILE]\n"
	    "                [-T MS] [-j] COMMAND\n"
	    "  COMMAND: %s\n"
	    "  --lab LAB --guest G   the agent at %s/LAB/G/%s\n"
	    "  -s, --socket PATH     the agent's control socket\n"
	    "  -r, --role ROLE       lab key: orchestrator (default for "
	    "prepare, complete),\n"
	    "                        operator (default otherwise) or viewer\n"
	    "  -k, --key FILE        secret key file instead of a role\n"
	    "  -T, --wait MS         answer time (default: the operation's "
	    "timeout + 5 s)\n"
	    "  -j, --json            JSON output\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         version\n", parse_synopsis(),
	    labname_rundir(), AGENT_SOCK_NAME);
	exit(code);
}

static void
agentctl_options(int argc, char **argv, struct agentctl *c, int *first)
{
	static const struct option	lopts[] = {
		{ "lab", required_argument, NULL, 'L' },
		{ "guest", required_argument, NULL, 'g' },
		{ "socket", required_argument, NULL, 's' },
		{ "role", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "wait", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char				*end;
	int				 o;

	while ((o = getopt_long(argc, argv, "+g:s:r:k:T:jhV", lopts,
	    NULL)) != -1) {
		switch (o) {
		case 'L':
			c->lab = optarg;
			break;
		case 'g':
			c->guest = optarg;
			break;
		case 's':
			c->socket = optarg;
			break;
		case 'r':
			c->role = optarg;
			break;
		case 'k':
			c->keyfile = optarg;
			break;
		case 'T':
			c->timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || c->timeout_ms <= 0) {
				fprintf(stderr, "agentctl: wait \"%s\" is not a "
				    "positive number of ms\n", optarg);
				exit(AGENTCTL_USAGE);
			}
			break;
		case 'j':
			c->json = true;
			break;
		case 'h':
			usage(stdout, AGENTCTL_OK);
		case 'V':
			printf("agentctl %s\n", LGR_VERSION);
			exit(AGENTCTL_OK);
		default:
			usage(stderr, AGENTCTL_USAGE);
		}
	}
	*first = optind;
}

/* The socket and the lab directory whose keys we use. */
static int
agentctl_paths(struct agentctl *c)
{
	char	*slash;

	if (c->socket != NULL && (c->lab != NULL || c->guest != NULL)) {
		fprintf(stderr, "agentctl: give either -s SOCKET or --lab and "
		    "--guest, not both\n");
		return -1;
	}
	if (c->socket != NULL) {
		snprintf(c->path, sizeof(c->path), "%s", c->socket);
		snprintf(c->labdir, sizeof(c->labdir), "%s", c->socket);
		/* LABDIR/GUEST/agent.ctl: two levels up. */
		if ((slash = strrchr(c->labdir, '/')) != NULL)
			*slash = '\0';
		if ((slash = strrchr(c->labdir, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(c->labdir, sizeof(c->labdir), "..");
		return 0;
	}
	if (c->lab == NULL || c->guest == NULL) {
		fprintf(stderr, "agentctl: which agent? give --lab LAB "
		    "--guest GUEST, or -s SOCKET\n");
		return -1;
	}
	if (!msg_name_valid(c->lab) || !msg_name_valid(c->guest)) {
		fprintf(stderr, "agentctl: lab and guest names are "
		    "[A-Za-z0-9_-]\n");
		return -1;
	}
	if (labname_labdir(c->lab, c->labdir, sizeof(c->labdir)) == NULL ||
	    agent_client_path(c->labdir, c->guest, c->path,
	    sizeof(c->path)) == NULL) {
		fprintf(stderr, "agentctl: lab %s: path too long\n", c->lab);
		return -1;
	}
	return 0;
}

static int
agentctl_timeout(const struct agentctl *c, const struct agent_request *rq)
{
	uint64_t	t;

	if (c->timeout_ms > 0)
		return c->timeout_ms;
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

static int
agentctl_failure(struct agent_client *ac, const struct agentctl *c)
{
	const char	*text;
	int		 code;

	switch (errno) {
	case EACCES:
		fprintf(stderr, "agentctl: the agent refused our key (%s): "
		    "authentication failed\n", c->keyfile ? c->keyfile :
		    c->role);
		return AGENTCTL_DENIED;
	case ETIMEDOUT:
		fprintf(stderr, "agentctl: no answer from %s in time\n",
		    c->path);
		return AGENTCTL_NOANSWER;
	case EREMOTEIO:
		code = agent_client_error(ac, &text);
		fprintf(stderr, "agentctl: %s (%d %s)\n", text, code,
		    agent_error_name(code));
		return code == AGENT_E_DENIED ? AGENTCTL_DENIED :
		    AGENTCTL_FAILED;
	default:
		fprintf(stderr, "agentctl: %s: %s\n", c->path, strerror(errno));
		return AGENTCTL_NOANSWER;
	}
}

static void
agentctl_print(const struct output *out, enum agent_req req,
    struct json_object *o)
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
agentctl_run(struct agentctl *c, const struct parse_result *pr)
{
	struct keys_client	 kc;
	struct agent_client	*ac;
	struct json_object	*data;
	int			 rc;

	if (c->role == NULL)
		c->role = agent_req_changes(pr->rq.type) ? "orchestrator" :
		    "operator";
	if (keys_load_client(c->labdir, c->role, c->keyfile, &kc) == -1) {
		fprintf(stderr, "agentctl: key %s (lab keys in %s/%s): %s\n",
		    c->keyfile ? c->keyfile : c->role, c->labdir, KEYS_DIR,
		    errno == EINVAL && c->keyfile == NULL ? "roles are "
		    "orchestrator, operator, viewer" : strerror(errno));
		return AGENTCTL_USAGE;
	}
	if ((ac = agent_client_open(NULL, c->path, &kc)) == NULL) {
		fprintf(stderr, "agentctl: %s: %s%s\n", c->path,
		    strerror(errno), errno == ENOENT ? " (is guestagentd "
		    "running?)" : "");
		return AGENTCTL_NOANSWER;
	}
	rc = AGENTCTL_OK;
	if (agent_client_request(ac, &pr->rq, agentctl_timeout(c, &pr->rq),
	    &data) == -1)
		rc = agentctl_failure(ac, c);
	else {
		agentctl_print(c->json || pr->json ? &output_json :
		    &output_human, pr->rq.type, data);
		json_object_put(data);
	}
	agent_client_close(ac);
	return rc;
}

int
main(int argc, char **argv)
{
	struct agentctl		c;
	struct parse_result	pr;
	char			err[256];
	int			first;

	memset(&c, 0, sizeof(c));
	agentctl_options(argc, argv, &c, &first);
	if (first >= argc)
		usage(stderr, AGENTCTL_USAGE);
	if (parse_command(argc - first, argv + first, &pr, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "agentctl: %s\n", err);
		return AGENTCTL_USAGE;
	}
	if (agentctl_paths(&c) == -1)
		return AGENTCTL_USAGE;
	return agentctl_run(&c, &pr);
}
