/*
 * converge.c: wait until routing has converged around a moved guest,
 * from the ospfd_lgr plugins' own evidence, never a fixed sleep.
 *
 * The routers watched are the moved guest and its HiperSockets peers
 * (the only routers whose routes to it change with its HSI interface);
 * guests moving at the same time are left out, their routes are still
 * in flux.  Before anything changes we subscribe to each router's event
 * socket (ipc://LABDIR/NODE/lgr.ev, topic "spf"), then read its OSPF
 * table once (control socket lgr.ctl, request "routes").  Every SPF diff
 * updates the routes we watch; converged means every watched route,
 * peer -> guest's VIPA and guest -> peer's VIPA, has the cost and the
 * next-hop interfaces the topology expects for the new residency.
 * Since a subscription can miss what happens while it is being set up,
 * the tables are read again when nothing arrived for a while: after
 * CONVERGE_REREAD_MS, then twice as long each time nothing changed, up
 * to CONVERGE_REREAD_MAX_MS (a wave waiting on one slow guest must not
 * keep every router busy dumping its table).  Each router's control
 * connection stays open while we watch it: one CURVE handshake per
 * router, not one per read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include <arpa/inet.h>
#include <json-c/json.h>

#include "lgr_ctl.h"
#include "lgrd.h"
#include "log.h"

#define CONVERGE_REREAD_MS	500	/* no event for this long: re-read */
#define CONVERGE_REREAD_MAX_MS	4000	/* the longest wait between re-reads */
#define CONVERGE_CTL_MS		3000

/* One route we watch: on router r, to prefix (a VIPA /32). */
struct cv_route {
	int		 router;	/* index in c->routers */
	int		 from;		/* guest index of the router */
	int		 to;		/* guest index of the VIPA's owner */
	char		 prefix[24];
	bool		 ok;
	double		 ok_ms;		/* when it last became ok */
	char		 seen[160];	/* what it is now, for the reason */
};

struct cv_router {
	int		 guest;
	void		*sub;
	void		*ctl;		/* REQ to its control socket, or NULL */
};

struct converge {
	struct lgrd		*d;
	int			 guest;
	int			*residency;
	struct cv_router	*routers;
	size_t			 nrouters;
	struct cv_route		*routes;
	size_t			 nroutes;
};

static void *
cv_subscribe(struct lgrd *d, const char *node)
{
	char	ep[PATH_MAX + 64];
	int	zero = 0;
	void	*s;

	snprintf(ep, sizeof(ep), "ipc://%s/%s/%s", d->opts.labdir, node,
	    LABNAME_PLUGIN_EVENTS);
	if ((s = zmq_socket(d->zctx, ZMQ_SUB)) == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_SPF, strlen(LGR_EV_SPF));
	if (zmq_connect(s, ep) == -1) {
		zmq_close(s);
		return NULL;
	}
	return s;
}

static void
cv_add_route(struct converge *c, int router, int from, int to)
{
	struct cv_route	*r = &c->routes[c->nroutes++];

	memset(r, 0, sizeof(*r));
	r->router = router;
	r->from = from;
	r->to = to;
	snprintf(r->prefix, sizeof(r->prefix), "%s/32",
	    inet_ntoa(c->d->topo->guests[to].vipa));
	snprintf(r->seen, sizeof(r->seen), "no route");
}

static int
cv_add_router(struct converge *c, int guest)
{
	struct cv_router	*r = &c->routers[c->nrouters];

	r->guest = guest;
	if ((r->sub = cv_subscribe(c->d, c->d->topo->guests[guest].name)) ==
	    NULL)
		return -1;
	return (int)c->nrouters++;
}

struct converge *
converge_open(struct lgrd *d, int guest, const int *residency)
{
	const struct topo	*t = d->topo;
	struct converge		*c;
	int			 me, r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->d = d;
	c->guest = guest;
	c->residency = calloc(t->nguests, sizeof(int));
	c->routers = calloc(t->nguests, sizeof(*c->routers));
	c->routes = calloc(2 * t->nguests, sizeof(*c->routes));
	if (c->residency == NULL || c->routers == NULL || c->routes == NULL)
		goto fail;
	memcpy(c->residency, residency, t->nguests * sizeof(int));
	if ((me = cv_add_router(c, guest)) == -1)
		goto fail;
	for (size_t i = 0; i < t->nguests; i++) {
		if ((int)i == guest || residency[i] < 0 ||
		    !topo_guest_has_hsi(&t->guests[i]))
			continue;
		if ((r = cv_add_router(c, (int)i)) == -1)
			goto fail;
		cv_add_route(c, r, (int)i, guest);
		cv_add_route(c, me, guest, (int)i);
	}
	return c;
fail:
	converge_close(c);
	return NULL;
}

void
converge_close(struct converge *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nrouters; i++) {
		if (c->routers[i].sub != NULL)
			zmq_close(c->routers[i].sub);
		if (c->routers[i].ctl != NULL)
			zmq_close(c->routers[i].ctl);
	}
	free(c->routers);
	free(c->routes);
	free(c->residency);
	free(c);
}

