/*
 * graph.c: draw a running lab (Graphviz dot, or SVG through dot(1)).
 *
 * Members are clusters holding their HiperSockets LAN and the guests
 * living there, as the hypervisor's directory says (asked of hvd; the
 * network's view when no hvd answers), greyed when DOWN or FENCED;
 * VSWITCH LANs and the ABR are outside; with hosts, each
 * host is an outer box around its members (and the ABR when there).  A HiperSockets
 * NIC is drawn to the bridge it is plugged into, solid when the
 * interface is up and dashed when down, red when it is up on a LAN that
 * is not its network (the disjoint network of the IBM evaluation).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

struct graph_guest {
	struct link_info	*links;
	size_t			 nlinks;
};

/* Where the guests live and how the members are, as drawn. */
struct graph_view {
	int	*res;				/* member of each guest */
	char	(*state)[HVASK_STATE_MAX];	/* of each member, "" unknown */
};

static bool
graph_member_out(const struct graph_view *v, size_t m)
{
	return strcmp(v->state[m], "DOWN") == 0 ||
	    strcmp(v->state[m], "FENCED") == 0;
}

static void
graph_member(const struct topo *t, const struct graph_view *v, size_t m,
    FILE *out)
{
	const int	*res = v->res;
	char		 p[32];

	if (graph_member_out(v, m))
		fprintf(out, "  subgraph cluster_%zu {\n"
		    "    label=\"%s (%s) %s\"; style=\"rounded,filled\"; "
		    "color=gray60; fillcolor=gray90; fontcolor=gray50;\n",
		    m, t->members[m].name, t->members[m].cpc, v->state[m]);
	else
		fprintf(out, "  subgraph cluster_%zu {\n"
		    "    label=\"%s (%s)%s%s\"; style=rounded; color=gray40;\n",
		    m, t->members[m].name, t->members[m].cpc,
		    *v->state[m] ? " " : "", v->state[m]);
	fprintf(out, "    hs%zu [shape=box, style=filled, "
	    "fillcolor=lightyellow, label=\"HiperSockets %s\"];\n", m,
	    topo_prefix_str(&t->members[m].hsi_lan, p, sizeof(p)));
	for (size_t g = 0; g < t->nguests; g++)
		if (res[g] == (int)m)
			fprintf(out, "    \"%s\" [shape=component, "
			    "label=\"%s\\n%s\"];\n", t->guests[g].name,
			    t->guests[g].name, inet_ntop(AF_INET,
			    &t->guests[g].vipa, p, sizeof(p)));
	fprintf(out, "  }\n");
}

/*
 * Members as clusters; with hosts, inside an outer box per host (with
 * the ABR in its host's).
 */
static void
graph_members(const struct topo *t, const struct graph_view *v, FILE *out)
{
	char	a[INET_ADDRSTRLEN];

	if (t->nhosts == 0) {
		for (size_t m = 0; m < t->nmembers; m++)
			graph_member(t, v, m, out);
		return;
	}
	for (size_t h = 0; h < t->nhosts; h++) {
		fprintf(out, "  subgraph cluster_host%zu {\n    label=\"host %s "
		    "(%s)\"; style=dashed; color=gray60;\n", h,
		    t->hosts[h].name, inet_ntop(AF_INET, &t->hosts[h].underlay,
		    a, sizeof(a)));
		for (size_t m = 0; m < t->nmembers; m++)
			if (t->members[m].host == (int)h)
				graph_member(t, v, m, out);
		if (t->abr.host == (int)h)
			fprintf(out, "    \"%s\";\n", t->abr.name);
		fprintf(out, "  }\n");
	}
}

