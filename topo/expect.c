/*
 * expect.c: what a converged lab looks like, derived from the model.
 *
 * Adjacencies follow the DR election on broadcast networks: a router
 * with priority 0 never becomes DR or BDR, so two such routers stay in
 * 2-Way and are not listed; a pair involving an eligible router is Full
 * for sure when at most two routers on the LAN are eligible (they are
 * DR and BDR), otherwise the election decides (must_be_full false).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "topo_priv.h"

/* One OSPF router on a LAN. */
struct exp_router {
	struct in_addr	 rid;
	unsigned	 priority;
	int		 guest;		/* -1: the ABR */
};

struct exp_list {
	struct topo_adj	*v;
	size_t		 n;
};

static int
exp_member(const struct topo *t, const int *residency, size_t g)
{
	return residency != NULL ? residency[g] : t->guests[g].member;
}

/* The routers on VSWITCH LAN lan (kind LAN) or member lan's HSI LAN. */
static size_t
exp_lan_routers(const struct topo *t, const int *residency,
    enum topo_link_kind kind, int lan, struct exp_router *r)
{
	const struct topo_guest	*g;
	const struct topo_nic	*nic;
	size_t			 i, j, n = 0;

	for (i = 0; kind == TOPO_LINK_LAN && i < t->abr.nifs; i++)
		if (t->abr.ifs[i].lan == lan)
			r[n++] = (struct exp_router){ t->abr.router_id,
			    t->abr.ifs[i].priority, -1 };
	for (i = 0; i < t->nguests; i++) {
		g = &t->guests[i];
		if (kind == TOPO_LINK_HSI) {
			if (exp_member(t, residency, i) == lan &&
			    (nic = topo_guest_hsi_for(g, lan)) != NULL)
				r[n++] = (struct exp_router){ g->vipa,
				    nic->priority, (int)i };
			continue;
		}
		for (j = 0; j < g->nnics; j++)
			if (g->nics[j].kind == TOPO_NIC_VSWITCH &&
			    g->nics[j].lan == lan)
				r[n++] = (struct exp_router){ g->vipa,
				    g->nics[j].priority, (int)i };
	}
	return n;
}

static int
exp_add(struct exp_list *l, const char *ifname, struct in_addr nbr,
    bool full)
{
	struct topo_adj	*v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	memset(&v[l->n], 0, sizeof(v[l->n]));
	snprintf(v[l->n].ifname, sizeof(v[l->n].ifname), "%s", ifname);
	v[l->n].neighbor = nbr;
	v[l->n].must_be_full = full;
	l->n++;
	return 0;
}

/* Neighbours of router self (guest index or -1) on one LAN. */
static int
exp_lan(const struct topo *t, const int *residency, enum topo_link_kind kind,
    int lan, int self, const char *ifname, struct exp_list *l)
{
	struct exp_router	*r;
	size_t			 i, n, eligible = 0;
	unsigned		 prio = 0;
	int			 rv = 0;

	if ((r = calloc(t->nguests + t->abr.nifs + 1, sizeof(*r))) == NULL)
		return -1;
	n = exp_lan_routers(t, residency, kind, lan, r);
	for (i = 0; i < n; i++) {
		eligible += r[i].priority > 0;
		if (r[i].guest == self)
			prio = r[i].priority;
	}
	for (i = 0; i < n && rv == 0; i++) {
		if (r[i].guest == self || (prio == 0 && r[i].priority == 0))
			continue;
		rv = exp_add(l, ifname, r[i].rid, eligible <= 2);
	}
	free(r);
	return rv;
}

static int
exp_guest(const struct topo *t, const int *residency, int gi,
    struct exp_list *l)
{
	const struct topo_guest	*g = &t->guests[gi];
	const struct topo_nic	*nic;
	size_t			 i;

	for (i = 0; i < g->nnics; i++) {
		nic = &g->nics[i];
		if (nic->kind == TOPO_NIC_VSWITCH) {
			if (exp_lan(t, residency, TOPO_LINK_LAN, nic->lan, gi,
			    nic->name, l) == -1)
				return -1;
		} else if (nic->member == exp_member(t, residency,
		    (size_t)gi)) {
			if (exp_lan(t, residency, TOPO_LINK_HSI, nic->member,
			    gi, nic->name, l) == -1)
				return -1;
		}
	}
	return 0;
}

static int
exp_abr(const struct topo *t, const int *residency, struct exp_list *l)
{
	size_t	i;

	for (i = 0; i < t->abr.nifs; i++)
		if (exp_lan(t, residency, TOPO_LINK_LAN, t->abr.ifs[i].lan, -1,
		    t->abr.ifs[i].name, l) == -1)
			return -1;
	return 0;
}

ssize_t
topo_expect_adjacencies(const struct topo *t, const int *residency,
    const char *node, struct topo_adj **adjs)
{
	struct exp_list	l = { NULL, 0 };
	int		g, rv;

	if ((g = topo_guest_find(t, node)) >= 0)
		rv = exp_guest(t, residency, g, &l);
	else if (strcmp(node, t->abr.name) == 0)
		rv = exp_abr(t, residency, &l);
	else
		return -1;	/* errno ENOENT from topo_guest_find() */
	if (rv == -1) {
		free(l.v);
		errno = ENOMEM;
		return -1;
	}
	*adjs = l.v;
	return (ssize_t)l.n;
}

/* B's NIC on the same VSWITCH LAN as a's NIC, or NULL. */
static const struct topo_nic *
exp_peer_nic(const struct topo_guest *b, const struct topo_nic *a)
{
	size_t	i;

	for (i = 0; i < b->nnics; i++)
		if (b->nics[i].kind == TOPO_NIC_VSWITCH &&
		    b->nics[i].lan == a->lan)
			return &b->nics[i];
	return NULL;
}

static void
exp_path(struct topo_route *r, const struct topo_nic *via,
    const struct topo_nic *to, unsigned cost)
{
	if (r->npaths > 0 && cost > r->cost)
		return;
	if (r->npaths == 0 || cost < r->cost) {
		r->npaths = 0;
		r->cost = cost;
	}
	snprintf(r->ifname[r->npaths], sizeof(r->ifname[0]), "%s", via->name);
	r->nexthop[r->npaths] = to->addr.addr;
	r->npaths++;
}

int
topo_expect_vipa_route(const struct topo *t, const int *residency, int from,
    int to, struct topo_route *r)
{
	const struct topo_guest	*a, *b;
	const struct topo_nic	*na, *nb;
	int			 ma, mb;
	size_t			 i;

	if (from < 0 || to < 0 || (size_t)from >= t->nguests ||
	    (size_t)to >= t->nguests || from == to) {
		errno = EINVAL;
		return -1;
	}
	a = &t->guests[from];
	b = &t->guests[to];
	ma = exp_member(t, residency, (size_t)from);
	mb = exp_member(t, residency, (size_t)to);
	memset(r, 0, sizeof(*r));
	for (i = 0; i < a->nnics; i++) {
		na = &a->nics[i];
		if (na->kind == TOPO_NIC_VSWITCH)
			nb = exp_peer_nic(b, na);
		else if (na->member == ma && ma == mb)
			nb = topo_guest_hsi_for(b, ma);
		else
			nb = NULL;
		if (nb != NULL)
			exp_path(r, na, nb, na->cost + b->vipa_cost);
	}
	if (r->npaths == 0) {
		errno = ENETUNREACH;
		return -1;
	}
	return 0;
}
