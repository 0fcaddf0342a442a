/*
 * console_demo.c: the console with a simulated provider: the reference
 * scenario's members and guests (DESIGN.md section 5), evacuations
 * that step through the phases of a move with made-up figures, events,
 * audit and routecheck kept in memory.  For the browser test and for a
 * look at the pages without a lab; it moves nothing.
 *
 *	console_demo [-a address] [-p port] [-r viewer|operator]...
 *
 * Prints one URL per -r (default: one operator URL), one a line, then
 * "ready", and serves until stdin closes or SIGTERM.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"

#define DEMO_GUESTS	5
#define DEMO_TICK_MS	40

struct demo_guest {
	const char	*name;
	const char	*workload;
	bool		 hsi;
	const char	*member;
	bool		 moving;
	bool		 cancel;
};

struct demo_job {
	uint64_t	 id;
	char		 workload[32];
	char		 to[32];
	unsigned	 parallel;
	const char	*state;
	time_t		 started, ended;
	unsigned	 done, failed, cancelled;
	bool		 cancel;
	struct json_object *moves;	/* {guest: move} */
};

struct demo {
	pthread_mutex_t		 lock;
	struct console		*c;
	struct demo_guest	 g[DEMO_GUESTS];
	struct demo_job		 jobs[16];
	size_t			 njobs;
	struct json_object	*events, *audit;
	uint64_t		 next_event, next_audit;
	time_t			 checked;
};

static struct demo	demo = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.g = {
		{ "ECMSS00", "ECM", false, "VM9", false, false },
		{ "LITSHA22", "LIT", false, "VM9", false, false },
		{ "LITDCON1", "LIT", true, "VM9", false, false },
		{ "LITSWAS1", "LIT", true, "VM9", false, false },
		{ "LITDAT01", "LIT", true, "VM9", false, false },
	},
	.next_event = 1,
	.next_audit = 1,
};

static const char *const demo_members[] = { "VM9", "VM2" };
static const char *const demo_lans[] = { "172.0.9.0/24", "172.1.2.0/24" };

static void
demo_sleep_ms(unsigned ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Add an event (lock held) and push it to the streams. */
static void
demo_event(const char *type, const char *guest, const char *text)
{
	struct json_object	*e = json_object_new_object();

	json_object_object_add(e, "id", json_object_new_uint64(
	    demo.next_event++));
	json_object_object_add(e, "time", json_object_new_int64(time(NULL)));
	json_object_object_add(e, "type", json_object_new_string(type));
	if (guest != NULL)
		json_object_object_add(e, "guest", json_object_new_string(guest));
	json_object_object_add(e, "text", json_object_new_string(text));
	json_object_array_add(demo.events, e);
	console_publish(demo.c, "event", e);
}

/* -- reads ------------------------------------------------------------------ */

static struct json_object *
demo_member_json(size_t m)
{
	struct json_object	*o = json_object_new_object();
	int			 used = 0;

	for (size_t i = 0; i < DEMO_GUESTS; i++)
		if (strcmp(demo.g[i].member, demo_members[m]) == 0)
			used += 512;
	json_object_object_add(o, "name", json_object_new_string(
	    demo_members[m]));
	json_object_object_add(o, "state", json_object_new_string("joined"));
	json_object_object_add(o, "lease_age_ms", json_object_new_int(
	    100 + rand() % 400));
	json_object_object_add(o, "mem_used_mib", json_object_new_int(used));
	json_object_object_add(o, "mem_total_mib", json_object_new_int(4096));
	json_object_object_add(o, "moves_in", json_object_new_int(0));
	json_object_object_add(o, "moves_out", json_object_new_int(0));
	json_object_object_add(o, "lan", json_object_new_string(demo_lans[m]));
	return o;
}

static struct json_object *
demo_guest_json(const struct demo_guest *g)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*hsi = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(g->name));
	json_object_object_add(o, "member", json_object_new_string(g->member));
	json_object_object_add(o, "workload", json_object_new_string(
	    g->workload));
	json_object_object_add(o, "moving", json_object_new_boolean(g->moving));
	for (size_t m = 0; g->hsi && m < 2; m++) {
		struct json_object *l = json_object_new_object();
		bool	up = !g->moving && strcmp(g->member, demo_members[m]) == 0;

		json_object_object_add(l, "ifname", json_object_new_string(
		    m == 0 ? "hsi0" : "hsi1"));
		json_object_object_add(l, "lan", json_object_new_string(
		    demo_members[m]));
		json_object_object_add(l, "state", json_object_new_string(
		    up ? "up" : "down"));
		json_object_object_add(l, "foreign",
		    json_object_new_boolean(false));
		json_object_array_add(hsi, l);
	}
	json_object_object_add(o, "hsi", hsi);
	return o;
}

