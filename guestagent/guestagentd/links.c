/*
 * links.c: the guest's HSI links through libnl-route-3: a link cache
 * kept current by a cache manager (link events), and admin up/down
 * through rtnetlink.  Every change of an HSI interface goes to the
 * engine, which decides (fsm_link_changed).  Also the guest's own
 * kernel routes, evidence that a drain reached the FIB.
 *
 * The manager, its cache and the request socket are this file's
 * singletons, touched only from the main loop.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "agent.h"
#include "log.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000		/* linux/if.h: carrier */
#endif

static struct nl_cache_mngr	*links_mngr;
static struct nl_cache		*links_cache;
static struct nl_sock		*links_sock;

static void
links_flags(struct rtnl_link *l, bool *admin_up, bool *oper_up)
{
	unsigned	flags = rtnl_link_get_flags(l);

	*admin_up = (flags & IFF_UP) != 0;
	*oper_up = *admin_up && (flags & IFF_LOWER_UP) != 0;
}

static void
links_changed(struct nl_cache *cache, struct nl_object *obj, int action,
    void *arg)
{
	struct agent		*a = arg;
	struct rtnl_link	*l = (struct rtnl_link *)obj;
	const char		*name;
	bool			 admin, oper;
	int			 i;

	(void)cache;
	if ((name = rtnl_link_get_name(l)) == NULL ||
	    (i = fsm_if_find(&a->fsm, name)) == -1)
		return;
	if (action == NL_ACT_DEL) {
		engine_link_event(a, (size_t)i, false, false, false);
		return;
	}
	links_flags(l, &admin, &oper);
	engine_link_event(a, (size_t)i, true, admin, oper);
}

/* What the cache holds now, into the fsm (no decisions). */
static void
links_load(struct agent *a)
{
	struct rtnl_link	*l;
	bool			 admin = false, oper = false;
	size_t			 i;

	for (i = 0; i < a->fsm.nifs; i++) {
		l = rtnl_link_get_by_name(links_cache, a->fsm.ifs[i].name);
		if (l != NULL)
			links_flags(l, &admin, &oper);
		fsm_link_changed(&a->fsm, i, l != NULL, l != NULL && admin,
		    l != NULL && oper, clock_wall_ms());
		if (l == NULL)
			log_warnx("%s %s: no such interface in the guest",
			    GA_MSG_LINK, a->fsm.ifs[i].name);
		else
			rtnl_link_put(l);
	}
}

int
links_open(struct agent *a)
{
	int	err;

	if ((err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE,
	    &links_mngr)) < 0 || (err = nl_cache_mngr_add(links_mngr,
	    "route/link", links_changed, a, &links_cache)) < 0) {
		log_warnx("%s link cache: %s", GA_MSG_LINK, nl_geterror(err));
		return -1;
	}
	if ((links_sock = nl_socket_alloc()) == NULL ||
	    (err = nl_connect(links_sock, NETLINK_ROUTE)) < 0) {
		log_warnx("%s rtnetlink socket: %s", GA_MSG_LINK,
		    links_sock == NULL ? "out of memory" : nl_geterror(err));
		return -1;
	}
	links_load(a);
	return 0;
}

void
links_close(void)
{
	if (links_mngr != NULL)
		nl_cache_mngr_free(links_mngr);	/* frees its caches */
	if (links_sock != NULL)
		nl_socket_free(links_sock);
	links_mngr = NULL;
	links_cache = NULL;
	links_sock = NULL;
}

int
links_fd(void)
{
	return links_mngr != NULL ? nl_cache_mngr_get_fd(links_mngr) : -1;
}

/*
 * Events arrived.  When the kernel dropped some (socket overrun), the
 * cache is refilled and every HSI interface re-examined.
 */
