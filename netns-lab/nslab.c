/*
 * nslab: build and tear down a routed topology in network namespaces,
 * with real FRRouting in every router.  See nslab(8).  The command line
 * is parser.c's; this file runs the command it names.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"
#include "nsswitch.h"

static bool
is_root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "nslab: needs root (network namespaces, netlink)\n");
	return false;
}

static int
cmd_check(const struct nslab_args *a)
{
	struct topo	*t;
	int		 nwarn;

	if ((t = lab_load(a->args[0])) == NULL)
		return NSLAB_EXIT_INVALID;
	nwarn = lab_warnings(t);
	if (a->verbose)
		topo_print(t, stdout);
	else
		printf("%s: ok (lab %s, %zu members, %zu guests%s)\n",
		    a->args[0], t->name, t->nmembers, t->nguests,
		    nwarn > 0 ? ", warnings above" : "");
	topo_free(t);
	return NSLAB_EXIT_OK;
}

static int
cmd_up(struct nslab_args *a)
{
	static char	plugin[PATH_MAX], hvd[PATH_MAX], agent[PATH_MAX];
	static char	lgrd[PATH_MAX];
	struct up_opts	*o = &a->up;

	if (o->plugin != NULL && access(o->plugin, R_OK) == -1) {
		fprintf(stderr, "nslab: --plugin %s: %s\n", o->plugin,
		    strerror(errno));
		return NSLAB_EXIT_USAGE;
	}
	if (o->plugin == NULL && !a->no_plugin)
		o->plugin = daemons_find("NSLAB_PLUGIN", "routing",
		    "ospfd_lgr.so", plugin, sizeof(plugin));
	if (!a->no_hv)
		o->hvd = daemons_find("NSLAB_HVD", "hypervisor", "hvd", hvd,
		    sizeof(hvd));
	if (!a->no_agents)
		o->agent = daemons_find("NSLAB_AGENT", "guestagent",
		    "guestagentd", agent, sizeof(agent));
	if (o->hvd != NULL)
		o->lgrd = daemons_find("NSLAB_LGRD", "orchestrator", "lgrd",
		    lgrd, sizeof(lgrd));
	if (!is_root())
		return NSLAB_EXIT_FAIL;
	return lab_up(o);
}

static int
cmd_down(const struct nslab_args *a)
{
	if (!is_root())
		return NSLAB_EXIT_FAIL;
	return lab_down(a->args[0], a->verbose);
}

static int
cmd_status(const struct nslab_args *a)
{
	return status_print(a->nargs == 1 ? a->args[0] : NULL, a->json,
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

/* Move into the node's namespace for good (the caller execs). */
static int
enter_node(const char *lab, const char *node)
{
	struct topo	*t;
	char		 ns[128];
	int		 self;

	if ((t = node_lookup(lab, node, ns, sizeof(ns))) == NULL)
		return -1;
	topo_free(t);
	if ((self = nsswitch_enter(ns)) == -1) {
		fprintf(stderr, "nslab: namespace %s: %s\n", ns,
		    strerror(errno));
		return -1;
	}
	close(self);
	return 0;
}

static int
cmd_exec(const struct nslab_args *a)
{
	char	**cmd = a->args + 2;

	if (!is_root() || enter_node(a->args[0], a->args[1]) == -1)
		return NSLAB_EXIT_FAIL;
	execvp(cmd[0], cmd);
	fprintf(stderr, "nslab: %s: %s\n", cmd[0], strerror(errno));
	return 127;
}

static int
cmd_vtysh(const struct nslab_args *a)
{
	char	 dir[512], **av;
	size_t	 i, n = 0;

	if (!is_root() || enter_node(a->args[0], a->args[1]) == -1)
		return NSLAB_EXIT_FAIL;
	labname_nodedir(a->args[0], a->args[1], dir, sizeof(dir));
	if ((av = calloc(2 * a->nvtysh + 6, sizeof(*av))) == NULL)
		return NSLAB_EXIT_FAIL;
	av[n++] = "vtysh";
	av[n++] = "--vty_socket";
	av[n++] = dir;
	av[n++] = "--config_dir";
	av[n++] = dir;
	for (i = 0; i < a->nvtysh; i++) {
		av[n++] = "-c";
		av[n++] = (char *)(uintptr_t)a->vtysh[i];
	}
	av[n] = NULL;
	execvp("vtysh", av);
	fprintf(stderr, "nslab: vtysh: %s\n", strerror(errno));
	free(av);
	return 127;
}

static int
cmd_graph(const struct nslab_args *a)
{
	return graph_cmd(a->args[0], a->svg, a->output);
}

static int
cmd_gen(const struct nslab_args *a)
{
	FILE	*out = stdout;
	int	 rc;

	if (a->output != NULL && (out = fopen(a->output, "w")) == NULL) {
		fprintf(stderr, "nslab: %s: %s\n", a->output, strerror(errno));
		return NSLAB_EXIT_FAIL;
	}
	rc = topo_gen(&a->gen, out);
	if (rc == -1)
		fprintf(stderr, "nslab: gen: %s\n", strerror(errno));
	if (out != stdout && fclose(out) == EOF)
		rc = -1;
	return rc == -1 ? NSLAB_EXIT_FAIL : NSLAB_EXIT_OK;
}

static int
nslab_run(struct nslab_args *a)
{
	switch (a->cmd) {
	case NSLAB_CHECK:
		return cmd_check(a);
	case NSLAB_UP:
		return cmd_up(a);
	case NSLAB_DOWN:
		return cmd_down(a);
	case NSLAB_STATUS:
		return cmd_status(a);
	case NSLAB_EXEC:
		return cmd_exec(a);
	case NSLAB_VTYSH:
		return cmd_vtysh(a);
	case NSLAB_GRAPH:
		return cmd_graph(a);
	case NSLAB_GEN:
		return cmd_gen(a);
	case NSLAB_FAULT:
		return fault_cmd(a->args[0], a->args + 1, a->nargs - 1,
		    a->json, stdout);
	case NSLAB_RESTART:
		return restart_cmd(a->args[0], a->args[1], a->nargs > 2 ?
		    a->args[2] : NULL, a->json, stdout);
	}
	return NSLAB_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static struct nslab_args	a;
	char				err[CLI_ERRLEN];

	log_init("nslab", LOG_TO_STDERR, 0);
	if (parser_parse(argc, argv, &a, err, sizeof(err)) == -1) {
		fprintf(stderr, "nslab: %s\ntry 'nslab --help'\n", err);
		return NSLAB_EXIT_USAGE;
	}
	if (a.help) {
		parser_usage(stdout);
		return NSLAB_EXIT_OK;
	}
	if (a.version) {
		printf("nslab %s\n", LGR_VERSION);
		return NSLAB_EXIT_OK;
	}
	return nslab_run(&a);
}
