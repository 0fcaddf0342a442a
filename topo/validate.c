/*
 * validate.c: semantic checks of a topology model.
 *
 * Every check reports at the position of the offending field and goes
 * on, so that one run shows every error.  Fields the parser already
 * rejected (pos.invalid) and references it could not resolve (index -1)
 * are skipped: they have been reported once.
 */
#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "topo_priv.h"

#define VAL_TEXT_MAX	160

struct validator {
	const struct topo	*t;
	struct topo_diags	*diags;
	int			 nerr;
};

/* An address or router id with its owner, for the clash checks. */
struct val_addr {
	struct in_addr		 addr;
	const char		*kind;		/* "guest", "abr" */
	const char		*owner;
	const char		*what;		/* "trk1", "vipa", "router id" */
	const struct topo_pos	*pos;
	bool			 vipa;
};

/* A LAN's network, for the overlap check. */
struct val_net {
	struct topo_prefix	 net;
	const char		*desc;		/* "VSWITCH LAN" */
	const char		*name;
	const char		*ctx;		/* "lan", "member" */
	const char		*field;		/* "subnet", "hipersockets" */
	const struct topo_pos	*pos;
};

static void
val_error(struct validator *v, const struct topo_pos *pos, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
val_error(struct validator *v, const struct topo_pos *pos, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	topo_diag_vadd(v->diags, pos, fmt, ap);
	va_end(ap);
	v->nerr++;
}

static bool
pos_after(const struct topo_pos *a, const struct topo_pos *b)
{
	if (a->line != b->line)
		return a->line > b->line;
	return a->col > b->col;
}

static void
val_range(struct validator *v, const struct topo_pos *pos, const char *ctx,
    const char *field, unsigned val, unsigned min, unsigned max)
{
	if (pos->invalid || (val >= min && val <= max))
		return;
	val_error(v, pos, "%s: %s %u is out of range (%u-%u)", ctx, field, val,
	    min, max);
}

/* Names: [A-Za-z0-9_-], not empty, shorter than size. */
static void
val_name(struct validator *v, const struct topo_pos *pos, const char *ctx,
    const char *field, const char *name, size_t size)
{
	size_t	len = strnlen(name, size);

	if (pos->invalid)
		return;
	if (len == 0)
		val_error(v, pos, "%s: %s must not be empty", ctx, field);
	else if (len >= size)
		val_error(v, pos, "%s: %s is too long (at most %zu "
		    "characters)", ctx, field, size - 1);
	else if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") != len)
		val_error(v, pos, "%s: %s '%s' may only contain A-Z, a-z, "
		    "0-9, _ and -", ctx, field, name);
}

static void
val_memory(struct validator *v, const struct topo_pos *pos, const char *ctx,
    uint64_t mib)
{
	if (!pos->invalid && mib == 0)
		val_error(v, pos, "%s: memory must be more than 0M", ctx);
}

/* A LAN's network: no host bits, a length a LAN can have. */
static void
val_network(struct validator *v, const struct topo_pos *pos, const char *ctx,
    const char *field, const struct topo_prefix *p)
{
	struct topo_prefix	net = *p;
	char			s[32], n[32];

	if (pos->invalid)
		return;
	if (p->len < 8 || p->len > 30) {
		val_error(v, pos, "%s: %s %s has prefix length /%u, a LAN "
		    "needs /8 to /30", ctx, field, topo_prefix_str(p, s,
		    sizeof(s)), p->len);
		return;
	}
	net.addr.s_addr &= topo_mask(p->len);
	if (net.addr.s_addr != p->addr.s_addr)
		val_error(v, pos, "%s: %s %s is not a network address (did you "
		    "mean %s?)", ctx, field, topo_prefix_str(p, s, sizeof(s)),
		    topo_prefix_str(&net, n, sizeof(n)));
}

/* A router's address on a LAN: inside it, same length, a host address. */
static void
val_lan_addr(struct validator *v, const struct topo_pos *pos,
    const char *ctx, const char *field, const struct topo_prefix *a,
    const struct topo_prefix *net, const char *desc)
{
	char		s[INET_ADDRSTRLEN], n[32];
	in_addr_t	host;

	if (pos->invalid)
		return;
	topo_ntoa(a->addr, s, sizeof(s));
	topo_prefix_str(net, n, sizeof(n));
	host = ntohl(topo_host_part(a->addr, net->len));
	if (!topo_prefix_contains(net, a->addr))
		val_error(v, pos, "%s: %s %s is outside %s %s", ctx, field, s,
		    desc, n);
	else if (a->len != net->len)
		val_error(v, pos, "%s: %s %s/%u has a different prefix length "
		    "than %s %s", ctx, field, s, a->len, desc, n);
	else if (net->len <= 30 && host == 0)
		val_error(v, pos, "%s: %s %s is the network address of %s %s",
		    ctx, field, s, desc, n);
	else if (net->len <= 30 && host == ntohl(~topo_mask(net->len)))
		val_error(v, pos, "%s: %s %s is the broadcast address of %s %s",
		    ctx, field, s, desc, n);
}

/* Area and timers */

static void
val_timers(struct validator *v, const struct topo_timers *tm)
{
	const char	*ctx = "area: timers";
	bool		 minimal = tm->dead == 1 && tm->hello_multiplier > 0;

	val_range(v, &tm->hello_pos, ctx, "hello", tm->hello, 1,
	    TOPO_TIMER_S_MAX);
	val_range(v, &tm->dead_pos, ctx, "dead", tm->dead, 1,
	    TOPO_TIMER_S_MAX);
	val_range(v, &tm->hello_multiplier_pos, ctx, "hello-multiplier",
	    tm->hello_multiplier, 0, TOPO_MULTIPLIER_MAX);
	if (tm->hello_multiplier > 0 && tm->dead != 1 &&
	    !tm->hello_multiplier_pos.invalid && !tm->dead_pos.invalid)
		val_error(v, &tm->hello_multiplier_pos, "%s: hello-multiplier "
		    "needs dead: 1 (dead-interval minimal), dead is %u", ctx,
		    tm->dead);
	else if (!minimal && tm->dead <= tm->hello && tm->dead >= 1 &&
	    !tm->dead_pos.invalid && !tm->hello_pos.invalid)
		val_error(v, &tm->dead_pos, "%s: dead %u must be greater than "
		    "hello %u (or dead: 1 with hello-multiplier)", ctx,
		    tm->dead, tm->hello);
	val_range(v, &tm->spf_pos, ctx, "spf delay", tm->spf_delay, 0,
	    TOPO_SPF_MAX);
	val_range(v, &tm->spf_pos, ctx, "spf initial hold", tm->spf_hold, 0,
	    TOPO_SPF_MAX);
	val_range(v, &tm->spf_pos, ctx, "spf maximum hold", tm->spf_max_hold,
	    0, TOPO_SPF_MAX);
	if (!tm->spf_pos.invalid && tm->spf_max_hold < tm->spf_hold &&
	    tm->spf_hold <= TOPO_SPF_MAX)
		val_error(v, &tm->spf_pos, "%s: spf maximum hold %u is less "
		    "than the initial hold %u", ctx, tm->spf_max_hold,
		    tm->spf_hold);
	val_range(v, &tm->lsa_throttle_pos, ctx, "lsa-throttle",
	    tm->lsa_throttle, 0, TOPO_LSA_THROTTLE_MAX);
	val_range(v, &tm->lsa_min_arrival_pos, ctx, "lsa-min-arrival",
	    tm->lsa_min_arrival, 0, TOPO_MIN_ARRIVAL_MAX);
	val_range(v, &tm->retransmit_pos, ctx, "retransmit", tm->retransmit,
	    1, 65535);
}

static void
val_area(struct validator *v, const struct topo_area *a)
{
	if (!a->id_pos.invalid && a->id.s_addr == INADDR_ANY)
		val_error(v, &a->id_pos, "area: id 0.0.0.0 is the backbone; "
		    "the guests need an area of their own (e.g. 4.4.4.4)");
	if (a->no_summary && !a->stub && !a->no_summary_pos.invalid &&
	    !a->stub_pos.invalid)
		val_error(v, &a->no_summary_pos, "area: no-summary needs "
		    "stub: true (a totally stubby area is a stub area)");
	val_range(v, &a->default_cost_pos, "area", "default-cost",
	    a->default_cost, 0, TOPO_DEFAULT_COST_MAX);
	val_timers(v, &a->timers);
}

/* Members, LANs and their networks */

static void
val_members(struct validator *v, const struct topo *t)
{
	const struct topo_member	*m, *o;
	char				 ctx[VAL_TEXT_MAX];
	size_t				 i, j;

	for (i = 0; i < t->nmembers; i++) {
		m = &t->members[i];
		snprintf(ctx, sizeof(ctx), "member %s", m->name);
		val_name(v, &m->name_pos, ctx, "name", m->name,
		    sizeof(m->name));
		val_name(v, &m->cpc_pos, ctx, "cpc", m->cpc, sizeof(m->cpc));
		val_network(v, &m->hsi_lan_pos, ctx, "hipersockets",
		    &m->hsi_lan);
		val_memory(v, &m->memory_pos, ctx, m->memory_mib);
		for (j = 0; j < i; j++) {
			o = &t->members[j];
			if (m->name[0] != '\0' && strcmp(o->name, m->name) == 0)
				val_error(v, &m->name_pos, "%s: name already "
				    "used by the member at line %u", ctx,
				    o->name_pos.line);
		}
	}
}

static void
val_lans(struct validator *v, const struct topo *t)
{
	const struct topo_lan	*l, *o;
	char			 ctx[VAL_TEXT_MAX];
	size_t			 i, j;

	for (i = 0; i < t->nlans; i++) {
		l = &t->lans[i];
		snprintf(ctx, sizeof(ctx), "lan %s", l->name);
		val_name(v, &l->name_pos, ctx, "name", l->name,
		    sizeof(l->name));
		val_network(v, &l->subnet_pos, ctx, "subnet", &l->subnet);
		for (j = 0; j < i; j++) {
			o = &t->lans[j];
			if (l->name[0] != '\0' && strcmp(o->name, l->name) == 0)
				val_error(v, &l->name_pos, "%s: name already "
				    "used by the lan at line %u", ctx,
				    o->name_pos.line);
		}
	}
}

static bool
nets_overlap(const struct topo_prefix *a, const struct topo_prefix *b)
{
	return topo_prefix_contains(a, b->addr) ||
	    topo_prefix_contains(b, a->addr);
}

static void
val_net_clash(struct validator *v, const struct val_net *a,
    const struct val_net *b)
{
	const struct val_net	*later = a, *first = b;
	char			 s[32], o[32];

	if (pos_after(b->pos, a->pos)) {
		later = b;
		first = a;
	}
	val_error(v, later->pos, "%s %s: %s %s overlaps %s %s %s", later->ctx,
	    later->name, later->field, topo_prefix_str(&later->net, s,
	    sizeof(s)), first->desc, first->name, topo_prefix_str(&first->net,
	    o, sizeof(o)));
}

/* No two LANs (VSWITCH or HiperSockets) may share addresses. */
static void
val_networks(struct validator *v, const struct topo *t)
{
	struct val_net	*nets;
	size_t		 i, j, n = 0;

	if ((nets = calloc(t->nmembers + t->nlans + 1, sizeof(*nets))) == NULL)
		return;
	for (i = 0; i < t->nmembers; i++)
		if (!t->members[i].hsi_lan_pos.invalid)
			nets[n++] = (struct val_net){ t->members[i].hsi_lan,
			    "HiperSockets LAN of", t->members[i].name, "member",
			    "hipersockets", &t->members[i].hsi_lan_pos };
	for (i = 0; i < t->nlans; i++)
		if (!t->lans[i].subnet_pos.invalid)
			nets[n++] = (struct val_net){ t->lans[i].subnet,
			    "VSWITCH LAN", t->lans[i].name, "lan", "subnet",
			    &t->lans[i].subnet_pos };
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (nets_overlap(&nets[i].net, &nets[j].net))
				val_net_clash(v, &nets[i], &nets[j]);
	free(nets);
}

/* Hosts and the directory */

static void
val_host_names(const struct topo *t, char *buf, size_t len)
{
	size_t	i, used = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; i < t->nhosts && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    t->hosts[i].name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* An underlay address: a unicast host address outside every LAN. */
static void
val_underlay(struct validator *v, const struct topo *t, size_t i,
    const char *ctx)
{
	const struct topo_host	*h = &t->hosts[i];
	uint32_t		 a = ntohl(h->underlay.s_addr);
	char			 s[INET_ADDRSTRLEN], p[32];
	const char		*how = h->underlay_given ? "" : " (derived)";
	size_t			 j;

	if (h->underlay_pos.invalid)
		return;
	topo_ntoa(h->underlay, s, sizeof(s));
	if (a == 0 || (a >> 24) == 127 || (a >> 28) >= 14) {
		val_error(v, &h->underlay_pos, "%s: underlay %s is not a "
		    "unicast host address", ctx, s);
		return;
	}
	for (j = 0; j < i; j++)
		if (!t->hosts[j].underlay_pos.invalid &&
		    t->hosts[j].underlay.s_addr == h->underlay.s_addr)
			val_error(v, &h->underlay_pos, "%s: underlay %s%s is "
			    "already host %s's (%sline %u)", ctx, s, how,
			    t->hosts[j].name, t->hosts[j].underlay_given ? "" :
			    "derived, ", t->hosts[j].pos.line);
	for (j = 0; j < t->nlans; j++)
		if (topo_prefix_contains(&t->lans[j].subnet, h->underlay))
			val_error(v, &h->underlay_pos, "%s: underlay %s%s is "
			    "inside VSWITCH LAN %s %s", ctx, s, how,
			    t->lans[j].name, topo_prefix_str(&t->lans[j].subnet,
			    p, sizeof(p)));
	for (j = 0; j < t->nmembers; j++)
		if (topo_prefix_contains(&t->members[j].hsi_lan, h->underlay))
			val_error(v, &h->underlay_pos, "%s: underlay %s%s is "
			    "inside the HiperSockets LAN of %s %s", ctx, s, how,
			    t->members[j].name, topo_prefix_str(
			    &t->members[j].hsi_lan, p, sizeof(p)));
}

static void
val_hosts(struct validator *v, const struct topo *t)
{
	const struct topo_host	*h;
	char			 ctx[VAL_TEXT_MAX];
	size_t			 i, j;

	for (i = 0; i < t->nhosts; i++) {
		h = &t->hosts[i];
		snprintf(ctx, sizeof(ctx), "host %s", h->name);
		val_name(v, &h->name_pos, ctx, "name", h->name,
		    sizeof(h->name));
		for (j = 0; j < i; j++)
			if (h->name[0] != '\0' &&
			    strcmp(t->hosts[j].name, h->name) == 0)
				val_error(v, &h->name_pos, "%s: name already "
				    "used by the host at line %u", ctx,
				    t->hosts[j].name_pos.line);
		val_underlay(v, t, i, ctx);
	}
}

/* With hosts, every member and the ABR name theirs. */
static void
val_placed(struct validator *v, const struct topo *t, const char *ctx,
    int host, const struct topo_pos *pos)
{
	char	names[VAL_TEXT_MAX];

	if (t->nhosts == 0 || host >= 0 || pos->invalid)
		return;
	val_host_names(t, names, sizeof(names));
	val_error(v, pos, "%s: missing key 'host' (a topology with hosts "
	    "places every member and the ABR on one: %s)", ctx, names);
}

static void
val_placement(struct validator *v, const struct topo *t)
{
	char	ctx[VAL_TEXT_MAX];
	size_t	i;

	for (i = 0; i < t->nmembers; i++) {
		snprintf(ctx, sizeof(ctx), "member %s", t->members[i].name);
		val_placed(v, t, ctx, t->members[i].host,
		    &t->members[i].host_pos);
	}
	if (!t->abr.pos.invalid) {
		snprintf(ctx, sizeof(ctx), "abr %s", t->abr.name);
		val_placed(v, t, ctx, t->abr.host, &t->abr.host_pos);
	}
}

/* The first two members on different hosts, or false. */
static bool
val_hosts_split(const struct topo *t, size_t *a, size_t *b)
{
	size_t	i;

	for (i = 1; i < t->nmembers; i++) {
		if (t->members[i].host < 0 || t->members[0].host < 0 ||
		    t->members[i].host == t->members[0].host)
			continue;
		*a = 0;
		*b = i;
		return true;
	}
	return false;
}

static void
val_directory_etcd(struct validator *v, const struct topo *t)
{
	const struct topo_directory	*d = &t->directory;
	size_t				 i, j;

	if (d->nnodes == 0 && !d->nodes_pos.invalid)
		val_error(v, &d->nodes_pos, "directory: kind etcd needs "
		    "nodes, a list of hosts (one etcd node on each)");
	for (i = 0; i < d->nnodes; i++) {
		if (d->nodes[i] < 0)
			continue;
		for (j = 0; j < i; j++)
			if (d->nodes[j] == d->nodes[i])
				val_error(v, &d->node_pos[i], "directory: "
				    "host %s is already an etcd node (one "
				    "node per host)",
				    t->hosts[d->nodes[i]].name);
	}
}

static void
val_directory(struct validator *v, const struct topo *t)
{
	const struct topo_directory	*d = &t->directory;
	size_t				 a, b;

	val_range(v, &d->lease_ttl_pos, "directory", "lease-ttl",
	    d->lease_ttl, TOPO_LEASE_TTL_MIN, TOPO_LEASE_TTL_MAX);
	if (d->kind_pos.invalid)
		return;
	if (d->kind == TOPO_DIRECTORY_ETCD) {
		val_directory_etcd(v, t);
		return;
	}
	if (d->nnodes > 0)
		val_error(v, &d->nodes_pos, "directory: nodes is for kind "
		    "etcd; kind sqlite keeps the directory in one file");
	if (val_hosts_split(t, &a, &b))
		val_error(v, &d->kind_pos, "directory: kind sqlite keeps the "
		    "directory in one file on one host; members %s and %s "
		    "on hosts %s and %s need kind etcd", t->members[a].name,
		    t->members[b].name, t->hosts[t->members[a].host].name,
		    t->hosts[t->members[b].host].name);
}

/* The ABR */

static void
val_abr_if(struct validator *v, const struct topo *t, size_t i,
    const char *ctx)
{
	const struct topo_abr		*a = &t->abr;
	const struct topo_abr_if	*ai = &a->ifs[i];
	char				 field[VAL_TEXT_MAX], desc[VAL_TEXT_MAX];
	size_t				 j;

	val_name(v, &ai->name_pos, ctx, "interface name", ai->name,
	    sizeof(ai->name));
	snprintf(field, sizeof(field), "%s address", ai->name);
	if (ai->lan >= 0 && !t->lans[ai->lan].subnet_pos.invalid) {
		snprintf(desc, sizeof(desc), "VSWITCH LAN %s",
		    t->lans[ai->lan].name);
		val_lan_addr(v, &ai->addr_pos, ctx, field, &ai->addr,
		    &t->lans[ai->lan].subnet, desc);
	}
	snprintf(field, sizeof(field), "%s cost", ai->name);
	val_range(v, &ai->cost_pos, ctx, field, ai->cost, 1, TOPO_COST_MAX);
	snprintf(field, sizeof(field), "%s priority", ai->name);
	val_range(v, &ai->priority_pos, ctx, field, ai->priority, 0,
	    TOPO_PRIORITY_MAX);
	for (j = 0; j < i; j++) {
		if (ai->name[0] != '\0' && strcmp(a->ifs[j].name, ai->name) == 0)
			val_error(v, &ai->name_pos, "%s: interface name %s "
			    "already used at line %u", ctx, ai->name,
			    a->ifs[j].name_pos.line);
		if (ai->lan >= 0 && a->ifs[j].lan == ai->lan)
			val_error(v, &ai->lan_pos, "%s: %s is a second "
			    "interface on lan %s (%s is already on it)", ctx,
			    ai->name, t->lans[ai->lan].name, a->ifs[j].name);
	}
	if (ai->name[0] != '\0' && strcmp(ai->name, a->backbone_if) == 0)
		val_error(v, &ai->name_pos, "%s: interface name %s is also "
		    "the backbone's", ctx, ai->name);
}

static void
val_abr(struct validator *v, const struct topo *t)
{
	const struct topo_abr	*a = &t->abr;
	char			 ctx[VAL_TEXT_MAX];
	size_t			 i;

	snprintf(ctx, sizeof(ctx), "abr %s", a->name);
	val_name(v, &a->name_pos, ctx, "name", a->name, sizeof(a->name));
	if (!a->router_id_pos.invalid && a->router_id.s_addr == INADDR_ANY)
		val_error(v, &a->router_id_pos, "%s: router-id 0.0.0.0 is not "
		    "a router id", ctx);
	for (i = 0; i < a->nifs; i++)
		val_abr_if(v, t, i, ctx);
	val_name(v, &a->backbone_if_pos, ctx, "backbone name",
	    a->backbone_if, sizeof(a->backbone_if));
	if (!a->backbone_pos.invalid && a->backbone.addr.s_addr == INADDR_ANY)
		val_error(v, &a->backbone_pos, "%s: backbone address 0.0.0.0 "
		    "is not a host address", ctx);
}

/* Groups */

static void
val_groups(struct validator *v, const struct topo *t)
{
	const struct topo_group	*gr;
	char			 ctx[VAL_TEXT_MAX];
	size_t			 i, j, k;

	for (i = 0; i < t->ngroups; i++) {
		gr = &t->groups[i];
		snprintf(ctx, sizeof(ctx), "group %s", gr->name);
		val_name(v, &gr->name_pos, ctx, "name", gr->name,
		    sizeof(gr->name));
		if (!gr->pattern_pos.invalid && gr->pattern[0] == '\0')
			val_error(v, &gr->pattern_pos, "%s: pattern must not "
			    "be empty (e.g. \"%s*\")", ctx, gr->name);
		for (j = 0; j < i; j++)
			if (gr->name[0] != '\0' &&
			    strcmp(t->groups[j].name, gr->name) == 0)
				val_error(v, &gr->name_pos, "%s: name already "
				    "used by the group at line %u", ctx,
				    t->groups[j].name_pos.line);
		for (j = 0; j < gr->nmembers; j++) {
			val_name(v, &gr->member_pos[j], ctx, "member",
			    gr->members[j], sizeof(gr->members[j]));
			for (k = 0; k < j; k++)
				if (gr->members[j][0] != '\0' &&
				    strcmp(gr->members[k], gr->members[j]) == 0)
					val_error(v, &gr->member_pos[j], "%s: "
					    "member %s is listed twice", ctx,
					    gr->members[j]);
		}
	}
}

static bool
group_allows(const struct topo_group *gr, int member)
{
	size_t	i;

	for (i = 0; i < gr->nmembers; i++)
		if (gr->member_idx[i] == member)
			return true;
	return false;
}

static void
group_members_str(const struct topo_group *gr, char *buf, size_t len)
{
	size_t	i;

	buf[0] = '\0';
	for (i = 0; i < gr->nmembers; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i ? ", " : "", gr->members[i]);
}

/* Guests and their NICs */

static void
val_nic_vswitch(struct validator *v, const struct topo *t,
    const struct topo_guest *g, size_t i, const char *ctx)
{
	const struct topo_nic	*n = &g->nics[i];
	char			 field[VAL_TEXT_MAX], desc[VAL_TEXT_MAX];
	size_t			 j;

	if (n->lan < 0)
		return;
	snprintf(field, sizeof(field), "%s address", n->name);
	snprintf(desc, sizeof(desc), "VSWITCH LAN %s", t->lans[n->lan].name);
	if (!t->lans[n->lan].subnet_pos.invalid)
		val_lan_addr(v, &n->addr_pos, ctx, field, &n->addr,
		    &t->lans[n->lan].subnet, desc);
	for (j = 0; j < i; j++)
		if (g->nics[j].kind == TOPO_NIC_VSWITCH &&
		    g->nics[j].lan == n->lan)
			val_error(v, &n->ref_pos, "%s: %s is a second NIC on "
			    "lan %s (%s is already on it)", ctx, n->name,
			    t->lans[n->lan].name, g->nics[j].name);
}

static void
val_nic_hsi(struct validator *v, const struct topo *t,
    const struct topo_guest *g, size_t i, const char *ctx)
{
	const struct topo_nic	*n = &g->nics[i];
	const struct topo_group	*gr;
	char			 field[VAL_TEXT_MAX], desc[VAL_TEXT_MAX];
	size_t			 j;

	if (n->member < 0)
		return;
	snprintf(field, sizeof(field), "%s address", n->name);
	snprintf(desc, sizeof(desc), "%s's HiperSockets LAN",
	    t->members[n->member].name);
	if (!t->members[n->member].hsi_lan_pos.invalid)
		val_lan_addr(v, &n->addr_pos, ctx, field, &n->addr,
		    &t->members[n->member].hsi_lan, desc);
	for (j = 0; j < i; j++)
		if (g->nics[j].kind == TOPO_NIC_HIPERSOCKETS &&
		    g->nics[j].member == n->member)
			val_error(v, &n->ref_pos, "%s: %s is a second "
			    "HiperSockets NIC for member %s (%s is already)",
			    ctx, n->name, t->members[n->member].name,
			    g->nics[j].name);
	if (g->group < 0)
		return;
	gr = &t->groups[g->group];
	if (!group_allows(gr, n->member)) {
		group_members_str(gr, desc, sizeof(desc));
		val_error(v, &n->ref_pos, "%s: %s is for member %s, where "
		    "group %s may not run (members: %s)", ctx, n->name,
		    t->members[n->member].name, gr->name, desc);
	}
}

/* A guest's host number is the same on every network as in its VIPA. */
static void
val_nic_host(struct validator *v, const struct topo_guest *g,
    const struct topo_nic *n, const char *ctx)
{
	char	a[INET_ADDRSTRLEN], vipa[INET_ADDRSTRLEN];

	if (n->addr_pos.invalid || g->vipa_pos.invalid ||
	    topo_host_part(n->addr.addr, n->addr.len) ==
	    topo_host_part(g->vipa, n->addr.len))
		return;
	val_error(v, &n->addr_pos, "%s: %s address %s has host number %u, "
	    "the VIPA %s has %u (a guest has the same host number on every "
	    "network)", ctx, n->name, topo_ntoa(n->addr.addr, a, sizeof(a)),
	    ntohl(topo_host_part(n->addr.addr, n->addr.len)),
	    topo_ntoa(g->vipa, vipa, sizeof(vipa)),
	    ntohl(topo_host_part(g->vipa, n->addr.len)));
}

static void
val_nic(struct validator *v, const struct topo *t, const struct topo_guest *g,
    size_t i, const char *ctx)
{
	const struct topo_nic	*n = &g->nics[i];
	char			 field[VAL_TEXT_MAX];
	size_t			 j;

	val_name(v, &n->name_pos, ctx, "NIC name", n->name, sizeof(n->name));
	if (strcmp(n->name, TOPO_VIPA_IF) == 0)
		val_error(v, &n->name_pos, "%s: NIC name %s is reserved for "
		    "the VIPA interface", ctx, n->name);
	for (j = 0; j < i; j++)
		if (n->name[0] != '\0' && strcmp(g->nics[j].name, n->name) == 0)
			val_error(v, &n->name_pos, "%s: NIC name %s already "
			    "used at line %u", ctx, n->name,
			    g->nics[j].name_pos.line);
	if (n->kind == TOPO_NIC_VSWITCH)
		val_nic_vswitch(v, t, g, i, ctx);
	else
		val_nic_hsi(v, t, g, i, ctx);
	val_nic_host(v, g, n, ctx);
	snprintf(field, sizeof(field), "%s cost", n->name);
	val_range(v, &n->cost_pos, ctx, field, n->cost, 1, TOPO_COST_MAX);
	snprintf(field, sizeof(field), "%s priority", n->name);
	val_range(v, &n->priority_pos, ctx, field, n->priority, 0,
	    TOPO_PRIORITY_MAX);
}

/* An HSI guest has one HiperSockets NIC per lab member of its group. */
static void
val_guest_hsi(struct validator *v, const struct topo *t,
    const struct topo_guest *g, const char *ctx)
{
	const struct topo_group	*gr;
	int			 m;
	size_t			 i;

	if (g->group < 0 || !topo_guest_has_hsi(g) || g->nics_pos.invalid)
		return;
	for (i = 0; i < g->nnics; i++)
		if (g->nics[i].ref_pos.invalid)
			return;		/* that NIC's error says it */
	gr = &t->groups[g->group];
	for (i = 0; i < gr->nmembers; i++) {
		if ((m = gr->member_idx[i]) < 0 ||
		    topo_guest_hsi_for(g, m) != NULL)
			continue;
		val_error(v, &g->nics_pos, "%s: HiperSockets guest has no "
		    "hipersockets NIC for member %s of group %s (it needs one "
		    "for every member it may run on)", ctx,
		    t->members[m].name, gr->name);
	}
}

static void
val_guest_group(struct validator *v, const struct topo *t,
    const struct topo_guest *g, const char *ctx)
{
	const struct topo_group	*gr;
	char			 members[VAL_TEXT_MAX];

	if (g->group < 0)
		return;
	gr = &t->groups[g->group];
	if (!gr->pattern_pos.invalid && !g->name_pos.invalid &&
	    fnmatch(gr->pattern, g->name, 0) != 0)
		val_error(v, &g->group_pos, "%s: name does not match group "
		    "%s's pattern '%s'", ctx, gr->name, gr->pattern);
	if (g->member >= 0 && !group_allows(gr, g->member)) {
		group_members_str(gr, members, sizeof(members));
		val_error(v, &g->member_pos, "%s: member %s is not one group "
		    "%s may run on (members: %s)", ctx,
		    t->members[g->member].name, gr->name, members);
	}
}

static void
val_guest(struct validator *v, const struct topo *t, size_t i)
{
	const struct topo_guest	*g = &t->guests[i];
	char			 ctx[VAL_TEXT_MAX];
	size_t			 j, nvswitch = 0;

	snprintf(ctx, sizeof(ctx), "guest %s", g->name);
	val_name(v, &g->name_pos, ctx, "name", g->name, sizeof(g->name));
	for (j = 0; j < i; j++)
		if (g->name[0] != '\0' &&
		    strcmp(t->guests[j].name, g->name) == 0)
			val_error(v, &g->name_pos, "%s: name already used by "
			    "the guest at line %u", ctx,
			    t->guests[j].name_pos.line);
	if (g->name[0] != '\0' && strcmp(t->abr.name, g->name) == 0)
		val_error(v, &g->name_pos, "%s: name already used by the abr "
		    "at line %u", ctx, t->abr.name_pos.line);
	val_range(v, &g->vipa_cost_pos, ctx, "vipa-cost", g->vipa_cost, 1,
	    TOPO_COST_MAX);
	val_memory(v, &g->memory_pos, ctx, g->memory_mib);
	val_guest_group(v, t, g, ctx);
	for (j = 0; j < g->nnics; j++) {
		val_nic(v, t, g, j, ctx);
		if (g->nics[j].kind == TOPO_NIC_VSWITCH)
			nvswitch++;
	}
	if (nvswitch == 0 && !g->nics_pos.invalid)
		val_error(v, &g->nics_pos, "%s: no vswitch NIC (a guest needs "
		    "at least one, e.g. trk1 on a VSWITCH LAN)", ctx);
	val_guest_hsi(v, t, g, ctx);
}

/* Every VSWITCH LAN with routers needs one that can become its DR. */
static void
val_lan_dr(struct validator *v, const struct topo *t, int lan)
{
	const struct topo_nic	*n;
	size_t			 i, j, routers = 0, eligible = 0;
	bool			 unknown = false;

	for (i = 0; i < t->abr.nifs; i++)
		if (t->abr.ifs[i].lan == lan) {
			routers++;
			eligible += t->abr.ifs[i].priority > 0;
			unknown |= t->abr.ifs[i].priority_pos.invalid;
		}
	for (i = 0; i < t->nguests; i++)
		for (j = 0; j < t->guests[i].nnics; j++) {
			n = &t->guests[i].nics[j];
			if (n->kind != TOPO_NIC_VSWITCH || n->lan != lan)
				continue;
			routers++;
			eligible += n->priority > 0;
			unknown |= n->priority_pos.invalid;
		}
	if (routers >= 2 && eligible == 0 && !unknown)
		val_error(v, &t->lans[lan].pos, "lan %s: every router on it "
		    "has priority 0, so no DR can be elected (give the ABR's "
		    "interface priority 1 or more)", t->lans[lan].name);
}

/* Addresses and router ids */

static void
addr_add(struct val_addr *v, size_t *n, struct in_addr a, const char *kind,
    const char *owner, const char *what, const struct topo_pos *pos,
    bool vipa)
{
	if (pos->invalid)
		return;
	v[*n] = (struct val_addr){ a, kind, owner, what, pos, vipa };
	(*n)++;
}

static void
val_addr_clash(struct validator *v, const struct val_addr *a,
    const struct val_addr *b, bool rid)
{
	const struct val_addr	*later = a, *first = b;
	char			 s[INET_ADDRSTRLEN];

	if (pos_after(b->pos, a->pos)) {
		later = b;
		first = a;
	}
	topo_ntoa(later->addr, s, sizeof(s));
	if (rid)
		val_error(v, later->pos, "%s %s: router id %s is already the "
		    "router id of %s %s (line %u)", later->kind, later->owner,
		    s, first->kind, first->owner, first->pos->line);
	else
		val_error(v, later->pos, "%s %s: %s address %s is already used "
		    "by %s %s's %s (line %u)", later->kind, later->owner,
		    later->what, s, first->kind, first->owner, first->what,
		    first->pos->line);
}

static void
val_addr_list(struct validator *v, const struct val_addr *a, size_t n,
    bool rid)
{
	size_t	i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (a[i].addr.s_addr == a[j].addr.s_addr &&
			    (rid || !a[i].vipa || !a[j].vipa))
				val_addr_clash(v, &a[j], &a[i], rid);
}

/* Every interface address once; VIPA against VIPA is a router id clash. */
static void
val_addresses(struct validator *v, const struct topo *t)
{
	const struct topo_guest	*g;
	struct val_addr		*a;
	size_t			 i, j, n = 0, max;

	max = t->abr.nifs + 2;
	for (i = 0; i < t->nguests; i++)
		max += t->guests[i].nnics + 1;
	if ((a = calloc(max, sizeof(*a))) == NULL)
		return;
	for (i = 0; i < t->abr.nifs; i++)
		addr_add(a, &n, t->abr.ifs[i].addr.addr, "abr", t->abr.name,
		    t->abr.ifs[i].name, &t->abr.ifs[i].addr_pos, false);
	addr_add(a, &n, t->abr.backbone.addr, "abr", t->abr.name,
	    t->abr.backbone_if, &t->abr.backbone_pos, false);
	for (i = 0; i < t->nguests; i++) {
		g = &t->guests[i];
		addr_add(a, &n, g->vipa, "guest", g->name, "vipa",
		    &g->vipa_pos, true);
		for (j = 0; j < g->nnics; j++)
			addr_add(a, &n, g->nics[j].addr.addr, "guest", g->name,
			    g->nics[j].name, &g->nics[j].addr_pos, false);
	}
	val_addr_list(v, a, n, false);
	n = 0;
	addr_add(a, &n, t->abr.router_id, "abr", t->abr.name, "router-id",
	    &t->abr.router_id_pos, true);
	for (i = 0; i < t->nguests; i++)
		addr_add(a, &n, t->guests[i].vipa, "guest", t->guests[i].name,
		    "vipa", &t->guests[i].vipa_pos, true);
	val_addr_list(v, a, n, true);
	free(a);
}

int
topo_validate(const struct topo *t, struct topo_diags *diags)
{
	struct validator	v = { t, diags, 0 };
	size_t			i;

	val_name(&v, &t->name_pos, "topology", "lab", t->name,
	    sizeof(t->name));
	if (!t->area.pos.invalid)
		val_area(&v, &t->area);
	val_hosts(&v, t);
	val_members(&v, t);
	val_lans(&v, t);
	val_networks(&v, t);
	val_placement(&v, t);
	val_directory(&v, t);
	val_abr(&v, t);
	val_groups(&v, t);
	for (i = 0; i < t->nguests; i++)
		val_guest(&v, t, i);
	for (i = 0; i < t->nlans && !t->abr.pos.invalid; i++)
		val_lan_dr(&v, t, (int)i);
	val_addresses(&v, t);
	return v.nerr;
}

/*
 * Not errors, but what an operator reading the file would get wrong: a
 * guest whose name also matches another group's pattern (its own group
 * alone decides where it may run; `evacuate ALL` and the console list
 * it there only).  Each is added to *warn at the guest's group: key.
 * Returns the number added.
 */
int
topo_warnings(const struct topo *t, struct topo_diags *warn)
{
	const struct topo_guest	*g;
	size_t			 i, k;
	int			 n = 0;

	for (i = 0; i < t->nguests; i++) {
		g = &t->guests[i];
		for (k = 0; g->group >= 0 && k < t->ngroups; k++) {
			if ((int)k == g->group ||
			    fnmatch(t->groups[k].pattern, g->name, 0) != 0)
				continue;
			topo_diag_add(warn, &g->group_pos, "warning: guest "
			    "%s: its name also matches group %s's pattern "
			    "'%s'; it belongs to group %s only", g->name,
			    t->groups[k].name, t->groups[k].pattern,
			    t->groups[g->group].name);
			n++;
		}
	}
	return n;
}
