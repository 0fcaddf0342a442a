/*
 * links_test.c: the lab's links for the reference topology.
 */
#include "topo_test.h"

static const struct topo_link *
link_find(const struct topo_link *v, ssize_t n, const char *node,
    const char *ifname)
{
	ssize_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].node, node) == 0 &&
		    strcmp(v[i].ifname, ifname) == 0)
			return &v[i];
	fail_msg("no link %s %s", node, ifname);
	return NULL;
}

static void
assert_link(const struct topo_link *l, enum topo_link_kind kind, int bridge,
    const char *addr, bool up)
{
	char	buf[32];

	assert_int_equal(l->kind, kind);
	assert_int_equal(l->bridge, bridge);
	assert_string_equal(topo_prefix_str(&l->addr, buf, sizeof(buf)),
	    addr);
	assert_int_equal(l->up, up);
}

static void
test_reference_links(void **state)
{
	struct topo		*t = test_load(REFERENCE);
	struct topo_link	*v = NULL;
	const struct topo_link	*l;
	ssize_t			 n;
	int			 g = topo_guest_find(t, "LITDCON1");

	(void)state;
	n = topo_links(t, &v);
	/* ABR 2 + bb0; 2 guests with dummy0 + 2; 3 with dummy0 + 4 */
	assert_int_equal(n, 3 + 2 * 3 + 3 * 5);
	l = link_find(v, n, "LITDCON1", "dummy0");
	assert_ptr_equal(l->node, t->guests[g].name);
	assert_int_equal(l->guest, g);
	assert_link(l, TOPO_LINK_STANDIN, -1, "10.20.7.100/32", true);
	assert_link(link_find(v, n, "LITDCON1", "trk1"), TOPO_LINK_LAN, 0,
	    "10.20.8.100/24", true);
	assert_link(link_find(v, n, "LITDCON1", "trk2"), TOPO_LINK_LAN, 1,
	    "10.20.9.100/24", true);
	assert_link(link_find(v, n, "LITDCON1", "hsi0"), TOPO_LINK_HSI, 0,
	    "172.0.9.100/24", true);
	assert_link(link_find(v, n, "LITDCON1", "hsi1"), TOPO_LINK_HSI, 1,
	    "172.1.2.100/24", false);
	l = link_find(v, n, "ABR", "dc9");
	assert_ptr_equal(l->node, t->abr.name);
	assert_int_equal(l->guest, -1);
	assert_link(l, TOPO_LINK_LAN, 1, "10.20.9.1/24", true);
	assert_link(link_find(v, n, "ABR", "bb0"), TOPO_LINK_STANDIN, -1,
	    "10.20.0.1/32", true);
	free(v);
	topo_free(t);
}

/* The HSI link that is up follows the guest's initial member. */
static void
test_hsi_up_follows_member(void **state)
{
	struct topo		*t = test_load(REFERENCE);
	struct topo_link	*v = NULL;
	ssize_t			 n;

	(void)state;
	t->guests[topo_guest_find(t, "LITDAT01")].member =
	    topo_member_find(t, "VM2");
	n = topo_links(t, &v);
	assert_false(link_find(v, n, "LITDAT01", "hsi0")->up);
	assert_true(link_find(v, n, "LITDAT01", "hsi1")->up);
	assert_true(link_find(v, n, "LITSWAS1", "hsi0")->up);
	free(v);
	topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_links),
		cmocka_unit_test(test_hsi_up_follows_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
