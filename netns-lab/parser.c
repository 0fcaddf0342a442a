/*
 * parser.c: nslab's command line (nslab(8)) on the common front end
 * (cli.h): the commands in the order of the manual, their options, and
 * the checks the option table cannot express.  Errors come back as text
 * (parser_test.c asserts them); nothing here prints or exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nslab.h"

enum {
	O_VERBOSE = 1, O_JSON, O_QUIET, O_TIMEOUT, O_NOWAIT, O_PLUGIN,
	O_NOPLUGIN, O_NAME, O_NOHV, O_NOAGENTS, O_COMMAND, O_FORMAT,
	O_OUTPUT, O_MEMBERS, O_GUESTS, O_HSI, O_HOST,
};

static const char *const parser_formats[] = { "dot", "svg", NULL };

static const struct cli_option parser_options[] = {
	{ O_VERBOSE, 'v', "verbose", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_QUIET, 'q', "quiet", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_TIMEOUT, 't', "timeout", CLI_U64, "S", 1, 3600, NULL },
	{ O_NOWAIT, 'n', "no-wait", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_PLUGIN, 'p', "plugin", CLI_STR, "MODULE", 0, 0, NULL },
	{ O_NOPLUGIN, 0, "no-plugin", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_NAME, 0, "name", CLI_NAME, "NAME", 0, 0, NULL },
	{ O_NOHV, 0, "no-hv", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_NOAGENTS, 0, "no-agents", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_COMMAND, 'c', "command", CLI_STR, "CMD", 0, 0, NULL },
	{ O_FORMAT, 'f', "format", CLI_CHOICE, "FORMAT", 0, 0,
	    parser_formats },
	{ O_OUTPUT, 'o', "output", CLI_STR, "FILE", 0, 0, NULL },
	{ O_MEMBERS, 'm', "members", CLI_U64, "M", 1, 16, NULL },
	{ O_GUESTS, 'g', "guests", CLI_U64, "N", 1, 250, NULL },
	{ O_HSI, 0, "hsi-fraction", CLI_STR, "F", 0, 0, NULL },
	{ O_HOST, 0, "host", CLI_NAME, "NAME", 0, 0, NULL },
	{ 0 },
};

static const int parser_verbose[] = { O_VERBOSE, 0 };
static const int parser_up[] = { O_NAME, O_TIMEOUT, O_NOWAIT, O_PLUGIN,
    O_NOPLUGIN, O_NOHV, O_NOAGENTS, O_QUIET, O_HOST, 0 };
static const int parser_status[] = { O_JSON, 0 };
static const int parser_vtysh[] = { O_COMMAND, 0 };
static const int parser_graph[] = { O_FORMAT, O_OUTPUT, 0 };
static const int parser_gen[] = { O_MEMBERS, O_GUESTS, O_HSI, O_NAME,
    O_OUTPUT, 0 };

/* In the order of nslab(8). */
static const struct cli_command parser_commands[] = {
	{ { "check" }, NSLAB_CHECK, 1, 1, "FILE", parser_verbose },
	{ { "up" }, NSLAB_UP, 1, 1, "FILE", parser_up },
	{ { "down" }, NSLAB_DOWN, 1, 1, "NAME", parser_verbose },
	{ { "status" }, NSLAB_STATUS, 0, 1, "[NAME]", parser_status },
	{ { "exec" }, NSLAB_EXEC, 3, CLI_ARGS, "NAME NODE CMD [ARG ...]",
	    NULL },
	{ { "vtysh" }, NSLAB_VTYSH, 2, 2, "NAME NODE", parser_vtysh },
	{ { "graph" }, NSLAB_GRAPH, 1, 1, "NAME", parser_graph },
	{ { "gen" }, NSLAB_GEN, 0, 0, "", parser_gen },
	{ { "fault" }, NSLAB_FAULT, 3, 5, "NAME FAULT TARGET [IF down|up]",
	    parser_status },
	{ { "restart" }, NSLAB_RESTART, 2, 3, "NAME DAEMON [NAME]",
	    parser_status },
};

static const struct cli_spec parser_spec = {
	.prog = "nslab",
	.synopsis = "[--help] [--version] command [argument ...]",
	.options = parser_options,
	.commands = parser_commands,
	.ncommands = sizeof(parser_commands) / sizeof(parser_commands[0]),
};

static const char *
parser_str(const struct cli_result *res, int id, const char *dflt)
{
	const struct cli_value	*v = cli_get(res, id);

	return v != NULL ? v->str : dflt;
}