/* --- matching a route against the expectation -------------------------- */

static const char *
cv_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "";
}

static bool
cv_has_if(const struct topo_route *exp, const char *ifname)
{
	for (size_t i = 0; i < exp->npaths; i++)
		if (strcmp(exp->ifname[i], ifname) == 0)
			return true;
	return false;
}

/* entry: {"cost","nexthops":[{"ip","ifname"}]} or NULL (no route). */
static bool
cv_expected(struct converge *c, struct cv_route *r, struct json_object *entry)
{
	struct topo_route	 exp;
	struct json_object	*nhs;
	size_t			 n, len;
	int			 cost;

	if (entry == NULL) {
		snprintf(r->seen, sizeof(r->seen), "no route");
		return false;
	}
	cost = json_object_get_int(json_object_object_get(entry, "cost"));
	nhs = json_object_object_get(entry, "nexthops");
	n = nhs != NULL ? json_object_array_length(nhs) : 0;
	snprintf(r->seen, sizeof(r->seen), "cost %d via", cost);
	for (size_t i = 0; i < n; i++) {
		len = strlen(r->seen);
		snprintf(r->seen + len, sizeof(r->seen) - len, " %s",
		    cv_str(json_object_array_get_idx(nhs, i), "ifname"));
	}
	if (topo_expect_vipa_route(c->d->topo, c->residency, r->from, r->to,
	    &exp) == -1)
		return false;
	if ((unsigned)cost != exp.cost || n != exp.npaths)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!cv_has_if(&exp, cv_str(json_object_array_get_idx(nhs, i),
		    "ifname")))
			return false;
	return true;
}

static void
cv_match(struct converge *c, struct cv_route *r, struct json_object *entry)
{
	bool	was = r->ok;

	r->ok = cv_expected(c, r, entry);
	if (r->ok && !was)
		r->ok_ms = lgrd_now_ms();
}

/* A whole table (array of routes with "prefix") for router ri. */
static void
cv_table(struct converge *c, int ri, struct json_object *table)
{
	for (size_t k = 0; k < c->nroutes; k++) {
		struct cv_route		*r = &c->routes[k];
		struct json_object	*found = NULL;

		if (r->router != ri)
			continue;
		for (size_t i = 0; i < json_object_array_length(table); i++) {
			struct json_object *e = json_object_array_get_idx(
			    table, i);

			if (strcmp(cv_str(e, "prefix"), r->prefix) == 0)
				found = e;
		}
		cv_match(c, r, found);
	}
}

/* An SPF diff: {"changes":[{"prefix","change","new":{...}}]}. */
static void
cv_diff(struct converge *c, int ri, struct json_object *ev)
{
	struct json_object	*chg = json_object_object_get(ev, "changes");

	for (size_t i = 0; chg != NULL && i < json_object_array_length(chg);
	    i++) {
		struct json_object	*x = json_object_array_get_idx(chg, i);

		for (size_t k = 0; k < c->nroutes; k++)
			if (c->routes[k].router == ri &&
			    strcmp(cv_str(x, "prefix"), c->routes[k].prefix) ==
			    0)
				cv_match(c, &c->routes[k],
				    json_object_object_get(x, "new"));
	}
}

/* --- the plugin's control socket ------------------------------------------ */

