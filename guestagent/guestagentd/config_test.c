/*
 * config_test.c: the agent's view of the reference topology, and the
 * guests it refuses to serve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "log.h"

#define REFERENCE	"../../netns-lab/topologies/reference.yaml"

static void
test_litdcon1(void **state)
{
	struct agent_conf	 c;
	const char		*names[4];

	(void)state;
	assert_int_equal(config_load(REFERENCE, "LITDCON1", &c), 0);
	assert_string_equal(config_guest_name(&c), "LITDCON1");
	assert_string_equal(c.vipa, "10.20.7.100/32");
	assert_int_equal(c.nhsi, 2);
	assert_string_equal(c.hsi[0].name, "hsi0");
	assert_string_equal(config_member_name(&c, c.hsi[0].member), "VM9");
	assert_string_equal(c.hsi[1].name, "hsi1");
	assert_string_equal(config_member_name(&c, c.hsi[1].member), "VM2");
	assert_int_equal(config_member_find(&c, "VM2"), c.hsi[1].member);
	assert_int_equal(config_member_find(&c, "VM4"), -1);
	assert_null(config_member_name(&c, -1));
	assert_null(config_member_name(&c, 9));
	assert_int_equal(config_guest_by_router_id(&c, "10.20.7.101"),
	    topo_guest_find(c.topo, "LITSWAS1"));
	assert_int_equal(config_guest_by_router_id(&c, "10.20.0.1"), -1);
	assert_int_equal(config_guest_by_router_id(&c, "garbage"), -1);
	assert_int_equal(config_guest_hsi(&c, topo_guest_find(c.topo,
	    "LITDAT01"), names, 4), 2);
	assert_string_equal(names[1], "hsi1");
	assert_int_equal(config_guest_hsi(&c, topo_guest_find(c.topo,
	    "ECMSS00"), names, 4), 0);
	assert_int_equal(config_guest_hsi(&c, 99, names, 4), 0);
	config_free(&c);
}

static void
test_refused(void **state)
{
	struct agent_conf	c;

	(void)state;
	/* No HiperSockets NIC: nothing for an agent to do. */
	assert_int_equal(config_load(REFERENCE, "ECMSS00", &c), -1);
	assert_int_equal(config_load(REFERENCE, "NOSUCH", &c), -1);
	assert_int_equal(config_load("testdata/no-such-file.yaml", "LITDCON1",
	    &c), -1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_litdcon1),
		cmocka_unit_test(test_refused),
	};

	log_init("agent_config_test", LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
