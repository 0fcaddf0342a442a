/*
 * frrjson.c: route tables and OSPF interfaces from the JSON that
 * ospfd_lgr.so (routes, state), ospfd ("show ip ospf route json") and
 * zebra ("show ip route ospf json") give.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "routecheck.h"

/* The array at key, NULL when absent or of another type. */
static json_object *
fj_array(json_object *o, const char *key)
{
	json_object	*v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_array) ? v : NULL;
}

static const char *
fj_str(json_object *o, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool
fj_bool(json_object *o, const char *key)
{
	json_object	*v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_get_boolean(v);
}

static uint32_t
fj_u32(json_object *o, const char *key)
{
	json_object	*v;
	int64_t		 n;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	n = json_object_get_int64(v);
	return n < 0 ? 0 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* A gateway text; blank or absent means directly attached. */
static int
fj_gw(const char *s, struct in_addr *gw)
{
	gw->s_addr = INADDR_ANY;
	if (s == NULL || s[strspn(s, " ")] == '\0')
		return 0;
	if (inet_pton(AF_INET, s, gw) != 1) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* Adds the route; NULL when the prefix is unusable (skipped) or ENOMEM. */
static struct rc_route *
fj_route(struct rc_table *t, const char *prefix)
{
	struct in_addr	dst;
	uint8_t		len;

	if (prefix == NULL || strchr(prefix, '/') == NULL ||
	    rc_prefix_parse(prefix, &dst, &len) == -1)
		return NULL;
	return rc_table_add(t, dst, len);
}

int
rc_ospf_from_plugin(struct rc_table *t, json_object *route)
{
	struct rc_route	*r;
	struct in_addr	 gw;
	json_object	*nhs, *nh;
	const char	*type;

	if (!json_object_is_type(route, json_type_object)) {
		errno = EBADMSG;
		return -1;
	}
	errno = 0;
	if ((r = fj_route(t, fj_str(route, "prefix"))) == NULL)
		return errno == ENOMEM ? -1 : 0;
	r->metric = fj_u32(route, "cost");
	type = fj_str(route, "path_type");
	snprintf(r->kind, sizeof(r->kind), "%s", type ? type : "");
	if ((nhs = fj_array(route, "nexthops")) == NULL)
		return 0;
	for (size_t i = 0; i < json_object_array_length(nhs); i++) {
		nh = json_object_array_get_idx(nhs, i);
		if (fj_gw(fj_bool(nh, "directly_attached") ? NULL :
		    fj_str(nh, "ip"), &gw) == -1 ||
		    rc_route_nexthop_add(r, gw, fj_str(nh, "ifname")) == -1)
			return -1;
	}
	return 0;
}

/* ospfd's vty routeType: "N", "N IA", "N E1", "N E2". */
static const char *
fj_ospf_type(const char *rt)
{
	if (rt == NULL)
		return "";
	if (strcmp(rt, "N IA") == 0)
		return "inter-area";
	if (strcmp(rt, "N E1") == 0)
		return "external-1";
	if (strcmp(rt, "N E2") == 0)
		return "external-2";
	if (strcmp(rt, "N") == 0)
		return "intra-area";
	return rt;
}

static int
fj_vty_nexthop(struct rc_route *r, json_object *nh)
{
	struct in_addr	 gw;
	const char	*attached = fj_str(nh, "directlyAttachedTo");

	if (attached == NULL)
		attached = fj_str(nh, "directly attached to");
	if (attached != NULL)
		return rc_route_nexthop_add(r, (struct in_addr){ INADDR_ANY },
		    attached);
	if (fj_gw(fj_str(nh, "ip"), &gw) == -1)
		return -1;
	return rc_route_nexthop_add(r, gw, fj_str(nh, "via"));
}

int
rc_ospf_from_vty(struct rc_table *t, json_object *all)
{
	struct rc_route	*r;
	json_object	*nhs;

	if (!json_object_is_type(all, json_type_object)) {
		errno = EBADMSG;
		return -1;
	}
	t->present = true;
	json_object_object_foreach(all, prefix, route) {
		errno = 0;
		/* Router routes (ABRs, ASBRs) are keyed by router id. */
		if ((r = fj_route(t, prefix)) == NULL) {
			if (errno == ENOMEM)
				return -1;
			continue;
		}
		r->metric = fj_u32(route, "cost");
		snprintf(r->kind, sizeof(r->kind), "%s",
		    fj_ospf_type(fj_str(route, "routeType")));
		if ((nhs = fj_array(route, "nexthops")) == NULL)
			continue;
		for (size_t i = 0; i < json_object_array_length(nhs); i++)
			if (fj_vty_nexthop(r, json_object_array_get_idx(nhs,
			    i)) == -1)
				return -1;
	}
	rc_table_sort(t);
	return 0;
}

/* The OSPF entry of a zebra prefix: the selected one, else the first. */
static json_object *
fj_zebra_entry(json_object *entries)
{
	json_object	*e, *first = NULL;
	const char	*proto;

	for (size_t i = 0; i < json_object_array_length(entries); i++) {
		e = json_object_array_get_idx(entries, i);
		if ((proto = fj_str(e, "protocol")) == NULL ||
		    strcmp(proto, "ospf") != 0)
			continue;
		if (fj_bool(e, "selected"))
			return e;
		if (first == NULL)
			first = e;
	}
	return first;
}

static int
fj_zebra_nexthop(struct rc_route *r, json_object *nh)
{
	struct in_addr	gw;

	if (fj_gw(fj_bool(nh, "directlyConnected") ? NULL : fj_str(nh, "ip"),
	    &gw) == -1)
		return -1;
	return rc_route_nexthop_add(r, gw, fj_str(nh, "interfaceName"));
}

int
rc_zebra_from_vty(struct rc_table *t, json_object *all)
{
	struct rc_route	*r;
	json_object	*e, *nhs;

	if (!json_object_is_type(all, json_type_object)) {
		errno = EBADMSG;
		return -1;
	}
	t->present = true;
	json_object_object_foreach(all, prefix, entries) {
		if (!json_object_is_type(entries, json_type_array) ||
		    (e = fj_zebra_entry(entries)) == NULL)
			continue;
		errno = 0;
		if ((r = fj_route(t, prefix)) == NULL) {
			if (errno == ENOMEM)
				return -1;
			continue;
		}
		snprintf(r->kind, sizeof(r->kind), "ospf");
		r->metric = fj_u32(e, "metric");
		r->installed = fj_bool(e, "selected") &&
		    fj_bool(e, "installed");
		if ((nhs = fj_array(e, "nexthops")) == NULL)
			continue;
		for (size_t i = 0; i < json_object_array_length(nhs); i++)
			if (fj_zebra_nexthop(r, json_object_array_get_idx(nhs,
			    i)) == -1)
				return -1;
	}
	rc_table_sort(t);
	return 0;
}

int
rc_ospf_if_from_plugin(struct rc_router *r, json_object *oif)
{
	struct rc_ospf_if	 o;
	const char		*name, *state;

	if (!json_object_is_type(oif, json_type_object) ||
	    (name = fj_str(oif, "ifname")) == NULL) {
		errno = EBADMSG;
		return -1;
	}
	memset(&o, 0, sizeof(o));
	snprintf(o.name, sizeof(o.name), "%s", name);
	state = fj_str(oif, "state");
	snprintf(o.state, sizeof(o.state), "%s", state ? state : "");
	o.drained = fj_bool(oif, "drained");
	return rc_router_ospf_if_add(r, &o);
}
