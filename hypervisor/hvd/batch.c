/*
 * batch.c: wire batching of a relocation, pure: which pages go into the
 * next PAGES frame, and how long the rate limit holds the next one back.
 */
#include "hvd.h"

/* Consecutive page numbers at the start of list[0, n), at most max. */
static size_t
batch_run_len(const uint32_t *list, size_t n, size_t max)
{
	size_t	k = 1;

	while (k < n && k < max && list[k] == list[k - 1] + 1)
		k++;
	return k;
}

size_t
batch_len(const uint32_t *list, size_t n, bool *run)
{
	size_t	k, i = 0, max = n < CHAN_BATCH ? n : CHAN_BATCH;

	if ((k = batch_run_len(list, n, max)) >= RELOC_RUN_MIN || k == n) {
		*run = true;
		return k;
	}
	*run = false;
	while (i < max && (i == 0 || batch_run_len(list + i, n - i,
	    RELOC_RUN_MIN) < RELOC_RUN_MIN))
		i++;
	return i;
}

double
batch_throttle_ms(uint64_t bytes, uint64_t rate_mib, double elapsed_ms)
{
	if (rate_mib == 0)
		return 0;
	/* MiB/s = 1048.576 bytes per ms */
	return (double)bytes / ((double)rate_mib * 1048.576) - elapsed_ms;
}

void
batch_rate_start(struct batch_rate *b, uint64_t rate_mib, double now_ms)
{
	b->rate_mib = rate_mib;
	b->t0 = now_ms;
	b->bytes0 = 0;
}

double
batch_rate_wait_ms(struct batch_rate *b, uint64_t rate_mib, uint64_t bytes,
    double now_ms)
{
	if (rate_mib != b->rate_mib || bytes < b->bytes0) {
		b->rate_mib = rate_mib;
		b->t0 = now_ms;
		b->bytes0 = bytes;
	}
	return batch_throttle_ms(bytes - b->bytes0, rate_mib, now_ms - b->t0);
}
