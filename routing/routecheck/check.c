/*
 * check.c: the invariants, from the topology and where each guest lives.
 *
 *   1 vipa        every VIPA is in every router's OSPF table and kernel
 *                 FIB (a guest's own VIPA: in its OSPF table)
 *   2 paths       guest to guest VIPA routes at the cost and over exactly
 *                 the next hops topo_expect_vipa_route() gives: hsiN
 *                 alone when both live on one member, else trk1 + trk2
 *   3 hsi-subnet  a HiperSockets subnet is directly attached (OSPF table
 *                 or kernel) only on guests living on its member
 *   4 hsi-up      at most one HSI interface up, and only the one on the
 *                 LAN of the member the guest lives on
 *   5 default     0.0.0.0/0 inter-area at the cheapest trunk cost plus
 *                 the area's default cost, via the ABR on every such LAN
 *   6 agree       ospfd's routes are zebra's OSPF routes; the ones zebra
 *                 installed are the kernel's, next hop for next hop; no
 *                 stale OSPF route in zebra or the kernel
 *
 * Each violation names the router, the prefix, what was expected and what
 * was found; where a drained interface explains a difference, the text
 * says so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routecheck.h"
#include "topo.h"

#define CK_TEXT_MAX	1024

struct ck {
	const struct topo	*t;
	const struct rc_snap	*s;
	const struct rc_check_opts *o;
	struct rc_report	*r;
	int			*res;		/* member index per guest */
	int			 added;
	int			 failed;	/* ENOMEM */
};

static bool
ck_enabled(const struct ck *c, int inv)
{
	return c->o->invariants == 0 || (c->o->invariants & (1u << inv));
}

/* Does the pair (router guest a, route to guest b) concern the filter? */
static bool
ck_concerns(const struct ck *c, int a, int b)
{
	return c->o->guest < 0 || a == c->o->guest || b == c->o->guest;
}

static const struct rc_router *
ck_router(const struct ck *c, const char *name)
{
	const struct rc_router	*r = rc_snap_router(c->s, name);

	return r != NULL && r->collected ? r : NULL;
}

static void
ck_add(struct ck *c, int inv, const char *router, const char *prefix,
    const char *table, const char *expected, const char *found)
{
	if (rc_report_add(c->r, inv, router, prefix, table, expected,
	    found) == -1)
		c->failed = 1;
	else
		c->added++;
}

static const char *
ck_member_name(const struct ck *c, int m)
{
	return m >= 0 && (size_t)m < c->t->nmembers ? c->t->members[m].name :
	    "an unknown member";
}

/* "cost 2 via 172.0.9.100 hsi0" */
static char *
ck_route_str(const struct rc_route *rt, bool cost, char *buf, size_t len)
{
	char	nh[CK_TEXT_MAX];
	int	off = 0;

	rc_nexthops_str(rt->nh, rt->nnh, nh, sizeof(nh));
	if (cost)
		off = snprintf(buf, len, "cost %u ", rt->metric);
	if (off >= 0 && (size_t)off < len)
		snprintf(buf + off, len - (size_t)off, "%s%s",
		    rt->nnh ? "via " : "no next hop", nh);
	return buf;
}

static char *
ck_vipa_prefix(const struct topo_guest *g, char *buf, size_t len)
{
	return rc_prefix_str(g->vipa, 32, buf, len);
}

/* Invariant 1. */

static void
ck_vipa_router(struct ck *c, const char *name, int self)
{
	const struct rc_router	*r = ck_router(c, name);
	char			 p[RC_PREFIX_MAX], want[200];
	unsigned long		 n = 0;

	if (r == NULL)
		return;
	for (size_t g = 0; g < c->t->nguests; g++) {
		const struct topo_guest	*gu = &c->t->guests[g];

		if (!ck_concerns(c, self, (int)g))
			continue;
		ck_vipa_prefix(gu, p, sizeof(p));
		snprintf(want, sizeof(want), "a route to %s's VIPA", gu->name);
		n++;
		if (rc_table_find(&r->tables[RC_TABLE_OSPF], gu->vipa,
		    32) == NULL)
			ck_add(c, RC_INV_VIPA, name, p, "ospf", want, "absent");
		if (self == (int)g)	/* local: not in the main table */
			continue;
		if (r->tables[RC_TABLE_KERNEL].present &&
		    rc_table_find(&r->tables[RC_TABLE_KERNEL], gu->vipa,
		    32) == NULL)
			ck_add(c, RC_INV_VIPA, name, p, "kernel", want,
			    "absent");
	}
	rc_report_checked(c->r, name, RC_INV_VIPA, n);
}