static struct json_object *
demo_cluster(void *arg, struct console_err *err)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*members = json_object_new_array();
	struct json_object	*guests = json_object_new_array();

	(void)arg;
	(void)err;
	pthread_mutex_lock(&demo.lock);
	for (size_t m = 0; m < 2; m++)
		json_object_array_add(members, demo_member_json(m));
	for (size_t i = 0; i < DEMO_GUESTS; i++)
		json_object_array_add(guests, demo_guest_json(&demo.g[i]));
	pthread_mutex_unlock(&demo.lock);
	json_object_object_add(o, "members", members);
	json_object_object_add(o, "guests", guests);
	return o;
}

static bool
demo_member_known(const char *m)
{
	return m == NULL || strcmp(m, "VM9") == 0 || strcmp(m, "VM2") == 0;
}

static bool
demo_selected(const struct demo_guest *g, const struct console_evac *ev)
{
	if (strcmp(ev->workload, "ALL") != 0 &&
	    strcmp(ev->workload, g->workload) != 0)
		return false;
	return ev->from == NULL || strcmp(ev->from, g->member) == 0;
}

/* The destination, one of demo_members (ev's strings die with the call). */
static const char *
demo_dest(const struct demo_guest *g, const struct console_evac *ev)
{
	const char	*to = ev->to;

	if (to == NULL)
		to = strcmp(g->member, "VM9") == 0 ? "VM2" : "VM9";
	return strcmp(to, demo_members[0]) == 0 ? demo_members[0] :
	    demo_members[1];
}

/* Checks the arguments; 0 or -1 with err. */
static int
demo_evac_check(const struct console_evac *ev, struct console_err *err)
{
	if (strcmp(ev->workload, "ALL") != 0 && strcmp(ev->workload, "LIT") !=
	    0 && strcmp(ev->workload, "ECM") != 0 &&
	    strcmp(ev->workload, "TIV") != 0) {
		err->status = 404;
		snprintf(err->text, sizeof(err->text), "workload %s: no such "
		    "group (ECM, LIT, TIV, ALL)", ev->workload);
		return -1;
	}
	if (!demo_member_known(ev->from) || !demo_member_known(ev->to)) {
		err->status = 404;
		snprintf(err->text, sizeof(err->text), "member %s: no such "
		    "member (VM9, VM2)", demo_member_known(ev->from) ? ev->to :
		    ev->from);
		return -1;
	}
	return 0;
}

static struct json_object *
demo_plan(void *arg, const struct console_evac *ev, struct console_err *err)
{
	struct json_object	*o, *guests, *waves, *wave = NULL;
	unsigned		 par = ev->parallel ? ev->parallel : 1, n = 0;

	(void)arg;
	if (demo_evac_check(ev, err) == -1)
		return NULL;
	o = json_object_new_object();
	guests = json_object_new_array();
	waves = json_object_new_array();
	pthread_mutex_lock(&demo.lock);
	for (size_t i = 0; i < DEMO_GUESTS; i++) {
		struct demo_guest	*g = &demo.g[i];
		struct json_object	*p, *conf = json_object_new_array();
		const char		*to = demo_dest(g, ev);

		if (!demo_selected(g, ev) || strcmp(to, g->member) == 0) {
			json_object_put(conf);
			continue;
		}
		if (g->moving)
			json_object_array_add(conf, json_object_new_string(
			    "another relocation of this guest is running"));
		p = json_object_new_object();
		json_object_object_add(p, "name", json_object_new_string(g->name));
		json_object_object_add(p, "from", json_object_new_string(
		    g->member));
		json_object_object_add(p, "to", json_object_new_string(to));
		json_object_object_add(p, "eligible", json_object_new_boolean(
		    json_object_array_length(conf) == 0));
		json_object_object_add(p, "conflicts", conf);
		json_object_array_add(guests, p);
		if (n++ % par == 0) {
			wave = json_object_new_array();
			json_object_array_add(waves, wave);
		}
		json_object_array_add(wave, json_object_new_string(g->name));
	}
	pthread_mutex_unlock(&demo.lock);
	json_object_object_add(o, "waves", waves);
	json_object_object_add(o, "guests", guests);
	json_object_object_add(o, "predicted_ms", json_object_new_int(
	    (int)json_object_array_length(waves) * 1200));
	return o;
}

