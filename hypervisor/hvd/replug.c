/*
 * replug.c: move a guest's HiperSockets NIC host ends from one member's
 * HiperSockets bridge to another's, in the lab's switch namespace, with
 * rtnetlink (libmnl).  Only the host end changes master: the guest end
 * keeps its carrier and sees no link event.
 *
 * In a lab with hosts (nslab(8)) there is no switch namespace: the host
 * ends stay in the namespace of the host the guest started on (moving a
 * veth end to another namespace takes it down, and the guest end would
 * lose carrier), found by name among the lab's host namespaces; there
 * the target member's LAN is its bridge hsM when the member is on that
 * host, else the uplink bridge hpM wired to it, and the host end moves
 * between those bridges as on one host.  A guest started again on a
 * member of another host (HA restart, recover) takes its host ends with
 * it (replug_rehome): its old host may be dead or cut off, and every LAN
 * the guest reached went through it.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "hvd.h"
#include "labname.h"
#include "log.h"
#include "nsswitch.h"

/* Run in the switch namespace: open the socket, resolve the names. */
static int
replug_resolve(struct replug *r, const struct hv_guestdef *g, int dst)
{
	char	name[IFNAMSIZ];
	size_t	i;

	if ((r->nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		return -1;
	labname_hsi_bridge(dst, name, sizeof(name));
	if ((r->dst_bridge = (int)if_nametoindex(name)) == 0) {
		labname_hsi_uplink_bridge(dst, name, sizeof(name));
		r->dst_bridge = (int)if_nametoindex(name);
	}
	if (r->dst_bridge == 0) {
		log_warnx("[HV-REPLUG] bridge of member %d not found", dst);
		return -1;
	}
	for (i = 0; i < g->nnics; i++) {
		if (!g->nics[i].hsi)
			continue;
		labname_guest_hostif(g->idx, (int)i, name, sizeof(name));
		if ((r->ifindex[r->n] = (int)if_nametoindex(name)) == 0) {
			log_warnx("[HV-REPLUG] host end %s of guest %s not "
			    "found", name, g->name);
			return -1;
		}
		r->n++;
	}
	return 0;
}

static bool
replug_has_hsi(const struct hv_guestdef *g)
{
	size_t	i;

	for (i = 0; i < g->nnics; i++)
		if (g->nics[i].hsi)
			return true;
	return false;
}

/* A NIC host end of the guest exists in namespace ns (all are together). */
static bool
replug_in(const char *ns, const struct hv_guestdef *g)
{
	char	name[IFNAMSIZ];
	int	self;
	bool	here = false;

	if ((self = nsswitch_enter(ns)) == -1)
		return false;
	for (size_t i = 0; i < g->nnics && !here; i++) {
		labname_guest_hostif(g->idx, (int)i, name, sizeof(name));
		here = if_nametoindex(name) != 0;
	}
	nsswitch_leave(self);
	return here;
}

/*
 * The namespace that holds the guest's host ends: the lab's switch
 * namespace, or one of its host namespaces LAB:HOST.  Returns 0, or 1
 * when there is none.
 */
static int
replug_find_ns(const char *lab, const struct hv_guestdef *g, char *ns,
    size_t len)
{
	char		 ul[64];
	size_t		 n = strlen(lab);
	struct dirent	*de;
	DIR		*d;
	int		 rc = 1;

	labname_switch_netns(lab, ns, len);
	if (replug_in(ns, g))
		return 0;
	labname_underlay_netns(lab, ul, sizeof(ul));
	if ((d = opendir(NSSWITCH_DIR)) == NULL)
		return 1;
	while (rc == 1 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, lab, n) != 0 || de->d_name[n] != ':' ||
		    strcmp(de->d_name, ul) == 0)
			continue;
		snprintf(ns, len, "%s", de->d_name);
		if (replug_in(ns, g))
			rc = 0;
	}
	closedir(d);
	return rc;
}

int
replug_open(struct replug *r, const char *lab, const struct hv_guestdef *g,
    int dst_member)
{
	char	swname[300];
	int	self, rc;
	size_t	i;

	memset(r, 0, sizeof(r->ifindex) + sizeof(r->old_master));
	r->n = 0;
	r->nl = NULL;
	r->seq = (unsigned)time(NULL);
	if (!replug_has_hsi(g) ||
	    replug_find_ns(lab, g, swname, sizeof(swname)) == 1)
		return 1;
	if ((self = nsswitch_enter(swname)) == -1)
		return errno == ENOENT ? 1 : -1;
	rc = replug_resolve(r, g, dst_member);
	nsswitch_leave(self);
	for (i = 0; rc == 0 && i < r->n; i++)
		if ((r->old_master[i] = replug_master_of(r, r->ifindex[i])) ==
		    -1)
			rc = -1;
	if (rc == -1)
		replug_close(r);
	return rc;
}

