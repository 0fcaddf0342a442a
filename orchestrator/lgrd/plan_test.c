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

#define TIV_TOPOLOGY	"testdata/tiv.yaml"

static struct topo *
plan_topo_file(const char *path)
{
	struct topo_diags	 d = { 0 };
	struct topo		*t = topo_load(path, &d);

	assert_non_null(t);
	topo_diags_free(&d);
	return t;
}

/* Every item goes to a member its group allows, other than its own. */
static void
plan_in_domain(const struct topo *t, const struct plan_item *it, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++) {
		const struct topo_group	*g = &t->groups[it[i].group];
		bool			 ok = false;

		for (size_t k = 0; k < g->nmembers; k++)
			ok |= g->member_idx[k] == it[i].dst;
		if (!ok || it[i].dst == it[i].src ||
		    t->guests[it[i].guest].group != it[i].group)
			fail_msg("%s planned %s -> %s, outside group %s (%s)",
			    t->guests[it[i].guest].name,
			    t->members[it[i].src].name,
			    t->members[it[i].dst].name, g->name,
			    it[i].dst == it[i].src ? "its own member" :
			    "not allowed");
	}
}

/*
 * testdata/tiv.yaml: ECMSS00 (ECM on VM2, VM9, VM4) and LITDCON1 (LIT on
 * VM2, VM9) on VM9, TIVDB01 on VM4 and TIVAPP1 on VM5 (TIV on VM4, VM5).
 * All members joined, with the same room: the first allowed member wins.
 */
static const struct tiv_case {
	const char	*name;
	const char	*workload;
	const char	*from;
	const char	*to;
	ssize_t		 count;		/* -1: error */
	enum plan_error	 err;
	const char	*text;		/* error text, or "GUEST>DST ..." */
} tiv_cases[] = {
	{ "ALL to VM2 leaves TIV where it is", "ALL", NULL, "VM2", 2, PLAN_OK,
	    "ECMSS00>VM2 LITDCON1>VM2" },
	{ "ALL from VM4 to VM2: TIV may not go there", "ALL", "VM4", "VM2",
	    -1, PLAN_E_EMPTY, "no guest of workload ALL runs on VM4" },
	{ "ALL to VM5 takes only TIV", "ALL", NULL, "VM5", 1, PLAN_OK,
	    "TIVDB01>VM5" },
	{ "ALL from VM5 to VM4", "ALL", "VM5", "VM4", 1, PLAN_OK,
	    "TIVAPP1>VM4" },
	{ "ALL, each to its own group's other member", "ALL", NULL, NULL, 4,
	    PLAN_OK, "ECMSS00>VM2 LITDCON1>VM2 TIVDB01>VM5 TIVAPP1>VM4" },
	{ "ALL from VM9, no target given", "ALL", "VM9", NULL, 2, PLAN_OK,
	    "ECMSS00>VM2 LITDCON1>VM2" },
	{ "TIV to VM2 refused", "TIV", NULL, "VM2", -1, PLAN_E_TO,
	    "workload TIV may not move to VM2 (allowed members of TIV: VM4 "
	    "VM5)" },
	{ "LIT to VM4 refused", "LIT", NULL, "VM4", -1, PLAN_E_TO,
	    "workload LIT may not move to VM4 (allowed members of LIT: VM2 "
	    "VM9)" },
};

static void
tiv_run(const struct topo *t, const struct tiv_case *c)
{
	struct plan_member	 pm[4];
	struct plan_input	 in = { .t = t, .members = pm };
	struct plan_item	*items = NULL;
	enum plan_error		 err;
	char			 buf[512], got[512];
	int			 res[4];
	ssize_t			 n;

	assert_int_equal(t->nmembers, 4);
	assert_int_equal(t->nguests, 4);
	for (int i = 0; i < 4; i++) {
		pm[i] = (struct plan_member){ true, 8192 };
		res[i] = t->guests[i].member;
	}
	in.residency = res;
	in.workload = c->workload;
	in.from = c->from ? topo_member_find(t, c->from) : -1;
	in.to = c->to ? topo_member_find(t, c->to) : -1;
	print_message("case: %s\n", c->name);
	n = plan_make(&in, &items, &err, buf, sizeof(buf));
	if (n >= 0)
		plan_result(t, items, n, got, sizeof(got));
	else
		snprintf(got, sizeof(got), "%s", buf);
	assert_string_equal(got, c->text);
	assert_int_equal(n, c->count);
	assert_int_equal(err, c->err);
	if (n == -1) {
		assert_null(items);
		return;
	}
	plan_in_domain(t, items, n);
	free(items);
}

