/*
 * web.c: lgrd's side of the operator's console (orchestrator/console,
 * lgr-console(8)): the provider that answers the pages from the
 * hypervisor directory (through hvd) and the journal, evacuations and
 * cancels through the control socket's own paths (evac_begin,
 * evac_cancel), the stream of progress, jobs, events and cluster
 * changes, and the metrics.
 *
 * The console's server threads call the provider; move and runner
 * threads call web_progress, web_move_end and web_job; the watch
 * thread publishes new events and audit records and residency changes.
 * The routecheck results are guarded by w->lock; the rest of lgrd's
 * state by its own locks (d->lock, job->lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "console.h"
#include "lgrd.h"
#include "log.h"

#define WEB_WATCH_MS	300		/* events, audit, residency */
#define WEB_URL_FILE	"console.url"
#define WEB_DIR_FILE	"directory"	/* hvd's: "KIND WHERE LAB" */

struct web {
	struct lgrd		*d;
	struct console		*c;
	pthread_t		 watch;
	bool			 watching;
	atomic_bool		 quit;
	pthread_mutex_t		 lock;		/* below */
	struct json_object	*routers;	/* the last routecheck */
	bool			 checking;	/* a routecheck runs */
	char			 backend[16];	/* the directory's: sqlite, etcd */
};

/* --- small helpers ------------------------------------------------- */

static void
web_err(struct console_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
web_err(struct console_err *err, int status, const char *fmt, ...)
{
	va_list	ap;

	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* A reply code of the control socket as an HTTP status. */
static int
web_status(int code)
{
	switch (code) {
	case REPLY_E_NOTFOUND:
		return 404;
	case REPLY_E_CONFLICT:
	case REPLY_E_EMPTY:
	case REPLY_E_REFUSED:
		return 409;
	case REPLY_E_BUSY:
		return 423;
	case REPLY_E_DENIED:
		return 403;
	case REPLY_E_UNAVAILABLE:
		return 503;
	default:
		return code >= 9000 ? 400 : 500;
	}
}

static void
web_add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void
web_add_num(struct json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, json_object_new_double(v));
}

/* A time in ms to a tenth (the pages print it as sent), left out when
 * not measured (< 0). */
static void
web_add_ms(struct json_object *o, const char *key, double v)
{
	char	buf[32];

	if (v < 0)
		return;
	snprintf(buf, sizeof(buf), "%.1f", v);
	json_object_object_add(o, key, json_object_new_double_s(v, buf));
}

static struct json_object *
web_wrap(const char *key, struct json_object *arr)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, key, arr ? arr : json_object_new_array());
	return o;
}

static void
web_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* --- cluster ------------------------------------------------------- */

/* Moves in and out per member, and which guests lgrd moves now. */
struct web_moves {
	int	*in, *out;
	bool	*moving;
};

static void
web_moves_count(struct lgrd *d, struct web_moves *mv)
{
	int	s, t, g;

	pthread_mutex_lock(&d->lock);
	for (struct job *j = d->jobs; j != NULL; j = j->nextjob) {
		pthread_mutex_lock(&j->lock);
		for (size_t i = 0; i < j->nmoves; i++) {
			const struct move	*m = &j->moves[i];

			if (!m->active)
				continue;
			if ((s = topo_member_find(d->topo, m->src)) >= 0)
				mv->out[s]++;
			if ((t = topo_member_find(d->topo, m->dst)) >= 0)
				mv->in[t]++;
			if ((g = topo_guest_find(d->topo, m->guest)) >= 0)
				mv->moving[g] = true;
		}
		pthread_mutex_unlock(&j->lock);
	}
	pthread_mutex_unlock(&d->lock);
}

