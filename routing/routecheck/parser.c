/*
 * parser.c: routecheck's command line on the common front end (cli.h):
 * LAB and ROUTERs, the options before, between or after them.
 */
#include <stdio.h>
#include <string.h>

#include "command.h"

enum {
	OPT_TOPOLOGY = 1,
	OPT_EXPECT,
	OPT_SNAPSHOT,
	OPT_FROM,
	OPT_JUNIT,
	OPT_GUEST,
	OPT_SOURCE,
	OPT_NOZEBRA,
	OPT_TIMEOUT,
	OPT_JSON,
	OPT_QUIET,
};

/* In the order of enum rc_source. */
static const char *const parse_sources[] = { "auto", "plugin", "vty", NULL };

static const struct cli_option parse_options[] = {
	{ OPT_TOPOLOGY, 'f', "topology", CLI_STR, "FILE", 0, 0, NULL },
	{ OPT_EXPECT, 0, "expect", CLI_STR, "FILE", 0, 0, NULL },
	{ OPT_SNAPSHOT, 0, "snapshot", CLI_STR, "FILE", 0, 0, NULL },
	{ OPT_FROM, 0, "from", CLI_STR, "FILE", 0, 0, NULL },
	{ OPT_JUNIT, 0, "junit", CLI_STR, "FILE", 0, 0, NULL },
	{ OPT_GUEST, 0, "guest", CLI_NAME, "GUEST", 0, 0, NULL },
	{ OPT_SOURCE, 0, "source", CLI_CHOICE, "SRC", 0, 0, parse_sources },
	{ OPT_NOZEBRA, 0, "no-zebra", CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_TIMEOUT, 't', "timeout", CLI_U64, "MS", 1, 600000, NULL },
	{ OPT_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_QUIET, 'q', "quiet", CLI_FLAG, NULL, 0, 0, NULL },
	{ 0 },
};
static const int parse_global[] = { OPT_TOPOLOGY, OPT_EXPECT, OPT_SNAPSHOT,
    OPT_FROM, OPT_JUNIT, OPT_GUEST, OPT_SOURCE, OPT_NOZEBRA, OPT_TIMEOUT,
    OPT_JSON, OPT_QUIET, 0 };

const struct cli_spec parse_spec = {
	.prog = "routecheck",
	.synopsis = "[-jq] [-f TOPOLOGY] [--expect FILE] [--snapshot FILE] "
	    "[--junit FILE]\n"
	    "                  [--guest GUEST] [--source auto|plugin|vty] "
	    "[--no-zebra] [-t MS]\n"
	    "                  LAB [ROUTER ...]\n"
	    "       routecheck [-jq] --from SNAPSHOT [-f TOPOLOGY] "
	    "[--expect FILE] [--junit FILE]\n"
	    "                  [--guest GUEST] [LAB]\n"
	    "       (options go before or after LAB and the routers)",
	.options = parse_options,
	.global = parse_global,
	.min_args = 0,
	.max_args = CLI_ARGS,
	.args = "LAB ROUTER",
};

static const char *
parse_str(const struct cli_result *cr, int id)
{
	const struct cli_value	*v = cli_get(cr, id);

	return v != NULL ? v->str : NULL;
}

/* LAB is needed unless --from; --from takes no ROUTER, no --snapshot. */
static int
parse_check(const struct options *o, char *err, size_t errlen)
{
	if (o->from == NULL && o->lab == NULL) {
		snprintf(err, errlen, "missing argument LAB (nslab status "
		    "lists the labs)");
		return -1;
	}
	if (o->from != NULL && (o->nrouters > 0 || o->snapshot != NULL)) {
		snprintf(err, errlen, "--from checks a saved snapshot: no "
		    "ROUTER and no --snapshot with it");
		return -1;
	}
	if (o->lab != NULL)
		return cli_name("LAB", o->lab, err, errlen);
	return 0;
}

int
parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	struct cli_result	 cr;
	const struct cli_value	*v;
	int			 i;

	memset(o, 0, sizeof(*o));
	if (cli_parse(&parse_spec, argc, argv, &cr, err, errlen) == -1)
		return -1;
	o->help = cr.help;
	o->version = cr.version;
	if (cr.help || cr.version)
		return 0;
	o->topology = parse_str(&cr, OPT_TOPOLOGY);
	o->expect = parse_str(&cr, OPT_EXPECT);
	o->snapshot = parse_str(&cr, OPT_SNAPSHOT);
	o->from = parse_str(&cr, OPT_FROM);
	o->junit = parse_str(&cr, OPT_JUNIT);
	o->guest = parse_str(&cr, OPT_GUEST);
	v = cli_get(&cr, OPT_SOURCE);
	o->source = v != NULL ? (enum rc_source)v->num : RC_SOURCE_AUTO;
	o->zebra = !cli_has(&cr, OPT_NOZEBRA);
	v = cli_get(&cr, OPT_TIMEOUT);
	o->timeout_ms = v != NULL ? (int)v->num : PARSE_TIMEOUT_MS;
	o->json = cli_has(&cr, OPT_JSON);
	o->quiet = cli_has(&cr, OPT_QUIET);
	/* The arguments point into argv, which outlives o. */
	for (i = 0; i < cr.nargs; i++)
		if (i == 0)
			o->lab = cr.args[0];
		else
			o->routers[o->nrouters++] = cr.args[i];
	return parse_check(o, err, errlen);
}
