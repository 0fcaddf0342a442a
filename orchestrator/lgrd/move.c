/*
 * move.c: one guest's pipeline (DESIGN section 4):
 *
 *   check -> (HSI guest) agent prepare -> hypervisor relocation ->
 *   agent complete, always, moved or not -> routing convergence from
 *   the plugins' events -> routecheck for the guest -> result.
 *
 * The moves of a wave run at once and keep in step at its barriers
 * (enum lgrd_wave_phase): every guest of the wave prepares, then waits
 * until all have (DRAINED: the peers' SPF runs once for the wave, not
 * once per guest); each relocates when one of the job's job->parallel
 * relocation slots is free, then waits until every relocation of the
 * wave has ended (MOVED); each subscribes to the routers' events, then
 * waits for the others (READY), and every agent of the wave completes
 * at once: one routing change brings the wave up.  A guest whose
 * prepare or relocation failed completes on its source with the rest.
 *
 * Each step is journaled before it is taken.  A move taken over after
 * a restart (m->resumed) starts from what its journaled step implies:
 * before the relocation, the agent is completed (rolled back) and the
 * move starts over; during it, the hypervisor's own relocation is
 * followed to its end; after it, complete, converge and verify run
 * again (complete is idempotent).
 *
 * While the guest moves, lgrd probes its VIPA from a peer and back
 * (probe.h): the longest gap is the move's network downtime.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"
#include "probe.h"

#define MOVE_POLL_US		5000	/* hypervisor's result */
/*
 * Following a relocation: each look is a read of the cluster directory
 * by the source's hvd (on etcd a consensus read on three nodes that
 * share the machine with the copy); the end is seen within this.
 */
#define MOVE_FOLLOW_US		20000
#define MOVE_PROGRESS_MS	250	/* journaled progress, same pass */
#define MOVE_CANCEL_GRACE_MS	30000	/* a cancelled relocation's end */
#define MOVE_PREPARE_RETRY_MS	500	/* an agent whose router is back */

struct move_ctx {
	struct job	*j;
	struct lgrd	*d;
	struct move	*m;
	struct hv	*hv;
	struct probe	*probe;
	int		 gi;		/* guest index */
	bool		 moved;
	double		 t0;
};

static bool
move_cancelled(struct move_ctx *c)
{
	bool	cancel;

	pthread_mutex_lock(&c->j->lock);
	cancel = c->m->cancel;
	pthread_mutex_unlock(&c->j->lock);
	return cancel || atomic_load(&c->j->cancel);
}

static void
move_step(struct move_ctx *c, enum lgrd_step step)
{
	log_debug("%s: %s at +%.1f ms", c->m->guest, lgrd_step_name(step),
	    lgrd_now_ms() - c->t0);
	journal_move_step(c->d->db, c->m, step);
	web_progress(c->d, c->j, c->m, NULL);
}

