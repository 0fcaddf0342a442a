/*
 * cli_test.c: the command-line front end, good and bad command lines,
 * with the exact messages an operator sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_spec_test.h"
#include "cmdline.h"

static int
t_parse(int argc, char **argv, void *r, char *err, size_t errlen)
{
	return cli_parse(&spec, argc, argv, r, err, errlen);
}

static int
t_parse_daemon(int argc, char **argv, void *r, char *err, size_t errlen)
{
	return cli_parse(&daemon_spec, argc, argv, r, err, errlen);
}

/* "prog LINE" with the command table, and with the daemon's. */
static struct cmdline	cl = { .prog = "prog", .parse = t_parse };
static struct cmdline	daemon_cl = { .prog = "prog",
			    .parse = t_parse_daemon };

static void
test_good(void **state)
{
	static const struct {
		const char	*line;
		int		 cmd;
		int		 nargs;
		const char	*arg0;
		bool		 json;
		const char	*lab;
	} cases[] = {
		{ "members", C_MEMBERS, 0, NULL, false, NULL },
		{ "members", C_MEMBERS, 0, NULL, false, NULL },
		{ "-j members", C_MEMBERS, 0, NULL, true, NULL },
		{ "members -j", C_MEMBERS, 0, NULL, true, NULL },
		{ "-l ref history -j", C_HISTORY, 0, NULL, true, "ref" },
		{ "history -l ref -j", C_HISTORY, 0, NULL, true, "ref" },
		{ "history LITDCON1 --lab=ref", C_HISTORY, 1, "LITDCON1",
		    false, "ref" },
		{ "-jlref hist X", C_HISTORY, 1, "X", true, "ref" },
		{ "member set-d VM9", C_MDOWN, 1, "VM9", false, NULL },
		{ "member set-l VM9", C_MLIM, 1, "VM9", false, NULL },
		{ "st", C_STATUS, 0, NULL, false, NULL },
		{ "status G1", C_STATUS, 1, "G1", false, NULL },
		{ "set G1 --max-total 30", C_SETLIM, 1, "G1", false, NULL },
		{ "relocate G1 VM2 --verify full -t 900", C_RELOCATE, 2, "G1",
		    false, NULL },
		{ "relocate -- G1 -x", C_RELOCATE, 2, "G1", false, NULL },
		{ "evacuate LIT --dry-run -m VM2", C_EVACUATE, 1, "LIT", false,
		    NULL },
	};
	struct cli_result	 r;
	const struct cli_value	*v;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cmdline_parse(&cl, cases[i].line, &r);
		assert_non_null(r.cmd);
		assert_int_equal(r.cmd->id, cases[i].cmd);
		assert_int_equal(r.nargs, cases[i].nargs);
		if (cases[i].arg0 != NULL)
			assert_string_equal(r.args[0], cases[i].arg0);
		assert_int_equal(cli_has(&r, O_JSON), cases[i].json);
		v = cli_get(&r, O_LAB);
		if (cases[i].lab != NULL) {
			assert_non_null(v);
			assert_string_equal(v->str, cases[i].lab);
		} else
			assert_null(v);
	}
}

static void
test_values(void **state)
{
	struct cli_result	 r;

	(void)state;
	cmdline_parse(&cl, "relocate G1 VM2 --verify full "
	    "--max-total 86400 -t 5", &r);
	assert_int_equal(cli_get(&r, O_VERIFY)->num, 1);
	assert_int_equal(cli_get(&r, O_TOTAL)->num, 86400);
	assert_int_equal(cli_get(&r, O_TIMEOUT)->num, 5);
	assert_string_equal(r.args[1], "VM2");
	/* the last of an option given twice wins */
	cmdline_parse(&cl, "-t 5 members -t 7", &r);
	assert_int_equal(cli_get(&r, O_TIMEOUT)->num, 7);
}

