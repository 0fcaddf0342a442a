/*
 * parse_test.c: the parser on the reference topology and on fixtures
 * with syntax, key, type and CIDR errors, asserting exact messages.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "topo_test.h"

static const char *const want_syntax[] = {
	"fixtures/syntax.yaml:15:4: YAML syntax error: did not find "
	    "expected ',' or '}' (while parsing a flow mapping at line "
	    "14, column 5)",
	NULL
};

static const char *const want_empty[] = {
	"fixtures/empty.yaml:1:1: the file is empty; a topology "
	    "needs lab, area, members, lans, abr, groups and guests",
	NULL
};

static const char *const want_not_mapping[] = {
	"fixtures/not-mapping.yaml:2:1: topology: expected a mapping "
	    "with keys lab, area, members, lans, abr, groups, guests, "
	    "hosts, directory, "
	    "not a list",
	NULL
};

static const char *const want_unknown_key[] = {
	"fixtures/unknown-key.yaml:3:1: topology: unknown key "
	    "'colour' (allowed: lab, area, members, lans, abr, groups, "
	    "guests, hosts, directory)",
	"fixtures/unknown-key.yaml:9:53: area: timers: unknown key "
	    "'jitter' (allowed: hello, dead, hello-multiplier, spf, "
	    "lsa-throttle, lsa-min-arrival, retransmit)",
	"fixtures/unknown-key.yaml:11:69: member VM9: unknown key "
	    "'cpus' (allowed: name, cpc, hipersockets, memory, host)",
	"fixtures/unknown-key.yaml:22:3: abr ABR: unknown key 'area' "
	    "(allowed: name, router-id, interfaces, backbone, host)",
	"fixtures/unknown-key.yaml:33:5: guest ECMSS00: unknown key "
	    "'owner' (allowed: name, vipa, vipa-cost, group, memory, "
	    "member, nics, ha)",
	"fixtures/unknown-key.yaml:35:95: guest ECMSS00: trk1: "
	    "unknown key 'mtu' (allowed: name, kind, lan, member, "
	    "address, cost, priority)",
	NULL
};

static const char *const want_bad_cidr[] = {
	"fixtures/bad-cidr.yaml:10:43: member VM9: hipersockets "
	    "'172.0.9.0/33' is not an IPv4 prefix (a.b.c.d/0-32)",
	"fixtures/bad-cidr.yaml:11:43: member VM2: hipersockets "
	    "172.1.2.5/24 is not a network address (did you mean "
	    "172.1.2.0/24?)",
	"fixtures/bad-cidr.yaml:13:26: lan DC8: subnet '10.20.8/24' "
	    "is not an IPv4 prefix (a.b.c.d/0-32)",
	"fixtures/bad-cidr.yaml:17:14: abr ABR: router-id '10.20.0' "
	    "is not an IPv4 address (a.b.c.d)",
	"fixtures/bad-cidr.yaml:27:11: guest ECMSS00: vipa "
	    "'10.20.7.69/24' must be a host address (a.b.c.d/32)",
	"fixtures/bad-cidr.yaml:33:57: guest ECMSS00: trk2: address "
	    "'10.20.9.300/24' is not an IPv4 prefix (a.b.c.d/0-32)",
	"fixtures/bad-cidr.yaml:40:57: guest LITDCON1: trk1: address "
	    "'10.20.8.100' is not an IPv4 prefix (a.b.c.d/0-32)",
	NULL
};

static const char *const want_types[] = {
	"fixtures/types.yaml:5:9: area: stub 'yes' is not true or "
	    "false",
	"fixtures/types.yaml:10:65: member VM9: memory '8' is not a "
	    "size (a number and M, G or T, e.g. 256M or 8G)",
	"fixtures/types.yaml:14:5: lan DC9: missing key 'subnet'",
	"fixtures/types.yaml:19:73: abr ABR: dc8: priority 'high' is "
	    "not a non-negative integer",
	"fixtures/types.yaml:21:13: abr ABR: backbone: expected a "
	    "mapping with keys name, address, not a single value",
	"fixtures/types.yaml:23:44: group ECM: members must be a "
	    "list, not a single value",
	"fixtures/types.yaml:26:5: guest ECMSS00: missing key 'group'",
	"fixtures/types.yaml:32:29: guest ECMSS00: trk2: kind "
	    "'ethernet' is not vswitch or hipersockets",
	"fixtures/types.yaml:39:46: guest LITDCON1: trk1: member is "
	    "for kind hipersockets; a vswitch NIC names its lan",
	"fixtures/types.yaml:42:9: guest LITDCON1: hsi1: kind "
	    "hipersockets needs a member",
	NULL
};

static const char *const want_missing[] = {
	"fixtures/missing.yaml:2:1: topology: missing key 'abr'",
	"fixtures/missing.yaml:4:3: area: missing key 'id'",
	"fixtures/missing.yaml:26:5: guest LITDCON1: missing key "
	    "'vipa'",
	"fixtures/missing.yaml:34:9: guest LITDCON1: hsi1: missing "
	    "key 'cost'",
	"fixtures/missing.yaml:34:9: guest LITDCON1: hsi1: missing "
	    "key 'priority'",
	NULL
};
static const char *const want_hosts_parse[] = {
	"fixtures/hosts-parse.yaml:10:75: member VM9: host 'CPC8' "
	    "is not a host of this lab (hosts: CPC9, CPC2, DC)",
	"fixtures/hosts-parse.yaml:18:9: abr ABR: host must be a "
	    "single value, not a list",
	"fixtures/hosts-parse.yaml:25:60: group LIT: ha 'auto' is "
	    "not manual or restart",
	"fixtures/hosts-parse.yaml:30:9: guest ECMSS00: ha 'yes' "
	    "is not manual or restart",
	"fixtures/hosts-parse.yaml:47:29: host CPC9: underlay "
	    "'10.255.0.300' is not an IPv4 address (a.b.c.d)",
	"fixtures/hosts-parse.yaml:48:19: host CPC2: unknown key "
	    "'address' (allowed: name, underlay)",
	"fixtures/hosts-parse.yaml:51:9: directory: kind "
	    "'zookeeper' is not sqlite or etcd",
	"fixtures/hosts-parse.yaml:52:17: directory: host 'CPC3' "
	    "is not a host of this lab (hosts: CPC9, CPC2, DC)",
	"fixtures/hosts-parse.yaml:53:14: directory: lease-ttl "
	    "'soon' is not a non-negative integer",
	NULL
};
static const struct test_bad_file bad_files[] = {
	{ "fixtures/syntax.yaml", want_syntax },
	{ "fixtures/empty.yaml", want_empty },
	{ "fixtures/not-mapping.yaml", want_not_mapping },
	{ "fixtures/unknown-key.yaml", want_unknown_key },
	{ "fixtures/bad-cidr.yaml", want_bad_cidr },
	{ "fixtures/types.yaml", want_types },
	{ "fixtures/missing.yaml", want_missing },
	{ "fixtures/hosts-parse.yaml", want_hosts_parse },
};

static void
test_bad_files(void **state)
{
	(void)state;
	test_bad_files_run(bad_files, sizeof(bad_files) / sizeof(bad_files[0]));
}

static void
assert_addr(struct in_addr a, const char *want)
{
	char	buf[INET_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof(buf)), want);
}

static void
assert_prefix(const struct topo_prefix *p, const char *want)
{
	char	buf[32];

	assert_string_equal(topo_prefix_str(p, buf, sizeof(buf)), want);
}

static void
test_reference_area(void **state)
{
	static const struct test_area	 want = {
		.stub = true, .no_summary = true, .default_cost = 10,
		.hello = 1, .dead = 1, .hello_multiplier = 4,
		.spf_delay = 20, .spf_hold = 20, .spf_max_hold = 200,
		.lsa_throttle = 100, .lsa_min_arrival = 50,
	};
	struct topo			*t = test_load(REFERENCE);

	(void)state;
	assert_string_equal(t->name, "ref");
	assert_addr(t->area.id, "4.4.4.4");
	test_area_is(&t->area, &want);
	topo_free(t);
}

/* "timers: frr-defaults" (reference-prod.yaml) is FRR's own. */
static void
test_timers_frr_defaults(void **state)
{
	static const char	 bad[] = "lab: p\narea:\n  id: 4.4.4.4\n"
	    "  timers: fast\n";
	static const struct test_area	 want = {
		.stub = true, .no_summary = true, .default_cost = 10,
		.hello = 10, .dead = 40, .hello_multiplier = 0,
		.spf_delay = 0, .spf_hold = 50, .spf_max_hold = 5000,
		.lsa_throttle = 5000, .lsa_min_arrival = 1000,
	};
	struct topo		*t = test_load(REFERENCE_PROD);
	struct topo_diags	 d = { NULL, 0 };
	char			 buf[256];
	size_t			 i;
	bool			 seen = false;

	(void)state;
	assert_string_equal(t->name, "refp");
	test_area_is(&t->area, &want);
	topo_free(t);
	assert_null(topo_load_buf("inline", bad, sizeof(bad) - 1, &d));
	for (i = 0; i < d.n; i++) {
		topo_diag_format(&d.v[i], buf, sizeof(buf));
		seen |= strstr(buf, "timers 'fast' is not a mapping of "
		    "timers or frr-defaults") != NULL;
	}
	assert_true(seen);
	topo_diags_free(&d);
}

