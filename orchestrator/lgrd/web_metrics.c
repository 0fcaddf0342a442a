/*
 * web_metrics.c: the lgr_* metrics of /metrics (console_stdmetrics):
 * at each scrape the members up, guests per member, the directory's
 * health (through hvd) and what runs and moves; at the end of each move
 * the relocations by end code and, when it moved, its times.
 */
#include <string.h>

#include <json-c/json.h>

#include "web.h"

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

static double
web_guests_on(struct json_object *guests, const char *member)
{
	double	n = 0;

	for (size_t k = 0; k < json_object_array_length(guests); k++)
		n += strcmp(lgrd_row_str(json_object_array_get_idx(guests, k),
		    "member", ""), member) == 0;
	return n;
}

static void
web_collect_members(const struct console_stdmetrics *m,
    struct json_object *members, struct json_object *guests)
{
	metric_clear(m->member_up);
	metric_clear(m->guests);
	for (size_t i = 0; i < json_object_array_length(members); i++) {
		struct json_object	*r = json_object_array_get_idx(members,
					    i);
		const char		*name = lgrd_row_str(r, "name", "?");

		metric_set(m->member_up, name, strcmp(lgrd_row_str(r, "state",
		    ""), "JOINED") == 0);
		metric_set(m->guests, name, web_guests_on(guests, name));
	}
}

/* The directory (through hvd) answers, and how fast. */
void
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
		web_collect_members(m, members, guests);
	json_object_put(members);
	json_object_put(guests);
	metric_set(m->evacuation_running, NULL, (double)evac_running(d));
	metric_set(m->guests_moving, NULL, (double)web_moving(d));
}

static void
web_observe(struct metric *f, double ms)
{
	if (ms >= 0)
		metric_observe(f, NULL, ms / 1000.0);
}

void
web_metrics_move(struct web *w, const struct move *m, const char *end)
{
	const struct console_stdmetrics	*sm = console_stdmetrics(w->c);

	metric_inc(sm->relocations, end, 1);
	if (strcmp(end, "DONE") != 0)
		return;
	web_observe(sm->duration, m->total_ms);
	web_observe(sm->quiesce, m->quiesce_ms);
	web_observe(sm->downtime, m->downtime_ms);
	web_observe(sm->convergence, m->converge_ms);
}
