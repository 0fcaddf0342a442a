/*
 * pace_test.c: when the agent asks a router again (pace.c): at once the
 * first time, at once after an event, else after a back-off that
 * doubles from 10 ms and stops at 80 ms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent.h"

static void
test_first_ask_at_once(void **state)
{
	struct pace	p;

	(void)state;
	pace_init(&p, 3);
	assert_int_equal(p.watch, 3);
	assert_true(pace_due(&p, false, 0));
	assert_true(pace_due(&p, false, 1000));
}

static void
test_backoff(void **state)
{
	struct pace	p;
	int64_t		now = 1000;
	const int	steps[] = { 10, 20, 40, 80, 80, 80 };
	size_t		i;

	(void)state;
	pace_init(&p, -1);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		pace_wait(&p, now);
		assert_false(pace_due(&p, false, now));
		assert_false(pace_due(&p, false, now + steps[i] - 1));
		assert_true(pace_due(&p, false, now + steps[i]));
		now += steps[i];
	}
}

static void
test_event_asks_at_once(void **state)
{
	struct pace	p;

	(void)state;
	pace_init(&p, 0);
	pace_wait(&p, 5000);
	pace_wait(&p, 5010);
	assert_false(pace_due(&p, false, 5011));
	assert_true(pace_due(&p, true, 5011));
	/* An event does not shorten the back-off of the asks after it. */
	pace_wait(&p, 5011);
	assert_false(pace_due(&p, false, 5011 + 39));
	assert_true(pace_due(&p, false, 5011 + 40));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_ask_at_once),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_event_asks_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
