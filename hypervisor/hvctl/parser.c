/*
 * parser.c: hvctl's command line, a token table for common/cli.h in
 * ospfctl's shape: every word may be abbreviated to an unambiguous
 * prefix, a word that does not match lists the valid ones, the global
 * options go before or after the command.  Errors come back as text.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hvctl.h"

enum {
	O_JSON = 1, O_LABDIR, O_LAB, O_MEMBER, O_ROLE, O_KEYFILE, O_TIMEOUT,
	O_ASYNC, O_MAX_TOTAL, O_MAX_QUIESCE, O_MAX_RATE, O_IMMEDIATE, O_FORCE,
	O_VERIFY, O_OUT, O_IN, O_RATE, O_WSS, O_FOLLOW,
};

static const char *const parse_force_words[] = { "domain", "storage", NULL };
static const char *const parse_verify_words[] = { "pages", "full", NULL };

static const struct cli_option parse_options[] = {
	{ O_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_LABDIR, 'D', "labdir", CLI_STR, "LABDIR", 0, 0, NULL },
	{ O_LAB, 'l', "lab", CLI_NAME, "LAB", 0, 0, NULL },
	{ O_MEMBER, 'm', "member", CLI_NAME, "MEMBER", 0, 0, NULL },
	{ O_ROLE, 'k', "role", CLI_NAME, "ROLE", 0, 0, NULL },
	{ O_KEYFILE, 'K', "keyfile", CLI_STR, "KEYFILE", 0, 0, NULL },
	{ O_TIMEOUT, 't', "timeout", CLI_U64, "MS", 1, 600000, NULL },
	{ O_ASYNC, 0, "async", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_MAX_TOTAL, 0, "max-total", CLI_U64, "S", 1, HV_MAX_TOTAL_S, NULL },
	{ O_MAX_QUIESCE, 0, "max-quiesce", CLI_U64, "MS", 0,
	    HV_MAX_QUIESCE_MS, NULL },
	{ O_MAX_RATE, 0, "max-rate", CLI_U64, "MIB", 0, HV_MAX_RATE_MIB,
	    NULL },
	{ O_IMMEDIATE, 0, "immediate", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_FORCE, 0, "force", CLI_CHOICE, "WHAT", 0, 0, parse_force_words },
	{ O_VERIFY, 0, "verify", CLI_CHOICE, "HOW", 0, 0, parse_verify_words },
	{ O_OUT, 0, "out", CLI_U64, "N", 0, HV_MAX_LIMIT, NULL },
	{ O_IN, 0, "in", CLI_U64, "N", 0, HV_MAX_LIMIT, NULL },
	{ O_RATE, 0, "rate", CLI_U64, "MIB/S", 0, HV_MAX_DIRTY_MIB, NULL },
	{ O_WSS, 0, "wss", CLI_U64, "MIB", 0, HV_MAX_WSS_MIB, NULL },
	{ O_FOLLOW, 'f', "follow", CLI_FLAG, NULL, 0, 0, NULL },
	{ 0, 0, NULL, 0, NULL, 0, 0, NULL },
};

static const int parse_global[] = { O_JSON, O_LABDIR, O_LAB, O_MEMBER,
    O_ROLE, O_KEYFILE, O_TIMEOUT, 0 };
static const int parse_check_opts[] = { O_MAX_TOTAL, O_MAX_QUIESCE,
    O_MAX_RATE, O_IMMEDIATE, O_FORCE, O_VERIFY, 0 };
static const int parse_reloc_opts[] = { O_ASYNC, O_MAX_TOTAL, O_MAX_QUIESCE,
    O_MAX_RATE, O_IMMEDIATE, O_FORCE, O_VERIFY, 0 };
static const int parse_limit_opts[] = { O_MAX_TOTAL, O_MAX_QUIESCE,
    O_MAX_RATE, 0 };
static const int parse_member_opts[] = { O_OUT, O_IN, 0 };
static const int parse_workload_opts[] = { O_RATE, O_WSS, 0 };
static const int parse_events_opts[] = { O_FOLLOW, 0 };

/* Commands in the order of hvctl(8); the id is the request. */
static const struct cli_command parse_commands[] = {
	{ { "members" }, HV_REQ_MEMBERS, 0, 0, NULL, NULL },
	{ { "guests" }, HV_REQ_GUESTS, 0, 0, NULL, NULL },
	{ { "status" }, HV_REQ_STATUS, 0, 1, "[GUEST]", NULL },
	{ { "check" }, HV_REQ_CHECK, 2, 2, "GUEST MEMBER", parse_check_opts },
	{ { "relocate" }, HV_REQ_RELOCATE, 2, 2, "GUEST MEMBER",
	    parse_reloc_opts },
	{ { "cancel" }, HV_REQ_CANCEL, 1, 1, "GUEST", NULL },
	{ { "set-limits" }, HV_REQ_SET_LIMITS, 1, 1, "GUEST",
	    parse_limit_opts },
	{ { "history" }, HV_REQ_HISTORY, 0, 1, "[GUEST]", NULL },
	{ { "events" }, HV_REQ_EVENTS, 0, 1, "[GUEST]", parse_events_opts },
	{ { "where" }, HV_REQ_WHERE, 1, 1, "GUEST", NULL },
	{ { "audit" }, HV_REQ_AUDIT, 0, 0, NULL, NULL },
	{ { "recover" }, HV_REQ_RECOVER, 2, 2, "GUEST MEMBER", NULL },
	{ { "member", "set-down" }, HV_REQ_MEMBER_DOWN, 1, 1, "MEMBER", NULL },
	{ { "member", "set-limits" }, HV_REQ_MEMBER_LIMITS, 1, 1, "MEMBER",
	    parse_member_opts },
	{ { "workload" }, HV_REQ_WORKLOAD, 1, 1, "GUEST",
	    parse_workload_opts },
	{ { "log", "verbose" }, HV_REQ_VERBOSE, 1, 1, "LEVEL", NULL },
};

