/*
 * stats.c: the probe engine's statistics per flow: sent, answered and
 * lost probes, the longest run of losses, the longest gap and the
 * largest round trip (probe.h says how each is counted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "probe_priv.h"

int
probe_flow_grow(struct probe_flow *f)
{
	uint32_t	 cap = f->cap ? f->cap * 2 : 1024;
	double		*s;
	uint8_t		*ok;

	if ((s = realloc(f->sent_ms, cap * sizeof(*s))) == NULL)
		return -1;
	f->sent_ms = s;
	if ((ok = realloc(f->ok, cap)) == NULL)
		return -1;
	memset(ok + f->cap, 0, cap - f->cap);
	f->ok = ok;
	f->cap = cap;
	return 0;
}

int
probe_flow_next(struct probe *p, size_t i, struct probe_pkt *pkt)
{
	struct probe_flow	*f = &p->flows[i];
	int			 rc = 0;

	pthread_mutex_lock(&p->lock);
	if (f->sent == f->cap && probe_flow_grow(f) == -1)
		rc = -1;
	pkt->magic = htonl(PROBE_MAGIC);
	pkt->flow = htonl((uint32_t)i);
	pkt->seq = htonl(f->sent);
	pkt->pad = 0;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void
probe_flow_sent(struct probe *p, struct probe_flow *f)
{
	pthread_mutex_lock(&p->lock);
	f->sent_ms[f->sent] = probe_now();
	f->sent++;
	pthread_mutex_unlock(&p->lock);
}

/* The wait of the oldest unanswered probe, ended now: the longest? */
static void
probe_flow_gap(struct probe_flow *f, double now)
{
	if (now - f->sent_ms[f->next] > f->gap_ms) {
		f->gap_ms = now - f->sent_ms[f->next];
		f->gap_at = f->sent_ms[f->next];
	}
}

/* Close the current run of unanswered probes [f->next, upto). */
void
probe_flow_run_end(struct probe_flow *f, uint32_t upto, double now)
{
	uint32_t	lost = 0;

	if (f->next >= upto)
		return;
	probe_flow_gap(f, now);
	for (uint32_t s = f->next; s < upto && !f->ok[s]; s++)
		lost++;
	if (lost > f->lost_run)
		f->lost_run = lost;
}

/*
 * An answer to seq.  Probes before it still unanswered end their wait
 * here (lost, unless their answer is merely late): the gap is measured
 * from the oldest of them, and they no longer hold the gap open.
 */
void
probe_flow_answer(struct probe_flow *f, uint32_t seq, double now)
{
	double	rtt;

	if (seq >= f->sent || f->ok[seq])
		return;
	rtt = now - f->sent_ms[seq];
	if (rtt > f->rtt_ms)
		f->rtt_ms = rtt;
	if (seq >= f->next) {
		probe_flow_gap(f, now);
		if (seq > f->next)
			probe_flow_run_end(f, seq, now);
		f->next = seq + 1;
	}
	f->ok[seq] = 1;
	f->answered++;
	while (f->next < f->sent && f->ok[f->next])
		f->next++;
}

void
probe_finish(struct probe *p)
{
	double	now = probe_now();

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nflows; i++)
		probe_flow_run_end(&p->flows[i], p->flows[i].sent, now);
	p->t_end = now;
	pthread_mutex_unlock(&p->lock);
}

/* Every probe sent so far answered: nothing left to wait for. */
bool
probe_all_answered(struct probe *p)
{
	bool	all = true;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nflows && all; i++)
		all = p->flows[i].next == p->flows[i].sent;
	pthread_mutex_unlock(&p->lock);
	return all;
}

/* Under p->lock.  While running, probes younger than the grace time
 * are not counted as lost yet. */
static void
probe_stats_fill(struct probe *p, const struct probe_flow *f,
    struct probe_stats *st)
{
	double		now = p->running ? probe_now() : p->t_end;
	uint32_t	pending = 0;

	memset(st, 0, sizeof(*st));
	snprintf(st->from, sizeof(st->from), "%s", f->from.guest);
	snprintf(st->to, sizeof(st->to), "%s", f->to.guest);
	st->vipa = f->to.vipa;
	st->sent = f->sent;
	st->answered = f->answered;
	for (uint32_t s = f->sent; s > f->next && p->running; s--)
		if (!f->ok[s - 1] && now - f->sent_ms[s - 1] < p->o.grace_ms)
			pending++;
	st->lost = f->sent - f->answered - pending;
	st->lost_run = f->lost_run;
	st->longest_gap_ms = f->gap_ms;
	st->longest_gap_at = f->gap_at;
	st->max_rtt_ms = f->rtt_ms;
	st->tcp = f->tcp;
	st->resets = f->resets;
}