static void
move_reason(struct move_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
move_reason(struct move_ctx *c, const char *fmt, ...)
{
	va_list	ap;
	size_t	n = strlen(c->m->reason);

	if (n > 0 && n + 2 < sizeof(c->m->reason)) {
		snprintf(c->m->reason + n, sizeof(c->m->reason) - n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->m->reason + n, sizeof(c->m->reason) - n, fmt, ap);
	va_end(ap);
}

/* --- the wave's barriers -------------------------------------------------- */

void
move_wave_arrive(struct job *j, struct move *m, enum lgrd_wave_phase phase,
    bool wait)
{
	pthread_mutex_lock(&j->lock);
	for (; m->wave_phase <= (unsigned)phase; m->wave_phase++)
		j->wave_at[m->wave_phase]++;
	pthread_cond_broadcast(&j->cond);
	while (wait && j->wave_at[phase] < j->wave_n)
		pthread_cond_wait(&j->cond, &j->lock);
	pthread_mutex_unlock(&j->lock);
}

static void
move_wave(struct move_ctx *c, enum lgrd_wave_phase phase)
{
	double	t0 = lgrd_now_ms();

	move_wave_arrive(c->j, c->m, phase, true);
	log_debug("%s: wave %d barrier %d passed at +%.1f ms (waited %.1f)",
	    c->m->guest, c->m->seq, (int)phase, lgrd_now_ms() - c->t0,
	    lgrd_now_ms() - t0);
}

/* One of the job's j->parallel relocation slots: --parallel, clamped by
 * the members' limits (evac.c). */
static void
move_slot_take(struct move_ctx *c)
{
	struct job	*j = c->j;

	pthread_mutex_lock(&j->lock);
	while (j->relocating >= (j->parallel ? j->parallel : 1))
		pthread_cond_wait(&j->cond, &j->lock);
	j->relocating++;
	pthread_mutex_unlock(&j->lock);
}

static void
move_slot_give(struct move_ctx *c)
{
	pthread_mutex_lock(&c->j->lock);
	c->j->relocating--;
	pthread_cond_broadcast(&c->j->cond);
	pthread_mutex_unlock(&c->j->lock);
}

/* --- residency and peers ----------------------------------------------- */

int
move_residency(struct job *j, struct hv *h, const struct move *m,
    int *residency)
{
	if (evac_residency(j->d, h, residency) == -1)
		return -1;
	pthread_mutex_lock(&j->lock);
	for (size_t i = 0; i < j->nmoves; i++) {
		int	g;

		if (&j->moves[i] == m || !j->moves[i].active)
			continue;
		if ((g = topo_guest_find(j->d->topo, j->moves[i].guest)) >= 0)
			residency[g] = -1;
	}
	pthread_mutex_unlock(&j->lock);
	return 0;
}

/* The other HSI guests on the guest's member: the agent's peers. */
static size_t
move_peers(struct move_ctx *c, const int *res, const char **peers,
    size_t max)
{
	const struct topo	*t = c->d->topo;
	size_t			 n = 0;

	for (size_t i = 0; i < t->nguests && n < max; i++)
		if ((int)i != c->gi && res[i] == res[c->gi] &&
		    topo_guest_has_hsi(&t->guests[i]))
			peers[n++] = t->guests[i].name;
	return n;
}

/* Is guest g still to move in this job (not done; not c's own guest)?
 * Such a peer would be stunned or moved while c's probe runs, and its
 * downtime counted as c's. */
static bool
move_pending(struct move_ctx *c, int g)
{
	const char	*name = c->d->topo->guests[g].name;
	bool		 pending = false;

	pthread_mutex_lock(&c->j->lock);
	for (size_t i = 0; i < c->j->nmoves && !pending; i++)
		pending = &c->j->moves[i] != c->m &&
		    c->j->moves[i].step != LGRD_STEP_DONE &&
		    strcmp(c->j->moves[i].guest, name) == 0;
	pthread_mutex_unlock(&c->j->lock);
	return pending;
}

/* A peer to probe from: an HSI peer on the same member, else any guest,
 * neither moving nor still to move in this job; else none (-1). */
static int
move_probe_peer(struct move_ctx *c, const int *res)
{
	const struct topo	*t = c->d->topo;
	int			 any = -1;

	for (size_t i = 0; i < t->nguests; i++) {
		if ((int)i == c->gi || res[i] < 0 || move_pending(c, (int)i))
			continue;
		if (c->m->hsi && topo_guest_has_hsi(&t->guests[i]) &&
		    res[i] == res[c->gi])
			return (int)i;
		if (any == -1)
			any = (int)i;
	}
	return any;
}

/* --- downtime probe ---------------------------------------------------------- */

static void
move_probe_start(struct move_ctx *c, const int *res)
{
	const struct topo	*t = c->d->topo;
	struct probe_opts	 o = { .lab = c->d->lab, .interval_ms = 10,
				    .port = LGRD_PROBE_PORT, .grace_ms = 300,
				    .stun = true };
	struct probe_endpoint	 a, b;
	int			 peer;

	if (!c->d->opts.probe || (peer = move_probe_peer(c, res)) == -1)
		return;
	snprintf(a.guest, sizeof(a.guest), "%s", t->guests[peer].name);
	a.vipa = t->guests[peer].vipa;
	snprintf(b.guest, sizeof(b.guest), "%s", c->m->guest);
	b.vipa = t->guests[c->gi].vipa;
	if ((c->probe = probe_new(&o)) == NULL || probe_add(c->probe, &a,
	    &b) == -1 || probe_add(c->probe, &b, &a) == -1 ||
	    probe_start(c->probe) == -1) {
		log_warnx("%s: no downtime probe: %s", c->m->guest,
		    c->probe ? probe_error(c->probe) : strerror(errno));
		probe_free(c->probe);
		c->probe = NULL;
	}
}

static void
move_probe_stop(struct move_ctx *c)
{
	struct probe_stats	st;

	if (c->probe == NULL)
		return;
	probe_stop(c->probe);
	probe_total(c->probe, &st);
	c->m->downtime_ms = st.longest_gap_ms;
	if (st.longest_gap_ms > 0)
		log_debug("%s: downtime %.1f ms from +%.1f ms (%.1f ms "
		    "monotonic)", c->m->guest, st.longest_gap_ms,
		    st.longest_gap_at - c->t0, st.longest_gap_at);
	c->m->probe_lost = (int64_t)st.lost;
	probe_free(c->probe);
	c->probe = NULL;
}

/* --- the steps --------------------------------------------------------------- */

static bool
move_check(struct move_ctx *c)
{
	struct json_object	*rows;
	char			 err[256];

	move_step(c, LGRD_STEP_CHECK);
	if ((rows = hv_check(c->hv, c->m->guest, c->m->dst)) == NULL) {
		move_reason(c, "hypervisor check failed (hvd not answering)");
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);

		move_reason(c, "%s: %s", json_object_get_string(
		    json_object_object_get(r, "name")), json_object_get_string(
		    json_object_object_get(r, "text")));
	}
	json_object_put(rows);
	if (c->m->reason[0] != '\0')
		return false;
	if (c->m->hsi && agent_ping(c->d, c->m->guest, err, sizeof(err)) ==
	    -1) {
		move_reason(c, "%s", err);
		return false;
	}
	return true;
}

/*
 * The agent refused the prepare as unavailable: its ospfd_lgr did not
 * answer, nothing changed.  An ospfd that was restarted answers again
 * within seconds: ask again, within the prepare's time-out.
 */
static bool
move_prepare_again(struct move_ctx *c, const struct agent_result *r,
    double t0, int *tries)
{
	if (r->code != REPLY_E_UNAVAILABLE || move_cancelled(c) ||
	    lgrd_now_ms() - t0 + MOVE_PREPARE_RETRY_MS >=
	    c->d->opts.prepare_timeout_ms)
		return false;
	if ((*tries)++ == 0)
		journal_event(c->d->db, c->j->id, c->m->guest,
		    "LGR-PREPARE-RETRY", "%s; asked again every %d ms for "
		    "up to %u ms", r->error, MOVE_PREPARE_RETRY_MS,
		    c->d->opts.prepare_timeout_ms);
	usleep(MOVE_PREPARE_RETRY_MS * 1000);
	return true;
}

static bool
move_prepare(struct move_ctx *c, const int *res)
{
	struct agent_result	 r;
	const char		*peers[TOPO_NAME_MAX * 8];
	size_t			 n;
	double			 t0 = lgrd_now_ms();
	int			 tries = 0;

	move_step(c, LGRD_STEP_PREPARE);
	n = move_peers(c, res, peers, sizeof(peers) / sizeof(peers[0]));
	while (agent_prepare(c->d, c->m->guest, peers, n,
	    c->d->opts.prepare_timeout_ms, &r) == -1)
		if (!move_prepare_again(c, &r, t0, &tries)) {
			move_reason(c, "prepare: %s", r.error);
			return false;
		}
	c->m->prepare_ms = r.ms;
	if (r.timed_out)
		journal_event(c->d->db, c->j->id, c->m->guest, "LGR-PREPARE-SLOW",
		    "peers did not move off HiperSockets within %u ms; "
		    "interfaces taken down anyway", c->d->opts.prepare_timeout_ms);
	return true;
}

/*
 * The hypervisor's progress to the journal and the console: at once when
 * its phase or pass changes or the relocation ended, else at most every
 * MOVE_PROGRESS_MS.
 */
static void
move_progress(struct move_ctx *c, const struct hv_progress *p,
    struct hv_progress *shown, double *last)
{
	bool	step = strcmp(p->phase, shown->phase) != 0 ||
	    p->pass != shown->pass || p->end_code[0] != '\0';

	if (!step && (p->sent_mib == shown->sent_mib ||
	    lgrd_now_ms() - *last < MOVE_PROGRESS_MS))
		return;
	*last = lgrd_now_ms();
	*shown = *p;
	snprintf(c->m->progress, sizeof(c->m->progress), "%s pass %d, %.1f "
	    "MiB sent, %.1f MiB left", p->phase, p->pass, p->sent_mib,
	    p->left_mib);
	journal_move_progress(c->d->db, c->m);
	web_progress(c->d, c->j, c->m, p);
}

/*
 * The relocation's history row, written by its source as it ends; p: the
 * journal row that said it ended, whose end stands when no history row
 * comes (a source declared DOWN wrote none: its journal was ended for it).
 */
static void
move_hv_result(struct move_ctx *c, const char *member,
    const struct hv_progress *p)
{
	char	end[16] = "", text[256] = "";
	double	total = -1, quiesce = -1;
	int	rc = 0;

	for (int i = 0; i < 400 && rc == 0; i++)
		if ((rc = hv_result(c->hv, member, c->m->guest, c->m->hv_id,
		    &total, &quiesce, end, sizeof(end), text, sizeof(text))) ==
		    0)
			usleep(MOVE_POLL_US);
	if (rc != 1 && p != NULL) {
		snprintf(end, sizeof(end), "%s", p->end_code);
		snprintf(text, sizeof(text), "%s", p->text);
	}
	c->m->reloc_ms = total;
	c->m->quiesce_ms = quiesce;
	snprintf(c->m->end_code, sizeof(c->m->end_code), "%s", end);
	if (end[0] != '\0' && strcmp(end, "OK") != 0)
		move_reason(c, "relocation ended %s: %s%s", end, text,
		    strcmp(end, "MAXQUIESCE") == 0 && c->j->max_blackhole_ms >=
		    0 ? " (the --max-blackhole budget)" : "");
}

/* Follow the hypervisor's relocation to its end; cancel on request. */
static void
move_follow(struct move_ctx *c)
{
	struct hv_progress	p, shown = { .pass = -1 };
	double			last = 0, now;
	double			end = lgrd_now_ms() +
	    c->d->opts.reloc_timeout_s * 1000.0;
	bool			cancelled = false;
	int64_t			id = 0;

	for (;;) {
		now = lgrd_now_ms();
		if (cancelled && now > end + MOVE_CANCEL_GRACE_MS) {
			move_reason(c, "relocation %jd did not end (hvd of %s "
			    "gone?)", (intmax_t)c->m->hv_id, c->m->src);
			return;
		}
		if (hv_status(c->hv, c->m->src, c->m->guest, &id, &p) == 1 &&
		    id == c->m->hv_id) {
			move_progress(c, &p, &shown, &last);
			if (p.end_code[0] != '\0')
				break;
		}
		if (!cancelled && (move_cancelled(c) || now > end)) {
			hv_cancel(c->hv, c->m->src, c->m->guest);
			cancelled = true;
		}
		usleep(MOVE_FOLLOW_US);
	}
	c->m->progress[0] = '\0';
	journal_move_progress(c->d->db, c->m);
	move_hv_result(c, c->m->src, &p);
}

static bool
move_moved(struct move_ctx *c)
{
	char	where[LGRD_NAME];

	if (hv_where(c->hv, c->m->guest, where, sizeof(where)) == -1)
		return false;
	return strcmp(where, c->m->dst) == 0;
}

static void
move_relocate(struct move_ctx *c)
{
	char	reason[512];
	double	t0 = lgrd_now_ms();
	int64_t	id;

	move_slot_take(c);
	if (move_cancelled(c)) {
		move_slot_give(c);
		return;
	}
	move_step(c, LGRD_STEP_RELOCATE);
	id = hv_relocate(c->hv, c->m->guest, c->m->src, c->m->dst,
	    c->j->max_blackhole_ms, reason, sizeof(reason));
	if (id == -1) {
		move_slot_give(c);
		move_reason(c, "relocation refused: %s", reason);
		return;
	}
	c->m->hv_id = id;
	journal_move_save(c->d->db, c->m);
	journal_event(c->d->db, c->j->id, c->m->guest, "LGR-RELOCATE",
	    "relocation %jd %s -> %s started", (intmax_t)id, c->m->src,
	    c->m->dst);
	move_follow(c);
	move_slot_give(c);
	c->m->reloc_wall_ms = lgrd_now_ms() - t0;
}

static void
move_complete(struct move_ctx *c, const char *const *arriving,
    size_t narriving)
{
	struct agent_result	r;

	move_step(c, LGRD_STEP_COMPLETE);
	if (!c->m->hsi)
		return;
	if (agent_complete(c->d, c->m->guest, arriving, narriving, &r) ==
	    -1) {
		move_reason(c, "complete: %s", r.error);
		journal_event(c->d->db, c->j->id, c->m->guest,
		    "LGR-COMPLETE-FAIL", "%s", r.error);
		return;
	}
	c->m->complete_ms = r.ms;
	journal_event(c->d->db, c->j->id, c->m->guest, "LGR-COMPLETE",
	    "%s up%s", r.up, r.alone ? " (alone on the LAN)" :
	    r.full ? ", adjacency Full" : "");
}

static void
move_converge(struct move_ctx *c, struct converge *cv)
{
	char	reason[512];
	double	ms;

	move_step(c, LGRD_STEP_CONVERGE);
	if (cv == NULL) {
		move_reason(c, "routing events unavailable");
		return;
	}
	ms = converge_wait(cv, c->d->opts.converge_timeout_ms, reason,
	    sizeof(reason));
	if (ms < 0)
		move_reason(c, "routing not converged within %u ms: %s",
		    c->d->opts.converge_timeout_ms, reason);
	c->m->converge_ms = ms;
}

/*
 * The other guests of the job still moving (a thread runs them, not yet
 * at verify).  m is marked at verify under the same lock: of two guests
 * verifying at once the second sees the first settled, so every pair of
 * guests is verified with both settled by the one that verifies last.
 */
static size_t
move_in_flight(struct move_ctx *c, const char **movers, size_t max)
{
	struct job	*j = c->j;
	size_t		 n = 0;

	pthread_mutex_lock(&j->lock);
	c->m->step = LGRD_STEP_VERIFY;
	for (size_t i = 0; i < j->nmoves && n < max; i++)
		if (&j->moves[i] != c->m && j->moves[i].active &&
		    j->moves[i].step < LGRD_STEP_VERIFY)
			movers[n++] = j->moves[i].guest;
	pthread_mutex_unlock(&j->lock);
	return n;
}

/*
 * One routecheck of the whole lab for the wave, run by the first of its
 * moves to get here once every move of the wave has converged (a run
 * collects every router's tables: one for the wave, not one per guest);
 * each move reads its own verdict from it.  -1 when it could not run.
 */
static int
move_wave_check(struct move_ctx *c, const char *const *movers, size_t n,
    char *summary, size_t len)
{
	struct job	*j = c->j;
	char		*out = NULL;
	int		 rc;

	pthread_mutex_lock(&j->lock);
	while (j->wave_check_state == 1)
		pthread_cond_wait(&j->cond, &j->lock);
	if (j->wave_check_state == 0) {
		j->wave_check_state = 1;
		pthread_mutex_unlock(&j->lock);
		rc = verify_lab(c->d, &out);
		pthread_mutex_lock(&j->lock);
		j->wave_check = out;
		j->wave_check_rc = rc;
		j->wave_check_state = 2;
		pthread_cond_broadcast(&j->cond);
	}
	rc = j->wave_check_rc;
	if (rc == 0)
		snprintf(summary, len, "ok");
	else if (rc == 1 && j->wave_check != NULL)
		rc = verify_summary_of(c->d->topo, j->wave_check, c->m->guest,
		    movers, n, summary, len) > 0 ? 1 : 0;
	else
		rc = -1;
	pthread_mutex_unlock(&j->lock);
	return rc;
}

/* lost: the guest is LOST, its routers stopped with it: no routecheck
 * can read them (it would wait for each), nothing is verified. */
static void
move_verify(struct move_ctx *c, bool lost)
{
	const char	*movers[64];
	char		 summary[300];
	double		 t0 = lgrd_now_ms();
	size_t		 n;
	int		 rc;

	move_wave(c, LGRD_WAVE_CONVERGED);
	n = move_in_flight(c, movers, sizeof(movers) / sizeof(movers[0]));
	move_step(c, LGRD_STEP_VERIFY);
	if (lost) {
		snprintf(c->m->routecheck, sizeof(c->m->routecheck), "skipped");
		return;
	}
	/* The wave's run; what it finds on this guest (or could not run)
	 * is asked again on the guest alone, a few times (verify_guest). */
	if ((rc = move_wave_check(c, movers, n, summary, sizeof(summary))) !=
	    0)
		rc = verify_guest(c->d, c->m->guest, movers, n, summary,
		    sizeof(summary));
	c->m->verify_ms = lgrd_now_ms() - t0;
	snprintf(c->m->routecheck, sizeof(c->m->routecheck), "%s", rc == 0 ?
	    "ok" : rc == 1 ? "violations" : "skipped");
	if (rc == 1)
		move_reason(c, "routecheck: %s", summary);
	else if (rc == -1)
		log_warnx("%s: routecheck skipped: %s", c->m->guest, summary);
	else if (strcmp(summary, "ok") != 0)
		journal_event(c->d->db, c->j->id, c->m->guest, "LGR-VERIFY",
		    "routecheck %s", summary);
}

/*
 * The routers whose routes to and from the guest its complete changes:
 * the HSI guests on the member it runs on now (the wave's among them).
 * Elsewhere its paths stay on the trunks, and the peers it left moved
 * off HiperSockets for it at the prepare; a guest without HSI changes
 * no route at all (its own table only).  Every router watched costs a
 * table read per guest, and a wave completes many guests at once.
 */
static void
move_converge_scope(struct move_ctx *c, int *res)
{
	for (size_t i = 0; i < c->d->topo->nguests; i++)
		if ((int)i != c->gi && (!c->m->hsi || res[i] != res[c->gi]))
			res[i] = -1;
}

/* The HSI guests of c's wave that run where c runs now (res): they
 * complete with it, onto the same HiperSockets LAN. */
static size_t
move_arriving(struct move_ctx *c, const int *res, const char **names,
    size_t max)
{
	const struct topo	*t = c->d->topo;
	size_t			 n = 0;
	int			 g;

	for (size_t i = 0; i < c->j->nmoves && n < max; i++) {
		const struct move	*m = &c->j->moves[i];

		if (m == c->m || m->seq != c->m->seq || !m->hsi ||
		    (g = topo_guest_find(t, m->guest)) < 0 || res[g] < 0 ||
		    res[g] != res[c->gi])
			continue;
		names[n++] = m->guest;
	}
	return n;
}

/*
 * Did the cluster end the relocation with the guest LOST (its source
 * member declared DOWN: cut off or dead)?  Then nothing of it runs to
 * complete or converge: its routers are stopped with it.
 */
static bool
move_lost(struct move_ctx *c)
{
	struct json_object	*rows, *r;
	bool			 lost = false;

	if (c->m->end_code[0] == '\0' || strcmp(c->m->end_code, "OK") == 0 ||
	    (rows = hv_guests(c->hv)) == NULL)
		return false;
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		r = json_object_array_get_idx(rows, i);
		if (strcmp(lgrd_row_str(r, "name", ""), c->m->guest) == 0)
			lost = strcmp(lgrd_row_str(r, "state", ""), "LOST") ==
			    0;
	}
	json_object_put(rows);
	return lost;
}

