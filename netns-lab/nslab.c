/*
 * nslab: build and tear down a routed topology in network namespaces,
 * with real FRRouting in every router.  See nslab(8).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

typedef int (*cmd_fn)(int argc, char **argv);

struct cmd {
	const char	*name;
	cmd_fn		 fn;
	const char	*synopsis;
};

static int	cmd_check(int, char **);
static int	cmd_up(int, char **);
static int	cmd_down(int, char **);
static int	cmd_status(int, char **);
static int	cmd_exec(int, char **);
static int	cmd_vtysh(int, char **);
static int	cmd_graph(int, char **);
static int	cmd_gen(int, char **);

/* In the order of nslab(8). */
static const struct cmd cmds[] = {
	{ "check",	cmd_check,	"check FILE [-v]" },
	{ "up",		cmd_up,		"up FILE [--name NAME] [--timeout S] "
	    "[--no-wait] [--plugin MODULE | --no-plugin]\n"
	    "                [--no-hv] [--no-agents] [-q]" },
	{ "down",	cmd_down,	"down NAME [-v]" },
	{ "status",	cmd_status,	"status [NAME] [-j]" },
	{ "exec",	cmd_exec,	"exec NAME NODE -- CMD [ARG...]" },
	{ "vtysh",	cmd_vtysh,	"vtysh NAME NODE [-c CMD]..." },
	{ "graph",	cmd_graph,	"graph NAME [--format dot|svg] "
	    "[-o FILE]" },
	{ "gen",	cmd_gen,	"gen --members M --guests N "
	    "[--hsi-fraction F] [--name NAME] [-o FILE]" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *out)
{
	fprintf(out, "usage: nslab [--help] [--version] COMMAND [ARGS]\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "       nslab %s\n", cmds[i].synopsis);
}

static int
usage_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			fprintf(stderr, "usage: nslab %s\n", cmds[i].synopsis);
	return NSLAB_EXIT_USAGE;
}

/* The command an unambiguous prefix names, or NULL (message printed). */
static const struct cmd *
cmd_match(const char *word)
{
	const struct cmd	*found = NULL;
	size_t			 len = strlen(word), hits = 0;

	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(cmds[i].name, word) == 0)
			return &cmds[i];
		if (strncmp(cmds[i].name, word, len) == 0) {
			found = &cmds[i];
			hits++;
		}
	}
	if (hits == 1)
		return found;
	fprintf(stderr, "nslab: %s command \"%s\"; valid commands:",
	    hits ? "ambiguous" : "unknown", word);
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(stderr, " %s", cmds[i].name);
	fputc('\n', stderr);
	return NULL;
}

static bool
is_root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "nslab: needs root (network namespaces, netlink)\n");
	return false;
}

static int
cmd_check(int argc, char **argv)
{
	struct topo	*t;
	int		 verbose = 0, ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "v")) != -1) {
		if (ch != 'v')
			return usage_cmd("check");
		verbose++;
	}
	if (argc - optind != 1)
		return usage_cmd("check");
	if ((t = lab_load(argv[optind])) == NULL)
		return NSLAB_EXIT_INVALID;
	if (verbose)
		topo_print(t, stdout);
	else
		printf("%s: ok (lab %s, %zu members, %zu guests)\n",
		    argv[optind], t->name, t->nmembers, t->nguests);
	topo_free(t);
	return NSLAB_EXIT_OK;
}

/* A lab name as the topology allows it: [A-Za-z0-9_-], not too long. */
static bool
name_ok(const char *name)
{
	size_t	len = strlen(name);

	return len > 0 && len < TOPO_NAME_MAX &&
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == len;
}

