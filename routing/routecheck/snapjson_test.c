/*
 * snapjson_test.c: the snapshot file: a recorded snapshot reads back
 * identically after a write, bad files are refused with the exact
 * field named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "routecheck.h"

#define TESTDATA	"routecheck/testdata/"

static void
test_roundtrip(void **state)
{
	struct rc_snap	*a, *b;
	struct rc_report r;
	char		 err[512] = "", path[] = "/tmp/rcsnapXXXXXX";
	int		 fd;

	(void)state;
	a = rc_snap_load(TESTDATA "good.json", err, sizeof(err));
	assert_non_null(a);
	assert_string_equal(a->lab, "rct1");
	assert_string_equal(a->residency_from, "hypervisor");
	assert_int_equal(a->nrouters, 6);
	assert_string_equal(rc_snap_residency(a, "LITDCON1"), "VM9");
	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	assert_int_equal(rc_snap_save(a, path), 0);
	b = rc_snap_load(path, err, sizeof(err));
	unlink(path);
	assert_non_null(b);
	rc_report_init(&r);
	assert_int_equal(rc_diff(a, b, &r), 0);
	assert_int_equal(rc_diff(b, a, &r), 0);
	assert_int_equal(r.checks[RC_INV_EXPECT], 2 * 6 * RC_NTABLES);
	for (size_t i = 0; i < a->nrouters; i++) {
		const struct rc_router *x = &a->routers[i];
		const struct rc_router *y = rc_snap_router(b, x->name);

		assert_non_null(y);
		assert_int_equal(x->nlinks, y->nlinks);
		assert_int_equal(x->noifs, y->noifs);
		assert_string_equal(x->source, y->source);
		for (int k = 0; k < RC_NTABLES; k++)
			assert_int_equal(x->tables[k].n, y->tables[k].n);
	}
	rc_report_free(&r);
	rc_snap_free(a);
	rc_snap_free(b);
}

static const struct {
	const char	*text;
	const char	*err;
} bad[] = {
	{ "[]", "snapshot: not a routecheck snapshot (no "
	    "\"routecheck_snapshot\")" },
	{ "{\"routecheck_snapshot\": 2, \"routers\": {}}",
	    "snapshot: snapshot version 2, this routecheck reads 1" },
	{ "{\"routecheck_snapshot\": 1}",
	    "snapshot: \"routers\" missing or not an object" },
	{ "{\"routecheck_snapshot\": 1, \"routers\": {\"A\": {\"ospf\": "
	    "[{\"prefix\": \"10.0.0.0/33\"}]}}}",
	    "routers.A.ospf[0]: \"10.0.0.0/33\" is not a prefix" },
	{ "{\"routecheck_snapshot\": 1, \"routers\": {\"A\": {\"kernel\": "
	    "[{\"prefix\": \"10.0.0.0/8\"}, {\"prefix\": \"10.1.0.0/16\", "
	    "\"nexthops\": [{\"ip\": \"10.1.0.300\", \"ifname\": \"e0\"}]}]}}}",
	    "routers.A.kernel[1].nexthops[0]: \"10.1.0.300\" is not an IPv4 "
	    "address" },
	{ "{\"routecheck_snapshot\": 1, \"routers\": {\"A\": {\"zebra\": "
	    "[{\"prefix\": \"10.0.0.0/8\", \"nexthops\": [{\"ip\": "
	    "\"10.0.0.1\"}]}]}}}",
	    "routers.A.zebra[0].nexthops[0]: \"ifname\" missing" },
	{ "{\"routecheck_snapshot\": 1, \"routers\": {\"A\": {\"links\": "
	    "{\"e0\": {\"up\": 1}}}}}",
	    "routers.A.links.e0: \"up\" is not true or false" },
	{ "{\"routecheck_snapshot\": 1, \"routers\": {\"A\": {\"ospf\": "
	    "[{\"prefix\": \"10.0.0.0/8\", \"cost\": -1}]}}}",
	    "routers.A.ospf[0]: cost or metric is not a number 0-4294967295" },
	{ "{\"routecheck_snapshot\": 1, \"residency\": {\"G\": 9}, "
	    "\"routers\": {}}",
	    "snapshot: residency of G is not a member name" },
};

static void
test_bad(void **state)
{
	struct rc_snap	*s;
	json_object	*j;
	char		 err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_non_null(j = json_tokener_parse(bad[i].text));
		s = rc_snap_from_json(j, err, sizeof(err));
		json_object_put(j);
		assert_null(s);
		assert_string_equal(err, bad[i].err);
	}
}

static void
test_bad_file(void **state)
{
	char	err[512];

	(void)state;
	assert_null(rc_snap_load(TESTDATA "nosuch.json", err, sizeof(err)));
	assert_string_equal(err, TESTDATA "nosuch.json: No such file or "
	    "directory");
	assert_null(rc_snap_load(TESTDATA "reference.yaml", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "reference.yaml: not JSON"));
}

static void
test_prefix(void **state)
{
	struct in_addr	a;
	uint8_t		len;
	char		buf[RC_PREFIX_MAX];

	(void)state;
	assert_int_equal(rc_prefix_parse("172.0.9.77/24", &a, &len), 0);
	assert_string_equal(rc_prefix_str(a, len, buf, sizeof(buf)),
	    "172.0.9.0/24");
	assert_int_equal(rc_prefix_parse("10.20.7.100", &a, &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(rc_prefix_parse("0.0.0.0/0", &a, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(rc_prefix_parse("10.0.0.0/", &a, &len), -1);
	assert_int_equal(rc_prefix_parse("/8", &a, &len), -1);
	assert_int_equal(rc_prefix_parse("10.0.0.0/8x", &a, &len), -1);
	assert_int_equal(rc_prefix_parse("router", &a, &len), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_file),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