/* complete, converge, verify: the part that runs whatever happened,
 * once every relocation of the wave has ended; the wave's agents
 * complete at once. */
static void
move_finish(struct move_ctx *c)
{
	struct converge	*cv = NULL;
	const char	*arriving[TOPO_NAME_MAX * 8];
	size_t		 narriving = 0;
	int		*res;
	bool		 lost;

	move_wave(c, LGRD_WAVE_MOVED);
	/* Every relocation of the wave has ended: the residency of the
	 * wave's other guests is final and they complete with this one;
	 * those on this guest's member are watched with the others there
	 * (move_converge_scope), and its agent is told who they are. */
	if ((res = calloc(c->d->topo->nguests, sizeof(int))) != NULL &&
	    evac_residency(c->d, c->hv, res) == 0) {
		if (c->m->hsi)
			narriving = move_arriving(c, res, arriving,
			    sizeof(arriving) / sizeof(arriving[0]));
		move_converge_scope(c, res);
		cv = converge_open(c->d, c->gi, res);
	}
	free(res);
	move_wave(c, LGRD_WAVE_READY);
	if ((lost = move_lost(c))) {
		move_reason(c, "guest LOST on %s (member DOWN): not completed",
		    c->m->src);
		c->moved = false;
	} else {
		move_complete(c, arriving, narriving);
		c->moved = move_moved(c);
		move_converge(c, cv);
	}
	converge_close(cv);
	move_probe_stop(c);
	move_verify(c, lost);
}