/* -- the simulated evacuation -------------------------------------------------- */

struct demo_run {
	struct demo_job		*job;
	unsigned		 parallel;
	size_t			 idx[DEMO_GUESTS];
	const char		*to[DEMO_GUESTS];
	size_t			 n;
};

/* Phase of tick t of 30: the pipeline of one move, with figures. */
static struct json_object *
demo_progress(struct demo_job *j, struct demo_guest *g, int t)
{
	static const char *const phases[] = { "check", "prepare", "precopy",
	    "precopy", "precopy", "precopy", "precopy", "precopy", "precopy",
	    "quiesce", "resume", "complete", "converge", "converge", "verify" };
	struct json_object	*p = json_object_new_object();
	const char		*phase = phases[t / 2 < 15 ? t / 2 : 14];
	double			 left = t < 18 ? 512.0 - 30 * t : 0;

	json_object_object_add(p, "job", json_object_new_uint64(j->id));
	json_object_object_add(p, "guest", json_object_new_string(g->name));
	json_object_object_add(p, "phase", json_object_new_string(phase));
	json_object_object_add(p, "pass", json_object_new_int(t < 4 ? 0 :
	    t < 18 ? (t - 4) / 4 + 1 : 4));
	json_object_object_add(p, "sent_mib", json_object_new_double(512 - left));
	json_object_object_add(p, "left_mib", json_object_new_double(left));
	json_object_object_add(p, "rate_mibs", json_object_new_double(2150));
	json_object_object_add(p, "eta_ms", json_object_new_int((30 - t) *
	    DEMO_TICK_MS));
	if (t >= 20) {
		json_object_object_add(p, "quiesce_ms", json_object_new_int(6));
		json_object_object_add(p, "downtime_ms", json_object_new_int(
		    g->hsi ? 14 : 8));
	}
	if (t >= 28)
		json_object_object_add(p, "convergence_ms",
		    json_object_new_int(48));
	return p;
}

static void
demo_move_end(struct demo_run *r, size_t k, bool cancelled)
{
	struct demo_guest	*g = &demo.g[r->idx[k]];
	const struct console_stdmetrics *m = console_stdmetrics(demo.c);
	struct json_object	*p = json_object_new_object();
	char			 text[128];

	g->moving = false;
	if (!cancelled)
		g->member = r->to[k];
	json_object_object_add(p, "job", json_object_new_uint64(r->job->id));
	json_object_object_add(p, "guest", json_object_new_string(g->name));
	json_object_object_add(p, "phase", json_object_new_string(
	    cancelled ? "CANCELLED" : "DONE"));
	json_object_object_add(p, "routecheck", json_object_new_string(
	    cancelled ? "-" : "ok"));
	json_object_object_add(r->job->moves, g->name, json_object_get(p));
	console_publish(demo.c, "progress", p);
	json_object_put(p);
	metric_inc(m->relocations, cancelled ? "CANCELLED" : "DONE", 1);
	if (!cancelled) {
		metric_observe(m->duration, NULL, 1.2);
		metric_observe(m->quiesce, NULL, 0.006);
		metric_observe(m->downtime, NULL, g->hsi ? 0.014 : 0.008);
		metric_observe(m->convergence, NULL, 0.048);
		r->job->done++;
	} else
		r->job->cancelled++;
	snprintf(text, sizeof(text), "%s %s to %s", g->name, cancelled ?
	    "stays on its member: cancelled before moving" : "relocated",
	    r->to[k]);
	demo_event(cancelled ? "move_cancelled" : "move_done", g->name, text);
}