static void
graph_lans(const struct topo *t, FILE *out)
{
	char	p[32];

	for (size_t l = 0; l < t->nlans; l++)
		fprintf(out, "  vs%zu [shape=box, style=filled, "
		    "fillcolor=lightblue, label=\"VSWITCH %s\\n%s\"];\n", l,
		    t->lans[l].name,
		    topo_prefix_str(&t->lans[l].subnet, p, sizeof(p)));
	fprintf(out, "  \"%s\" [shape=doublecircle, label=\"%s\\nABR %s\"];\n",
	    t->abr.name, t->abr.name,
	    inet_ntop(AF_INET, &t->abr.router_id, p, sizeof(p)));
	for (size_t i = 0; i < t->abr.nifs; i++)
		fprintf(out, "  \"%s\" -- vs%d [label=\"%s\"];\n", t->abr.name,
		    t->abr.ifs[i].lan, t->abr.ifs[i].name);
	fprintf(out, "  backbone [shape=plaintext, label=\"area 0\"];\n"
	    "  \"%s\" -- backbone [style=dotted];\n", t->abr.name);
}

/* The member whose bridge holds this host end, or -1. */
static int
graph_plugged(const struct link_info *sw, size_t nsw, int g, int k)
{
	const struct link_info	*h, *br;
	char			 name[32];
	int			 m;

	labname_guest_hostif(g, k, name, sizeof(name));
	if ((h = linkstate_find(sw, nsw, name)) == NULL ||
	    (br = linkstate_by_index(sw, nsw, h->master)) == NULL ||
	    (sscanf(br->name, "hs%d", &m) != 1 &&
	    sscanf(br->name, "hp%d", &m) != 1))
		return -1;
	return m;
}

static void
graph_nics(const struct topo *t, const struct graph_guest *gs,
    const struct link_info *sw, size_t nsw, FILE *out)
{
	char	p[32];

	for (size_t g = 0; g < t->nguests; g++) {
		const struct topo_guest	*gu = &t->guests[g];

		for (size_t k = 0; k < gu->nnics; k++) {
			const struct topo_nic	*nic = &gu->nics[k];
			const struct link_info	*li;
			bool			 up;
			int			 m;

			li = linkstate_find(gs[g].links, gs[g].nlinks,
			    nic->name);
			up = li != NULL && li->up;
			topo_prefix_str(&nic->addr, p, sizeof(p));
			if (nic->kind == TOPO_NIC_VSWITCH) {
				fprintf(out, "  \"%s\" -- vs%d [label=\"%s\", "
				    "style=%s];\n", gu->name, nic->lan,
				    nic->name, up ? "solid" : "dashed");
				continue;
			}
			if ((m = graph_plugged(sw, nsw, (int)g, (int)k)) < 0)
				continue;
			fprintf(out, "  \"%s\" -- hs%d [label=\"%s %s\", "
			    "style=%s%s];\n", gu->name, m, nic->name, p,
			    up ? "solid" : "dashed",
			    up && m != nic->member ? ", color=red, "
			    "fontcolor=red, penwidth=2" : "");
		}
	}
}

/*
 * Residency and member states from the hypervisor's directory (asked of
 * hvd); without a hypervisor answering, residency as the network shows
 * it and no states.  Returns 0 or -1.
 */
int
graph_residency(const struct topo *t, const char *lab, int *res,
    char (*state)[HVASK_STATE_MAX], const char **from)
{
	char	dir[512], why[512];

	labname_labdir(lab, dir, sizeof(dir));
	for (size_t g = 0; g < t->nguests; g++)
		res[g] = t->guests[g].member;
	if (hvask_residency(t, dir, res, why, sizeof(why)) > 0) {
		if (state != NULL && hvask_member_states(t, dir, state, why,
		    sizeof(why)) == -1)
			for (size_t m = 0; m < t->nmembers; m++)
				state[m][0] = '\0';
		*from = "hypervisor";
		return 0;
	}
	if (state != NULL)
		for (size_t m = 0; m < t->nmembers; m++)
			state[m][0] = '\0';
	*from = "network";
	return linkstate_residency(t, lab, res);
}

