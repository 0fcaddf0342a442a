/*
 * netlink.c: batched rtnetlink requests into one namespace, with libmnl.
 *
 * A batch collects requests (create a bridge, veth or dummy, set a link
 * up or into a bridge, add an address) and sends them with as few
 * sendmsg(2) calls as fit in the buffer.  Every request asks for an ack;
 * the kernel handles each in order and answers each, so every failure is
 * reported with its request's description and the kernel's extended-ack
 * text.  Interface indexes are chosen by the caller, which lets a single
 * batch create a link and configure it without asking the kernel back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>


#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "log.h"
#include "nslab.h"
#include "nsswitch.h"

#define NLB_BUFSIZE	(64 * 1024)
#define NLB_DESC_MAX	64

struct nlb_req {
	unsigned	seq;
	char		desc[NLB_DESC_MAX];
};

struct nl_batch {
	struct mnl_socket	*nl;
	char			*buf;
	struct mnl_nlmsg_batch	*b;
	struct nlb_req		*reqs;		/* pending, in buffer order */
	size_t			 nreqs;
	size_t			 cap;
	unsigned		 seq;
	unsigned		 portid;
	nlb_err_cb		 errcb;
	void			*arg;
	int			 nerr;
};

/*
 * Open a batch whose socket lives in the namespace named ns (NULL: the
 * current one).  errcb is called for every failed request.
 */
