/*
 * frrjson_test.c: ospfd's and zebra's vty JSON, recorded from LITSWAS1 of
 * the converged reference lab, read into the same tables as the
 * snapshot that ospfd_lgr.so's "routes" gave at the same time.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "routecheck.h"

#define TESTDATA	"routecheck/testdata/"

static const struct rc_router *
recorded(struct rc_snap **s, const char *name)
{
	char	err[512] = "";

	*s = rc_snap_load(TESTDATA "good.json", err, sizeof(err));
	assert_non_null(*s);
	return rc_snap_router(*s, name);
}

static void
assert_same_table(const struct rc_table *a, const struct rc_table *b,
    bool kind)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].dst.s_addr, b->v[i].dst.s_addr);
		assert_int_equal(a->v[i].len, b->v[i].len);
		assert_int_equal(a->v[i].metric, b->v[i].metric);
		if (kind)
			assert_string_equal(a->v[i].kind, b->v[i].kind);
		assert_true(rc_route_same_nexthops(&a->v[i], &b->v[i]));
	}
}

static void
test_ospf_vty(void **state)
{
	struct rc_snap		*s;
	const struct rc_router	*r = recorded(&s, "LITSWAS1");
	struct rc_table		 t = { 0 };
	json_object		*j;

	(void)state;
	assert_non_null(j = json_object_from_file(TESTDATA
	    "LITSWAS1-ospf-vty.json"));
	assert_int_equal(rc_ospf_from_vty(&t, j), 0);
	json_object_put(j);
	/* The ABR's router route (keyed "10.20.0.1") is not a network. */
	assert_int_equal(t.n, 9);
	assert_same_table(&t, &r->tables[RC_TABLE_OSPF], true);
	assert_true(rc_route_attached(rc_table_find(&t,
	    (struct in_addr){ htonl(0xac000900) }, 24)));
	rc_table_clear(&t);
	rc_snap_free(s);
}

static void
test_zebra_vty(void **state)
{
	struct rc_snap		*s;
	const struct rc_router	*r = recorded(&s, "LITSWAS1");
	const struct rc_route	*rt;
	struct rc_table		 t = { 0 };
	json_object		*j;

	(void)state;
	assert_non_null(j = json_object_from_file(TESTDATA
	    "LITSWAS1-zebra-vty.json"));
	assert_int_equal(rc_zebra_from_vty(&t, j), 0);
	json_object_put(j);
	assert_same_table(&t, &r->tables[RC_TABLE_ZEBRA], true);
	/* Attached OSPF routes are in zebra, not installed. */
	rt = rc_table_find(&t, (struct in_addr){ htonl(0x0a140800) }, 24);
	assert_non_null(rt);
	assert_false(rt->installed);
	rt = rc_table_find(&t, (struct in_addr){ 0 }, 0);
	assert_non_null(rt);
	assert_true(rt->installed);
	assert_int_equal(rt->nnh, 2);
	rc_table_clear(&t);
	rc_snap_free(s);
}

static void
test_plugin_route(void **state)
{
	struct rc_table	 t = { 0 };
	json_object	*j;
	char		 buf[200];

	(void)state;
	j = json_tokener_parse("{\"cost\": 11, \"path_type\": \"intra-area\","
	    "\"nexthops\": [{\"ip\": \"10.20.9.69\", \"ifname\": \"trk2\"}, "
	    "{\"ip\": \"10.20.8.69\", \"ifname\": \"trk1\"}, "
	    "{\"directly_attached\": true, \"ifname\": \"hsi0\"}], "
	    "\"prefix\": \"10.20.7.69/32\"}");
	assert_int_equal(rc_ospf_from_plugin(&t, j), 0);
	json_object_put(j);
	/* No prefix: skipped, not an error. */
	j = json_tokener_parse("{\"cost\": 1}");
	assert_int_equal(rc_ospf_from_plugin(&t, j), 0);
	json_object_put(j);
	j = json_tokener_parse("[1]");
	assert_int_equal(rc_ospf_from_plugin(&t, j), -1);
	json_object_put(j);
	rc_table_sort(&t);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].metric, 11);
	assert_string_equal(t.v[0].kind, "intra-area");
	assert_string_equal(rc_nexthops_str(t.v[0].nh, t.v[0].nnh, buf,
	    sizeof(buf)), "attached hsi0, 10.20.8.69 trk1, 10.20.9.69 trk2");
	rc_table_clear(&t);
}

static void
test_plugin_state(void **state)
{
	struct rc_router	 r;
	json_object		*j;

	(void)state;
	memset(&r, 0, sizeof(r));
	j = json_tokener_parse("{\"ifname\": \"hsi0\", \"state\": \"DROther\","
	    " \"drained\": true, \"cost\": 1}");
	assert_int_equal(rc_ospf_if_from_plugin(&r, j), 0);
	json_object_put(j);
	assert_non_null(rc_router_ospf_if(&r, "hsi0"));
	assert_true(rc_router_ospf_if(&r, "hsi0")->drained);
	assert_string_equal(rc_router_ospf_if(&r, "hsi0")->state, "DROther");
	j = json_tokener_parse("{\"state\": \"DR\"}");
	assert_int_equal(rc_ospf_if_from_plugin(&r, j), -1);
	json_object_put(j);
	free(r.oifs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ospf_vty),
		cmocka_unit_test(test_zebra_vty),
		cmocka_unit_test(test_plugin_route),
		cmocka_unit_test(test_plugin_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