void
replug_close(struct replug *r)
{
	if (r->nl != NULL)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

static int
replug_ack_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int
replug_master_cb(const struct nlattr *a, void *data)
{
	int	*master = data;

	if (mnl_attr_get_type(a) == IFLA_MASTER &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*master = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int
replug_link_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), replug_master_cb,
	    data);
}

/* Send one request and read its answer; logs the kernel's reason. */
static int
replug_talk(struct replug *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char		buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned	portid = mnl_socket_get_portid(r->nl);
	ssize_t		n;
	int		rc;

	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf))) > 0) {
		rc = mnl_cb_run(buf, (size_t)n, r->seq, portid, cb, data);
		if (rc <= MNL_CB_STOP)
			return rc;
	}
	return -1;
}

int
replug_master_of(struct replug *r, int ifindex)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg	*ifi;
	int			 master = 0;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (replug_talk(r, nlh, replug_link_cb, &master) == -1) {
		log_warn("[HV-REPLUG] link %d", ifindex);
		return -1;
	}
	return master;
}

static int
replug_set_master(struct replug *r, int ifindex, int master)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg	*ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	if (replug_talk(r, nlh, replug_ack_cb, NULL) == -1) {
		log_warn("[HV-REPLUG] link %d to master %d", ifindex, master);
		return -1;
	}
	return 0;
}

int
replug_move(struct replug *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (r->old_master[i] != r->dst_bridge &&
		    replug_set_master(r, r->ifindex[i], r->dst_bridge) == -1)
			return -1;
	return 0;
}

int
replug_restore(struct replug *r)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < r->n; i++)
		if (replug_set_master(r, r->ifindex[i], r->old_master[i]) == -1)
			rc = -1;
	return rc;
}

/* One link by name in the calling thread's namespace, moved or plugged. */
static int
replug_link(struct replug *r, const char *name, int nsfd, int master)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg	*ifi;
	int			 idx = (int)if_nametoindex(name);

	if (idx == 0) {
		log_warnx("[HV-REPLUG] host end %s not found", name);
		return -1;
	}
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = idx;
	if (nsfd != -1)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	else {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	}
	if (replug_talk(r, nlh, replug_ack_cb, NULL) == -1) {
		log_warn("[HV-REPLUG] host end %s %s", name, nsfd != -1 ?
		    "to this host" : "onto its bridge");
		return -1;
	}
	return 0;
}

/* The bridge of NIC i on this host when the guest runs on member self. */
static int
replug_bridge(const struct hv_nic *nic, int self)
{
	char	name[IFNAMSIZ];
	int	idx;

	if (!nic->hsi) {
		labname_lan_bridge(nic->lan, name, sizeof(name));
		return (int)if_nametoindex(name);
	}
	labname_hsi_bridge(self, name, sizeof(name));
	if ((idx = (int)if_nametoindex(name)) == 0) {
		labname_hsi_uplink_bridge(self, name, sizeof(name));
		idx = (int)if_nametoindex(name);
	}
	return idx;
}

static int
replug_socket(struct replug *r)
{
	r->seq = (unsigned)time(NULL);
	if ((r->nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("[HV-REPLUG] netlink");
		replug_close(r);
		return -1;
	}
	return 0;
}

int
replug_rehome(const char *lab, const struct hv_guestdef *g, int self)
{
	struct replug	r = { .nl = NULL };
	struct stat	here, there;
	char		ns[300], sw[300], path[600], name[IFNAMSIZ];
	int		own, rc = 0, master;

	labname_switch_netns(lab, sw, sizeof(sw));
	if (replug_find_ns(lab, g, ns, sizeof(ns)) == 1 ||
	    strcmp(ns, sw) == 0)
		return 0;		/* no hosts, or no NIC */
	snprintf(path, sizeof(path), "%s/%s", NSSWITCH_DIR, ns);
	if (stat("/proc/thread-self/ns/net", &here) == -1 ||
	    stat(path, &there) == -1)
		return -1;
	if (here.st_ino == there.st_ino && here.st_dev == there.st_dev)
		return 0;		/* already on this host */
	if ((own = nsswitch_enter(ns)) == -1)
		return -1;
	if (replug_socket(&r) == 0) {
		for (size_t i = 0; rc == 0 && i < g->nnics; i++) {
			labname_guest_hostif(g->idx, (int)i, name,
			    sizeof(name));
			rc = replug_link(&r, name, own, 0);
		}
		replug_close(&r);
	} else
		rc = -1;
	nsswitch_leave(own);
	if (rc == -1 || replug_socket(&r) == -1)
		return -1;
	for (size_t i = 0; rc == 0 && i < g->nnics; i++) {
		labname_guest_hostif(g->idx, (int)i, name, sizeof(name));
		if ((master = replug_bridge(&g->nics[i], self)) == 0) {
			log_warnx("[HV-REPLUG] no bridge on this host for "
			    "%s's NIC %s", g->name, g->nics[i].name);
			rc = -1;
		} else
			rc = replug_link(&r, name, -1, master);
	}
	replug_close(&r);
	return rc;
}
