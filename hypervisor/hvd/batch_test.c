/*
 * batch_test.c: wire batching, table-driven: which pages the next frame
 * takes and whether they go out as one run, and the rate limit's wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hvd.h"

#define MAXLIST	600

/* A list from segments {first, count, step}, ended by count 0. */
struct seg {
	uint32_t	first, count, step;
};

static size_t
build(const struct seg *s, uint32_t *list)
{
	size_t		n = 0;
	uint32_t	i;

	for (; s->count != 0; s++)
		for (i = 0; i < s->count && n < MAXLIST; i++)
			list[n++] = s->first + i * s->step;
	return n;
}

static void
test_batch_len(void **state)
{
	static const struct {
		const char	*what;
		struct seg	 segs[4];
		size_t		 k;
		bool		 run;
	} cases[] = {
		{ "one page", { { 5, 1, 1 }, { 0, 0, 0 } }, 1, true },
		{ "a long run: one full frame", { { 0, 300, 1 }, { 0, 0, 0 } },
		    CHAN_BATCH, true },
		{ "a run of exactly RELOC_RUN_MIN", { { 0, 16, 1 },
		    { 30, 1, 1 }, { 0, 0, 0 } }, 16, true },
		{ "all of a short run", { { 7, 10, 1 }, { 0, 0, 0 } }, 10,
		    true },
		{ "scattered", { { 0, 10, 2 }, { 0, 0, 0 } }, 10, false },
		{ "scattered up to a run", { { 1, 3, 2 }, { 10, 16, 1 },
		    { 0, 0, 0 } }, 3, false },
		{ "a run too short, then scattered", { { 0, 15, 1 },
		    { 20, 2, 2 }, { 0, 0, 0 } }, 17, false },
		{ "many scattered: one full frame", { { 0, 400, 3 },
		    { 0, 0, 0 } }, CHAN_BATCH, false },
	};
	uint32_t	list[MAXLIST];
	size_t		i, n, k;
	bool		run;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = build(cases[i].segs, list);
		run = !cases[i].run;
		k = batch_len(list, n, &run);
		if (k != cases[i].k || run != cases[i].run)
			fail_msg("%s: %zu pages (run %d), want %zu (run %d)",
			    cases[i].what, k, run, cases[i].k, cases[i].run);
	}
}

/* Every page of a list goes out once, in order, whatever its shape. */
static void
test_batch_cover(void **state)
{
	uint32_t	list[MAXLIST];
	size_t		n = 0, i, k;
	bool		run;
	uint32_t	p = 0;

	(void)state;
	while (n < MAXLIST) {	/* runs and gaps of every length */
		list[n++] = p;
		p += (n % 7 == 0 || n % 23 == 0) ? 3 : 1;
	}
	for (i = 0; i < n; i += k) {
		k = batch_len(list + i, n - i, &run);
		assert_true(k >= 1 && k <= CHAN_BATCH && i + k <= n);
		if (run)
			assert_int_equal(list[i + k - 1] - list[i], k - 1);
	}
	assert_int_equal(i, n);
}

static void
test_throttle(void **state)
{
	(void)state;
	assert_true(batch_throttle_ms(1 << 20, 0, 0) <= 0);
	assert_true(batch_throttle_ms(1 << 20, 1, 0) > 999.9 &&
	    batch_throttle_ms(1 << 20, 1, 0) < 1000.1);
	assert_true(batch_throttle_ms(1 << 20, 1, 1000) <= 0);
	assert_true(batch_throttle_ms(2 << 20, 4, 100) > 399.9 &&
	    batch_throttle_ms(2 << 20, 4, 100) < 400.1);
	assert_true(batch_throttle_ms(2 << 20, 4, 600) <= 0);
}

/* A cap set during a pass limits the rate from then on. */
static void
test_rate_changed(void **state)
{
	struct batch_rate	b;
	double			w;

	(void)state;
	batch_rate_start(&b, 0, 0);
	assert_true(batch_rate_wait_ms(&b, 0, 100 << 20, 100) <= 0);
	/* 100 MiB went out uncapped; capped at 4 MiB/s now: no stall. */
	assert_true(batch_rate_wait_ms(&b, 4, 100 << 20, 100) <= 0);
	w = batch_rate_wait_ms(&b, 4, 101 << 20, 100);
	assert_true(w > 249.9 && w < 250.1);
	/* Raised to 8 MiB/s while waiting: counted from then at 8. */
	assert_true(batch_rate_wait_ms(&b, 8, 101 << 20, 150) <= 0);
	w = batch_rate_wait_ms(&b, 8, 102 << 20, 150);
	assert_true(w > 124.9 && w < 125.1);
	/* A new pass starts its own account. */
	batch_rate_start(&b, 8, 1000);
	w = batch_rate_wait_ms(&b, 8, 1 << 20, 1000);
	assert_true(w > 124.9 && w < 125.1);
	assert_true(batch_rate_wait_ms(&b, 8, 1 << 20, 1125.1) <= 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_len),
		cmocka_unit_test(test_batch_cover),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_rate_changed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