static void
test_reference_members(void **state)
{
	struct topo	*t = test_load(REFERENCE);

	(void)state;
	assert_int_equal(t->nmembers, 2);
	assert_string_equal(t->members[0].name, "VM9");
	assert_string_equal(t->members[0].cpc, "CPC9");
	assert_prefix(&t->members[0].hsi_lan, "172.0.9.0/24");
	assert_int_equal(t->members[0].memory_mib, 8192);
	assert_string_equal(t->members[1].name, "VM2");
	assert_prefix(&t->members[1].hsi_lan, "172.1.2.0/24");
	assert_int_equal(t->nlans, 2);
	assert_string_equal(t->lans[1].name, "DC9");
	assert_prefix(&t->lans[1].subnet, "10.20.9.0/24");
	assert_string_equal(t->abr.name, "ABR");
	assert_addr(t->abr.router_id, "10.20.0.1");
	assert_int_equal(t->abr.nifs, 2);
	assert_string_equal(t->abr.ifs[0].name, "dc8");
	assert_int_equal(t->abr.ifs[0].lan, 0);
	assert_prefix(&t->abr.ifs[0].addr, "10.20.8.1/24");
	assert_int_equal(t->abr.ifs[0].cost, 10);
	assert_int_equal(t->abr.ifs[0].priority, 1);
	assert_string_equal(t->abr.backbone_if, "bb0");
	assert_prefix(&t->abr.backbone, "10.20.0.1/32");
	topo_free(t);
}