struct nl_batch *
nlb_open(const char *ns, nlb_err_cb errcb, void *arg)
{
	struct nl_batch	*nb;
	int		 one = 1, self = -1, rcvbuf = 4 << 20;

	if ((nb = calloc(1, sizeof(*nb))) == NULL)
		return NULL;
	if ((nb->buf = malloc(NLB_BUFSIZE)) == NULL)
		goto fail;
	if (ns != NULL && (self = nsswitch_enter(ns)) == -1)
		goto fail;
	nb->nl = mnl_socket_open(NETLINK_ROUTE);
	if (self != -1)
		nsswitch_leave(self);
	if (nb->nl == NULL || mnl_socket_bind(nb->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* Room for the acks of a whole buffer of requests. */
	if (setsockopt(mnl_socket_get_fd(nb->nl), SOL_SOCKET, SO_RCVBUFFORCE,
	    &rcvbuf, sizeof(rcvbuf)) == -1)
		setsockopt(mnl_socket_get_fd(nb->nl), SOL_SOCKET, SO_RCVBUF,
		    &rcvbuf, sizeof(rcvbuf));
	mnl_socket_setsockopt(nb->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nb->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	nb->portid = mnl_socket_get_portid(nb->nl);
	nb->seq = (unsigned)time(NULL);
	nb->b = mnl_nlmsg_batch_start(nb->buf, NLB_BUFSIZE - MNL_SOCKET_BUFFER_SIZE);
	nb->errcb = errcb;
	nb->arg = arg;
	return nb;
fail:
	nlb_close(nb);
	return NULL;
}

void
nlb_close(struct nl_batch *nb)
{
	if (nb == NULL)
		return;
	if (nb->b != NULL)
		mnl_nlmsg_batch_stop(nb->b);
	if (nb->nl != NULL)
		mnl_socket_close(nb->nl);
	free(nb->reqs);
	free(nb->buf);
	free(nb);
}

static int
nlb_note(struct nl_batch *nb, unsigned seq, const char *desc)
{
	struct nlb_req	*r;

	if (nb->nreqs == nb->cap) {
		size_t	 ncap = nb->cap ? nb->cap * 2 : 64;

		if ((r = reallocarray(nb->reqs, ncap, sizeof(*r))) == NULL)
			return -1;
		nb->reqs = r;
		nb->cap = ncap;
	}
	r = &nb->reqs[nb->nreqs++];
	r->seq = seq;
	snprintf(r->desc, sizeof(r->desc), "%s", desc);
	return 0;
}

static const char *
nlb_desc(const struct nl_batch *nb, unsigned seq)
{
	for (size_t i = 0; i < nb->nreqs; i++)
		if (nb->reqs[i].seq == seq)
			return nb->reqs[i].desc;
	return "request";
}

/* Start a request in the batch; flush first when the buffer is full. */
static struct nlmsghdr *
nlb_begin(struct nl_batch *nb, uint16_t type, uint16_t flags,
    const char *desc)
{
	struct nlmsghdr	*nlh;

	if (mnl_nlmsg_batch_size(nb->b) > NLB_BUFSIZE / 2 &&
	    nlb_commit(nb) == -1)
		return NULL;
	nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(nb->b));
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nb->seq;
	if (nlb_note(nb, nlh->nlmsg_seq, desc) == -1)
		return NULL;
	return nlh;
}

static void
nlb_end(struct nl_batch *nb)
{
	mnl_nlmsg_batch_next(nb->b);
}

static struct ifinfomsg *
nlb_ifinfo(struct nlmsghdr *nlh, int ifindex)
{
	struct ifinfomsg	*ifm;

	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return ifm;
}

/*
 * Start a request creating link name/ifindex of a kind, its link info
 * nest open in *linkinfo (the caller adds options and closes it).
 */
static struct nlmsghdr *
nlb_link_new(struct nl_batch *nb, const char *kind, const char *name,
    int ifindex, const char *desc, struct nlattr **linkinfo)
{
	struct nlmsghdr	*nlh;

	if ((nlh = nlb_begin(nb, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
	    desc)) == NULL)
		return NULL;
	nlb_ifinfo(nlh, ifindex);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	*linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	return nlh;
}

/* A link of a kind with no options ("bridge", "dummy"). */
static int
nlb_simple_add(struct nl_batch *nb, const char *kind, const char *name,
    int ifindex)
{
	struct nlmsghdr	*nlh;
	struct nlattr	*linkinfo;
	char		 desc[NLB_DESC_MAX];

	snprintf(desc, sizeof(desc), "create %s %s", kind, name);
	if ((nlh = nlb_link_new(nb, kind, name, ifindex, desc,
	    &linkinfo)) == NULL)
		return -1;
	mnl_attr_nest_end(nlh, linkinfo);
	nlb_end(nb);
	return 0;
}

int
nlb_bridge_add(struct nl_batch *nb, const char *name, int ifindex)
{
	return nlb_simple_add(nb, "bridge", name, ifindex);
}

int
nlb_dummy_add(struct nl_batch *nb, const char *name, int ifindex)
{
	return nlb_simple_add(nb, "dummy", name, ifindex);
}

/*
 * A veth pair: name/ifindex in the batch's namespace, peer/peer_ifindex
 * in peer_nsfd (-1: the same namespace).  alias names the NIC for
 * people ("LITDCON1/hsi0"), set on the peer.
 */
int
nlb_veth_add(struct nl_batch *nb, const struct nlb_veth *v)
{
	struct nlmsghdr		*nlh;
	struct nlattr		*linkinfo, *data, *peer;
	struct ifinfomsg	*pifm;
	char			 desc[NLB_DESC_MAX];

	snprintf(desc, sizeof(desc), "create veth %s/%s", v->name, v->peer);
	if ((nlh = nlb_begin(nb, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
	    desc)) == NULL)
		return -1;
	nlb_ifinfo(nlh, v->ifindex);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, v->name);
	if (v->mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	pifm->ifi_index = v->peer_ifindex;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, v->peer);
	if (v->peer_nsfd != -1)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)v->peer_nsfd);
	if (v->alias != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFALIAS, v->alias);
	if (v->mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	nlb_end(nb);
	return 0;
}

/*
 * A VXLAN device of VNI vni, its tunnels from local (an address of the
 * namespace) to UDP port NLB_VXLAN_PORT of the remotes given by
 * nlb_fdb_append(), with learning; MTU 1500 (the underlay carries more).
 */
int
nlb_vxlan_add(struct nl_batch *nb, const char *name, int ifindex,
    uint32_t vni, struct in_addr local)
{
	struct nlmsghdr	*nlh;
	struct nlattr	*linkinfo, *data;
	char		 desc[NLB_DESC_MAX];

	snprintf(desc, sizeof(desc), "create vxlan %s vni %u", name, vni);
	if ((nlh = nlb_link_new(nb, "vxlan", name, ifindex, desc,
	    &linkinfo)) == NULL)
		return -1;
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
	mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, sizeof(local), &local);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(NLB_VXLAN_PORT));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	nlb_end(nb);
	return 0;
}