static uint64_t
parser_num(const struct cli_result *res, int id, uint64_t dflt)
{
	const struct cli_value	*v = cli_get(res, id);

	return v != NULL ? v->num : dflt;
}

static void
parser_up_opts(const struct cli_result *res, struct nslab_args *a)
{
	a->up.file = res->args[0];
	a->up.timeout_s = (unsigned)parser_num(res, O_TIMEOUT, 0);
	a->up.no_wait = cli_has(res, O_NOWAIT);
	a->up.quiet = cli_has(res, O_QUIET);
	a->up.plugin = parser_str(res, O_PLUGIN, NULL);
	a->up.name = parser_str(res, O_NAME, NULL);
	a->up.host_name = parser_str(res, O_HOST, NULL);
	a->up.host = -1;
	a->no_plugin = cli_has(res, O_NOPLUGIN);
	a->no_hv = cli_has(res, O_NOHV);
	a->no_agents = cli_has(res, O_NOAGENTS);
}

static int
parser_gen_opts(const struct cli_result *res, struct nslab_args *a,
    char *err, size_t errlen)
{
	const char	*hsi = parser_str(res, O_HSI, NULL);
	char		*end;

	if (!cli_has(res, O_GUESTS)) {
		snprintf(err, errlen, "gen: missing option --guests N");
		return -1;
	}
	a->gen.name = parser_str(res, O_NAME, "gen");
	a->gen.nmembers = (unsigned)parser_num(res, O_MEMBERS, 2);
	a->gen.nguests = (unsigned)parser_num(res, O_GUESTS, 0);
	a->gen.hsi_fraction = 0.5;
	if (hsi == NULL)
		return 0;
	errno = 0;
	a->gen.hsi_fraction = strtod(hsi, &end);
	if (hsi[0] == '\0' || *end != '\0' || errno != 0 ||
	    !(a->gen.hsi_fraction >= 0 && a->gen.hsi_fraction <= 1)) {
		snprintf(err, errlen, "--hsi-fraction \"%s\": expected a "
		    "number (0.0-1.0)", hsi);
		return -1;
	}
	return 0;
}

/* The values of the options, by command. */
static int
parser_fill(const struct cli_result *res, struct nslab_args *a, char *err,
    size_t errlen)
{
	int	i;

	a->verbose = cli_has(res, O_VERBOSE);
	a->json = cli_has(res, O_JSON);
	a->output = parser_str(res, O_OUTPUT, NULL);
	a->svg = parser_num(res, O_FORMAT, 0) == 1;
	for (i = 0; i < res->nvalues; i++)
		if (res->values[i].id == O_COMMAND)
			a->vtysh[a->nvtysh++] = res->values[i].str;
	a->args = a->res.args;
	a->nargs = res->nargs;
	switch (a->cmd) {
	case NSLAB_UP:
		parser_up_opts(res, a);
		return 0;
	case NSLAB_GEN:
		return parser_gen_opts(res, a, err, errlen);
	default:
		return 0;
	}
}

/*
 * exec runs everything after NAME NODE, options included, with or
 * without "--" between: argv with the "--" put in when missing, in
 * a->argv.  Returns the new argc (argc when argv is not exec's).
 */
static int
parser_exec_argv(int argc, char **argv, struct nslab_args *a)
{
	size_t	len;
	int	i, cmd, n = 0;

	for (cmd = 1; cmd < argc && argv[cmd][0] == '-'; cmd++)
		;
	len = cmd < argc ? strlen(argv[cmd]) : 0;
	if (len == 0 || strncmp(argv[cmd], "exec", len) != 0 ||
	    cmd + 3 >= argc || strcmp(argv[cmd + 3], "--") == 0 ||
	    argc + 1 >= (int)(sizeof(a->argv) / sizeof(a->argv[0])))
		return argc;
	for (i = 0; i < argc; i++) {
		if (i == cmd + 3)
			a->argv[n++] = "--";
		a->argv[n++] = argv[i];
	}
	a->argv[n] = NULL;
	return n;
}

int
parser_parse(int argc, char **argv, struct nslab_args *a, char *err,
    size_t errlen)
{
	int	n;

	memset(a, 0, sizeof(*a));
	if ((n = parser_exec_argv(argc, argv, a)) != argc)
		argv = a->argv;
	if (cli_parse(&parser_spec, n, argv, &a->res, err, errlen) == -1)
		return -1;
	a->help = a->res.help;
	a->version = a->res.version;
	if (a->help || a->version)
		return 0;
	a->cmd = a->res.cmd->id;
	return parser_fill(&a->res, a, err, errlen);
}

void
parser_usage(FILE *f)
{
	cli_usage(&parser_spec, f);
}
