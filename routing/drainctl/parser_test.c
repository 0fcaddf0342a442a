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

#include "drainctl.h"

#define MAXW	8

/* "drain hsi0 hsi1" -> argv; words separated by single spaces. */
static int
split(const char *line, char *buf, size_t size, char *argv[MAXW])
{
	char	*p, *save = NULL;
	int	 argc = 0;

	snprintf(buf, size, "%s", line);
	for (p = strtok_r(buf, " ", &save); p != NULL && argc < MAXW;
	    p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	return argc;
}

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
	char			 buf[128], err[256], *argv[MAXW];
	size_t			 i;
	int			 argc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		if (parse(argc, argv, &r, err, sizeof(err)) != 0)
			fail_msg("\"%s\": %s", cases[i].line, err);
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
	static const struct {
		const char	*line;
		const char	*err;
	} cases[] = {
		{ "", "missing command; valid: drain, undrain, state, routes, "
		    "lsdb, events" },
		{ "dran hsi0", "drainctl: unknown command \"dran\"; valid: "
		    "drain, undrain, state, routes, lsdb, events" },
		{ "drain", "drain: missing argument; valid: -j, --json, "
		    "IFNAME" },
		{ "drain -j", "drain: missing argument; valid: -j, --json, "
		    "IFNAME" },
		{ "drain hsi0 hsi0", "drain: interface \"hsi0\" is given "
		    "twice" },
		{ "drain averyveryverylongname", "drain: interface name "
		    "\"averyveryverylongname\" is not valid (1-15 characters, "
		    "no '/', ':' or spaces)" },
		{ "drain a/b", "drain: interface name \"a/b\" is not valid "
		    "(1-15 characters, no '/', ':' or spaces)" },
		{ "drain -x", "drain: unknown argument \"-x\"; valid: -j, "
		    "--json, IFNAME" },
		{ "state hsi0", "state: unknown argument \"hsi0\"; valid: -j, "
		    "--json" },
		{ "routes -f", "routes: unknown argument \"-f\"; valid: -j, "
		    "--json" },
		{ "events -x", "events: unknown argument \"-x\"; valid: -f, "
		    "--follow, -j, --json" },
		{ "-j", "drainctl: unknown command \"-j\"; valid: drain, "
		    "undrain, state, routes, lsdb, events" },
	};
	struct parse_result	 r;
	char			 buf[128], err[256], *argv[MAXW];
	size_t			 i;
	int			 argc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		err[0] = '\0';
		if (parse(argc, argv, &r, err, sizeof(err)) != -1)
			fail_msg("\"%s\" parsed", cases[i].line);
		if (strcmp(err, cases[i].err) != 0)
			fail_msg("\"%s\":\n got: %s\nwant: %s", cases[i].line,
			    err, cases[i].err);
	}
}

static void
test_too_many(void **state)
{
	static char		 names[LGR_MAX_ARGS + 1][8], drain[] = "drain";
	char			*argv[LGR_MAX_ARGS + 2];
	struct parse_result	 r;
	char			 err[256];
	int			 i;

	(void)state;
	argv[0] = drain;
	for (i = 0; i <= LGR_MAX_ARGS; i++) {
		snprintf(names[i], sizeof(names[i]), "if%d", i);
		argv[i + 1] = names[i];
	}
	assert_int_equal(parse(LGR_MAX_ARGS + 1, argv, &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.nifs, LGR_MAX_ARGS);
	assert_int_equal(parse(LGR_MAX_ARGS + 2, argv, &r, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "drain: too many interfaces (at most 64)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