static void
test_reference_groups(void **state)
{
	struct topo	*t = test_load(REFERENCE);
	int		 tiv;

	(void)state;
	assert_int_equal(t->ngroups, 3);
	tiv = topo_group_find(t, "TIV");
	assert_int_equal(tiv, 2);
	assert_string_equal(t->groups[tiv].pattern, "TIV*");
	assert_int_equal(t->groups[tiv].nmembers, 2);
	assert_string_equal(t->groups[tiv].members[0], "VM4");
	assert_int_equal(t->groups[tiv].member_idx[0], -1);
	assert_int_equal(t->groups[1].member_idx[0], 1);	/* LIT: VM2 */
	assert_int_equal(t->groups[1].member_idx[1], 0);	/* LIT: VM9 */
	topo_free(t);
}

static void
test_reference_guests(void **state)
{
	struct topo		*t = test_load(REFERENCE);
	const struct topo_guest	*g;

	(void)state;
	assert_int_equal(t->nguests, 5);
	g = &t->guests[topo_guest_find(t, "LITDCON1")];
	assert_addr(g->vipa, "10.20.7.100");
	assert_int_equal(g->vipa_cost, 1);
	assert_int_equal(g->group, topo_group_find(t, "LIT"));
	assert_int_equal(g->member, topo_member_find(t, "VM9"));
	assert_int_equal(g->memory_mib, 256);
	assert_int_equal(g->nnics, 4);
	assert_string_equal(g->nics[0].name, "trk1");
	assert_int_equal(g->nics[0].kind, TOPO_NIC_VSWITCH);
	assert_int_equal(g->nics[0].lan, 0);
	assert_int_equal(g->nics[0].cost, 10);
	assert_int_equal(g->nics[0].priority, 0);
	assert_string_equal(g->nics[3].name, "hsi1");
	assert_int_equal(g->nics[3].kind, TOPO_NIC_HIPERSOCKETS);
	assert_int_equal(g->nics[3].member, 1);
	assert_prefix(&g->nics[3].addr, "172.1.2.100/24");
	assert_int_equal(g->nics[3].cost, 1);
	assert_int_equal(g->nics[3].priority, 10);
	assert_false(topo_guest_has_hsi(&t->guests[0]));
	topo_free(t);
}

/* Positions are 1-based, of the value; absent keys get the object's. */
static void
test_positions(void **state)
{
	struct topo		*t = test_load("fixtures/good-small.yaml");
	const struct topo_guest	*g = &t->guests[1];

	(void)state;
	assert_string_equal(g->pos.file, "fixtures/good-small.yaml");
	assert_int_equal(t->area.pos.line, 4);
	assert_int_equal(t->area.pos.col, 3);
	assert_int_equal(g->pos.line, 34);
	assert_int_equal(g->pos.col, 5);
	assert_int_equal(g->name_pos.line, 34);
	assert_int_equal(g->name_pos.col, 11);
	assert_int_equal(g->vipa_cost_pos.line, 34);	/* absent */
	assert_int_equal(g->vipa_cost_pos.col, 5);
	assert_int_equal(g->nics[3].pos.line, 43);
	assert_int_equal(g->nics[3].pos.col, 9);
	assert_int_equal(g->nics[3].addr_pos.line, 43);
	assert_int_equal(g->nics[3].addr_pos.col, 65);
	assert_false(g->nics[3].addr_pos.invalid);
	topo_free(t);
}

