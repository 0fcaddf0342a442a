/*
 * relocate.c: the life of a relocation's thread on the source: check and
 * journal, setup (outbound.c), pre-copy (precopy.c), quiesce and resume
 * (quiesce.c), then post; any failure before the target commits the
 * residency rolls everything back.  The main thread reaches a running
 * relocation only through reloc_cancel and reloc_set_limits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "clock.h"
#include "hvd.h"
#include "log.h"

double
reloc_now(void)
{
	return (double)clock_us() / 1e3;
}

int
reloc_fail(struct reloc *r, enum hv_end end, const char *fmt, ...)
{
	va_list	ap;

	if (r->end == HV_END_OK) {
		r->end = end;
		va_start(ap, fmt);
		vsnprintf(r->text, sizeof(r->text), fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
reloc_phase(struct reloc *r, const char *phase, const char *msgid)
{
	if (dir_exec(r->dir, "UPDATE journal SET phase = ?, updated_ms = ? "
	    "WHERE id = ?", "sii", phase, dir_now_ms(), r->id) != 1)
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: phase %s not "
		    "recorded", (intmax_t)r->id, phase);
	dir_event(r->dir, msgid, r->h->name, r->def->name, "relocation %jd "
	    "to %s: %s", (intmax_t)r->id, r->dst, phase);
}

int
reloc_limits(struct reloc *r)
{
	double	elapsed = reloc_now() - r->t0;

	switch (limits_running(r->cancel, elapsed, r->max_total_ms)) {
	case HV_END_CANCELLED:
		return reloc_fail(r, HV_END_CANCELLED, "cancelled by operator");
	case HV_END_MAXTOTAL:
		return reloc_fail(r, HV_END_MAXTOTAL, "total time %.0f ms "
		    "exceeds --max-total %ju s", elapsed,
		    (uintmax_t)(r->max_total_ms / 1000));
	default:
		return 0;
	}
}

static void
reloc_history(struct reloc *r)
{
	char	ds[20], dd[20];

	snprintf(ds, sizeof(ds), "%016jx", (uintmax_t)r->digest_src);
	snprintf(dd, sizeof(dd), "%016jx", (uintmax_t)r->digest_dst);
	if (dir_exec(r->dir, "INSERT INTO history (reloc, guest, started_ms, "
	    "src, dst, total_ms, quiesce_ms, passes, pages, mib, end_code, "
	    "digest_src, digest_dst, verified, text) SELECT id, guest, "
	    "started_ms, src, dst, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM journal "
	    "WHERE id = ?", "ddiidsssisi", r->total_ms, r->quiesce_ms,
	    (int64_t)r->passes, (int64_t)r->pages_sent,
	    (double)r->pages_sent * HV_PAGE / 1048576.0, hv_end_name(r->end),
	    ds, dd, (int64_t)r->verified, r->text, r->id) != 1)
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: history not "
		    "written", (intmax_t)r->id);
}

static void
reloc_post(struct reloc *r)
{
	struct guest	*g;

	quiesce_verify(r);
	g = hvd_guest_take(r->h, r->gidx);
	pool_keep(r->h, g);
	r->g = NULL;
	if (r->has_rp)
		replug_close(&r->rp);
	if (dir_exec(r->dir, "UPDATE journal SET end_code = 'OK', phase = "
	    "'DONE', ended_ms = ?, updated_ms = ? WHERE id = ?", "iii",
	    dir_now_ms(), dir_now_ms(), r->id) != 1 ||
	    dir_exec(r->dir, "UPDATE guests SET relocations = relocations + 1 "
	    "WHERE name = ?", "s", r->def->name) != 1)
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: end not recorded",
		    (intmax_t)r->id);
	reloc_history(r);
	if (r->verified == 0)
		dir_event(r->dir, "HV-RELOC-VERIFY", r->h->name, r->def->name,
		    "memory left behind differs from the digest sent");
	dir_event(r->dir, "HV-RELOC-DONE", r->h->name, r->def->name,
	    "relocation %jd to %s done: total %.1f ms, quiesce %.2f ms, %d "
	    "passes, %ju pages", (intmax_t)r->id, r->dst, r->total_ms,
	    r->quiesce_ms, r->passes, (uintmax_t)r->pages_sent);
}

/*
 * The guest runs again as soon as its NICs are back: resumed and thawed
 * before anything else.  Dirty tracking is asynchronous (the kernel
 * resolves the write faults itself), so the guest may write while it is
 * still registered; unregistering a large image takes long (hundreds of
 * ms at 1 GiB on a busy machine) and so comes after the thaw.
 */
