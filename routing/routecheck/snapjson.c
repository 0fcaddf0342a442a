/*
 * snapjson.c: the snapshot file.
 *
 *   { "routecheck_snapshot": 1, "lab": NAME,
 *     "residency_from": "hypervisor" | "network" | "topology",
 *     "residency": { GUEST: MEMBER, ... },
 *     "routers": { NAME: {
 *         "collected": BOOL, "error": TEXT, "source": "plugin" | "vty",
 *         "links": { IFNAME: { "up": BOOL, "running": BOOL } },
 *         "ospf_interfaces": { IFNAME: { "state": ISM, "drained": BOOL } },
 *         "ospf":   [ { "prefix", "type", "cost", "nexthops" } ],
 *         "zebra":  [ { "prefix", "protocol", "metric", "installed",
 *                       "nexthops" } ],
 *         "kernel": [ { "prefix", "protocol", "metric", "nexthops" } ],
 *       } } }
 *
 * A next hop is { "ip": A, "ifname": I } or { "directly_attached": true,
 * "ifname": I }.  A table that was not collected is absent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "routecheck.h"

/* Where the reader is, for the error message. */
struct sj_ctx {
	char	*err;
	size_t	 errlen;
	char	 path[256];
};

static int
sj_fail(struct sj_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
sj_fail(struct sj_ctx *c, const char *fmt, ...)
{
	char	msg[200];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err != NULL)
		snprintf(c->err, c->errlen, "%s: %s", c->path[0] ? c->path :
		    "snapshot", msg);
	errno = EINVAL;
	return -1;
}