static void
ck_vipa(struct ck *c)
{
	ck_vipa_router(c, c->t->abr.name, -1);
	for (size_t g = 0; g < c->t->nguests; g++)
		ck_vipa_router(c, c->t->guests[g].name, (int)g);
}

/* Invariant 2. */

/* "; hsi0 drained on LITDCON1" for every drained HSI interface of a, b. */
static void
ck_drain_note(const struct ck *c, int a, int b, char *buf, size_t len)
{
	const int	 who[2] = { a, b };
	size_t		 off = strlen(buf);

	for (int i = 0; i < 2; i++) {
		const struct topo_guest	*g = &c->t->guests[who[i]];
		const struct rc_router	*r = ck_router(c, g->name);
		const struct rc_ospf_if	*oif;

		for (size_t k = 0; r != NULL && k < g->nnics && off < len;
		    k++) {
			if (g->nics[k].kind != TOPO_NIC_HIPERSOCKETS ||
			    (oif = rc_router_ospf_if(r, g->nics[k].name)) ==
			    NULL || !oif->drained)
				continue;
			off += (size_t)snprintf(buf + off, len - off,
			    "; %s drained on %s", oif->name, g->name);
		}
	}
}

static int
ck_want_route(const struct topo_route *w, struct rc_table *tmp)
{
	struct rc_route	*rt;

	rc_table_clear(tmp);
	if ((rt = rc_table_add(tmp, (struct in_addr){ 0 }, 0)) == NULL)
		return -1;
	rt->metric = w->cost;
	for (size_t i = 0; i < w->npaths; i++)
		if (rc_route_nexthop_add(rt, w->nexthop[i], w->ifname[i]) == -1)
			return -1;
	rc_table_sort(tmp);
	return 0;
}

static void
ck_paths_pair(struct ck *c, const struct rc_router *r, int a, int b,
    struct rc_table *tmp)
{
	const struct topo_guest	*ga = &c->t->guests[a], *gb = &c->t->guests[b];
	const struct rc_route	*got;
	struct topo_route	 w;
	char			 p[RC_PREFIX_MAX], want[CK_TEXT_MAX];
	char			 found[CK_TEXT_MAX], why[200];

	if (topo_expect_vipa_route(c->t, c->res, a, b, &w) == -1)
		return;
	if ((got = rc_table_find(&r->tables[RC_TABLE_OSPF], gb->vipa,
	    32)) == NULL)
		return;		/* invariant 1 */
	if (ck_want_route(&w, tmp) == -1) {
		c->failed = 1;
		return;
	}
	if (got->metric == w.cost && rc_route_same_nexthops(got, &tmp->v[0]))
		return;
	if (w.npaths == 1 && strncmp(w.ifname[0], "hsi", 3) == 0)
		snprintf(why, sizeof(why), " (both on %s's HiperSockets LAN)",
		    ck_member_name(c, c->res[a]));
	else
		snprintf(why, sizeof(why), " (%s on %s, %s on %s)", ga->name,
		    ck_member_name(c, c->res[a]), gb->name,
		    ck_member_name(c, c->res[b]));
	ck_route_str(&tmp->v[0], true, want, sizeof(want));
	strncat(want, why, sizeof(want) - strlen(want) - 1);
	ck_route_str(got, true, found, sizeof(found));
	ck_drain_note(c, a, b, found, sizeof(found));
	ck_add(c, RC_INV_PATHS, ga->name, ck_vipa_prefix(gb, p, sizeof(p)),
	    "ospf", want, found);
}