static void
demo_wave(struct demo_run *r, size_t from, size_t to)
{
	for (int t = 0; t < 30; t++) {
		pthread_mutex_lock(&demo.lock);
		for (size_t k = from; k < to; k++) {
			struct demo_guest *g = &demo.g[r->idx[k]];
			struct json_object *p;

			if (!g->moving)
				continue;
			if ((g->cancel || r->job->cancel) && t < 20) {
				demo_move_end(r, k, true);
				continue;
			}
			p = demo_progress(r->job, g, t);
			json_object_object_add(r->job->moves, g->name,
			    json_object_get(p));
			console_publish(demo.c, "progress", p);
			json_object_put(p);
		}
		pthread_mutex_unlock(&demo.lock);
		demo_sleep_ms(DEMO_TICK_MS);
	}
	pthread_mutex_lock(&demo.lock);
	for (size_t k = from; k < to; k++)
		if (demo.g[r->idx[k]].moving)
			demo_move_end(r, k, false);
	console_publish(demo.c, "cluster", r->job->moves);
	pthread_mutex_unlock(&demo.lock);
}

static void *
demo_job_run(void *arg)
{
	struct demo_run		*r = arg;
	struct json_object	*o;
	unsigned		 par = r->parallel ? r->parallel : 1;

	for (size_t w = 0; w < r->n; w += par)
		demo_wave(r, w, w + par < r->n ? w + par : r->n);
	pthread_mutex_lock(&demo.lock);
	r->job->state = r->job->cancelled ? "CANCELLED" : "DONE";
	r->job->ended = time(NULL);
	demo_event("job_end", NULL, r->job->state);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_uint64(r->job->id));
	json_object_object_add(o, "state", json_object_new_string(
	    r->job->state));
	console_publish(demo.c, "job", o);
	json_object_put(o);
	pthread_mutex_unlock(&demo.lock);
	free(r);
	return NULL;
}

static int
demo_evacuate(void *arg, const struct console_evac *ev,
    const struct console_actor *who, uint64_t *job, struct console_err *err)
{
	struct demo_run	*r;
	struct demo_job	*j;
	pthread_t	 t;

	(void)arg;
	(void)who;
	if (demo_evac_check(ev, err) == -1 || (r = calloc(1, sizeof(*r))) ==
	    NULL)
		return -1;
	pthread_mutex_lock(&demo.lock);
	for (size_t i = 0; i < DEMO_GUESTS; i++) {
		struct demo_guest *g = &demo.g[i];

		if (demo_selected(g, ev) && !g->moving &&
		    strcmp(demo_dest(g, ev), g->member) != 0) {
			r->idx[r->n] = i;
			r->to[r->n++] = demo_dest(g, ev);
			g->moving = true;
			g->cancel = false;
		}
	}
	if (r->n == 0 || demo.njobs == 16) {
		pthread_mutex_unlock(&demo.lock);
		free(r);
		err->status = 409;
		snprintf(err->text, sizeof(err->text), "nothing of %s to move",
		    ev->workload);
		return -1;
	}
	j = r->job = &demo.jobs[demo.njobs++];
	j->id = demo.njobs;
	snprintf(j->workload, sizeof(j->workload), "%s", ev->workload);
	snprintf(j->to, sizeof(j->to), "%s", ev->to ? ev->to : "");
	j->state = "RUNNING";
	j->started = time(NULL);
	j->moves = json_object_new_object();
	r->parallel = ev->parallel;
	*job = j->id;
	demo_event("job_start", NULL, "evacuation started");
	console_publish(demo.c, "cluster", j->moves);
	pthread_mutex_unlock(&demo.lock);
	pthread_create(&t, NULL, demo_job_run, r);
	pthread_detach(t);
	return 0;
}

static int
demo_cancel(void *arg, const struct console_cancel *what,
    const struct console_actor *who, struct console_err *err)
{
	int	rc = -1;

	(void)arg;
	(void)who;
	pthread_mutex_lock(&demo.lock);
	for (size_t i = 0; i < demo.njobs; i++)
		if (what->guest == NULL && demo.jobs[i].id == what->job) {
			demo.jobs[i].cancel = true;
			rc = 0;
		}
	for (size_t i = 0; i < DEMO_GUESTS; i++)
		if (what->guest != NULL && strcmp(demo.g[i].name,
		    what->guest) == 0 && demo.g[i].moving) {
			demo.g[i].cancel = true;
			rc = 0;
		}
	pthread_mutex_unlock(&demo.lock);
	if (rc == -1) {
		err->status = 404;
		snprintf(err->text, sizeof(err->text), "nothing running to "
		    "cancel there");
	}
	return rc;
}

