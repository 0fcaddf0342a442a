/*
 * check_test.c: the invariant engine on route tables recorded from the
 * reference lab (testdata/, see testdata/README): the converged lab, and
 * one recorded state per violated invariant.
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
#include "topo.h"

#define TESTDATA	"routecheck/testdata/"

struct want {
	int		 inv;
	const char	*router;
	const char	*prefix;
	const char	*table;
	const char	*text;		/* in expected or found */
};

struct check_case {
	const char	*file;
	const char	*guest;		/* --guest, or NULL */
	size_t		 count[RC_NINV + 1];	/* violations per invariant */
	struct want	 v[6];
};

static const struct check_case cases[] = {
	{ "good.json", NULL, { 0 }, { { 0 } } },
	{ "good.json", "LITDCON1", { 0 }, { { 0 } } },
	/* LITSHA22's dummy0 down: its VIPA is nowhere. */
	{ "vipa-missing.json", NULL, { [RC_INV_VIPA] = 11 }, {
	    { RC_INV_VIPA, "ABR", "10.20.7.199/32", "ospf", "absent" },
	    { RC_INV_VIPA, "ABR", "10.20.7.199/32", "kernel", "absent" },
	    { RC_INV_VIPA, "LITSHA22", "10.20.7.199/32", "ospf",
		"LITSHA22's VIPA" },
	    { RC_INV_VIPA, "ECMSS00", "10.20.7.199/32", "kernel", "absent" },
	} },
	{ "vipa-missing.json", "ECMSS00", { [RC_INV_VIPA] = 2 }, {
	    { RC_INV_VIPA, "ECMSS00", "10.20.7.199/32", "ospf", "absent" },
	    { RC_INV_VIPA, "ECMSS00", "10.20.7.199/32", "kernel", "absent" },
	} },
	/* LITDCON1's hsi0 drained: both directions over the trunks. */
	{ "drained.json", NULL, { [RC_INV_PATHS] = 4 }, {
	    { RC_INV_PATHS, "LITSWAS1", "10.20.7.100/32", "ospf",
		"cost 11 via 10.20.8.100 trk1, 10.20.9.100 trk2; hsi0 "
		"drained on LITDCON1" },
	    { RC_INV_PATHS, "LITSWAS1", "10.20.7.100/32", "ospf",
		"cost 2 via 172.0.9.100 hsi0 (both on VM9's HiperSockets "
		"LAN)" },
	    { RC_INV_PATHS, "LITDAT01", "10.20.7.100/32", "ospf", "trk2" },
	    { RC_INV_PATHS, "LITDCON1", "10.20.7.101/32", "ospf", "trk1" },
	    { RC_INV_PATHS, "LITDCON1", "10.20.7.104/32", "ospf", "trk1" },
	} },
	{ "drained.json", "LITSWAS1", { [RC_INV_PATHS] = 2 }, {
	    { RC_INV_PATHS, "LITSWAS1", "10.20.7.100/32", "ospf", "trk1" },
	    { RC_INV_PATHS, "LITDCON1", "10.20.7.101/32", "ospf", "trk1" },
	} },
	{ "drained.json", "LITSHA22", { 0 }, { { 0 } } },
	/* LITDCON1 moved to VM2 by the hypervisor alone, hsi0 left up: the
	 * disjoint network of the IBM evaluation. */
	{ "moved-hsi0-up.json", NULL, { [RC_INV_HSI_SUBNET] = 1,
	    [RC_INV_HSI_UP] = 1 }, {
	    { RC_INV_HSI_SUBNET, "LITDCON1", "172.0.9.0/24", "kernel",
		"not directly attached: LITDCON1 lives on VM2, 172.0.9.0/24 "
		"is VM9's HiperSockets LAN" },
	    { RC_INV_HSI_SUBNET, "LITDCON1", "172.0.9.0/24", "kernel",
		"directly attached via hsi0 (kernel)" },
	    { RC_INV_HSI_UP, "LITDCON1", "172.0.9.0/24", "link",
		"hsi0 down: LITDCON1 lives on VM2 (its interface there: "
		"hsi1)" },
	} },
	{ "moved-hsi0-up.json", "LITDCON1", { [RC_INV_HSI_SUBNET] = 1,
	    [RC_INV_HSI_UP] = 1 }, { { 0 } } },
	{ "moved-hsi0-up.json", "ECMSS00", { 0 }, { { 0 } } },
	/* hsi1 brought up beside hsi0 on LITDCON1, which lives on VM9. */
	{ "hsi-both-up.json", NULL, { [RC_INV_HSI_SUBNET] = 1,
	    [RC_INV_HSI_UP] = 2 }, {
	    { RC_INV_HSI_SUBNET, "LITDCON1", "172.1.2.0/24", "ospf",
		"OSPF table and kernel" },
	    { RC_INV_HSI_UP, "LITDCON1", "", "link", "hsi0, hsi1 up" },
	    { RC_INV_HSI_UP, "LITDCON1", "", "link",
		"at most one HSI interface up" },
	    { RC_INV_HSI_UP, "LITDCON1", "172.1.2.0/24", "link", "hsi1 up" },
	} },
	/* LITSHA22's trk2 down: one path left everywhere it matters. */
	{ "trunk-down.json", NULL, { [RC_INV_PATHS] = 8,
	    [RC_INV_DEFAULT] = 1 }, {
	    { RC_INV_DEFAULT, "LITSHA22", "0.0.0.0/0", "ospf",
		"inter-area cost 20 via 10.20.8.1 trk1, 10.20.9.1 trk2 (the "
		"ABR ABR)" },
	    { RC_INV_DEFAULT, "LITSHA22", "0.0.0.0/0", "ospf",
		"inter-area cost 20 via 10.20.8.1 trk1" },
	    { RC_INV_PATHS, "ECMSS00", "10.20.7.199/32", "ospf",
		"cost 11 via 10.20.8.199 trk1" },
	} },
	/* trk2 back up: FRR 8.4's kernel nexthop group kept one path. */
	{ "agree-kernel.json", NULL, { [RC_INV_AGREE] = 6 }, {
	    { RC_INV_AGREE, "LITSHA22", "0.0.0.0/0", "kernel",
		"via 10.20.8.1 trk1, 10.20.9.1 trk2 (as in the OSPF table)" },
	    { RC_INV_AGREE, "LITSHA22", "0.0.0.0/0", "kernel",
		"proto ospf via 10.20.8.1 trk1" },
	    { RC_INV_AGREE, "LITSHA22", "172.0.9.0/24", "kernel",
		"10.20.9.104 trk2" },
	} },
	/* A route with proto ospf that ospfd does not have. */
	{ "agree-stale.json", NULL, { [RC_INV_AGREE] = 1 }, {
	    { RC_INV_AGREE, "ECMSS00", "10.20.50.0/24", "kernel",
		"absent (not in the OSPF table)" },
	    { RC_INV_AGREE, "ECMSS00", "10.20.50.0/24", "kernel",
		"via 10.20.8.1 trk1" },
	} },
};

