/*
 * parser.c: lgrctl's command line on common/cli.h: each command maps to
 * one request of lgrd_ctl.h; words may be abbreviated to an unambiguous
 * prefix, a word that does not match lists the choices, and options go
 * before or after the command.  Errors come back as text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lgrctl.h"
#include "reply.h"

enum {
	O_JSON = 1, O_QUIET, O_LABDIR, O_LAB, O_ROLE, O_KEYFILE, O_TIMEOUT,
	O_FROM, O_TO, O_PARALLEL, O_WAVE,
	O_BLACKHOLE, O_DRY_RUN, O_NO_WAIT, O_FOLLOW,
	O_URL_ROLE,
};

static const char *const parse_url_roles[] = { "viewer", "operator", NULL };

static const struct cli_option parse_options[] = {
	{ O_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_QUIET, 'q', "quiet", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_LABDIR, 'D', NULL, CLI_STR, "labdir", 0, 0, NULL },
	{ O_LAB, 'l', "lab", CLI_NAME, "lab", 0, 0, NULL },
	{ O_ROLE, 'k', NULL, CLI_NAME, "role", 0, 0, NULL },
	{ O_KEYFILE, 'K', NULL, CLI_STR, "keyfile", 0, 0, NULL },
	{ O_TIMEOUT, 't', NULL, CLI_U64, "ms", 1, 3600000, NULL },
	{ O_FROM, 0, "from", CLI_NAME, "MEMBER", 0, 0, NULL },
	{ O_TO, 0, "to", CLI_NAME, "MEMBER", 0, 0, NULL },
	{ O_PARALLEL, 0, "parallel", CLI_U64, "N", 1, LGRD_PARALLEL_MAX,
	    NULL },
	{ O_WAVE, 0, "wave", CLI_U64, "N", 1, LGRD_PARALLEL_MAX, NULL },
	{ O_BLACKHOLE, 0, "max-blackhole", CLI_U64, "MS", 0,
	    LGRD_BLACKHOLE_MAX, NULL },
	{ O_DRY_RUN, 0, "dry-run", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_NO_WAIT, 0, "no-wait", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_FOLLOW, 'f', "follow", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_URL_ROLE, 0, "role", CLI_CHOICE, "viewer|operator", 0, 0,
	    parse_url_roles },
	{ 0 },
};

static const int parse_global[] = { O_JSON, O_QUIET, O_LABDIR, O_LAB, O_ROLE,
    O_KEYFILE, O_TIMEOUT, 0 };
static const int parse_evac_opts[] = { O_FROM, O_TO, O_PARALLEL, O_WAVE,
    O_BLACKHOLE, O_DRY_RUN, O_NO_WAIT, 0 };
static const int parse_reloc_opts[] = { O_BLACKHOLE, O_NO_WAIT, 0 };
static const int parse_events_opts[] = { O_FOLLOW, 0 };
static const int parse_url_opts[] = { O_URL_ROLE, 0 };

/* In the order of lgrctl(8); the id is the request. */
static const struct cli_command parse_commands[] = {
	{ { "evacuate" }, LGRD_REQ_EVACUATE, 1, 1, "WORKLOAD",
	    parse_evac_opts },
	{ { "relocate" }, LGRD_REQ_RELOCATE, 2, 2, "GUEST MEMBER",
	    parse_reloc_opts },
	{ { "check" }, LGRD_REQ_CHECK, 2, 2, "GUEST MEMBER", NULL },
	{ { "cancel" }, LGRD_REQ_CANCEL, 1, 1, "GUEST|JOB", NULL },
	{ { "status" }, LGRD_REQ_STATUS, 0, 1, "[JOB]", NULL },
	{ { "history" }, LGRD_REQ_HISTORY, 0, 1, "[GUEST]", NULL },
	{ { "events" }, LGRD_REQ_EVENTS, 0, 1, "[JOB]", parse_events_opts },
	{ { "report" }, LGRD_REQ_REPORT, 0, 1, "[JOB]", NULL },
	{ { "audit" }, LGRD_REQ_AUDIT, 0, 0, NULL, NULL },
	{ { "verbose" }, LGRD_REQ_VERBOSE, 1, 1, "LEVEL", NULL },
	{ { "console-url" }, LGRD_REQ_CONSOLE_URL, 0, 0, NULL, parse_url_opts },
};

static const struct cli_spec parse_spec = {
	.prog = "lgrctl",
	.synopsis = "[-jq] [-D labdir | -l lab] [-k role | -K keyfile] "
	    "[-t ms] command [argument ...]",
	.options = parse_options,
	.global = parse_global,
	.commands = parse_commands,
	.ncommands = sizeof(parse_commands) / sizeof(parse_commands[0]),
};

void
parse_usage(FILE *f)
{
	cli_usage(&parse_spec, f);
}

static int
parse_name(const char *what, const char *s, char *out, char *err,
    size_t len)
{
	if (cli_name(what, s, err, len) == -1)
		return -1;
	snprintf(out, MSG_NAME_MAX, "%s", s);
	return 0;
}