static void
ck_paths(struct ck *c)
{
	struct rc_table	 tmp = { 0 };
	unsigned long	 n;

	for (size_t a = 0; a < c->t->nguests; a++) {
		const struct rc_router *r = ck_router(c, c->t->guests[a].name);

		if (r == NULL)
			continue;
		n = 0;
		for (size_t b = 0; b < c->t->nguests; b++) {
			if (a == b || !ck_concerns(c, (int)a, (int)b))
				continue;
			ck_paths_pair(c, r, (int)a, (int)b, &tmp);
			n++;
		}
		rc_report_checked(c->r, r->name, RC_INV_PATHS, n);
	}
	rc_table_clear(&tmp);
}

/* Invariant 3. */

/* The interfaces a table attaches the prefix to, "" when none. */
static void
ck_attached_ifs(const struct rc_table *t, const struct topo_prefix *p,
    bool kernel, char *buf, size_t len)
{
	const struct rc_route	*rt = rc_table_find(t, p->addr, p->len);
	size_t			 off = 0;

	buf[0] = '\0';
	if (rt == NULL || (kernel && strcmp(rt->kind, "ospf") == 0))
		return;
	for (size_t i = 0; i < rt->nnh && off < len; i++)
		if (rt->nh[i].gw.s_addr == INADDR_ANY)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off ? ", " : "", rt->nh[i].ifname);
}

static void
ck_hsi_subnet_router(struct ck *c, size_t g)
{
	const struct topo_guest	*gu = &c->t->guests[g];
	const struct rc_router	*r = ck_router(c, gu->name);
	char			 p[RC_PREFIX_MAX], o[100], k[100];
	char			 want[300], found[300];

	if (r == NULL)
		return;
	for (size_t m = 0; m < c->t->nmembers; m++) {
		const struct topo_member *mb = &c->t->members[m];

		if (c->res[g] == (int)m)
			continue;
		ck_attached_ifs(&r->tables[RC_TABLE_OSPF], &mb->hsi_lan, false,
		    o, sizeof(o));
		ck_attached_ifs(&r->tables[RC_TABLE_KERNEL], &mb->hsi_lan,
		    true, k, sizeof(k));
		if (o[0] == '\0' && k[0] == '\0')
			continue;
		rc_prefix_str(mb->hsi_lan.addr, mb->hsi_lan.len, p, sizeof(p));
		snprintf(want, sizeof(want), "not directly attached: %s lives "
		    "on %s, %s is %s's HiperSockets LAN", gu->name,
		    ck_member_name(c, c->res[g]), p, mb->name);
		snprintf(found, sizeof(found), "directly attached via %s "
		    "(%s%s%s)", o[0] ? o : k, o[0] ? "OSPF table" : "",
		    o[0] && k[0] ? " and " : "", k[0] ? "kernel" : "");
		ck_add(c, RC_INV_HSI_SUBNET, gu->name, p, o[0] ? "ospf" :
		    "kernel", want, found);
	}
	rc_report_checked(c->r, gu->name, RC_INV_HSI_SUBNET, c->t->nmembers);
}

static void
ck_hsi_subnet(struct ck *c)
{
	for (size_t g = 0; g < c->t->nguests; g++)
		if (ck_concerns(c, (int)g, (int)g))
			ck_hsi_subnet_router(c, g);
}

/* Invariant 4. */

static void
ck_hsi_wrong(struct ck *c, size_t g, const struct topo_nic *nic)
{
	const struct topo_guest		*gu = &c->t->guests[g];
	const struct topo_member	*mb = &c->t->members[nic->member];
	const struct topo_nic		*right = topo_guest_hsi_for(gu,
					    c->res[g]);
	char				 p[RC_PREFIX_MAX], want[300];
	char				 found[100];

	rc_prefix_str(mb->hsi_lan.addr, mb->hsi_lan.len, p, sizeof(p));
	snprintf(want, sizeof(want), "%s down: %s lives on %s (its "
	    "interface there: %s), %s is on %s's HiperSockets LAN %s",
	    nic->name, gu->name, ck_member_name(c, c->res[g]),
	    right ? right->name : "none", nic->name, mb->name, p);
	snprintf(found, sizeof(found), "%s up", nic->name);
	ck_add(c, RC_INV_HSI_UP, gu->name, p, "link", want, found);
}