struct fixture {
	struct topo	*t;
};

static struct topo *
load_topology(void)
{
	struct topo_diags	 d = { NULL, 0 };
	struct topo		*t;

	t = topo_load(TESTDATA "reference.yaml", &d);
	topo_diags_free(&d);
	assert_non_null(t);
	return t;
}

static struct rc_snap *
load_snap(const char *file)
{
	struct rc_snap	*s;
	char		 path[256], err[512] = "";

	snprintf(path, sizeof(path), TESTDATA "%s", file);
	s = rc_snap_load(path, err, sizeof(err));
	if (s == NULL)
		print_error("%s\n", err);
	assert_non_null(s);
	return s;
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	f->t = load_topology();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	topo_free(f->t);
	free(f);
	return 0;
}

static void
print_report(const struct rc_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		print_message("  %d %s %s %s: expected %s; found %s\n",
		    r->v[i].inv, r->v[i].router, r->v[i].prefix,
		    r->v[i].table, r->v[i].expected, r->v[i].found);
}

static bool
report_has(const struct rc_report *r, const struct want *w)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct rc_violation *v = &r->v[i];

		if (v->inv == w->inv && strcmp(v->router, w->router) == 0 &&
		    strcmp(v->prefix, w->prefix) == 0 &&
		    strcmp(v->table, w->table) == 0 &&
		    (strstr(v->expected, w->text) != NULL ||
		    strstr(v->found, w->text) != NULL))
			return true;
	}
	return false;
}