static struct json_object *
web_member(struct lgrd *d, struct json_object *r, const struct web_moves *mv)
{
	struct json_object	*o = json_object_new_object();
	char			 state[16], lan[64] = "";
	int			 m = topo_member_find(d->topo,
				    lgrd_row_str(r, "name", ""));

	snprintf(state, sizeof(state), "%s", lgrd_row_str(r, "state", "?"));
	web_lower(state);
	web_add_str(o, "name", lgrd_row_str(r, "name", "?"));
	web_add_str(o, "state", state);
	web_add_num(o, "lease_age_ms", lgrd_row_num(r, "heartbeat_age_ms", 0));
	web_add_num(o, "mem_used_mib", lgrd_row_num(r, "used_mib", 0));
	web_add_num(o, "mem_total_mib", lgrd_row_num(r, "memory_mib", 0));
	json_object_object_add(o, "moves_in", json_object_new_int(m >= 0 ?
	    mv->in[m] : 0));
	json_object_object_add(o, "moves_out", json_object_new_int(m >= 0 ?
	    mv->out[m] : 0));
	if (m >= 0)
		topo_prefix_str(&d->topo->members[m].hsi_lan, lan, sizeof(lan));
	web_add_str(o, "lan", lan[0] ? lan : lgrd_row_str(r, "name", "?"));
	return o;
}

/*
 * The guest's HiperSockets NICs, as residency implies them: the NIC on
 * the LAN of the member it runs on is up, the others down (the agent
 * takes them down and up around a move); none is up while it moves.
 */
static struct json_object *
web_hsi(struct lgrd *d, int g, int member, bool moving)
{
	const struct topo_guest	*gu = &d->topo->guests[g];
	struct json_object	*a = json_object_new_array();

	for (size_t k = 0; k < gu->nnics; k++) {
		const struct topo_nic	*n = &gu->nics[k];
		struct json_object	*l;

		if (n->kind != TOPO_NIC_HIPERSOCKETS)
			continue;
		l = json_object_new_object();
		web_add_str(l, "ifname", n->name);
		web_add_str(l, "lan", d->topo->members[n->member].name);
		web_add_str(l, "state", !moving && n->member == member ? "up" :
		    "down");
		json_object_object_add(l, "foreign",
		    json_object_new_boolean(false));
		json_object_array_add(a, l);
	}
	return a;
}

static struct json_object *
web_guest(struct lgrd *d, struct json_object *r, const struct web_moves *mv)
{
	struct json_object	*o = json_object_new_object();
	int			 g = topo_guest_find(d->topo,
				    lgrd_row_str(r, "name", ""));
	int			 m = topo_member_find(d->topo,
				    lgrd_row_str(r, "member", ""));
	bool			 moving;

	moving = strcmp(lgrd_row_str(r, "state", ""), "RELOCATING") == 0 ||
	    (g >= 0 && mv->moving[g]);
	web_add_str(o, "name", lgrd_row_str(r, "name", "?"));
	web_add_str(o, "member", lgrd_row_str(r, "member", ""));
	web_add_str(o, "state", lgrd_row_str(r, "state", ""));
	web_add_str(o, "workload", g >= 0 && d->topo->guests[g].group >= 0 ?
	    d->topo->groups[d->topo->guests[g].group].name : "");
	web_add_num(o, "memory_mib", lgrd_row_num(r, "memory_mib", 0));
	json_object_object_add(o, "moving", json_object_new_boolean(moving));
	json_object_object_add(o, "hsi", g >= 0 ? web_hsi(d, g, m, moving) :
	    json_object_new_array());
	return o;
}

static struct json_object *
web_cluster(void *arg, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct json_object	*members = NULL, *guests = NULL, *o, *ma, *ga;
	struct web_moves	 mv;
	struct hv		*h;

	mv.in = calloc(d->topo->nmembers, sizeof(int));
	mv.out = calloc(d->topo->nmembers, sizeof(int));
	mv.moving = calloc(d->topo->nguests, sizeof(bool));
	if ((h = hv_open(d)) != NULL) {
		members = hv_members(h);
		guests = hv_guests(h);
		hv_close(h);
	}
	o = NULL;
	if (members == NULL || guests == NULL || mv.in == NULL ||
	    mv.out == NULL || mv.moving == NULL) {
		web_err(err, 503, "the hypervisor directory does not answer "
		    "(hvd of the lab)");
		goto out;
	}
	web_moves_count(d, &mv);
	ma = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(members); i++)
		json_object_array_add(ma, web_member(d,
		    json_object_array_get_idx(members, i), &mv));
	ga = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(guests); i++)
		json_object_array_add(ga, web_guest(d,
		    json_object_array_get_idx(guests, i), &mv));
	o = web_wrap("members", ma);
	json_object_object_add(o, "guests", ga);