static void
reloc_rollback(struct reloc *r)
{
	if (r->sock != NULL)
		chan_send(r->sock, CHAN_ABORT, (uint64_t)r->id, 0, 0, NULL, 0);
	if (r->replugged && replug_restore(&r->rp) == -1)
		log_warnx("[HV-REPLUG] guest %s: NICs not restored",
		    r->def->name);
	if (r->g != NULL && r->paused)
		guest_resume(r->g);
	if (r->frozen && guest_freeze(r->h->conf->lab, r->def->name, false) ==
	    -1)
		log_warn("[HV-THAW] guest %s", r->def->name);
	/* Rolled back: the quiesce is how long the guest stayed stunned. */
	if (r->frozen || r->paused)
		r->quiesce_ms = reloc_now() - r->stun_t0;
	if (r->g != NULL)
		dirty_stop(r->g);
	if (r->has_rp)
		replug_close(&r->rp);
	if (dir_exec(r->dir, "UPDATE journal SET end_code = ?, phase = "
	    "'ENDED', ended_ms = ?, text = ? WHERE id = ? AND (end_code IS "
	    "NULL OR end_code != ?)", "sisis", hv_end_name(r->end),
	    dir_now_ms(), r->text, r->id, hv_end_name(r->end)) == -1)
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: end not recorded",
		    (intmax_t)r->id);
	if (dir_exec(r->dir, "UPDATE residency SET state = 'RUNNING' WHERE "
	    "guest = ? AND member = ?", "ss", r->def->name, r->h->name) == -1)
		log_warnx("[HV-RELOC-ROLLBACK] guest %s: residency not set "
		    "back to RUNNING", r->def->name);
	reloc_history(r);
	dir_event(r->dir, "HV-RELOC-ROLLBACK", r->h->name, r->def->name,
	    "relocation %jd to %s rolled back (%s): %s; guest runs on %s",
	    (intmax_t)r->id, r->dst, hv_end_name(r->end), r->text,
	    r->h->name);
}

static void
reloc_free(struct reloc *r)
{
	/* No frame sent from the image outlives the context. */
	if (r->sock != NULL)
		zmq_close(r->sock);
	if (r->zctx != NULL)
		zmq_ctx_term(r->zctx);
	pthread_mutex_lock(&r->h->lock);
	r->h->relocs[r->gidx] = NULL;	/* the guest may go now */
	pthread_mutex_unlock(&r->h->lock);
	dir_close(r->dir);
	free(r->hashes);
	free(r->list);
	free(r);
}

static void *
reloc_run(void *arg)
{
	struct reloc	*r = arg;
	double		 t[2] = { 0, 0 };
	int		 rc = -1;

	if ((r->dir = dir_open(r->h->dbpath)) == NULL) {
		reloc_free(r);
		return NULL;
	}
	pthread_mutex_lock(&r->h->lock);
	r->g = r->h->guests[r->gidx];
	pthread_mutex_unlock(&r->h->lock);
	if (r->g == NULL)
		reloc_fail(r, HV_END_GUEST_RESET, "guest %s is not running "
		    "here", r->def->name);
	else if (outbound_setup(r) == 0) {
		t[0] = reloc_now();
		reloc_phase(r, "PRECOPY", "HV-RELOC-PRECOPY");
		if (precopy_run(r) == 0) {
			t[1] = reloc_now();
			rc = quiesce_run(r);
		}
	}
	r->total_ms = reloc_now() - r->t0;
	if (rc == 0) {
		log_debug("relocation %jd: setup %.1f ms, pre-copy %.1f ms (%d "
		    "passes, %ju pages), total %.1f ms", (intmax_t)r->id,
		    t[0] - r->t0, t[1] - t[0], r->passes,
		    (uintmax_t)r->pages_sent, r->total_ms);
		reloc_post(r);
	} else
		reloc_rollback(r);
	reloc_free(r);
	return NULL;
}

static struct reloc *
reloc_new(struct hvd *h, const struct hv_request *rq, int gidx)
{
	struct reloc	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->h = h;
	r->gidx = gidx;
	r->def = &h->conf->guests[gidx];
	snprintf(r->dst, sizeof(r->dst), "%s", rq->member);
	r->dst_idx = config_member_find(h->conf, rq->member);
	r->max_total_ms = (rq->max_total_s != HV_UNSET ? rq->max_total_s :
	    h->opts.max_total_s) * 1000;
	r->max_quiesce_ms = rq->max_quiesce_ms != HV_UNSET ?
	    rq->max_quiesce_ms : rq->immediate ? HV_UNSET :
	    h->opts.max_quiesce_ms;
	r->max_rate_mib = rq->max_rate_mib != HV_UNSET ? rq->max_rate_mib :
	    0;
	r->immediate = rq->immediate;
	r->verify = rq->verify;
	r->end = HV_END_OK;
	r->t0 = reloc_now();
	return r;
}