void
links_read(struct agent *a)
{
	struct rtnl_link	*l;
	bool			 admin, oper;
	size_t			 i;
	int			 err;

	if ((err = nl_cache_mngr_data_ready(links_mngr)) >= 0)
		return;
	log_warnx("%s link events: %s; reading every link again", GA_MSG_LINK,
	    nl_geterror(err));
	if ((err = nl_cache_refill(links_sock, links_cache)) < 0) {
		log_warnx("%s link cache refill: %s", GA_MSG_LINK,
		    nl_geterror(err));
		return;
	}
	for (i = 0; i < a->fsm.nifs; i++) {
		if ((l = rtnl_link_get_by_name(links_cache,
		    a->fsm.ifs[i].name)) == NULL) {
			engine_link_event(a, i, false, false, false);
			continue;
		}
		links_flags(l, &admin, &oper);
		rtnl_link_put(l);
		engine_link_event(a, i, true, admin, oper);
	}
}

/* Admin up or down; logs a failure; returns 0 or -1. */
int
links_set(struct agent *a, size_t i, bool up)
{
	struct fsm_if		*fi = &a->fsm.ifs[i];
	struct rtnl_link	*l, *change;
	int			 err;

	if ((l = rtnl_link_get_by_name(links_cache, fi->name)) == NULL) {
		log_warnx("%s %s: no such interface; cannot set it %s",
		    GA_MSG_LINK, fi->name, up ? "up" : "down");
		errno = ENODEV;
		return -1;
	}
	if ((change = rtnl_link_alloc()) == NULL) {
		rtnl_link_put(l);
		errno = ENOMEM;
		return -1;
	}
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	err = rtnl_link_change(links_sock, l, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(l);
	if (err < 0) {
		log_warnx("%s %s: set %s: %s", GA_MSG_LINK, fi->name,
		    up ? "up" : "down", nl_geterror(err));
		errno = EIO;
		return -1;
	}
	log_debug("%s set %s", fi->name, up ? "up" : "down");
	fsm_set_admin(&a->fsm, i, up, clock_wall_ms());
	return 0;
}

static bool
links_is_hsi_ifindex(const int *idx, size_t n, int ifindex)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (idx[i] == ifindex)
			return true;
	return false;
}

/* Does this kernel route leave through one of the interfaces? */
static bool
links_route_uses(struct rtnl_route *r, const int *idx, size_t n)
{
	struct rtnl_nexthop	*nh;
	int			 i;

	for (i = 0; i < rtnl_route_get_nnexthops(r); i++)
		if ((nh = rtnl_route_nexthop_n(r, i)) != NULL &&
		    links_is_hsi_ifindex(idx, n, rtnl_route_nh_get_ifindex(nh)))
			return true;
	return false;
}

/*
 * The kernel's main table, read now: 1 when no route but those to the
 * prefixes in except ("a.b.c.d/len") leaves through an HSI interface,
 * 0 when one does (its destination in first), -1 when the table could
 * not be read.
 */
int
links_fib_avoids_hsi(struct agent *a, const char *const *except,
    size_t nexcept, char *first, size_t len)
{
	struct nl_cache		*routes;
	struct nl_object	*o;
	struct rtnl_link	*l;
	struct rtnl_route	*r;
	int			 idx[FSM_MAX_IFS], rc = 1, err;
	size_t			 i, n = 0;
	char			 dst[64];

	first[0] = '\0';
	for (i = 0; i < a->fsm.nifs; i++)
		if ((l = rtnl_link_get_by_name(links_cache,
		    a->fsm.ifs[i].name)) != NULL) {
			idx[n++] = rtnl_link_get_ifindex(l);
			rtnl_link_put(l);
		}
	if ((err = rtnl_route_alloc_cache(links_sock, AF_INET, 0,
	    &routes)) < 0) {
		log_warnx("%s kernel routes: %s", GA_MSG_LINK, nl_geterror(err));
		return -1;
	}
	for (o = nl_cache_get_first(routes); o != NULL && rc == 1;
	    o = nl_cache_get_next(o)) {
		r = (struct rtnl_route *)o;
		if (rtnl_route_get_table(r) != RT_TABLE_MAIN ||
		    !links_route_uses(r, idx, n))
			continue;
		nl_addr2str(rtnl_route_get_dst(r), dst, sizeof(dst));
		for (i = 0; i < nexcept && strcmp(dst, except[i]) != 0; i++)
			;
		if (i == nexcept) {
			snprintf(first, len, "%s", dst);
			rc = 0;
		}
	}
	nl_cache_free(routes);
	return rc;
}
