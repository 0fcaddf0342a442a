/*
 * model.c: lifetime of the model and of diagnostics, look-ups, address
 * helpers and printing back what was understood.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "topo_priv.h"

void
topo_free(struct topo *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ngroups; i++) {
		free(t->groups[i].members);
		free(t->groups[i].member_idx);
		free(t->groups[i].member_pos);
	}
	free(t->groups);
	free(t->guests);
	free(t->abr.ifs);
	free(t->lans);
	free(t->members);
	free(t->hosts);
	free(t->directory.nodes);
	free(t->directory.node_pos);
	free(t->file);
	free(t);
}

void
topo_diags_free(struct topo_diags *d)
{
	size_t	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int
topo_diag_vadd(struct topo_diags *d, const struct topo_pos *pos,
    const char *fmt, va_list ap)
{
	struct topo_diag	*v, *nd;

	if ((v = reallocarray(d->v, d->n + 1, sizeof(*v))) == NULL)
		return -1;
	d->v = v;
	nd = &v[d->n];
	memset(nd, 0, sizeof(*nd));
	if (vasprintf(&nd->msg, fmt, ap) == -1)
		return -1;
	if ((nd->file = strdup(pos->file ? pos->file : "-")) == NULL) {
		free(nd->msg);
		return -1;
	}
	nd->line = pos->line;
	nd->col = pos->col;
	d->n++;
	return 0;
}

int
topo_diag_add(struct topo_diags *d, const struct topo_pos *pos,
    const char *fmt, ...)
{
	va_list	ap;
	int	rv;

	va_start(ap, fmt);
	rv = topo_diag_vadd(d, pos, fmt, ap);
	va_end(ap);
	return rv;
}

static int
diag_before(const struct topo_diag *a, const struct topo_diag *b)
{
	if (a->line != b->line)
		return a->line < b->line;
	return a->col < b->col;
}

/* Stable insertion sort of d->v[first..] into file order. */
void
topo_diags_sort(struct topo_diags *d, size_t first)
{
	struct topo_diag	tmp;
	size_t			i, j;

	for (i = first + 1; i < d->n; i++) {
		tmp = d->v[i];
		for (j = i; j > first && diag_before(&tmp, &d->v[j - 1]); j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = tmp;
	}
}

int
topo_diag_format(const struct topo_diag *d, char *buf, size_t len)
{
	if (d->line == 0)
		return snprintf(buf, len, "%s: %s", d->file, d->msg);
	return snprintf(buf, len, "%s:%u:%u: %s", d->file, d->line, d->col,
	    d->msg);
}

in_addr_t
topo_mask(uint8_t len)
{
	if (len == 0)
		return 0;
	if (len >= 32)
		return 0xffffffffU;
	return htonl(0xffffffffU << (32 - len));
}

/* The host part of addr in a network of that prefix length. */
in_addr_t
topo_host_part(struct in_addr addr, uint8_t len)
{
	return addr.s_addr & ~topo_mask(len);
}

void
topo_timers_default(struct topo_timers *tm)
{
	tm->hello = 10;
	tm->dead = 40;
	tm->hello_multiplier = 0;
	tm->spf_delay = 0;
	tm->spf_hold = 50;
	tm->spf_max_hold = 5000;
	tm->lsa_throttle = 5000;
	tm->lsa_min_arrival = 1000;
	tm->retransmit = 5;
}

const char *
topo_ntoa(struct in_addr a, char *buf, size_t len)
{
	if (inet_ntop(AF_INET, &a, buf, len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

char *
topo_prefix_str(const struct topo_prefix *p, char *buf, size_t len)
{
	char	a[INET_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", topo_ntoa(p->addr, a, sizeof(a)),
	    p->len);
	return buf;
}

bool
topo_prefix_contains(const struct topo_prefix *net, struct in_addr addr)
{
	in_addr_t	m = topo_mask(net->len);

	return (addr.s_addr & m) == (net->addr.s_addr & m);
}

int
topo_member_find(const struct topo *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->nmembers; i++)
		if (strcmp(t->members[i].name, name) == 0)
			return (int)i;
	errno = ENOENT;
	return -1;
}

int
topo_lan_find(const struct topo *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->nlans; i++)
		if (strcmp(t->lans[i].name, name) == 0)
			return (int)i;
	errno = ENOENT;
	return -1;
}

int
topo_guest_find(const struct topo *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->nguests; i++)
		if (strcmp(t->guests[i].name, name) == 0)
			return (int)i;
	errno = ENOENT;
	return -1;
}

int
topo_group_find(const struct topo *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->ngroups; i++)
		if (strcmp(t->groups[i].name, name) == 0)
			return (int)i;
	errno = ENOENT;
	return -1;
}

