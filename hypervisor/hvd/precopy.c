/*
 * precopy.c: pre-copy, while the guest runs.  Pass 1 sends every
 * non-zero page, write-protecting the image as it goes; each later pass
 * sends the pages written since the previous one.  limits.c decides
 * when to stop; the progress goes to the journal after each pass and
 * every RELOC_PROGRESS_MS within one.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "directory.h"
#include "log.h"

/* The journal's progress columns: left, the pages still to send. */
static void
precopy_progress(struct reloc *r, size_t left)
{
	double	est = limits_estimate_ms(left, r->bw) + 0.5;

	struct dir_progress	p;

	r->progress_t = reloc_now();
	p.pass = r->passes;
	p.sent_mib = (double)r->pages_sent * HV_PAGE / 1048576.0;
	p.left_mib = (double)left * HV_PAGE / 1048576.0;
	p.dirty_mib_s = r->dirty_mib_s;
	p.est_quiesce_ms = est;
	if (dir_journal_progress(r->dir, r->def->name, r->id, &p) != 1)
		log_warnx("[HV-RELOC-PROGRESS] relocation %jd: progress not "
		    "recorded", (intmax_t)r->id);
}

/* Within a pass: what it has sent so far, every RELOC_PROGRESS_MS. */
static void
precopy_tick(struct reloc *r, size_t left)
{
	if (reloc_now() - r->progress_t >= RELOC_PROGRESS_MS)
		precopy_progress(r, left);
}

/*
 * Pass 1 over the present pages (list[0, n), ascending): the image gets
 * write-protected piece by piece, up to RELOC_PROTECT pages ahead of
 * what is read, so that protecting a large image overlaps sending it.
 * A page is protected before it is checked for zero or sent, hence any
 * write after that is caught; all-zero pages are dropped.  Ends with the
 * whole image protected.
 */
static int
precopy_first(struct reloc *r, uint32_t *list, size_t n)
{
	size_t		i = 0, j, k = 0, sent = 0, step, ahead = CHAN_BATCH;
	uint32_t	wp = 0, end;

	while (i < n || sent < k) {
		if (i < n && k - sent < CHAN_BATCH) {
			/* Small pieces first: the first frame goes out soon. */
			j = n - i < ahead ? n : i + ahead;
			if (ahead < RELOC_PROTECT)
				ahead *= 2;
			end = list[j - 1] + 1;
			if (dirty_protect(r->g, wp, end - wp) == -1)
				return reloc_fail(r, HV_END_FAILED, "dirty "
				    "tracking: %s", strerror(errno));
			for (wp = end; i < j; i++)
				if (!digest_zero(r->g->mem + (size_t)list[i] *
				    HV_PAGE))
					list[k++] = list[i];
			continue;
		}
		if (outbound_send_frame(r, list + sent, k - sent, &step,
		    true) == -1)
			return -1;
		sent += step;
		precopy_tick(r, n - i + k - sent);
	}
	if (dirty_protect(r->g, wp, r->g->npages - wp) == -1)
		return reloc_fail(r, HV_END_FAILED, "dirty tracking: %s",
		    strerror(errno));
	return 0;
}

/* A later pass: the pages of list[0, n). */
static int
precopy_send(struct reloc *r, size_t n)
{
	size_t	i, k;

	for (i = 0; i < n; i += k) {
		if (outbound_send_frame(r, r->list + i, n - i, &k, true) == -1)
			return -1;
		precopy_tick(r, n - i - k);
	}
	return 0;
}

/* One pass over list: send, then measure the channel. */
static int
precopy_pass(struct reloc *r, size_t n, bool first)
{
	double	took;

	r->passes++;
	r->pass_t0 = reloc_now();
	r->pass_bytes = 0;
	batch_rate_start(&r->rate, r->max_rate_mib, r->pass_t0);
	if ((first ? precopy_first(r, r->list, n) :
	    precopy_send(r, n)) == -1)
		return -1;
	took = reloc_now() - r->pass_t0;
	r->copy_ms += took;
	r->copy_bytes += r->pass_bytes;
	if (r->pass_bytes >= (1u << 20) && took > 0)
		r->bw = (double)r->pass_bytes / took;
	return 0;
}

static int
precopy_converged(struct reloc *r, size_t n, double est)
{
	r->carry = n;
	if (!limits_quiesce_fits(est, r->max_quiesce_ms))
		return reloc_fail(r, HV_END_MAXQUIESCE, "%zu pages (%.1f MiB) "
		    "left need about %.1f ms, more than --max-quiesce %ju ms",
		    n, (double)n * HV_PAGE / 1048576.0, est,
		    (uintmax_t)r->max_quiesce_ms);
	return 0;
}

/* A journal row ended by someone else (member declared down). */
static int
precopy_journal_alive(struct reloc *r)
{
	if (dir_journal_active(r->dir, r->def->name, r->id, NULL, NULL) == 0)
		return reloc_fail(r, HV_END_LOST_LINK, "relocation ended in "
		    "the directory (member declared down)");
	return 0;
}

/*
 * Pre-copy: pass 1, then passes until limits_precopy_done, or at once
 * with --immediate.  The pages still to send stay in list[0, carry).
 */
int
precopy_run(struct reloc *r)
{
	struct limits_pass	 lp = { SIZE_MAX, 0 };
	ssize_t			 n;
	double			 est;

	if (dirty_register(r->g) == -1)
		return reloc_fail(r, HV_END_FAILED, "dirty tracking: %s",
		    strerror(errno));
	if ((n = dirty_present(r->g, r->list)) == -1)
		return reloc_fail(r, HV_END_FAILED, "pagemap: %s",
		    strerror(errno));
	r->progress_t = reloc_now();
	if (precopy_pass(r, (size_t)n, true) == -1)
		return -1;
	for (;;) {
		if (precopy_journal_alive(r) == -1 || reloc_limits(r) == -1)
			return -1;
		if (r->immediate)
			return 0;
		if ((n = dirty_collect(r->g, r->list)) == -1)
			return reloc_fail(r, HV_END_FAILED, "pagemap: %s",
			    strerror(errno));
		est = limits_estimate_ms((size_t)n, r->bw);
		r->dirty_mib_s = (double)n * HV_PAGE / 1048576.0 /
		    ((reloc_now() - r->pass_t0) / 1e3);
		precopy_progress(r, (size_t)n);
		if (limits_precopy_done(&lp, (size_t)n, est, r->passes))
			return precopy_converged(r, (size_t)n, est);
		if (precopy_pass(r, (size_t)n, false) == -1)
			return -1;
	}
}
