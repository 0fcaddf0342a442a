/*
 * report.c: JSON views of ospfd's state, shared by the control socket
 * (state, routes, lsdb), the events and "show lgr" on the vty.
 */
#include "frr.h"

#include "lgr.h"

static void
report_addr(struct json_object *o, const char *key, struct in_addr a)
{
	char	buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	json_object_object_add(o, key, json_object_new_string(buf));
}

static const char *
report_iftype(uint8_t type)
{
	switch (type) {
	case OSPF_IFTYPE_POINTOPOINT:
		return "point-to-point";
	case OSPF_IFTYPE_BROADCAST:
		return "broadcast";
	case OSPF_IFTYPE_NBMA:
		return "nbma";
	case OSPF_IFTYPE_POINTOMULTIPOINT:
		return "point-to-multipoint";
	case OSPF_IFTYPE_VIRTUALLINK:
		return "virtual-link";
	case OSPF_IFTYPE_LOOPBACK:
		return "loopback";
	}
	return "unknown";
}

static const char *
report_lsa_type(uint8_t type)
{
	static const char *const names[OSPF_MAX_LSA] = {
		"unknown", "router", "network", "summary", "asbr-summary",
		"external", "unknown", "nssa", "unknown", "opaque-link",
		"opaque-area", "opaque-as",
	};

	return type < OSPF_MAX_LSA ? names[type] : "unknown";
}

static struct json_object *
report_nbr(struct ospf_neighbor *nbr)
{
	struct json_object	*o = json_object_new_object();

	report_addr(o, "router_id", nbr->router_id);
	report_addr(o, "address", nbr->src);
	json_object_object_add(o, "state", json_object_new_string(
	    lookup_msg(ospf_nsm_state_msg, nbr->state, NULL)));
	json_object_object_add(o, "priority",
	    json_object_new_int(nbr->priority));
	report_addr(o, "dr", nbr->d_router);
	report_addr(o, "bdr", nbr->bd_router);
	return o;
}

static struct json_object *
report_nbrs(struct ospf_interface *oi)
{
	struct json_object	*arr = json_object_new_array();
	struct route_node	*rn;
	struct ospf_neighbor	*nbr;

	for (rn = route_top(oi->nbrs); rn; rn = route_next(rn))
		if ((nbr = rn->info) != NULL && nbr != oi->nbr_self)
			json_object_array_add(arr, report_nbr(nbr));
	return arr;
}

struct json_object *
report_oi(struct ospf_interface *oi)
{
	struct json_object	*o = json_object_new_object();
	char			 pfx[PREFIX_STRLEN];
	enum drain_phase	 phase = drain_phase(oi->ifp->name);

	json_object_object_add(o, "ifname", json_object_new_string(
	    oi->ifp->name));
	if (oi->address != NULL) {
		prefix2str(oi->address, pfx, sizeof(pfx));
		json_object_object_add(o, "address",
		    json_object_new_string(pfx));
	}
	if (oi->area != NULL)
		report_addr(o, "area", oi->area->area_id);
	json_object_object_add(o, "type", json_object_new_string(
	    report_iftype(oi->type)));
	json_object_object_add(o, "state", json_object_new_string(
	    lookup_msg(ospf_ism_state_msg, oi->state, NULL)));
	json_object_object_add(o, "link_up", json_object_new_boolean(
	    if_is_operative(oi->ifp)));
	json_object_object_add(o, "cost", json_object_new_int64(
	    oi->output_cost));
	json_object_object_add(o, "configured_cost", json_object_new_int(
	    ospf_if_get_output_cost(oi)));
	json_object_object_add(o, "priority", json_object_new_int(
	    oi->nbr_self ? PRIORITY(oi) : -1));
	json_object_object_add(o, "configured_priority", json_object_new_int(
	    OSPF_IF_PARAM(oi, priority)));
	json_object_object_add(o, "drained", json_object_new_boolean(
	    phase != DRAIN_NONE));
	json_object_object_add(o, "drain", json_object_new_string(
	    drain_phase_name(phase)));
	if (oi->nbr_self != NULL) {
		report_addr(o, "dr", DR(oi));
		report_addr(o, "bdr", BDR(oi));
	}
	json_object_object_add(o, "neighbors", report_nbrs(oi));
	return o;
}

struct json_object *
report_state(struct ospf *ospf)
{
	struct json_object	*arr = json_object_new_array();
	struct listnode		*node;
	struct ospf_interface	*oi;

	for (ALL_LIST_ELEMENTS_RO(ospf->oiflist, node, oi))
		if (oi->ifp != NULL && oi->type != OSPF_IFTYPE_VIRTUALLINK)
			json_object_array_add(arr, report_oi(oi));
	return arr;
}

struct json_object *
report_routes(struct ospf *ospf)
{
	return routes_table_json(ospf);
}

struct json_object *
report_lsa(struct ospf_lsa *lsa)
{
	struct json_object	*o = json_object_new_object();
	struct lsa_header	*h = lsa->data;
	char			 seq[16];

	if (lsa->area != NULL)
		report_addr(o, "area", lsa->area->area_id);
	json_object_object_add(o, "type", json_object_new_int(h->type));
	json_object_object_add(o, "type_name", json_object_new_string(
	    report_lsa_type(h->type)));
	report_addr(o, "id", h->id);
	report_addr(o, "adv_router", h->adv_router);
	snprintf(seq, sizeof(seq), "0x%08x", ntohl(h->ls_seqnum));
	json_object_object_add(o, "lsa_seq", json_object_new_string(seq));
	json_object_object_add(o, "age", json_object_new_int(LS_AGE(lsa)));
	json_object_object_add(o, "self", json_object_new_boolean(
	    IS_LSA_SELF(lsa)));
	return o;
}

static void
report_lsdb_add(struct json_object *arr, struct ospf_lsdb *lsdb)
{
	struct route_node	*rn;
	struct ospf_lsa		*lsa;
	int			 type;

	for (type = 1; type < OSPF_MAX_LSA; type++) {
		if (lsdb->type[type].db == NULL)
			continue;
		for (rn = route_top(lsdb->type[type].db); rn;
		    rn = route_next(rn))
			if ((lsa = rn->info) != NULL)
				json_object_array_add(arr, report_lsa(lsa));
	}
}

struct json_object *
report_lsdb(struct ospf *ospf)
{
	struct json_object	*arr = json_object_new_array();
	struct listnode		*node;
	struct ospf_area	*area;

	for (ALL_LIST_ELEMENTS_RO(ospf->areas, node, area))
		report_lsdb_add(arr, area->lsdb);
	if (ospf->lsdb != NULL)
		report_lsdb_add(arr, ospf->lsdb);
	return arr;
}
