/*
 * kernel.c: the kernel's view of a router: its links and its main IPv4
 * routing table, one netlink dump each (libmnl), through a socket opened
 * inside the router's namespace.  Routes that carry only a nexthop id
 * (net.ipv4.nexthop_compat_mode=0) are resolved with a nexthop dump.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "nsswitch.h"
#include "routecheck.h"

#define KN_DUMP_BUF	32768	/* the most a dump message takes */

struct kn_link {
	int		 ifindex;
	int		 master;
	bool		 up;
	bool		 running;
	char		 name[RC_IFNAME_MAX];
};

/* A nexthop object: one gateway, or a group of other ids. */
struct kn_nhobj {
	uint32_t	 id;
	struct in_addr	 gw;
	int		 oif;
	uint32_t	*group;
	size_t		 ngroup;
};

struct rc_kernel {
	struct mnl_socket *nl;
	unsigned	 seq;
	struct kn_link	*links;
	size_t		 nlinks;
	bool		 have_links;
	struct kn_nhobj	*nhs;
	size_t		 nnhs;
};

/* One route being parsed, with the nexthop id it may need resolved. */
struct kn_route_ctx {
	struct rc_kernel *k;
	struct rc_table	*t;
	uint32_t	*pending;	/* nexthop id per route, 0: none */
	size_t		 npending;
};