static void
ck_hsi_up_router(struct ck *c, size_t g)
{
	const struct topo_guest	*gu = &c->t->guests[g];
	const struct rc_router	*r = ck_router(c, gu->name);
	const struct rc_link	*l;
	const struct topo_nic	*right;
	char			 ups[200] = "", want[300];
	size_t			 nup = 0, off = 0, nhsi = 0;

	if (r == NULL || !topo_guest_has_hsi(gu))
		return;
	for (size_t k = 0; k < gu->nnics; k++) {
		const struct topo_nic	*nic = &gu->nics[k];

		if (nic->kind != TOPO_NIC_HIPERSOCKETS)
			continue;
		nhsi++;
		if ((l = rc_router_link(r, nic->name)) == NULL) {
			ck_add(c, RC_INV_HSI_UP, gu->name, "", "link",
			    "interface present", "no such interface");
			continue;
		}
		if (!l->up)
			continue;
		nup++;
		if (off < sizeof(ups))
			off += (size_t)snprintf(ups + off, sizeof(ups) - off,
			    "%s%s", off ? ", " : "", nic->name);
		if (nic->member != c->res[g])
			ck_hsi_wrong(c, g, nic);
	}
	if (nup > 1) {
		right = topo_guest_hsi_for(gu, c->res[g]);
		snprintf(want, sizeof(want), "at most one HSI interface up "
		    "(%s lives on %s: %s)", gu->name,
		    ck_member_name(c, c->res[g]), right ? right->name :
		    "none");
		strncat(ups, " up", sizeof(ups) - strlen(ups) - 1);
		ck_add(c, RC_INV_HSI_UP, gu->name, "", "link", want, ups);
	}
	rc_report_checked(c->r, gu->name, RC_INV_HSI_UP, nhsi);
}

static void
ck_hsi_up(struct ck *c)
{
	for (size_t g = 0; g < c->t->nguests; g++)
		if (ck_concerns(c, (int)g, (int)g))
			ck_hsi_up_router(c, g);
}

/* Invariant 5. */

/* The default route the ABR gives guest g; -1 when it gives none. */
static int
ck_want_default(const struct ck *c, size_t g, struct rc_table *tmp)
{
	const struct topo_guest	*gu = &c->t->guests[g];
	const struct topo_abr	*abr = &c->t->abr;
	struct topo_route	 w;
	unsigned		 cost;

	memset(&w, 0, sizeof(w));
	for (size_t k = 0; k < gu->nnics; k++) {
		if (gu->nics[k].kind != TOPO_NIC_VSWITCH)
			continue;
		for (size_t i = 0; i < abr->nifs; i++) {
			if (abr->ifs[i].lan != gu->nics[k].lan)
				continue;
			cost = gu->nics[k].cost + c->t->area.default_cost;
			if (w.npaths > 0 && cost > w.cost)
				continue;
			if (w.npaths == 0 || cost < w.cost) {
				w.npaths = 0;
				w.cost = cost;
			}
			if (w.npaths == TOPO_MAX_NICS)
				continue;
			snprintf(w.ifname[w.npaths], sizeof(w.ifname[0]), "%s",
			    gu->nics[k].name);
			w.nexthop[w.npaths++] = abr->ifs[i].addr.addr;
		}
	}
	if (w.npaths == 0)
		return -1;
	return ck_want_route(&w, tmp);
}

