/*
 * limits_test.c: a relocation's decisions: when pre-copy stops, what a
 * remainder costs, cancel and the time limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hvd.h"

static void
test_estimate(void **state)
{
	(void)state;
	/* 256 pages (1 MiB) at 1 MiB/s: a second */
	assert_true(limits_estimate_ms(256, 1048.576) > 999.9 &&
	    limits_estimate_ms(256, 1048.576) < 1000.1);
	/* unmeasured channel: 1e6 bytes per ms */
	assert_true(limits_estimate_ms(1000, 0) > 4.09 &&
	    limits_estimate_ms(1000, 0) < 4.1);
	assert_true(limits_estimate_ms(0, 5) == 0);
}

/* One pre-copy, pass after pass: remainder, estimate, stop? */
static void
test_precopy_done(void **state)
{
	static const struct {
		const char	*what;
		size_t		 left[6];	/* 0 ends */
		double		 est;
		int		 stop_at;	/* index of the pass, -1 */
	} cases[] = {
		{ "shrinking, large", { 9000, 8000, 7000, 6000 }, 50, -1 },
		{ "small remainder", { 9000, 64 }, 50, 1 },
		{ "remainder just above small", { 9000, 65 }, 50, -1 },
		{ "fits the aimed-at quiesce", { 9000 }, RELOC_TARGET_MS, 0 },
		{ "grew twice", { 9000, 8000, 8500, 8600 }, 50, 3 },
		{ "grew once", { 9000, 9500, 8000, 7000 }, 50, -1 },
		{ "stalled twice", { 9000, 9000, 9000 }, 50, 2 },
	};
	struct limits_pass	lp;
	size_t			i, j;
	int			at;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lp.prev = SIZE_MAX;
		lp.grew = 0;
		at = -1;
		for (j = 0; j < 6 && cases[i].left[j] != 0 && at == -1; j++)
			if (limits_precopy_done(&lp, cases[i].left[j],
			    cases[i].est, (int)j + 1))
				at = (int)j;
		if (at != cases[i].stop_at)
			fail_msg("%s: stops at pass %d, want %d", cases[i].what,
			    at, cases[i].stop_at);
	}
	lp.prev = SIZE_MAX;
	lp.grew = 0;
	assert_false(limits_precopy_done(&lp, 9000, 50, RELOC_MAX_PASSES - 1));
	assert_true(limits_precopy_done(&lp, 8000, 50, RELOC_MAX_PASSES));
}

static void
test_running(void **state)
{
	(void)state;
	assert_int_equal(limits_running(false, 10, 1000), HV_END_OK);
	assert_int_equal(limits_running(false, 1000, 1000), HV_END_OK);
	assert_int_equal(limits_running(false, 1000.5, 1000), HV_END_MAXTOTAL);
	assert_int_equal(limits_running(true, 10, 1000), HV_END_CANCELLED);
	assert_int_equal(limits_running(true, 5000, 1000), HV_END_CANCELLED);
}

static void
test_quiesce(void **state)
{
	(void)state;
	assert_true(limits_quiesce_fits(1e9, HV_UNSET));
	assert_true(limits_quiesce_fits(5, 5));
	assert_false(limits_quiesce_fits(5.01, 5));
	assert_true(limits_quiesce_fits(0, 0));
	assert_false(limits_quiesce_fits(0.1, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimate),
		cmocka_unit_test(test_precopy_done),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_quiesce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
