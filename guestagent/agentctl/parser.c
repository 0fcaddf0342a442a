/*
 * parser.c: agentctl's command line on common/cli.h: one request per
 * command through a token table (any unambiguous prefix of a word is
 * accepted, a word that matches nothing gets the list of valid ones),
 * the options before or after the command.  Errors come back as text.
 */
#include <stdio.h>
#include <string.h>

#include "agentctl.h"

enum parse_opt {
	OPT_LAB = 1,
	OPT_GUEST,
	OPT_SOCKET,
	OPT_ROLE,
	OPT_KEY,
	OPT_WAIT,
	OPT_JSON,
	OPT_PEERS,
	OPT_TIMEOUT,
};

static const char *const parse_roles[] = { "orchestrator", "operator",
    "viewer", NULL };

static const struct cli_option parse_options[] = {
	{ OPT_LAB, 0, "lab", CLI_NAME, "LAB", 0, 0, NULL },
	{ OPT_GUEST, 'g', "guest", CLI_NAME, "GUEST", 0, 0, NULL },
	{ OPT_SOCKET, 's', "socket", CLI_STR, "PATH", 0, 0, NULL },
	{ OPT_ROLE, 'r', "role", CLI_CHOICE, "ROLE", 0, 0, parse_roles },
	{ OPT_KEY, 'k', "key", CLI_STR, "FILE", 0, 0, NULL },
	{ OPT_WAIT, 'T', "wait", CLI_U64, "MS", 1, 86400000, NULL },
	{ OPT_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_PEERS, 'p', "peers", CLI_STR, "A,B", 0, 0, NULL },
	{ OPT_TIMEOUT, 't', "timeout", CLI_U64, "MS", 1, AGENT_TIMEOUT_MAX_MS,
	    NULL },
	{ 0 },
};

static const int parse_global[] = { OPT_LAB, OPT_GUEST, OPT_SOCKET,
    OPT_ROLE, OPT_KEY, OPT_WAIT, OPT_JSON, 0 };
static const int parse_prepare_opts[] = { OPT_PEERS, OPT_TIMEOUT, 0 };
static const int parse_complete_opts[] = { OPT_TIMEOUT, 0 };

static const struct cli_command parse_commands[] = {
	{ { "prepare" }, AGENT_REQ_PREPARE, 0, 0, NULL, parse_prepare_opts },
	{ { "complete" }, AGENT_REQ_COMPLETE, 0, 0, NULL,
	    parse_complete_opts },
	{ { "status" }, AGENT_REQ_STATUS, 0, 0, NULL, NULL },
	{ { "verbose" }, AGENT_REQ_VERBOSE, 1, 1, "LEVEL", NULL },
};

const struct cli_spec parse_spec = CLI_SPEC("agentctl",
    "[--lab LAB --guest GUEST | -s PATH] [-r ROLE | -k FILE] "
    "[-T MS] [-j] command [argument ...]",
    parse_options, parse_global, parse_commands);

/* "A,B" into the request's peers: names, distinct, at most the max. */
static int
parse_peers(const char *s, struct agent_request *rq, char *err,
    size_t errlen)
{
	char	buf[AGENT_PEERS_MAX * MSG_NAME_MAX], *tok, *save = NULL;
	size_t	j;

	rq->peers_given = true;
	rq->npeers = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (cli_name("--peers", tok, err, errlen) == -1)
			return -1;
		for (j = 0; j < rq->npeers; j++)
			if (strcmp(rq->peers[j], tok) == 0) {
				snprintf(err, errlen, "--peers: names %s twice",
				    tok);
				return -1;
			}
		if (rq->npeers == AGENT_PEERS_MAX) {
			snprintf(err, errlen, "--peers: more than %d names",
			    AGENT_PEERS_MAX);
			return -1;
		}
		snprintf(rq->peers[rq->npeers++], MSG_NAME_MAX, "%s", tok);
	}
	return 0;
}

/* The request's arguments from the command's options and words. */
static int
parse_request(const struct cli_result *res, struct parse_result *pr,
    char *err, size_t errlen)
{
	const struct cli_value	*v;

	agent_request_init(&pr->rq, res->cmd->id);
	if ((v = cli_get(res, OPT_TIMEOUT)) != NULL)
		pr->rq.timeout_ms = v->num;
	if ((v = cli_get(res, OPT_PEERS)) != NULL &&
	    parse_peers(v->str, &pr->rq, err, errlen) == -1)
		return -1;
	if (pr->rq.type == AGENT_REQ_VERBOSE)
		return cli_u64("level", res->args[0], 0, 2, &pr->rq.level, err,
		    errlen);
	return 0;
}

int
parse_command(int argc, char **argv, struct parse_result *pr, char *err,
    size_t errlen)
{
	struct cli_result	 res;
	const struct cli_value	*v;

	memset(pr, 0, sizeof(*pr));
	if (cli_parse(&parse_spec, argc, argv, &res, err, errlen) == -1)
		return -1;
	pr->help = res.help;
	pr->version = res.version;
	if (res.help || res.version)
		return 0;
	if (parse_request(&res, pr, err, errlen) == -1)
		return -1;
	pr->json = cli_has(&res, OPT_JSON);
	pr->lab = (v = cli_get(&res, OPT_LAB)) != NULL ? v->str : NULL;
	pr->guest = (v = cli_get(&res, OPT_GUEST)) != NULL ? v->str : NULL;
	pr->socket = (v = cli_get(&res, OPT_SOCKET)) != NULL ? v->str : NULL;
	pr->role = (v = cli_get(&res, OPT_ROLE)) != NULL ? v->str : NULL;
	pr->keyfile = (v = cli_get(&res, OPT_KEY)) != NULL ? v->str : NULL;
	pr->wait_ms = (v = cli_get(&res, OPT_WAIT)) != NULL ? (int)v->num : 0;
	return 0;
}

int
parse_target(const struct parse_result *pr, char *err, size_t errlen)
{
	if (pr->socket != NULL && (pr->lab != NULL || pr->guest != NULL)) {
		snprintf(err, errlen, "give either -s PATH or --lab and "
		    "--guest, not both");
		return -1;
	}
	if (pr->socket == NULL && (pr->lab == NULL || pr->guest == NULL)) {
		snprintf(err, errlen, "which agent? give --lab LAB --guest "
		    "GUEST, or -s PATH");
		return -1;
	}
	return 0;
}
