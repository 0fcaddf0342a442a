/*
 * links.c: the lab's namespaces, bridges and veth pairs.
 *
 * The switch namespace LAB:sw holds every bridge (one per VSWITCH LAN,
 * one HiperSockets bridge per member) and the host end of every NIC.
 * Each router (the ABR, every guest) has its own namespace holding the
 * router end.  Work is done in three netlink batches per namespace:
 * bridges; router links with their addresses and states; host ends into
 * their bridges.  Interface indexes are chosen here, so no batch has to
 * ask the kernel back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

#define IDX_BRIDGE	10	/* + bridge number, switch namespace */
#define IDX_HOSTEND	1000	/* + link number, switch namespace */
#define IDX_ROUTER	10	/* + link number within the node */
#define IDX_STANDIN	500	/* + link number within the node */

struct links_ctx {
	const struct topo	*t;
	struct lab_state	*st;
	struct topo_link	*links;
	size_t			 nlinks;
	int			 swfd;
	bool			 have_dummy;
	const char		*step;
};

static void
links_err(void *arg, const char *what, int err, const char *extack)
{
	struct links_ctx	*c = arg;

	log_warnx("[NSLAB-NETLINK] %s: %s: %s%s%s", c->step, what,
	    strerror(err), extack ? ": " : "", extack ? extack : "");
}

/* A namespace of that name exists and is not ours: refuse, touch nothing. */
static bool
links_not_ours(const char *name)
{
	if (!netns_exists(name))
		return false;
	log_warnx("[NSLAB-NETNS] namespace %s exists and was not made by this "
	    "lab; remove it (ip netns del %s) or rename the lab", name, name);
	return true;
}

static int
links_netns(struct links_ctx *c, const char *node, int *fd)
{
	char	name[128];

	if (lab_node_netns(c->t->name, node, name, sizeof(name)) == -1)
		return -1;
	if (links_not_ours(name) || state_note(c->st, "netns", "%s", name) == -1)
		return -1;
	if (netns_create(name) == -1) {
		log_warn("[NSLAB-NETNS] create namespace %s", name);
		return -1;
	}
	if ((*fd = netns_open(name)) == -1) {
		log_warn("[NSLAB-NETNS] open namespace %s", name);
		return -1;
	}
	return 0;
}

/*
 * A VSWITCH NIC plugs into its LAN's bridge.  Every HiperSockets NIC of
 * a guest plugs into the HiperSockets bridge of the member the guest
 * lives on, whatever network its address belongs to: that is what a
 * CPC's HiperSockets device is, and why the wrong interface left up
 * after a move makes a disjoint network.
 */
static int
links_bridge_index(const struct links_ctx *c, const struct topo_link *l)
{
	if (l->kind == TOPO_LINK_LAN)
		return IDX_BRIDGE + l->bridge;
	return IDX_BRIDGE + (int)c->t->nlans + c->t->guests[l->guest].member;
}

/* Bridges of the switch namespace, and the dummy-support probe. */
static int
links_switch(struct links_ctx *c)
{
	struct nl_batch	*nb;
	char		 name[32];
	size_t		 i;
	int		 rc;

	c->step = "probe dummy links";
	if ((nb = nlb_open(c->swfd, NULL, NULL)) == NULL)
		return -1;
	nlb_dummy_add(nb, "probe0", 2);
	c->have_dummy = nlb_commit(nb) == 0;
	nlb_close(nb);

	c->step = "create bridges";
	if ((nb = nlb_open(c->swfd, links_err, c)) == NULL)
		return -1;
	for (i = 0; i < c->t->nlans; i++) {
		labname_lan_bridge((int)i, name, sizeof(name));
		nlb_bridge_add(nb, name, IDX_BRIDGE + (int)i);
		nlb_link_set(nb, IDX_BRIDGE + (int)i, true, 0, name);
	}
	for (i = 0; i < c->t->nmembers; i++) {
		int	idx = IDX_BRIDGE + (int)(c->t->nlans + i);

		labname_hsi_bridge((int)i, name, sizeof(name));
		nlb_bridge_add(nb, name, idx);
		nlb_link_set(nb, idx, true, 0, name);
	}
	rc = nlb_commit(nb);
	nlb_close(nb);
	return rc;
}

static void
links_hostif(const struct links_ctx *c, size_t k, char *buf, size_t len)
{
	const struct topo_link	*l = &c->links[k];
	size_t			 j, n = 0;

	/* The NIC's number within its node, in topo_links() order. */
	for (j = 0; j < k; j++)
		if (c->links[j].node == l->node &&
		    c->links[j].kind != TOPO_LINK_STANDIN)
			n++;
	if (l->guest >= 0)
		labname_guest_hostif(l->guest, (int)n, buf, len);
	else
		labname_abr_hostif((int)n, buf, len);
}