int
topo_host_find(const struct topo *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->nhosts; i++)
		if (strcmp(t->hosts[i].name, name) == 0)
			return (int)i;
	errno = ENOENT;
	return -1;
}

int
topo_member_host(const struct topo *t, int member)
{
	if (member < 0 || (size_t)member >= t->nmembers)
		return -1;
	return t->members[member].host;
}

bool
topo_guest_has_hsi(const struct topo_guest *g)
{
	size_t	i;

	for (i = 0; i < g->nnics; i++)
		if (g->nics[i].kind == TOPO_NIC_HIPERSOCKETS)
			return true;
	return false;
}

const struct topo_nic *
topo_guest_hsi_for(const struct topo_guest *g, int member)
{
	size_t	i;

	if (member < 0)
		return NULL;
	for (i = 0; i < g->nnics; i++)
		if (g->nics[i].kind == TOPO_NIC_HIPERSOCKETS &&
		    g->nics[i].member == member)
			return &g->nics[i];
	return NULL;
}

static void
memory_print(uint64_t mib, FILE *out)
{
	if (mib >= 1024 && mib % 1024 == 0)
		fprintf(out, "%lluG", (unsigned long long)(mib / 1024));
	else
		fprintf(out, "%lluM", (unsigned long long)mib);
}

static void
area_print(const struct topo_area *a, FILE *out)
{
	const struct topo_timers	*tm = &a->timers;
	char				 id[INET_ADDRSTRLEN];

	fprintf(out, "area %s%s%s default-cost %u\n",
	    topo_ntoa(a->id, id, sizeof(id)), a->stub ? " stub" : "",
	    a->no_summary ? " no-summary" : "", a->default_cost);
	if (!a->proactive_arp)
		fprintf(out, "  no proactive-arp\n");
	if (tm->dead == 1 && tm->hello_multiplier > 0)
		fprintf(out, "  timers dead minimal hello-multiplier %u",
		    tm->hello_multiplier);
	else
		fprintf(out, "  timers hello %u dead %u", tm->hello, tm->dead);
	fprintf(out, " spf %u/%u/%u lsa-throttle %u lsa-min-arrival %u "
	    "retransmit %u\n", tm->spf_delay, tm->spf_hold, tm->spf_max_hold,
	    tm->lsa_throttle, tm->lsa_min_arrival, tm->retransmit);
}

const char *
topo_ha_str(enum topo_ha ha)
{
	return ha == TOPO_HA_RESTART ? "restart" : "manual";
}

const char *
topo_directory_kind_str(enum topo_directory_kind kind)
{
	return kind == TOPO_DIRECTORY_ETCD ? "etcd" : "sqlite";
}

static const char *
host_name(const struct topo *t, int host)
{
	return host >= 0 && (size_t)host < t->nhosts ? t->hosts[host].name :
	    "?";
}

static void
hosts_print(const struct topo *t, FILE *out)
{
	const struct topo_directory	*d = &t->directory;
	char				 a[INET_ADDRSTRLEN];
	size_t				 i;

	if (t->nhosts == 0 && d->kind == TOPO_DIRECTORY_SQLITE &&
	    d->lease_ttl == TOPO_LEASE_TTL_DEFAULT)
		return;			/* as before hosts existed */
	for (i = 0; i < t->nhosts; i++)
		fprintf(out, "host %s underlay %s%s\n", t->hosts[i].name,
		    topo_ntoa(t->hosts[i].underlay, a, sizeof(a)),
		    t->hosts[i].underlay_given ? "" : " (derived)");
	fprintf(out, "directory %s%s", topo_directory_kind_str(d->kind),
	    d->nnodes ? " nodes" : "");
	for (i = 0; i < d->nnodes; i++)
		fprintf(out, " %s", host_name(t, d->nodes[i]));
	fprintf(out, " lease-ttl %u\n", d->lease_ttl);
}

