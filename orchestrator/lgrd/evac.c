/*
 * evac.c: jobs.  An evacuation (or a single relocation) is planned in
 * the main thread, journaled, and run by a runner thread, wave after
 * wave (plan_waves: up to --parallel guests of one workload group).
 * The runner starts one move thread per guest of the wave; the moves
 * keep in step at the wave's barriers (move.c): every HSI guest of the
 * wave is drained at once, the wave relocates (job->parallel hypervisor
 * relocations at once, --parallel clamped by the members' limits), and
 * every guest of the wave completes at once.  The next wave starts when
 * the last move of this one has ended.
 * At start, lgrd takes over every job the journal still shows running.
 *
 * d->jobs (the running jobs) is guarded by d->lock; a job's moves'
 * active and cancel flags and its scheduling counters by job->lock.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"

#define EVAC_DEFAULT_RATE	2048.0	/* MiB/s when history has none */

struct evac_worker {
	struct job	*j;
	struct move	*m;
};

int
evac_residency(struct lgrd *d, struct hv *h, int *residency)
{
	struct json_object	*rows;
	int			 g;

	for (size_t i = 0; i < d->topo->nguests; i++)
		residency[i] = -1;
	if ((rows = hv_guests(h)) == NULL)
		return -1;
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);

		g = topo_guest_find(d->topo, lgrd_row_str(r, "name", ""));
		if (g >= 0)
			residency[g] = topo_member_find(d->topo,
			    lgrd_row_str(r, "member", ""));
	}
	json_object_put(rows);
	return 0;
}

/* The smallest relocation limit of the members so far (0: none). */
struct evac_limit {
	unsigned	 n;
	char		 why[64];	/* "VM9 allows 2 relocations out" */
};

static void
evac_limit_add(struct evac_limit *l, struct json_object *r, const char *key,
    const char *dir)
{
	int	lim = json_object_get_int(json_object_object_get(r, key));

	if (lim <= 0 || (l->n != 0 && (unsigned)lim >= l->n))
		return;
	l->n = (unsigned)lim;
	snprintf(l->why, sizeof(l->why), "%s allows %d relocation%s %s",
	    lgrd_row_str(r, "name", ""), lim, lim == 1 ? "" : "s", dir);
}

/* Joined state and free memory per member; their relocation limits. */
static int
evac_members(struct lgrd *d, struct hv *h, struct plan_member *pm,
    struct evac_limit *limit)
{
	struct json_object	*rows;
	int			 m;

	if ((rows = hv_members(h)) == NULL)
		return -1;
	memset(limit, 0, sizeof(*limit));
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);

		if ((m = topo_member_find(d->topo, lgrd_row_str(r, "name",
		    ""))) < 0)
			continue;
		pm[m].joined = strcmp(lgrd_row_str(r, "state", ""),
		    "JOINED") == 0;
		pm[m].free_mib = json_object_get_int64(json_object_object_get(
		    r, "memory_mib")) - json_object_get_int64(
		    json_object_object_get(r, "used_mib"));
		evac_limit_add(limit, r, "max_out", "out");
		evac_limit_add(limit, r, "max_in", "in");
	}
	json_object_put(rows);
	return 0;
}

static void
evac_move_fill(struct lgrd *d, struct move *m, const struct plan_item *it,
    int seq)
{
	const struct topo	*t = d->topo;

	memset(m, 0, sizeof(*m));
	m->seq = seq;
	snprintf(m->guest, sizeof(m->guest), "%s", t->guests[it->guest].name);
	snprintf(m->src, sizeof(m->src), "%s", t->members[it->src].name);
	snprintf(m->dst, sizeof(m->dst), "%s", t->members[it->dst].name);
	m->hsi = it->hsi;
	m->memory_mib = t->guests[it->guest].memory_mib;
	m->probe_lost = -1;
	m->prepare_ms = m->reloc_ms = m->quiesce_ms = m->downtime_ms = -1;
	m->reloc_wall_ms = -1;
	m->converge_ms = m->complete_ms = m->verify_ms = m->total_ms = -1;
}

