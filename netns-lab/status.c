/*
 * status.c: `nslab status`: the labs on this machine, or one lab's
 * routers with their processes, interfaces and OSPF state, and what is
 * down (the lab's daemons dead or stopped, hosts cut from the underlay).  A table of
 * formatters keeps JSON out of the collection loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

struct node_status {
	const char	*node;
	const char	*kind;		/* "abr" or "guest" */
	const char	*member;	/* "" for the ABR */
	int		 zebra_pid, ospfd_pid;
	bool		 zebra_up, ospfd_up;
	char		 ifs_up[128];	/* "dummy0 trk1 trk2 hsi0" */
	int		 full, nbrs, routes;
};

#define STATUS_DOWN_MAX	64
#define STATUS_DOWN_LEN	96

/* What is down: dead or stopped daemons, hosts cut from the underlay. */
struct status_down {
	char	v[STATUS_DOWN_MAX][STATUS_DOWN_LEN];
	size_t	n;
};

struct status_fmt {
	void	(*lab_start)(FILE *, const char *lab, const struct topo *,
		    const char *from);
	void	(*node)(FILE *, const struct node_status *, bool first);
	void	(*lab_end)(FILE *, const struct status_down *);
};

static void
txt_lab_start(FILE *out, const char *lab, const struct topo *t,
    const char *from)
{
	char	dir[512];

	fprintf(out, "lab %s: %zu members, %zu guests, state %s, residency "
	    "from the %s\n", lab, t->nmembers, t->nguests,
	    labname_labdir(lab, dir, sizeof(dir)), from);
	fprintf(out, "%-12s %-5s %-6s %-13s %-13s %-5s %-5s %-6s %s\n", "NODE",
	    "KIND", "MEMBER", "ZEBRA", "OSPFD", "FULL", "NBRS", "ROUTES",
	    "INTERFACES UP");
}

static void
txt_node(FILE *out, const struct node_status *s, bool first)
{
	char	z[24], o[24];

	(void)first;
	snprintf(z, sizeof(z), "%d/%s", s->zebra_pid, s->zebra_up ? "up" :
	    "DEAD");
	snprintf(o, sizeof(o), "%d/%s", s->ospfd_pid, s->ospfd_up ? "up" :
	    "DEAD");
	fprintf(out, "%-12s %-5s %-6s %-13s %-13s %-5d %-5d %-6d %s\n",
	    s->node, s->kind, *s->member ? s->member : "-", z, o, s->full,
	    s->nbrs, s->routes, s->ifs_up);
}

static void
txt_lab_end(FILE *out, const struct status_down *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(out, "%s%s%s", i ? ", " : "down: ", d->v[i],
		    i + 1 == d->n ? "\n" : "");
}

static void
json_lab_start(FILE *out, const char *lab, const struct topo *t,
    const char *from)
{
	fprintf(out, "{\"lab\":\"%s\",\"members\":%zu,\"guests\":%zu,"
	    "\"residency_from\":\"%s\",\"nodes\":[", lab, t->nmembers,
	    t->nguests, from);
}

static void
json_node(FILE *out, const struct node_status *s, bool first)
{
	fprintf(out, "%s{\"node\":\"%s\",\"kind\":\"%s\",\"member\":%s%s%s,"
	    "\"zebra\":{\"pid\":%d,\"running\":%s},"
	    "\"ospfd\":{\"pid\":%d,\"running\":%s},"
	    "\"neighbors_full\":%d,\"neighbors\":%d,\"routes\":%d,"
	    "\"interfaces_up\":\"%s\"}", first ? "" : ",", s->node, s->kind,
	    *s->member ? "\"" : "", *s->member ? s->member : "null",
	    *s->member ? "\"" : "", s->zebra_pid,
	    s->zebra_up ? "true" : "false", s->ospfd_pid,
	    s->ospfd_up ? "true" : "false", s->full, s->nbrs, s->routes,
	    s->ifs_up);
}

