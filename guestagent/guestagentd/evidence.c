/*
 * evidence.c: what the ospfd_lgr answers say, read without trusting
 * them: every member is checked for type before use, and anything
 * malformed counts as "not shown" (the agent then waits, bounded).
 *
 *   state:  [{"ifname","state","link_up","priority","drained",
 *             "neighbors":[{"router_id","state"}]}]
 *   routes: [{"prefix","nexthops":[{"ip"|"directly_attached","ifname"}]}]
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"

static const char *
evidence_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool
evidence_bool(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

static struct json_object *
evidence_array(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static size_t
evidence_len(struct json_object *arr)
{
	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return 0;
	return json_object_array_length(arr);
}

/* Neighbours in state, or (state NULL) at least 2-Way: they hear us. */
static int
evidence_nbr_count(struct json_object *nbrs, const char *state)
{
	static const char *const heard[] = { "2-Way", "ExStart", "Exchange",
	    "Loading", "Full" };
	const char	*s;
	size_t		 i, k;
	int		 n = 0;

	for (i = 0; i < evidence_len(nbrs); i++) {
		s = evidence_str(json_object_array_get_idx(nbrs, i), "state");
		if (s == NULL)
			continue;
		if (state != NULL) {
			n += strcmp(s, state) == 0;
			continue;
		}
		for (k = 0; k < sizeof(heard) / sizeof(heard[0]); k++)
			if (strcmp(s, heard[k]) == 0) {
				n++;
				break;
			}
	}
	return n;
}

/* One OSPF interface of that name (an interface may have several). */
static void
evidence_iface_add(struct json_object *oi, struct evidence_if *e)
{
	struct json_object	*v;
	const char		*s;

	e->found = true;
	e->drained |= evidence_bool(oi, "drained");
	e->link_up |= evidence_bool(oi, "link_up");
	if ((s = evidence_str(oi, "state")) != NULL) {
		snprintf(e->state, sizeof(e->state), "%s", s);
		if (strcmp(s, "DR") == 0)
			e->dr = true;
	}
	if (json_object_object_get_ex(oi, "priority", &v) &&
	    json_object_is_type(v, json_type_int))
		e->priority = json_object_get_int(v);
	e->nfull += evidence_nbr_count(evidence_array(oi, "neighbors"), "Full");
	e->n2way += evidence_nbr_count(evidence_array(oi, "neighbors"), NULL);
}

/* Returns 0 when found, -1 when the state has no such interface. */
int
evidence_iface(struct json_object *state, const char *ifname,
    struct evidence_if *e)
{
	struct json_object	*oi;
	const char		*name;
	size_t			 i;

	memset(e, 0, sizeof(*e));
	e->priority = -1;
	for (i = 0; i < evidence_len(state); i++) {
		oi = json_object_array_get_idx(state, i);
		if ((name = evidence_str(oi, "ifname")) != NULL &&
		    strcmp(name, ifname) == 0)
			evidence_iface_add(oi, e);
	}
	return e->found ? 0 : -1;
}

bool
evidence_iface_up(const struct evidence_if *e)
{
	static const char *const	 before[] = { "DependUpon", "Down",
					    "Loopback", "Waiting" };
	size_t				 i;

	if (!e->found || !e->link_up || e->state[0] == '\0')
		return false;
	for (i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		if (strcmp(e->state, before[i]) == 0)
			return false;
	return true;
}

size_t
evidence_neighbors(struct json_object *state, const char *ifname,
    char (*rid)[INET_ADDRSTRLEN], size_t max)
{
	struct json_object	*oi, *nbrs;
	const char		*name, *r;
	size_t			 i, j, k, n = 0;

	for (i = 0; i < evidence_len(state); i++) {
		oi = json_object_array_get_idx(state, i);
		if ((name = evidence_str(oi, "ifname")) == NULL ||
		    strcmp(name, ifname) != 0)
			continue;
		nbrs = evidence_array(oi, "neighbors");
		for (j = 0; j < evidence_len(nbrs) && n < max; j++) {
			r = evidence_str(json_object_array_get_idx(nbrs, j),
			    "router_id");
			if (r == NULL || strlen(r) >= INET_ADDRSTRLEN)
				continue;
			for (k = 0; k < n && strcmp(rid[k], r) != 0; k++)
				;
			if (k == n)
				snprintf(rid[n++], INET_ADDRSTRLEN, "%s", r);
		}
	}
	return n;
}

static bool
evidence_in(const char *s, const char *const *set, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/* Does the route leave through one of ifs?  Malformed hops do not. */
static bool
evidence_route_uses(struct json_object *route, const char *const *ifs,
    size_t nifs)
{
	struct json_object	*nhs = evidence_array(route, "nexthops");
	const char		*name;
	size_t			 i;

	for (i = 0; i < evidence_len(nhs); i++) {
		name = evidence_str(json_object_array_get_idx(nhs, i),
		    "ifname");
		if (name != NULL && evidence_in(name, ifs, nifs))
			return true;
	}
	return false;
}

/* The first route to prefix, NULL when there is none. */
static struct json_object *
evidence_route_find(struct json_object *routes, const char *prefix)
{
	struct json_object	*r;
	const char		*p;
	size_t			 i;

	for (i = 0; i < evidence_len(routes); i++) {
		r = json_object_array_get_idx(routes, i);
		if ((p = evidence_str(r, "prefix")) != NULL &&
		    strcmp(p, prefix) == 0)
			return r;
	}
	return NULL;
}

int
evidence_route_avoids(struct json_object *routes, const char *prefix,
    const char *const *ifs, size_t nifs)
{
	struct json_object	*r = evidence_route_find(routes, prefix);

	if (r == NULL || evidence_len(evidence_array(r, "nexthops")) == 0)
		return -1;
	return evidence_route_uses(r, ifs, nifs) ? 0 : 1;
}

bool
evidence_routes_avoid(struct json_object *routes, const char *const *ifs,
    size_t nifs, const char *const *except, size_t nexcept,
    const char **first)
{
	struct json_object	*r;
	const char		*p;
	size_t			 i;

	*first = NULL;
	for (i = 0; i < evidence_len(routes); i++) {
		r = json_object_array_get_idx(routes, i);
		if ((p = evidence_str(r, "prefix")) == NULL ||
		    evidence_in(p, except, nexcept))
			continue;
		if (evidence_route_uses(r, ifs, nifs)) {
			*first = p;
			return false;
		}
	}
	return true;
}
