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
#include "directory.h"
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
	if (dir_journal_phase(r->dir, r->def->name, r->id, phase) != 1)
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: phase %s not "
		    "recorded", (intmax_t)r->id, phase);
	dir_event(r->dir, msgid, r->h->name, r->def->name, "relocation %jd "
	    "to %s: %s", (intmax_t)r->id, r->dst, phase);
}

int
reloc_limits(struct reloc *r)
{
	double	elapsed = reloc_now() - r->t0;

	if (member_fenced(r->h))
		return reloc_fail(r, HV_END_CANCELLED, "member %s fenced",
		    r->h->name);

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
reloc_history(const struct reloc *r, struct dir_history *hist)
{
	memset(hist, 0, sizeof(*hist));
	hist->total_ms = r->total_ms;
	hist->quiesce_ms = r->quiesce_ms;
	hist->passes = r->passes;
	hist->pages = (int64_t)r->pages_sent;
	hist->mib = (double)r->pages_sent * HV_PAGE / 1048576.0;
	hist->copy_mib_s = r->copy_ms > 0 ? (double)r->copy_bytes /
	    1048576.0 / (r->copy_ms / 1000.0) : 0;
	hist->end_code = hv_end_name(r->end);
	hist->text = r->text;
	hist->digest_src = r->digest_src;
	hist->digest_dst = r->digest_dst;
	hist->verified = r->verified;
}

/*
 * The guest runs on the target: the relocation ends in the directory
 * first (the orchestrator waits for that), then the image is taken
 * apart (dirty tracking stopped in pieces, pages scrubbed into the
 * pool: about 100 ms of a CPU at 256 MiB).  Not at a lower priority:
 * stopping the tracking holds the process's memory map lock, and a
 * starved holder would stall every thread of hvd behind it.
 */
static void
reloc_post(struct reloc *r)
{
	struct dir_history	 hist;
	struct guest		*g;

	quiesce_verify(r);
	g = hvd_guest_take(r->h, r->gidx);
	r->g = NULL;
	if (r->has_rp)
		replug_close(&r->rp);
	reloc_history(r, &hist);
	if (dir_reloc_done(r->dir, r->def->name, r->id, &hist) == -1)
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: end not recorded",
		    (intmax_t)r->id);
	if (r->verified == 0)
		dir_event(r->dir, "HV-RELOC-VERIFY", r->h->name, r->def->name,
		    "memory left behind differs from the digest sent");
	dir_event(r->dir, "HV-RELOC-DONE", r->h->name, r->def->name,
	    "relocation %jd to %s done: total %.1f ms, quiesce %.2f ms, %d "
	    "passes, %ju pages", (intmax_t)r->id, r->dst, r->total_ms,
	    r->quiesce_ms, r->passes, (uintmax_t)r->pages_sent);
	pool_keep(r->h, g);
}

/*
 * The journal ended and the guest RUNNING on src again, in one directory
 * transaction, tried until it holds: a guest is never left RELOCATING.
 */
static void
reloc_unjournal(struct dir *d, const char *guest, int64_t id,
    const char *src, const struct dir_history *hist)
{
	int	i;

	for (i = 0; dir_reloc_rollback(d, guest, id, src, hist) == -1; i++) {
		if (i == RELOC_UNJOURNAL_TRIES) {
			log_warnx("[HV-RELOC-ROLLBACK] guest %s: relocation "
			    "%jd not ended in the directory, residency left "
			    "RELOCATING", guest, (intmax_t)id);
			return;
		}
		log_warnx("[HV-RELOC-ROLLBACK] guest %s: directory write "
		    "failed, trying again", guest);
		usleep(RELOC_UNJOURNAL_WAIT_US);
	}
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
	struct dir_history	hist;

	if (r->sock != NULL)
		chan_send(r->sock, r->seal, CHAN_ABORT, (uint64_t)r->id, 0, 0,
		    NULL, 0);
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
	reloc_history(r, &hist);
	reloc_unjournal(r->dir, r->def->name, r->id, r->h->name, &hist);
	dir_event(r->dir, "HV-RELOC-ROLLBACK", r->h->name, r->def->name,
	    "relocation %jd to %s rolled back (%s): %s; guest %s on %s",
	    (intmax_t)r->id, r->dst, hv_end_name(r->end), r->text,
	    member_fenced(r->h) ? "stopped (fenced)" : "runs", r->h->name);
}

