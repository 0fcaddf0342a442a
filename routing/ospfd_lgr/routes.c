/*
 * routes.c: snapshots of ospfd's network routing table and their diff
 * after every SPF run ("spf" events).
 *
 * FRR 8.4 has no post-SPF hook and the SPF worker is static.  When ospfd
 * has an SPF run pending (ospf->t_spf_calc, checked from an event after
 * every LSA install and ISM/NSM change), we wrap that timer's callback
 * once: ours calls ospfd's worker, then diffs.  The timer is recognised by
 * the function name FRR records with it, so nothing else is ever wrapped.
 * A slow poll of ospf->ts_spf catches runs we could not wrap.
 */
#include "frr.h"

#include "lgr_ctl.h"
#include "lgr.h"

#define ROUTES_SPF_WORKER	"ospf_spf_calculate_schedule_worker"
#define ROUTES_POLL_MS		1000

struct routes_nh {
	struct in_addr	 addr;
	ifindex_t	 ifindex;
};

struct routes_entry {
	struct prefix_ipv4 p;
	uint32_t	 cost;
	uint8_t		 path_type;
	int		 nnh;
	struct routes_nh *nh;
};

struct routes_snap {
	struct routes_entry *v;
	size_t		 n;
};

/* The last table we reported and the SPF hook state; main thread only. */
static struct routes_snap	 routes_saved;
static struct timeval		 routes_ts_seen;
static void			(*routes_spf_func)(struct thread *);
static struct thread		*routes_t_watch;
static struct thread		*routes_t_poll;

static int
routes_nh_cmp(const void *a, const void *b)
{
	const struct routes_nh	*x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	if (x->addr.s_addr != y->addr.s_addr)
		return ntohl(x->addr.s_addr) < ntohl(y->addr.s_addr) ? -1 : 1;
	return 0;
}

static int
routes_entry_cmp(const void *a, const void *b)
{
	const struct routes_entry	*x = a, *y = b;
	uint32_t			 xa = ntohl(x->p.prefix.s_addr);
	uint32_t			 ya = ntohl(y->p.prefix.s_addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->p.prefixlen - (int)y->p.prefixlen;
}

static void
routes_snap_free(struct routes_snap *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].nh);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
routes_entry_fill(struct routes_entry *e, struct route_node *rn,
    struct ospf_route *or)
{
	struct listnode		*node;
	struct ospf_path	*path;
	int			 n = or->paths ? (int)listcount(or->paths) : 0;

	e->p.family = AF_INET;
	e->p.prefix = rn->p.u.prefix4;
	e->p.prefixlen = rn->p.prefixlen;
	e->cost = or->cost;
	e->path_type = or->path_type;
	e->nnh = 0;
	if (n > 0 && (e->nh = calloc((size_t)n, sizeof(*e->nh))) == NULL)
		return -1;
	if (or->paths == NULL)
		return 0;
	for (ALL_LIST_ELEMENTS_RO(or->paths, node, path)) {
		e->nh[e->nnh].addr = path->nexthop;
		e->nh[e->nnh].ifindex = path->ifindex;
		e->nnh++;
	}
	qsort(e->nh, (size_t)e->nnh, sizeof(*e->nh), routes_nh_cmp);
	return 0;
}

static int
routes_snap_take(struct ospf *ospf, struct routes_snap *s)
{
	struct route_table	*table = ospf->new_table;
	struct route_node	*rn;
	struct ospf_route	*or;
	size_t			 cap = 0;

	s->v = NULL;
	s->n = 0;
	if (table == NULL)
		return 0;
	for (rn = route_top(table); rn; rn = route_next(rn)) {
		if ((or = rn->info) == NULL)
			continue;
		if (s->n == cap) {
			struct routes_entry *v;

			cap = cap ? cap * 2 : 64;
			if ((v = realloc(s->v, cap * sizeof(*v))) == NULL)
				goto fail;
			s->v = v;
		}
		memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
		if (routes_entry_fill(&s->v[s->n], rn, or) == -1)
			goto fail;
		s->n++;
	}
	qsort(s->v, s->n, sizeof(*s->v), routes_entry_cmp);
	return 0;
fail:
	if (rn != NULL)
		route_unlock_node(rn);
	routes_snap_free(s);
	return -1;
}

static const char *
routes_path_type(uint8_t t)
{
	switch (t) {
	case OSPF_PATH_INTRA_AREA:
		return "intra-area";
	case OSPF_PATH_INTER_AREA:
		return "inter-area";
	case OSPF_PATH_TYPE1_EXTERNAL:
		return "external-1";
	case OSPF_PATH_TYPE2_EXTERNAL:
		return "external-2";
	}
	return "unknown";
}

static struct json_object *
routes_nh_json(const struct routes_nh *nh, vrf_id_t vrf_id)
{
	struct json_object	*o = json_object_new_object();
	char			 buf[INET_ADDRSTRLEN];

	if (nh->addr.s_addr != INADDR_ANY) {
		inet_ntop(AF_INET, &nh->addr, buf, sizeof(buf));
		json_object_object_add(o, "ip", json_object_new_string(buf));
	} else
		json_object_object_add(o, "directly_attached",
		    json_object_new_boolean(true));
	json_object_object_add(o, "ifname", json_object_new_string(
	    ifindex2ifname(nh->ifindex, vrf_id)));
	return o;
}

static void
routes_prefix_str(const struct routes_entry *e, char *buf, size_t size)
{
	char	a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &e->p.prefix, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, e->p.prefixlen);
}