/* Write the lab's drawing in dot.  Returns 0 or -1 (errno). */
int
graph_write(const struct topo *t, const char *lab, FILE *out)
{
	struct graph_guest	*gs;
	struct graph_view	 v;
	struct link_info	*sw = NULL;
	const char		*from;
	char			 ns[128];
	ssize_t			 nsw;
	int			 rc = -1;

	gs = calloc(t->nguests + 1, sizeof(*gs));
	v.res = calloc(t->nguests + 1, sizeof(*v.res));
	v.state = calloc(t->nmembers + 1, sizeof(*v.state));
	if (gs == NULL || v.res == NULL || v.state == NULL)
		goto out;
	if ((nsw = linkstate_read_switches(t, lab, &sw)) == -1 ||
	    graph_residency(t, lab, v.res, v.state, &from) == -1)
		goto out;
	for (size_t g = 0; g < t->nguests; g++) {
		ssize_t	n;

		lab_node_netns(lab, t->guests[g].name, ns, sizeof(ns));
		if ((n = linkstate_read(ns, &gs[g].links)) == -1)
			goto out;
		gs[g].nlinks = (size_t)n;
	}
	fprintf(out, "graph \"%s\" {\n  label=\"lab %s\"; labelloc=t; "
	    "compound=true; fontname=\"Helvetica\";\n"
	    "  node [fontname=\"Helvetica\"]; edge [fontname=\"Helvetica\", "
	    "fontsize=10];\n  // residency from the %s\n", lab, lab,
	    strcmp(from, "hypervisor") == 0 ? "hypervisor's directory" :
	    "network (no hypervisor answers)");
	graph_members(t, &v, out);
	graph_lans(t, out);
	graph_nics(t, gs, sw, (size_t)nsw, out);
	fprintf(out, "}\n");
	rc = ferror(out) ? -1 : 0;
out:
	if (gs != NULL)
		for (size_t g = 0; g < t->nguests; g++)
			free(gs[g].links);
	free(gs);
	free(v.res);
	free(v.state);
	free(sw);
	return rc;
}

/* Pipe dot text through `dot -Tsvg` into out. */
static int
graph_svg(const struct topo *t, const char *lab, FILE *out)
{
	int	pfd[2], status;
	pid_t	pid;
	FILE	*w;

	fflush(out);
	if (pipe(pfd) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(pfd[0], 0);
		dup2(fileno(out), 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("dot", "dot", "-Tsvg", (char *)NULL);
		fprintf(stderr, "nslab: dot: %s (install graphviz)\n",
		    strerror(errno));
		_exit(127);
	}
	close(pfd[0]);
	if ((w = fdopen(pfd[1], "w")) == NULL)
		return -1;
	graph_write(t, lab, w);
	fclose(w);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

int
graph_cmd(const char *lab, bool svg, const char *output)
{
	struct lab_state	*st;
	struct topo		*t;
	FILE			*out = stdout;
	int			 rc;

	if ((st = state_open(lab)) == NULL) {
		log_warnx("[NSLAB-NOLAB] no lab %s", lab);
		return NSLAB_EXIT_NOLAB;
	}
	t = state_topo(st);
	state_close(st);
	if (t == NULL) {
		log_warnx("lab %s: cannot read its topology", lab);
		return NSLAB_EXIT_FAIL;
	}
	if (output != NULL && (out = fopen(output, "w")) == NULL) {
		log_warn("%s", output);
		topo_free(t);
		return NSLAB_EXIT_FAIL;
	}
	rc = svg ? graph_svg(t, lab, out) : graph_write(t, lab, out);
	if (rc == -1)
		log_warn("drawing lab %s", lab);
	if (out != stdout && fclose(out) == EOF)
		rc = -1;
	topo_free(t);
	return rc == -1 ? NSLAB_EXIT_FAIL : NSLAB_EXIT_OK;
}