static int
cmd_up(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout",	required_argument,	NULL, 't' },
		{ "no-wait",	no_argument,		NULL, 'n' },
		{ "plugin",	required_argument,	NULL, 'p' },
		{ "no-plugin",	no_argument,		NULL, 'P' },
		{ "name",	required_argument,	NULL, 'N' },
		{ "no-hv",	no_argument,		NULL, 'H' },
		{ "no-agents",	no_argument,		NULL, 'A' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ NULL,		0,			NULL, 0 },
	};
	static char	plugin[PATH_MAX], hvd[PATH_MAX], agent[PATH_MAX];
	static char	lgrd[PATH_MAX];
	struct up_opts	o;
	char		*end;
	bool		 no_plugin = false, no_hv = false, no_agents = false;
	int		 ch;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:np:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			o.timeout_s = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || o.timeout_s == 0 ||
			    o.timeout_s > 3600) {
				fprintf(stderr, "nslab: --timeout %s: expected "
				    "seconds (1-3600)\n", optarg);
				return NSLAB_EXIT_USAGE;
			}
			break;
		case 'n':
			o.no_wait = true;
			break;
		case 'p':
			o.plugin = optarg;
			break;
		case 'P':
			no_plugin = true;
			break;
		case 'N':
			if (!name_ok(optarg)) {
				fprintf(stderr, "nslab: --name %s: expected "
				    "1-%d characters of A-Z, a-z, 0-9, _ and "
				    "-\n", optarg, TOPO_NAME_MAX - 1);
				return NSLAB_EXIT_USAGE;
			}
			o.name = optarg;
			break;
		case 'H':
			no_hv = true;
			break;
		case 'A':
			no_agents = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		default:
			return usage_cmd("up");
		}
	}
	if (argc - optind != 1)
		return usage_cmd("up");
	if (o.plugin != NULL && access(o.plugin, R_OK) == -1) {
		fprintf(stderr, "nslab: --plugin %s: %s\n", o.plugin,
		    strerror(errno));
		return NSLAB_EXIT_USAGE;
	}
	if (o.plugin == NULL && !no_plugin)
		o.plugin = daemons_find("NSLAB_PLUGIN", "routing",
		    "ospfd_lgr.so", plugin, sizeof(plugin));
	if (!no_hv)
		o.hvd = daemons_find("NSLAB_HVD", "hypervisor", "hvd", hvd,
		    sizeof(hvd));
	if (!no_agents)
		o.agent = daemons_find("NSLAB_AGENT", "guestagent",
		    "guestagentd", agent, sizeof(agent));
	if (o.hvd != NULL)
		o.lgrd = daemons_find("NSLAB_LGRD", "orchestrator", "lgrd",
		    lgrd, sizeof(lgrd));
	o.file = argv[optind];
	if (!is_root())
		return NSLAB_EXIT_FAIL;
	return lab_up(&o);
}

static int
cmd_down(int argc, char **argv)
{
	int	verbose = 0, ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "v")) != -1) {
		if (ch != 'v')
			return usage_cmd("down");
		verbose++;
	}
	if (argc - optind != 1)
		return usage_cmd("down");
	if (!is_root())
		return NSLAB_EXIT_FAIL;
	return lab_down(argv[optind], verbose > 0);
}

static int
cmd_status(int argc, char **argv)
{
	bool	json = false;
	int	ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "j")) != -1) {
		if (ch != 'j')
			return usage_cmd("status");
		json = true;
	}
	if (argc - optind > 1)
		return usage_cmd("status");
	return status_print(argc - optind == 1 ? argv[optind] : NULL, json,
	    stdout);
}

/* The lab's topology and the node's namespace; prints why not. */
static struct topo *
node_lookup(const char *lab, const char *node, char *ns, size_t len)
{
	struct lab_state	*st;
	struct topo		*t;

	if ((st = state_open(lab)) == NULL) {
		fprintf(stderr, "nslab: no lab %s\n", lab);
		return NULL;
	}
	t = state_topo(st);
	state_close(st);
	if (t == NULL) {
		fprintf(stderr, "nslab: lab %s: cannot read its topology\n",
		    lab);
		return NULL;
	}
	if (strcmp(node, t->abr.name) != 0 && topo_guest_find(t, node) == -1) {
		fprintf(stderr, "nslab: lab %s has no node %s; nodes: %s",
		    lab, node, t->abr.name);
		for (size_t i = 0; i < t->nguests; i++)
			fprintf(stderr, " %s", t->guests[i].name);
		fputc('\n', stderr);
		topo_free(t);
		return NULL;
	}
	lab_node_netns(lab, node, ns, len);
	return t;
}