int
probe_stats_get(struct probe *p, size_t i, struct probe_stats *st)
{
	if (i >= p->nflows) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	probe_stats_fill(p, &p->flows[i], st);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void
probe_sum(struct probe *p, bool tcp, struct probe_stats *tot)
{
	struct probe_stats	st;

	memset(tot, 0, sizeof(*tot));
	tot->tcp = tcp;
	for (size_t i = 0; i < p->nflows; i++) {
		probe_stats_get(p, i, &st);
		if (st.tcp != tcp)
			continue;
		tot->sent += st.sent;
		tot->answered += st.answered;
		tot->lost += st.lost;
		tot->resets += st.resets;
		if (st.lost_run > tot->lost_run)
			tot->lost_run = st.lost_run;
		if (st.longest_gap_ms > tot->longest_gap_ms) {
			tot->longest_gap_ms = st.longest_gap_ms;
			tot->longest_gap_at = st.longest_gap_at;
		}
		if (st.max_rtt_ms > tot->max_rtt_ms)
			tot->max_rtt_ms = st.max_rtt_ms;
	}
}

void
probe_total(struct probe *p, struct probe_stats *tot)
{
	probe_sum(p, false, tot);
}

void
probe_total_tcp(struct probe *p, struct probe_stats *tot)
{
	probe_sum(p, true, tot);
}

/* t0: the probe's start (probe_now), for when the longest gap began. */
static struct json_object *
probe_stats_json(const struct probe_stats *st, double t0)
{
	struct json_object	*o = json_object_new_object();

	if (st->from[0] != '\0') {
		json_object_object_add(o, "from",
		    json_object_new_string(st->from));
		json_object_object_add(o, "to", json_object_new_string(st->to));
		json_object_object_add(o, "vipa",
		    json_object_new_string(inet_ntoa(st->vipa)));
	}
	json_object_object_add(o, "sent", json_object_new_int64(
	    (int64_t)st->sent));
	json_object_object_add(o, "answered", json_object_new_int64(
	    (int64_t)st->answered));
	json_object_object_add(o, "lost", json_object_new_int64(
	    (int64_t)st->lost));
	json_object_object_add(o, "lost_run", json_object_new_int64(
	    (int64_t)st->lost_run));
	json_object_object_add(o, "longest_gap_ms",
	    json_object_new_double(st->longest_gap_ms));
	if (st->longest_gap_ms > 0)
		json_object_object_add(o, "longest_gap_at_ms",
		    json_object_new_double(st->longest_gap_at - t0));
	json_object_object_add(o, "max_rtt_ms",
	    json_object_new_double(st->max_rtt_ms));
	if (st->tcp) {
		json_object_object_add(o, "resets", json_object_new_int64(
		    (int64_t)st->resets));
		json_object_object_add(o, "longest_stall_ms",
		    json_object_new_double(st->longest_gap_ms));
	}
	return o;
}

struct json_object *
probe_json(struct probe *p)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*arr = json_object_new_array();
	struct json_object	*tcp = json_object_new_array();
	struct probe_stats	 st;
	double			 end = p->running ? probe_now() : p->t_end;

	json_object_object_add(o, "lab", json_object_new_string(p->lab));
	json_object_object_add(o, "interval_ms",
	    json_object_new_int((int)p->o.interval_ms));
	json_object_object_add(o, "duration_ms",
	    json_object_new_double(p->t0 > 0 ? end - p->t0 : 0));
	json_object_object_add(o, "started_monotonic_ms",
	    json_object_new_double(p->t0));
	for (size_t i = 0; i < p->nflows; i++) {
		probe_stats_get(p, i, &st);
		json_object_array_add(st.tcp ? tcp : arr,
		    probe_stats_json(&st, p->t0));
	}
	json_object_object_add(o, "pairs", arr);
	probe_total(p, &st);
	json_object_object_add(o, "total", probe_stats_json(&st, p->t0));
	if (json_object_array_length(tcp) == 0) {
		json_object_put(tcp);
		return o;
	}
	json_object_object_add(o, "tcp", tcp);
	probe_total_tcp(p, &st);
	json_object_object_add(o, "tcp_total", probe_stats_json(&st, p->t0));
	return o;
}