out:
	json_object_put(members);
	json_object_put(guests);
	free(mv.in);
	free(mv.out);
	free(mv.moving);
	return o;
}

/* --- plan, evacuate, cancel ---------------------------------------- */

static void
web_request(const struct console_evac *ev, enum lgrd_req type,
    struct lgrd_request *rq)
{
	lgrd_request_init(rq, type);
	snprintf(rq->workload, sizeof(rq->workload), "%s", ev->workload);
	if (ev->from != NULL)
		snprintf(rq->from, sizeof(rq->from), "%s", ev->from);
	if (ev->to != NULL)
		snprintf(rq->to, sizeof(rq->to), "%s", ev->to);
	if (ev->parallel > 0)
		rq->parallel = ev->parallel;
}

/* Waves: each workload group in turn, j->parallel guests at a time;
 * the predicted time adds up the longest move of each wave. */
static struct json_object *
web_plan_json(struct lgrd *d, const struct job *j)
{
	struct json_object	*guests = json_object_new_array();
	struct json_object	*waves = json_object_new_array(), *wave = NULL;
	struct json_object	*o;
	struct hv		*h = hv_open(d);
	double			 total = 0, longest = 0, ms;
	unsigned		 n = 0;

	for (size_t i = 0; i < j->nmoves; i++) {
		o = evac_plan_row(d, h, &j->moves[i]);
		web_add_str(o, "name", j->moves[i].guest);
		ms = lgrd_row_num(o, "predicted_ms", 0);
		if (wave == NULL || n == j->parallel ||
		    j->moves[i].seq != j->moves[i - 1].seq) {
			total += longest;
			longest = 0;
			n = 0;
			wave = json_object_new_array();
			json_object_array_add(waves, wave);
		}
		n++;
		longest = ms > longest ? ms : longest;
		json_object_array_add(wave, json_object_new_string(
		    j->moves[i].guest));
		json_object_array_add(guests, o);
	}
	hv_close(h);
	o = web_wrap("waves", waves);
	json_object_object_add(o, "guests", guests);
	web_add_ms(o, "predicted_ms", total + longest);
	json_object_object_add(o, "parallel", json_object_new_int(
	    (int)j->parallel));
	if (j->parallel_why[0] != '\0')
		web_add_str(o, "parallel_why", j->parallel_why);
	return o;
}

static struct json_object *
web_plan(void *arg, const struct console_evac *ev, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct lgrd_request	 rq;
	struct json_object	*o;
	struct job		 j;
	int			 code;

	web_request(ev, LGRD_REQ_PLAN, &rq);
	if (evac_plan(d, &rq, &j, &code, err->text, sizeof(err->text)) ==
	    -1) {
		err->status = web_status(code);
		return NULL;
	}
	o = web_plan_json(d, &j);
	pthread_mutex_destroy(&j.lock);
	pthread_cond_destroy(&j.cond);
	free(j.moves);
	return o;
}

static int
web_evacuate(void *arg, const struct console_evac *ev,
    const struct console_actor *who, uint64_t *job, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct lgrd_request	 rq;
	struct evac_started	 st;
	char			 by[24];
	int			 code;

	web_request(ev, LGRD_REQ_EVACUATE, &rq);
	snprintf(by, sizeof(by), "web:%.16s", who->session);
	if (evac_begin(d, &rq, by, &st, &code, err->text,
	    sizeof(err->text)) == -1) {
		err->status = web_status(code);
		return -1;
	}
	*job = (uint64_t)st.id;
	return 0;
}

static int
web_cancel(void *arg, const struct console_cancel *what,
    const struct console_actor *who, struct console_err *err)
{
	struct lgrd	*d = arg;

	(void)who;
	if (evac_cancel(d, (int64_t)what->job, what->guest) == 0)
		return 0;
	if (what->guest != NULL)
		web_err(err, 404, "no move of guest %s is running or planned",
		    what->guest);
	else
		web_err(err, 404, "job %ju is not running",
		    (uintmax_t)what->job);
	return -1;
}