static struct json_object *
demo_job_json(const struct demo_job *j)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*counts = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_uint64(j->id));
	json_object_object_add(o, "workload", json_object_new_string(
	    j->workload));
	json_object_object_add(o, "state", json_object_new_string(j->state));
	json_object_object_add(o, "started", json_object_new_int64(j->started));
	if (j->ended)
		json_object_object_add(o, "ended", json_object_new_int64(
		    j->ended));
	json_object_object_add(counts, "done", json_object_new_int(j->done));
	json_object_object_add(counts, "cancelled", json_object_new_int(
	    j->cancelled));
	json_object_object_add(o, "counts", counts);
	return o;
}

static struct json_object *
demo_jobs(void *arg, struct console_err *err)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*a = json_object_new_array();

	(void)arg;
	(void)err;
	pthread_mutex_lock(&demo.lock);
	for (size_t i = 0; i < demo.njobs; i++)
		json_object_array_add(a, demo_job_json(&demo.jobs[i]));
	pthread_mutex_unlock(&demo.lock);
	json_object_object_add(o, "jobs", a);
	return o;
}

static struct json_object *
demo_report(void *arg, uint64_t id, struct console_err *err)
{
	struct json_object	*o, *moves;

	(void)arg;
	pthread_mutex_lock(&demo.lock);
	if (id == 0 || id > demo.njobs) {
		pthread_mutex_unlock(&demo.lock);
		err->status = 404;
		snprintf(err->text, sizeof(err->text), "job %llu: no such job",
		    (unsigned long long)id);
		return NULL;
	}
	o = json_object_new_object();
	moves = json_object_new_array();
	json_object_object_foreach(demo.jobs[id - 1].moves, k, v) {
		(void)k;
		json_object_array_add(moves, json_object_get(v));
	}
	json_object_object_add(o, "job", demo_job_json(&demo.jobs[id - 1]));
	json_object_object_add(o, "moves", moves);
	pthread_mutex_unlock(&demo.lock);
	return o;
}

static struct json_object *
demo_history(void *arg, const char *guest, struct console_err *err)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*a = json_object_new_array();

	(void)arg;
	(void)err;
	pthread_mutex_lock(&demo.lock);
	for (size_t i = 0; i < demo.njobs; i++) {
		json_object_object_foreach(demo.jobs[i].moves, k, v)
			if (guest == NULL || strcmp(k, guest) == 0)
				json_object_array_add(a, json_object_get(v));
	}
	pthread_mutex_unlock(&demo.lock);
	json_object_object_add(o, "moves", a);
	return o;
}

/* Records after since, under key, from the array list. */
static struct json_object *
demo_since(struct json_object *list, const char *key, uint64_t since)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*a = json_object_new_array();

	pthread_mutex_lock(&demo.lock);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i), *id;

		json_object_object_get_ex(e, "id", &id);
		if ((uint64_t)json_object_get_int64(id) > since)
			json_object_array_add(a, json_object_get(e));
	}
	pthread_mutex_unlock(&demo.lock);
	json_object_object_add(o, key, a);
	return o;
}

static struct json_object *
demo_events(void *arg, uint64_t since, struct console_err *err)
{
	(void)arg;
	(void)err;
	return demo_since(demo.events, "events", since);
}

static struct json_object *
demo_audit_read(void *arg, uint64_t since, struct console_err *err)
{
	(void)arg;
	(void)err;
	return demo_since(demo.audit, "audit", since);
}

static void
demo_audit(void *arg, const struct console_actor *who, const char *action,
    const char *args, int status, const char *text)
{
	struct json_object	*a = json_object_new_object();

	(void)arg;
	pthread_mutex_lock(&demo.lock);
	json_object_object_add(a, "id", json_object_new_uint64(
	    demo.next_audit++));
	json_object_object_add(a, "time", json_object_new_int64(time(NULL)));
	json_object_object_add(a, "role", json_object_new_string(
	    who->role == CONSOLE_OPERATOR ? "operator" : "viewer"));
	json_object_object_add(a, "session", json_object_new_string(
	    who->session));
	json_object_object_add(a, "action", json_object_new_string(action));
	json_object_object_add(a, "args", json_object_new_string(args));
	json_object_object_add(a, "status", json_object_new_int(status));
	json_object_object_add(a, "result", json_object_new_string(text));
	json_object_array_add(demo.audit, a);
	console_publish(demo.c, "audit", a);
	pthread_mutex_unlock(&demo.lock);
}

