/*
 * parser_test.c: drainctl's command words, good and bad, with the exact
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
#include "drainctl.h"

static int
drain_parse(int argc, char **argv, void *res, char *err, size_t errlen)
{
	return parse(argc, argv, res, err, errlen);
}

static struct cmdline	cl = { .prog = "drainctl", .parse = drain_parse };

static void
test_good(void **state)
{
	static const struct {
		const char	*line;
		int		 action;
		int		 nifs;
		const char	*if0, *if1;
		int		 json, follow;
	} cases[] = {
		{ "drain hsi0", LGR_DRAIN, 1, "hsi0", NULL, 0, 0 },
		{ "drain hsi0 hsi1", LGR_DRAIN, 2, "hsi0", "hsi1", 0, 0 },
		{ "dr hsi0", LGR_DRAIN, 1, "hsi0", NULL, 0, 0 },
		{ "d -j trk1", LGR_DRAIN, 1, "trk1", NULL, 1, 0 },
		{ "undrain hsi1", LGR_UNDRAIN, 1, "hsi1", NULL, 0, 0 },
		{ "u hsi1 -j", LGR_UNDRAIN, 1, "hsi1", NULL, 1, 0 },
		{ "state", LGR_STATE, 0, NULL, NULL, 0, 0 },
		{ "s -j", LGR_STATE, 0, NULL, NULL, 1, 0 },
		{ "routes --json", LGR_ROUTES, 0, NULL, NULL, 1, 0 },
		{ "ro", LGR_ROUTES, 0, NULL, NULL, 0, 0 },
		{ "lsdb", LGR_LSDB, 0, NULL, NULL, 0, 0 },
		{ "events", LGR_EVENTS, 0, NULL, NULL, 0, 0 },
		{ "ev -f", LGR_EVENTS, 0, NULL, NULL, 0, 1 },
		{ "events --follow -j", LGR_EVENTS, 0, NULL, NULL, 1, 1 },
		{ "drain eth0.100", LGR_DRAIN, 1, "eth0.100", NULL, 0, 0 },
		{ "drain state", LGR_DRAIN, 1, "state", NULL, 0, 0 },
	};
	struct parse_result	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cmdline_parse(&cl, cases[i].line, &r);
		assert_int_equal(r.action, cases[i].action);
		assert_int_equal(r.nifs, cases[i].nifs);
		if (cases[i].if0 != NULL)
			assert_string_equal(r.ifs[0], cases[i].if0);
		if (cases[i].if1 != NULL)
			assert_string_equal(r.ifs[1], cases[i].if1);
		assert_int_equal(r.json, cases[i].json);
		assert_int_equal(r.follow, cases[i].follow);
	}
}

static void
test_bad(void **state)
{
	static const struct cmdline_bad cases[] = {
		{ "", "missing command; valid: drain, undrain, state, routes, "
		    "lsdb, events" },
		{ "dran hsi0", "unknown command \"dran\"; valid: drain, "
		    "undrain, state, routes, lsdb, events" },
		{ "drain", "drain: missing argument IFNAME" },
		{ "drain -j", "drain: missing argument IFNAME" },
		{ "drain hsi0 hsi0", "drain: interface \"hsi0\" is given "
		    "twice" },
		{ "drain averyveryverylongname", "drain: interface name "
		    "\"averyveryverylongname\" is not valid (1-15 characters, "
		    "no '/', ':' or spaces)" },
		{ "drain a/b", "drain: interface name \"a/b\" is not valid "
		    "(1-15 characters, no '/', ':' or spaces)" },
		{ "drain -x", "unknown option \"-x\"" },
		{ "state hsi0", "state: unexpected argument \"hsi0\"" },
		{ "routes -f", "routes: unknown option \"--follow\"; valid: "
		    "-j, --json, -s, --socket-dir, --lab, --router, -r, "
		    "--role, -k, --key, -t, --timeout" },
		{ "events -x", "unknown option \"-x\"" },
		{ "-j", "missing command; valid: drain, undrain, state, "
		    "routes, lsdb, events" },
		{ "-t 0 state", "--timeout \"0\": expected a number "
		    "(1-600000)" },
		{ "state --lab a/b", "--lab \"a/b\": expected 1-31 characters "
		    "of A-Z, a-z, 0-9, _ and -" },
		{ "state --router", "--router: missing value NODE" },
	};
	struct parse_result	 r;

	(void)state;
	cmdline_errors(&cl, cases, sizeof(cases) / sizeof(cases[0]), &r);
}

/* The global options go before or after the command. */
static void
test_options(void **state)
{
	static const char *const lines[] = {
		"--lab ref --router LITDCON1 -t 1500 -r viewer state",
		"state --lab ref --router LITDCON1 -t 1500 -r viewer",
		"--lab ref state -r viewer --router=LITDCON1 -t1500",
	};
	struct parse_result	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		cmdline_parse(&cl, lines[i], &r);
		assert_int_equal(r.action, LGR_STATE);
		assert_string_equal(r.lab, "ref");
		assert_string_equal(r.router, "LITDCON1");
		assert_string_equal(r.role, "viewer");
		assert_int_equal(r.timeout_ms, 1500);
		assert_null(r.sockdir);
	}
	cmdline_parse(&cl, "-s /run/nslab/ref/ABR lsdb", &r);
	assert_string_equal(r.sockdir, "/run/nslab/ref/ABR");
	assert_string_equal(r.role, "operator");
	assert_int_equal(r.timeout_ms, PARSE_TIMEOUT_MS);
	cmdline_help_version(&cl, "nonsense --help", &r, &r.help, &r.version);
}

static void
test_too_many(void **state)
{
	static char		 names[LGR_MAX_ARGS + 1][8], drain[] = "drain",
				 prog[] = "drainctl";
	char			*argv[LGR_MAX_ARGS + 3];
	struct parse_result	 r;
	char			 err[256];
	int			 i;

	(void)state;
	argv[0] = prog;
	argv[1] = drain;
	for (i = 0; i <= LGR_MAX_ARGS; i++) {
		snprintf(names[i], sizeof(names[i]), "if%d", i);
		argv[i + 2] = names[i];
	}
	assert_int_equal(parse(LGR_MAX_ARGS + 2, argv, &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.nifs, LGR_MAX_ARGS);
	assert_int_equal(parse(LGR_MAX_ARGS + 3, argv, &r, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "drain: too many arguments (at most 64)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
