/*
 * expect_test.c: expected adjacencies and VIPA routes of the reference
 * lab, at the baseline and with LITDCON1 moved to VM2.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "topo_test.h"

struct want_adj {
	const char	*ifname;
	const char	*neighbor;
	bool		 full;
};

static void
assert_adjs(const struct topo *t, const int *residency, const char *node,
    const struct want_adj *want, size_t nwant)
{
	struct topo_adj	*v = NULL;
	char		 a[INET_ADDRSTRLEN];
	ssize_t		 n;
	size_t		 i;

	n = topo_expect_adjacencies(t, residency, node, &v);
	assert_int_equal(n, nwant);
	for (i = 0; i < nwant; i++) {
		assert_string_equal(v[i].ifname, want[i].ifname);
		inet_ntop(AF_INET, &v[i].neighbor, a, sizeof(a));
		assert_string_equal(a, want[i].neighbor);
		assert_int_equal(v[i].must_be_full, want[i].full);
	}
	free(v);
}

static void
test_adj_baseline(void **state)
{
	static const struct want_adj ecm[] = {
		{ "trk1", "10.20.0.1", true },
		{ "trk2", "10.20.0.1", true },
	};
	/* three routers with priority 10 on VM9's LAN: the election */
	static const struct want_adj lit[] = {
		{ "trk1", "10.20.0.1", true },
		{ "trk2", "10.20.0.1", true },
		{ "hsi0", "10.20.7.101", false },
		{ "hsi0", "10.20.7.104", false },
	};
	static const struct want_adj abr[] = {
		{ "dc8", "10.20.7.69", true },
		{ "dc8", "10.20.7.199", true },
		{ "dc8", "10.20.7.100", true },
		{ "dc8", "10.20.7.101", true },
		{ "dc8", "10.20.7.104", true },
		{ "dc9", "10.20.7.69", true },
		{ "dc9", "10.20.7.199", true },
		{ "dc9", "10.20.7.100", true },
		{ "dc9", "10.20.7.101", true },
		{ "dc9", "10.20.7.104", true },
	};
	struct topo	*t = test_load(REFERENCE);

	(void)state;
	assert_adjs(t, NULL, "ECMSS00", ecm, 2);
	assert_adjs(t, NULL, "LITDCON1", lit, 4);
	assert_adjs(t, NULL, "ABR", abr, 10);
	topo_free(t);
}

static void
test_adj_moved(void **state)
{
	static const struct want_adj moved[] = {
		{ "trk1", "10.20.0.1", true },
		{ "trk2", "10.20.0.1", true },
	};
	/* two eligible routers left on VM9's LAN: DR and BDR, Full */
	static const struct want_adj swas[] = {
		{ "trk1", "10.20.0.1", true },
		{ "trk2", "10.20.0.1", true },
		{ "hsi0", "10.20.7.104", true },
	};
	struct topo	*t = test_load(REFERENCE);
	int		 res[5] = { 0, 0, 1, 0, 0 };	/* LITDCON1 on VM2 */

	(void)state;
	assert_string_equal(t->guests[2].name, "LITDCON1");
	assert_adjs(t, res, "LITDCON1", moved, 2);
	assert_adjs(t, res, "LITSWAS1", swas, 3);
	topo_free(t);
}

static void
test_adj_unknown(void **state)
{
	struct topo	*t = test_load(REFERENCE);
	struct topo_adj	*v = NULL;

	(void)state;
	errno = 0;
	assert_int_equal(topo_expect_adjacencies(t, NULL, "NOSUCH", &v), -1);
	assert_int_equal(errno, ENOENT);
	topo_free(t);
}

static void
assert_route(const struct topo *t, const int *res, const char *from,
    const char *to, const char *const *paths, size_t npaths, unsigned cost)
{
	struct topo_route	r;
	char			a[INET_ADDRSTRLEN];
	size_t			i;

	assert_int_equal(topo_expect_vipa_route(t, res, topo_guest_find(t,
	    from), topo_guest_find(t, to), &r), 0);
	assert_int_equal(r.npaths, npaths);
	assert_int_equal(r.cost, cost);
	for (i = 0; i < npaths; i++) {
		assert_string_equal(r.ifname[i], paths[2 * i]);
		inet_ntop(AF_INET, &r.nexthop[i], a, sizeof(a));
		assert_string_equal(a, paths[2 * i + 1]);
	}
}

static void
test_routes(void **state)
{
	static const char *const hsi[] = { "hsi0", "172.0.9.101" };
	static const char *const trk_dcon[] = {
		"trk1", "10.20.8.100", "trk2", "10.20.9.100" };
	static const char *const trk_swas[] = {
		"trk1", "10.20.8.101", "trk2", "10.20.9.101" };
	static const char *const trk_ecm[] = {
		"trk1", "10.20.8.69", "trk2", "10.20.9.69" };
	struct topo	*t = test_load(REFERENCE);
	int		 res[5] = { 0, 0, 1, 0, 0 };	/* LITDCON1 on VM2 */

	(void)state;
	/* same member, both HSI: hsi0 alone, 1 + 1 */
	assert_route(t, NULL, "LITDCON1", "LITSWAS1", hsi, 1, 2);
	/* one side without HSI: trk1/trk2 ECMP, 10 + 1 */
	assert_route(t, NULL, "ECMSS00", "LITDCON1", trk_dcon, 2, 11);
	assert_route(t, NULL, "LITDCON1", "ECMSS00", trk_ecm, 2, 11);
	/* different members: over the trunks to the guest's trk addresses */
	assert_route(t, res, "LITDCON1", "LITSWAS1", trk_swas, 2, 11);
	assert_route(t, res, "LITSWAS1", "LITDCON1", trk_dcon, 2, 11);
	topo_free(t);
}

/* Unequal trunks: the cheaper path alone, whichever NIC comes first. */
static void
test_route_unequal_costs(void **state)
{
	static const char *const trk1[] = { "trk1", "10.20.8.100" };
	static const char *const trk2[] = { "trk2", "10.20.9.100" };
	struct topo	*t = test_load(REFERENCE);
	struct topo_guest *ecm = &t->guests[topo_guest_find(t, "ECMSS00")];

	(void)state;
	assert_string_equal(ecm->nics[1].name, "trk2");
	ecm->nics[1].cost = 20;		/* the costlier one listed last */
	assert_route(t, NULL, "ECMSS00", "LITDCON1", trk1, 1, 11);
	ecm->nics[1].cost = 10;
	ecm->nics[0].cost = 20;		/* and listed first */
	assert_route(t, NULL, "ECMSS00", "LITDCON1", trk2, 1, 11);
	topo_free(t);
}

static void
test_route_errors(void **state)
{
	struct topo		*t = test_load(REFERENCE);
	struct topo_route	 r;

	(void)state;
	errno = 0;
	assert_int_equal(topo_expect_vipa_route(t, NULL, 1, 1, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(topo_expect_vipa_route(t, NULL, 0, 5, &r), -1);
	assert_int_equal(errno, EINVAL);
	t->guests[0].nnics = 0;		/* ECMSS00 shares no LAN */
	assert_int_equal(topo_expect_vipa_route(t, NULL, 1, 0, &r), -1);
	assert_int_equal(errno, ENETUNREACH);
	topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adj_baseline),
		cmocka_unit_test(test_adj_moved),
		cmocka_unit_test(test_adj_unknown),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_route_unequal_costs),
		cmocka_unit_test(test_route_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