/* ECMSS00 may go to VM2 or VM4: the one with more free memory. */
static void
test_plan_most_free_of_two(void **state)
{
	struct topo		*t = plan_topo_file(TIV_TOPOLOGY);
	struct plan_member	 pm[4];
	struct plan_input	 in = { .t = t, .members = pm, .workload = "ECM",
				    .from = -1, .to = -1 };
	struct plan_item	*items;
	enum plan_error		 err;
	char			 buf[256];
	int			 res[4];
	int			 vm2 = topo_member_find(t, "VM2");
	int			 vm4 = topo_member_find(t, "VM4");

	(void)state;
	for (int i = 0; i < 4; i++) {
		pm[i] = (struct plan_member){ true, 1000 };
		res[i] = t->guests[i].member;
	}
	in.residency = res;
	pm[vm4].free_mib = 4000;
	assert_int_equal(plan_make(&in, &items, &err, buf, sizeof(buf)), 1);
	assert_int_equal(items[0].dst, vm4);
	free(items);
	pm[vm4].free_mib = 500;
	pm[vm2].free_mib = 1000;
	assert_int_equal(plan_make(&in, &items, &err, buf, sizeof(buf)), 1);
	assert_int_equal(items[0].dst, vm2);
	free(items);
	topo_free(t);
}

static void
test_plan_domains(void **state)
{
	struct topo	*t = plan_topo_file(TIV_TOPOLOGY);

	(void)state;
	for (size_t i = 0; i < sizeof(tiv_cases) / sizeof(tiv_cases[0]); i++)
		tiv_run(t, &tiv_cases[i]);
	topo_free(t);
}

/* --- waves ---------------------------------------------------------------- */

/* "WAVE:GUEST ..." of a plan. */
static void
plan_wave_result(const struct topo *t, const struct plan_item *it,
    ssize_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (ssize_t i = 0; i < n; i++) {
		size_t	l = strlen(buf);

		snprintf(buf + l, len - l, "%s%d:%s", i ? " " : "", it[i].wave,
		    t->guests[it[i].guest].name);
	}
}

/* Synthetic items: group and HSI per item, "g" + index as the guest. */
static const struct wave_case {
	const char	*name;
	const char	*items;		/* per item: group digit, H or - */
	unsigned	 size;
	int		 waves;
	const char	*text;		/* wave per item, after sorting */
} wave_cases[] = {
	{ "one at a time", "0H0H0-", 1, 3, "1:0 2:1 3:2" },
	{ "size 0 is one", "0H0H", 0, 2, "1:0 2:1" },
	{ "all in one wave", "0H0H0H0H", 4, 1, "1:0 1:1 1:2 1:3" },
	{ "size cuts the wave", "0H0H0H0H0H", 4, 2, "1:0 1:1 1:2 1:3 2:4" },
	{ "HSI first, the others apart", "0-0H0-0H", 4, 2,
	    "1:1 1:3 2:0 2:2" },
	{ "never across groups", "0H0H1H1H", 4, 2, "1:0 1:1 2:2 2:3" },
	{ "groups keep their order", "1H0H", 4, 2, "1:0 2:1" },
	{ "HSI and not, two groups, pairs", "0H0-0H0H1-1-1H", 2, 5,
	    "1:0 1:2 2:3 3:1 4:6 5:4 5:5" },
	{ "larger than the plan", "0H", 64, 1, "1:0" },
};