/* Flood the VXLAN device's unknown and broadcast frames to dst too. */
int
nlb_fdb_append(struct nl_batch *nb, int ifindex, struct in_addr dst)
{
	static const uint8_t	 zero[6];
	struct nlmsghdr		*nlh;
	struct ndmsg		*ndm;
	char			 desc[NLB_DESC_MAX], a[INET_ADDRSTRLEN];

	snprintf(desc, sizeof(desc), "flood entry to %s on link %d",
	    inet_ntop(AF_INET, &dst, a, sizeof(a)), ifindex);
	if ((nlh = nlb_begin(nb, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND,
	    desc)) == NULL)
		return -1;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_NOARP | NUD_PERMANENT;
	ndm->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(zero), zero);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	nlb_end(nb);
	return 0;
}

/* Set a link up or down; master > 0 also plugs it into that bridge. */
int
nlb_link_set(struct nl_batch *nb, int ifindex, bool up, int master,
    const char *what)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;
	char			 desc[NLB_DESC_MAX];

	snprintf(desc, sizeof(desc), "set %s %s", what, up ? "up" : "down");
	if ((nlh = nlb_begin(nb, RTM_NEWLINK, 0, desc)) == NULL)
		return -1;
	ifm = nlb_ifinfo(nlh, ifindex);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	nlb_end(nb);
	return 0;
}

int
nlb_addr_add(struct nl_batch *nb, int ifindex, const struct topo_prefix *p,
    const char *what)
{
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	char			 desc[NLB_DESC_MAX], pbuf[32];

	snprintf(desc, sizeof(desc), "address %s on %s",
	    topo_prefix_str(p, pbuf, sizeof(pbuf)), what);
	if ((nlh = nlb_begin(nb, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
	    desc)) == NULL)
		return -1;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(p->addr), &p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(p->addr), &p->addr);
	nlb_end(nb);
	return 0;
}

/* The kernel's extended-ack text of an error message, or NULL. */
static const char *
nlb_ext_ack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr	*err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*attr;
	size_t			 off = sizeof(*err), len;
	int			 left;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	len = mnl_nlmsg_get_payload_len(nlh);
	if (off >= len)
		return NULL;
	attr = (const struct nlattr *)((const char *)err + off);
	left = (int)(len - off);
	while (mnl_attr_ok(attr, left)) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
		left -= (int)MNL_ALIGN(attr->nla_len);
		attr = mnl_attr_next(attr);
	}
	return NULL;
}

/* Handle one answer; returns 1 when it acked a pending request. */
static int
nlb_answer(struct nl_batch *nb, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr	*err;

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return 0;
	err = mnl_nlmsg_get_payload(nlh);
	if (err->error != 0) {
		nb->nerr++;
		if (nb->errcb != NULL)
			nb->errcb(nb->arg, nlb_desc(nb, nlh->nlmsg_seq),
			    -err->error, nlb_ext_ack(nlh));
	}
	return 1;
}

/*
 * Send what is queued and read every answer.  Returns 0 when every
 * request succeeded, -1 otherwise (errno EIO when a request failed: each
 * failure went to the error callback; other errno on a socket failure).
 */
int
nlb_commit(struct nl_batch *nb)
{
	char		 rbuf[MNL_SOCKET_BUFFER_SIZE];
	size_t		 pending = nb->nreqs;
	int		 before = nb->nerr;
	ssize_t		 n;

	if (mnl_nlmsg_batch_is_empty(nb->b))
		return 0;
	if (mnl_socket_sendto(nb->nl, mnl_nlmsg_batch_head(nb->b),
	    mnl_nlmsg_batch_size(nb->b)) < 0)
		return -1;
	while (pending > 0) {
		if ((n = mnl_socket_recvfrom(nb->nl, rbuf, sizeof(rbuf))) <= 0)
			return -1;
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len = (int)n;
		while (mnl_nlmsg_ok(nlh, len)) {
			if (nlh->nlmsg_pid == nb->portid &&
			    nlb_answer(nb, nlh) == 1)
				pending--;
			nlh = mnl_nlmsg_next(nlh, &len);
		}
	}
	mnl_nlmsg_batch_reset(nb->b);
	nb->nreqs = 0;
	if (nb->nerr != before) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Log a failed commit that was not a request's own failure. */
void
nlb_log_failure(const char *step)
{
	if (errno != EIO)
		log_warn("[NSLAB-NETLINK] %s", step);
}

/* Requests answered with an error since the batch was opened. */
int
nlb_errors(const struct nl_batch *nb)
{
	return nb->nerr;
}