static int
evac_plan_error(enum plan_error e)
{
	switch (e) {
	case PLAN_E_WORKLOAD:
		return REPLY_E_NOTFOUND;
	case PLAN_E_EMPTY:
		return REPLY_E_EMPTY;
	case PLAN_E_FROM:
	case PLAN_E_TO:
	case PLAN_E_NODEST:
		return REPLY_E_CONFLICT;
	default:
		return REPLY_E_INTERNAL;
	}
}

static int
evac_member_arg(struct lgrd *d, const char *name, int *idx, int *errcode,
    char *errbuf, size_t len)
{
	*idx = -1;
	if (name[0] == '\0')
		return 0;
	if ((*idx = topo_member_find(d->topo, name)) == -1) {
		*errcode = REPLY_E_NOTFOUND;
		snprintf(errbuf, len, "unknown member %s", name);
		return -1;
	}
	return 0;
}

/* The plan of an evacuation (rq->workload) or a relocation (rq->guest). */
static ssize_t
evac_items(struct lgrd *d, struct hv *h, const struct lgrd_request *rq,
    struct plan_item **items, struct evac_limit *limit, int *errcode,
    char *errbuf, size_t len)
{
	struct plan_input	 in = { .t = d->topo };
	struct plan_member	*pm;
	enum plan_error		 perr;
	int			*res;
	ssize_t			 n = -1;

	pm = calloc(d->topo->nmembers, sizeof(*pm));
	res = calloc(d->topo->nguests, sizeof(int));
	*errcode = REPLY_E_INTERNAL;
	snprintf(errbuf, len, "the hypervisor does not answer");
	if (pm == NULL || res == NULL || evac_residency(d, h, res) == -1 ||
	    evac_members(d, h, pm, limit) == -1)
		goto out;
	in.residency = res;
	in.members = pm;
	in.workload = rq->workload;
	if (evac_member_arg(d, rq->from, &in.from, errcode, errbuf, len) ==
	    -1 || evac_member_arg(d, rq->to, &in.to, errcode, errbuf, len) ==
	    -1)
		goto out;
	if ((n = plan_make(&in, items, &perr, errbuf, len)) == -1)
		*errcode = evac_plan_error(perr);
out:
	free(pm);
	free(res);
	return n;
}

/* A single relocation as a one-item plan. */
static ssize_t
evac_single(struct lgrd *d, struct hv *h, const struct lgrd_request *rq,
    struct plan_item **items, int *errcode, char *errbuf, size_t len)
{
	char	where[LGRD_NAME];
	int	g, to;

	if ((g = topo_guest_find(d->topo, rq->guest)) == -1 ||
	    (to = topo_member_find(d->topo, rq->to)) == -1) {
		*errcode = REPLY_E_NOTFOUND;
		snprintf(errbuf, len, "unknown %s %s", g == -1 ? "guest" :
		    "member", g == -1 ? rq->guest : rq->to);
		return -1;
	}
	if (hv_where(h, rq->guest, where, sizeof(where)) == -1 ||
	    where[0] == '\0') {
		*errcode = REPLY_E_INTERNAL;
		snprintf(errbuf, len, "where guest %s runs is unknown%s%s",
		    rq->guest, hv_error(h)[0] ? ": " : "", hv_error(h));
		return -1;
	}
	if (strcmp(where, rq->to) == 0) {
		*errcode = REPLY_E_EMPTY;
		snprintf(errbuf, len, "guest %s already runs on %s", rq->guest,
		    rq->to);
		return -1;
	}
	if ((*items = calloc(1, sizeof(**items))) == NULL)
		return -1;
	(*items)->guest = g;
	(*items)->src = topo_member_find(d->topo, where);
	(*items)->dst = to;
	(*items)->group = d->topo->guests[g].group;
	(*items)->hsi = topo_guest_has_hsi(&d->topo->guests[g]);
	return 1;
}