static void
move_done(struct move_ctx *c)
{
	struct move	*m = c->m;

	snprintf(m->result, sizeof(m->result), "%s", c->moved ? "moved" :
	    move_cancelled(c) ? "cancelled" : "not-moved");
	if (c->moved && c->j->max_blackhole_ms >= 0 && m->downtime_ms >
	    (double)c->j->max_blackhole_ms)
		move_reason(c, "downtime %.1f ms over --max-blackhole %jd ms",
		    m->downtime_ms, (intmax_t)c->j->max_blackhole_ms);
	m->total_ms = lgrd_now_ms() - c->t0;
	log_debug("%s: done at +%.1f ms", m->guest, m->total_ms);
	m->step = LGRD_STEP_DONE;
	m->progress[0] = '\0';
	journal_move_progress(c->d->db, m);
	journal_move_save(c->d->db, m);
	journal_event(c->d->db, c->j->id, m->guest, c->moved ? "LGR-MOVED" :
	    "LGR-NOT-MOVED", "%s %s -> %s%s%s", m->result, m->src, m->dst,
	    m->reason[0] ? ": " : "", m->reason);
	web_move_end(c->d, c->j, m);
}

/* The prepare of an HSI guest: its peers are the other HSI guests on
 * its member, those of its own wave included (they drain at the same
 * time, and each waits until the others route around it). */
