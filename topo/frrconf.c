/*
 * frrconf.c: the zebra and ospfd configuration of each router.
 *
 * Interfaces join OSPF with "ip ospf area" (no network statements), so
 * exactly the listed interfaces run OSPF.  Addresses are set by the lab,
 * so zebra's file only names the router and keeps routes' next hops in
 * the routes themselves (frr_zebra).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topo.h"
#include "topo_priv.h"

static const struct in_addr	frr_backbone = { INADDR_ANY };

static void
frr_header(const struct topo *t, const char *node, const char *daemon,
    FILE *out)
{
	fprintf(out, "! %s.conf of %s in lab %s, generated from %s\n", daemon,
	    node, t->name, t->file ? t->file : "a topology model");
	fprintf(out, "hostname %s\n!\n", node);
}

/*
 * No kernel nexthop objects: FRR 8.4's zebra installs each route with a
 * nexthop group object (nhid).  When an interface goes down the kernel
 * deletes the nexthop objects on it and drops them from every group; when
 * it comes back zebra reinstalls the single nexthops but not the groups it
 * still counts as installed, so a route over trk1 and trk2 stays on trk2
 * alone in the kernel while OSPF and zebra list both (seen with a trunk
 * flapping during a move, fault_trunk_down).  With the next hops inside
 * each route the kernel only marks them dead and revives them at the up,
 * and every change of a route's next hops replaces the route.
 */
static void
frr_zebra(FILE *out)
{
	fprintf(out, "no zebra nexthop kernel enable\n!\n");
}

static void
frr_timers_if(const struct topo_timers *tm, FILE *out)
{
	fprintf(out, " ip ospf retransmit-interval %u\n", tm->retransmit);
	if (tm->dead == 1 && tm->hello_multiplier > 0) {
		fprintf(out, " ip ospf dead-interval minimal hello-multiplier "
		    "%u\n", tm->hello_multiplier);
		return;
	}
	fprintf(out, " ip ospf hello-interval %u\n", tm->hello);
	fprintf(out, " ip ospf dead-interval %u\n", tm->dead);
}

/* One OSPF interface; cost 0 leaves FRR's cost (the backbone stand-in). */
static void
frr_iface(const struct topo *t, const char *ifname, struct in_addr area,
    unsigned cost, int priority, FILE *out)
{
	char	a[INET_ADDRSTRLEN];

	fprintf(out, "interface %s\n", ifname);
	fprintf(out, " ip ospf area %s\n", topo_ntoa(area, a, sizeof(a)));
	if (cost > 0)
		fprintf(out, " ip ospf cost %u\n", cost);
	if (priority >= 0)
		fprintf(out, " ip ospf priority %d\n", priority);
	frr_timers_if(&t->area.timers, out);
	fprintf(out, "!\n");
}

static void
frr_router(const struct topo *t, struct in_addr router_id, bool abr,
    FILE *out)
{
	const struct topo_area		*a = &t->area;
	const struct topo_timers	*tm = &a->timers;
	char				 id[INET_ADDRSTRLEN];
	char				 area[INET_ADDRSTRLEN];

	topo_ntoa(a->id, area, sizeof(area));
	fprintf(out, "router ospf\n");
	fprintf(out, " ospf router-id %s\n", topo_ntoa(router_id, id,
	    sizeof(id)));
	/* Every neighbour state change in ospfd.log: what an engineer
	 * reads first when an adjacency takes long. */
	fprintf(out, " log-adjacency-changes detail\n");
	if (a->stub)
		fprintf(out, " area %s stub%s\n", area,
		    a->no_summary ? " no-summary" : "");
	if (abr && a->stub)
		fprintf(out, " area %s default-cost %u\n", area,
		    a->default_cost);
	fprintf(out, " timers throttle spf %u %u %u\n", tm->spf_delay,
	    tm->spf_hold, tm->spf_max_hold);
	fprintf(out, " timers throttle lsa all %u\n", tm->lsa_throttle);
	fprintf(out, " timers lsa min-arrival %u\n", tm->lsa_min_arrival);
	if (!a->proactive_arp)
		fprintf(out, " no proactive-arp\n");
	fprintf(out, "!\n");
}

static void
frr_guest(const struct topo *t, const struct topo_guest *g, FILE *out)
{
	const struct topo_nic	*n;
	size_t			 i;

	frr_iface(t, TOPO_VIPA_IF, t->area.id, g->vipa_cost, 0, out);
	for (i = 0; i < g->nnics; i++) {
		n = &g->nics[i];
		frr_iface(t, n->name, t->area.id, n->cost, (int)n->priority,
		    out);
	}
	frr_router(t, g->vipa, false, out);
}

static void
frr_abr(const struct topo *t, FILE *out)
{
	const struct topo_abr	*a = &t->abr;
	size_t			 i;

	for (i = 0; i < a->nifs; i++)
		frr_iface(t, a->ifs[i].name, t->area.id, a->ifs[i].cost,
		    (int)a->ifs[i].priority, out);
	frr_iface(t, a->backbone_if, frr_backbone, 0, -1, out);
	frr_router(t, a->router_id, true, out);
}

int
topo_frr_conf(const struct topo *t, const char *node,
    enum topo_daemon daemon, FILE *out)
{
	int	g = topo_guest_find(t, node);
	bool	abr = strcmp(node, t->abr.name) == 0;

	if (g < 0 && !abr) {
		errno = ENOENT;
		return -1;
	}
	frr_header(t, node, daemon == TOPO_ZEBRA ? "zebra" : "ospfd", out);
	if (daemon == TOPO_ZEBRA) {
		frr_zebra(out);
		return 0;
	}
	if (g >= 0)
		frr_guest(t, &t->guests[g], out);
	else
		frr_abr(t, out);
	return 0;
}