/* --- jobs, reports, history, events, audit ------------------------- */

static struct json_object *
web_job_row(struct json_object *r)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*counts = json_object_new_object();
	double			 ended = lgrd_row_num(r, "ended_ms", 0);

	json_object_object_add(o, "id", json_object_new_int64((int64_t)
	    lgrd_row_num(r, "id", 0)));
	web_add_str(o, "kind", lgrd_row_str(r, "kind", ""));
	web_add_str(o, "workload", lgrd_row_str(r, "workload", ""));
	web_add_str(o, "state", lgrd_row_str(r, "state", ""));
	web_add_str(o, "who", lgrd_row_str(r, "who", ""));
	web_add_num(o, "started", lgrd_row_num(r, "started_ms", 0) / 1000.0);
	if (ended > 0)
		web_add_num(o, "ended", ended / 1000.0);
	json_object_object_add(counts, "moved", json_object_new_int64(
	    (int64_t)lgrd_row_num(r, "moved", 0)));
	json_object_object_add(counts, "not moved", json_object_new_int64(
	    (int64_t)lgrd_row_num(r, "not_moved", 0)));
	json_object_object_add(counts, "attempted", json_object_new_int64(
	    (int64_t)lgrd_row_num(r, "attempted", 0)));
	json_object_object_add(o, "counts", counts);
	return o;
}

static struct json_object *
web_jobs(void *arg, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct json_object	*ids, *a = json_object_new_array(), *row;

	(void)err;
	ids = journal_jobs_recent(d->db, 50);
	for (size_t i = 0; ids != NULL && i < json_object_array_length(ids);
	    i++) {
		row = journal_job_json(d->db, (int64_t)lgrd_row_num(
		    json_object_array_get_idx(ids, i), "id", 0));
		if (row != NULL)
			json_object_array_add(a, web_job_row(row));
		json_object_put(row);
	}
	json_object_put(ids);
	return web_wrap("jobs", a);
}

/* The report as lgrd sends it to lgrctl, with lgrctl's table as text. */
static struct json_object *
web_report(void *arg, uint64_t job, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct json_object	*rep;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*f;

	if ((rep = report_json(d->db, (int64_t)job)) == NULL) {
		web_err(err, 404, "no job %ju", (uintmax_t)job);
		return NULL;
	}
	if ((f = open_memstream(&text, &len)) != NULL) {
		lgrd_report_print(rep, f);
		fclose(f);
		web_add_str(rep, "text", text);
	}
	free(text);
	return rep;
}

static struct json_object *
web_history(void *arg, const char *guest, struct console_err *err)
{
	struct lgrd	*d = arg;

	if (guest != NULL && topo_guest_find(d->topo, guest) == -1) {
		web_err(err, 404, "unknown guest %s", guest);
		return NULL;
	}
	return web_wrap("moves", journal_history(d->db, guest ? guest : ""));
}

/* One journal row renamed for the console, in place. */
typedef void (*web_row_fn)(struct json_object *r);

/* An event: time in seconds, its message id as type. */
static void
web_event_row(struct json_object *r)
{
	web_add_num(r, "time", lgrd_row_num(r, "ts_ms", 0) / 1000.0);
	web_add_str(r, "type", lgrd_row_str(r, "msgid", ""));
}

/* An audit record: the console's have who "console ROLE SESSION". */
static void
web_audit_row(struct json_object *r)
{
	const char	*who = lgrd_row_str(r, "who", "");
	char		 role[24], session[24];

	web_add_num(r, "time", lgrd_row_num(r, "ts_ms", 0) / 1000.0);
	if (sscanf(who, "console %23s %23s", role, session) == 2) {
		web_add_str(r, "role", role);
		web_add_str(r, "session", session);
	} else
		web_add_str(r, "role", who);
	web_add_str(r, "action", lgrd_row_str(r, "what", ""));
}

static struct json_object *
web_rows(struct json_object *rows, web_row_fn fn)
{
	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++)
		fn(json_object_array_get_idx(rows, i));
	return rows;
}