static void
ck_default_router(struct ck *c, size_t g, struct rc_table *tmp)
{
	const struct topo_guest	*gu = &c->t->guests[g];
	const struct rc_router	*r = ck_router(c, gu->name);
	const struct rc_route	*got;
	char			 want[CK_TEXT_MAX], found[CK_TEXT_MAX];
	size_t			 off;

	if (r == NULL || ck_want_default(c, g, tmp) == -1)
		return;
	rc_report_checked(c->r, gu->name, RC_INV_DEFAULT, 1);
	got = rc_table_find(&r->tables[RC_TABLE_OSPF], (struct in_addr){ 0 },
	    0);
	if (got != NULL && got->metric == tmp->v[0].metric &&
	    strcmp(got->kind, "inter-area") == 0 &&
	    rc_route_same_nexthops(got, &tmp->v[0]))
		return;
	snprintf(want, sizeof(want), "inter-area ");
	off = strlen(want);
	ck_route_str(&tmp->v[0], true, want + off, sizeof(want) - off);
	strncat(want, " (the ABR ", sizeof(want) - strlen(want) - 1);
	strncat(want, c->t->abr.name, sizeof(want) - strlen(want) - 1);
	strncat(want, ")", sizeof(want) - strlen(want) - 1);
	if (got == NULL)
		snprintf(found, sizeof(found), "absent");
	else {
		snprintf(found, sizeof(found), "%s ", got->kind[0] ?
		    got->kind : "?");
		off = strlen(found);
		ck_route_str(got, true, found + off, sizeof(found) - off);
	}
	ck_add(c, RC_INV_DEFAULT, gu->name, "0.0.0.0/0", "ospf", want, found);
}

static void
ck_default(struct ck *c)
{
	struct rc_table	tmp = { 0 };

	if (!c->t->area.stub)	/* only a stub area's ABR injects one */
		return;
	for (size_t g = 0; g < c->t->nguests; g++)
		if (ck_concerns(c, (int)g, (int)g))
			ck_default_router(c, g, &tmp);
	rc_table_clear(&tmp);
}

/* Invariant 6. */

/* With a guest filter, a router other than the guest compares only the
 * route to the guest's VIPA. */
static bool
ck_agree_prefix(const struct ck *c, int self, const struct rc_route *rt)
{
	const struct topo_guest	*g;

	if (c->o->guest < 0 || self == c->o->guest)
		return true;
	g = &c->t->guests[c->o->guest];
	return rt->len == 32 && rt->dst.s_addr == g->vipa.s_addr;
}

static void
ck_agree_zebra(struct ck *c, const struct rc_router *r,
    const struct rc_route *o)
{
	const struct rc_route	*z;
	char			 p[RC_PREFIX_MAX], want[CK_TEXT_MAX];
	char			 found[CK_TEXT_MAX];

	if (!r->tables[RC_TABLE_ZEBRA].present)
		return;
	z = rc_table_find(&r->tables[RC_TABLE_ZEBRA], o->dst, o->len);
	if (z != NULL && z->metric == o->metric &&
	    rc_route_same_nexthops(z, o))
		return;
	ck_route_str(o, true, want, sizeof(want));
	strncat(want, " (as in the OSPF table)", sizeof(want) - strlen(want) -
	    1);
	if (z == NULL)
		snprintf(found, sizeof(found), "absent");
	else
		ck_route_str(z, true, found, sizeof(found));
	ck_add(c, RC_INV_AGREE, r->name, rc_prefix_str(o->dst, o->len, p,
	    sizeof(p)), "zebra", want, found);
}

static void
ck_agree_kernel(struct ck *c, const struct rc_router *r,
    const struct rc_route *o)
{
	const struct rc_route	*k, *z = NULL;
	char			 p[RC_PREFIX_MAX], want[CK_TEXT_MAX];
	char			 found[CK_TEXT_MAX];

	if (!r->tables[RC_TABLE_KERNEL].present || rc_route_attached(o))
		return;		/* attached: the kernel's own route */
	if (r->tables[RC_TABLE_ZEBRA].present)
		z = rc_table_find(&r->tables[RC_TABLE_ZEBRA], o->dst, o->len);
	k = rc_table_find(&r->tables[RC_TABLE_KERNEL], o->dst, o->len);
	if (k != NULL && strcmp(k->kind, "ospf") == 0 &&
	    rc_route_same_nexthops(k, o))
		return;
	/* Another protocol's route that zebra preferred. */
	if (k != NULL && strcmp(k->kind, "ospf") != 0 &&
	    (z == NULL || !z->installed))
		return;
	ck_route_str(o, false, want, sizeof(want));
	strncat(want, " (as in the OSPF table)", sizeof(want) - strlen(want) -
	    1);
	if (k == NULL)
		snprintf(found, sizeof(found), "absent");
	else {
		snprintf(found, sizeof(found), "proto %s ", k->kind);
		ck_route_str(k, false, found + strlen(found), sizeof(found) -
		    strlen(found));
	}
	ck_add(c, RC_INV_AGREE, r->name, rc_prefix_str(o->dst, o->len, p,
	    sizeof(p)), "kernel", want, found);
}

