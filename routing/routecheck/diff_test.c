/*
 * diff_test.c: --expect, a recorded snapshot against another.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "routecheck.h"

#define TESTDATA	"routecheck/testdata/"

static struct rc_snap *
load(const char *file)
{
	struct rc_snap	*s;
	char		 path[256], err[512] = "";

	snprintf(path, sizeof(path), TESTDATA "%s", file);
	s = rc_snap_load(path, err, sizeof(err));
	assert_non_null(s);
	return s;
}

static const struct rc_violation *
find(const struct rc_report *r, const char *router, const char *prefix,
    const char *table)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].router, router) == 0 &&
		    strcmp(r->v[i].prefix, prefix) == 0 &&
		    strcmp(r->v[i].table, table) == 0)
			return &r->v[i];
	fail_msg("no difference for %s %s %s", router, prefix, table);
	return NULL;
}

/* The drain moved routes: each move is one difference per table. */
static void
test_drained(void **state)
{
	struct rc_snap		*want = load("good.json");
	struct rc_snap		*got = load("drained.json");
	const struct rc_violation *v;
	struct rc_report	 r;

	(void)state;
	rc_report_init(&r);
	assert_true(rc_diff(want, got, &r) > 0);
	assert_int_equal(rc_report_count(&r, RC_INV_EXPECT, NULL), r.n);
	v = find(&r, "LITSWAS1", "10.20.7.100/32", "ospf");
	assert_string_equal(v->expected,
	    "intra-area cost 2 via 172.0.9.100 hsi0");
	assert_string_equal(v->found, "intra-area cost 11 via 10.20.8.100 "
	    "trk1, 10.20.9.100 trk2");
	v = find(&r, "LITSWAS1", "10.20.7.100/32", "kernel");
	assert_string_equal(v->expected, "ospf metric 20 via 172.0.9.100 "
	    "hsi0");
	find(&r, "LITSWAS1", "10.20.7.100/32", "zebra");
	find(&r, "LITDCON1", "10.20.7.101/32", "ospf");
	/* ECMSS00's VIPA routes stay; LITDCON1 left the HSI LAN, so the
	 * LAN is reached through the other two HSI guests only. */
	assert_int_equal(rc_report_count(&r, RC_INV_EXPECT, "ECMSS00"), 3);
	v = find(&r, "ECMSS00", "172.0.9.0/24", "kernel");
	assert_string_equal(v->found, "ospf metric 20 via 10.20.8.101 trk1, "
	    "10.20.8.104 trk1, 10.20.9.101 trk2, 10.20.9.104 trk2");
	rc_report_free(&r);
	rc_snap_free(want);
	rc_snap_free(got);
}

/* A route only one side has. */
static void
test_added_removed(void **state)
{
	struct rc_snap		*want = load("good.json");
	struct rc_snap		*got = load("agree-stale.json");
	const struct rc_violation *v;
	struct rc_report	 r;

	(void)state;
	rc_report_init(&r);
	assert_int_equal(rc_diff(want, got, &r), 1);
	v = find(&r, "ECMSS00", "10.20.50.0/24", "kernel");
	assert_string_equal(v->expected, "absent");
	assert_string_equal(v->found, "ospf metric 20 via 10.20.8.1 trk1");
	rc_report_free(&r);
	rc_report_init(&r);
	assert_int_equal(rc_diff(got, want, &r), 1);
	v = find(&r, "ECMSS00", "10.20.50.0/24", "kernel");
	assert_string_equal(v->found, "absent");
	rc_report_free(&r);
	rc_snap_free(want);
	rc_snap_free(got);
}

/* Routers: a subset is compared; one the snapshot lacks differs. */
static void
test_routers(void **state)
{
	struct rc_snap		*want = load("good.json");
	struct rc_snap		*got = rc_snap_new("rct1");
	struct rc_router	*x;
	const struct rc_violation *v;
	struct rc_report	 r;

	(void)state;
	rc_report_init(&r);
	assert_int_equal(rc_diff(want, got, &r), 0);
	assert_non_null(x = rc_snap_router_add(got, "LITXXX"));
	x->collected = true;
	assert_int_equal(rc_diff(want, got, &r), 1);
	v = find(&r, "LITXXX", "", "");
	assert_string_equal(v->expected, "no such router in the snapshot");
	rc_report_free(&r);
	rc_snap_free(want);
	rc_snap_free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drained),
		cmocka_unit_test(test_added_removed),
		cmocka_unit_test(test_routers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
