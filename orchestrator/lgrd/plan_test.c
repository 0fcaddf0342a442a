/*
 * plan_test.c: who moves where, on the reference topology
 * (netns-lab/topologies/reference.yaml): table-driven cases with the
 * exact messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lgrd.h"

#define REFERENCE	"../netns-lab/topologies/reference.yaml"

struct plan_case {
	const char	*name;
	const char	*workload;
	const char	*from;
	const char	*to;
	const char	*residency;	/* one letter per guest: 9, 2, - */
	bool		 vm2_joined;
	int64_t		 vm2_free;
	int64_t		 vm9_free;
	ssize_t		 count;		/* -1: error */
	enum plan_error	 err;
	const char	*text;		/* error text, or "GUEST>DST ..." */
};

static const struct plan_case plan_cases[] = {
	{ "LIT to VM2", "LIT", NULL, NULL, "99999", true, 8192, 8192, 4,
	    PLAN_OK, "LITSHA22>VM2 LITDCON1>VM2 LITSWAS1>VM2 LITDAT01>VM2" },
	{ "LIT back to VM9", "LIT", "VM2", NULL, "92222", true, 8192, 8192, 4,
	    PLAN_OK, "LITSHA22>VM9 LITDCON1>VM9 LITSWAS1>VM9 LITDAT01>VM9" },
	{ "ALL, group after group", "ALL", NULL, "VM2", "99999", true, 8192,
	    8192, 5, PLAN_OK, "ECMSS00>VM2 LITSHA22>VM2 LITDCON1>VM2 "
	    "LITSWAS1>VM2 LITDAT01>VM2" },
	{ "only what runs on the source", "LIT", "VM9", "VM2", "99229", true,
	    8192, 8192, 2, PLAN_OK, "LITSHA22>VM2 LITDAT01>VM2" },
	{ "unknown workload", "FOO", NULL, NULL, "99999", true, 8192, 8192,
	    -1, PLAN_E_WORKLOAD,
	    "unknown workload FOO (known: ALL, ECM, LIT, TIV)" },
	{ "empty match", "LIT", "VM9", NULL, "92222", true, 8192, 8192, -1,
	    PLAN_E_EMPTY, "no guest of workload LIT runs on VM9" },
	{ "TIV is not on VM9", "TIV", "VM9", NULL, "99999", true, 8192, 8192,
	    -1, PLAN_E_FROM, "workload TIV does not run on VM9 (allowed "
	    "members of TIV: VM4 VM5)" },
	{ "destination down", "LIT", NULL, NULL, "99999", false, 8192, 8192,
	    -1, PLAN_E_NODEST, "guest LITSHA22: no joined member of group LIT "
	    "to move to from VM9" },
	{ "unknown residency is not moved", "LIT", NULL, "VM2", "9-9-9",
	    true, 8192, 8192, 2, PLAN_OK, "LITDCON1>VM2 LITDAT01>VM2" },
};

static struct topo *
plan_topo(void)
{
	struct topo_diags	 d = { 0 };
	struct topo		*t = topo_load(REFERENCE, &d);

	assert_non_null(t);
	topo_diags_free(&d);
	return t;
}

static void
plan_result(const struct topo *t, const struct plan_item *it, ssize_t n,
    char *buf, size_t len)
{
	buf[0] = '\0';
	for (ssize_t i = 0; i < n; i++) {
		size_t	l = strlen(buf);

		snprintf(buf + l, len - l, "%s%s>%s", i ? " " : "",
		    t->guests[it[i].guest].name, t->members[it[i].dst].name);
	}
}

static void
plan_run(const struct topo *t, const struct plan_case *c)
{
	struct plan_member	 pm[2];
	struct plan_input	 in = { .t = t, .members = pm };
	struct plan_item	*items = NULL;
	enum plan_error		 err;
	char			 buf[512], got[512];
	int			 res[5];
	ssize_t			 n;

	for (int i = 0; i < 5; i++)
		res[i] = c->residency[i] == '9' ? 0 : c->residency[i] == '2' ?
		    1 : -1;
	pm[0] = (struct plan_member){ true, c->vm9_free };
	pm[1] = (struct plan_member){ c->vm2_joined, c->vm2_free };
	in.residency = res;
	in.workload = c->workload;
	in.from = c->from ? topo_member_find(t, c->from) : -1;
	in.to = c->to ? topo_member_find(t, c->to) : -1;
	n = plan_make(&in, &items, &err, buf, sizeof(buf));
	print_message("case: %s\n", c->name);
	assert_int_equal(n, c->count);
	assert_int_equal(err, c->err);
	if (n == -1) {
		assert_string_equal(buf, c->text);
		assert_null(items);
		return;
	}
	plan_result(t, items, n, got, sizeof(got));
	assert_string_equal(got, c->text);
	for (ssize_t i = 0; i < n; i++)
		assert_int_equal(items[i].hsi,
		    topo_guest_has_hsi(&t->guests[items[i].guest]));
	free(items);
}

static void
test_plan_cases(void **state)
{
	struct topo	*t = plan_topo();

	(void)state;
	for (size_t i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++)
		plan_run(t, &plan_cases[i]);
	topo_free(t);
}

/* Several allowed destinations: the most free memory, counting what
 * was already planned there. */