static void
evac_job_init(struct lgrd *d, const struct lgrd_request *rq, struct job *j,
    const struct evac_limit *limit)
{
	memset(j, 0, sizeof(*j));
	j->d = d;
	snprintf(j->kind, sizeof(j->kind), "%s", rq->type ==
	    LGRD_REQ_RELOCATE ? "relocate" : "evacuate");
	snprintf(j->workload, sizeof(j->workload), "%s",
	    rq->type == LGRD_REQ_RELOCATE ? rq->guest : rq->workload);
	snprintf(j->src, sizeof(j->src), "%s", rq->from);
	snprintf(j->dst, sizeof(j->dst), "%s", rq->to);
	j->parallel = rq->parallel == CODEC_UNSET ? 1 : (unsigned)rq->parallel;
	/* --wave, else one guest at a time at --parallel 1 (each move on
	 * its own), else LGRD_WAVE_DEFAULT guests. */
	j->wave_size = rq->wave != CODEC_UNSET ? (unsigned)rq->wave :
	    j->parallel == 1 ? 1 : LGRD_WAVE_DEFAULT;
	if (limit->n > 0 && j->parallel > limit->n) {
		snprintf(j->parallel_why, sizeof(j->parallel_why), "%u asked; "
		    "%s", j->parallel, limit->why);
		j->parallel = limit->n;
	}
	j->max_blackhole_ms = rq->max_blackhole_ms == CODEC_UNSET ? -1 :
	    (int64_t)rq->max_blackhole_ms;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
}

int
evac_plan(struct lgrd *d, const struct lgrd_request *rq, struct job *j,
    int *errcode, char *errbuf, size_t len)
{
	struct plan_item	*items = NULL;
	struct evac_limit	 limit = { 0 };
	struct hv		*h;
	ssize_t			 n;

	if ((h = hv_open(d)) == NULL)
		return -1;
	if (rq->type == LGRD_REQ_RELOCATE)
		n = evac_single(d, h, rq, &items, errcode, errbuf, len);
	else
		n = evac_items(d, h, rq, &items, &limit, errcode, errbuf, len);
	hv_close(h);
	if (n == -1)
		return -1;
	evac_job_init(d, rq, j, &limit);
	if ((j->moves = calloc((size_t)n, sizeof(*j->moves))) == NULL) {
		free(items);
		return -1;
	}
	j->waves = (unsigned)plan_waves(items, (size_t)n, j->wave_size);
	for (ssize_t i = 0; i < n; i++)
		evac_move_fill(d, &j->moves[i], &items[i], items[i].wave);
	j->nmoves = (size_t)n;
	free(items);
	return 0;
}

bool
evac_busy(struct lgrd *d, const char *guest)
{
	bool	busy = false;

	pthread_mutex_lock(&d->lock);
	for (struct job *j = d->jobs; j != NULL && !busy; j = j->nextjob)
		for (size_t i = 0; i < j->nmoves && !busy; i++)
			busy = strcmp(j->moves[i].guest, guest) == 0 &&
			    j->moves[i].step != LGRD_STEP_DONE;
	pthread_mutex_unlock(&d->lock);
	return busy;
}

/* Predicted time of a move: the mean of past moves of its kind, or
 * the memory at EVAC_DEFAULT_RATE plus a second for an HSI guest. */
static double
evac_predict(struct lgrd *d, const struct move *m)
{
	int64_t	ms;

	if (journal_move_mean_ms(d->db, m->hsi, &ms) == 1)
		return (double)ms;
	return (double)m->memory_mib / EVAC_DEFAULT_RATE * 1000.0 +
	    (m->hsi ? 1000.0 : 100.0);
}

/* The hypervisor's conflicts as texts "NAME: TEXT" and joined by "; ". */
static struct json_object *
evac_conflicts(struct json_object *rows, char *why, size_t len)
{
	struct json_object	*a = json_object_new_array();
	char			 one[320];
	size_t			 n;

	why[0] = '\0';
	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);

		snprintf(one, sizeof(one), "%s: %s", lgrd_row_str(r, "name",
		    "?"), lgrd_row_str(r, "text", ""));
		json_object_array_add(a, json_object_new_string(one));
		n = strlen(why);
		snprintf(why + n, len - n, "%s%s", n ? "; " : "", one);
	}
	if (rows == NULL) {
		snprintf(why, len, "hvd does not answer");
		json_object_array_add(a, json_object_new_string(why));
	}
	return a;
}