static bool
move_drain(struct move_ctx *c)
{
	int	*res;
	bool	 ok;

	if (!c->m->hsi)
		return true;
	if ((res = calloc(c->d->topo->nguests, sizeof(int))) == NULL ||
	    evac_residency(c->d, c->hv, res) == -1) {
		free(res);
		move_reason(c, "prepare: residency unknown (hvd not "
		    "answering)");
		return false;
	}
	ok = move_prepare(c, res);
	free(res);
	return ok;
}

/* A fresh pipeline from check on. */
static void
move_pipeline(struct move_ctx *c)
{
	int	*res;
	bool	 drained;

	if (move_cancelled(c) || !move_check(c)) {
		move_wave_arrive(c->j, c->m, LGRD_WAVE_LAST, false);
		move_step(c, LGRD_STEP_DONE);
		return;
	}
	if ((res = calloc(c->d->topo->nguests, sizeof(int))) == NULL ||
	    move_residency(c->j, c->hv, c->m, res) == -1) {
		free(res);
		move_wave_arrive(c->j, c->m, LGRD_WAVE_LAST, false);
		move_reason(c, "residency unknown (hvd not answering)");
		return;
	}
	move_probe_start(c, res);
	free(res);
	drained = move_drain(c);
	move_wave(c, LGRD_WAVE_DRAINED);
	if (drained && !move_cancelled(c))
		move_relocate(c);
	move_finish(c);		/* not drained: complete is the rollback */
}