/* A netlink socket opened inside namespace netns (nsswitch.h). */
struct rc_kernel *
rc_kernel_open(const char *netns)
{
	struct rc_kernel	*k;
	int			 self, saved;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->seq = (unsigned)time(NULL);
	if ((self = nsswitch_enter(netns)) == -1)
		goto fail;
	k->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	saved = errno;
	nsswitch_leave(self);
	errno = saved;
	if (k->nl == NULL || mnl_socket_bind(k->nl, 0,
	    MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	return k;
fail:
	saved = errno;
	rc_kernel_close(k);
	errno = saved;
	return NULL;
}

void
rc_kernel_close(struct rc_kernel *k)
{
	if (k == NULL)
		return;
	if (k->nl != NULL)
		mnl_socket_close(k->nl);
	for (size_t i = 0; i < k->nnhs; i++)
		free(k->nhs[i].group);
	free(k->nhs);
	free(k->links);
	free(k);
}

/*
 * Every message of buf lies inside it.  libmnl compares nlmsg_len with
 * what is left as an int: a length over INT_MAX passes its check and
 * sends it past the buffer.
 */
static bool
kn_msgs_fit(const void *buf, size_t len)
{
	const struct nlmsghdr	*nlh;
	size_t			 off = 0;

	while (len - off >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)((const char *)buf + off);
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			return false;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (off > len)
			off = len;
	}
	return true;
}

/* Runs cb on every message of buf: MNL_CB_*, MNL_CB_ERROR (EBADMSG). */
static int
kn_run(const void *buf, size_t len, unsigned seq, unsigned portid,
    mnl_cb_t cb, void *data)
{
	if (!kn_msgs_fit(buf, len)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return mnl_cb_run(buf, len, seq, portid, cb, data);
}

/* Sends a dump request and runs cb on every answer. */
static int
kn_dump(struct rc_kernel *k, uint16_t type, uint8_t family, size_t hdrlen,
    mnl_cb_t cb, void *data)
{
	char		 buf[KN_DUMP_BUF];
	struct nlmsghdr	*nlh;
	unsigned	 portid = mnl_socket_get_portid(k->nl);
	ssize_t		 n;
	int		 rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++k->seq;
	/* rtgenmsg, rtmsg and nhmsg all start with the family. */
	*(uint8_t *)mnl_nlmsg_put_extra_header(nlh, hdrlen) = family;
	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		if ((n = mnl_socket_recvfrom(k->nl, buf, sizeof(buf))) <= 0)
			return -1;
		rc = kn_run(buf, (size_t)n, k->seq, portid, cb, data);
	} while (rc > MNL_CB_STOP);
	return rc == MNL_CB_ERROR ? -1 : 0;
}

/* Links. */

static int
kn_link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_IFNAME && mnl_attr_validate(a,
	    MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	if (type == IFLA_MASTER && mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static int
kn_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rc_kernel	*k = data;
	struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[IFLA_MAX + 1] = { NULL };
	struct kn_link		*nv, *l;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm) ||
	    mnl_attr_parse(nlh, sizeof(*ifm), kn_link_attr, tb) < 0 ||
	    tb[IFLA_IFNAME] == NULL)
		return MNL_CB_OK;
	if ((nv = reallocarray(k->links, k->nlinks + 1, sizeof(*nv))) == NULL)
		return MNL_CB_ERROR;
	k->links = nv;
	l = &k->links[k->nlinks++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifm->ifi_index;
	l->up = (ifm->ifi_flags & IFF_UP) != 0;
	l->running = (ifm->ifi_flags & IFF_RUNNING) != 0;
	l->master = tb[IFLA_MASTER] ? (int)mnl_attr_get_u32(tb[IFLA_MASTER]) :
	    0;
	snprintf(l->name, sizeof(l->name), "%s",
	    mnl_attr_get_str(tb[IFLA_IFNAME]));
	return MNL_CB_OK;
}

static int
kn_links_load(struct rc_kernel *k)
{
	if (k->have_links)
		return 0;
	k->nlinks = 0;
	if (kn_dump(k, RTM_GETLINK, AF_PACKET, sizeof(struct rtgenmsg),
	    kn_link_cb, k) == -1)
		return -1;
	k->have_links = true;
	return 0;
}

static const char *
kn_ifname(const struct rc_kernel *k, int ifindex)
{
	for (size_t i = 0; i < k->nlinks; i++)
		if (k->links[i].ifindex == ifindex)
			return k->links[i].name;
	return "";
}

int
rc_kernel_links(struct rc_kernel *k, struct rc_router *r)
{
	if (kn_links_load(k) == -1)
		return -1;
	for (size_t i = 0; i < k->nlinks; i++)
		if (rc_router_link_add(r, k->links[i].name, k->links[i].up,
		    k->links[i].running) == -1)
			return -1;
	return 0;
}

ssize_t
rc_kernel_ports(struct rc_kernel *k, struct rc_port **ports)
{
	struct rc_port	*v;

	if (kn_links_load(k) == -1)
		return -1;
	if ((v = calloc(k->nlinks + 1, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < k->nlinks; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "%s", k->links[i].name);
		snprintf(v[i].master, sizeof(v[i].master), "%s",
		    k->links[i].master ? kn_ifname(k, k->links[i].master) :
		    "");
	}
	*ports = v;
	return (ssize_t)k->nlinks;
}

/* Routes. */

static const char *
kn_proto(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case RTPROT_KERNEL:
		return "kernel";
	case RTPROT_BOOT:
		return "boot";
	case RTPROT_STATIC:
		return "static";
	case RTPROT_ZEBRA:
		return "zebra";
	case RTPROT_DHCP:
		return "dhcp";
	case RTPROT_BGP:
		return "bgp";
	case RTPROT_ISIS:
		return "isis";
	case RTPROT_OSPF:
		return "ospf";
	case RTPROT_RIP:
		return "rip";
	}
	snprintf(buf, len, "%u", p);
	return buf;
}

static int
kn_route_attr(const struct nlattr *a, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, RTA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case RTA_DST:
	case RTA_GATEWAY:
	case RTA_OIF:
	case RTA_PRIORITY:
	case RTA_TABLE:
	case RTA_NH_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case RTA_MULTIPATH:
		if (mnl_attr_get_payload_len(a) < sizeof(struct rtnexthop))
			return MNL_CB_OK;
		break;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

/* The gateway among the attributes of one rtnexthop, INADDR_ANY if none. */
static struct in_addr
kn_rtnh_gateway(const struct rtnexthop *rtnh)
{
	const struct nlattr	*a;
	struct in_addr		 gw = { INADDR_ANY };
	int			 left = rtnh->rtnh_len - RTNH_LENGTH(0);

	a = (const struct nlattr *)((const char *)rtnh + RTNH_LENGTH(0));
	while (mnl_attr_ok(a, left)) {
		if (mnl_attr_get_type(a) == RTA_GATEWAY &&
		    mnl_attr_get_payload_len(a) == 4)
			memcpy(&gw, mnl_attr_get_payload(a), 4);
		left -= MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return gw;
}

static int
kn_multipath(const struct rc_kernel *k, struct rc_route *r,
    const struct nlattr *mp)
{
	const char		*p = mnl_attr_get_payload(mp);
	const struct rtnexthop	*rtnh;
	int			 left = (int)mnl_attr_get_payload_len(mp);

	while (left >= (int)sizeof(*rtnh)) {
		rtnh = (const struct rtnexthop *)p;
		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > left)
			break;
		if (rc_route_nexthop_add(r, kn_rtnh_gateway(rtnh),
		    kn_ifname(k, rtnh->rtnh_ifindex)) == -1)
			return -1;
		left -= RTNH_ALIGN(rtnh->rtnh_len);
		p += RTNH_ALIGN(rtnh->rtnh_len);
	}
	return 0;
}

static int
kn_pending_add(struct kn_route_ctx *c, uint32_t id)
{
	uint32_t	*nv;

	if ((nv = reallocarray(c->pending, c->t->n, sizeof(*nv))) == NULL)
		return -1;
	for (size_t i = c->npending; i < c->t->n; i++)
		nv[i] = 0;
	nv[c->t->n - 1] = id;
	c->pending = nv;
	c->npending = c->t->n;
	return 0;
}

static int
kn_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kn_route_ctx	*c = data;
	struct rtmsg		*rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[RTA_MAX + 1] = { NULL };
	struct rc_route		*r;
	struct in_addr		 dst = { INADDR_ANY }, gw = { INADDR_ANY };
	uint32_t		 table;
	char			 pbuf[8];

	/* No field of rtm is read before the message is known to hold it. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm) ||
	    rtm->rtm_family != AF_INET || rtm->rtm_dst_len > 32 ||
	    mnl_attr_parse(nlh, sizeof(*rtm), kn_route_attr, tb) < 0)
		return MNL_CB_OK;
	table = rtm->rtm_table;
	if (tb[RTA_TABLE] != NULL)
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	if (tb[RTA_DST] != NULL)
		memcpy(&dst, mnl_attr_get_payload(tb[RTA_DST]), 4);
	if ((r = rc_table_add(c->t, dst, rtm->rtm_dst_len)) == NULL)
		return MNL_CB_ERROR;
	snprintf(r->kind, sizeof(r->kind), "%s", kn_proto(rtm->rtm_protocol,
	    pbuf, sizeof(pbuf)));
	r->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	if (tb[RTA_MULTIPATH] != NULL)
		return kn_multipath(c->k, r, tb[RTA_MULTIPATH]) == -1 ?
		    MNL_CB_ERROR : MNL_CB_OK;
	if (tb[RTA_OIF] != NULL) {
		if (tb[RTA_GATEWAY] != NULL)
			memcpy(&gw, mnl_attr_get_payload(tb[RTA_GATEWAY]), 4);
		return rc_route_nexthop_add(r, gw, kn_ifname(c->k,
		    (int)mnl_attr_get_u32(tb[RTA_OIF]))) == -1 ?
		    MNL_CB_ERROR : MNL_CB_OK;
	}
	if (tb[RTA_NH_ID] != NULL && kn_pending_add(c,
	    mnl_attr_get_u32(tb[RTA_NH_ID])) == -1)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* Nexthop objects, for routes that carry only their id. */

static int
kn_nh_attr(const struct nlattr *a, void *data)
{
	const struct nlattr	**tb = data;

	if (mnl_attr_type_valid(a, NHA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int
kn_nh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rc_kernel	*k = data;
	const struct nlattr	*tb[NHA_MAX + 1] = { NULL };
	struct kn_nhobj		*nv, *o;
	const struct nexthop_grp *g;
	size_t			 n;

	if (mnl_attr_parse(nlh, sizeof(struct nhmsg), kn_nh_attr, tb) < 0 ||
	    tb[NHA_ID] == NULL || mnl_attr_get_payload_len(tb[NHA_ID]) != 4)
		return MNL_CB_OK;
	if ((nv = reallocarray(k->nhs, k->nnhs + 1, sizeof(*nv))) == NULL)
		return MNL_CB_ERROR;
	k->nhs = nv;
	o = &k->nhs[k->nnhs++];
	memset(o, 0, sizeof(*o));
	o->id = mnl_attr_get_u32(tb[NHA_ID]);
	if (tb[NHA_GATEWAY] != NULL &&
	    mnl_attr_get_payload_len(tb[NHA_GATEWAY]) == 4)
		memcpy(&o->gw, mnl_attr_get_payload(tb[NHA_GATEWAY]), 4);
	if (tb[NHA_OIF] != NULL && mnl_attr_get_payload_len(tb[NHA_OIF]) == 4)
		o->oif = (int)mnl_attr_get_u32(tb[NHA_OIF]);
	if (tb[NHA_GROUP] != NULL) {
		g = mnl_attr_get_payload(tb[NHA_GROUP]);
		n = mnl_attr_get_payload_len(tb[NHA_GROUP]) / sizeof(*g);
		if ((o->group = calloc(n + 1, sizeof(*o->group))) == NULL)
			return MNL_CB_ERROR;
		for (size_t i = 0; i < n; i++)
			o->group[i] = g[i].id;
		o->ngroup = n;
	}
	return MNL_CB_OK;
}

static const struct kn_nhobj *
kn_nh_find(const struct rc_kernel *k, uint32_t id)
{
	for (size_t i = 0; i < k->nnhs; i++)
		if (k->nhs[i].id == id)
			return &k->nhs[i];
	return NULL;
}

static int
kn_nh_resolve(const struct rc_kernel *k, struct rc_route *r, uint32_t id)
{
	const struct kn_nhobj	*o = kn_nh_find(k, id), *m;

	if (o == NULL)
		return 0;
	if (o->ngroup == 0)
		return rc_route_nexthop_add(r, o->gw, kn_ifname(k, o->oif));
	for (size_t i = 0; i < o->ngroup; i++)
		if ((m = kn_nh_find(k, o->group[i])) != NULL &&
		    m->ngroup == 0 && rc_route_nexthop_add(r, m->gw,
		    kn_ifname(k, m->oif)) == -1)
			return -1;
	return 0;
}

static int
kn_pending_resolve(struct kn_route_ctx *c)
{
	bool	any = false;

	for (size_t i = 0; i < c->npending; i++)
		any |= c->pending[i] != 0;
	if (!any)
		return 0;
	if (c->k->nnhs == 0 && c->k->nl != NULL && kn_dump(c->k,
	    RTM_GETNEXTHOP, AF_UNSPEC,
	    sizeof(struct nhmsg), kn_nh_cb, c->k) == -1)
		return -1;
	for (size_t i = 0; i < c->npending; i++)
		if (c->pending[i] != 0 && kn_nh_resolve(c->k, &c->t->v[i],
		    c->pending[i]) == -1)
			return -1;
	return 0;
}

/* The routes of a dump (run by dump on c), nexthop ids resolved. */
static int
kn_routes_finish(struct kn_route_ctx *c, int dumped)
{
	int	rc = -1;

	if (dumped == 0 && kn_pending_resolve(c) == 0)
		rc = 0;
	free(c->pending);
	if (rc == 0) {
		c->t->present = true;
		rc_table_sort(c->t);
	}
	return rc;
}

int
rc_kernel_routes(struct rc_kernel *k, struct rc_table *t)
{
	struct kn_route_ctx	c = { k, t, NULL, 0 };

	if (kn_links_load(k) == -1)
		return -1;
	rc_table_clear(t);
	return kn_routes_finish(&c, kn_dump(k, RTM_GETROUTE, AF_INET,
	    sizeof(struct rtmsg), kn_route_cb, &c));
}

/* Readers over messages already received. */

struct rc_kernel *
rc_kernel_new(void)
{
	return calloc(1, sizeof(struct rc_kernel));
}

static int
kn_parse(const void *buf, size_t len, mnl_cb_t cb, void *data)
{
	return kn_run(buf, len, 0, 0, cb, data) == MNL_CB_ERROR ? -1 : 0;
}

int
rc_kernel_parse(struct rc_kernel *k, uint16_t type, const void *buf,
    size_t len, struct rc_table *t)
{
	struct kn_route_ctx	c = { k, t, NULL, 0 };

	switch (type) {
	case RTM_GETLINK:
		k->have_links = true;
		return kn_parse(buf, len, kn_link_cb, k);
	case RTM_GETNEXTHOP:
		return kn_parse(buf, len, kn_nh_cb, k);
	case RTM_GETROUTE:
		rc_table_clear(t);
		return kn_routes_finish(&c, kn_parse(buf, len, kn_route_cb,
		    &c));
	}
	errno = EINVAL;
	return -1;
}
