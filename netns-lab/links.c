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
 *
 * A topology with hosts has no switch namespace: each host's namespace
 * LAB:HOST holds a bridge per VSWITCH LAN, the HiperSockets bridges of
 * its own members, the host ends of the NICs of the routers that run
 * there (guests on its members, the ABR when it is there), and a VXLAN
 * device per VSWITCH LAN plugged into that LAN's bridge, tunnelling to
 * the other hosts over the underlay: the underlay namespace LAB:ul holds
 * a bridge with a veth to each host (ul0 there, with its underlay
 * address).  A guest's NIC host ends stay in the host where it started:
 * moving a veth end to another namespace takes it down, and the guest
 * would see its NIC lose carrier.  So every host also has, for each
 * member of another host, an uplink bridge hpM wired to that member's
 * HiperSockets bridge hsM by VXLAN (vhM, one VNI per member, in hpM
 * tunnelling to the member's host; in hsM flooding to every other host);
 * relocation only moves the host end of an HSI NIC from one bridge to
 * another in its namespace (hypervisor/hvd/replug.c), and the VSWITCH
 * LANs reach every host anyway.
 *
 * Everything between hosts goes over the underlay by address, so one
 * host's part can be built alone (`nslab up --host`): its namespace, its
 * routers and its port on the underlay; the underlay namespace is made
 * by the first part and shared by the others.
 */
#include <arpa/inet.h>
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
#define IDX_STANDIN	100	/* + link number within the node */
#define IDX_UNDERLAY	3	/* ul0 in a host namespace */
#define IDX_VXLAN	50	/* + lan index, host namespace */
#define IDX_UL_BRIDGE	10	/* the underlay namespace's bridge */
#define IDX_UL_PORT	100	/* + host index, underlay namespace */
#define IDX_UPLINK	200	/* + member: vhM, host namespace */
#define VNI_UPLINK	100	/* + member: vhM's VNI above the LANs' */
#define UNDERLAY_MTU	1600	/* room for VXLAN around 1500 */

struct links_ctx {
	const struct topo	*t;
	struct lab_state	*st;
	struct topo_link	*links;
	size_t			 nlinks;
	size_t			 nsw;	/* switch namespaces: hosts, or 1 */
	int			 swfd[TOPO_MAX_HOSTS];
	char			 swname[TOPO_MAX_HOSTS][128];
	bool			 have_dummy, probed;
	int			 host;	/* the one host built, -1: all */
	const char		*step;
};

/* The switch namespace of a link: its router's host's (0 without). */
static size_t
links_sw(const struct links_ctx *c, const struct topo_link *l)
{
	int	h = l->guest >= 0 ? topo_member_host(c->t,
		    c->t->guests[l->guest].member) : c->t->abr.host;

	return h >= 0 ? (size_t)h : 0;
}

/* Is switch namespace s built by this run? */
static bool
links_sw_here(const struct links_ctx *c, size_t s)
{
	return c->host < 0 || (size_t)c->host == s;
}

/* Is member m's HiperSockets bridge in switch namespace s? */
static bool
links_hsi_here(const struct links_ctx *c, size_t m, size_t s)
{
	return c->t->nhosts == 0 || c->t->members[m].host == (int)s;
}

static void
links_err(void *arg, const char *what, int err, const char *extack)
{
	struct links_ctx	*c = arg;

	log_warnx("[NSLAB-NETLINK] %s: %s: %s%s%s", c->step, what,
	    strerror(err), extack ? ": " : "", extack ? extack : "");
}

/* A batch in namespace ns for the step c->step; NULL said. */
static struct nl_batch *
links_batch(struct links_ctx *c, const char *ns)
{
	struct nl_batch	*nb;

	if ((nb = nlb_open(ns, links_err, c)) == NULL)
		log_warn("[NSLAB-NETLINK] %s", c->step);
	return nb;
}

/* Send the batch, say what failed, close it: 0, -1. */
static int
links_commit(struct links_ctx *c, struct nl_batch *nb)
{
	int	rc;

	if ((rc = nlb_commit(nb)) == -1)
		nlb_log_failure(c->step);
	nlb_close(nb);
	return rc;
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

/* Make the namespace name, noted in the manifest first. */
static int
links_ns_create(struct links_ctx *c, const char *name)
{
	if (links_not_ours(name) ||
	    state_note(c->st, "netns", "%s", name) == -1)
		return -1;
	if (netns_create(name) == -1) {
		log_warn("[NSLAB-NETNS] create namespace %s", name);
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

/* Bridges of switch namespace s, and (in the first) the dummy probe. */
static int
links_switch(struct links_ctx *c, size_t s)
{
	struct nl_batch	*nb;
	char		 name[32];
	size_t		 i;

	c->step = "probe dummy links";
	if (!c->probed) {
		if ((nb = nlb_open(c->swname[s], NULL, NULL)) == NULL)
			return -1;
		nlb_dummy_add(nb, "probe0", 2);
		c->have_dummy = nlb_commit(nb) == 0;
		nlb_close(nb);
		c->probed = true;
	}

	c->step = "create bridges";
	if ((nb = links_batch(c, c->swname[s])) == NULL)
		return -1;
	if (c->t->nhosts > 0)		/* a host talks to itself (etcd) */
		nlb_link_set(nb, 1, true, 0, "lo");
	for (i = 0; i < c->t->nlans + c->t->nmembers; i++) {
		if (i < c->t->nlans)
			labname_lan_bridge((int)i, name, sizeof(name));
		else if (links_hsi_here(c, i - c->t->nlans, s))
			labname_hsi_bridge((int)(i - c->t->nlans), name,
			    sizeof(name));
		else
			labname_hsi_uplink_bridge((int)(i - c->t->nlans), name,
			    sizeof(name));
		if (state_note(c->st, "bridge", "%s %s", c->swname[s],
		    name) == -1) {
			log_warn("[NSLAB-STATE] %s", c->step);
			nlb_close(nb);
			return -1;
		}
		nlb_bridge_add(nb, name, IDX_BRIDGE + (int)i);
		nlb_link_set(nb, IDX_BRIDGE + (int)i, true, 0, name);
	}
	return links_commit(c, nb);
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

/* The link's number within its node's namespace. */
static int
links_local(const struct links_ctx *c, size_t k)
{
	int	n = 0;

	for (size_t j = 0; j < k; j++)
		n += c->links[j].node == c->links[k].node;
	return n;
}

static void
links_queue(struct links_ctx *c, struct nl_batch *nb, size_t k)
{
	const struct topo_link	*l = &c->links[k];
	struct nlb_veth		 v;
	char			 peer[32], alias[64];
	int			 idx = IDX_ROUTER + links_local(c, k);

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
		v.peer_ifindex = IDX_STANDIN + links_local(c, k);
		v.peer_nsfd = -1;
		nlb_veth_add(nb, &v);
		nlb_link_set(nb, v.peer_ifindex, true, 0, peer);
	} else {
		links_hostif(c, k, peer, sizeof(peer));
		v.peer = peer;
		v.peer_ifindex = IDX_HOSTEND + (int)k;
		v.peer_nsfd = c->swfd[links_sw(c, l)];
		nlb_veth_add(nb, &v);
	}
	nlb_addr_add(nb, idx, &l->addr, alias);
	nlb_link_set(nb, idx, l->up, 0, alias);
}

static int
links_sysctls(const char *ns, bool guest)
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
		if (netns_sysctl(ns, common[i][0], common[i][1]) == -1) {
			log_warn("[NSLAB-SYSCTL] %s", common[i][0]);
			return -1;
		}
	if (guest && (netns_sysctl(ns, "net/ipv4/conf/all/arp_announce",
	    "1") == -1 || netns_sysctl(ns, "net/ipv4/conf/default/arp_announce",
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
	char		 ns[128], step[96];
	size_t		 k;

	if (lab_node_netns(c->t->name, node, ns, sizeof(ns)) == -1 ||
	    links_ns_create(c, ns) == -1)
		return -1;
	snprintf(step, sizeof(step), "links of %s", node);
	c->step = step;
	if (links_sysctls(ns, guest >= 0) == -1)
		return -1;
	if ((nb = links_batch(c, ns)) == NULL)
		return -1;
	nlb_link_set(nb, 1, true, 0, "lo");
	for (k = 0; k < c->nlinks; k++)
		if (strcmp(c->links[k].node, node) == 0)
			links_queue(c, nb, k);
	return links_commit(c, nb);
}

/* Plug every host end of switch namespace s into its bridge, up. */
static int
links_plug(struct links_ctx *c, size_t s)
{
	struct nl_batch	*nb;
	char		 name[32];
	size_t		 k;

	c->step = "plug NICs into bridges";
	if ((nb = links_batch(c, c->swname[s])) == NULL)
		return -1;
	for (k = 0; k < c->nlinks; k++) {
		if (c->links[k].kind == TOPO_LINK_STANDIN ||
		    links_sw(c, &c->links[k]) != s)
			continue;
		links_hostif(c, k, name, sizeof(name));
		nlb_link_set(nb, IDX_HOSTEND + (int)k, true,
		    links_bridge_index(c, &c->links[k]), name);
	}
	return links_commit(c, nb);
}

/* Switch namespace s: the lab's switch, or host s's namespace. */
static int
links_switch_ns(struct links_ctx *c, size_t s)
{
	char	*name = c->swname[s];
	size_t	 len = sizeof(c->swname[s]);

	if ((c->t->nhosts == 0 ? labname_switch_netns(c->t->name, name,
	    len) : labname_host_netns(c->t->name, c->t->hosts[s].name, name,
	    len)) == NULL || links_ns_create(c, name) == -1)
		return -1;
	if ((c->swfd[s] = netns_open(name)) == -1) {
		log_warn("[NSLAB-NETNS] open namespace %s", name);
		return -1;
	}
	return links_sysctls(name, false);
}

/*
 * The underlay's prefix length: the longest that holds every host's
 * address, at most /24, so that each host reaches the others directly.
 */
static uint8_t
links_underlay_len(const struct topo *t)
{
	uint32_t	first = ntohl(t->hosts[0].underlay.s_addr), diff = 0;
	uint8_t		len = 24;

	for (size_t h = 1; h < t->nhosts; h++)
		diff |= first ^ ntohl(t->hosts[h].underlay.s_addr);
	while (len > 1 && (diff >> (32 - len)) != 0)
		len--;
	return len;
}

/*
 * The underlay namespace: a bridge, a veth to each host's ul0.  When one
 * host is built (--host) and an earlier part made the namespace, only
 * that host's port is added.
 */
static int
links_underlay_ns(struct links_ctx *c)
{
	struct nl_batch	*nb;
	struct nlb_veth	 v;
	char		 ns[128], port[32];
	bool		 made;

	if (labname_underlay_netns(c->t->name, ns, sizeof(ns)) == NULL)
		return -1;
	made = c->host >= 0 && netns_exists(ns);
	if (!made && (links_ns_create(c, ns) == -1 ||
	    links_sysctls(ns, false) == -1))
		return -1;
	c->step = "underlay";
	if ((!made && state_note(c->st, "bridge", "%s %s", ns,
	    LABNAME_UNDERLAY) == -1) || (nb = nlb_open(ns, links_err,
	    c)) == NULL) {
		log_warn("[NSLAB-NETLINK] %s", c->step);
		return -1;
	}
	if (!made) {
		nlb_bridge_add(nb, LABNAME_UNDERLAY, IDX_UL_BRIDGE);
		nlb_link_set(nb, IDX_UL_BRIDGE, true, 0, LABNAME_UNDERLAY);
	}
	for (size_t h = 0; h < c->t->nhosts; h++) {
		if (!links_sw_here(c, h))
			continue;
		labname_underlay_hostif((int)h, port, sizeof(port));
		memset(&v, 0, sizeof(v));
		v.name = port;
		v.ifindex = IDX_UL_PORT + (int)h;
		v.peer = LABNAME_UNDERLAY_IF;
		v.peer_ifindex = IDX_UNDERLAY;
		v.peer_nsfd = c->swfd[h];
		v.alias = c->t->hosts[h].name;
		v.mtu = UNDERLAY_MTU;
		nlb_veth_add(nb, &v);
		nlb_link_set(nb, v.ifindex, true, IDX_UL_BRIDGE, port);
	}
	return links_commit(c, nb);
}

/*
 * Member m's HiperSockets LAN across hosts, in host s: VXLAN vhM in
 * bridge hsM flooding to every other host (s is the member's host), or
 * in the uplink bridge hpM tunnelling to the member's host.
 */
static void
links_uplink(struct links_ctx *c, struct nl_batch *nb, size_t s, size_t m)
{
	const struct topo	*t = c->t;
	char			 name[48];
	int			 idx = IDX_UPLINK + (int)m;
	size_t			 home = (size_t)t->members[m].host;

	snprintf(name, sizeof(name), "vh%zu", m);
	nlb_vxlan_add(nb, name, idx, LABNAME_VNI_BASE + VNI_UPLINK +
	    (uint32_t)m, t->hosts[s].underlay);
	for (size_t h = 0; h < t->nhosts; h++)
		if (h != s && (s == home || h == home))
			nlb_fdb_append(nb, idx, t->hosts[h].underlay);
	nlb_link_set(nb, idx, true, IDX_BRIDGE + (int)t->nlans + (int)m,
	    name);
}

/*
 * Host s on the underlay: ul0's address, and each VSWITCH LAN's VXLAN
 * device in its bridge, flooding to every other host.
 */
static int
links_host_underlay(struct links_ctx *c, size_t s)
{
	const struct topo	*t = c->t;
	struct topo_prefix	 ul = { t->hosts[s].underlay,
				    links_underlay_len(t) };
	struct nl_batch		*nb;
	char			 name[32];
	int			 idx;

	c->step = "VXLAN over the underlay";
	if ((nb = links_batch(c, c->swname[s])) == NULL)
		return -1;
	nlb_addr_add(nb, IDX_UNDERLAY, &ul, LABNAME_UNDERLAY_IF);
	nlb_link_set(nb, IDX_UNDERLAY, true, 0, LABNAME_UNDERLAY_IF);
	for (size_t l = 0; l < t->nlans; l++) {
		idx = IDX_VXLAN + (int)l;
		labname_vxlan((int)l, name, sizeof(name));
		nlb_vxlan_add(nb, name, idx, LABNAME_VNI_BASE + (uint32_t)l,
		    t->hosts[s].underlay);
		for (size_t h = 0; h < t->nhosts; h++)
			if (h != s)
				nlb_fdb_append(nb, idx, t->hosts[h].underlay);
		nlb_link_set(nb, idx, true, IDX_BRIDGE + (int)l, name);
	}
	for (size_t m = 0; m < t->nmembers; m++)
		links_uplink(c, nb, s, m);
	return links_commit(c, nb);
}

/* Every switch namespace with its bridges; with hosts, the underlay. */
static int
links_switches(struct links_ctx *c)
{
	size_t	s;

	for (s = 0; s < c->nsw; s++)
		if (links_sw_here(c, s) && (links_switch_ns(c, s) == -1 ||
		    links_switch(c, s) == -1))
			return -1;
	if (c->t->nhosts == 0)
		return 0;
	if (links_underlay_ns(c) == -1)
		return -1;
	for (s = 0; s < c->nsw; s++)
		if (links_sw_here(c, s) && links_host_underlay(c, s) == -1)
			return -1;
	return 0;
}

/*
 * The kernel's neighbour (ARP) table is one table for every namespace,
 * sized by sysctls that exist only in the initial namespace.  A LAN of n
 * routers needs about n * n entries (plus multicast ones); past
 * gc_thresh3 the kernel drops packets ("neighbor table overflow") and
 * OSPF never converges.  Raise the limits when this lab needs more; they
 * stay raised (other labs may rely on them).
 */
static unsigned long
links_neigh_need(const struct topo *t)
{
	unsigned long	need = 0, n;

	for (size_t l = 0; l < t->nlans; l++) {
		n = 1;
		for (size_t g = 0; g < t->nguests; g++)
			for (size_t k = 0; k < t->guests[g].nnics; k++)
				n += t->guests[g].nics[k].kind ==
				    TOPO_NIC_VSWITCH && t->guests[g].nics[k].lan ==
				    (int)l;
		need += n * n;
	}
	for (size_t g = 0; g < t->nguests; g++)
		need += 4 * (t->guests[g].nnics + 1) + 2 * t->nguests /
		    (t->nmembers ? t->nmembers : 1);
	return need;
}

static unsigned long
links_sysctl_get(const char *path)
{
	FILE		*f;
	unsigned long	 v = 0;

	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int
links_sysctl_set(const char *path, unsigned long v)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	rc = fprintf(f, "%lu\n", v) < 0 ? -1 : 0;
	if (fclose(f) == EOF)
		rc = -1;
	return rc;
}

/* Raise a host-wide sysctl to want when it is lower; logged. */
static int
links_raise(const char *path, const char *what, unsigned long want,
    const char *lab)
{
	unsigned long	cur = links_sysctl_get(path);

	if (cur >= want)
		return 0;
	if (links_sysctl_set(path, want) == -1) {
		log_warn("[NSLAB-SYSCTL] raising %s (%lu) to %lu", what, cur,
		    want);
		return -1;
	}
	log_info("[NSLAB-SYSCTL] %s raised from %lu to %lu for lab %s", what,
	    cur, want, lab);
	return 0;
}

/*
 * A hello on a LAN of n routers becomes n copies through the bridge, each
 * queued on the receiving CPU's backlog (one for every namespace); when
 * the routers' hellos coincide the default backlog of 1000 overflows.
 */
static int
links_backlog_capacity(const struct topo *t)
{
	size_t	n = t->nguests + 1;

	return links_raise("/proc/sys/net/core/netdev_max_backlog",
	    "netdev_max_backlog", 1000 + (unsigned long)(n * n), t->name);
}

static int
links_neigh_capacity(const struct topo *t)
{
	static const char *const th2 = "/proc/sys/net/ipv4/neigh/default/gc_thresh2";
	static const char *const th3 = "/proc/sys/net/ipv4/neigh/default/gc_thresh3";
	unsigned long	want = 1024 + 2 * links_neigh_need(t);

	if (links_sysctl_get(th3) >= want)
		return 0;
	if (links_sysctl_get(th2) < want / 2 &&
	    links_sysctl_set(th2, want / 2) == -1) {
		log_warn("[NSLAB-SYSCTL] raising gc_thresh2 to %lu", want / 2);
		return -1;
	}
	return links_raise(th3, "the ARP table limit gc_thresh3", want,
	    t->name);
}

/*
 * Build every namespace and link of the topology.  Everything created
 * is in the manifest before it exists.  Returns 0 or -1 (logged).
 */
int
links_build(const struct topo *t, struct lab_state *st, int host)
{
	struct links_ctx	c;
	ssize_t			n;
	size_t			i;
	int			rc = -1;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.st = st;
	c.nsw = t->nhosts > 0 ? t->nhosts : 1;
	c.host = host;
	for (i = 0; i < TOPO_MAX_HOSTS; i++)
		c.swfd[i] = -1;
	if ((n = topo_links(t, &c.links)) == -1)
		return -1;
	c.nlinks = (size_t)n;
	if (links_neigh_capacity(t) == -1 || links_backlog_capacity(t) == -1)
		goto out;
	if (links_switches(&c) == -1)
		goto out;
	if (lab_node_here(t, host, -1) &&
	    links_node(&c, t->abr.name, -1) == -1)
		goto out;
	for (i = 0; i < t->nguests; i++)
		if (lab_node_here(t, host, (int)i) &&
		    links_node(&c, t->guests[i].name, (int)i) == -1)
			goto out;
	for (i = 0, rc = 0; i < c.nsw && rc == 0; i++)
		if (links_sw_here(&c, i))
			rc = links_plug(&c, i);
out:
	for (i = 0; i < c.nsw; i++)
		if (c.swfd[i] != -1)
			close(c.swfd[i]);
	free(c.links);
	return rc;
}