static struct json_object *
web_events(void *arg, uint64_t since, struct console_err *err)
{
	struct lgrd	*d = arg;

	(void)err;
	return web_wrap("events", web_rows(journal_events(d->db,
	    (int64_t)since, 0), web_event_row));
}

static struct json_object *
web_audit_read(void *arg, uint64_t since, struct console_err *err)
{
	struct lgrd	*d = arg;

	(void)err;
	return web_wrap("audit", web_rows(journal_audit_rows(d->db,
	    (int64_t)since), web_audit_row));
}

static void
web_audit(void *arg, const struct console_actor *who, const char *action,
    const char *args, int status, const char *text)
{
	struct lgrd	*d = arg;
	char		 by[64], result[CONSOLE_TEXT_MAX + 16];

	snprintf(by, sizeof(by), "console %s %s", who->role ==
	    CONSOLE_OPERATOR ? "operator" : "viewer", who->session);
	snprintf(result, sizeof(result), "%d %s", status, text);
	journal_audit(d->db, by, action, args, result);
}

/* --- routecheck ---------------------------------------------------- */

/* {"router": {"router","checked","violations":[...]}} for the routers. */
static struct json_object *
web_routers_new(struct lgrd *d, double checked)
{
	struct json_object	*o = json_object_new_object(), *r;

	for (size_t i = 0; i <= d->topo->nguests; i++) {
		const char	*name = i < d->topo->nguests ?
				    d->topo->guests[i].name : d->topo->abr.name;

		if (name[0] == '\0')
			continue;
		r = json_object_new_object();
		web_add_str(r, "router", name);
		web_add_num(r, "checked", checked);
		json_object_object_add(r, "violations",
		    json_object_new_array());
		json_object_object_add(o, name, r);
	}
	return o;
}

static void
web_router_add(struct json_object *routers, const char *router,
    const char *text, double checked)
{
	struct json_object	*r;

	if (!json_object_object_get_ex(routers, router, &r)) {
		r = json_object_new_object();
		web_add_str(r, "router", router);
		web_add_num(r, "checked", checked);
		json_object_object_add(r, "violations",
		    json_object_new_array());
		json_object_object_add(routers, router, r);
	}
	json_object_array_add(json_object_object_get(r, "violations"),
	    json_object_new_string(text));
}