const struct cli_spec parse_spec = CLI_SPEC("hvctl",
    "[-j] [-D labdir | -l lab] [-m member] "
    "[-k role | -K keyfile] [-t ms] command [argument ...]",
    parse_options, parse_global, parse_commands);

static const char *
parse_str(const struct cli_result *r, int id)
{
	const struct cli_value	*v = cli_get(r, id);

	return v != NULL ? v->str : NULL;
}

static uint64_t
parse_num(const struct cli_result *r, int id)
{
	const struct cli_value	*v = cli_get(r, id);

	return v != NULL ? v->num : HV_UNSET;
}

/* The global options. */
static void
parse_globals(const struct cli_result *r, struct parse_result *res)
{
	res->labdir = parse_str(r, O_LABDIR);
	res->lab = parse_str(r, O_LAB);
	res->member = parse_str(r, O_MEMBER);
	res->role = parse_str(r, O_ROLE);
	res->keyfile = parse_str(r, O_KEYFILE);
	res->timeout_ms = cli_has(r, O_TIMEOUT) ?
	    (int)parse_num(r, O_TIMEOUT) : HVCTL_TIMEOUT_MS;
	if (cli_has(r, O_JSON))
		res->flags |= PARSE_JSON;
}

/* The options of the command, into the request. */
static void
parse_request_options(const struct cli_result *r, struct parse_result *res)
{
	struct hv_request	*rq = &res->rq;
	int			 i;

	rq->max_total_s = parse_num(r, O_MAX_TOTAL);
	rq->max_quiesce_ms = parse_num(r, O_MAX_QUIESCE);
	rq->max_rate_mib = parse_num(r, O_MAX_RATE);
	rq->limit_out = parse_num(r, O_OUT);
	rq->limit_in = parse_num(r, O_IN);
	rq->rate_mib = parse_num(r, O_RATE);
	rq->wss_mib = parse_num(r, O_WSS);
	rq->immediate = cli_has(r, O_IMMEDIATE);
	if (cli_has(r, O_VERIFY))
		rq->verify = (enum hv_verify)cli_get(r, O_VERIFY)->num;
	for (i = 0; i < r->nvalues; i++)	/* --force, each one given */
		if (r->values[i].id == O_FORCE)
			hv_request_set_force(rq, hv_request_force(rq) |
			    (r->values[i].num == 0 ? HV_FORCE_DOMAIN :
			    HV_FORCE_STORAGE));
	if (cli_has(r, O_ASYNC))
		res->flags |= PARSE_ASYNC;
	if (cli_has(r, O_FOLLOW))
		res->flags |= PARSE_FOLLOW;
}

static int
parse_name(const char *what, const char *s, char *out, char *err,
    size_t errlen)
{
	if (cli_name(what, s, err, errlen) == -1)
		return -1;
	snprintf(out, MSG_NAME_MAX, "%s", s);
	return 0;
}

/* The positional arguments: GUEST, MEMBER or LEVEL, by the command. */
static int
parse_args(const struct cli_result *r, struct parse_result *res, char *err,
    size_t errlen)
{
	struct hv_request	*rq = &res->rq;
	const char		*args = r->cmd->args;
	int			 i = 0;

	if (args == NULL || r->nargs == 0)
		return 0;
	if (strstr(args, "GUEST") != NULL &&
	    parse_name("guest", r->args[i++], rq->guest, err, errlen) == -1)
		return -1;
	if (strstr(args, "MEMBER") != NULL && i < r->nargs &&
	    parse_name("member", r->args[i++], rq->member, err, errlen) == -1)
		return -1;
	if (strcmp(args, "LEVEL") == 0)
		return cli_u64("level", r->args[0], 0, HV_MAX_VERBOSE,
		    &rq->verbose, err, errlen);
	return 0;
}

int
parse(int argc, char **argv, struct parse_result *res, char *err,
    size_t errlen)
{
	struct cli_result	r;

	memset(res, 0, sizeof(*res));
	if (cli_parse(&parse_spec, argc, argv, &r, err, errlen) == -1)
		return -1;
	res->help = r.help;
	res->version = r.version;
	if (r.help || r.version)
		return 0;
	hv_request_init(&res->rq, (enum hv_req)r.cmd->id);
	parse_globals(&r, res);
	parse_request_options(&r, res);
	return parse_args(&r, res, err, errlen);
}