static void
test_bad(void **state)
{
	static const struct cmdline_bad cases[] = {
		{ "", "missing command; valid: members, status, set-limits, "
		    "relocate, history, member, evacuate" },
		{ "-j", "missing command; valid: members, status, set-limits, "
		    "relocate, history, member, evacuate" },
		{ "foo", "unknown command \"foo\"; valid: members, status, "
		    "set-limits, relocate, history, member, evacuate" },
		{ "s", "ambiguous command \"s\"; valid: status, set-limits" },
		{ "me", "ambiguous command \"me\"; valid: members, member" },
		{ "member", "member: missing word; valid: set-down, "
		    "set-limits" },
		{ "member set", "member: ambiguous word \"set\"; valid: "
		    "set-down, set-limits" },
		{ "member x VM9", "member: unknown word \"x\"; valid: "
		    "set-down, set-limits" },
		{ "relocate G1", "relocate: missing argument MEMBER" },
		{ "relocate", "relocate: missing argument GUEST" },
		{ "member set-down", "member set-down: missing argument "
		    "MEMBER" },
		{ "members x", "members: unexpected argument \"x\"" },
		{ "status a b", "status: unexpected argument \"b\"" },
		{ "relocate G1 VM2 --dry-run", "relocate: unknown option "
		    "\"--dry-run\"; valid: -j, --json, -l, --lab, -t, "
		    "--max-total, --verify" },
		{ "members --nope", "unknown option \"--nope\"" },
		{ "members -x", "unknown option \"-x\"" },
		{ "members -jx", "unknown option \"-x\"" },
		{ "relocate G1 VM2 --max-total abc", "--max-total \"abc\": "
		    "expected a number (1-86400)" },
		{ "relocate G1 VM2 --max-total 0", "--max-total \"0\": "
		    "expected a number (1-86400)" },
		{ "relocate G1 VM2 --max-total 86401", "--max-total "
		    "\"86401\": expected a number (1-86400)" },
		{ "relocate G1 VM2 --max-total -5", "--max-total \"-5\": "
		    "expected a number (1-86400)" },
		{ "relocate G1 VM2 --max-total=", "--max-total \"\": expected "
		    "a number (1-86400)" },
		{ "relocate G1 VM2 --max-total", "--max-total: missing value "
		    "S" },
		{ "members -t", "-t: missing value MS" },
		{ "members -t 1x", "-t \"1x\": expected a number (1-600000)" },
		{ "relocate G1 VM2 --verify some", "--verify \"some\": valid: "
		    "pages, full" },
		{ "members -l a/b", "--lab \"a/b\": expected 1-31 characters "
		    "of A-Z, a-z, 0-9, _ and -" },
		{ "members --json=1", "--json takes no value" },
		{ "history -f -m VM2", "history: unknown option \"--member\"; "
		    "valid: -j, --json, -l, --lab, -t, -f, --follow" },
	};
	struct cli_result	 r;

	(void)state;
	cmdline_errors(&cl, cases, sizeof(cases) / sizeof(cases[0]), &r);
}

/* A word with control bytes or of any length stays one printable line. */
static void
test_quoting(void **state)
{
	struct cli_result	 r;
	char			 err[CLI_ERRLEN], nl[] = "a\nb\x1b[2J",
				 big[300], prog[] = "prog", *argv[3];

	(void)state;
	argv[0] = prog;
	argv[1] = nl;
	assert_int_equal(cli_parse(&spec, 2, argv, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown command \"a\\nb\\x1b[2J\"; valid: "
	    "members, status, set-limits, relocate, history, member, "
	    "evacuate");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	argv[1] = (char *)(uintptr_t)"members";
	argv[2] = big;
	assert_int_equal(cli_parse(&spec, 3, argv, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "members: unexpected argument "
	    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
}

static void
test_help_version(void **state)
{
	struct cli_result	 r;

	(void)state;
	cmdline_parse(&cl, "--help", &r);
	assert_true(r.help);
	/* help wins over a bad command line */
	cmdline_help_version(&cl, "nonsense -h", &r, &r.help, &r.version);
}

static void
test_daemon(void **state)
{
	static const struct cmdline_bad	bad[] = {
		{ "-l ref", "missing argument MEMBER" },
		{ "VM9 VM2", "unexpected argument \"VM2\"" },
		{ "VM9 --dry-run", "unknown option \"--dry-run\"; valid: "
		    "-j, --json, -l, --lab, -t" },
	};
	struct cli_result		r;

	(void)state;
	cmdline_parse(&daemon_cl, "-l ref VM9", &r);
	assert_null(r.cmd);
	assert_int_equal(r.nargs, 1);
	assert_string_equal(r.args[0], "VM9");
	cmdline_errors(&daemon_cl, bad, sizeof(bad) / sizeof(bad[0]), &r);
}

static void
test_numbers(void **state)
{
	char		err[CLI_ERRLEN];
	uint64_t	v = 7;

	(void)state;
	assert_int_equal(cli_u64("count", "0", 0, 10, &v, err, sizeof(err)),
	    0);
	assert_int_equal(v, 0);
	assert_int_equal(cli_u64("count", "", 0, 10, &v, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "count \"\": expected a number (0-10)");
	assert_int_equal(cli_u64("count", " 1", 0, 10, &v, err, sizeof(err)),
	    -1);
	assert_int_equal(cli_u64("count", "+1", 0, 10, &v, err, sizeof(err)),
	    -1);
	assert_int_equal(cli_u64("count", "99999999999999999999", 0,
	    UINT64_MAX, &v, err, sizeof(err)), -1);
	assert_int_equal(cli_u64("count", "18446744073709551615", 0,
	    UINT64_MAX, &v, err, sizeof(err)), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(cli_name("guest", "LITDCON1", err, sizeof(err)), 0);
	assert_int_equal(cli_name("guest", "", err, sizeof(err)), -1);
	assert_string_equal(err, "guest \"\": expected 1-31 characters of "
	    "A-Z, a-z, 0-9, _ and -");
	assert_int_equal(cli_name("guest", "0123456789012345678901234567890x",
	    err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_daemon),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
