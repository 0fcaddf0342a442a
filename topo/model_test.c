/*
 * model_test.c: address helpers, look-ups, diagnostics and printing.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "topo_test.h"

static struct topo_prefix
prefix(const char *addr, uint8_t len)
{
	struct topo_prefix	p;

	assert_int_equal(inet_pton(AF_INET, addr, &p.addr), 1);
	p.len = len;
	return p;
}

static struct in_addr
addr(const char *s)
{
	struct in_addr	a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void
test_prefixes(void **state)
{
	struct topo_prefix	p = prefix("172.1.2.0", 24);
	struct topo_prefix	all = prefix("0.0.0.0", 0);
	struct topo_prefix	host = prefix("10.20.7.69", 32);
	char			buf[32];

	(void)state;
	assert_string_equal(topo_prefix_str(&p, buf, sizeof(buf)),
	    "172.1.2.0/24");
	assert_true(topo_prefix_contains(&p, addr("172.1.2.255")));
	assert_false(topo_prefix_contains(&p, addr("172.1.9.100")));
	assert_true(topo_prefix_contains(&all, addr("1.2.3.4")));
	assert_true(topo_prefix_contains(&host, addr("10.20.7.69")));
	assert_false(topo_prefix_contains(&host, addr("10.20.7.70")));
}

static void
test_lookups(void **state)
{
	struct topo	*t = test_load(REFERENCE);
	int		 g;

	(void)state;
	assert_int_equal(topo_member_find(t, "VM2"), 1);
	assert_int_equal(topo_lan_find(t, "DC9"), 1);
	assert_int_equal(topo_group_find(t, "ECM"), 0);
	errno = 0;
	assert_int_equal(topo_member_find(t, "VM4"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(topo_lan_find(t, "DC7"), -1);
	assert_int_equal(topo_guest_find(t, "ABR"), -1);
	g = topo_guest_find(t, "LITSWAS1");
	assert_int_equal(g, 3);
	assert_true(topo_guest_has_hsi(&t->guests[g]));
	assert_string_equal(topo_guest_hsi_for(&t->guests[g], 1)->name,
	    "hsi1");
	assert_null(topo_guest_hsi_for(&t->guests[g], -1));
	assert_null(topo_guest_hsi_for(&t->guests[0], 0));
	topo_free(t);
}

static void
test_diag_format(void **state)
{
	struct topo_diag	d = { "a.yaml", 14, 7, "guest X: bad" };
	struct topo_diag	nopos = { "a.yaml", 0, 0, "cannot open" };
	char			buf[64];

	(void)state;
	assert_int_equal(topo_diag_format(&d, buf, sizeof(buf)), 25);
	assert_string_equal(buf, "a.yaml:14:7: guest X: bad");
	topo_diag_format(&nopos, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml: cannot open");
}

static void
test_print(void **state)
{
	static const char *const want[] = {
		"lab ref (" REFERENCE ")\n",
		"area 4.4.4.4 stub no-summary default-cost 10\n",
		"  timers dead minimal hello-multiplier 4 spf 20/20/200 "
		    "lsa-throttle 100 lsa-min-arrival 50 retransmit 1\n",
		"member VM9 cpc CPC9 hipersockets 172.0.9.0/24 memory 8G\n",
		"abr ABR router-id 10.20.0.1\n",
		"  bb0 backbone address 10.20.0.1/32 area 0.0.0.0\n",
		"group TIV pattern TIV* members VM4 VM5\n"
		    "  note: member VM4 is not in this lab\n"
		    "  note: member VM5 is not in this lab\n",
		"guest LITDCON1 group LIT member VM9 memory 256M hipersockets\n"
		    "  dummy0 vipa 10.20.7.100/32 cost 1 priority 0\n",
		"  hsi1 hipersockets member VM2 address 172.1.2.100/24 cost 1 "
		    "priority 10 down\n",
	};
	struct topo	*t = test_load(REFERENCE);
	char		*text = NULL;
	size_t		 len, i;
	FILE		*f;

	(void)state;
	assert_non_null(f = open_memstream(&text, &len));
	topo_print(t, f);
	fclose(f);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (strstr(text, want[i]) == NULL)
			print_error("missing %s in\n%s", want[i], text);
		assert_non_null(strstr(text, want[i]));
	}
	free(text);
	topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
