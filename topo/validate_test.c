/*
 * validate_test.c: semantic checks, every error class of the topology
 * file with its exact positioned message, and a file with several
 * errors reporting all of them.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "topo_test.h"

static const char *const want_dup_names[] = {
	"fixtures/dup-names.yaml:12:13: member VM9: name already "
	    "used by the member at line 10",
	"fixtures/dup-names.yaml:16:13: lan DC8: name already used "
	    "by the lan at line 14",
	"fixtures/dup-names.yaml:22:15: abr LITDCON1: interface name "
	    "dc8 already used at line 21",
	"fixtures/dup-names.yaml:27:13: group ECM: name already used "
	    "by the group at line 25",
	"fixtures/dup-names.yaml:27:48: group ECM: member VM9 is "
	    "listed twice",
	"fixtures/dup-names.yaml:37:11: guest ECMSS00: name already "
	    "used by the guest at line 29",
	"fixtures/dup-names.yaml:44:17: guest ECMSS00: NIC name trk1 "
	    "already used at line 43",
	"fixtures/dup-names.yaml:45:17: guest ECMSS00: NIC name "
	    "dummy0 is reserved for the VIPA interface",
	"fixtures/dup-names.yaml:45:45: guest ECMSS00: dummy0 is a "
	    "second NIC on lan DC8 (trk1 is already on it)",
	"fixtures/dup-names.yaml:45:59: guest ECMSS00: dummy0 "
	    "address 10.20.8.70 is already used by guest ECMSS00's trk1 "
	    "(line 43)",
	"fixtures/dup-names.yaml:46:11: guest LITDCON1: name already "
	    "used by the abr at line 18",
	NULL
};

static const char *const want_dup_addresses[] = {
	"fixtures/dup-addresses.yaml:15:27: lan DC10: subnet "
	    "10.20.0.0/16 overlaps VSWITCH LAN DC8 10.20.8.0/24",
	"fixtures/dup-addresses.yaml:15:27: lan DC10: subnet "
	    "10.20.0.0/16 overlaps VSWITCH LAN DC9 10.20.9.0/24",
	"fixtures/dup-addresses.yaml:34:57: guest ECMSS00: trk2 "
	    "address 10.20.9.1 has host number 1, the VIPA 10.20.7.69 "
	    "has 69 (a guest has the same host number on every network)",
	"fixtures/dup-addresses.yaml:34:57: guest ECMSS00: trk2 "
	    "address 10.20.9.1 is already used by abr ABR's dc9 (line 21)",
	"fixtures/dup-addresses.yaml:41:57: guest LITDCON1: trk1 "
	    "address 10.20.8.69 has host number 69, the VIPA 10.20.7.100 "
	    "has 100 (a guest has the same host number on every network)",
	"fixtures/dup-addresses.yaml:41:57: guest LITDCON1: trk1 "
	    "address 10.20.8.69 is already used by guest ECMSS00's trk1 "
	    "(line 33)",
	"fixtures/dup-addresses.yaml:44:51: guest LITDCON1: hsi2 is "
	    "a second HiperSockets NIC for member VM9 (hsi0 is already)",
	"fixtures/dup-addresses.yaml:44:65: guest LITDCON1: hsi2 "
	    "address 172.0.9.100 is already used by guest LITDCON1's "
	    "hsi0 (line 43)",
	NULL
};

static const char *const want_outside_lan[] = {
	"fixtures/outside-lan.yaml:19:39: abr ABR: dc8 address "
	    "10.20.8.0 is the network address of VSWITCH LAN DC8 "
	    "10.20.8.0/24",
	"fixtures/outside-lan.yaml:20:39: abr ABR: dc9 address "
	    "10.20.9.255 is the broadcast address of VSWITCH LAN DC9 "
	    "10.20.9.0/24",
	"fixtures/outside-lan.yaml:32:57: guest ECMSS00: trk1 "
	    "address 10.20.8.69/25 has a different prefix length than "
	    "VSWITCH LAN DC8 10.20.8.0/24",
	"fixtures/outside-lan.yaml:41:57: guest LITDCON1: trk2 "
	    "address 10.20.8.100 is outside VSWITCH LAN DC9 10.20.9.0/24",
	"fixtures/outside-lan.yaml:41:57: guest LITDCON1: trk2 "
	    "address 10.20.8.100 is already used by guest LITDCON1's "
	    "trk1 (line 40)",
	"fixtures/outside-lan.yaml:43:65: guest LITDCON1: hsi1 "
	    "address 172.1.9.100 is outside VM2's HiperSockets LAN "
	    "172.1.2.0/24",
	NULL
};

static const char *const want_hsi_member[] = {
	"fixtures/hsi-member.yaml:32:7: guest LITSWAS1: HiperSockets "
	    "guest has no hipersockets NIC for member VM2 of group LIT "
	    "(it needs one for every member it may run on)",
	"fixtures/hsi-member.yaml:43:51: guest ECMSS00: hsi1 is for "
	    "member VM2, where group ECM may not run (members: VM9)",
	"fixtures/hsi-member.yaml:53:51: guest LITDCON1: hsi1: "
	    "member 'VM7' is not a member of this lab (members: VM9, VM2)",
	NULL
};

static const char *const want_router_id[] = {
	"fixtures/router-id.yaml:27:11: guest ECMSS00: router id "
	    "10.20.7.69 is already the router id of abr ABR (line 17)",
	"fixtures/router-id.yaml:35:11: guest LITDCON1: router id "
	    "10.20.7.69 is already the router id of abr ABR (line 17)",
	"fixtures/router-id.yaml:35:11: guest LITDCON1: router id "
	    "10.20.7.69 is already the router id of guest ECMSS00 (line "
	    "27)",
	"fixtures/router-id.yaml:40:57: guest LITDCON1: trk1 address "
	    "10.20.8.100 has host number 100, the VIPA 10.20.7.69 has 69 "
	    "(a guest has the same host number on every network)",
	"fixtures/router-id.yaml:41:57: guest LITDCON1: trk2 address "
	    "10.20.9.100 has host number 100, the VIPA 10.20.7.69 has 69 "
	    "(a guest has the same host number on every network)",
	"fixtures/router-id.yaml:42:65: guest LITDCON1: hsi0 address "
	    "172.0.9.100 has host number 100, the VIPA 10.20.7.69 has 69 "
	    "(a guest has the same host number on every network)",
	"fixtures/router-id.yaml:43:65: guest LITDCON1: hsi1 address "
	    "172.1.2.100 has host number 100, the VIPA 10.20.7.69 has 69 "
	    "(a guest has the same host number on every network)",
	NULL
};

static const char *const want_ranges[] = {
	"fixtures/ranges.yaml:2:6: topology: lab "
	    "'a-lab-name-that-is-much-too-long' is too long (at most 31 "
	    "characters)",
	"fixtures/ranges.yaml:7:17: area: default-cost 16777216 is "
	    "out of range (0-16777215)",
	"fixtures/ranges.yaml:8:20: area: timers: hello 0 is out of "
	    "range (1-65535)",
	"fixtures/ranges.yaml:8:29: area: timers: dead 70000 is out "
	    "of range (1-65535)",
	"fixtures/ranges.yaml:8:54: area: timers: hello-multiplier "
	    "11 is out of range (0-10)",
	"fixtures/ranges.yaml:8:54: area: timers: hello-multiplier "
	    "needs dead: 1 (dead-interval minimal), dead is 70000",
	"fixtures/ranges.yaml:8:63: area: timers: spf initial hold "
	    "600001 is out of range (0-600000)",
	"fixtures/ranges.yaml:8:94: area: timers: lsa-throttle 5001 "
	    "is out of range (0-5000)",
	"fixtures/ranges.yaml:8:117: area: timers: lsa-min-arrival "
	    "600001 is out of range (0-600000)",
	"fixtures/ranges.yaml:11:23: member VM2: cpc 'CPC 2' may "
	    "only contain A-Z, a-z, 0-9, _ and -",
	"fixtures/ranges.yaml:19:73: abr ABR: dc8 priority 256 is "
	    "out of range (0-255)",
	"fixtures/ranges.yaml:29:13: guest ECMSS00: memory must be "
	    "more than 0M",
	"fixtures/ranges.yaml:32:78: guest ECMSS00: trk1 cost 0 is "
	    "out of range (1-65535)",
	"fixtures/ranges.yaml:36:16: guest LITDCON1: vipa-cost 0 is "
	    "out of range (1-65535)",
	"fixtures/ranges.yaml:42:17: guest LITDCON1: "
	    "trunk-interface2: name 'trunk-interface2' is too long (at "
	    "most 15 characters)",
	"fixtures/ranges.yaml:43:87: guest LITDCON1: hsi0 cost 65536 "
	    "is out of range (1-65535)",
	NULL
};

static const char *const want_timers[] = {
	"fixtures/timers.yaml:4:7: area: id 0.0.0.0 is the backbone; "
	    "the guests need an area of their own (e.g. 4.4.4.4)",
	"fixtures/timers.yaml:5:15: area: no-summary needs stub: "
	    "true (a totally stubby area is a stub area)",
	"fixtures/timers.yaml:7:30: area: timers: dead 10 must be "
	    "greater than hello 10 (or dead: 1 with hello-multiplier)",
	"fixtures/timers.yaml:7:39: area: timers: spf must be a list "
	    "of three numbers of ms: [delay, initial hold, maximum hold]",
	NULL
};

static const char *const want_timers2[] = {
	"fixtures/timers2.yaml:8:50: area: timers: hello-multiplier "
	    "needs dead: 1 (dead-interval minimal), dead is 4",
	"fixtures/timers2.yaml:8:58: area: timers: spf maximum hold "
	    "100 is less than the initial hold 500",
	NULL
};

static const char *const want_group[] = {
	"fixtures/group.yaml:29:12: guest LITSHA22: name does not "
	    "match group ECM's pattern 'ECM*'",
	"fixtures/group.yaml:37:12: guest ECMX: group 'EMC' is not "
	    "defined (groups: ECM, LIT, ITS)",
	"fixtures/group.yaml:44:12: guest LITDCON1: name does not "
	    "match group ITS's pattern 'TIV*'",
	"fixtures/group.yaml:46:13: guest LITDCON1: member VM2 is "
	    "not one group ITS may run on (members: VM9, VM4)",
	"fixtures/group.yaml:51:51: guest LITDCON1: hsi1 is for "
	    "member VM2, where group ITS may not run (members: VM9, VM4)",
	NULL
};

static const char *const want_several[] = {
	"fixtures/several.yaml:3:1: topology: unknown key 'version' "
	    "(allowed: lab, area, members, lans, abr, groups, guests, "
	    "hosts, directory)",
	"fixtures/several.yaml:11:43: member VM9: hipersockets "
	    "'172.0.9.0/24x' is not an IPv4 prefix (a.b.c.d/0-32)",
	"fixtures/several.yaml:16:13: lan DC8: name already used by "
	    "the lan at line 14",
	"fixtures/several.yaml:42:57: guest LITDCON1: trk1 address "
	    "10.20.8.69 has host number 69, the VIPA 10.20.7.100 has 100 "
	    "(a guest has the same host number on every network)",
	"fixtures/several.yaml:42:57: guest LITDCON1: trk1 address "
	    "10.20.8.69 is already used by guest ECMSS00's trk1 (line 34)",
	"fixtures/several.yaml:44:100: guest LITDCON1: hsi0 priority "
	    "300 is out of range (0-255)",
	"fixtures/several.yaml:45:65: guest LITDCON1: hsi1 address "
	    "172.1.9.100 is outside VM2's HiperSockets LAN 172.1.2.0/24",
	NULL
};
static const char *const want_hosts[] = {
	"fixtures/hosts-validate.yaml:11:5: member VM2: missing "
	    "key 'host' (a topology with hosts places every member "
	    "and the ABR on one: CPC9, CPC9, DC, LO)",
	"fixtures/hosts-validate.yaml:16:3: abr ABR: missing key "
	    "'host' (a topology with hosts places every member and "
	    "the ABR on one: CPC9, CPC9, DC, LO)",
	"fixtures/hosts-validate.yaml:45:29: host CPC9: underlay "
	    "10.20.8.5 is inside VSWITCH LAN DC8 10.20.8.0/24",
	"fixtures/hosts-validate.yaml:46:13: host CPC9: name "
	    "already used by the host at line 45",
	"fixtures/hosts-validate.yaml:47:27: host DC: underlay "
	    "10.255.0.2 is already host CPC9's (derived, line 46)",
	"fixtures/hosts-validate.yaml:48:27: host LO: underlay "
	    "127.0.0.1 is not a unicast host address",
	"fixtures/hosts-validate.yaml:51:21: directory: host DC "
	    "is already an etcd node (one node per host)",
	"fixtures/hosts-validate.yaml:52:14: directory: lease-ttl "
	    "1 is out of range (2-3600)",
	NULL
};

static const char *const want_hosts_sqlite[] = {
	"fixtures/hosts-sqlite.yaml:46:20: directory: kind sqlite "
	    "keeps the directory in one file on one host; members VM9 "
	    "and VM2 on hosts CPC9 and CPC2 need kind etcd",
	"fixtures/hosts-sqlite.yaml:46:35: directory: nodes is "
	    "for kind etcd; kind sqlite keeps the directory in one "
	    "file",
	NULL
};

static const char *const want_hosts_etcd[] = {
	"fixtures/hosts-etcd-nodes.yaml:44:12: directory: kind "
	    "etcd needs nodes, a list of hosts (one etcd node on "
	    "each)",
	NULL
};
static const struct test_bad_file bad_files[] = {
	{ "fixtures/dup-names.yaml", want_dup_names },
	{ "fixtures/dup-addresses.yaml", want_dup_addresses },
	{ "fixtures/outside-lan.yaml", want_outside_lan },
	{ "fixtures/hsi-member.yaml", want_hsi_member },
	{ "fixtures/router-id.yaml", want_router_id },
	{ "fixtures/ranges.yaml", want_ranges },
	{ "fixtures/timers.yaml", want_timers },
	{ "fixtures/timers2.yaml", want_timers2 },
	{ "fixtures/group.yaml", want_group },
	{ "fixtures/several.yaml", want_several },
	{ "fixtures/hosts-validate.yaml", want_hosts },
	{ "fixtures/hosts-sqlite.yaml", want_hosts_sqlite },
	{ "fixtures/hosts-etcd-nodes.yaml", want_hosts_etcd },
};

static void
test_bad_files(void **state)
{
	(void)state;
	test_bad_files_run(bad_files, sizeof(bad_files) / sizeof(bad_files[0]));
}

static void
test_good_files(void **state)
{
	static const char *const good[] = {
		REFERENCE,
		"fixtures/good-small.yaml",
		"fixtures/good-defaults.yaml",
		"fixtures/good-hosts.yaml",
		REFERENCE_HOSTS,
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		topo_free(test_load(good[i]));
}

static void
test_defaults(void **state)
{
	static const struct test_area	 want = {
		.stub = false, .no_summary = false, .default_cost = 1,
		.hello = 10, .dead = 40, .hello_multiplier = 0,
		.spf_delay = 0, .spf_hold = 50, .spf_max_hold = 5000,
		.lsa_throttle = 5000, .lsa_min_arrival = 1000,
	};
	struct topo			*t;

	t = test_load("fixtures/good-defaults.yaml");
	(void)state;
	test_area_is(&t->area, &want);
	assert_int_equal(t->guests[0].vipa_cost, 1);
	assert_int_equal(t->nhosts, 0);
	assert_int_equal(t->members[0].host, -1);
	assert_int_equal(t->abr.host, -1);
	assert_int_equal(t->directory.kind, TOPO_DIRECTORY_SQLITE);
	assert_int_equal(t->directory.nnodes, 0);
	assert_int_equal(t->directory.lease_ttl, TOPO_LEASE_TTL_DEFAULT);
	assert_int_equal(t->guests[0].ha, TOPO_HA_MANUAL);
	assert_int_equal(t->groups[0].ha, TOPO_HA_MANUAL);
	topo_free(t);
}

/* topo_validate() on a model changed after loading. */
static void
test_validate_model(void **state)
{
	struct topo		*t = test_load(REFERENCE);
	struct topo_diags	 d = { NULL, 0 };
	struct topo_guest	*g;
	char			 buf[256];

	(void)state;
	assert_int_equal(topo_validate(t, &d), 0);
	g = &t->guests[topo_guest_find(t, "LITSWAS1")];
	g->nics[3].cost = 0;			/* hsi1 */
	g->member = topo_member_find(t, "VM2");
	assert_int_equal(topo_validate(t, &d), 1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, g->nics[3].cost_pos.line);
	topo_diag_format(&d.v[0], buf, sizeof(buf));
	assert_non_null(strstr(buf, ": guest LITSWAS1: hsi1 cost 0 is out "
	    "of range (1-65535)"));
	topo_diags_free(&d);
	topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_files),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_validate_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
