/*
 * metrics_test.c: the registry alone: names and bounds refused, the
 * exact exposition text of each type, escaping, cumulative buckets,
 * updates of the wrong kind refused.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console.h"

static void
test_names(void **state)
{
	static const struct {
		const char	*name;
		const char	*label;
		bool		 ok;
	} cases[] = {
		{ "lgr_ok_total", NULL, true },
		{ "lgr:rule_total", "end_code", true },
		{ "_x", "_y", true },
		{ "", NULL, false },
		{ "9lives", NULL, false },
		{ "bad-name", NULL, false },
		{ "bad name", NULL, false },
		{ "ok", "bad:label", false },
		{ "ok", "__reserved", false },
		{ "ok", "", false },
		{ "ok", "1x", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct metrics	*m = metrics_new();
		struct metric	*f;

		assert_non_null(m);
		errno = 0;
		f = metrics_add(m, METRIC_COUNTER, cases[i].name, "h",
		    cases[i].label, NULL, 0);
		if (cases[i].ok)
			assert_non_null(f);
		else {
			assert_null(f);
			assert_int_equal(errno, EINVAL);
		}
		metrics_free(m);
	}
}

static void
test_bounds(void **state)
{
	struct metrics	*m = metrics_new();
	static const double up[] = { 1, 2 }, down[] = { 2, 1 }, same[] = { 1, 1 };
	double		 inf[] = { 1, INFINITY };

	(void)state;
	assert_null(metrics_add(m, METRIC_HISTOGRAM, "h1", "", NULL, NULL, 0));
	assert_null(metrics_add(m, METRIC_HISTOGRAM, "h2", "", NULL, down, 2));
	assert_null(metrics_add(m, METRIC_HISTOGRAM, "h3", "", NULL, same, 2));
	assert_null(metrics_add(m, METRIC_HISTOGRAM, "h4", "", NULL, inf, 2));
	assert_null(metrics_add(m, METRIC_HISTOGRAM, "h5", "", "le", up, 2));
	assert_null(metrics_add(m, METRIC_GAUGE, "g", "", NULL, up, 2));
	assert_non_null(metrics_add(m, METRIC_HISTOGRAM, "h6", "", NULL, up, 2));
	errno = 0;
	assert_null(metrics_add(m, METRIC_GAUGE, "h6", "", NULL, NULL, 0));
	assert_int_equal(errno, EEXIST);
	metrics_free(m);
}

static void
test_print(void **state)
{
	struct metrics	*m = metrics_new();
	struct metric	*c, *g, *h, *l;
	static const double b[] = { 0.005, 0.1, 1 };
	char		*text;
	const char	*want =
	    "# HELP t_total Things\\\\done.\\nSecond line.\n"
	    "# TYPE t_total counter\n"
	    "t_total{code=\"ok\"} 3\n"
	    "t_total{code=\"a\\\"b\\\\c\\nd\"} 0.5\n"
	    "# HELP g_up Up.\n"
	    "# TYPE g_up gauge\n"
	    "g_up 0\n"
	    "# HELP d_seconds Time.\n"
	    "# TYPE d_seconds histogram\n"
	    "d_seconds_bucket{le=\"0.005\"} 1\n"
	    "d_seconds_bucket{le=\"0.1\"} 1\n"
	    "d_seconds_bucket{le=\"1\"} 2\n"
	    "d_seconds_bucket{le=\"+Inf\"} 3\n"
	    "d_seconds_sum 3.505\n"
	    "d_seconds_count 3\n"
	    "# HELP l_seconds By member.\n"
	    "# TYPE l_seconds histogram\n"
	    "l_seconds_bucket{member=\"VM9\",le=\"0.005\"} 0\n"
	    "l_seconds_bucket{member=\"VM9\",le=\"0.1\"} 1\n"
	    "l_seconds_bucket{member=\"VM9\",le=\"1\"} 1\n"
	    "l_seconds_bucket{member=\"VM9\",le=\"+Inf\"} 1\n"
	    "l_seconds_sum 0.1\n";

	(void)state;
	c = metrics_add(m, METRIC_COUNTER, "t_total",
	    "Things\\done.\nSecond line.", "code", NULL, 0);
	g = metrics_add(m, METRIC_GAUGE, "g_up", "Up.", NULL, NULL, 0);
	h = metrics_add(m, METRIC_HISTOGRAM, "d_seconds", "Time.", NULL, b, 3);
	l = metrics_add(m, METRIC_HISTOGRAM, "l_seconds", "By member.",
	    "member", b, 3);
	assert_int_equal(metric_inc(c, "ok", 1), 0);
	assert_int_equal(metric_inc(c, "ok", 2), 0);
	assert_int_equal(metric_inc(c, "a\"b\\c\nd", 0.5), 0);
	assert_int_equal(metric_observe(h, NULL, 0.005), 0);
	assert_int_equal(metric_observe(h, NULL, 0.5), 0);
	assert_int_equal(metric_observe(h, NULL, 3), 0);
	assert_int_equal(metric_observe(l, "VM9", 0.1), 0);
	assert_non_null(g);
	text = metrics_print(m, NULL);
	assert_non_null(text);
	/* The labelled histogram's sum line carries the label too. */
	assert_non_null(strstr(text, "l_seconds_sum{member=\"VM9\"} 0.1\n"));
	assert_non_null(strstr(text, "l_seconds_count{member=\"VM9\"} 1\n"));
	assert_memory_equal(text, want, strlen(want) - strlen(
	    "l_seconds_sum 0.1\n"));
	free(text);
	metrics_free(m);
}

static void
test_wrong_updates(void **state)
{
	struct metrics	*m = metrics_new();
	struct metric	*c, *g;
	char		*text;

	(void)state;
	c = metrics_add(m, METRIC_COUNTER, "c_total", "", "code", NULL, 0);
	g = metrics_add(m, METRIC_GAUGE, "g", "", NULL, NULL, 0);
	assert_int_equal(metric_inc(c, "x", -1), -1);
	assert_int_equal(metric_inc(c, "x", NAN), -1);
	assert_int_equal(metric_inc(c, NULL, 1), -1);
	assert_int_equal(metric_set(g, "x", 1), -1);
	assert_int_equal(metric_set(c, "x", 1), -1);
	assert_int_equal(metric_observe(g, NULL, 1), -1);
	assert_int_equal(metric_set(g, NULL, 2.25), 0);
	assert_int_equal(metric_set(g, NULL, -1), 0);
	assert_int_equal(metric_inc(c, "x", 1), 0);
	metric_clear(c);
	text = metrics_print(m, NULL);
	assert_string_equal(text, "# HELP c_total \n# TYPE c_total counter\n"
	    "# HELP g \n# TYPE g gauge\ng -1\n");
	free(text);
	metrics_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_wrong_updates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