static void
reloc_free(struct reloc *r)
{
	/* No frame sent from the image outlives the context. */
	if (r->sock != NULL)
		zmq_close(r->sock);
	if (r->zctx != NULL)
		zmq_ctx_term(r->zctx);
	if (r->seal != NULL)
		seal_free(r->seal);
	/* The guest may go now; unless it came back meanwhile (the image
	 * is taken apart after the journal ended) and left again. */
	pthread_mutex_lock(&r->h->lock);
	if (r->h->relocs[r->gidx] == r)
		r->h->relocs[r->gidx] = NULL;
	pthread_mutex_unlock(&r->h->lock);
	dir_close(r->dir);
	free(r->hashes);
	free(r->list);
	free(r);
}

/* Set up, pre-copy in the background (prio.c), quiesce: 0 or -1. */
static int
reloc_copy(struct reloc *r, double t[2])
{
	/* Before the channel: its context's I/O thread starts there too. */
	prio_set(r->h, true);
	if (outbound_setup(r) == -1)
		return -1;
	t[0] = reloc_now();
	reloc_phase(r, "PRECOPY", "HV-RELOC-PRECOPY");
	if (precopy_run(r) == -1)
		return -1;
	t[1] = reloc_now();
	return quiesce_run(r);
}

static void *
reloc_run(void *arg)
{
	struct reloc	*r = arg;
	double		 t[2] = { 0, 0 };
	char		 name[16];
	int		 rc = -1;

	/* "r:GUEST": a relocation's thread, seen in top -H and /proc. */
	snprintf(name, sizeof(name), "r:%.13s", r->def->name);
	pthread_setname_np(pthread_self(), name);

	if ((r->dir = dir_open(&r->h->dirconf)) == NULL) {
		reloc_free(r);
		return NULL;
	}
	pthread_mutex_lock(&r->h->lock);
	r->g = r->h->guests[r->gidx];
	pthread_mutex_unlock(&r->h->lock);
	if (r->g == NULL)
		reloc_fail(r, HV_END_GUEST_RESET, "guest %s is not running "
		    "here", r->def->name);
	else
		rc = reloc_copy(r, t);
	r->total_ms = reloc_now() - r->t0;
	if (rc == 0) {
		log_debug("relocation %jd from %.1f ms (monotonic): setup "
		    "%.1f ms, pre-copy %.1f ms (%d passes, %ju pages), total "
		    "%.1f ms", (intmax_t)r->id, r->t0, t[0] - r->t0,
		    t[1] - t[0], r->passes, (uintmax_t)r->pages_sent,
		    r->total_ms);
		reloc_post(r);
		log_debug("relocation %jd: post done at %.1f ms (monotonic)",
		    (intmax_t)r->id, reloc_now());
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

/* Check and journal in one directory step. */
static int
reloc_journal(struct hvd *h, const struct hv_request *rq, const char *who,
    int gidx, struct elig_conflict *cf, size_t *n, int64_t *id,
    int64_t *token)
{
	const struct hv_guestdef	*def = &h->conf->guests[gidx];
	struct dir_journal		 j;

	memset(&j, 0, sizeof(j));
	j.guest = def->name;
	j.src = h->name;
	j.dst = rq->member;
	j.who = who;
	j.reserved_mib = def->memory_mib;
	j.max_total_s = rq->max_total_s;
	j.max_quiesce_ms = rq->max_quiesce_ms;
	j.immediate = rq->immediate;
	return dir_journal_open(h->dir, h->conf, def, &j,
	    hv_request_force(rq), cf, n, id, token);
}

int
reloc_start(struct hvd *h, const struct hv_request *rq, const char *who,
    struct elig_conflict *cf, size_t *n, int64_t *id)
{
	struct reloc	*r;
	pthread_attr_t	 a;
	int64_t		 token;
	int		 gidx = config_guest_find(h->conf, rq->guest);

	*n = 0;
	if (gidx == -1 || reloc_journal(h, rq, who, gidx, cf, n, id,
	    &token) == -1)
		return -1;
	if ((r = reloc_new(h, rq, gidx)) == NULL)
		goto fail;
	r->id = *id;
	r->token = token;
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
	reloc_unjournal(h->dir, rq->guest, *id, h->name, NULL);
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
