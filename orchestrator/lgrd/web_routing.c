/*
 * web_routing.c: the console's Routing page: the last routecheck per
 * router (violations and collection errors), and a run of routecheck
 * (verify_lab) in a thread of its own, one at a time; its result goes
 * to the stream and to lgr_routecheck_violations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

#include "log.h"
#include "web.h"

/* routers[router] = {"router","checked","violations":[...]}, made when
 * missing; its violations. */
static struct json_object *
web_router(struct json_object *routers, const char *router, double checked)
{
	struct json_object	*r;

	if (!json_object_object_get_ex(routers, router, &r)) {
		r = json_object_new_object();
		web_add_str(r, "router", router);
		json_object_object_add(r, "checked", json_object_new_double(
		    checked));
		json_object_object_add(r, "violations",
		    json_object_new_array());
		json_object_object_add(routers, router, r);
	}
	return json_object_object_get(r, "violations");
}

/* Every router of the topology (the guests and the ABR), none violated. */
static struct json_object *
web_routers_new(struct lgrd *d, double checked)
{
	struct json_object	*o = json_object_new_object();

	for (size_t i = 0; i <= d->topo->nguests; i++) {
		const char	*name = i < d->topo->nguests ?
				    d->topo->guests[i].name : d->topo->abr.name;

		if (name[0] != '\0')
			web_router(o, name, checked);
	}
	return o;
}

static void
web_violation_text(struct json_object *v, char *text, size_t len)
{
	snprintf(text, len, "%s: %s in table %s expected %s, found %s",
	    lgrd_row_str(v, "name", ""), lgrd_row_str(v, "prefix", ""),
	    lgrd_row_str(v, "table", ""), lgrd_row_str(v, "expected", ""),
	    lgrd_row_str(v, "found", ""));
}

static void
web_error_text(struct json_object *v, char *text, size_t len)
{
	snprintf(text, len, "not collected: %s", lgrd_row_str(v, "error",
	    ""));
}

typedef void (*web_text_fn)(struct json_object *v, char *text, size_t len);

/* Each entry of verdict[key] as text under its router. */
static void
web_routers_add(struct json_object *routers, struct json_object *verdict,
    const char *key, web_text_fn fn, double checked)
{
	struct json_object	*a, *v;
	char			 text[512];

	if (verdict == NULL || !json_object_object_get_ex(verdict, key, &a))
		return;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		v = json_object_array_get_idx(a, i);
		fn(v, text, sizeof(text));
		json_object_array_add(web_router(routers, lgrd_row_str(v,
		    "router", "?"), checked), json_object_new_string(text));
	}
}

/* routecheck -j's verdict by router: violations and collection errors. */
static struct json_object *
web_routers_parse(struct lgrd *d, const char *out, double checked)
{
	struct json_object	*o = json_tokener_parse(out);
	struct json_object	*routers = web_routers_new(d, checked);

	web_routers_add(routers, o, "violations", web_violation_text, checked);
	web_routers_add(routers, o, "errors", web_error_text, checked);
	json_object_put(o);
	return routers;
}

static void
web_routecheck_metrics(struct web *w, struct json_object *routers)
{
	const struct console_stdmetrics	*m = console_stdmetrics(w->c);

	metric_clear(m->routecheck_violations);
	json_object_object_foreach(routers, name, r)
		metric_set(m->routecheck_violations, name, (double)
		    json_object_array_length(json_object_object_get(r,
		    "violations")));
}

static void
web_routecheck_done(struct web *w, struct json_object *routers, int rc)
{
	struct json_object	*o = json_object_new_object();

	web_routecheck_metrics(w, routers);
	pthread_mutex_lock(&w->lock);
	json_object_put(w->routers);
	w->routers = routers;
	w->checking = false;
	pthread_mutex_unlock(&w->lock);
	json_object_object_add(o, "exit", json_object_new_int(rc));
	console_publish(w->c, "routecheck", o);
	json_object_put(o);
}

static void *
web_routecheck_thread(void *arg)
{
	struct web	*w = arg;
	char		*out = NULL;
	int		 rc;

	rc = verify_lab(w->d, &out);
	if (rc < 0 || rc > 1)
		log_warnx("[LGR-ROUTECHECK] routecheck for the console failed "
		    "(exit %d)", rc);
	web_routecheck_done(w, web_routers_parse(w->d, rc == -1 ||
	    out == NULL ? "{}" : out, (double)time(NULL)), rc);
	free(out);
	return NULL;
}

struct json_object *
web_routecheck(void *arg, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct web		*w = d->web;
	struct json_object	*a = json_object_new_array();

	(void)err;
	pthread_mutex_lock(&w->lock);
	if (w->routers != NULL) {
		json_object_object_foreach(w->routers, name, r) {
			(void)name;
			json_object_array_add(a, json_object_get(r));
		}
	}
	pthread_mutex_unlock(&w->lock);
	return web_wrap("routers", a);
}

/* Is a routecheck running?  Else it is now (w->checking). */
static bool
web_routecheck_busy(struct web *w)
{
	bool	busy;

	pthread_mutex_lock(&w->lock);
	busy = w->checking;
	w->checking = true;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

int
web_routecheck_run(void *arg, const struct console_actor *who,
    struct console_err *err)
{
	struct lgrd	*d = arg;
	struct web	*w = d->web;
	pthread_t	 t;

	(void)who;
	if (d->opts.routecheck[0] == '\0') {
		web_err(err, 503, "routecheck is not installed (lgrd "
		    "--routecheck PATH)");
		return -1;
	}
	if (web_routecheck_busy(w)) {
		web_err(err, 423, "a routecheck is running");
		return -1;
	}
	if (pthread_create(&t, NULL, web_routecheck_thread, w) != 0) {
		pthread_mutex_lock(&w->lock);
		w->checking = false;
		pthread_mutex_unlock(&w->lock);
		web_err(err, 500, "routecheck could not start");
		return -1;
	}
	pthread_detach(t);
	return 0;
}