/* routecheck -j's verdict by router: violations and collection errors. */
static struct json_object *
web_routers_parse(struct lgrd *d, const char *out, double checked)
{
	struct json_object	*o = json_tokener_parse(out), *a, *v;
	struct json_object	*routers = web_routers_new(d, checked);
	char			 text[512];

	if (o != NULL && json_object_object_get_ex(o, "violations", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			v = json_object_array_get_idx(a, i);
			snprintf(text, sizeof(text), "%s: %s in table %s "
			    "expected %s, found %s",
			    lgrd_row_str(v, "name", ""),
			    lgrd_row_str(v, "prefix", ""), lgrd_row_str(v,
			    "table", ""), lgrd_row_str(v, "expected", ""),
			    lgrd_row_str(v, "found", ""));
			web_router_add(routers, lgrd_row_str(v, "router",
			    "?"), text, checked);
		}
	if (o != NULL && json_object_object_get_ex(o, "errors", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			v = json_object_array_get_idx(a, i);
			snprintf(text, sizeof(text), "not collected: %s",
			    lgrd_row_str(v, "error", ""));
			web_router_add(routers, lgrd_row_str(v, "router",
			    "?"), text, checked);
		}
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

static void *
web_routecheck_thread(void *arg)
{
	struct web		*w = arg;
	struct json_object	*routers, *o;
	char			*out = NULL;
	int			 rc;

	rc = verify_lab(w->d, &out);
	routers = web_routers_parse(w->d, rc == -1 || out == NULL ? "{}" : out,
	    (double)time(NULL));
	if (rc < 0 || rc > 1)
		log_warnx("[LGR-ROUTECHECK] routecheck for the console failed "
		    "(exit %d)", rc);
	free(out);
	web_routecheck_metrics(w, routers);
	pthread_mutex_lock(&w->lock);
	json_object_put(w->routers);
	w->routers = routers;
	w->checking = false;
	pthread_mutex_unlock(&w->lock);
	o = json_object_new_object();
	json_object_object_add(o, "exit", json_object_new_int(rc));
	console_publish(w->c, "routecheck", o);
	json_object_put(o);
	return NULL;
}

static struct json_object *
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

static int
web_routecheck_run(void *arg, const struct console_actor *who,
    struct console_err *err)
{
	struct lgrd	*d = arg;
	struct web	*w = d->web;
	pthread_t	 t;
	bool		 busy;

	(void)who;
	if (d->opts.routecheck[0] == '\0') {
		web_err(err, 503, "routecheck is not installed (lgrd "
		    "--routecheck PATH)");
		return -1;
	}
	pthread_mutex_lock(&w->lock);
	busy = w->checking;
	w->checking = true;
	pthread_mutex_unlock(&w->lock);
	if (busy) {
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

/* --- metrics ------------------------------------------------------- */

static size_t
web_moving(struct lgrd *d)
{
	size_t	n = 0;

	pthread_mutex_lock(&d->lock);
	for (struct job *j = d->jobs; j != NULL; j = j->nextjob) {
		pthread_mutex_lock(&j->lock);
		for (size_t i = 0; i < j->nmoves; i++)
			n += j->moves[i].active;
		pthread_mutex_unlock(&j->lock);
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

static void
web_collect_members(struct lgrd *d, const struct console_stdmetrics *m,
    struct json_object *members, struct json_object *guests)
{
	metric_clear(m->member_up);
	metric_clear(m->guests);
	for (size_t i = 0; i < json_object_array_length(members); i++) {
		struct json_object	*r = json_object_array_get_idx(members,
					    i);
		const char		*name = lgrd_row_str(r, "name", "?");
		double			 n = 0;

		for (size_t k = 0; k < json_object_array_length(guests); k++)
			n += strcmp(lgrd_row_str(json_object_array_get_idx(
			    guests, k), "member", ""), name) == 0;
		metric_set(m->member_up, name, strcmp(lgrd_row_str(r, "state",
		    ""), "JOINED") == 0);
		metric_set(m->guests, name, n);
	}
	(void)d;
}

/* The directory (through hvd) answers, and how fast. */
static void
web_collect(void *arg, struct console *c)
{
	struct lgrd			*d = arg;
	const struct console_stdmetrics	*m = console_stdmetrics(c);
	struct json_object		*members = NULL, *guests = NULL;
	struct hv			*h;
	double				 t0 = lgrd_now_ms();

	if ((h = hv_open(d)) != NULL) {
		members = hv_members(h);
		guests = hv_guests(h);
		hv_close(h);
	}
	metric_set(m->directory_up, d->web->backend, members != NULL &&
	    guests != NULL);
	metric_set(m->directory_latency, d->web->backend,
	    (lgrd_now_ms() - t0) / 1000.0);
	if (members != NULL && guests != NULL)
		web_collect_members(d, m, members, guests);
	json_object_put(members);
	json_object_put(guests);
	metric_set(m->evacuation_running, NULL, (double)evac_running(d));
	metric_set(m->guests_moving, NULL, (double)web_moving(d));
}

static const struct console_provider web_provider = {
	.cluster = web_cluster,
	.plan = web_plan,
	.evacuate = web_evacuate,
	.cancel = web_cancel,
	.jobs = web_jobs,
	.report = web_report,
	.history = web_history,
	.events = web_events,
	.audit_read = web_audit_read,
	.routecheck = web_routecheck,
	.routecheck_run = web_routecheck_run,
	.audit = web_audit,
	.collect = web_collect,
};

/* --- the stream: lgrd's threads publish ---------------------------- */

static struct json_object *
web_progress_json(const struct job *j, const struct move *m)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "job", json_object_new_int64(j->id));
	web_add_str(o, "guest", m->guest);
	web_add_str(o, "from", m->src);
	web_add_str(o, "to", m->dst);
	web_add_ms(o, "quiesce_ms", m->quiesce_ms);
	web_add_ms(o, "downtime_ms", m->downtime_ms);
	web_add_ms(o, "convergence_ms", m->converge_ms);
	if (m->routecheck[0] != '\0')
		web_add_str(o, "routecheck", m->routecheck);
	return o;
}

void
web_progress(struct lgrd *d, const struct job *j, const struct move *m,
    const struct hv_progress *p)
{
	struct json_object	*o;
	char			 phase[16];
	double			 s, rate;

	if (d->web == NULL)
		return;
	o = web_progress_json(j, m);
	snprintf(phase, sizeof(phase), "%s", p != NULL ? p->phase :
	    lgrd_step_name(m->step));
	web_lower(phase);
	web_add_str(o, "phase", phase);
	if (p != NULL) {
		s = (double)(clock_wall_ms() - p->started_ms) / 1000.0;
		rate = s > 0 ? p->sent_mib / s : 0;
		json_object_object_add(o, "pass", json_object_new_int(p->pass));
		web_add_num(o, "sent_mib", p->sent_mib);
		web_add_num(o, "left_mib", p->left_mib);
		web_add_num(o, "rate_mibs", rate);
		if (rate > 0)
			web_add_ms(o, "eta_ms", p->left_mib / rate * 1000.0);
	}
	console_publish(d->web->c, "progress", o);
	json_object_put(o);
}

/* DONE, CANCELLED, the hypervisor's end code, or NOT-MOVED. */
static const char *
web_end_code(const struct move *m)
{
	if (strcmp(m->result, "moved") == 0)
		return "DONE";
	if (strcmp(m->result, "cancelled") == 0)
		return "CANCELLED";
	if (m->end_code[0] != '\0' && strcmp(m->end_code, "OK") != 0)
		return m->end_code;
	return "NOT-MOVED";
}

static void
web_observe(struct metric *f, double ms)
{
	if (ms >= 0)
		metric_observe(f, NULL, ms / 1000.0);
}

void
web_move_end(struct lgrd *d, const struct job *j, const struct move *m)
{
	const struct console_stdmetrics	*sm;
	struct json_object		*o;
	const char			*end = web_end_code(m);

	if (d->web == NULL)
		return;
	sm = console_stdmetrics(d->web->c);
	metric_inc(sm->relocations, end, 1);
	if (strcmp(end, "DONE") == 0) {
		web_observe(sm->duration, m->total_ms);
		web_observe(sm->quiesce, m->quiesce_ms);
		web_observe(sm->downtime, m->downtime_ms);
		web_observe(sm->convergence, m->converge_ms);
	}
	o = web_progress_json(j, m);
	web_add_str(o, "phase", end);
	if (m->reason[0] != '\0')
		web_add_str(o, "reason", m->reason);
	console_publish(d->web->c, "progress", o);
	console_publish(d->web->c, "cluster", o);
	json_object_put(o);
}

void
web_job(struct lgrd *d, int64_t id, const char *state)
{
	struct json_object	*o;

	if (d->web == NULL)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	web_add_str(o, "state", state);
	console_publish(d->web->c, "job", o);
	json_object_put(o);
}

/* --- the watch thread: journal rows and residency to the stream ---- */

/* Publish each row of rows as type; the last id into *last. */
static void
web_publish_rows(struct web *w, const char *type, struct json_object *rows,
    int64_t *last)
{
	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);

		console_publish(w->c, type, r);
		*last = (int64_t)lgrd_row_num(r, "id", (double)*last);
	}
	json_object_put(rows);
}

/* "GUEST@MEMBER/STATE ..." of every guest, to notice a change. */
static void
web_residency(struct hv *h, char *buf, size_t len)
{
	struct json_object	*rows = h != NULL ? hv_guests(h) : NULL;
	size_t			 n = 0;

	buf[0] = '\0';
	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);

		n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
		    "%s@%s/%s ", lgrd_row_str(r, "name", ""), lgrd_row_str(r,
		    "member", ""), lgrd_row_str(r, "state", ""));
		if (n >= len)
			break;
	}
	json_object_put(rows);
}