/* cost, path type and next hops of e. */
static struct json_object *
routes_entry_json(const struct routes_entry *e, vrf_id_t vrf_id)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*nhs = json_object_new_array();
	int			 i;

	json_object_object_add(o, "cost", json_object_new_int64(e->cost));
	json_object_object_add(o, "path_type", json_object_new_string(
	    routes_path_type(e->path_type)));
	for (i = 0; i < e->nnh; i++)
		json_object_array_add(nhs, routes_nh_json(&e->nh[i], vrf_id));
	json_object_object_add(o, "nexthops", nhs);
	return o;
}

struct json_object *
routes_table_json(struct ospf *ospf)
{
	struct json_object	*arr = json_object_new_array(), *o;
	struct routes_snap	 s;
	char			 pfx[PREFIX_STRLEN];
	size_t			 i;

	if (routes_snap_take(ospf, &s) == -1)
		return arr;
	for (i = 0; i < s.n; i++) {
		o = routes_entry_json(&s.v[i], ospf->vrf_id);
		routes_prefix_str(&s.v[i], pfx, sizeof(pfx));
		json_object_object_add(o, "prefix", json_object_new_string(pfx));
		json_object_array_add(arr, o);
	}
	routes_snap_free(&s);
	return arr;
}

static bool
routes_entry_same(const struct routes_entry *a, const struct routes_entry *b)
{
	int	i;

	if (a->cost != b->cost || a->path_type != b->path_type ||
	    a->nnh != b->nnh)
		return false;
	for (i = 0; i < a->nnh; i++)
		if (routes_nh_cmp(&a->nh[i], &b->nh[i]) != 0)
			return false;
	return true;
}

static void
routes_diff_add(struct json_object *changes, const struct routes_entry *old,
    const struct routes_entry *new, vrf_id_t vrf_id)
{
	struct json_object	*c = json_object_new_object();
	char			 pfx[PREFIX_STRLEN];

	routes_prefix_str(old ? old : new, pfx, sizeof(pfx));
	json_object_object_add(c, "prefix", json_object_new_string(pfx));
	json_object_object_add(c, "change", json_object_new_string(
	    old == NULL ? "added" : new == NULL ? "removed" : "changed"));
	if (old != NULL)
		json_object_object_add(c, "old", routes_entry_json(old, vrf_id));
	if (new != NULL)
		json_object_object_add(c, "new", routes_entry_json(new, vrf_id));
	json_object_array_add(changes, c);
}

/* Both snapshots are sorted: one merge pass. */
static struct json_object *
routes_diff(const struct routes_snap *a, const struct routes_snap *b,
    vrf_id_t vrf_id)
{
	struct json_object	*changes = json_object_new_array();
	size_t			 i = 0, j = 0;
	int			 c;

	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = routes_entry_cmp(&a->v[i], &b->v[j]);
		if (c < 0)
			routes_diff_add(changes, &a->v[i++], NULL, vrf_id);
		else if (c > 0)
			routes_diff_add(changes, NULL, &b->v[j++], vrf_id);
		else {
			if (!routes_entry_same(&a->v[i], &b->v[j]))
				routes_diff_add(changes, &a->v[i], &b->v[j],
				    vrf_id);
			i++;
			j++;
		}
	}
	return changes;
}

static void
routes_after_spf(struct ospf *ospf)
{
	struct routes_snap	 now;
	struct json_object	*ev;

	routes_ts_seen = ospf->ts_spf;
	if (routes_snap_take(ospf, &now) == -1)
		return;
	ev = json_object_new_object();
	json_object_object_add(ev, "routes", json_object_new_int64(
	    (int64_t)now.n));
	json_object_object_add(ev, "changes", routes_diff(&routes_saved, &now,
	    ospf->vrf_id));
	events_publish(LGR_EV_SPF, ev);
	routes_snap_free(&routes_saved);
	routes_saved = now;
}

static void
routes_spf_wrapper(struct thread *t)
{
	struct ospf	*ospf = THREAD_ARG(t);

	routes_spf_func(t);
	routes_after_spf(ospf);
}

static void
routes_wrap(struct thread *t)
{
	struct ospf	*ospf = lgr_ospf();
	struct thread	*spf;

	(void)t;
	if (ospf == NULL || (spf = ospf->t_spf_calc) == NULL ||
	    spf->func == routes_spf_wrapper)
		return;
	if (spf->xref == NULL || spf->xref->funcname == NULL ||
	    strcmp(spf->xref->funcname, ROUTES_SPF_WORKER) != 0)
		return;
	if (routes_spf_func != NULL && spf->func != routes_spf_func)
		return;
	routes_spf_func = spf->func;
	spf->func = routes_spf_wrapper;
}

void
routes_watch_spf(void)
{
	if (lgr_master() != NULL)
		thread_add_event(lgr_master(), routes_wrap, NULL, 0,
		    &routes_t_watch);
}

static void
routes_poll(struct thread *t)
{
	struct ospf	*ospf = lgr_ospf();

	(void)t;
	if (ospf != NULL && timercmp(&ospf->ts_spf, &routes_ts_seen, !=))
		routes_after_spf(ospf);
	thread_add_timer_msec(lgr_master(), routes_poll, NULL, ROUTES_POLL_MS,
	    &routes_t_poll);
}

void
routes_init(void)
{
	thread_add_timer_msec(lgr_master(), routes_poll, NULL, ROUTES_POLL_MS,
	    &routes_t_poll);
}

void
routes_shutdown(void)
{
	THREAD_OFF(routes_t_watch);
	THREAD_OFF(routes_t_poll);
	routes_snap_free(&routes_saved);
}