static json_object *
sj_nexthops(const struct rc_route *r)
{
	json_object	*arr = json_object_new_array(), *o;
	char		 a[INET_ADDRSTRLEN];

	for (size_t i = 0; i < r->nnh; i++) {
		o = json_object_new_object();
		if (r->nh[i].gw.s_addr == INADDR_ANY)
			json_object_object_add(o, "directly_attached",
			    json_object_new_boolean(1));
		else
			json_object_object_add(o, "ip", json_object_new_string(
			    inet_ntop(AF_INET, &r->nh[i].gw, a, sizeof(a))));
		json_object_object_add(o, "ifname",
		    json_object_new_string(r->nh[i].ifname));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *
sj_route(enum rc_table_kind k, const struct rc_route *r)
{
	json_object	*o = json_object_new_object();
	char		 p[RC_PREFIX_MAX];

	json_object_object_add(o, "prefix", json_object_new_string(
	    rc_prefix_str(r->dst, r->len, p, sizeof(p))));
	json_object_object_add(o, k == RC_TABLE_OSPF ? "type" : "protocol",
	    json_object_new_string(r->kind));
	json_object_object_add(o, k == RC_TABLE_OSPF ? "cost" : "metric",
	    json_object_new_int64(r->metric));
	if (k == RC_TABLE_ZEBRA)
		json_object_object_add(o, "installed",
		    json_object_new_boolean(r->installed));
	json_object_object_add(o, "nexthops", sj_nexthops(r));
	return o;
}

static json_object *
sj_table(enum rc_table_kind k, const struct rc_table *t)
{
	json_object	*arr = json_object_new_array();

	for (size_t i = 0; i < t->n; i++)
		json_object_array_add(arr, sj_route(k, &t->v[i]));
	return arr;
}

static json_object *
sj_links(const struct rc_router *r)
{
	json_object	*o = json_object_new_object(), *l;

	for (size_t i = 0; i < r->nlinks; i++) {
		l = json_object_new_object();
		json_object_object_add(l, "up",
		    json_object_new_boolean(r->links[i].up));
		json_object_object_add(l, "running",
		    json_object_new_boolean(r->links[i].running));
		json_object_object_add(o, r->links[i].name, l);
	}
	return o;
}

static json_object *
sj_oifs(const struct rc_router *r)
{
	json_object	*o = json_object_new_object(), *i;

	for (size_t k = 0; k < r->noifs; k++) {
		i = json_object_new_object();
		json_object_object_add(i, "state",
		    json_object_new_string(r->oifs[k].state));
		json_object_object_add(i, "drained",
		    json_object_new_boolean(r->oifs[k].drained));
		json_object_object_add(o, r->oifs[k].name, i);
	}
	return o;
}

static json_object *
sj_router(const struct rc_router *r)
{
	json_object	*o = json_object_new_object();

	json_object_object_add(o, "collected",
	    json_object_new_boolean(r->collected));
	if (r->error != NULL)
		json_object_object_add(o, "error",
		    json_object_new_string(r->error));
	if (r->source[0] != '\0')
		json_object_object_add(o, "source",
		    json_object_new_string(r->source));
	json_object_object_add(o, "links", sj_links(r));
	json_object_object_add(o, "ospf_interfaces", sj_oifs(r));
	for (int k = 0; k < RC_NTABLES; k++)
		if (r->tables[k].present)
			json_object_object_add(o, rc_table_name(k),
			    sj_table(k, &r->tables[k]));
	return o;
}

json_object *
rc_snap_to_json(const struct rc_snap *s)
{
	json_object	*o = json_object_new_object(), *res, *rs;

	json_object_object_add(o, "routecheck_snapshot",
	    json_object_new_int(RC_SNAP_VERSION));
	json_object_object_add(o, "lab", json_object_new_string(s->lab));
	json_object_object_add(o, "residency_from",
	    json_object_new_string(s->residency_from));
	res = json_object_new_object();
	for (size_t i = 0; i < s->nres; i++)
		json_object_object_add(res, s->res[i].guest,
		    json_object_new_string(s->res[i].member));
	json_object_object_add(o, "residency", res);
	rs = json_object_new_object();
	for (size_t i = 0; i < s->nrouters; i++)
		json_object_object_add(rs, s->routers[i].name,
		    sj_router(&s->routers[i]));
	json_object_object_add(o, "routers", rs);
	return o;
}

int
rc_snap_save(const struct rc_snap *s, const char *path)
{
	json_object	*j = rc_snap_to_json(s);
	int		 rc;

	rc = json_object_to_file_ext(path, j, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object_put(j);
	if (rc == -1 && errno == 0)
		errno = EIO;
	return rc == -1 ? -1 : 0;
}

/* Reading. */

static void
sj_push(struct sj_ctx *c, size_t *mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sj_push(struct sj_ctx *c, size_t *mark, const char *fmt, ...)
{
	size_t	n = strlen(c->path);
	va_list	ap;

	*mark = n;
	if (n >= sizeof(c->path) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(c->path + n, sizeof(c->path) - n, fmt, ap);
	va_end(ap);
}

static void
sj_pop(struct sj_ctx *c, size_t mark)
{
	c->path[mark] = '\0';
}

static const char *
sj_string(struct sj_ctx *c, json_object *o, const char *key, bool need)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
		if (need)
			sj_fail(c, "\"%s\" missing", key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		sj_fail(c, "\"%s\" is not a string", key);
		return NULL;
	}
	return json_object_get_string(v);
}

static int
sj_bool(struct sj_ctx *c, json_object *o, const char *key, bool *out)
{
	json_object	*v;

	*out = false;
	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return sj_fail(c, "\"%s\" is not true or false", key);
	*out = json_object_get_boolean(v);
	return 0;
}

static int
sj_read_nexthop(struct sj_ctx *c, json_object *o, struct rc_route *r)
{
	struct in_addr	 gw = { INADDR_ANY };
	const char	*ip, *ifname;
	json_object	*v;

	if (!json_object_is_type(o, json_type_object))
		return sj_fail(c, "not an object");
	if ((ifname = sj_string(c, o, "ifname", true)) == NULL)
		return -1;
	if (strlen(ifname) >= RC_IFNAME_MAX)
		return sj_fail(c, "interface name \"%s\" too long", ifname);
	if (json_object_object_get_ex(o, "ip", &v) && v != NULL) {
		if ((ip = sj_string(c, o, "ip", true)) == NULL)
			return -1;
		if (inet_pton(AF_INET, ip, &gw) != 1)
			return sj_fail(c, "\"%s\" is not an IPv4 address",
			    ip);
	}
	return rc_route_nexthop_add(r, gw, ifname);
}

static int
sj_read_route(struct sj_ctx *c, enum rc_table_kind k, json_object *o,
    struct rc_table *t)
{
	struct rc_route	*r;
	struct in_addr	 dst;
	json_object	*m, *nhs;
	const char	*p, *kind;
	uint8_t		 len;
	size_t		 mark;
	int64_t		 metric = 0;

	if (!json_object_is_type(o, json_type_object))
		return sj_fail(c, "not an object");
	if ((p = sj_string(c, o, "prefix", true)) == NULL)
		return -1;
	if (rc_prefix_parse(p, &dst, &len) == -1)
		return sj_fail(c, "\"%s\" is not a prefix", p);
	kind = sj_string(c, o, k == RC_TABLE_OSPF ? "type" : "protocol",
	    false);
	if (json_object_object_get_ex(o, k == RC_TABLE_OSPF ? "cost" :
	    "metric", &m)) {
		if (!json_object_is_type(m, json_type_int) ||
		    (metric = json_object_get_int64(m)) < 0 ||
		    metric > UINT32_MAX)
			return sj_fail(c, "cost or metric is not a number "
			    "0-4294967295");
	}
	if ((r = rc_table_add(t, dst, len)) == NULL)
		return -1;
	r->metric = (uint32_t)metric;
	snprintf(r->kind, sizeof(r->kind), "%s", kind ? kind : "");
	if (sj_bool(c, o, "installed", &r->installed) == -1)
		return -1;
	if (!json_object_object_get_ex(o, "nexthops", &nhs))
		return 0;
	if (!json_object_is_type(nhs, json_type_array))
		return sj_fail(c, "\"nexthops\" is not an array");
	for (size_t i = 0; i < json_object_array_length(nhs); i++) {
		sj_push(c, &mark, ".nexthops[%zu]", i);
		if (sj_read_nexthop(c, json_object_array_get_idx(nhs, i),
		    r) == -1)
			return -1;
		sj_pop(c, mark);
	}
	return 0;
}

static int
sj_read_table(struct sj_ctx *c, enum rc_table_kind k, json_object *arr,
    struct rc_table *t)
{
	size_t	mark;

	if (!json_object_is_type(arr, json_type_array))
		return sj_fail(c, "not an array");
	t->present = true;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		sj_push(c, &mark, "[%zu]", i);
		if (sj_read_route(c, k, json_object_array_get_idx(arr, i),
		    t) == -1)
			return -1;
		sj_pop(c, mark);
	}
	rc_table_sort(t);
	return 0;
}

static int
sj_read_links(struct sj_ctx *c, json_object *o, struct rc_router *r)
{
	bool	up, running;
	size_t	mark;

	if (!json_object_is_type(o, json_type_object))
		return sj_fail(c, "not an object");
	json_object_object_foreach(o, name, l) {
		sj_push(c, &mark, ".%s", name);
		if (!json_object_is_type(l, json_type_object))
			return sj_fail(c, "not an object");
		if (strlen(name) >= RC_IFNAME_MAX)
			return sj_fail(c, "interface name too long");
		if (sj_bool(c, l, "up", &up) == -1 ||
		    sj_bool(c, l, "running", &running) == -1 ||
		    rc_router_link_add(r, name, up, running) == -1)
			return -1;
		sj_pop(c, mark);
	}
	return 0;
}

static int
sj_read_oifs(struct sj_ctx *c, json_object *o, struct rc_router *r)
{
	struct rc_ospf_if	 oif;
	const char		*state;
	size_t			 mark;

	if (!json_object_is_type(o, json_type_object))
		return sj_fail(c, "not an object");
	json_object_object_foreach(o, name, i) {
		sj_push(c, &mark, ".%s", name);
		memset(&oif, 0, sizeof(oif));
		if (!json_object_is_type(i, json_type_object))
			return sj_fail(c, "not an object");
		if (strlen(name) >= RC_IFNAME_MAX)
			return sj_fail(c, "interface name too long");
		snprintf(oif.name, sizeof(oif.name), "%s", name);
		state = sj_string(c, i, "state", false);
		snprintf(oif.state, sizeof(oif.state), "%s", state ? state :
		    "");
		if (sj_bool(c, i, "drained", &oif.drained) == -1 ||
		    rc_router_ospf_if_add(r, &oif) == -1)
			return -1;
		sj_pop(c, mark);
	}
	return 0;
}

static int
sj_read_router(struct sj_ctx *c, const char *name, json_object *o,
    struct rc_snap *s)
{
	struct rc_router	*r;
	json_object		*v;
	const char		*src, *err;
	size_t			 mark;

	if (!json_object_is_type(o, json_type_object))
		return sj_fail(c, "not an object");
	if (strlen(name) >= RC_NAME_MAX)
		return sj_fail(c, "router name too long");
	if ((r = rc_snap_router_add(s, name)) == NULL)
		return errno == EEXIST ? sj_fail(c, "router twice") : -1;
	if (sj_bool(c, o, "collected", &r->collected) == -1)
		return -1;
	if ((src = sj_string(c, o, "source", false)) != NULL)
		snprintf(r->source, sizeof(r->source), "%s", src);
	if ((err = sj_string(c, o, "error", false)) != NULL &&
	    (r->error = strdup(err)) == NULL)
		return -1;
	if (json_object_object_get_ex(o, "links", &v)) {
		sj_push(c, &mark, ".links");
		if (sj_read_links(c, v, r) == -1)
			return -1;
		sj_pop(c, mark);
	}
	if (json_object_object_get_ex(o, "ospf_interfaces", &v)) {
		sj_push(c, &mark, ".ospf_interfaces");
		if (sj_read_oifs(c, v, r) == -1)
			return -1;
		sj_pop(c, mark);
	}
	for (int k = 0; k < RC_NTABLES; k++) {
		if (!json_object_object_get_ex(o, rc_table_name(k), &v))
			continue;
		sj_push(c, &mark, ".%s", rc_table_name(k));
		if (sj_read_table(c, k, v, &r->tables[k]) == -1)
			return -1;
		sj_pop(c, mark);
	}
	return 0;
}

static int
sj_read_residency(struct sj_ctx *c, json_object *o, struct rc_snap *s)
{
	if (!json_object_is_type(o, json_type_object))
		return sj_fail(c, "\"residency\" is not an object");
	json_object_object_foreach(o, guest, m) {
		if (!json_object_is_type(m, json_type_string))
			return sj_fail(c, "residency of %s is not a member "
			    "name", guest);
		if (strlen(guest) >= RC_NAME_MAX ||
		    strlen(json_object_get_string(m)) >= RC_NAME_MAX)
			return sj_fail(c, "residency of %s: name too long",
			    guest);
		if (rc_snap_residency_set(s, guest,
		    json_object_get_string(m)) == -1)
			return -1;
	}
	return 0;
}

static int
sj_read(struct sj_ctx *c, json_object *j, struct rc_snap *s)
{
	json_object	*v;
	const char	*from;
	size_t		 mark;

	if (!json_object_is_type(j, json_type_object) ||
	    !json_object_object_get_ex(j, "routecheck_snapshot", &v))
		return sj_fail(c, "not a routecheck snapshot "
		    "(no \"routecheck_snapshot\")");
	if (json_object_get_int(v) != RC_SNAP_VERSION)
		return sj_fail(c, "snapshot version %d, this routecheck "
		    "reads %d", json_object_get_int(v), RC_SNAP_VERSION);
	if ((from = sj_string(c, j, "residency_from", false)) != NULL)
		snprintf(s->residency_from, sizeof(s->residency_from), "%s",
		    from);
	if (json_object_object_get_ex(j, "residency", &v) &&
	    sj_read_residency(c, v, s) == -1)
		return -1;
	if (!json_object_object_get_ex(j, "routers", &v) ||
	    !json_object_is_type(v, json_type_object))
		return sj_fail(c, "\"routers\" missing or not an object");
	json_object_object_foreach(v, name, r) {
		sj_push(c, &mark, "routers.%s", name);
		if (sj_read_router(c, name, r, s) == -1)
			return -1;
		sj_pop(c, mark);
	}
	return 0;
}

struct rc_snap *
rc_snap_from_json(json_object *j, char *err, size_t errlen)
{
	struct sj_ctx	 c = { err, errlen, "" };
	struct rc_snap	*s;
	json_object	*v;
	const char	*lab = NULL;

	if (json_object_is_type(j, json_type_object) &&
	    json_object_object_get_ex(j, "lab", &v) &&
	    json_object_is_type(v, json_type_string))
		lab = json_object_get_string(v);
	if ((s = rc_snap_new(lab)) == NULL)
		return NULL;
	if (sj_read(&c, j, s) == -1) {
		if (errno == ENOMEM && err != NULL)
			snprintf(err, errlen, "out of memory");
		rc_snap_free(s);
		return NULL;
	}
	return s;
}

struct rc_snap *
rc_snap_load(const char *path, char *err, size_t errlen)
{
	struct rc_snap	*s;
	json_object	*j;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fclose(f);
	if ((j = json_object_from_file(path)) == NULL) {
		snprintf(err, errlen, "%s: not JSON: %s", path,
		    json_util_get_last_err());
		errno = EINVAL;
		return NULL;
	}
	s = rc_snap_from_json(j, err, errlen);
	json_object_put(j);
	if (s == NULL && err != NULL && errno == EINVAL) {
		char	tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	return s;
}