static void
web_sleep_ms(unsigned ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int64_t
web_last_id(sqlite3 *db, const char *table)
{
	char	sql[64];
	int64_t	id = 0;

	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s",
	    table);
	return journal_int(db, &id, sql, "") == 1 ? id : 0;
}

static void *
web_watch(void *arg)
{
	struct web		*w = arg;
	struct lgrd		*d = w->d;
	struct json_object	*o;
	int64_t			 ev = web_last_id(d->db, "events");
	int64_t			 au = web_last_id(d->db, "audit");
	char			 was[4096], now[4096];
	struct hv		*h = hv_open(d);	/* this thread's */

	web_residency(h, was, sizeof(was));
	while (!atomic_load(&w->quit)) {
		web_sleep_ms(WEB_WATCH_MS);
		web_publish_rows(w, "event", web_rows(journal_events(d->db,
		    ev, 0), web_event_row), &ev);
		web_publish_rows(w, "audit", web_rows(journal_audit_rows(d->db,
		    au), web_audit_row), &au);
		web_residency(h, now, sizeof(now));
		if (now[0] != '\0' && strcmp(now, was) != 0) {
			o = json_object_new_object();
			console_publish(w->c, "cluster", o);
			json_object_put(o);
			memcpy(was, now, sizeof(was));
		}
	}
	hv_close(h);
	return NULL;
}