/* OSPF routes in zebra or the kernel that ospfd no longer has. */
static void
ck_agree_stale(struct ck *c, const struct rc_router *r, int self,
    enum rc_table_kind kind)
{
	const struct rc_table	*t = &r->tables[kind];
	char			 p[RC_PREFIX_MAX], found[CK_TEXT_MAX];

	for (size_t i = 0; t->present && i < t->n; i++) {
		const struct rc_route	*rt = &t->v[i];

		if (strcmp(rt->kind, "ospf") != 0 ||
		    !ck_agree_prefix(c, self, rt) ||
		    rc_table_find(&r->tables[RC_TABLE_OSPF], rt->dst,
		    rt->len) != NULL)
			continue;
		ck_route_str(rt, kind == RC_TABLE_ZEBRA, found, sizeof(found));
		ck_add(c, RC_INV_AGREE, r->name, rc_prefix_str(rt->dst,
		    rt->len, p, sizeof(p)), rc_table_name(kind),
		    "absent (not in the OSPF table)", found);
	}
}

static void
ck_agree_router(struct ck *c, const char *name, int self)
{
	const struct rc_router	*r = ck_router(c, name);
	const struct rc_table	*o;
	unsigned long		 n = 0;

	if (r == NULL)
		return;
	o = &r->tables[RC_TABLE_OSPF];
	for (size_t i = 0; i < o->n; i++) {
		if (!ck_agree_prefix(c, self, &o->v[i]))
			continue;
		n++;
		ck_agree_zebra(c, r, &o->v[i]);
		ck_agree_kernel(c, r, &o->v[i]);
	}
	ck_agree_stale(c, r, self, RC_TABLE_ZEBRA);
	ck_agree_stale(c, r, self, RC_TABLE_KERNEL);
	rc_report_checked(c->r, name, RC_INV_AGREE, n);
}

static void
ck_agree(struct ck *c)
{
	ck_agree_router(c, c->t->abr.name, -1);
	for (size_t g = 0; g < c->t->nguests; g++)
		ck_agree_router(c, c->t->guests[g].name, (int)g);
}

void
rc_residency_index(const struct topo *t, const struct rc_snap *s, int *res)
{
	const char	*m;

	for (size_t g = 0; g < t->nguests; g++) {
		if ((m = rc_snap_residency(s, t->guests[g].name)) == NULL)
			res[g] = t->guests[g].member;
		else
			res[g] = topo_member_find(t, m);
	}
}

int
rc_check(const struct topo *t, const struct rc_snap *s,
    const struct rc_check_opts *o, struct rc_report *r)
{
	static const struct rc_check_opts	 all = { -1, 0 };
	struct ck				 c;

	if (o == NULL)
		o = &all;
	if (o->guest >= 0 && (size_t)o->guest >= t->nguests) {
		errno = EINVAL;
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.s = s;
	c.o = o;
	c.r = r;
	if ((c.res = calloc(t->nguests + 1, sizeof(*c.res))) == NULL)
		return -1;
	rc_residency_index(t, s, c.res);
	if (ck_enabled(&c, RC_INV_VIPA))
		ck_vipa(&c);
	if (ck_enabled(&c, RC_INV_PATHS))
		ck_paths(&c);
	if (ck_enabled(&c, RC_INV_HSI_SUBNET))
		ck_hsi_subnet(&c);
	if (ck_enabled(&c, RC_INV_HSI_UP))
		ck_hsi_up(&c);
	if (ck_enabled(&c, RC_INV_DEFAULT))
		ck_default(&c);
	if (ck_enabled(&c, RC_INV_AGREE))
		ck_agree(&c);
	free(c.res);
	if (c.failed) {
		errno = ENOMEM;
		return -1;
	}
	return c.added;
}
