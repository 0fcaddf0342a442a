/*
 * links.c: the guest's HSI links through libnl-route-3: a link cache
 * kept current by a cache manager (link events), and admin up/down
 * through rtnetlink.  Every change of an HSI interface goes to the
 * engine, which decides (fsm_link_changed).
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
		    l != NULL && oper, agent_wall_ms());
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
	fsm_set_admin(&a->fsm, i, up, agent_wall_ms());
	return 0;
}
