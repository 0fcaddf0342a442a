/*
 * linkstate.c: read the links of a namespace (name, admin and carrier
 * state, master) with one netlink dump.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "labname.h"
#include "nslab.h"
#include "nsswitch.h"

struct ls_dump {
	struct link_info	*v;
	size_t			 n;
};

static int
linkstate_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_IFNAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	if (type == IFLA_MASTER && mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int
linkstate_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ls_dump		*d = data;
	struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[IFLA_MAX + 1] = { NULL };
	struct link_info	*li, *nv;

	mnl_attr_parse(nlh, sizeof(*ifm), linkstate_attr, tb);
	if (tb[IFLA_IFNAME] == NULL)
		return MNL_CB_OK;
	if ((nv = reallocarray(d->v, d->n + 1, sizeof(*nv))) == NULL)
		return MNL_CB_ERROR;
	d->v = nv;
	li = &d->v[d->n++];
	memset(li, 0, sizeof(*li));
	snprintf(li->name, sizeof(li->name), "%s",
	    mnl_attr_get_str(tb[IFLA_IFNAME]));
	li->ifindex = ifm->ifi_index;
	li->up = (ifm->ifi_flags & IFF_UP) != 0;
	li->running = (ifm->ifi_flags & IFF_RUNNING) != 0;
	li->master = tb[IFLA_MASTER] ? (int)mnl_attr_get_u32(tb[IFLA_MASTER])
	    : 0;
	return MNL_CB_OK;
}

static int
linkstate_run(struct mnl_socket *nl, struct ls_dump *d)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	struct rtgenmsg		*rt;
	unsigned		 seq = (unsigned)time(NULL), portid;
	ssize_t			 n;
	int			 rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_PACKET;
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) <= 0)
			return -1;
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, linkstate_cb, d);
	} while (rc > MNL_CB_STOP);
	return rc == MNL_CB_ERROR ? -1 : 0;
}

/*
 * Every link of the namespace named ns: a malloc'ed array in *links.
 * Returns the count, or -1 with errno set.
 */
ssize_t
linkstate_read(const char *ns, struct link_info **links)
{
	struct ls_dump		 d = { NULL, 0 };
	struct mnl_socket	*nl;
	int			 self, rc = -1, saved;

	if ((self = nsswitch_enter(ns)) == -1)
		return -1;
	nl = mnl_socket_open(NETLINK_ROUTE);
	nsswitch_leave(self);
	if (nl == NULL)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0)
		rc = linkstate_run(nl, &d);
	saved = errno;
	mnl_socket_close(nl);
	if (rc == -1) {
		free(d.v);
		errno = saved;
		return -1;
	}
	*links = d.v;
	return (ssize_t)d.n;
}

const struct link_info *
linkstate_find(const struct link_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

const struct link_info *
linkstate_by_index(const struct link_info *v, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].ifindex == ifindex)
			return &v[i];
	return NULL;
}

/*
 * The links of every switch namespace of the lab (LAB:sw, or each
 * host's), as one list: interface indexes of host h are offset by
 * h * LINKSTATE_HOST_STRIDE so that masters still resolve.
 */
#define LINKSTATE_HOST_STRIDE	100000

ssize_t
linkstate_read_switches(const struct topo *t, const char *lab,
    struct link_info **links)
{
	struct link_info	*all = NULL, *one, *grown;
	char			 ns[128];
	size_t			 n = 0;
	ssize_t			 k;

	if (t->nhosts == 0) {
		labname_switch_netns(lab, ns, sizeof(ns));
		return linkstate_read(ns, links);
	}
	for (size_t h = 0; h < t->nhosts; h++) {
		labname_host_netns(lab, t->hosts[h].name, ns, sizeof(ns));
		if ((k = linkstate_read(ns, &one)) == -1)
			continue;	/* a host not here (nslab up --host) */
		if ((grown = realloc(all, (n + (size_t)k + 1) *
		    sizeof(*all))) == NULL) {
			free(one);
			free(all);
			return -1;
		}
		all = grown;
		for (ssize_t i = 0; i < k; i++) {
			one[i].ifindex += (int)h * LINKSTATE_HOST_STRIDE;
			if (one[i].master > 0)
				one[i].master += (int)h * LINKSTATE_HOST_STRIDE;
			all[n++] = one[i];
		}
		free(one);
	}
	*links = all;
	return (ssize_t)n;
}

/*
 * Where each guest lives, as the network shows it: the member whose
 * HiperSockets bridge (or uplink bridge to it, with hosts) holds the host
 * ends of its HSI NICs.  Guests
 * without HiperSockets keep their member from the topology.  res has
 * t->nguests entries.
 */
int
linkstate_residency(const struct topo *t, const char *lab, int *res)
{
	struct link_info	*sw;
	char			 name[32];
	ssize_t			 n;

	for (size_t g = 0; g < t->nguests; g++)
		res[g] = t->guests[g].member;
	if ((n = linkstate_read_switches(t, lab, &sw)) == -1)
		return -1;
	for (size_t g = 0; g < t->nguests; g++) {
		const struct topo_guest	*gu = &t->guests[g];

		for (size_t k = 0; k < gu->nnics; k++) {
			const struct link_info	*h, *br;
			int			 m;

			if (gu->nics[k].kind != TOPO_NIC_HIPERSOCKETS)
				continue;
			labname_guest_hostif((int)g, (int)k, name, sizeof(name));
			if ((h = linkstate_find(sw, (size_t)n, name)) == NULL ||
			    (br = linkstate_by_index(sw, (size_t)n,
			    h->master)) == NULL)
				continue;
			if ((sscanf(br->name, "hs%d", &m) == 1 ||
			    sscanf(br->name, "hp%d", &m) == 1) && m >= 0 &&
			    (size_t)m < t->nmembers)
				res[g] = m;
			break;
		}
	}
	free(sw);
	return 0;
}