static struct json_object *
demo_routecheck(void *arg, struct console_err *err)
{
	static const char *const routers[] = { "ABR", "ECMSS00", "LITSHA22",
	    "LITDCON1", "LITSWAS1", "LITDAT01" };
	struct json_object	*o = json_object_new_object();
	struct json_object	*a = json_object_new_array();

	(void)arg;
	(void)err;
	for (size_t i = 0; i < sizeof(routers) / sizeof(routers[0]); i++) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "router", json_object_new_string(
		    routers[i]));
		json_object_object_add(r, "checked", json_object_new_int64(
		    demo.checked));
		json_object_object_add(r, "violations", json_object_new_array());
		json_object_array_add(a, r);
	}
	json_object_object_add(o, "routers", a);
	return o;
}

static int
demo_routecheck_run(void *arg, const struct console_actor *who,
    struct console_err *err)
{
	struct json_object	*o = json_object_new_object();

	(void)arg;
	(void)who;
	(void)err;
	demo.checked = time(NULL);
	console_publish(demo.c, "routecheck", o);
	json_object_put(o);
	return 0;
}

static void
demo_collect(void *arg, struct console *c)
{
	const struct console_stdmetrics *m = console_stdmetrics(c);
	unsigned	 moving = 0, running = 0;

	(void)arg;
	pthread_mutex_lock(&demo.lock);
	for (size_t k = 0; k < 2; k++) {
		unsigned	n = 0;

		for (size_t i = 0; i < DEMO_GUESTS; i++)
			n += strcmp(demo.g[i].member, demo_members[k]) == 0;
		metric_set(m->member_up, demo_members[k], 1);
		metric_set(m->guests, demo_members[k], n);
	}
	for (size_t i = 0; i < DEMO_GUESTS; i++)
		moving += demo.g[i].moving;
	for (size_t i = 0; i < demo.njobs; i++)
		running += strcmp(demo.jobs[i].state, "RUNNING") == 0;
	pthread_mutex_unlock(&demo.lock);
	metric_set(m->guests_moving, NULL, moving);
	metric_set(m->evacuation_running, NULL, running);
	metric_set(m->routecheck_violations, "LITDCON1", 0);
	metric_set(m->directory_up, "sqlite", 1);
	metric_set(m->directory_latency, "sqlite", 0.0003);
}

static const struct console_provider demo_provider = {
	.cluster = demo_cluster,
	.plan = demo_plan,
	.evacuate = demo_evacuate,
	.cancel = demo_cancel,
	.jobs = demo_jobs,
	.report = demo_report,
	.history = demo_history,
	.events = demo_events,
	.audit_read = demo_audit_read,
	.routecheck = demo_routecheck,
	.routecheck_run = demo_routecheck_run,
	.audit = demo_audit,
	.collect = demo_collect,
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: console_demo [-a address] [-p port] "
	    "[-r viewer|operator]...\n");
}

int
main(int argc, char *argv[])
{
	struct console_options	 o;
	enum console_role	 roles[8];
	size_t			 nroles = 0;
	char			 url[256], line[16];
	sigset_t		 set;
	int			 ch;

	console_options_init(&o);
	while ((ch = getopt(argc, argv, "a:hp:r:")) != -1) {
		switch (ch) {
		case 'a':
			o.address = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 'r':
			if (nroles == 8 || (strcmp(optarg, "viewer") != 0 &&
			    strcmp(optarg, "operator") != 0)) {
				usage(stderr);
				return 1;
			}
			roles[nroles++] = strcmp(optarg, "viewer") == 0 ?
			    CONSOLE_VIEWER : CONSOLE_OPERATOR;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (nroles == 0)
		roles[nroles++] = CONSOLE_OPERATOR;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	demo.events = json_object_new_array();
	demo.audit = json_object_new_array();
	demo.checked = time(NULL);
	if ((demo.c = console_new(&o, &demo_provider, NULL)) == NULL ||
	    console_start(demo.c) == -1) {
		fprintf(stderr, "console_demo: %s:%u: %s\n", o.address,
		    (unsigned)o.port, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < nroles; i++) {
		if (console_url(demo.c, roles[i], url, sizeof(url)) == -1) {
			fprintf(stderr, "console_demo: url: %s\n",
			    strerror(errno));
			return 1;
		}
		printf("%s\n", url);
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL)
		;
	console_free(demo.c);
	return 0;
}