static void
members_print(const struct topo *t, FILE *out)
{
	const struct topo_member	*m;
	char				 p[32];
	size_t				 i;

	for (i = 0; i < t->nmembers; i++) {
		m = &t->members[i];
		fprintf(out, "member %s cpc %s hipersockets %s memory ",
		    m->name, m->cpc, topo_prefix_str(&m->hsi_lan, p,
		    sizeof(p)));
		memory_print(m->memory_mib, out);
		if (m->host >= 0)
			fprintf(out, " host %s", host_name(t, m->host));
		fputc('\n', out);
	}
	for (i = 0; i < t->nlans; i++)
		fprintf(out, "lan %s subnet %s\n", t->lans[i].name,
		    topo_prefix_str(&t->lans[i].subnet, p, sizeof(p)));
}

static void
abr_print(const struct topo *t, FILE *out)
{
	const struct topo_abr		*a = &t->abr;
	const struct topo_abr_if	*ai;
	char				 p[32], id[INET_ADDRSTRLEN];
	size_t				 i;

	fprintf(out, "abr %s router-id %s", a->name,
	    topo_ntoa(a->router_id, id, sizeof(id)));
	if (a->host >= 0)
		fprintf(out, " host %s", host_name(t, a->host));
	fputc('\n', out);
	for (i = 0; i < a->nifs; i++) {
		ai = &a->ifs[i];
		fprintf(out, "  %s lan %s address %s cost %u priority %u\n",
		    ai->name, ai->lan >= 0 ? t->lans[ai->lan].name : "?",
		    topo_prefix_str(&ai->addr, p, sizeof(p)), ai->cost,
		    ai->priority);
	}
	fprintf(out, "  %s backbone address %s area 0.0.0.0\n", a->backbone_if,
	    topo_prefix_str(&a->backbone, p, sizeof(p)));
}

static void
groups_print(const struct topo *t, FILE *out)
{
	const struct topo_group	*gr;
	size_t			 i, j;

	for (i = 0; i < t->ngroups; i++) {
		gr = &t->groups[i];
		fprintf(out, "group %s pattern %s members", gr->name,
		    gr->pattern);
		for (j = 0; j < gr->nmembers; j++)
			fprintf(out, " %s", gr->members[j]);
		fprintf(out, "%s\n", gr->ha == TOPO_HA_RESTART ?
		    " ha restart" : "");
		for (j = 0; j < gr->nmembers; j++)
			if (gr->member_idx[j] < 0)
				fprintf(out, "  note: member %s is not in "
				    "this lab\n", gr->members[j]);
	}
}

static void
nic_print(const struct topo *t, const struct topo_guest *g,
    const struct topo_nic *n, FILE *out)
{
	char	p[32];

	if (n->kind == TOPO_NIC_VSWITCH)
		fprintf(out, "  %s vswitch lan %s", n->name,
		    n->lan >= 0 ? t->lans[n->lan].name : "?");
	else
		fprintf(out, "  %s hipersockets member %s", n->name,
		    n->member >= 0 ? t->members[n->member].name : "?");
	fprintf(out, " address %s cost %u priority %u",
	    topo_prefix_str(&n->addr, p, sizeof(p)), n->cost, n->priority);
	if (n->kind == TOPO_NIC_HIPERSOCKETS)
		fprintf(out, " %s", n->member == g->member ? "up" : "down");
	fputc('\n', out);
}

static void
guests_print(const struct topo *t, FILE *out)
{
	const struct topo_guest	*g;
	char			 v[INET_ADDRSTRLEN];
	size_t			 i, j;

	for (i = 0; i < t->nguests; i++) {
		g = &t->guests[i];
		fprintf(out, "guest %s group %s member %s memory ", g->name,
		    g->group >= 0 ? t->groups[g->group].name : "?",
		    g->member >= 0 ? t->members[g->member].name : "?");
		memory_print(g->memory_mib, out);
		fprintf(out, "%s%s\n", topo_guest_has_hsi(g) ?
		    " hipersockets" : "", g->ha == TOPO_HA_RESTART ?
		    " ha restart" : "");
		fprintf(out, "  %s vipa %s/32 cost %u priority 0\n",
		    TOPO_VIPA_IF, topo_ntoa(g->vipa, v, sizeof(v)),
		    g->vipa_cost);
		for (j = 0; j < g->nnics; j++)
			nic_print(t, g, &g->nics[j], out);
	}
}

void
topo_print(const struct topo *t, FILE *out)
{
	fprintf(out, "lab %s (%s)\n", t->name, t->file ? t->file : "-");
	area_print(&t->area, out);
	hosts_print(t, out);
	members_print(t, out);
	abr_print(t, out);
	groups_print(t, out);
	guests_print(t, out);
}
