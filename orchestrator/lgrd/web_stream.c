/*
 * web_stream.c: what goes to the console's stream (Server-Sent Events):
 * the progress of each move and its end (move and runner threads call
 * web_progress, web_move_end, web_job), and from the watch thread new
 * events, audit records and residency changes.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "web.h"

#define WEB_WATCH_MS	300		/* events, audit, residency */

static struct json_object *
web_progress_json(const struct job *j, const struct move *m)
{
	struct json_object	*o = json_object_new_object();
	const struct {
		const char	*key;
		double		 ms;
	}			 times[] = { { "quiesce_ms", m->quiesce_ms },
				    { "downtime_ms", m->downtime_ms },
				    { "convergence_ms", m->converge_ms } };

	json_object_object_add(o, "job", json_object_new_int64(j->id));
	web_add_str(o, "guest", m->guest);
	web_add_str(o, "from", m->src);
	web_add_str(o, "to", m->dst);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		web_add_ms(o, times[i].key, times[i].ms);
	if (m->routecheck[0] != '\0')
		web_add_str(o, "routecheck", m->routecheck);
	return o;
}

/* The hypervisor's pass, MiB sent and left, rate and ETA. */
static void
web_progress_hv(struct json_object *o, const struct hv_progress *p)
{
	double	s = (double)(clock_wall_ms() - p->started_ms) / 1000.0;
	double	rate = s > 0 ? p->sent_mib / s : 0;

	json_object_object_add(o, "pass", json_object_new_int(p->pass));
	json_object_object_add(o, "sent_mib", json_object_new_double(
	    p->sent_mib));
	json_object_object_add(o, "left_mib", json_object_new_double(
	    p->left_mib));
	json_object_object_add(o, "rate_mibs", json_object_new_double(rate));
	if (rate > 0)
		web_add_ms(o, "eta_ms", p->left_mib / rate * 1000.0);
}

void
web_progress(struct lgrd *d, const struct job *j, const struct move *m,
    const struct hv_progress *p)
{
	struct json_object	*o;
	char			 phase[16];

	if (d->web == NULL)
		return;
	o = web_progress_json(j, m);
	snprintf(phase, sizeof(phase), "%s", p != NULL ? p->phase :
	    lgrd_step_name(m->step));
	web_lower(phase);
	web_add_str(o, "phase", phase);
	if (p != NULL)
		web_progress_hv(o, p);
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

void
web_move_end(struct lgrd *d, const struct job *j, const struct move *m)
{
	struct json_object	*o;
	const char		*end = web_end_code(m);

	if (d->web == NULL)
		return;
	web_metrics_move(d->web, m, end);
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

static int64_t
web_last_id(sqlite3 *db, const char *table)
{
	char	sql[64];
	int64_t	id = 0;

	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s",
	    table);
	return journal_int(db, &id, sql, "") == 1 ? id : 0;
}

/* "cluster" when the residency differs from was (then updated). */
static void
web_watch_residency(struct web *w, struct hv *h, char *was, size_t len)
{
	struct json_object	*o;
	char			 now[4096];

	web_residency(h, now, sizeof(now));
	if (now[0] == '\0' || strcmp(now, was) == 0)
		return;
	o = json_object_new_object();
	console_publish(w->c, "cluster", o);
	json_object_put(o);
	snprintf(was, len, "%s", now);
}

void *
web_watch(void *arg)
{
	struct web	*w = arg;
	struct lgrd	*d = w->d;
	int64_t		 ev = web_last_id(d->db, "events");
	int64_t		 au = web_last_id(d->db, "audit");
	char		 was[4096];
	struct hv	*h = hv_open(d);	/* this thread's */

	web_residency(h, was, sizeof(was));
	while (!atomic_load(&w->quit)) {
		web_sleep(w, WEB_WATCH_MS);
		web_publish_rows(w, "event", web_log_events(d, ev), &ev);
		web_publish_rows(w, "audit", web_log_audit(d, au), &au);
		web_watch_residency(w, h, was, sizeof(was));
	}
	hv_close(h);
	return NULL;
}
