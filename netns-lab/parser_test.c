/*
 * parser_test.c: nslab's command line, good and bad, with the exact
 * messages an operator sees (after "nslab: ").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nslab.h"

#define MAXW	24

/* "a b c" -> argv with argv[0] "nslab"; '_' stands for a space. */
static int
split(const char *line, char *buf, size_t size, char *argv[MAXW])
{
	char	*p, *save = NULL;
	int	 argc = 0;

	snprintf(buf, size, "nslab %s", line);
	for (p = strtok_r(buf, " ", &save); p != NULL && argc < MAXW - 1;
	    p = strtok_r(NULL, " ", &save)) {
		for (char *q = p; *q != '\0'; q++)
			if (*q == '_')
				*q = ' ';
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	return argc;
}

static int
parse(const char *line, struct nslab_args *a, char *err, size_t errlen)
{
	static char	 buf[512];
	static char	*argv[MAXW];
	int		 argc = split(line, buf, sizeof(buf), argv);

	return parser_parse(argc, argv, a, err, errlen);
}

/* A line that must parse. */
static void
parse_ok(const char *line, struct nslab_args *a)
{
	char	err[CLI_ERRLEN];

	if (parse(line, a, err, sizeof(err)) != 0)
		fail_msg("\"%s\": %s", line, err);
}

static void
test_good(void **state)
{
	static const struct {
		const char	*line;
		enum nslab_cmd	 cmd;
		int		 nargs;
		const char	*arg0;
	} cases[] = {
		{ "check f.yaml", NSLAB_CHECK, 1, "f.yaml" },
		{ "ch -v f.yaml", NSLAB_CHECK, 1, "f.yaml" },
		{ "up f.yaml -q --timeout 60", NSLAB_UP, 1, "f.yaml" },
		{ "down ref -v", NSLAB_DOWN, 1, "ref" },
		{ "-v down ref", NSLAB_DOWN, 1, "ref" },
		{ "status", NSLAB_STATUS, 0, NULL },
		{ "status -j ref", NSLAB_STATUS, 1, "ref" },
		{ "-j status ref", NSLAB_STATUS, 1, "ref" },
		{ "status ref --json", NSLAB_STATUS, 1, "ref" },
		{ "exec ref ECMSS00 -- ping -c1 10.20.7.100", NSLAB_EXEC, 5,
		    "ref" },
		{ "e ref X ip route", NSLAB_EXEC, 4, "ref" },
		{ "exec ref X ping -c1 -q 10.0.0.1", NSLAB_EXEC, 6, "ref" },
		{ "exec ref X ip -j route", NSLAB_EXEC, 5, "ref" },
		{ "vtysh ref LITDCON1", NSLAB_VTYSH, 2, "ref" },
		{ "graph ref --format svg -o ref.svg", NSLAB_GRAPH, 1, "ref" },
		{ "gra ref", NSLAB_GRAPH, 1, "ref" },
		{ "gen --guests 4", NSLAB_GEN, 0, NULL },
	};
	struct nslab_args	a;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].line, &a);
		assert_int_equal(a.cmd, cases[i].cmd);
		assert_int_equal(a.nargs, cases[i].nargs);
		if (cases[i].arg0 != NULL)
			assert_string_equal(a.args[0], cases[i].arg0);
	}
}

/* The values each command gets, and the defaults. */
static void
test_values(void **state)
{
	struct nslab_args	a;

	(void)state;
	parse_ok("up f.yaml --name t2 -t 60 --no-wait "
	    "--plugin p.so --no-hv --no-agents -q", &a);
	assert_string_equal(a.up.file, "f.yaml");
	assert_string_equal(a.up.name, "t2");
	assert_int_equal(a.up.timeout_s, 60);
	assert_true(a.up.no_wait && a.up.quiet && a.no_hv && a.no_agents);
	assert_string_equal(a.up.plugin, "p.so");
	assert_false(a.no_plugin);

	assert_null(a.up.host_name);
	assert_int_equal(a.up.host, -1);

	parse_ok("up --host CPC9 f.yaml", &a);
	assert_string_equal(a.up.host_name, "CPC9");

	parse_ok("up f.yaml --no-plugin", &a);
	assert_true(a.no_plugin);
	assert_null(a.up.plugin);
	assert_int_equal(a.up.timeout_s, 0);
	assert_false(a.up.no_wait || a.up.quiet);

	parse_ok("exec ref X -- ping -c1 -W2 10.0.0.1", &a);
	assert_string_equal(a.args[1], "X");
	assert_string_equal(a.args[2], "ping");
	assert_string_equal(a.args[3], "-c1");
	assert_string_equal(a.args[5], "10.0.0.1");
	assert_null(a.args[a.nargs]);
	parse_ok("exec ref X ip -j route show -- x", &a);
	assert_int_equal(a.nargs, 8);
	assert_string_equal(a.args[3], "-j");
	assert_string_equal(a.args[6], "--");
	assert_string_equal(a.args[7], "x");

	parse_ok("vtysh ref X -c configure_terminal -c "
	    "router_ospf", &a);
	assert_int_equal(a.nvtysh, 2);
	assert_string_equal(a.vtysh[0], "configure terminal");
	assert_string_equal(a.vtysh[1], "router ospf");

	parse_ok("graph ref", &a);
	assert_false(a.svg);
	assert_null(a.output);
	parse_ok("graph -o g.svg ref --format=svg", &a);
	assert_true(a.svg);
	assert_string_equal(a.output, "g.svg");

	parse_ok("gen --guests 12", &a);
	assert_string_equal(a.gen.name, "gen");
	assert_int_equal(a.gen.nmembers, 2);
	assert_int_equal(a.gen.nguests, 12);
	assert_true(a.gen.hsi_fraction == 0.5);
	parse_ok("gen -m 3 -g 250 --hsi-fraction 0.25 --name g "
	    "-o x.yaml", &a);
	assert_string_equal(a.gen.name, "g");
	assert_int_equal(a.gen.nmembers, 3);
	assert_int_equal(a.gen.nguests, 250);
	assert_true(a.gen.hsi_fraction == 0.25);
	assert_string_equal(a.output, "x.yaml");

	parse_ok("status -j", &a);
	assert_true(a.json);
	parse_ok("down -v ref", &a);
	assert_true(a.verbose);
}

