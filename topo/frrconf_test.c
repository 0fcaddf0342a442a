/*
 * frrconf_test.c: the zebra and ospfd configurations carry DESIGN
 * section 5's settings.
 */
#include <errno.h>

#include "topo_test.h"

static size_t
count(const char *text, const char *word)
{
	size_t	n = 0;

	while ((text = strstr(text, word)) != NULL) {
		n++;
		text += strlen(word);
	}
	return n;
}

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		print_error("missing:\n%s\nin:\n%s\n", want, text);
	assert_non_null(strstr(text, want));
}

static const char *const litdcon1_blocks[] = {
	"hostname LITDCON1\n!\n",
	"interface dummy0\n ip ospf area 4.4.4.4\n ip ospf cost 1\n"
	    " ip ospf priority 0\n"
	    " ip ospf retransmit-interval 1\n"
	    " ip ospf dead-interval minimal hello-multiplier 4\n!\n",
	"interface trk1\n ip ospf area 4.4.4.4\n ip ospf cost 10\n"
	    " ip ospf priority 0\n"
	    " ip ospf retransmit-interval 1\n"
	    " ip ospf dead-interval minimal hello-multiplier 4\n!\n",
	"interface trk2\n ip ospf area 4.4.4.4\n ip ospf cost 10\n"
	    " ip ospf priority 0\n"
	    " ip ospf retransmit-interval 1\n"
	    " ip ospf dead-interval minimal hello-multiplier 4\n!\n",
	"interface hsi0\n ip ospf area 4.4.4.4\n ip ospf cost 1\n"
	    " ip ospf priority 10\n"
	    " ip ospf retransmit-interval 1\n"
	    " ip ospf dead-interval minimal hello-multiplier 4\n!\n",
	"interface hsi1\n ip ospf area 4.4.4.4\n ip ospf cost 1\n"
	    " ip ospf priority 10\n"
	    " ip ospf retransmit-interval 1\n"
	    " ip ospf dead-interval minimal hello-multiplier 4\n!\n",
	"router ospf\n ospf router-id 10.20.7.100\n"
	    " log-adjacency-changes detail\n"
	    " area 4.4.4.4 stub no-summary\n"
	    " timers throttle spf 20 20 200\n"
	    " timers throttle lsa all 100\n"
	    " timers lsa min-arrival 50\n!\n",
};

static void
test_guest_ospfd(void **state)
{
	struct topo	*t = test_load(REFERENCE);
	char		*text = test_conf(t, "LITDCON1", TOPO_OSPFD);
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(litdcon1_blocks) / sizeof(litdcon1_blocks[0]);
	    i++)
		assert_has(text, litdcon1_blocks[i]);
	assert_int_equal(count(text, "interface "), 5);
	assert_int_equal(count(text, "router ospf"), 1);
	assert_null(strstr(text, "network "));
	assert_null(strstr(text, "default-cost"));
	assert_null(strstr(text, "hello-interval"));
	free(text);
	topo_free(t);
}

static void
test_abr_ospfd(void **state)
{
	struct topo	*t = test_load(REFERENCE);
	char		*text = test_conf(t, "ABR", TOPO_OSPFD);

	(void)state;
	assert_has(text, "hostname ABR\n");
	assert_has(text, "interface dc8\n ip ospf area 4.4.4.4\n"
	    " ip ospf cost 10\n ip ospf priority 1\n");
	assert_has(text, "interface dc9\n ip ospf area 4.4.4.4\n"
	    " ip ospf cost 10\n ip ospf priority 1\n");
	assert_has(text, "interface bb0\n ip ospf area 0.0.0.0\n");
	assert_has(text, "router ospf\n ospf router-id 10.20.0.1\n"
	    " log-adjacency-changes detail\n"
	    " area 4.4.4.4 stub no-summary\n"
	    " area 4.4.4.4 default-cost 10\n");
	assert_int_equal(count(text, "interface "), 3);
	free(text);
	topo_free(t);
}

static void
test_zebra(void **state)
{
	struct topo	*t = test_load(REFERENCE);
	char		*text = test_conf(t, "ECMSS00", TOPO_ZEBRA);

	(void)state;
	assert_has(text, "hostname ECMSS00\n");
	/* FRR 8.4 loses group members at a link flap (frrconf.c) */
	assert_has(text, "no zebra nexthop kernel enable\n");
	assert_null(strstr(text, "interface"));
	assert_null(strstr(text, "router"));
	free(text);
	text = test_conf(t, "ABR", TOPO_ZEBRA);
	assert_has(text, "hostname ABR\n");
	assert_has(text, "no zebra nexthop kernel enable\n");
	free(text);
	topo_free(t);
}

/* Plain hello/dead intervals, a plain (not stub) area. */
static void
test_timers_plain(void **state)
{
	struct topo	*t = test_load("fixtures/good-defaults.yaml");
	char		*text = test_conf(t, "LITDCON1", TOPO_OSPFD);

	(void)state;
	assert_has(text, "interface trk1\n ip ospf area 4.4.4.4\n"
	    " ip ospf cost 10\n ip ospf priority 0\n"
	    " ip ospf retransmit-interval 5\n"
	    " ip ospf hello-interval 10\n ip ospf dead-interval 40\n!\n");
	assert_int_equal(count(text, "ip ospf hello-interval 10\n"), 5);
	assert_null(strstr(text, "stub"));
	assert_null(strstr(text, "minimal"));
	assert_has(text, " timers throttle spf 0 50 5000\n"
	    " timers throttle lsa all 5000\n timers lsa min-arrival 1000\n");
	free(text);
	text = test_conf(t, "ABR", TOPO_OSPFD);
	assert_null(strstr(text, "default-cost"));
	free(text);
	topo_free(t);
}

static void
test_unknown_node(void **state)
{
	struct topo	*t = test_load(REFERENCE);

	(void)state;
	errno = 0;
	assert_int_equal(topo_frr_conf(t, "NOSUCH", TOPO_OSPFD, stdout), -1);
	assert_int_equal(errno, ENOENT);
	topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_ospfd),
		cmocka_unit_test(test_abr_ospfd),
		cmocka_unit_test(test_zebra),
		cmocka_unit_test(test_timers_plain),
		cmocka_unit_test(test_unknown_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