static void
test_hosts(void **state)
{
	struct topo	*t = test_load("fixtures/good-hosts.yaml");

	(void)state;
	assert_int_equal(t->nhosts, 2);
	assert_string_equal(t->hosts[0].name, "A");
	assert_addr(t->hosts[0].underlay, "192.168.50.7");
	assert_true(t->hosts[0].underlay_given);
	assert_addr(t->hosts[1].underlay, "10.255.0.2");	/* derived */
	assert_false(t->hosts[1].underlay_given);
	assert_int_equal(t->members[0].host, 0);
	assert_int_equal(t->members[1].host, 1);
	assert_int_equal(topo_member_host(t, 1), 1);
	assert_int_equal(topo_member_host(t, -1), -1);
	assert_int_equal(t->abr.host, 0);
	assert_int_equal(topo_host_find(t, "B"), 1);
	assert_int_equal(t->directory.kind, TOPO_DIRECTORY_ETCD);
	assert_int_equal(t->directory.nnodes, 2);
	assert_int_equal(t->directory.nodes[1], 1);
	assert_int_equal(t->directory.lease_ttl, 3);
	assert_int_equal(t->groups[0].ha, TOPO_HA_MANUAL);	/* ECM */
	assert_int_equal(t->guests[0].ha, TOPO_HA_RESTART);	/* own */
	assert_true(t->guests[0].ha_given);
	assert_int_equal(t->guests[1].ha, TOPO_HA_RESTART);	/* LIT's */
	assert_false(t->guests[1].ha_given);
	topo_free(t);
}

/* reference-hosts.yaml: reference.yaml on hosts CPC9, CPC2 and DC. */
static void
test_reference_hosts(void **state)
{
	struct topo	*t = test_load(REFERENCE_HOSTS);
	struct topo	*r = test_load(REFERENCE);
	size_t		 i;

	(void)state;
	assert_string_equal(t->name, "refh");
	assert_int_equal(t->nhosts, 3);
	assert_int_equal(t->members[topo_member_find(t, "VM9")].host,
	    topo_host_find(t, "CPC9"));
	assert_int_equal(t->members[topo_member_find(t, "VM2")].host,
	    topo_host_find(t, "CPC2"));
	assert_int_equal(t->abr.host, topo_host_find(t, "DC"));
	assert_int_equal(t->directory.kind, TOPO_DIRECTORY_ETCD);
	assert_int_equal(t->directory.nnodes, 3);
	assert_int_equal(t->directory.nodes[2], topo_host_find(t, "DC"));
	assert_int_equal(t->nguests, r->nguests);
	for (i = 0; i < t->nguests; i++) {
		assert_string_equal(t->guests[i].name, r->guests[i].name);
		assert_int_equal(t->guests[i].member, r->guests[i].member);
		assert_int_equal(t->guests[i].nnics, r->guests[i].nnics);
	}
	topo_free(r);
	topo_free(t);
}

static void
test_unreadable(void **state)
{
	struct topo_diags	d = { NULL, 0 };
	char			buf[256];

	(void)state;
	errno = 0;
	assert_null(topo_load("fixtures/no-such-file.yaml", &d));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(d.n, 1);
	topo_diag_format(&d.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "fixtures/no-such-file.yaml: cannot open: "
	    "No such file or directory");
	topo_diags_free(&d);
}

static void
test_load_buf(void **state)
{
	static const char	 text[] = "lab: x\nareas: {}\n";
	struct topo_diags	 d = { NULL, 0 };
	char			 buf[256];

	(void)state;
	errno = 0;
	assert_null(topo_load_buf("inline", text, sizeof(text) - 1, &d));
	assert_int_equal(errno, EINVAL);
	assert_true(d.n >= 2);
	topo_diag_format(&d.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "inline:1:1: topology: missing key 'area'");
	topo_diag_format(&d.v[d.n - 1], buf, sizeof(buf));
	assert_string_equal(buf, "inline:2:1: topology: unknown key 'areas' "
	    "(allowed: lab, area, members, lans, abr, groups, guests, "
	    "hosts, directory)");
	topo_diags_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_area),
		cmocka_unit_test(test_timers_frr_defaults),
		cmocka_unit_test(test_reference_members),
		cmocka_unit_test(test_reference_groups),
		cmocka_unit_test(test_reference_guests),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_reference_hosts),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_load_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
