/*
 * drain.c: drain and undrain interfaces at run time.
 *
 * A drained interface stays up and keeps its adjacencies, but no path
 * through it is used in either direction:
 *   - broadcast/NBMA: the router leaves the network in its router-LSA (the
 *     transit link becomes a stub link, rtrlsa.c), because the edge from a
 *     network to a router costs 0 and raising our own cost would move
 *     nothing.  The priority drops to 0 and, when we are the DR, a hello
 *     goes out at once: the other routers elect a new DR right away and
 *     keep their adjacencies and routes when our interface goes down later
 *     (otherwise they would wait a dead interval for the DR to vanish).
 *   - point-to-point and others: the output cost goes to the maximum.
 * Nothing is written to the running configuration.  A drain is kept by
 * interface name and re-asserted whenever ospfd recalculates (ISM changes,
 * every router-LSA we originate).  Router-LSA re-originations are spaced by
 * MinLSArrival (plus a margin) and coalesced per area, so neighbours never
 * drop them.
 */
#include "frr.h"

#include "lgr_ctl.h"
#include "lgr.h"

#define DRAIN_LSA_MARGIN_MS	50

struct drain_if {
	struct drain_if	*next;
	char		 name[INTERFACE_NAMSIZ];
	enum drain_phase phase;
	double		 since;
};

struct drain_area {
	struct drain_area *next;
	struct in_addr	 area_id;
	struct thread	*t_update;	/* spaced router-LSA update */
	struct timeval	 dirty;		/* last drain change in the area */
	struct timeval	 last_orig;	/* our last two router-LSAs */
	struct timeval	 prev_orig;
};

/* Drained interfaces and pending updates; main thread only. */
static struct drain_if		*drain_list;
static struct drain_area	*drain_areas;

const char *
drain_phase_name(enum drain_phase phase)
{
	switch (phase) {
	case DRAIN_ACTIVE:
		return "drained";
	case DRAIN_NONE:
		break;
	}
	return "none";
}