static void
json_lab_end(FILE *out, const struct status_down *d)
{
	fprintf(out, "],\"down\":[");
	for (size_t i = 0; i < d->n; i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", d->v[i]);
	fprintf(out, "]}\n");
}

static void
status_down_add(struct status_down *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
status_down_add(struct status_down *d, const char *fmt, ...)
{
	va_list	ap;

	if (d->n == STATUS_DOWN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(d->v[d->n++], STATUS_DOWN_LEN, fmt, ap);
	va_end(ap);
}

/* The lab's own daemons (the last of each node and kind) and hosts. */
static void
status_down(const struct topo *t, const char *lab, const struct lab_proc *p,
    size_t np, struct status_down *d)
{
	static const char *const kinds[] = { "hvd", "etcd", "guestagentd",
	    "lgrd" };
	struct link_info	*links;
	const struct link_info	*ul;
	char			 ns[128];
	ssize_t			 n;

	for (size_t i = 0; i < np; i++) {
		bool	later = false, ours = false;

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			ours |= strcmp(p[i].what, kinds[k]) == 0;
		for (size_t j = i + 1; j < np; j++)
			later |= strcmp(p[j].node, p[i].node) == 0 &&
			    strcmp(p[j].what, p[i].what) == 0;
		if (!ours || later)
			continue;
		if (proc_stopped(p[i].pid, p[i].start))
			status_down_add(d, "%s of %s stopped", p[i].what,
			    p[i].node);
		else if (!proc_alive(p[i].pid, p[i].start))
			status_down_add(d, "%s of %s dead", p[i].what,
			    p[i].node);
	}
	for (size_t h = 0; h < t->nhosts; h++) {
		labname_host_netns(lab, t->hosts[h].name, ns, sizeof(ns));
		if ((n = linkstate_read(ns, &links)) == -1)
			continue;
		if ((ul = linkstate_find(links, (size_t)n,
		    LABNAME_UNDERLAY_IF)) != NULL && !ul->up)
			status_down_add(d, "host %s cut from the underlay",
			    t->hosts[h].name);
		free(links);
	}
}

static const struct status_fmt status_txt = {
	txt_lab_start, txt_node, txt_lab_end
};
static const struct status_fmt status_json = {
	json_lab_start, json_node, json_lab_end
};

static void
status_procs(const struct lab_proc *p, size_t np, struct node_status *s)
{
	for (size_t i = 0; i < np; i++) {
		if (strcmp(p[i].node, s->node) != 0)
			continue;
		if (strcmp(p[i].what, "zebra") == 0) {
			s->zebra_pid = p[i].pid;
			s->zebra_up = proc_alive(p[i].pid, p[i].start);
		} else if (strcmp(p[i].what, "ospfd") == 0) {
			s->ospfd_pid = p[i].pid;
			s->ospfd_up = proc_alive(p[i].pid, p[i].start);
		}
	}
}

static void
status_ifs(const char *lab, struct node_status *s)
{
	struct link_info	*li;
	char			 ns[128];
	ssize_t			 n;
	size_t			 len = 0;

	lab_node_netns(lab, s->node, ns, sizeof(ns));
	if ((n = linkstate_read(ns, &li)) == -1) {
		snprintf(s->ifs_up, sizeof(s->ifs_up), "(no namespace)");
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (!li[i].up || strcmp(li[i].name, "lo") == 0 ||
		    li[i].name[strlen(li[i].name) - 1] == 'p')
			continue;
		len += (size_t)snprintf(s->ifs_up + len, sizeof(s->ifs_up) - len,
		    "%s%s", len ? " " : "", li[i].name);
		if (len >= sizeof(s->ifs_up))
			break;
	}
	free(li);
}

static void
status_ospf(const char *lab, struct node_status *s)
{
	struct vty_conn	*v;
	json_object	*nj, *rj, *nbrs;
	char		 path[600];

	labname_nodedir(lab, s->node, path, sizeof(path));
	strncat(path, "/ospfd.vty", sizeof(path) - strlen(path) - 1);
	s->full = s->nbrs = s->routes = -1;
	if ((v = vty_open(path)) == NULL)
		return;
	nj = vty_json(v, "show ip ospf neighbor json");
	rj = vty_json(v, "show ip ospf route json");
	vty_close(v);
	if (nj != NULL && json_object_object_get_ex(nj, "neighbors", &nbrs)) {
		s->full = s->nbrs = 0;
		json_object_object_foreach(nbrs, id, list) {
			(void)id;
			for (size_t i = 0; i < json_object_array_length(list);
			    i++) {
				json_object	*st, *nb;

				nb = json_object_array_get_idx(list, i);
				s->nbrs++;
				if (json_object_object_get_ex(nb, "nbrState",
				    &st) && strncmp(json_object_get_string(st),
				    "Full", 4) == 0)
					s->full++;
			}
		}
	}
	if (rj != NULL)
		s->routes = json_object_object_length(rj);
	json_object_put(nj);
	json_object_put(rj);
}

static int
status_lab(const char *lab, const struct status_fmt *f, FILE *out)
{
	struct lab_state	*st;
	struct topo		*t;
	struct lab_proc		*p = NULL;
	struct status_down	*down;
	size_t			 np = 0;
	int			*res;
	const char		*from = "topology";

	if ((st = state_open(lab)) == NULL) {
		log_warnx("[NSLAB-NOLAB] no lab %s", lab);
		return NSLAB_EXIT_NOLAB;
	}
	t = state_topo(st);
	state_procs(st, &p, &np);
	state_close(st);
	if (t == NULL || (res = calloc(t->nguests + 1, sizeof(int))) == NULL) {
		log_warnx("lab %s: cannot read its topology", lab);
		topo_free(t);
		free(p);
		return NSLAB_EXIT_FAIL;
	}
	if (graph_residency(t, lab, res, NULL, &from) == -1)
		for (size_t g = 0; g < t->nguests; g++)
			res[g] = t->guests[g].member;
	f->lab_start(out, lab, t, from);
	for (size_t i = 0; i <= t->nguests; i++) {
		struct node_status	s;

		memset(&s, 0, sizeof(s));
		s.node = i == 0 ? t->abr.name : t->guests[i - 1].name;
		s.kind = i == 0 ? "abr" : "guest";
		s.member = i == 0 ? "" : t->members[res[i - 1]].name;
		status_procs(p, np, &s);
		status_ifs(lab, &s);
		status_ospf(lab, &s);
		f->node(out, &s, i == 0);
	}
	if ((down = calloc(1, sizeof(*down))) != NULL)
		status_down(t, lab, p, np, down);
	f->lab_end(out, down != NULL ? down : &(struct status_down){ .n = 0 });
	free(down);
	free(res);
	free(p);
	topo_free(t);
	return NSLAB_EXIT_OK;
}

static int
status_all(bool json, FILE *out)
{
	char	**names;
	size_t	  n;

	if (state_labs(&names, &n) == -1) {
		log_warn("%s", labname_rundir());
		return NSLAB_EXIT_FAIL;
	}
	if (json)
		fprintf(out, "[");
	else if (n == 0)
		fprintf(out, "no labs\n");
	for (size_t i = 0; i < n; i++) {
		if (json)
			fprintf(out, "%s\"%s\"", i ? "," : "", names[i]);
		else
			fprintf(out, "%s\n", names[i]);
		free(names[i]);
	}
	if (json)
		fprintf(out, "]\n");
	free(names);
	return NSLAB_EXIT_OK;
}

int
status_print(const char *lab, bool json, FILE *out)
{
	if (lab == NULL)
		return status_all(json, out);
	return status_lab(lab, json ? &status_json : &status_txt, out);
}