struct json_object *
evac_plan_row(struct lgrd *d, struct hv *h, const struct move *m)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*rows = h ? hv_check(h, m->guest, m->dst) : NULL;
	struct json_object	*conflicts;
	char			 why[512];

	conflicts = evac_conflicts(rows, why, sizeof(why));
	json_object_object_add(o, "guest", json_object_new_string(m->guest));
	json_object_object_add(o, "from", json_object_new_string(m->src));
	json_object_object_add(o, "to", json_object_new_string(m->dst));
	json_object_object_add(o, "hsi", json_object_new_boolean(m->hsi));
	json_object_object_add(o, "eligible", json_object_new_boolean(
	    why[0] == '\0'));
	json_object_object_add(o, "reason", json_object_new_string(why));
	json_object_object_add(o, "conflicts", conflicts);
	json_object_object_add(o, "memory_mib", json_object_new_int64(
	    (int64_t)m->memory_mib));
	json_object_object_add(o, "predicted_ms", json_object_new_double(
	    evac_predict(d, m)));
	json_object_object_add(o, "wave", json_object_new_int(m->seq));
	json_object_put(rows);
	return o;
}

struct json_object *
evac_plan_wave(struct lgrd *d, const struct job *j, int wave)
{
	struct json_object	*o = json_object_new_object();
	unsigned		 n = 0, hsi = 0;
	unsigned		 par = j->parallel ? j->parallel : 1;
	uint64_t		 mib = 0;
	double			 longest = 0, ms;

	for (size_t i = 0; i < j->nmoves; i++) {
		if (j->moves[i].seq != wave)
			continue;
		n++;
		hsi += j->moves[i].hsi;
		mib += j->moves[i].memory_mib;
		ms = evac_predict(d, &j->moves[i]);
		longest = ms > longest ? ms : longest;
	}
	json_object_object_add(o, "wave", json_object_new_int(wave));
	json_object_object_add(o, "waves", json_object_new_int(
	    (int)j->waves));
	json_object_object_add(o, "guests", json_object_new_int((int)n));
	json_object_object_add(o, "hsi_guests", json_object_new_int(
	    (int)hsi));
	json_object_object_add(o, "memory_mib", json_object_new_int64(
	    (int64_t)mib));
	json_object_object_add(o, "parallel", json_object_new_int(
	    (int)(n < par ? n : par)));
	if (j->parallel_why[0] != '\0' && n > j->parallel)
		json_object_object_add(o, "parallel_why",
		    json_object_new_string(j->parallel_why));
	/* The longest move, once per round of relocations. */
	json_object_object_add(o, "predicted_ms", json_object_new_double(
	    longest * (double)((n + par - 1) / par)));
	return o;
}

int
evac_begin(struct lgrd *d, const struct lgrd_request *rq, const char *who,
    struct evac_started *st, int *errcode, char *errbuf, size_t len)
{
	struct job	*j;

	*errcode = REPLY_E_INTERNAL;
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		snprintf(errbuf, len, "out of memory");
		return -1;
	}
	if (evac_plan(d, rq, j, errcode, errbuf, len) == -1) {
		free(j);
		return -1;
	}
	for (size_t i = 0; i < j->nmoves; i++)
		if (evac_busy(d, j->moves[i].guest)) {
			*errcode = REPLY_E_BUSY;
			snprintf(errbuf, len, "guest %s is already being moved "
			    "(lgrctl status)", j->moves[i].guest);
			free(j->moves);
			free(j);
			return -1;
		}
	snprintf(j->who, sizeof(j->who), "%s", who);
	memset(st, 0, sizeof(*st));
	st->guests = j->nmoves;
	st->parallel = j->parallel;
	st->waves = j->waves;
	st->wave_size = j->wave_size;
	snprintf(st->parallel_why, sizeof(st->parallel_why), "%s",
	    j->parallel_why);
	if ((st->id = evac_start(d, j)) == -1) {
		snprintf(errbuf, len, "job could not start (journal)");
		return -1;
	}
	return 0;
}