static void
wave_run(const struct wave_case *c)
{
	struct plan_item	it[16];
	size_t			n = strlen(c->items) / 2;
	char			got[256];

	print_message("case: %s\n", c->name);
	memset(it, 0, sizeof(it));
	for (size_t i = 0; i < n; i++) {
		it[i].guest = (int)i;
		it[i].group = c->items[2 * i] - '0';
		it[i].hsi = c->items[2 * i + 1] == 'H';
	}
	assert_int_equal(plan_waves(it, n, c->size), c->waves);
	got[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t	l = strlen(got);

		snprintf(got + l, sizeof(got) - l, "%s%d:%d", i ? " " : "",
		    it[i].wave, it[i].guest);
	}
	assert_string_equal(got, c->text);
	/* Every wave within the size, one group, HSI or not throughout. */
	for (size_t i = 0, k; i < n; i = k) {
		for (k = i; k < n && it[k].wave == it[i].wave; k++) {
			assert_int_equal(it[k].group, it[i].group);
			assert_int_equal(it[k].hsi, it[i].hsi);
		}
		assert_true(k - i <= (c->size ? c->size : 1));
		if (k < n)
			assert_int_equal(it[k].wave, it[i].wave + 1);
	}
}

static void
test_wave_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wave_cases) / sizeof(wave_cases[0]); i++)
		wave_run(&wave_cases[i]);
	assert_int_equal(plan_waves(NULL, 0, 4), 0);
}

/* The reference evacuation: LIT's three HSI guests in one wave at
 * --parallel 4, LITSHA22 (no HSI) in its own; at 2, the HSI ones in two. */
static void
test_wave_reference(void **state)
{
	struct topo		*t = plan_topo();
	struct plan_member	 pm[2] = { { true, 8192 }, { true, 8192 } };
	struct plan_input	 in = { .t = t, .members = pm, .workload = "LIT",
				    .from = -1, .to = 1 };
	struct plan_item	*items;
	enum plan_error		 err;
	char			 buf[256];
	int			 res[5] = { 0, 0, 0, 0, 0 };
	ssize_t			 n;

	(void)state;
	in.residency = res;
	n = plan_make(&in, &items, &err, buf, sizeof(buf));
	assert_int_equal(n, 4);
	assert_int_equal(plan_waves(items, (size_t)n, 4), 2);
	plan_wave_result(t, items, n, buf, sizeof(buf));
	assert_string_equal(buf, "1:LITDCON1 1:LITSWAS1 1:LITDAT01 "
	    "2:LITSHA22");
	free(items);
	n = plan_make(&in, &items, &err, buf, sizeof(buf));
	assert_int_equal(plan_waves(items, (size_t)n, 2), 3);
	plan_wave_result(t, items, n, buf, sizeof(buf));
	assert_string_equal(buf, "1:LITDCON1 1:LITSWAS1 2:LITDAT01 "
	    "3:LITSHA22");
	free(items);
	topo_free(t);
}

/* ALL across relocation domains: each wave inside one group, every
 * guest still to a member of its own group. */
static void
test_wave_domains(void **state)
{
	struct topo		*t = plan_topo_file(TIV_TOPOLOGY);
	struct plan_member	 pm[4];
	struct plan_input	 in = { .t = t, .members = pm, .workload = "ALL",
				    .from = -1, .to = -1 };
	struct plan_item	*items;
	enum plan_error		 err;
	char			 buf[256];
	int			 res[4];
	ssize_t			 n;

	(void)state;
	for (int i = 0; i < 4; i++) {
		pm[i] = (struct plan_member){ true, 8192 };
		res[i] = t->guests[i].member;
	}
	in.residency = res;
	n = plan_make(&in, &items, &err, buf, sizeof(buf));
	assert_int_equal(n, 4);
	assert_int_equal(plan_waves(items, (size_t)n, 8), 3);
	plan_in_domain(t, items, n);
	for (ssize_t i = 1; i < n; i++)
		if (items[i].wave == items[i - 1].wave)
			assert_int_equal(items[i].group, items[i - 1].group);
	plan_wave_result(t, items, n, buf, sizeof(buf));
	assert_string_equal(buf, "1:ECMSS00 2:LITDCON1 3:TIVDB01 3:TIVAPP1");
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
		cmocka_unit_test(test_plan_domains),
		cmocka_unit_test(test_plan_most_free_of_two),
		cmocka_unit_test(test_wave_cases),
		cmocka_unit_test(test_wave_reference),
		cmocka_unit_test(test_wave_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
