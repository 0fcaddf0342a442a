/*
 * api.c: the JSON API under /api/ that the pages use.
 *
 * Each handler validates everything the client sent (query arguments
 * and JSON bodies: known names only, names [A-Za-z0-9_-]{1,31}, numbers
 * in range) before it calls the provider, and answers 400 with the
 * argument, what is wrong and what is allowed.  Provider errors go back
 * with the provider's status and text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_impl.h"
#include "msg.h"

#define API_DEPTH	4	/* bodies are flat objects */

/* Query arguments: each must be in the allowed list (NULL-terminated). */
struct api_argcheck {
	const char *const	*allowed;
	const char		*bad;
};

static enum MHD_Result
api_arg_known(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct api_argcheck	*ac = cls;

	(void)kind;
	(void)value;
	for (size_t i = 0; ac->allowed[i] != NULL; i++)
		if (strcmp(key, ac->allowed[i]) == 0)
			return MHD_YES;
	ac->bad = key;
	return MHD_NO;
}

/* "a, b, c" of a NULL-terminated list, for messages. */
static const char *
api_list(const char *const *names, char *buf, size_t len)
{
	size_t	off = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] != NULL && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		    names[i]);
	if (names[0] == NULL)
		snprintf(buf, len, "none");
	return buf;
}

/* 0, or -1 with a 400 queued in *rc. */
static int
api_query_check(struct http *h, const char *const *allowed,
    enum MHD_Result *rc)
{
	struct api_argcheck	 ac = { allowed, NULL };
	char			 list[128];

	MHD_get_connection_values(h->conn, MHD_GET_ARGUMENT_KIND, api_arg_known,
	    &ac);
	if (ac.bad == NULL)
		return 0;
	*rc = http_text(h, 400, "unknown argument '%.40s' (allowed: %s)",
	    ac.bad, api_list(allowed, list, sizeof(list)));
	return -1;
}

static const char *
api_query(struct http *h, const char *key)
{
	return MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* A decimal number in [min, max] from a string; -1 if not. */
static int
api_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char			*end;
	unsigned long long	 v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 20)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The body as JSON within API_DEPTH, nothing after it; NULL if not. */