/* --- running -------------------------------------------------------------- */

static void *
evac_worker(void *arg)
{
	struct evac_worker	*w = arg;
	struct job		*j = w->j;

	move_run(j, w->m);
	move_wave_arrive(j, w->m, LGRD_WAVE_LAST, false);
	pthread_mutex_lock(&j->lock);
	w->m->active = false;
	j->running--;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	free(w);
	return NULL;
}

/* Start move i in its own thread (j->lock held). */
static void
evac_launch(struct job *j, size_t i)
{
	struct evac_worker	*w;
	pthread_t		 t;

	if ((w = malloc(sizeof(*w))) == NULL) {
		snprintf(j->moves[i].reason, sizeof(j->moves[i].reason),
		    "out of memory");
		return;
	}
	w->j = j;
	w->m = &j->moves[i];
	j->moves[i].active = true;
	j->running++;
	if (pthread_create(&t, NULL, evac_worker, w) != 0) {
		j->moves[i].active = false;
		j->running--;
		free(w);
		return;
	}
	pthread_detach(t);
}

/* The moves of wave i's wave not done yet, from move i on (j->lock). */
static unsigned
evac_wave_size(struct job *j, size_t i)
{
	unsigned	n = 0;

	for (size_t k = i; k < j->nmoves && j->moves[k].seq == j->moves[i].seq;
	    k++)
		n += j->moves[k].step != LGRD_STEP_DONE;
	return n;
}

/* Wave after wave: every move of a wave at once; the next wave when the
 * last one has ended. */
static void
evac_schedule(struct job *j)
{
	size_t	i = 0, k;

	pthread_mutex_lock(&j->lock);
	while (i < j->nmoves) {
		j->wave_n = evac_wave_size(j, i);
		memset(j->wave_at, 0, sizeof(j->wave_at));
		free(j->wave_check);
		j->wave_check = NULL;
		j->wave_check_state = 0;
		for (k = i; k < j->nmoves && j->moves[k].seq == j->moves[i].seq;
		    k++) {
			if (j->moves[k].step == LGRD_STEP_DONE)
				continue;
			j->moves[k].wave_phase = 0;
			evac_launch(j, k);
			if (!j->moves[k].active)	/* no thread */
				j->wave_n--;
		}
		while (j->running > 0)
			pthread_cond_wait(&j->cond, &j->lock);
		i = k;
	}
	pthread_mutex_unlock(&j->lock);
}

static void
evac_count(struct job *j)
{
	j->moved = j->not_moved = j->attempted = 0;
	for (size_t i = 0; i < j->nmoves; i++) {
		const struct move	*m = &j->moves[i];

		if (strcmp(m->result, "moved") == 0)
			j->moved++;
		else
			j->not_moved++;
		if (m->hv_id != 0)
			j->attempted++;
	}
}

static void
evac_unlink(struct lgrd *d, struct job *j)
{
	pthread_mutex_lock(&d->lock);
	for (struct job **p = &d->jobs; *p != NULL; p = &(*p)->nextjob)
		if (*p == j) {
			*p = j->nextjob;
			break;
		}
	pthread_mutex_unlock(&d->lock);
}

static void
evac_free(struct job *j)
{
	free(j->wave_check);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->moves);
	free(j);
}

static void *
evac_runner(void *arg)
{
	struct job	*j = arg;
	struct lgrd	*d = j->d;

	evac_schedule(j);
	evac_count(j);
	report_name(d, j);
	journal_job_end(d->db, j, atomic_load(&j->cancel) ? "CANCELLED" :
	    "DONE");
	report_write(d, j);
	web_job(d, j->id, atomic_load(&j->cancel) ? "CANCELLED" : "DONE");
	journal_event(d->db, j->id, NULL, j->not_moved ? "LGR-JOB-PARTIAL" :
	    "LGR-JOB-DONE", "%s %s: %zu moved, %zu not moved, %zu attempted; "
	    "report %s", j->kind, j->workload, j->moved, j->not_moved,
	    j->attempted, j->report);
	evac_unlink(d, j);
	evac_free(j);
	/*
	 * Each move ran in a thread of its own, and glibc keeps what those
	 * threads freed in their arenas: without this lgrd's RSS grew by
	 * about 10 KiB a job (measured: 1000 moves of bench/soak.sh, and
	 * malloc_trim taking back 80 % of it from a running lgrd).
	 */
	malloc_trim(0);
	return NULL;
}