/* --- start and stop ------------------------------------------------ */

/* LABDIR/console.url (0600): an operator's one-time URL, for nslab up. */
static void
web_write_url(struct lgrd *d)
{
	char	path[PATH_MAX], url[256];
	int	fd;

	if (console_url(d->web->c, CONSOLE_OPERATOR, url, sizeof(url)) == -1)
		return;
	snprintf(path, sizeof(path), "%.*s/%s", (int)sizeof(path) - 16,
	    d->opts.labdir, WEB_URL_FILE);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1 || dprintf(fd, "%s\n", url) < 0)
		log_warn("[LGR-CONSOLE] %s", path);
	if (fd != -1)
		close(fd);
}

/* The directory's kind from hvd's LABDIR/directory (sqlite when none). */
static void
web_backend(struct lgrd *d, char *kind, size_t len)
{
	char	path[PATH_MAX], word[16] = "";
	FILE	*f;

	snprintf(path, sizeof(path), "%.*s/%s", (int)sizeof(path) - 16,
	    d->opts.labdir, WEB_DIR_FILE);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%15s", word) != 1)
			word[0] = '\0';
		fclose(f);
	}
	snprintf(kind, len, "%s", word[0] ? word : "sqlite");
}

int
web_open(struct lgrd *d)
{
	struct console_options	 o;
	struct web		*w;

	if (!d->opts.console && !d->opts.metrics)
		return 0;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->d = d;
	pthread_mutex_init(&w->lock, NULL);
	web_backend(d, w->backend, sizeof(w->backend));
	console_options_init(&o);
	if (d->opts.console_address[0] != '\0')
		o.address = d->opts.console_address;
	o.port = (uint16_t)d->opts.console_port;
	o.pages = d->opts.console;
	o.metrics = d->opts.metrics;
	d->web = w;		/* the callbacks may run from now on */
	if ((w->c = console_new(&o, &web_provider, d)) == NULL ||
	    console_start(w->c) == -1) {
		log_warn("[LGR-CONSOLE] console on %s port %u", o.address,
		    d->opts.console_port);
		console_free(w->c);
		d->web = NULL;
		free(w);
		return -1;
	}
	log_info("[LGR-CONSOLE] console on http://%s:%u/%s%s", o.address,
	    console_port(w->c), o.pages ? "" : " (pages off)", o.metrics ?
	    ", /metrics" : "");
	if (o.pages)
		web_write_url(d);
	w->watching = pthread_create(&w->watch, NULL, web_watch, w) == 0;
	return 0;
}

void
web_close(struct lgrd *d)
{
	struct web	*w = d->web;

	if (w == NULL)
		return;
	atomic_store(&w->quit, true);
	if (w->watching)
		pthread_join(w->watch, NULL);
	console_free(w->c);
	d->web = NULL;
	json_object_put(w->routers);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int
web_url(struct lgrd *d, int role, char *buf, size_t len)
{
	if (d->web == NULL || !d->opts.console) {
		errno = EAGAIN;
		return -1;
	}
	return console_url(d->web->c, role ? CONSOLE_OPERATOR : CONSOLE_VIEWER,
	    buf, len);
}
