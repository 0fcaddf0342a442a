/*
 * stats_test.c: the probe engine's statistics from made-up send and
 * answer times: round trips, gaps, runs of losses, late answers, and
 * the totals and JSON of a probe set that never ran.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "probe_priv.h"

/* n probes sent every 10 ms from t = 0. */
static void
flow_sent(struct probe_flow *f, uint32_t n)
{
	memset(f, 0, sizeof(*f));
	while (f->cap < n)
		assert_int_equal(probe_flow_grow(f), 0);
	for (uint32_t i = 0; i < n; i++)
		f->sent_ms[i] = 10.0 * i;
	f->sent = n;
}

static void
flow_free(struct probe_flow *f)
{
	free(f->sent_ms);
	free(f->ok);
}

static void
test_no_loss(void **state)
{
	struct probe_flow	f;

	(void)state;
	flow_sent(&f, 5);
	for (uint32_t i = 0; i < 5; i++)
		probe_flow_answer(&f, i, 10.0 * i + 1.5);
	assert_int_equal(f.answered, 5);
	assert_int_equal(f.next, 5);
	assert_int_equal(f.lost_run, 0);
	assert_true(f.rtt_ms == 1.5);
	assert_true(f.gap_ms == 1.5);	/* no loss: the largest round trip */
	flow_free(&f);
}

static void
test_run_of_losses(void **state)
{
	struct probe_flow	f;

	(void)state;
	flow_sent(&f, 10);
	probe_flow_answer(&f, 0, 1.0);
	/* 1, 2, 3 lost; 4 answered at 42 ms: the gap runs from 10 ms. */
	probe_flow_answer(&f, 4, 42.0);
	assert_int_equal(f.lost_run, 3);
	assert_true(f.gap_ms == 32.0);
	assert_int_equal(f.next, 5);
	/* A late answer to 2 counts as answered, without a new gap. */
	probe_flow_answer(&f, 2, 50.0);
	assert_int_equal(f.answered, 3);
	assert_true(f.gap_ms == 32.0);
	/* Twice the same answer is counted once. */
	probe_flow_answer(&f, 2, 51.0);
	assert_int_equal(f.answered, 3);
	/* An answer to a probe never sent is ignored. */
	probe_flow_answer(&f, 99, 60.0);
	assert_int_equal(f.answered, 3);
	flow_free(&f);
}

static void
test_loss_at_the_end(void **state)
{
	struct probe_flow	f;

	(void)state;
	flow_sent(&f, 6);
	probe_flow_answer(&f, 0, 1.0);
	probe_flow_answer(&f, 1, 11.0);
	/* 2-5 never answered: the end closes the run at 100 ms. */
	probe_flow_run_end(&f, f.sent, 100.0);
	assert_int_equal(f.lost_run, 4);
	assert_true(f.gap_ms == 80.0);
	flow_free(&f);
}

static void
test_totals_of_a_set(void **state)
{
	struct probe_opts	 o = { .lab = "t", .interval_ms = 10,
				    .port = 7447, .grace_ms = 100 };
	struct probe_endpoint	 a = { .guest = "A" }, b = { .guest = "B" };
	struct probe_stats	 st;
	struct json_object	*j, *v;
	struct probe		*p;

	(void)state;
	assert_null(probe_new(&(struct probe_opts){ .lab = "t" }));
	assert_non_null(p = probe_new(&o));
	assert_int_equal(probe_add(p, &a, &a), -1);	/* same guest */
	assert_int_equal(probe_add(p, &a, &b), 0);
	assert_int_equal(probe_add(p, &b, &a), 0);
	assert_int_equal(probe_count(p), 2);
	flow_free(&p->flows[0]);
	flow_sent(&p->flows[0], 4);
	p->flows[0].from = a;
	p->flows[0].to = b;
	probe_flow_answer(&p->flows[0], 0, 2.0);
	probe_flow_answer(&p->flows[0], 3, 35.0);
	probe_finish(p);
	assert_int_equal(probe_stats_get(p, 0, &st), 0);
	assert_string_equal(st.from, "A");
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.lost, 2);
	assert_int_equal(st.lost_run, 2);
	assert_int_equal(probe_stats_get(p, 2, &st), -1);
	probe_total(p, &st);
	assert_int_equal(st.sent, 4);
	assert_true(st.longest_gap_ms == 25.0);
	assert_true(st.longest_gap_at == 10.0);	/* seq 1 waited longest */
	j = probe_json(p);
	assert_true(json_object_object_get_ex(j, "total", &v));
	assert_int_equal(json_object_get_int(json_object_object_get(v,
	    "lost")), 2);
	assert_true(json_object_get_double(json_object_object_get(v,
	    "longest_gap_at_ms")) == 10.0);
	json_object_put(j);
	probe_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_loss),
		cmocka_unit_test(test_run_of_losses),
		cmocka_unit_test(test_loss_at_the_end),
		cmocka_unit_test(test_totals_of_a_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
