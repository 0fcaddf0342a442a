/*
 * collect.c: a snapshot of a running lab, every router at once.
 *
 * 1. Every request goes out first: "routes" and "state" to each
 *    router's ospfd_lgr.so (ZeroMQ, the lab's viewer key), or "show
 *    ip ospf route json" to its ospfd's vty, and "show ip route ospf
 *    json" to its zebra's vty.
 * 2. While the daemons answer, the kernel of each router is read: one
 *    netlink socket per namespace, a link dump and a route dump.
 * 3. One poll loop over every socket gathers the answers, until all are
 *    in or the time-out passes.
 * No process is started and no router waits for another.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "clock.h"
#include "keys.h"
#include "labname.h"
#include "lgr_ctl.h"
#include "routecheck.h"
#include "topo.h"

#define CO_ZMQ_IO_THREADS	2

enum co_step {
	CO_STEP_ROUTES,		/* plugin: waiting for "routes" */
	CO_STEP_STATE,		/* plugin: waiting for "state" */
	CO_STEP_DONE,
};

struct co_router {
	size_t		 idx;		/* in the snapshot */
	char		 dir[PATH_MAX];		/* LABDIR/NODE */
	char		 sock[PATH_MAX];	/* the module's control */
	struct rc_plugin *plugin;
	enum co_step	 step;
	struct rc_vty	*ospf;		/* vty source */
	struct rc_vty	*zebra;
};

struct co {
	const struct topo	*t;
	const struct rc_collect_opts *o;
	struct rc_snap		*s;
	struct co_router	*rs;
	size_t			 n;
	void			*zctx;
	struct keys_client	 keys;
	int			 keys_state;	/* 0 none, 1 loaded, -1 errno */
	int			 keys_errno;
};

static struct rc_router *
co_router(struct co *c, struct co_router *cr)
{
	return &c->s->routers[cr->idx];
}

static bool
co_pending(const struct co_router *cr)
{
	return (cr->plugin != NULL && cr->step != CO_STEP_DONE) ||
	    cr->ospf != NULL || cr->zebra != NULL;
}