/* Check and journal in one directory transaction. */
static int
reloc_journal(struct hvd *h, const struct hv_request *rq, const char *who,
    int gidx, struct elig_conflict *cf, size_t *n, int64_t *id)
{
	const struct hv_guestdef	*def = &h->conf->guests[gidx];
	struct elig_input		 in;

	if (dir_begin(h->dir) == -1)
		return -1;
	if (elig_gather(h->dir, h->conf, def, rq->member,
	    hv_request_force(rq), &in) == -1)
		goto fail;
	if ((*n = elig_check(&in, cf, HV_CONFLICT_MAX)) > 0)
		goto fail;
	if (dir_exec(h->dir, "INSERT INTO journal (guest, src, dst, "
	    "reserved_mib, phase, started_ms, updated_ms, who, max_total_s, "
	    "max_quiesce_ms, immediate) VALUES (?, ?, ?, ?, 'SETUP', ?, ?, ?, "
	    "?, ?, ?)", "sssiiisiii", def->name, h->name, rq->member,
	    (int64_t)def->memory_mib, dir_now_ms(), dir_now_ms(), who,
	    (int64_t)rq->max_total_s, (int64_t)rq->max_quiesce_ms,
	    (int64_t)rq->immediate) != 1 ||
	    dir_int(h->dir, id, "SELECT last_insert_rowid()", "") != 1 ||
	    dir_exec(h->dir, "UPDATE residency SET state = 'RELOCATING' WHERE "
	    "guest = ?", "s", def->name) != 1)
		goto fail;
	return dir_commit(h->dir);
fail:
	dir_rollback(h->dir);
	return -1;
}

int
reloc_start(struct hvd *h, const struct hv_request *rq, const char *who,
    struct elig_conflict *cf, size_t *n, int64_t *id)
{
	struct reloc	*r;
	pthread_attr_t	 a;
	int		 gidx = config_guest_find(h->conf, rq->guest);

	*n = 0;
	if (gidx == -1 || reloc_journal(h, rq, who, gidx, cf, n, id) == -1)
		return -1;
	if ((r = reloc_new(h, rq, gidx)) == NULL)
		goto fail;
	r->id = *id;
	dir_event(h->dir, "HV-RELOC-START", h->name, rq->guest, "relocation "
	    "%jd to %s started by %s", (intmax_t)*id, rq->member, who);
	pthread_mutex_lock(&h->lock);
	h->relocs[gidx] = r;
	pthread_mutex_unlock(&h->lock);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&r->thread, &a, reloc_run, r) != 0) {
		pthread_attr_destroy(&a);
		pthread_mutex_lock(&h->lock);
		h->relocs[gidx] = NULL;
		pthread_mutex_unlock(&h->lock);
		free(r);
		goto fail;
	}
	pthread_attr_destroy(&a);
	return 0;
fail:
	if (dir_exec(h->dir, "UPDATE journal SET end_code = 'FAILED', phase = "
	    "'ENDED', text = 'no thread' WHERE id = ?", "i", *id) != 1 ||
	    dir_exec(h->dir, "UPDATE residency SET state = 'RUNNING' WHERE "
	    "guest = ?", "s", rq->guest) != 1)
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd of %s: failed "
		    "start not recorded", (intmax_t)*id, rq->guest);
	return -1;
}

int
reloc_cancel(struct hvd *h, int guest)
{
	int	rc = -1;

	pthread_mutex_lock(&h->lock);
	if (h->relocs[guest] != NULL) {
		h->relocs[guest]->cancel = true;
		rc = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int
reloc_set_limits(struct hvd *h, int guest, const struct hv_request *rq)
{
	struct reloc	*r;
	int		 rc = -1;

	pthread_mutex_lock(&h->lock);
	if ((r = h->relocs[guest]) != NULL) {
		if (rq->max_total_s != HV_UNSET)
			r->max_total_ms = rq->max_total_s * 1000;
		if (rq->max_quiesce_ms != HV_UNSET)
			r->max_quiesce_ms = rq->max_quiesce_ms;
		if (rq->max_rate_mib != HV_UNSET)
			r->max_rate_mib = rq->max_rate_mib;
		rc = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* Cancel every outbound relocation and wait for the rollbacks. */
void
reloc_shutdown(struct hvd *h)
{
	size_t	i;
	int	busy, tries;

	for (tries = 0; tries < 1000; tries++) {
		busy = 0;
		pthread_mutex_lock(&h->lock);
		for (i = 0; i < 256; i++)
			if (h->relocs[i] != NULL) {
				h->relocs[i]->cancel = true;
				busy++;
			}
		pthread_mutex_unlock(&h->lock);
		if (!busy)
			return;
		usleep(10000);
	}
}

/* A member starting again ends what its previous life left running. */
void
reloc_cleanup_journal(struct dir *d, const char *me)
{
	if (dir_exec(d, "UPDATE journal SET end_code = CASE phase WHEN "
	    "'RESUMED' THEN 'OK' ELSE 'FAILED' END, phase = 'ENDED', ended_ms "
	    "= ?1, text = 'member ' || ?2 || ' restarted' WHERE end_code IS "
	    "NULL AND (src = ?2 OR dst = ?2)", "is", dir_now_ms(), me) == -1)
		log_warnx("[HV-RELOC-JOURNAL] relocations left by %s's previous "
		    "life not ended", me);
}
