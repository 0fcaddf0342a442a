/*
 * evidence_test.c: reading ospfd_lgr's state and routes answers, from
 * fixture files captured in the reference lab with drainctl -j
 * (testdata/: LITDCON1 on VM9, then alone on VM2 after its move;
 * LITSWAS1's routes before and after LITDCON1's prepare; LITDAT01
 * draining hsi0), and from
 * malformed answers that must count as "not shown".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"

/* An array of the data objects of an answer, from a fixture file. */
static struct json_object *
fixture(const char *name)
{
	char			 path[256];
	struct json_object	*o;

	snprintf(path, sizeof(path), "testdata/%s", name);
	o = json_object_from_file(path);
	if (o == NULL || !json_object_is_type(o, json_type_array))
		fail_msg("fixture %s: not a JSON array", path);
	return o;
}

static void
test_iface_dr_alone(void **state)
{
	struct json_object	*st = fixture("state_dcon1_vm2_alone.json");
	struct evidence_if	 e;

	(void)state;
	assert_int_equal(evidence_iface(st, "hsi1", &e), 0);
	assert_true(e.dr);
	assert_true(e.link_up);
	assert_false(e.drained);
	assert_int_equal(e.nfull, 0);
	/* ospfd forgets an interface that is down. */
	assert_int_equal(evidence_iface(st, "hsi0", &e), -1);
	assert_int_equal(evidence_iface(st, "eth7", &e), -1);
	assert_false(e.found);
	json_object_put(st);
}

static void
test_iface_full_and_neighbors(void **state)
{
	struct json_object	*st = fixture("state_dcon1_vm9.json");
	struct evidence_if	 e;
	char			 rid[8][INET_ADDRSTRLEN];
	size_t			 n;

	(void)state;
	assert_int_equal(evidence_iface(st, "hsi0", &e), 0);
	assert_int_equal(e.nfull, 2);
	assert_false(e.dr);
	n = evidence_neighbors(st, "hsi0", rid, 8);
	assert_int_equal(n, 2);
	assert_string_equal(rid[0], "10.20.7.101");
	assert_string_equal(rid[1], "10.20.7.104");
	assert_int_equal(evidence_neighbors(st, "hsi0", rid, 1), 1);
	assert_int_equal(evidence_neighbors(st, "hsi1", rid, 8), 0);
	json_object_put(st);
}

static void
test_iface_drained(void **state)
{
	struct json_object	*st = fixture("state_dat01_drained.json");
	struct evidence_if	 e;

	(void)state;
	assert_int_equal(evidence_iface(st, "hsi0", &e), 0);
	assert_true(e.drained);
	assert_int_equal(e.priority, 0);
	assert_true(e.link_up);
	/* Never up yet: ospfd lists it, Down. */
	assert_int_equal(evidence_iface(st, "hsi1", &e), 0);
	assert_false(e.link_up);
	assert_string_equal(e.state, "Down");
	assert_false(evidence_iface_up(&e));
	json_object_put(st);
}

/* Up for ospfd: link up and past Waiting; not found is not up. */
static void
test_iface_up(void **state)
{
	struct json_object	*st = fixture("state_dat01_drained.json");
	struct evidence_if	 e;

	(void)state;
	assert_int_equal(evidence_iface(st, "hsi0", &e), 0);
	assert_true(evidence_iface_up(&e));
	snprintf(e.state, sizeof(e.state), "Waiting");
	assert_false(evidence_iface_up(&e));
	snprintf(e.state, sizeof(e.state), "DROther");
	e.link_up = false;
	assert_false(evidence_iface_up(&e));
	assert_int_equal(evidence_iface(st, "eth7", &e), -1);
	assert_false(evidence_iface_up(&e));
	json_object_put(st);
}

static const char *const hsi_ifs[] = { "hsi0", "hsi1" };