static struct drain_if *
drain_find(const char *name)
{
	struct drain_if	*d;

	for (d = drain_list; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

enum drain_phase
drain_phase(const char *ifname)
{
	struct drain_if	*d = drain_find(ifname);

	return d == NULL ? DRAIN_NONE : d->phase;
}

static struct drain_if *
drain_new(const char *name)
{
	struct drain_if	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	strlcpy(d->name, name, sizeof(d->name));
	d->next = drain_list;
	drain_list = d;
	return d;
}

static void
drain_free(struct drain_if *d)
{
	struct drain_if	**pp;

	for (pp = &drain_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	free(d);
}

/* Broadcast or NBMA: a LAN with a DR (hello.c asks too). */
bool
drain_is_lan(struct ospf_interface *oi)
{
	return oi->type == OSPF_IFTYPE_BROADCAST ||
	    oi->type == OSPF_IFTYPE_NBMA;
}

static void
drain_publish(struct drain_if *d, const char *ifname, enum drain_phase from,
    enum drain_phase to)
{
	struct json_object	*ev = json_object_new_object();

	json_object_object_add(ev, "ifname", json_object_new_string(ifname));
	json_object_object_add(ev, "from", json_object_new_string(
	    drain_phase_name(from)));
	json_object_object_add(ev, "to", json_object_new_string(
	    drain_phase_name(to)));
	if (d != NULL)
		json_object_object_add(ev, "since",
		    json_object_new_double(d->since));
	events_publish(LGR_EV_DRAIN, ev);
}

static void
drain_set_phase(struct drain_if *d, enum drain_phase phase)
{
	enum drain_phase	from = d->phase;

	if (from == phase)
		return;
	d->phase = phase;
	d->since = lgr_now();
	drain_publish(d, d->name, from, phase);
}

/* --- spaced router-LSA updates -------------------------------------- */

static struct drain_area *
drain_area_get(struct in_addr id)
{
	struct drain_area	*da;

	for (da = drain_areas; da != NULL; da = da->next)
		if (da->area_id.s_addr == id.s_addr)
			return da;
	if ((da = calloc(1, sizeof(*da))) == NULL)
		return NULL;
	da->area_id = id;
	da->next = drain_areas;
	drain_areas = da;
	return da;
}

static long
drain_ms_between(const struct timeval *a, const struct timeval *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 +
	    (long)(b->tv_usec - a->tv_usec) / 1000;
}

/* Milliseconds until a new router-LSA of the area won't be dropped. */
static long
drain_lsa_wait(struct ospf_area *area, struct drain_area *da)
{
	struct timeval	now;
	long		need;

	if (da->last_orig.tv_sec == 0)
		return 0;
	monotime(&now);
	need = (long)area->ospf->min_ls_arrival + DRAIN_LSA_MARGIN_MS;
	need -= drain_ms_between(&da->last_orig, &now);
	return need > 0 ? need : 0;
}

/*
 * True when a router-LSA originated after the last drain change (every one
 * passes rtrlsa_rewrite, so it carries the change) and far enough from its
 * predecessor that neighbours accepted it.
 */
static bool
drain_lsa_current(struct ospf_area *area, struct drain_area *da)
{
	if (timercmp(&da->last_orig, &da->dirty, <))
		return false;
	return da->prev_orig.tv_sec == 0 ||
	    drain_ms_between(&da->prev_orig, &da->last_orig) >=
	    (long)area->ospf->min_ls_arrival;
}

static void drain_lsa_timer(struct drain_area *da, struct ospf_area *area);

static void
drain_lsa_update(struct thread *t)
{
	struct drain_area	*da = THREAD_ARG(t);
	struct ospf		*ospf = lgr_ospf();
	struct ospf_area	*area;

	if (ospf == NULL ||
	    (area = ospf_area_lookup_by_area_id(ospf, da->area_id)) == NULL)
		return;
	if (drain_lsa_current(area, da))
		return;
	if (drain_lsa_wait(area, da) > 0) {
		/* ospfd originated meanwhile; keep the spacing. */
		drain_lsa_timer(da, area);
		return;
	}
	ospf_router_lsa_update_area(area);
}

static void
drain_lsa_timer(struct drain_area *da, struct ospf_area *area)
{
	thread_add_timer_msec(lgr_master(), drain_lsa_update, da,
	    drain_lsa_wait(area, da), &da->t_update);
}

/* A router-LSA of ours for the area is on its way (spaced update). */
bool
drain_rtrlsa_pending(struct in_addr area_id)
{
	struct drain_area	*da;

	for (da = drain_areas; da != NULL; da = da->next)
		if (da->area_id.s_addr == area_id.s_addr)
			return da->t_update != NULL;
	return false;
}

/*
 * The area needs a router-LSA that reflects a drain change: ospfd often
 * originates one by itself right away (an interface state change); if not,
 * or if that one came too soon after the previous, we originate once the
 * spacing allows.  Changes in the meantime are coalesced.
 */
static void
drain_lsa_schedule(struct ospf_area *area)
{
	struct drain_area	*da;

	if ((da = drain_area_get(area->area_id)) == NULL)
		return;
	monotime(&da->dirty);
	if (da->t_update == NULL)
		drain_lsa_timer(da, area);
}

/*
 * Every router-LSA we originate, ours or ospfd's own (an interface or
 * a neighbour changing state): one that came within MinLSArrival of its
 * predecessor is dropped by every neighbour, which then keeps the older
 * instance until our retransmission (retransmit-interval, 5 s by
 * default), or stalls a database exchange in Loading until its request
 * is repeated.  A router joining a LAN originates three in a few
 * milliseconds (up, DR election, Full): re-originate once the spacing
 * allows, so the last state reaches everyone MinLSArrival after it.
 */
static void
drain_rtrlsa_originated(struct ospf_lsa *lsa)
{
	struct drain_area	*da;

	if (lsa->area == NULL || (da = drain_area_get(lsa->area->area_id)) ==
	    NULL)
		return;
	da->prev_orig = da->last_orig;
	monotime(&da->last_orig);
	if (!drain_lsa_current(lsa->area, da) && da->t_update == NULL)
		drain_lsa_timer(da, lsa->area);
}

/* --- applying and removing a drain ---------------------------------- */

static void
drain_set_priority(struct ospf_interface *oi, int prio)
{
	if (PRIORITY(oi) == prio)
		return;
	PRIORITY(oi) = prio;
	thread_add_event(lgr_master(), ospf_ism_event, oi, ISM_NeighborChange,
	    NULL);
}

/* ospfd's own state of a drained interface; the router-LSA follows. */
static void
drain_apply_oi(struct ospf_interface *oi)
{
	if (!drain_is_lan(oi)) {
		oi->output_cost = OSPF_OUTPUT_COST_INFINITE;
		return;
	}
	drain_set_priority(oi, 0);
	if (oi->state == ISM_DR) {
		/* Hand the DR role over now, not at the next hello. */
		ospf_hello_send(oi);
		zlog_notice("%s %s: priority 0, another router takes over as "
		    "DR", LGR_MSG_HANDOVER, oi->ifp->name);
	}
}

static void
drain_restore_oi(struct ospf_interface *oi)
{
	if (drain_is_lan(oi))
		drain_set_priority(oi, OSPF_IF_PARAM(oi, priority));
	oi->output_cost = ospf_if_get_output_cost(oi);
}

static void
drain_add_json(struct json_object *res, const char *ifname,
    enum drain_phase from, enum drain_phase to, struct interface *ifp)
{
	struct json_object	*ois = json_object_new_array();
	struct route_node	*rn;
	struct ospf_interface	*oi;

	json_object_object_add(res, "ifname", json_object_new_string(ifname));
	json_object_object_add(res, "from", json_object_new_string(
	    drain_phase_name(from)));
	json_object_object_add(res, "to", json_object_new_string(
	    drain_phase_name(to)));
	for (rn = route_top(IF_OIFS(ifp)); rn; rn = route_next(rn))
		if ((oi = rn->info) != NULL)
			json_object_array_add(ois, report_oi(oi));
	json_object_object_add(res, "interfaces", ois);
}

int
drain_request(struct ospf *ospf, const char *ifname, struct json_object *res)
{
	struct interface	*ifp;
	struct route_node	*rn;
	struct ospf_interface	*oi;
	struct drain_if		*d;
	enum drain_phase	 from;

	if ((ifp = if_lookup_by_name(ifname, ospf->vrf_id)) == NULL)
		return -1;
	if ((d = drain_find(ifname)) == NULL && (d = drain_new(ifname)) == NULL)
		return -1;
	from = d->phase;
	drain_set_phase(d, DRAIN_ACTIVE);
	for (rn = route_top(IF_OIFS(ifp)); rn; rn = route_next(rn))
		if ((oi = rn->info) != NULL) {
			drain_apply_oi(oi);
			drain_lsa_schedule(oi->area);
		}
	zlog_notice("%s %s: %s -> %s", LGR_MSG_DRAIN, ifname,
	    drain_phase_name(from), drain_phase_name(d->phase));
	drain_add_json(res, ifname, from, d->phase, ifp);
	return 0;
}

int
drain_undrain(struct ospf *ospf, const char *ifname, struct json_object *res)
{
	struct interface	*ifp;
	struct route_node	*rn;
	struct ospf_interface	*oi;
	struct drain_if		*d;
	enum drain_phase	 from = DRAIN_NONE;

	if ((ifp = if_lookup_by_name(ifname, ospf->vrf_id)) == NULL)
		return -1;
	if ((d = drain_find(ifname)) != NULL) {
		from = d->phase;
		drain_free(d);
		drain_publish(NULL, ifname, from, DRAIN_NONE);
	}
	for (rn = route_top(IF_OIFS(ifp)); rn; rn = route_next(rn))
		if ((oi = rn->info) != NULL) {
			drain_restore_oi(oi);
			drain_lsa_schedule(oi->area);
		}
	zlog_notice("%s %s: %s -> none", LGR_MSG_UNDRAIN, ifname,
	    drain_phase_name(from));
	drain_add_json(res, ifname, from, DRAIN_NONE, ifp);
	return 0;
}

/* --- re-asserting --------------------------------------------------- */

int
drain_ism_change(struct ospf_interface *oi, int state, int oldstate)
{
	struct drain_if	*d;

	if (oi->ifp == NULL || (d = drain_find(oi->ifp->name)) == NULL)
		return 0;
	if (drain_is_lan(oi)) {
		drain_set_priority(oi, 0);
		if (oldstate == ISM_DR && state != ISM_DR)
			ospf_hello_send(oi);
		/*
		 * ospfd reset the priority when the interface went down, so
		 * it comes up Waiting (a dead interval) though it may not be
		 * elected: end the wait now, as for priority 0 at the up.
		 */
		if (state == ISM_Waiting)
			thread_add_event(lgr_master(), ospf_ism_event, oi,
			    ISM_WaitTimer, NULL);
	} else if (oi->output_cost != OSPF_OUTPUT_COST_INFINITE) {
		oi->output_cost = OSPF_OUTPUT_COST_INFINITE;
		drain_lsa_schedule(oi->area);
	}
	return 0;
}

/* LSDB hook: no LSDB changes from here, only bookkeeping. */
void
drain_lsa_installed(struct ospf_lsa *lsa)
{
	if (lsa->data->type == OSPF_ROUTER_LSA && lsa->area != NULL &&
	    IS_LSA_SELF(lsa) && !IS_LSA_MAXAGE(lsa) &&
	    lsa->data->adv_router.s_addr == lsa->area->ospf->router_id.s_addr)
		drain_rtrlsa_originated(lsa);
}

void
drain_shutdown(void)
{
	struct drain_area	*da;

	while (drain_list != NULL)
		drain_free(drain_list);
	while ((da = drain_areas) != NULL) {
		drain_areas = da->next;
		THREAD_OFF(da->t_update);
		free(da);
	}
}