/* --help and --version anywhere; the rest is not checked then. */
static void
test_builtin(void **state)
{
	static const struct {
		const char	*line;
		bool		 help, version;
	} cases[] = {
		{ "--help", true, false },
		{ "-h", true, false },
		{ "up --help", true, false },
		{ "gen --help", true, false },
		{ "--version", false, true },
		{ "nosuch --version", false, true },
	};
	struct nslab_args	a;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].line, &a);
		assert_int_equal(a.help, cases[i].help);
		assert_int_equal(a.version, cases[i].version);
	}
}

static void
test_bad(void **state)
{
	static const struct {
		const char	*line;
		const char	*want;
	} cases[] = {
		{ "", "missing command; valid: check, up, down, status, exec, "
		    "vtysh, graph, gen, fault, restart" },
		{ "start ref", "unknown command \"start\"; valid: check, up, "
		    "down, status, exec, vtysh, graph, gen, fault, "
		    "restart" },
		{ "g ref", "ambiguous command \"g\"; valid: graph, gen" },
		{ "check", "check: missing argument FILE" },
		{ "check a b", "check: unexpected argument \"b\"" },
		{ "check -j f", "check: unknown option \"--json\"; valid: -v, "
		    "--verbose" },
		{ "up", "up: missing argument FILE" },
		{ "up f --timeout 0", "--timeout \"0\": expected a number "
		    "(1-3600)" },
		{ "up f --timeout 3601", "--timeout \"3601\": expected a "
		    "number (1-3600)" },
		{ "up f --timeout", "--timeout: missing value S" },
		{ "up f --name a.b", "--name \"a.b\": expected 1-31 "
		    "characters of A-Z, a-z, 0-9, _ and -" },
		{ "up f --frobnicate", "unknown option \"--frobnicate\"" },
		{ "up f --host", "--host: missing value NAME" },
		{ "up f --host a:b", "--host \"a:b\": expected 1-31 "
		    "characters of A-Z, a-z, 0-9, _ and -" },
		{ "down", "down: missing argument NAME" },
		{ "down -j ref", "down: unknown option \"--json\"; valid: -v, "
		    "--verbose" },
		{ "status a b", "status: unexpected argument \"b\"" },
		{ "exec ref", "exec: missing argument NODE" },
		{ "exec ref X", "exec: missing argument CMD" },
		{ "exec ref X --", "exec: missing argument CMD" },
		{ "vtysh ref", "vtysh: missing argument NODE" },
		{ "vtysh ref X -c", "-c: missing value CMD" },
		{ "graph", "graph: missing argument NAME" },
		{ "graph ref --format png", "--format \"png\": valid: dot, "
		    "svg" },
		{ "gen", "gen: missing option --guests N" },
		{ "gen --guests 0", "--guests \"0\": expected a number "
		    "(1-250)" },
		{ "gen --guests 251", "--guests \"251\": expected a number "
		    "(1-250)" },
		{ "gen --guests 4 --members 17", "--members \"17\": expected a "
		    "number (1-16)" },
		{ "gen --guests 4 --hsi-fraction 1.5", "--hsi-fraction "
		    "\"1.5\": expected a number (0.0-1.0)" },
		{ "gen --guests 4 --hsi-fraction x", "--hsi-fraction \"x\": "
		    "expected a number (0.0-1.0)" },
		{ "gen x --guests 4", "gen: unexpected argument \"x\"" },
	};
	struct nslab_args	a;
	char			err[CLI_ERRLEN];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].line, &a, err, sizeof(err)) != -1)
			fail_msg("\"%s\": accepted", cases[i].line);
		if (strcmp(err, cases[i].want) != 0)
			fail_msg("\"%s\":\n got  %s\n want %s", cases[i].line,
			    err, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