static int
evac_run(struct lgrd *d, struct job *j)
{
	pthread_mutex_lock(&d->lock);
	j->nextjob = d->jobs;
	d->jobs = j;
	pthread_mutex_unlock(&d->lock);
	if (pthread_create(&j->thread, NULL, evac_runner, j) != 0) {
		evac_unlink(d, j);
		return -1;
	}
	pthread_detach(j->thread);
	return 0;
}

/* The new job's id, or -1; the job is the runner's from then on. */
int64_t
evac_start(struct lgrd *d, struct job *j)
{
	int64_t	id;

	if (journal_job_new(d->db, j) == -1)
		return -1;
	for (size_t i = 0; i < j->nmoves; i++)
		if (journal_move_new(d->db, j->id, &j->moves[i]) == -1)
			return -1;
	journal_event(d->db, j->id, NULL, "LGR-JOB-START", "%s %s by %s: %zu "
	    "guest(s) in %u wave(s) of up to %u, parallel %u%s%s%s", j->kind,
	    j->workload, j->who, j->nmoves, j->waves, j->wave_size,
	    j->parallel, j->parallel_why[0] ? " (" : "", j->parallel_why,
	    j->parallel_why[0] ? ")" : "");
	id = j->id;
	web_job(d, id, "RUNNING");
	return evac_run(d, j) == -1 ? -1 : id;
}

static void
evac_resume_job(struct lgrd *d, int64_t id)
{
	struct job	*j;
	size_t		 pending = 0;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    journal_job_load(d->db, id, j) != 1) {
		free(j);
		return;
	}
	j->d = d;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	if (j->parallel == 0)
		j->parallel = 1;
	j->moves = journal_moves_load(d->db, id, &j->nmoves);
	for (size_t i = 0; j->moves != NULL && i < j->nmoves; i++)
		if (j->moves[i].step != LGRD_STEP_DONE) {
			j->moves[i].resumed = true;
			pending++;
		}
	journal_event(d->db, id, NULL, "LGR-JOB-RESUME", "%s %s: taking over "
	    "%zu unfinished guest(s) of %zu", j->kind, j->workload, pending,
	    j->nmoves);
	if (evac_run(d, j) == -1)
		evac_free(j);
}

void
evac_resume(struct lgrd *d)
{
	struct json_object	*rows;

	if ((rows = journal_jobs_running(d->db)) == NULL)
		return;
	for (size_t i = 0; i < json_object_array_length(rows); i++)
		evac_resume_job(d, json_object_get_int64(json_object_object_get(
		    json_object_array_get_idx(rows, i), "id")));
	json_object_put(rows);
}

/* Cancel job id, or the move of guest; 0, or -1 (ENOENT). */
int
evac_cancel(struct lgrd *d, int64_t id, const char *guest)
{
	int	found = 0;

	pthread_mutex_lock(&d->lock);
	for (struct job *j = d->jobs; j != NULL; j = j->nextjob) {
		if (guest == NULL && j->id == id) {
			atomic_store(&j->cancel, true);
			found = 1;
			continue;
		}
		pthread_mutex_lock(&j->lock);
		for (size_t i = 0; guest != NULL && i < j->nmoves; i++)
			if (strcmp(j->moves[i].guest, guest) == 0 &&
			    j->moves[i].step != LGRD_STEP_DONE) {
				j->moves[i].cancel = true;
				found = 1;
			}
		pthread_mutex_unlock(&j->lock);
	}
	pthread_mutex_unlock(&d->lock);
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

size_t
evac_running(struct lgrd *d)
{
	size_t	n = 0;

	pthread_mutex_lock(&d->lock);
	for (struct job *j = d->jobs; j != NULL; j = j->nextjob)
		n++;
	pthread_mutex_unlock(&d->lock);
	return n;
}
