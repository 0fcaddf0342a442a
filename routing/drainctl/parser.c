/*
 * parser.c: drainctl's command line -> one request, on the common front
 * end (cli.h): a table of commands matched by unambiguous prefixes, the
 * global options before or after the command.  The interface names are
 * checked here: the kernel's limits, each name once.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "drainctl.h"

#define IFNAME_MAX	15	/* IFNAMSIZ - 1 */

enum {
	OPT_JSON = 1,
	OPT_FOLLOW,
	OPT_SOCKDIR,
	OPT_LAB,
	OPT_ROUTER,
	OPT_ROLE,
	OPT_KEY,
	OPT_TIMEOUT,
};

static const struct cli_option parse_options[] = {
	{ OPT_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_FOLLOW, 'f', "follow", CLI_FLAG, NULL, 0, 0, NULL },
	{ OPT_SOCKDIR, 's', "socket-dir", CLI_STR, "DIR", 0, 0, NULL },
	{ OPT_LAB, 0, "lab", CLI_NAME, "LAB", 0, 0, NULL },
	{ OPT_ROUTER, 0, "router", CLI_NAME, "NODE", 0, 0, NULL },
	{ OPT_ROLE, 'r', "role", CLI_NAME, "ROLE", 0, 0, NULL },
	{ OPT_KEY, 'k', "key", CLI_STR, "FILE", 0, 0, NULL },
	{ OPT_TIMEOUT, 't', "timeout", CLI_U64, "MS", 1, 600000, NULL },
	{ 0 },
};
static const int parse_global[] = { OPT_JSON, OPT_SOCKDIR, OPT_LAB,
    OPT_ROUTER, OPT_ROLE, OPT_KEY, OPT_TIMEOUT, 0 };
static const int parse_events_options[] = { OPT_FOLLOW, 0 };

#define PARSE_IFNAMES	"IFNAME [IFNAME ...]"

static const struct cli_command parse_commands[] = {
	{ { "drain" }, LGR_DRAIN, 1, LGR_MAX_ARGS, PARSE_IFNAMES, NULL },
	{ { "undrain" }, LGR_UNDRAIN, 1, LGR_MAX_ARGS, PARSE_IFNAMES, NULL },
	{ { "state" }, LGR_STATE, 0, 0, NULL, NULL },
	{ { "routes" }, LGR_ROUTES, 0, 0, NULL, NULL },
	{ { "lsdb" }, LGR_LSDB, 0, 0, NULL, NULL },
	{ { "events" }, LGR_EVENTS, 0, 0, NULL, parse_events_options },
};

const struct cli_spec parse_spec = CLI_SPEC("drainctl",
    "[-j] [-s DIR | --lab LAB --router NODE] [-r ROLE | "
    "-k FILE] [-t MS] command [argument ...]",
    parse_options, parse_global, parse_commands);

static int
parse_ifname_ok(const char *w)
{
	size_t	n = strlen(w);

	if (n == 0 || n > IFNAME_MAX || w[0] == '-')
		return 0;
	for (; *w != '\0'; w++)
		if (*w == '/' || *w == ':' || isspace((unsigned char)*w))
			return 0;
	return 1;
}

/* The interface names of drain and undrain: valid, each once. */
static int
parse_ifnames(struct parse_result *res, const struct cli_result *cr,
    char *err, size_t errlen)
{
	const char	*ctx = cr->cmd->words[0];
	int		 i, j;

	for (i = 0; i < cr->nargs; i++) {
		if (!parse_ifname_ok(cr->args[i])) {
			snprintf(err, errlen, "%s: interface name \"%s\" is "
			    "not valid (1-%d characters, no '/', ':' or "
			    "spaces)", ctx, cr->args[i], IFNAME_MAX);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(cr->args[j], cr->args[i]) == 0) {
				snprintf(err, errlen, "%s: interface \"%s\" is "
				    "given twice", ctx, cr->args[i]);
				return -1;
			}
		res->ifs[res->nifs++] = cr->args[i];
	}
	return 0;
}

static const char *
parse_str(const struct cli_result *cr, int id, const char *dflt)
{
	const struct cli_value	*v = cli_get(cr, id);

	return v != NULL ? v->str : dflt;
}

int
parse(int argc, char **argv, struct parse_result *res, char *err,
    size_t errlen)
{
	struct cli_result	 cr;
	const struct cli_value	*v;

	memset(res, 0, sizeof(*res));
	if (cli_parse(&parse_spec, argc, argv, &cr, err, errlen) == -1)
		return -1;
	res->help = cr.help;
	res->version = cr.version;
	if (cr.help || cr.version)
		return 0;
	res->action = cr.cmd->id;
	res->json = cli_has(&cr, OPT_JSON);
	res->follow = cli_has(&cr, OPT_FOLLOW);
	res->sockdir = parse_str(&cr, OPT_SOCKDIR, NULL);
	res->lab = parse_str(&cr, OPT_LAB, NULL);
	res->router = parse_str(&cr, OPT_ROUTER, NULL);
	res->role = parse_str(&cr, OPT_ROLE, "operator");
	res->keyfile = parse_str(&cr, OPT_KEY, NULL);
	v = cli_get(&cr, OPT_TIMEOUT);
	res->timeout_ms = v != NULL ? (int)v->num : PARSE_TIMEOUT_MS;
	return parse_ifnames(res, &cr, err, errlen);
}