static void *
cv_ctl_connect(struct lgrd *d, const char *node)
{
	char	ep[PATH_MAX + 64];
	int	zero = 0, tmo = CONVERGE_CTL_MS;
	void	*s;

	snprintf(ep, sizeof(ep), "ipc://%s/%s/%s", d->opts.labdir, node,
	    LABNAME_PLUGIN_SOCK);
	if ((s = zmq_socket(d->zctx, ZMQ_REQ)) == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (keys_client_setup(s, &d->kc) == -1 || zmq_connect(s, ep) == -1) {
		zmq_close(s);
		return NULL;
	}
	return s;
}

/* Read one reply frame into table (LGR_DATA), 1 at LGR_END, -1. */
static int
cv_ctl_frame(void *s, struct json_object *table, int *more)
{
	struct lgr_msg		 m;
	struct json_object	*o;
	zmq_msg_t		 zm;
	size_t			 len = sizeof(*more);
	int			 rc = -1;

	zmq_msg_init(&zm);
	if (zmq_msg_recv(&zm, s, 0) == -1) {
		zmq_msg_close(&zm);
		*more = 0;
		return -1;
	}
	zmq_getsockopt(s, ZMQ_RCVMORE, more, &len);
	if (lgr_msg_decode(zmq_msg_data(&zm), zmq_msg_size(&zm), &m) == 0) {
		if (m.type == LGR_DATA && (o = json_tokener_parse(
		    (const char *)m.payload)) != NULL) {
			json_object_array_add(table, o);
			rc = 0;
		} else if (m.type == LGR_END)
			rc = 1;
	}
	zmq_msg_close(&zm);
	return rc;
}

/*
 * The router's OSPF table: a new array, or NULL.  *sp is the connection
 * to its control socket, made when NULL and kept for the next read; a
 * read that fails closes it (a REQ socket without its answer takes no
 * other request).
 */
static struct json_object *
cv_routes(struct lgrd *d, const char *node, void **sp)
{
	struct json_object	*table;
	uint8_t			 buf[LGR_HDR_LEN];
	ssize_t			 n;
	int			 more = 1, rc = 0, end = 0;

	if (*sp == NULL && (*sp = cv_ctl_connect(d, node)) == NULL)
		return NULL;
	n = lgr_msg_encode(buf, sizeof(buf), LGR_ROUTES, NULL, 0);
	table = json_object_new_array();
	if (n != -1 && zmq_send(*sp, buf, (size_t)n, 0) != -1)
		while (more && rc != -1)
			if ((rc = cv_ctl_frame(*sp, table, &more)) == 1)
				end = 1;
	if (!end) {
		zmq_close(*sp);
		*sp = NULL;
		json_object_put(table);
		return NULL;
	}
	return table;
}

int
converge_ping(struct lgrd *d, const char *router)
{
	void			*s = NULL;
	struct json_object	*t = cv_routes(d, router, &s);

	if (s != NULL)
		zmq_close(s);
	json_object_put(t);
	return t != NULL ? 0 : -1;
}

/* --- waiting ------------------------------------------------------------------ */

static void
cv_read_all(struct converge *c)
{
	struct json_object	*t;

	for (size_t i = 0; i < c->nrouters; i++) {
		t = cv_routes(c->d, c->d->topo->guests[c->routers[i].guest].name,
		    &c->routers[i].ctl);
		if (t != NULL)
			cv_table(c, (int)i, t);
		json_object_put(t);
	}
}

static bool
cv_done(const struct converge *c)
{
	for (size_t k = 0; k < c->nroutes; k++)
		if (!c->routes[k].ok)
			return false;
	return true;
}

/* Drain the events of router i. */
static void
cv_events(struct converge *c, int i)
{
	struct json_object	*ev;
	char			 buf[65536];
	int			 n, more;
	size_t			 len = sizeof(more);

	for (;;) {
		if ((n = zmq_recv(c->routers[i].sub, buf, sizeof(buf) - 1,
		    ZMQ_DONTWAIT)) == -1)
			return;
		zmq_getsockopt(c->routers[i].sub, ZMQ_RCVMORE, &more, &len);
		if (!more)
			continue;
		n = zmq_recv(c->routers[i].sub, buf, sizeof(buf) - 1, 0);
		if (n < 0 || n >= (int)sizeof(buf) - 1)
			continue;	/* an oversized diff: the re-read fixes */
		buf[n] = '\0';
		if ((ev = json_tokener_parse(buf)) != NULL)
			cv_diff(c, i, ev);
		json_object_put(ev);
	}
}

static void
cv_reason(const struct converge *c, char *reason, size_t len)
{
	const struct topo	*t = c->d->topo;

	reason[0] = '\0';
	for (size_t k = 0; k < c->nroutes; k++) {
		const struct cv_route	*r = &c->routes[k];
		size_t			 n = strlen(reason);

		if (r->ok)
			continue;
		snprintf(reason + n, len - n, "%s%s -> %s: %s", n ? "; " : "",
		    t->guests[r->from].name, r->prefix, r->seen);
	}
}

double
converge_wait(struct converge *c, unsigned timeout_ms, char *reason,
    size_t len)
{
	zmq_pollitem_t	*it;
	double		 t0 = lgrd_now_ms(), last = t0, now;
	unsigned	 reread = CONVERGE_REREAD_MS;
	int		 n;

	if ((it = calloc(c->nrouters + 1, sizeof(*it))) == NULL)
		return -1;
	for (size_t i = 0; i < c->nrouters; i++) {
		it[i].socket = c->routers[i].sub;
		it[i].events = ZMQ_POLLIN;
	}
	cv_read_all(c);
	while (!cv_done(c) && (now = lgrd_now_ms()) - t0 < timeout_ms) {
		n = zmq_poll(it, (int)c->nrouters, CONVERGE_REREAD_MS / 5);
		for (size_t i = 0; n > 0 && i < c->nrouters; i++)
			if (it[i].revents & ZMQ_POLLIN) {
				cv_events(c, (int)i);
				last = lgrd_now_ms();
				reread = CONVERGE_REREAD_MS;
			}
		if (lgrd_now_ms() - last >= reread) {
			cv_read_all(c);
			last = lgrd_now_ms();
			if ((reread *= 2) > CONVERGE_REREAD_MAX_MS)
				reread = CONVERGE_REREAD_MAX_MS;
		}
	}
	free(it);
	if (!cv_done(c)) {
		cv_reason(c, reason, len);
		return -1;
	}
	for (size_t k = 0; k < c->nroutes; k++)
		log_debug("%s: converged: %s -> %s %s at +%.1f ms",
		    c->d->topo->guests[c->guest].name,
		    c->d->topo->guests[c->routes[k].from].name,
		    c->routes[k].prefix, c->routes[k].seen,
		    c->routes[k].ok_ms - t0);
	return lgrd_now_ms() - t0;
}
