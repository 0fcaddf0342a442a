/*
 * limits.c: the decisions of a relocation, pure: when pre-copy stops,
 * what the remainder would cost in quiesce, and the operator's limits
 * (cancel, --max-total, --max-quiesce).
 */
#include "hvd.h"

double
limits_estimate_ms(size_t pages, double bw)
{
	return (double)pages * HV_PAGE / (bw > 0 ? bw : 1e6);
}

/*
 * Stop when the remainder is small or fits the aimed-at quiesce time,
 * when passes stop shrinking (twice), or after RELOC_MAX_PASSES.
 */
bool
limits_precopy_done(struct limits_pass *p, size_t n, double est_ms,
    int passes)
{
	if (n >= p->prev)
		p->grew++;
	p->prev = n;
	return n <= RELOC_SMALL_PAGES || est_ms <= RELOC_TARGET_MS ||
	    p->grew >= 2 || passes >= RELOC_MAX_PASSES;
}

enum hv_end
limits_running(bool cancel, double elapsed_ms, uint64_t max_total_ms)
{
	if (cancel)
		return HV_END_CANCELLED;
	if (elapsed_ms > (double)max_total_ms)
		return HV_END_MAXTOTAL;
	return HV_END_OK;
}

bool
limits_quiesce_fits(double ms, uint64_t max_quiesce_ms)
{
	return max_quiesce_ms == HV_UNSET || ms <= (double)max_quiesce_ms;
}
