/*
 * web_jobs.c: the console's Evacuate and History pages: the dry-run
 * plan, evacuations and cancels through the control socket's own paths
 * (evac_plan, evac_begin, evac_cancel), the jobs with their counts,
 * reports as lgrctl prints them, and per-guest history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "web.h"

#define WEB_JOBS_MAX	50	/* jobs on the History page */

/* A job's and its counts, as the journal has them; the times in s. */
static const char *const web_job_keys[] = { "id", "kind", "workload",
	"state", "who", NULL };
static const char *const web_count_keys[] = { "moved", "attempted", NULL };
static const struct web_field web_job_times[] = {
	{ "started", "started_ms", WEB_SEC },
	{ "ended", "ended_ms", WEB_SEC },
	{ NULL, NULL, WEB_STR },
};

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

/*
 * The waves as the runner makes them (each move's wave number, the plan's
 * own: lgrctl evacuate --dry-run shows the same), each a list of guest
 * names; the predicted time adds up each wave's (evac_plan_wave).
 */
static struct json_object *
web_plan_json(struct lgrd *d, const struct job *j)
{
	struct json_object	*guests = json_object_new_array(), *o, *names;
	struct json_object	*waves = json_object_new_array();
	struct hv		*h = hv_open(d);
	double			 total = 0;

	for (unsigned w = 1; w <= j->waves; w++) {
		o = evac_plan_wave(d, j, (int)w);
		total += lgrd_row_num(o, "predicted_ms", 0);
		json_object_put(o);
		names = json_object_new_array();
		for (size_t i = 0; i < j->nmoves; i++)
			if (j->moves[i].seq == (int)w)
				json_object_array_add(names,
				    json_object_new_string(j->moves[i].guest));
		json_object_array_add(waves, names);
	}
	for (size_t i = 0; i < j->nmoves; i++) {
		o = evac_plan_row(d, h, &j->moves[i]);
		web_add_str(o, "name", j->moves[i].guest);
		json_object_array_add(guests, o);
	}
	hv_close(h);
	o = web_wrap("waves", waves);
	json_object_object_add(o, "guests", guests);
	web_add_ms(o, "predicted_ms", total);
	json_object_object_add(o, "parallel", json_object_new_int(
	    (int)j->parallel));
	if (j->parallel_why[0] != '\0')
		web_add_str(o, "parallel_why", j->parallel_why);
	return o;
}

struct json_object *
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

int
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

int
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

static struct json_object *
web_job_row(struct json_object *r)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*counts = json_object_new_object();

	web_copy(o, r, web_job_keys);
	web_fields(o, r, web_job_times);
	web_copy(counts, r, web_count_keys);
	json_object_object_add(counts, "not moved", json_object_new_int64(
	    (int64_t)lgrd_row_num(r, "not_moved", 0)));
	json_object_object_add(o, "counts", counts);
	return o;
}

struct json_object *
web_jobs(void *arg, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct json_object	*ids, *a = json_object_new_array(), *row;

	(void)err;
	ids = journal_jobs_recent(d->db, WEB_JOBS_MAX);
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
struct json_object *
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

struct json_object *
web_history(void *arg, const char *guest, struct console_err *err)
{
	struct lgrd	*d = arg;

	if (guest != NULL && topo_guest_find(d->topo, guest) == -1) {
		web_err(err, 404, "unknown guest %s", guest);
		return NULL;
	}
	return web_wrap("moves", journal_history(d->db, guest ? guest : ""));
}
