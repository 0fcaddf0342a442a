/*
 * parser_test.c: routecheck's command line, good and bad, with the exact
 * messages an operator sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline.h"
#include "command.h"

static int
rc_parse(int argc, char **argv, void *res, char *err, size_t errlen)
{
	return parse(argc, argv, res, err, errlen);
}

static struct cmdline	cl = { .prog = "routecheck", .parse = rc_parse };

static void
test_good(void **state)
{
	static const struct {
		const char	*line;
		const char	*lab;
		size_t		 nrouters;
		const char	*router0;
		bool		 quiet, json;
		enum rc_source	 source;
	} cases[] = {
		{ "ref", "ref", 0, NULL, false, false, RC_SOURCE_AUTO },
		{ "-q ref", "ref", 0, NULL, true, false, RC_SOURCE_AUTO },
		{ "ref -q", "ref", 0, NULL, true, false, RC_SOURCE_AUTO },
		{ "-jq ref ABR LITDCON1", "ref", 2, "ABR", true, true,
		    RC_SOURCE_AUTO },
		{ "ref ABR -j LITDCON1 --source vty", "ref", 2, "ABR", false,
		    true, RC_SOURCE_VTY },
		{ "--source=plugin ref", "ref", 0, NULL, false, false,
		    RC_SOURCE_PLUGIN },
		{ "--from snap.json", NULL, 0, NULL, false, false,
		    RC_SOURCE_AUTO },
		{ "--from snap.json ref -q", "ref", 0, NULL, true, false,
		    RC_SOURCE_AUTO },
	};
	struct options	 o;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cmdline_parse(&cl, cases[i].line, &o);
		if (cases[i].lab != NULL)
			assert_string_equal(o.lab, cases[i].lab);
		else
			assert_null(o.lab);
		assert_int_equal(o.nrouters, cases[i].nrouters);
		if (cases[i].router0 != NULL)
			assert_string_equal(o.routers[0], cases[i].router0);
		assert_int_equal(o.quiet, cases[i].quiet);
		assert_int_equal(o.json, cases[i].json);
		assert_int_equal(o.source, cases[i].source);
		assert_true(o.zebra);
		assert_int_equal(o.timeout_ms, PARSE_TIMEOUT_MS);
	}
}

static void
test_values(void **state)
{
	struct options	 o;

	(void)state;
	cmdline_parse(&cl, "ref LITSWAS1 --no-zebra -t 2500 --guest LITDCON1 "
	    "--snapshot s.json --expect e.json --junit j.xml -f t.yaml", &o);
	assert_false(o.zebra);
	assert_int_equal(o.timeout_ms, 2500);
	assert_string_equal(o.guest, "LITDCON1");
	assert_string_equal(o.snapshot, "s.json");
	assert_string_equal(o.expect, "e.json");
	assert_string_equal(o.junit, "j.xml");
	assert_string_equal(o.topology, "t.yaml");
	assert_string_equal(o.routers[0], "LITSWAS1");
	cmdline_help_version(&cl, "ref --help", &o, &o.help, &o.version);
}

static void
test_bad(void **state)
{
	static const struct cmdline_bad cases[] = {
		{ "", "missing argument LAB (nslab status lists the labs)" },
		{ "-q", "missing argument LAB (nslab status lists the labs)" },
		{ "a/b", "LAB \"a/b\": expected 1-31 characters of A-Z, a-z, "
		    "0-9, _ and -" },
		{ "--from s.json ref ABR", "--from checks a saved snapshot: no "
		    "ROUTER and no --snapshot with it" },
		{ "--from s.json --snapshot t.json", "--from checks a saved "
		    "snapshot: no ROUTER and no --snapshot with it" },
		{ "ref --source p", "--source \"p\": valid: auto, plugin, "
		    "vty" },
		{ "ref -t 0", "--timeout \"0\": expected a number "
		    "(1-600000)" },
		{ "ref -t", "-t: missing value MS" },
		{ "ref --guest a.b", "--guest \"a.b\": expected 1-31 "
		    "characters of A-Z, a-z, 0-9, _ and -" },
		{ "ref -x", "unknown option \"-x\"" },
		{ "ref --zebra", "unknown option \"--zebra\"" },
		{ "ref --no-zebra=1", "--no-zebra takes no value" },
	};
	struct options	 o;

	(void)state;
	cmdline_errors(&cl, cases, sizeof(cases) / sizeof(cases[0]), &o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