static void
run_case(struct fixture *f, const struct check_case *c)
{
	struct rc_check_opts	 o = { -1, 0 };
	struct rc_report	 r;
	struct rc_snap		*s = load_snap(c->file);
	size_t			 total = 0;
	int			 n;

	print_message("%s%s%s\n", c->file, c->guest ? " --guest " : "",
	    c->guest ? c->guest : "");
	if (c->guest != NULL)
		assert_true((o.guest = topo_guest_find(f->t, c->guest)) >= 0);
	rc_report_init(&r);
	n = rc_check(f->t, s, &o, &r);
	print_report(&r);
	for (int inv = 1; inv <= RC_NINV; inv++) {
		assert_int_equal(rc_report_count(&r, inv, NULL),
		    c->count[inv]);
		total += c->count[inv];
	}
	assert_int_equal(n, (int)total);
	for (size_t i = 0; i < sizeof(c->v) / sizeof(c->v[0]); i++) {
		if (c->v[i].inv == 0)
			break;
		if (!report_has(&r, &c->v[i]))
			fail_msg("%s: no violation %d %s %s %s \"%s\"",
			    c->file, c->v[i].inv, c->v[i].router,
			    c->v[i].prefix, c->v[i].table, c->v[i].text);
	}
	rc_report_free(&r);
	rc_snap_free(s);
}

static void
test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(*state, &cases[i]);
}

/* Every invariant looks at something on the converged lab. */
static void
test_good_checks_everything(void **state)
{
	struct fixture	*f = *state;
	struct rc_report r;
	struct rc_snap	*s = load_snap("good.json");

	rc_report_init(&r);
	assert_int_equal(rc_check(f->t, s, NULL, &r), 0);
	/* 6 routers x 5 VIPAs; 5 guests x 4 peers; 5 guests x 2 members. */
	assert_int_equal(r.checks[RC_INV_VIPA], 30);
	assert_int_equal(r.checks[RC_INV_PATHS], 20);
	assert_int_equal(r.checks[RC_INV_HSI_SUBNET], 10);
	assert_int_equal(r.checks[RC_INV_HSI_UP], 6);
	assert_int_equal(r.checks[RC_INV_DEFAULT], 5);
	assert_true(r.checks[RC_INV_AGREE] > 40);
	assert_int_equal(r.nchecked, 6);
	rc_report_free(&r);
	rc_snap_free(s);
}

/* Selecting invariants: only the ones asked for are checked. */
static void
test_select(void **state)
{
	struct fixture		*f = *state;
	struct rc_check_opts	 o = { -1, 1u << RC_INV_HSI_UP };
	struct rc_report	 r;
	struct rc_snap		*s = load_snap("hsi-both-up.json");

	rc_report_init(&r);
	assert_int_equal(rc_check(f->t, s, &o, &r), 2);
	assert_int_equal(r.checks[RC_INV_VIPA], 0);
	rc_report_free(&r);
	rc_snap_free(s);
}

static struct rc_route *
find_route(struct rc_router *r, enum rc_table_kind k, const char *prefix)
{
	struct in_addr	dst;
	uint8_t		len;

	assert_int_equal(rc_prefix_parse(prefix, &dst, &len), 0);
	for (size_t i = 0; i < r->tables[k].n; i++)
		if (r->tables[k].v[i].dst.s_addr == dst.s_addr &&
		    r->tables[k].v[i].len == len)
			return &r->tables[k].v[i];
	fail_msg("no %s route %s on %s", rc_table_name(k), prefix, r->name);
	return NULL;
}

static struct rc_router *
router(struct rc_snap *s, const char *name)
{
	for (size_t i = 0; i < s->nrouters; i++)
		if (strcmp(s->routers[i].name, name) == 0)
			return &s->routers[i];
	fail_msg("no router %s", name);
	return NULL;
}