/* Taken over after a restart. */
static void
move_resume(struct move_ctx *c)
{
	struct hv_progress	p;
	int64_t			id = 0;

	journal_event(c->d->db, c->j->id, c->m->guest, "LGR-RESUME",
	    "taking over at step %s", lgrd_step_name(c->m->step));
	switch (c->m->step) {
	case LGRD_STEP_PLANNED:
	case LGRD_STEP_CHECK:
		move_pipeline(c);
		return;
	case LGRD_STEP_PREPARE:
		if (c->m->hsi)
			move_complete(c, NULL, 0);	/* roll the prepare back */
		c->m->reason[0] = '\0';
		move_pipeline(c);
		return;
	case LGRD_STEP_RELOCATE:
		/* Killed between the request and its id: is the latest
		 * relocation of the guest ours (started after the move)? */
		if (c->m->hv_id == 0 && hv_status(c->hv, c->m->src, c->m->guest,
		    &id, &p) == 1 && p.started_ms >= c->m->started_ms)
			c->m->hv_id = id;
		if (c->m->hv_id == 0) {		/* never started: over again */
			if (c->m->hsi)
				move_complete(c, NULL, 0);
			move_pipeline(c);
			return;
		}
		if (hv_status(c->hv, c->m->src, c->m->guest, &id, &p) == 1 &&
		    id == c->m->hv_id && p.end_code[0] != '\0')
			move_hv_result(c, c->m->src, &p);
		else {
			move_slot_take(c);
			move_follow(c);
			move_slot_give(c);
		}
		move_finish(c);
		return;
	default:
		move_finish(c);
		return;
	}
}

void
move_run(struct job *j, struct move *m)
{
	struct move_ctx	c = { .j = j, .d = j->d, .m = m };

	c.t0 = lgrd_now_ms();
	c.gi = topo_guest_find(j->d->topo, m->guest);
	if (c.gi == -1 || (c.hv = hv_open(j->d)) == NULL) {
		move_reason(&c, "guest %s unknown to lgrd", m->guest);
		move_done(&c);
		return;
	}
	if (m->resumed)
		move_resume(&c);
	else
		move_pipeline(&c);
	move_probe_stop(&c);
	move_done(&c);
	hv_close(c.hv);
}