static int
parse_job(const char *s, uint64_t *id, char *err, size_t len)
{
	return cli_u64("job", s, 1, INT64_MAX, id, err, len);
}

/* The positional arguments of the command into the request. */
static int
parse_positional(const struct cli_result *r, struct lgrd_request *rq,
    char *err, size_t len)
{
	switch (rq->type) {
	case LGRD_REQ_EVACUATE:
		return parse_name("workload", r->args[0], rq->workload, err,
		    len);
	case LGRD_REQ_RELOCATE:
	case LGRD_REQ_CHECK:
		if (parse_name("guest", r->args[0], rq->guest, err, len) == -1)
			return -1;
		return parse_name("member", r->args[1], rq->to, err, len);
	case LGRD_REQ_CANCEL:
		if (r->args[0][0] >= '0' && r->args[0][0] <= '9')
			return parse_job(r->args[0], &rq->id, err, len);
		return parse_name("guest", r->args[0], rq->guest, err, len);
	case LGRD_REQ_HISTORY:
		return r->nargs == 0 ? 0 : parse_name("guest", r->args[0],
		    rq->guest, err, len);
	case LGRD_REQ_STATUS:
	case LGRD_REQ_EVENTS:
	case LGRD_REQ_REPORT:
		return r->nargs == 0 ? 0 : parse_job(r->args[0], &rq->id, err,
		    len);
	case LGRD_REQ_VERBOSE:
		return cli_u64("level", r->args[0], 0, 3, &rq->verbose, err,
		    len);
	default:
		return 0;
	}
}

static void
parse_str_opt(const struct cli_result *r, int id, const char **out)
{
	const struct cli_value	*v;

	if ((v = cli_get(r, id)) != NULL)
		*out = v->str;
}

static void
parse_num_opt(const struct cli_result *r, int id, uint64_t *out)
{
	const struct cli_value	*v;

	if ((v = cli_get(r, id)) != NULL)
		*out = v->num;
}

static void
parse_globals(const struct cli_result *r, struct parse_result *res)
{
	uint64_t	t = LGRCTL_TIMEOUT_MS;

	res->role = "operator";
	parse_str_opt(r, O_LABDIR, &res->labdir);
	parse_str_opt(r, O_LAB, &res->lab);
	parse_str_opt(r, O_ROLE, &res->role);
	parse_str_opt(r, O_KEYFILE, &res->keyfile);
	parse_num_opt(r, O_TIMEOUT, &t);
	res->timeout_ms = (int)t;
	res->json = cli_has(r, O_JSON);
	res->quiet = cli_has(r, O_QUIET);
}

/* The command's options into the request and flags. */
static void
parse_command_opts(const struct cli_result *r, struct parse_result *res)
{
	struct lgrd_request	*rq = &res->rq;
	const struct cli_value	*v;

	if ((v = cli_get(r, O_FROM)) != NULL)
		snprintf(rq->from, sizeof(rq->from), "%s", v->str);
	if ((v = cli_get(r, O_TO)) != NULL)
		snprintf(rq->to, sizeof(rq->to), "%s", v->str);
	parse_num_opt(r, O_PARALLEL, &rq->parallel);
	parse_num_opt(r, O_WAVE, &rq->wave);
	parse_num_opt(r, O_BLACKHOLE, &rq->max_blackhole_ms);
	if (cli_has(r, O_DRY_RUN)) {
		res->flags |= PARSE_DRY_RUN;
		rq->type = LGRD_REQ_PLAN;
	}
	if (cli_has(r, O_NO_WAIT))
		res->flags |= PARSE_NO_WAIT;
	if (cli_has(r, O_FOLLOW))
		res->flags |= PARSE_FOLLOW;
	if ((v = cli_get(r, O_URL_ROLE)) != NULL)
		rq->console_role = (int)v->num;
	if (rq->type == LGRD_REQ_EVENTS)
		rq->since = 0;
}

int
parse_args(int argc, char **argv, struct parse_result *res, char *err,
    size_t len)
{
	struct cli_result	r;

	memset(res, 0, sizeof(*res));
	if (cli_parse(&parse_spec, argc, argv, &r, err, len) == -1)
		return -1;
	res->help = r.help;
	res->version = r.version;
	if (r.help || r.version)
		return 0;
	parse_globals(&r, res);
	lgrd_request_init(&res->rq, (enum lgrd_req)r.cmd->id);
	if (parse_positional(&r, &res->rq, err, len) == -1)
		return -1;
	parse_command_opts(&r, res);
	return 0;
}

int
parse_exit_code(int reply)
{
	if (reply >= 9000)
		return LGRCTL_USAGE;
	switch (reply) {
	case REPLY_E_DENIED:
		return LGRCTL_DENIED;
	case REPLY_E_NOTFOUND:
		return LGRCTL_UNKNOWN;
	case REPLY_E_EMPTY:
		return LGRCTL_EMPTY;
	case REPLY_E_CONFLICT:
	case REPLY_E_BUSY:
		return LGRCTL_FAILED;
	default:
		return LGRCTL_ERROR;
	}
}