/*
 * Zebra's side of invariant 6 (no recorded state shows it): zebra with
 * other next hops than ospfd, and zebra keeping a route ospfd dropped.
 */
static void
test_agree_zebra(void **state)
{
	struct fixture	*f = *state;
	struct rc_report r;
	struct rc_snap	*s = load_snap("good.json");
	struct rc_router *lsw = router(s, "LITSWAS1");
	struct rc_route	*z = find_route(lsw, RC_TABLE_ZEBRA,
			    "10.20.7.69/32");
	struct rc_route	*o = find_route(lsw, RC_TABLE_OSPF, "10.20.7.199/32");
	struct want	 w1 = { RC_INV_AGREE, "LITSWAS1", "10.20.7.69/32",
			    "zebra", "cost 11 via 10.20.8.69 trk1" };
	struct want	 w2 = { RC_INV_AGREE, "LITSWAS1", "10.20.7.199/32",
			    "zebra", "absent (not in the OSPF table)" };

	z->nnh = 1;			/* zebra lost the trk2 path */
	o->dst.s_addr = htonl(0x0a140763);	/* ospfd: 10.20.7.99 */
	rc_table_sort(&lsw->tables[RC_TABLE_OSPF]);
	rc_report_init(&r);
	rc_check(f->t, s, NULL, &r);
	print_report(&r);
	assert_true(report_has(&r, &w1));
	assert_true(report_has(&r, &w2));
	rc_report_free(&r);
	rc_snap_free(s);
}

/*
 * Invariant 5 asks for an inter-area default route: one at the right cost
 * over the right next hops, but of another path type (an external route
 * that some other router injects), is a violation.
 */
static void
test_default_kind(void **state)
{
	struct fixture	*f = *state;
	struct rc_report r;
	struct rc_snap	*s = load_snap("good.json");
	struct rc_route	*d = find_route(router(s, "ECMSS00"), RC_TABLE_OSPF,
			    "0.0.0.0/0");
	struct rc_check_opts o = { -1, 1u << RC_INV_DEFAULT };
	struct want	 w = { RC_INV_DEFAULT, "ECMSS00", "0.0.0.0/0", "ospf",
			    "N E2 cost 20 via 10.20.8.1 trk1, 10.20.9.1 trk2" };

	assert_string_equal(d->kind, "inter-area");
	snprintf(d->kind, sizeof(d->kind), "N E2");
	rc_report_init(&r);
	assert_int_equal(rc_check(f->t, s, &o, &r), 1);
	print_report(&r);
	assert_true(report_has(&r, &w));
	rc_report_free(&r);
	rc_snap_free(s);
}

/* A residency the topology does not know: every HSI interface is wrong. */
static void
test_unknown_member(void **state)
{
	struct fixture	*f = *state;
	struct rc_report r;
	struct rc_snap	*s = load_snap("good.json");
	struct rc_check_opts o = { topo_guest_find(f->t, "LITDAT01"),
			    1u << RC_INV_HSI_UP | 1u << RC_INV_HSI_SUBNET };
	struct want	 w = { RC_INV_HSI_UP, "LITDAT01", "172.0.9.0/24",
			    "link", "lives on an unknown member" };

	assert_int_equal(rc_snap_residency_set(s, "LITDAT01", "VM4"), 0);
	rc_report_init(&r);
	assert_int_equal(rc_check(f->t, s, &o, &r), 2);
	print_report(&r);
	assert_true(report_has(&r, &w));
	assert_int_equal(rc_report_count(&r, RC_INV_HSI_SUBNET, "LITDAT01"),
	    1);
	rc_report_free(&r);
	rc_snap_free(s);
}

/* A router that was not collected is not judged. */
static void
test_not_collected(void **state)
{
	struct fixture	*f = *state;
	struct rc_report r;
	struct rc_snap	*s = load_snap("hsi-both-up.json");

	router(s, "LITDCON1")->collected = false;
	rc_report_init(&r);
	assert_int_equal(rc_check(f->t, s, NULL, &r), 0);
	rc_report_free(&r);
	rc_snap_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_checks_everything,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_select, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agree_zebra, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_default_kind, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_member, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_collected, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
