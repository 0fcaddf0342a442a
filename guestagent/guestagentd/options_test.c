/*
 * options_test.c: guestagentd's command line: defaults, every option in
 * any order, and the exact messages for wrong ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"

#define MAXW	24

/* "a b c" -> argv with the program's name first. */
static int
split(const char *line, char *buf, size_t size, char *argv[MAXW])
{
	char	*p, *save = NULL;
	int	 argc = 0;

	snprintf(buf, size, "guestagentd %s", line);
	for (p = strtok_r(buf, " ", &save); p != NULL && argc < MAXW;
	    p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	return argc;
}

static int
parse(const char *line, struct agent_opts *o, char *err)
{
	static char	buf[512];
	char		*argv[MAXW];

	return options_parse(split(line, buf, sizeof(buf), argv), argv, o, err,
	    CLI_ERRLEN);
}

static void
test_defaults(void **state)
{
	struct agent_opts	o;
	char			err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse("-f t.yaml -g LITDCON1", &o, err), 0);
	assert_string_equal(o.topology, "t.yaml");
	assert_string_equal(o.guest, "LITDCON1");
	assert_null(o.labdir);
	assert_false(o.foreground);
	assert_false(o.check_only);
	assert_int_equal(o.verbose, 0);
	assert_int_equal(o.mode, AGENT_MODE_DRAIN);
	assert_int_equal(o.self_complete_ms, 30000);
	assert_int_equal(o.full_timeout_ms, 10000);
	assert_int_equal(o.naive_wait_ms, 8000);
	assert_int_equal(o.residency_ms, 2000);
	assert_int_equal(o.settle_ms, 50);
}

static void
test_every_option(void **state)
{
	struct agent_opts	o;
	char			err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse("-dvv -s 0 -g G -D /run/nslab/x -m naive "
	    "-t 100 -F 0 -w 600000 -r 3600000 -n -v -f t.yaml", &o, err), 0);
	assert_true(o.foreground);
	assert_true(o.check_only);
	assert_int_equal(o.verbose, 3);
	assert_string_equal(o.labdir, "/run/nslab/x");
	assert_int_equal(o.mode, AGENT_MODE_NAIVE);
	assert_int_equal(o.self_complete_ms, 100);
	assert_int_equal(o.full_timeout_ms, 0);
	assert_int_equal(o.naive_wait_ms, 600000);
	assert_int_equal(o.residency_ms, 3600000);
	assert_int_equal(o.settle_ms, 0);
	assert_int_equal(parse("--mode=drain --prepare-timeout 86400000 "
	    "--full-timeout 5 --naive-wait 6 --residency-interval 7 "
	    "--settle 8 -f t -g G", &o, err), 0);
	assert_int_equal(o.mode, AGENT_MODE_DRAIN);
	assert_int_equal(o.self_complete_ms, 86400000);
	assert_int_equal(o.full_timeout_ms, 5);
	assert_int_equal(o.naive_wait_ms, 6);
	assert_int_equal(o.residency_ms, 7);
	assert_int_equal(o.settle_ms, 8);
	assert_int_equal(parse("--help", &o, err), 0);
	assert_true(o.help);
	assert_int_equal(parse("--version -x", &o, err), 0);
	assert_true(o.version);
}

static void
test_bad(void **state)
{
	static const struct {
		const char	*line;
		const char	*msg;
	} cases[] = {
		{ "", "missing option -f TOPOLOGY" },
		{ "-f t.yaml", "missing option -g GUEST" },
		{ "-g G", "missing option -f TOPOLOGY" },
		{ "-f t -g G extra", "guestagentd: unexpected argument "
		    "\"extra\"" },
		{ "-f t -g G -x", "unknown option \"-x\"" },
		{ "-f t -g G --full", "unknown option \"--full\"" },
		{ "-f t -g a/b", "-g \"a/b\": expected 1-31 characters of A-Z, "
		    "a-z, 0-9, _ and -" },
		{ "-f t -g G -m fast", "--mode \"fast\": valid: drain, naive" },
		{ "-f t -g G -t 99", "--prepare-timeout \"99\": expected a "
		    "number (100-86400000)" },
		{ "-f t -g G -F 600001", "--full-timeout \"600001\": expected a "
		    "number (0-600000)" },
		{ "-f t -g G -w -1", "--naive-wait \"-1\": expected a number "
		    "(0-600000)" },
		{ "-f t -g G -r 1h", "--residency-interval \"1h\": expected a "
		    "number (0-3600000)" },
		{ "-f t -g G -s", "-s: missing value MS" },
		{ "-f t -g G --settle=", "--settle \"\": expected a number "
		    "(0-60000)" },
		{ "-f t -g G -d=1", "unknown option \"-=\"" },
	};
	struct agent_opts	o;
	char			err[CLI_ERRLEN];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].line, &o, err) != -1)
			fail_msg("\"%s\" accepted", cases[i].line);
		if (strcmp(err, cases[i].msg) != 0)
			fail_msg("\"%s\": \"%s\", expected \"%s\"",
			    cases[i].line, err, cases[i].msg);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