static void
test_plan_most_free(void **state)
{
	struct topo		*t = plan_topo();
	struct plan_member	 pm[2] = { { true, 1000 }, { true, 300 } };
	struct plan_input	 in = { .t = t, .members = pm, .workload = "LIT",
				    .from = -1, .to = -1 };
	struct plan_item	*items;
	enum plan_error		 err;
	char			 buf[256];
	int			 res[5] = { 0, 0, 0, 0, 0 };

	(void)state;
	in.residency = res;
	assert_int_equal(plan_make(&in, &items, &err, buf, sizeof(buf)), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(items[i].dst, 1);	/* VM9 is the source */
	assert_int_equal(pm[1].free_mib, 300 - 4 * 256);
	free(items);
	topo_free(t);
}

/*
 * A generated 3-member lab as nslab gen wrote it until issue 13: both
 * groups' pattern is G*.  GRP1 runs on VM1 and VM2, GRP2 on VM3 and
 * VM1; G001, G004 (HSI) and G005 run on VM1.
 */
#define PLAN_TRK(h)							\
	"      - { name: trk1, kind: vswitch, lan: DC8, address: "	\
	"10.20.8." h "/24, cost: 10, priority: 0 }\n"			\
	"      - { name: trk2, kind: vswitch, lan: DC9, address: "	\
	"10.20.9." h "/24, cost: 10, priority: 0 }\n"
#define PLAN_GUEST(n, h, grp, m)					\
	"  - name: " n "\n    vipa: 10.20.7." h "/32\n    group: " grp	\
	"\n    memory: 256M\n    member: " m "\n    nics:\n" PLAN_TRK(h)

static const char plan_overlap_yaml[] =
	"lab: gen3\n"
	"area:\n  id: 4.4.4.4\n  stub: true\n  no-summary: true\n"
	"  default-cost: 10\n"
	"members:\n"
	"  - { name: VM1, cpc: CPC1, hipersockets: 172.16.1.0/24, "
	"memory: 8G }\n"
	"  - { name: VM2, cpc: CPC2, hipersockets: 172.16.2.0/24, "
	"memory: 8G }\n"
	"  - { name: VM3, cpc: CPC3, hipersockets: 172.16.3.0/24, "
	"memory: 8G }\n"
	"lans:\n  - { name: DC8, subnet: 10.20.8.0/24 }\n"
	"  - { name: DC9, subnet: 10.20.9.0/24 }\n"
	"abr:\n  name: ABR\n  router-id: 10.20.0.1\n  interfaces:\n"
	"    - { name: dc8, lan: DC8, address: 10.20.8.1/24, cost: 10, "
	"priority: 1 }\n"
	"    - { name: dc9, lan: DC9, address: 10.20.9.1/24, cost: 10, "
	"priority: 1 }\n"
	"  backbone: { name: bb0, address: 10.20.0.1/32 }\n"
	"groups:\n"
	"  - { name: GRP1, pattern: \"G*\", members: [VM1, VM2] }\n"
	"  - { name: GRP2, pattern: \"G*\", members: [VM3, VM1] }\n"
	"guests:\n"
	PLAN_GUEST("G001", "2", "GRP1", "VM1")
	PLAN_GUEST("G002", "3", "GRP2", "VM3")
	PLAN_GUEST("G003", "4", "GRP1", "VM2")
	PLAN_GUEST("G004", "5", "GRP2", "VM1")
	"      - { name: hsi0, kind: hipersockets, member: VM3, "
	"address: 172.16.3.5/24, cost: 1, priority: 10 }\n"
	"      - { name: hsi1, kind: hipersockets, member: VM1, "
	"address: 172.16.1.5/24, cost: 1, priority: 10 }\n"
	PLAN_GUEST("G005", "6", "GRP1", "VM1")
	PLAN_GUEST("G006", "7", "GRP2", "VM3");

/* Overlapping patterns: every guest once, in its own group, to a member
 * of that group (never GRP1's VM2 for a GRP2 guest). */
static void
test_plan_overlapping_patterns(void **state)
{
	struct topo_diags	 d = { 0 };
	struct topo		*t;
	struct plan_member	 pm[3] = { { true, 8192 }, { true, 8192 },
				    { true, 8192 } };
	struct plan_input	 in = { .members = pm, .workload = "ALL",
				    .to = -1 };
	struct plan_item	*items;
	enum plan_error		 err;
	char			 buf[256], got[256];
	int			 res[6] = { 0, 2, 1, 0, 0, 2 };
	ssize_t			 n;

	(void)state;
	t = topo_load_buf("gen3.yaml", plan_overlap_yaml,
	    sizeof(plan_overlap_yaml) - 1, &d);
	for (size_t i = 0; i < d.n; i++)
		print_message("%s:%u:%u: %s\n", d.v[i].file, d.v[i].line,
		    d.v[i].col, d.v[i].msg);
	assert_non_null(t);
	topo_diags_free(&d);
	in.t = t;
	in.residency = res;
	in.from = topo_member_find(t, "VM1");
	n = plan_make(&in, &items, &err, buf, sizeof(buf));
	assert_int_equal(n, 3);
	plan_result(t, items, n, got, sizeof(got));
	assert_string_equal(got, "G001>VM2 G005>VM2 G004>VM3");
	for (ssize_t i = 0; i < n; i++)
		assert_int_equal(items[i].group,
		    t->guests[items[i].guest].group);
	assert_true(items[2].hsi);
	free(items);
	/* One group named: only its own guests, though G* matches all. */
	in.workload = "GRP2";
	assert_int_equal(plan_make(&in, &items, &err, buf, sizeof(buf)), 1);
	assert_string_equal(t->guests[items[0].guest].name, "G004");
	free(items);
	topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_cases),
		cmocka_unit_test(test_plan_most_free),
		cmocka_unit_test(test_plan_overlapping_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