static struct json_object *
api_parse(const struct http *h)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if (h->len == 0 || (tok = json_tokener_new_ex(API_DEPTH)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, h->body, h->len);
	if (o != NULL && json_tokener_get_parse_end(tok) != h->len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

void
api_audit_args(struct http *h)
{
	struct json_object	*o;

	if (h->args[0] != '\0')
		return;
	if (h->too_big || h->len == 0) {
		snprintf(h->args, sizeof(h->args), h->too_big ? "(body over "
		    "%zu bytes)" : "{}", h->c->o.body_max);
		return;
	}
	if ((o = api_parse(h)) != NULL)
		snprintf(h->args, sizeof(h->args), "%s",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else
		snprintf(h->args, sizeof(h->args), "(%zu bytes, not JSON)",
		    h->len);
	json_object_put(o);
}

/*
 * The body as a flat JSON object with known members only; NULL with a
 * 400 queued.  The body is kept (re-serialised) for the audit log.
 */
static struct json_object *
api_body(struct http *h, const char *const *allowed, enum MHD_Result *rc)
{
	struct json_object	*o;
	char			 list[128];

	if (h->len == 0) {
		*rc = http_text(h, 400, "empty body: send a JSON object with "
		    "%s", api_list(allowed, list, sizeof(list)));
		return NULL;
	}
	o = api_parse(h);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*rc = http_text(h, 400, "body is not a JSON object");
		return NULL;
	}
	snprintf(h->args, sizeof(h->args), "%s",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_object_foreach(o, key, val) {
		size_t	i;

		(void)val;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			*rc = http_text(h, 400, "unknown field '%.40s' "
			    "(allowed: %s)", key, api_list(allowed, list,
			    sizeof(list)));
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* A name argument; 0, or -1 with a 400 queued. */
static int
api_name(struct http *h, const char *key, const char *v, bool required,
    enum MHD_Result *rc)
{
	if (v == NULL && required) {
		*rc = http_text(h, 400, "%s: missing", key);
		return -1;
	}
	if (v == NULL || msg_name_valid(v))
		return 0;
	*rc = http_text(h, 400, "%s: '%.40s' is not a name ([A-Za-z0-9_-], "
	    "1-31 characters)", key, v);
	return -1;
}

/* A name member of the body (absent: *out NULL); 0, or -1 (400 queued). */
static int
api_body_name(struct http *h, struct json_object *o, const char *key,
    const char **out, enum MHD_Result *rc)
{
	struct json_object	*v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v,
	    json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		*rc = http_text(h, 400, "%s: not a string", key);
		return -1;
	}
	*out = json_object_get_string(v);
	return api_name(h, key, *out, false, rc);
}

/* A provider's answer: the JSON or its error. */
static enum MHD_Result
api_answer(struct http *h, struct json_object *o, const struct console_err *e)
{
	if (o != NULL)
		return http_json(h, 200, o);
	return http_text(h, e->status >= 400 && e->status < 600 ? e->status :
	    500, "%s", e->text[0] != '\0' ? e->text : "internal error");
}

static enum MHD_Result
api_missing(struct http *h)
{
	return http_text(h, 501, "%s: not provided by this daemon", h->url);
}

/*
 * -- evacuation arguments ------------------------------------------------
 */
static const char *const api_evac_args[] = { "workload", "from", "to",
	"parallel", NULL };

/* Checks the names and the parallelism; 0, or -1 with 400 queued. */
static int
api_evac_check(struct http *h, struct console_evac *ev, const char *par,
    enum MHD_Result *rc)
{
	uint64_t	n = 0;

	if (api_name(h, "workload", ev->workload, true, rc) == -1 ||
	    api_name(h, "from", ev->from, false, rc) == -1 ||
	    api_name(h, "to", ev->to, false, rc) == -1)
		return -1;
	if (par != NULL && api_number(par, 1, 64, &n) == -1) {
		*rc = http_text(h, 400, "parallel: '%.40s' out of range (1-64)",
		    par);
		return -1;
	}
	ev->parallel = n;
	return 0;
}

static enum MHD_Result
api_plan(struct http *h)
{
	struct console_evac	 ev = { 0 };
	struct console_err	 e = { 0 };
	enum MHD_Result		 rc;
	const char		*s;

	if (api_query_check(h, api_evac_args, &rc) == -1)
		return rc;
	ev.workload = api_query(h, "workload");
	ev.from = (s = api_query(h, "from")) != NULL && *s != '\0' ? s : NULL;
	ev.to = (s = api_query(h, "to")) != NULL && *s != '\0' ? s : NULL;
	s = api_query(h, "parallel");
	if (api_evac_check(h, &ev, s != NULL && *s != '\0' ? s : NULL,
	    &rc) == -1)
		return rc;
	if (h->c->p.plan == NULL)
		return api_missing(h);
	return api_answer(h, h->c->p.plan(h->c->arg, &ev, &e), &e);
}

static enum MHD_Result
api_evacuate(struct http *h)
{
	struct console_evac	 ev = { 0 };
	struct console_err	 e = { 0 };
	struct console_actor	 a;
	struct json_object	*o, *v, *ans;
	enum MHD_Result		 rc;
	uint64_t		 job = 0;
	char			 par[24] = "";

	if ((o = api_body(h, api_evac_args, &rc)) == NULL)
		return rc;
	if (api_body_name(h, o, "workload", &ev.workload, &rc) == -1 ||
	    api_body_name(h, o, "from", &ev.from, &rc) == -1 ||
	    api_body_name(h, o, "to", &ev.to, &rc) == -1)
		goto out;
	if (json_object_object_get_ex(o, "parallel", &v)) {
		if (!json_object_is_type(v, json_type_int)) {
			rc = http_text(h, 400, "parallel: not a number (1-64)");
			goto out;
		}
		snprintf(par, sizeof(par), "%lld",
		    (long long)json_object_get_int64(v));
	}
	if (api_evac_check(h, &ev, par[0] != '\0' ? par : NULL, &rc) == -1)
		goto out;
	if (h->c->p.evacuate == NULL) {
		rc = api_missing(h);
		goto out;
	}
	http_actor(h, &a);
	if (h->c->p.evacuate(h->c->arg, &ev, &a, &job, &e) == -1) {
		rc = api_answer(h, NULL, &e);
		goto out;
	}
	ans = json_object_new_object();
	if (ans != NULL)
		json_object_object_add(ans, "job", json_object_new_uint64(job));
	rc = http_json(h, 202, ans);
out:
	json_object_put(o);
	return rc;
}

static enum MHD_Result
api_cancel(struct http *h)
{
	static const char *const allowed[] = { "job", "guest", NULL };
	struct console_cancel	 what = { 0 };
	struct console_err	 e = { 0 };
	struct console_actor	 a;
	struct json_object	*o, *v;
	enum MHD_Result		 rc;
	bool			 has_job;

	if ((o = api_body(h, allowed, &rc)) == NULL)
		return rc;
	if (api_body_name(h, o, "guest", &what.guest, &rc) == -1)
		goto out;
	has_job = json_object_object_get_ex(o, "job", &v);
	if (has_job && (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1)) {
		rc = http_text(h, 400, "job: not a job id (a number from 1)");
		goto out;
	}
	if (has_job == (what.guest != NULL)) {
		rc = http_text(h, 400, "cancel needs exactly one of job and "
		    "guest");
		goto out;
	}
	if (has_job)
		what.job = json_object_get_int64(v);
	if (h->c->p.cancel == NULL) {
		rc = api_missing(h);
		goto out;
	}
	http_actor(h, &a);
	if (h->c->p.cancel(h->c->arg, &what, &a, &e) == -1)
		rc = api_answer(h, NULL, &e);
	else
		rc = http_text(h, 200, "cancel requested");
out:
	json_object_put(o);
	return rc;
}

static enum MHD_Result
api_routecheck_run(struct http *h)
{
	static const char *const allowed[] = { NULL };
	struct console_err	 e = { 0 };
	struct console_actor	 a;
	struct json_object	*o;
	enum MHD_Result		 rc;

	if (h->len > 0) {
		if ((o = api_body(h, allowed, &rc)) == NULL)
			return rc;
		json_object_put(o);
	}
	if (h->c->p.routecheck_run == NULL)
		return api_missing(h);
	http_actor(h, &a);
	if (h->c->p.routecheck_run(h->c->arg, &a, &e) == -1)
		return api_answer(h, NULL, &e);
	return http_text(h, 202, "routecheck started");
}

/*
 * -- reads ---------------------------------------------------------------
 */
static const char *const api_no_args[] = { NULL };

static enum MHD_Result
api_session(struct http *h)
{
	struct json_object	*o;
	enum MHD_Result		 rc;

	if (api_query_check(h, api_no_args, &rc) == -1)
		return rc;
	if ((o = json_object_new_object()) == NULL)
		return http_text(h, 500, "out of memory");
	json_object_object_add(o, "role", json_object_new_string(
	    h->s.role == CONSOLE_OPERATOR ? "operator" : "viewer"));
	json_object_object_add(o, "session", json_object_new_string(h->s.id));
	json_object_object_add(o, "csrf", json_object_new_string(h->s.csrf));
	json_object_object_add(o, "metrics",
	    json_object_new_boolean(h->c->o.metrics));
	return http_json(h, 200, o);
}

/* The readers without arguments, as the route says (route->read). */
static console_cluster_fn
api_reader(const struct console_provider *p, int which)
{
	switch (which) {
	case API_JOBS:
		return p->jobs;
	case API_ROUTECHECK:
		return p->routecheck;
	default:
		return p->cluster;
	}
}

/* /api/cluster, /api/jobs, /api/routecheck */
static enum MHD_Result
api_read(struct http *h)
{
	console_cluster_fn	fn = api_reader(&h->c->p, h->route->read);
	struct console_err	e = { 0 };
	enum MHD_Result		rc;

	if (api_query_check(h, api_no_args, &rc) == -1)
		return rc;
	if (fn == NULL)
		return api_missing(h);
	return api_answer(h, fn(h->c->arg, &e), &e);
}

/* /api/jobs/ID */
static enum MHD_Result
api_report(struct http *h)
{
	struct console_err	 e = { 0 };
	enum MHD_Result		 rc;
	const char		*id = h->url + strlen("/api/jobs/");
	uint64_t		 job;

	if (api_query_check(h, api_no_args, &rc) == -1)
		return rc;
	if (api_number(id, 1, UINT64_MAX, &job) == -1)
		return http_text(h, 400, "job id '%.24s' is not a number from 1",
		    id);
	if (h->c->p.report == NULL)
		return api_missing(h);
	return api_answer(h, h->c->p.report(h->c->arg, job, &e), &e);
}

static enum MHD_Result
api_history(struct http *h)
{
	static const char *const allowed[] = { "guest", NULL };
	struct console_err	 e = { 0 };
	enum MHD_Result		 rc;
	const char		*guest;

	if (api_query_check(h, allowed, &rc) == -1)
		return rc;
	guest = api_query(h, "guest");
	if (guest != NULL && *guest == '\0')
		guest = NULL;
	if (api_name(h, "guest", guest, false, &rc) == -1)
		return rc;
	if (h->c->p.history == NULL)
		return api_missing(h);
	return api_answer(h, h->c->p.history(h->c->arg, guest, &e), &e);
}

/* /api/events and /api/audit: ?since=ID. */
static enum MHD_Result
api_since(struct http *h)
{
	static const char *const allowed[] = { "since", NULL };
	console_since_fn	 fn = h->route->read == API_AUDIT ?
				    h->c->p.audit_read : h->c->p.events;
	struct console_err	 e = { 0 };
	enum MHD_Result		 rc;
	const char		*s;
	uint64_t		 since = 0;

	if (api_query_check(h, allowed, &rc) == -1)
		return rc;
	s = api_query(h, "since");
	if (s != NULL && api_number(s, 0, UINT64_MAX, &since) == -1)
		return http_text(h, 400, "since: '%.24s' is not a number", s);
	if (fn == NULL)
		return api_missing(h);
	return api_answer(h, fn(h->c->arg, since, &e), &e);
}

static enum MHD_Result
api_stream(struct http *h)
{
	struct MHD_Response	*r;
	const char		*last;
	uint64_t		 id = 0;
	enum MHD_Result		 rc;

	if (api_query_check(h, api_no_args, &rc) == -1)
		return rc;
	last = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND,
	    "Last-Event-ID");
	if (last != NULL && api_number(last, 0, UINT64_MAX, &id) == -1)
		return http_text(h, 400, "Last-Event-ID: '%.24s' is not a "
		    "number", last);
	if ((r = stream_response(h->c->stream, h->c, &h->s, id)) == NULL)
		return http_text(h, 500, "out of memory");
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	return http_queue(h, 200, r);
}

/*
 * -- the routes ----------------------------------------------------------
 */
const struct route api_routes[] = {
	{ "GET", "/api/session", 0, api_session, 0 },
	{ "GET", "/api/cluster", 0, api_read, API_CLUSTER },
	{ "GET", "/api/plan", 0, api_plan, 0 },
	{ "POST", "/api/evacuate", ROUTE_WRITE, api_evacuate, 0 },
	{ "POST", "/api/cancel", ROUTE_WRITE, api_cancel, 0 },
	{ "GET", "/api/jobs/", ROUTE_PREFIX, api_report, 0 },
	{ "GET", "/api/jobs", 0, api_read, API_JOBS },
	{ "GET", "/api/history", 0, api_history, 0 },
	{ "GET", "/api/events", 0, api_since, API_EVENTS },
	{ "GET", "/api/audit", ROUTE_OPERATOR, api_since, API_AUDIT },
	{ "GET", "/api/routecheck", 0, api_read, API_ROUTECHECK },
	{ "POST", "/api/routecheck/run", ROUTE_WRITE, api_routecheck_run, 0 },
	{ "GET", "/api/stream", 0, api_stream, 0 },
};
const size_t	api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
