/*
 * quiesce.c: the end of a relocation's copy: the guest stunned (cgroup
 * frozen, vCPU paused), the last pages, the vCPU state, the NICs
 * re-plugged, digests compared, then RESUME on the target.  Whether the
 * target committed is the directory's to say (quiesce_decide).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "directory.h"
#include "log.h"

/* Quiesce budget exceeded before resume? */
static int
quiesce_budget(struct reloc *r, double tq0)
{
	double	took = reloc_now() - tq0;

	if (!limits_quiesce_fits(took, r->max_quiesce_ms))
		return reloc_fail(r, HV_END_MAXQUIESCE, "quiesce took %.1f ms, "
		    "more than --max-quiesce %ju ms", took,
		    (uintmax_t)r->max_quiesce_ms);
	return 0;
}

static int
quiesce_stun(struct reloc *r)
{
	int	rc;

	r->stun_t0 = reloc_now();
	if ((rc = guest_freeze(r->h->conf->lab, r->def->name, true)) == -1)
		return reloc_fail(r, HV_END_FAILED, "cgroup of %s cannot be "
		    "frozen: %s", r->def->name, strerror(errno));
	r->frozen = rc == 0;
	guest_pause(r->g);
	r->paused = true;
	return 0;
}

/* The last pages, the vCPU state, the NICs and the digests. */
static int
quiesce_final(struct reloc *r)
{
	struct chan_state	cs;
	double			t[4];
	ssize_t			n;

	t[0] = reloc_now();
	if ((n = dirty_collect(r->g, r->list + r->carry)) == -1)
		return reloc_fail(r, HV_END_FAILED, "pagemap: %s",
		    strerror(errno));
	r->passes++;
	t[1] = reloc_now();
	if (outbound_send_list(r, r->list, r->carry + (size_t)n) == -1)
		return -1;
	t[2] = reloc_now();
	memset(&cs, 0, sizeof(cs));
	guest_get_state(r->g, &cs.st);
	if (r->has_rp) {
		if (replug_move(&r->rp) == -1)
			return reloc_fail(r, HV_END_FAILED, "HiperSockets NICs "
			    "of %s not re-plugged", r->def->name);
		r->replugged = true;
	}
	t[3] = reloc_now();
	cs.digest = r->verify == HV_VERIFY_FULL ?
	    digest_memory(r->g->mem, r->g->npages) :
	    digest_pages(r->hashes, r->g->npages);
	r->digest_src = cs.digest;
	if (chan_send(r->sock, r->seal, CHAN_STATE, (uint64_t)r->id, 0, 0,
	    &cs, sizeof(cs)) == -1 || outbound_wait(r, CHAN_DIGEST,
	    &r->digest_dst, sizeof(r->digest_dst), RELOC_LINK_MS) == -1)
		return reloc_fail(r, HV_END_LOST_LINK, "no digest from %s",
		    r->dst);
	log_debug("relocation %jd last pages: collect %.2f ms (%zd pages), "
	    "send %.2f ms, NICs %.2f ms, state and digest %.2f ms",
	    (intmax_t)r->id, t[1] - t[0], n, t[2] - t[1], t[3] - t[2],
	    reloc_now() - t[3]);
	if (r->digest_dst != r->digest_src)
		return reloc_fail(r, HV_END_FAILED, "digest mismatch: %016jx "
		    "on %s, %016jx on %s", (uintmax_t)r->digest_src, r->h->name,
		    (uintmax_t)r->digest_dst, r->dst);
	return 0;
}

/*
 * Did the target commit?  The directory decides: either the target moved
 * the residency, or we end the journal row first and it never will.
 */
static bool
quiesce_decide(struct reloc *r)
{
	struct dir_residency	res;
	int			rc;

	switch (dir_journal_end(r->dir, r->def->name, r->id,
	    hv_end_name(r->end), r->text)) {
	case 1:
		return false;	/* ended first: the target cannot commit */
	case -1:
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: end not recorded",
		    (intmax_t)r->id);
		break;
	}
	if ((rc = dir_residency(r->dir, r->def->name, &res)) == -1) {
		log_warnx("[HV-RELOC-JOURNAL] relocation %jd: residency of %s "
		    "unreadable, rolling back", (intmax_t)r->id, r->def->name);
		return false;
	}
	return rc == 1 && strcmp(res.member, r->dst) == 0;
}

int
quiesce_run(struct reloc *r)
{
	double	tq0, t[2];

	prio_set(r->h, false);	/* the downtime runs at hvd's priority */
	reloc_phase(r, "QUIESCE", "HV-RELOC-QUIESCE");
	tq0 = reloc_now();
	/* Nothing of the pre-copy may still be in flight. */
	while (r->acked != r->seq)
		if (outbound_wait(r, CHAN_ACK, NULL, 0, RELOC_LINK_MS) == -1)
			goto fail;
	tq0 = reloc_now();
	if (quiesce_stun(r) == -1)
		goto fail;
	t[0] = reloc_now();
	if (quiesce_final(r) == -1 || quiesce_budget(r, tq0) == -1 ||
	    reloc_limits(r) == -1)
		goto fail;
	t[1] = reloc_now();
	if (chan_send(r->sock, r->seal, CHAN_RESUME, (uint64_t)r->id, 0, 0,
	    NULL, 0) == -1 || outbound_wait(r, CHAN_RESUMED, NULL, 0,
	    RELOC_LINK_MS) == -1)
		goto fail;
	r->quiesce_ms = reloc_now() - tq0;
	log_debug("relocation %jd quiesce from %.1f ms (monotonic): stun "
	    "%.2f ms, pages+state+digest %.2f ms, resume %.2f ms, %zu pages "
	    "carried, nice %d", (intmax_t)r->id, tq0, t[0] - tq0, t[1] - t[0],
	    r->quiesce_ms - (t[1] - tq0), r->carry, prio_get());
	r->resumed = true;
	return 0;
fail:
	r->quiesce_ms = reloc_now() - tq0;
	/* After RESUME went out the target may have committed. */
	if (quiesce_decide(r)) {
		r->end = HV_END_OK;
		r->text[0] = '\0';
		r->resumed = true;
		return 0;
	}
	return -1;
}

void
quiesce_verify(struct reloc *r)
{
	r->verified = -1;
	if (r->verify == HV_VERIFY_FULL)
		r->verified = 1;
	else if (r->g != NULL)
		/* The frozen image against what was sent: nothing missed. */
		r->verified = digest_memory(r->g->mem, r->g->npages) ==
		    r->digest_src;
}