static void
test_route_avoids(void **state)
{
	struct json_object	*hsi = fixture("routes_swas1_hsi.json");
	struct json_object	*trk = fixture("routes_swas1_trk.json");

	(void)state;
	assert_int_equal(evidence_route_avoids(hsi, "10.20.7.100/32", hsi_ifs,
	    2), 0);
	assert_int_equal(evidence_route_avoids(trk, "10.20.7.100/32", hsi_ifs,
	    2), 1);
	assert_int_equal(evidence_route_avoids(trk, "10.99.0.0/16", hsi_ifs,
	    2), -1);
	json_object_put(hsi);
	json_object_put(trk);
}

static void
test_routes_avoid_except_lans(void **state)
{
	struct json_object	*peer = fixture("routes_swas1_trk.json");
	struct json_object	*own = fixture("routes_dcon1_vm2.json");
	const char		*lans[] = { "172.0.9.0/24", "172.1.2.0/24" };
	const char		*first;

	(void)state;
	/* LITSWAS1 still reaches LITDAT01 over hsi0. */
	assert_false(evidence_routes_avoid(peer, hsi_ifs, 2, lans, 2,
	    &first));
	assert_string_equal(first, "10.20.7.104/32");
	/* LITDCON1 alone on VM2: only its attached LAN is over hsi1. */
	assert_true(evidence_routes_avoid(own, hsi_ifs, 2, lans, 2, &first));
	assert_null(first);
	assert_false(evidence_routes_avoid(own, hsi_ifs, 2, NULL, 0, &first));
	assert_string_equal(first, "172.1.2.0/24");
	json_object_put(peer);
	json_object_put(own);
}

/* Wrong types and missing members never count as evidence. */
static const char *const malformed[] = {
	"[{\"ifname\":7,\"state\":\"DR\"}]",
	"[{\"ifname\":\"hsi1\",\"state\":5,\"link_up\":\"yes\"}]",
	"[{\"ifname\":\"hsi1\",\"neighbors\":{\"state\":\"Full\"}}]",
	"[{\"ifname\":\"hsi1\",\"neighbors\":[{\"state\":1}, 3, null]}]",
	"[null, 1, \"x\"]",
	"{\"ifname\":\"hsi1\"}",
};

static void
test_malformed_state(void **state)
{
	struct evidence_if	 e;
	struct json_object	*o;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		o = json_tokener_parse(malformed[i]);
		evidence_iface(o, "hsi1", &e);
		assert_false(e.dr);
		assert_false(e.link_up);
		assert_int_equal(e.nfull, 0);
		json_object_put(o);
	}
	assert_int_equal(evidence_iface(NULL, "hsi1", &e), -1);
}

static void
test_malformed_routes(void **state)
{
	struct json_object	*o;
	const char		*first;

	(void)state;
	o = json_tokener_parse("[{\"prefix\":\"10.20.7.100/32\","
	    "\"nexthops\":\"hsi0\"}, {\"prefix\":1}]");
	assert_int_equal(evidence_route_avoids(o, "10.20.7.100/32", hsi_ifs,
	    2), -1);
	assert_true(evidence_routes_avoid(o, hsi_ifs, 2, NULL, 0, &first));
	json_object_put(o);
	o = json_tokener_parse("[{\"prefix\":\"10.20.7.100/32\","
	    "\"nexthops\":[{\"ifname\":3},{\"ip\":\"1.2.3.4\"}]}]");
	assert_int_equal(evidence_route_avoids(o, "10.20.7.100/32", hsi_ifs,
	    2), 1);
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_iface_dr_alone),
		cmocka_unit_test(test_iface_full_and_neighbors),
		cmocka_unit_test(test_iface_drained),
		cmocka_unit_test(test_iface_up),
		cmocka_unit_test(test_route_avoids),
		cmocka_unit_test(test_routes_avoid_except_lans),
		cmocka_unit_test(test_malformed_state),
		cmocka_unit_test(test_malformed_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
