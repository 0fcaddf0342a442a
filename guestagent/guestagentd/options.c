/*
 * options.c: guestagentd's command line on common/cli.h: a table of
 * options with their ranges; errors come back as text.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"

enum options_id {
	OPT_FOREGROUND = 1,
	OPT_CHECK,
	OPT_VERBOSE,
	OPT_TOPOLOGY,
	OPT_GUEST,
	OPT_LABDIR,
	OPT_MODE,
	OPT_PREPARE_TIMEOUT,
	OPT_FULL_TIMEOUT,
	OPT_NAIVE_WAIT,
	OPT_RESIDENCY,
	OPT_SETTLE,
};

/* Indexed by enum agent_mode. */
static const char *const options_modes[] = { "drain", "naive", NULL };

static const struct cli_option options_table[] = {
	{ OPT_FOREGROUND, 'd', NULL, CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_CHECK, 'n', NULL, CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_VERBOSE, 'v', NULL, CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_TOPOLOGY, 'f', NULL, CLI_STR, "TOPOLOGY", 0, 0, NULL },
	{ OPT_GUEST, 'g', NULL, CLI_NAME, "GUEST", 0, 0, NULL },
	{ OPT_LABDIR, 'D', NULL, CLI_STR, "LABDIR", 0, 0, NULL },
	{ OPT_MODE, 'm', "mode", CLI_CHOICE, "MODE", 0, 0, options_modes },
	{ OPT_PREPARE_TIMEOUT, 't', "prepare-timeout", CLI_U64, "MS", 100,
	    86400000, NULL },
	{ OPT_FULL_TIMEOUT, 'F', "full-timeout", CLI_U64, "MS", 0,
	    AGENT_TIMEOUT_MAX_MS, NULL },
	{ OPT_NAIVE_WAIT, 'w', "naive-wait", CLI_U64, "MS", 0, 600000, NULL },
	{ OPT_RESIDENCY, 'r', "residency-interval", CLI_U64, "MS", 0, 3600000,
	    NULL },
	{ OPT_SETTLE, 's', "settle", CLI_U64, "MS", 0, 60000, NULL },
	{ 0 },
};

static const int options_global[] = { OPT_FOREGROUND, OPT_CHECK,
    OPT_VERBOSE, OPT_TOPOLOGY, OPT_GUEST, OPT_LABDIR, OPT_MODE,
    OPT_PREPARE_TIMEOUT, OPT_FULL_TIMEOUT, OPT_NAIVE_WAIT, OPT_RESIDENCY,
    OPT_SETTLE, 0 };

const struct cli_spec options_spec = {
	.prog = AGENT_NAME,
	.synopsis = "[-dnv] -f topology -g guest [-D labdir] "
	    "[-m drain|naive]\n"
	    "                   [-t prepare-timeout-ms] [-F full-timeout-ms] "
	    "[-w naive-wait-ms]\n"
	    "                   [-r residency-interval-ms] [-s settle-ms]",
	.options = options_table,
	.global = options_global,
};

static void
options_defaults(struct agent_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = AGENT_MODE_DRAIN;
	o->self_complete_ms = 30000;
	o->full_timeout_ms = 10000;
	o->naive_wait_ms = 8000;
	o->residency_ms = 2000;
	o->settle_ms = 50;
}

/* One option's value into o; every one was checked by cli_parse(). */
static void
options_set(struct agent_opts *o, const struct cli_value *v)
{
	switch (v->id) {
	case OPT_FOREGROUND:
		o->foreground = true;
		break;
	case OPT_CHECK:
		o->check_only = true;
		break;
	case OPT_VERBOSE:
		o->verbose++;
		break;
	case OPT_TOPOLOGY:
		o->topology = v->str;
		break;
	case OPT_GUEST:
		o->guest = v->str;
		break;
	case OPT_LABDIR:
		o->labdir = v->str;
		break;
	case OPT_MODE:
		o->mode = (enum agent_mode)v->num;
		break;
	case OPT_PREPARE_TIMEOUT:
		o->self_complete_ms = (unsigned)v->num;
		break;
	case OPT_FULL_TIMEOUT:
		o->full_timeout_ms = (unsigned)v->num;
		break;
	case OPT_NAIVE_WAIT:
		o->naive_wait_ms = (unsigned)v->num;
		break;
	case OPT_RESIDENCY:
		o->residency_ms = (unsigned)v->num;
		break;
	case OPT_SETTLE:
		o->settle_ms = (unsigned)v->num;
		break;
	}
}

int
options_parse(int argc, char **argv, struct agent_opts *o, char *err,
    size_t errlen)
{
	struct cli_result	res;
	int			i;

	options_defaults(o);
	if (cli_parse(&options_spec, argc, argv, &res, err, errlen) == -1)
		return -1;
	o->help = res.help;
	o->version = res.version;
	if (res.help || res.version)
		return 0;
	for (i = 0; i < res.nvalues; i++)
		options_set(o, &res.values[i]);
	if (o->topology == NULL || o->guest == NULL) {
		snprintf(err, errlen, "missing option %s",
		    o->topology == NULL ? "-f TOPOLOGY" : "-g GUEST");
		return -1;
	}
	return 0;
}