static void
links_queue(struct links_ctx *c, struct nl_batch *nb, size_t k)
{
	const struct topo_link	*l = &c->links[k];
	struct nlb_veth		 v;
	char			 peer[32], alias[64];
	int			 idx = IDX_ROUTER + (int)k;

	snprintf(alias, sizeof(alias), "%s/%s", l->node, l->ifname);
	memset(&v, 0, sizeof(v));
	v.name = l->ifname;
	v.ifindex = idx;
	v.alias = alias;
	if (l->kind == TOPO_LINK_STANDIN && c->have_dummy)
		nlb_dummy_add(nb, l->ifname, idx);
	else if (l->kind == TOPO_LINK_STANDIN) {
		snprintf(peer, sizeof(peer), "%.13sp", l->ifname);
		v.peer = peer;
		v.peer_ifindex = IDX_STANDIN + (int)k;
		v.peer_nsfd = -1;
		nlb_veth_add(nb, &v);
		nlb_link_set(nb, v.peer_ifindex, true, 0, peer);
	} else {
		links_hostif(c, k, peer, sizeof(peer));
		v.peer = peer;
		v.peer_ifindex = IDX_HOSTEND + (int)k;
		v.peer_nsfd = c->swfd;
		nlb_veth_add(nb, &v);
	}
	nlb_addr_add(nb, idx, &l->addr, alias);
	nlb_link_set(nb, idx, l->up, 0, alias);
}

static int
links_sysctls(int fd, bool guest)
{
	static const char *const common[][2] = {
		{ "net/ipv6/conf/all/disable_ipv6", "1" },
		{ "net/ipv6/conf/default/disable_ipv6", "1" },
		{ "net/ipv4/ip_forward", "1" },
		{ "net/ipv4/conf/all/rp_filter", "0" },
		{ "net/ipv4/conf/default/rp_filter", "0" },
	};
	size_t	i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (netns_sysctl(fd, common[i][0], common[i][1]) == -1) {
			log_warn("[NSLAB-SYSCTL] %s", common[i][0]);
			return -1;
		}
	if (guest && (netns_sysctl(fd, "net/ipv4/conf/all/arp_announce",
	    "1") == -1 || netns_sysctl(fd, "net/ipv4/conf/default/arp_announce",
	    "1") == -1)) {
		log_warn("[NSLAB-SYSCTL] arp_announce");
		return -1;
	}
	return 0;
}

/* One router's namespace: sysctls, loopback, links, addresses. */
static int
links_node(struct links_ctx *c, const char *node, int guest)
{
	struct nl_batch	*nb;
	char		 step[96];
	size_t		 k;
	int		 fd, rc;

	if (links_netns(c, node, &fd) == -1)
		return -1;
	snprintf(step, sizeof(step), "links of %s", node);
	c->step = step;
	rc = -1;
	if (links_sysctls(fd, guest >= 0) == -1 ||
	    (nb = nlb_open(fd, links_err, c)) == NULL)
		goto out;
	nlb_link_set(nb, 1, true, 0, "lo");
	for (k = 0; k < c->nlinks; k++)
		if (strcmp(c->links[k].node, node) == 0)
			links_queue(c, nb, k);
	rc = nlb_commit(nb);
	nlb_close(nb);
out:
	close(fd);
	return rc;
}

/* Plug every host end into its bridge and bring it up. */
static int
links_plug(struct links_ctx *c)
{
	struct nl_batch	*nb;
	char		 name[32];
	size_t		 k;
	int		 rc;

	c->step = "plug NICs into bridges";
	if ((nb = nlb_open(c->swfd, links_err, c)) == NULL)
		return -1;
	for (k = 0; k < c->nlinks; k++) {
		if (c->links[k].kind == TOPO_LINK_STANDIN)
			continue;
		links_hostif(c, k, name, sizeof(name));
		nlb_link_set(nb, IDX_HOSTEND + (int)k, true,
		    links_bridge_index(c, &c->links[k]), name);
	}
	rc = nlb_commit(nb);
	nlb_close(nb);
	return rc;
}

static int
links_switch_ns(struct links_ctx *c)
{
	char	name[128];

	if (labname_switch_netns(c->t->name, name, sizeof(name)) == NULL ||
	    links_not_ours(name) ||
	    state_note(c->st, "netns", "%s", name) == -1)
		return -1;
	if (netns_create(name) == -1) {
		log_warn("[NSLAB-NETNS] create namespace %s", name);
		return -1;
	}
	if ((c->swfd = netns_open(name)) == -1)
		return -1;
	return links_sysctls(c->swfd, false);
}

/*
 * Build every namespace and link of the topology.  Everything created
 * is in the manifest before it exists.  Returns 0 or -1 (logged).
 */
int
links_build(const struct topo *t, struct lab_state *st)
{
	struct links_ctx	c;
	ssize_t			n;
	size_t			i;
	int			rc = -1;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.st = st;
	c.swfd = -1;
	if ((n = topo_links(t, &c.links)) == -1)
		return -1;
	c.nlinks = (size_t)n;
	if (links_switch_ns(&c) == -1 || links_switch(&c) == -1)
		goto out;
	if (links_node(&c, t->abr.name, -1) == -1)
		goto out;
	for (i = 0; i < t->nguests; i++)
		if (links_node(&c, t->guests[i].name, (int)i) == -1)
			goto out;
	rc = links_plug(&c);
out:
	if (c.swfd != -1)
		close(c.swfd);
	free(c.links);
	return rc;
}