/* Stops asking a router: closes its sockets, keeps the first reason. */
static void
co_fail(struct co *c, struct co_router *cr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
co_fail(struct co *c, struct co_router *cr, const char *fmt, ...)
{
	struct rc_router	*r = co_router(c, cr);
	char			 msg[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rc_router_fail(r, "%s", msg);
	rc_plugin_close(cr->plugin);
	cr->plugin = NULL;
	rc_vty_close(cr->ospf);
	cr->ospf = NULL;
	rc_vty_close(cr->zebra);
	cr->zebra = NULL;
}

static bool
co_failed(struct co *c, struct co_router *cr)
{
	return co_router(c, cr)->error != NULL;
}

/* The routers to ask: the ones named, or the ABR and every guest. */
static int
co_routers(struct co *c, const char *labdir)
{
	const struct rc_collect_opts	*o = c->o;
	size_t				 n = o->routers ? o->nrouters :
					    c->t->nguests + 1;

	if ((c->rs = calloc(n + 1, sizeof(*c->rs))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char	*name = o->routers ? o->routers[i] :
				    i == 0 ? c->t->abr.name :
				    c->t->guests[i - 1].name;

		if (strcmp(name, c->t->abr.name) != 0 &&
		    topo_guest_find(c->t, name) == -1) {
			errno = ENOENT;
			return -1;
		}
		if (rc_snap_router(c->s, name) != NULL)
			continue;	/* named twice */
		if (rc_snap_router_add(c->s, name) == NULL)
			return -1;
		c->rs[c->n].idx = c->s->nrouters - 1;
		if ((size_t)snprintf(c->rs[c->n].dir, sizeof(c->rs[c->n].dir),
		    "%s/%s", labdir, name) >= sizeof(c->rs[c->n].dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (labname_plugin_sock(labdir, name, c->rs[c->n].sock,
		    sizeof(c->rs[c->n].sock)) == NULL)
			return -1;
		c->n++;
	}
	return 0;
}

static void
co_keys(struct co *c, const char *labdir)
{
	char		keydir[PATH_MAX];
	struct stat	st;

	if ((size_t)snprintf(keydir, sizeof(keydir), "%s/%s", labdir,
	    KEYS_DIR) >= sizeof(keydir)) {
		c->keys_state = -1;
		c->keys_errno = ENAMETOOLONG;
		return;
	}
	if (stat(keydir, &st) == -1) {
		c->keys_state = 0;
		return;
	}
	if (keys_load_client(labdir, c->o->role ? c->o->role : "viewer",
	    NULL, &c->keys) == -1) {
		c->keys_state = -1;
		c->keys_errno = errno;
		return;
	}
	c->keys_state = 1;
}

static bool
co_exists(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0;
}

static struct rc_vty *
co_vty_ask(struct co *c, struct co_router *cr, const char *daemon,
    const char *cmd)
{
	struct rc_vty	*v;
	char		 path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s.vty", cr->dir, daemon);
	if ((v = rc_vty_open(path)) == NULL) {
		co_fail(c, cr, "%s: %s (is %s running?)", path,
		    strerror(errno), daemon);
		return NULL;
	}
	if (rc_vty_send(v, cmd) == -1) {
		co_fail(c, cr, "%s: %s", path, strerror(errno));
		rc_vty_close(v);
		return NULL;
	}
	return v;
}

static void
co_plugin_ask(struct co *c, struct co_router *cr)
{
	struct rc_router	*r = co_router(c, cr);

	if (c->keys_state == -1) {
		co_fail(c, cr, "lab keys: %s (routecheck reads the viewer key "
		    "in %s/../%s)", strerror(c->keys_errno), cr->dir,
		    KEYS_DIR);
		return;
	}
	if ((cr->plugin = rc_plugin_open(c->zctx, cr->sock,
	    c->keys_state == 1 ? &c->keys : NULL)) == NULL ||
	    rc_plugin_send(cr->plugin, LGR_ROUTES) == -1 ||
	    rc_plugin_send(cr->plugin, LGR_STATE) == -1) {
		co_fail(c, cr, "%s: %s", cr->sock, strerror(errno));
		return;
	}
	cr->step = CO_STEP_ROUTES;
	snprintf(r->source, sizeof(r->source), "plugin");
	r->tables[RC_TABLE_OSPF].present = true;
}

/* Step 1: every request out. */
static void
co_ask(struct co *c, struct co_router *cr)
{
	enum rc_source	src = c->o->source;

	if (src == RC_SOURCE_AUTO)
		src = co_exists(cr->sock) && c->keys_state != -1 ?
		    RC_SOURCE_PLUGIN : RC_SOURCE_VTY;
	if (src == RC_SOURCE_PLUGIN)
		co_plugin_ask(c, cr);
	else if ((cr->ospf = co_vty_ask(c, cr, "ospfd",
	    "show ip ospf route json")) != NULL)
		snprintf(co_router(c, cr)->source, sizeof(co_router(c,
		    cr)->source), "vty");
	if (c->o->zebra && !co_failed(c, cr))
		cr->zebra = co_vty_ask(c, cr, "zebra",
		    "show ip route ospf json");
}

/* Step 2: the kernel's links and routes. */
static void
co_kernel(struct co *c, struct co_router *cr)
{
	struct rc_router	*r = co_router(c, cr);
	struct rc_kernel	*k;
	char			 ns[128];

	labname_netns(c->o->lab, r->name, ns, sizeof(ns));
	if ((k = rc_kernel_open(ns)) == NULL) {
		co_fail(c, cr, "namespace %s: %s%s", ns, strerror(errno),
		    errno == EPERM ? " (routecheck must run as root)" : "");
		return;
	}
	if (rc_kernel_links(k, r) == -1 ||
	    rc_kernel_routes(k, &r->tables[RC_TABLE_KERNEL]) == -1)
		co_fail(c, cr, "namespace %s: netlink dump: %s", ns,
		    strerror(errno));
	rc_kernel_close(k);
}

/* Step 3: answers. */

static int
co_route_cb(json_object *item, void *arg)
{
	return rc_ospf_from_plugin(arg, item);
}

static int
co_state_cb(json_object *item, void *arg)
{
	return rc_ospf_if_from_plugin(arg, item);
}

/* Both replies, in the order asked; the second may already be here. */
static void
co_plugin_io(struct co *c, struct co_router *cr)
{
	struct rc_router	*r = co_router(c, cr);
	char			 err[300];
	int			 rc;

	while (cr->step != CO_STEP_DONE) {
		if (cr->step == CO_STEP_ROUTES)
			rc = rc_plugin_read(cr->plugin, co_route_cb,
			    &r->tables[RC_TABLE_OSPF], err, sizeof(err));
		else
			rc = rc_plugin_read(cr->plugin, co_state_cb, r, err,
			    sizeof(err));
		if (rc == -1) {
			co_fail(c, cr, "%s: %s request: %s", cr->sock,
			    cr->step == CO_STEP_ROUTES ?
			    "routes" : "state", err);
			return;
		}
		if (rc == 0)
			return;
		cr->step = cr->step == CO_STEP_ROUTES ? CO_STEP_STATE :
		    CO_STEP_DONE;
	}
	rc_plugin_close(cr->plugin);
	cr->plugin = NULL;
}

typedef int (*co_parse_fn)(struct rc_table *, json_object *);

/* One vty answer; returns true when that vty is finished. */
static bool
co_vty_io(struct co *c, struct co_router *cr, struct rc_vty *v,
    const char *daemon, co_parse_fn parse, struct rc_table *t)
{
	json_object	*j;
	char		*out = NULL;
	int		 status, rc;

	if ((rc = rc_vty_io(v, &out, &status)) == 0)
		return false;
	if (rc == -1) {
		co_fail(c, cr, "%s/%s.vty: %s", cr->dir, daemon,
		    strerror(errno));
		return true;
	}
	if (status != 0) {
		co_fail(c, cr, "%s: command failed: %.200s", daemon, out);
		free(out);
		return true;
	}
	j = json_tokener_parse(out);
	free(out);
	if (j == NULL || parse(t, j) == -1)
		co_fail(c, cr, "%s: answer is not the JSON expected", daemon);
	json_object_put(j);
	return true;
}

static void
co_dispatch(struct co *c, struct co_router *cr, void *sock, int fd)
{
	struct rc_router	*r = co_router(c, cr);

	if (cr->plugin != NULL && sock == rc_plugin_socket(cr->plugin))
		co_plugin_io(c, cr);
	else if (cr->ospf != NULL && sock == NULL &&
	    fd == rc_vty_fd(cr->ospf)) {
		if (co_vty_io(c, cr, cr->ospf, "ospfd", rc_ospf_from_vty,
		    &r->tables[RC_TABLE_OSPF]) && cr->ospf != NULL) {
			rc_vty_close(cr->ospf);
			cr->ospf = NULL;
		}
	} else if (cr->zebra != NULL && sock == NULL &&
	    fd == rc_vty_fd(cr->zebra)) {
		if (co_vty_io(c, cr, cr->zebra, "zebra", rc_zebra_from_vty,
		    &r->tables[RC_TABLE_ZEBRA]) && cr->zebra != NULL) {
			rc_vty_close(cr->zebra);
			cr->zebra = NULL;
		}
	}
}

static size_t
co_pollset(struct co *c, zmq_pollitem_t *items, struct co_router **owner)
{
	size_t	n = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct co_router	*cr = &c->rs[i];
		struct rc_vty		*v[2] = { cr->ospf, cr->zebra };

		if (cr->plugin != NULL && cr->step != CO_STEP_DONE) {
			items[n] = (zmq_pollitem_t){ rc_plugin_socket(
			    cr->plugin), -1, ZMQ_POLLIN, 0 };
			owner[n++] = cr;
		}
		for (int k = 0; k < 2; k++) {
			if (v[k] == NULL)
				continue;
			items[n] = (zmq_pollitem_t){ NULL, rc_vty_fd(v[k]),
			    (short)(rc_vty_want_write(v[k]) ? ZMQ_POLLOUT :
			    ZMQ_POLLIN), 0 };
			owner[n++] = cr;
		}
	}
	return n;
}

static int
co_gather(struct co *c)
{
	zmq_pollitem_t		*items;
	struct co_router	**owner;
	uint64_t		 deadline, now;
	size_t			 n;

	items = calloc(c->n * 3 + 1, sizeof(*items));
	owner = calloc(c->n * 3 + 1, sizeof(*owner));
	if (items == NULL || owner == NULL) {
		free(items);
		free(owner);
		return -1;
	}
	deadline = clock_ms() + (uint64_t)c->o->timeout_ms;
	while ((n = co_pollset(c, items, owner)) > 0) {
		if ((now = clock_ms()) >= deadline)
			break;
		if (zmq_poll(items, (int)n, (long)(deadline - now)) == -1) {
			if (zmq_errno() == EINTR)
				continue;
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (items[i].revents != 0)
				co_dispatch(c, owner[i], items[i].socket,
				    items[i].fd);
	}
	free(items);
	free(owner);
	return 0;
}

static void
co_finish(struct co *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct co_router	*cr = &c->rs[i];
		struct rc_router	*r = co_router(c, cr);

		if (co_pending(cr))
			co_fail(c, cr, "no answer within %d ms from %s%s%s",
			    c->o->timeout_ms,
			    cr->plugin ? LABNAME_PLUGIN_SOCK : "",
			    cr->plugin && (cr->ospf || cr->zebra) ? ", " : "",
			    cr->ospf ? "ospfd.vty" : cr->zebra ? "zebra.vty" :
			    "");
		if (r->error == NULL)
			r->collected = true;
		rc_table_sort(&r->tables[RC_TABLE_OSPF]);
	}
}

static void
co_free(struct co *c)
{
	for (size_t i = 0; i < c->n; i++) {
		rc_plugin_close(c->rs[i].plugin);
		rc_vty_close(c->rs[i].ospf);
		rc_vty_close(c->rs[i].zebra);
	}
	free(c->rs);
	if (c->zctx != NULL)
		zmq_ctx_term(c->zctx);
	explicit_bzero(&c->keys, sizeof(c->keys));
}

struct rc_snap *
rc_collect(const struct topo *t, const struct rc_collect_opts *o)
{
	struct co	 c;
	char		 labdir[PATH_MAX];
	int		 saved;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.o = o;
	if (o->labdir != NULL)
		snprintf(labdir, sizeof(labdir), "%s", o->labdir);
	else if (labname_labdir(o->lab, labdir, sizeof(labdir)) == NULL)
		return NULL;
	if ((c.s = rc_snap_new(o->lab)) == NULL ||
	    co_routers(&c, labdir) == -1 ||
	    rc_residency_collect(t, o->lab, labdir, c.s) == -1)
		goto fail;
	co_keys(&c, labdir);
	if ((c.zctx = zmq_ctx_new()) == NULL)
		goto fail;
	zmq_ctx_set(c.zctx, ZMQ_IO_THREADS, CO_ZMQ_IO_THREADS);
	for (size_t i = 0; i < c.n; i++)
		co_ask(&c, &c.rs[i]);
	for (size_t i = 0; i < c.n; i++)
		if (!co_failed(&c, &c.rs[i]))
			co_kernel(&c, &c.rs[i]);
	if (co_gather(&c) == -1)
		goto fail;
	co_finish(&c);
	co_free(&c);
	return c.s;
fail:
	saved = errno;
	co_free(&c);
	rc_snap_free(c.s);
	errno = saved;
	return NULL;
}