static int
enter_node(const char *lab, const char *node)
{
	struct topo	*t;
	char		 ns[128];
	int		 fd;

	if ((t = node_lookup(lab, node, ns, sizeof(ns))) == NULL)
		return -1;
	topo_free(t);
	if ((fd = netns_open(ns)) == -1 || netns_enter(fd) == -1) {
		fprintf(stderr, "nslab: namespace %s: %s\n", ns,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int
cmd_exec(int argc, char **argv)
{
	int	first = 3;

	if (argc < 4)
		return usage_cmd("exec");
	if (strcmp(argv[3], "--") == 0)
		first = 4;
	if (first >= argc)
		return usage_cmd("exec");
	if (!is_root() || enter_node(argv[1], argv[2]) == -1)
		return NSLAB_EXIT_FAIL;
	execvp(argv[first], argv + first);
	fprintf(stderr, "nslab: %s: %s\n", argv[first], strerror(errno));
	return 127;
}

static int
cmd_vtysh(int argc, char **argv)
{
	char	 dir[512], **av;
	int	 i, n = 0;

	if (argc < 3)
		return usage_cmd("vtysh");
	if (!is_root() || enter_node(argv[1], argv[2]) == -1)
		return NSLAB_EXIT_FAIL;
	labname_nodedir(argv[1], argv[2], dir, sizeof(dir));
	if ((av = calloc((size_t)argc + 6, sizeof(*av))) == NULL)
		return NSLAB_EXIT_FAIL;
	av[n++] = "vtysh";
	av[n++] = "--vty_socket";
	av[n++] = dir;
	av[n++] = "--config_dir";
	av[n++] = dir;
	for (i = 3; i < argc; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	execvp("vtysh", av);
	fprintf(stderr, "nslab: vtysh: %s\n", strerror(errno));
	free(av);
	return 127;
}

static int
cmd_graph(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ "output",	required_argument,	NULL, 'o' },
		{ NULL,		0,			NULL, 0 },
	};
	const char	*format = "dot", *output = NULL;
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:", longopts, NULL)) != -1) {
		if (ch == 'f')
			format = optarg;
		else if (ch == 'o')
			output = optarg;
		else
			return usage_cmd("graph");
	}
	if (argc - optind != 1)
		return usage_cmd("graph");
	if (strcmp(format, "dot") != 0 && strcmp(format, "svg") != 0) {
		fprintf(stderr, "nslab: --format %s: expected dot or svg\n",
		    format);
		return NSLAB_EXIT_USAGE;
	}
	return graph_cmd(argv[optind], strcmp(format, "svg") == 0, output);
}

static int
parse_uint(const char *opt, const char *arg, unsigned lo, unsigned hi,
    unsigned *v)
{
	char		*end;
	unsigned long	 n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi) {
		fprintf(stderr, "nslab: --%s %s: expected %u-%u\n", opt, arg,
		    lo, hi);
		return -1;
	}
	*v = (unsigned)n;
	return 0;
}

static int
cmd_gen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "members",	  required_argument,	NULL, 'm' },
		{ "guests",	  required_argument,	NULL, 'g' },
		{ "hsi-fraction", required_argument,	NULL, 'f' },
		{ "name",	  required_argument,	NULL, 'N' },
		{ "output",	  required_argument,	NULL, 'o' },
		{ NULL,		  0,			NULL, 0 },
	};
	struct topo_gen_opts	 o = { "gen", 2, 0, 0.5 };
	const char		*output = NULL;
	FILE			*out = stdout;
	char			*end;
	int			 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:g:f:N:o:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'm':
			if (parse_uint("members", optarg, 1, 16,
			    &o.nmembers) == -1)
				return NSLAB_EXIT_USAGE;
			break;
		case 'g':
			if (parse_uint("guests", optarg, 1, 250,
			    &o.nguests) == -1)
				return NSLAB_EXIT_USAGE;
			break;
		case 'f':
			o.hsi_fraction = strtod(optarg, &end);
			if (*end != '\0' || o.hsi_fraction < 0 ||
			    o.hsi_fraction > 1) {
				fprintf(stderr, "nslab: --hsi-fraction %s: "
				    "expected 0.0-1.0\n", optarg);
				return NSLAB_EXIT_USAGE;
			}
			break;
		case 'N':
			o.name = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		default:
			return usage_cmd("gen");
		}
	}
	if (o.nguests == 0 || optind != argc)
		return usage_cmd("gen");
	if (output != NULL && (out = fopen(output, "w")) == NULL) {
		fprintf(stderr, "nslab: %s: %s\n", output, strerror(errno));
		return NSLAB_EXIT_FAIL;
	}
	rc = topo_gen(&o, out);
	if (rc == -1)
		fprintf(stderr, "nslab: gen: %s\n", strerror(errno));
	if (out != stdout && fclose(out) == EOF)
		rc = -1;
	return rc == -1 ? NSLAB_EXIT_FAIL : NSLAB_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const struct cmd	*c;

	log_init("nslab", LOG_TO_STDERR, 0);
	if (argc < 2) {
		usage(stderr);
		return NSLAB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return NSLAB_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("nslab %s\n", LGR_VERSION);
		return NSLAB_EXIT_OK;
	}
	if ((c = cmd_match(argv[1])) == NULL)
		return NSLAB_EXIT_USAGE;
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
	    strcmp(argv[2], "-h") == 0)) {
		printf("usage: nslab %s\n", c->synopsis);
		return NSLAB_EXIT_OK;
	}
	return c->fn(argc - 1, argv + 1);
}
