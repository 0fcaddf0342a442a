/*
 * parser_test.c: agentctl's command line (common/cli.h's table): the
 * request each command line makes, options before or after the command,
 * and the exact messages for wrong ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agentctl.h"
#include "cmdline.h"
#include "namelist.h"

#define MAXW	12

static const struct good_case {
	const char	*words[MAXW];
	enum agent_req	 req;
	size_t		 npeers;
	uint64_t	 timeout;
	bool		 json;
} good_cases[] = {
	{ { "prepare" }, AGENT_REQ_PREPARE, 0, AGENT_UNSET, false },
	{ { "prep", "--peers", "LITSWAS1,LITDAT01", "--timeout", "700" },
	    AGENT_REQ_PREPARE, 2, 700, false },
	{ { "p", "-p", "A", "-t", "5", "-j" }, AGENT_REQ_PREPARE, 1, 5, true },
	{ { "complete" }, AGENT_REQ_COMPLETE, 0, AGENT_UNSET, false },
	{ { "c", "--timeout", "10000" }, AGENT_REQ_COMPLETE, 0, 10000, false },
	{ { "status", "-j" }, AGENT_REQ_STATUS, 0, AGENT_UNSET, true },
	{ { "s" }, AGENT_REQ_STATUS, 0, AGENT_UNSET, false },
	{ { "verbose", "2" }, AGENT_REQ_VERBOSE, 0, AGENT_UNSET, false },
	/* global options on either side of the command */
	{ { "-j", "--lab", "ref", "status" }, AGENT_REQ_STATUS, 0,
	    AGENT_UNSET, true },
	{ { "status", "--lab", "ref", "-g", "G", "-j" }, AGENT_REQ_STATUS, 0,
	    AGENT_UNSET, true },
	{ { "-T", "9000", "prepare", "--peers=A,B,C", "-r", "orchestrator" },
	    AGENT_REQ_PREPARE, 3, AGENT_UNSET, false },
	{ { "prepare", "--peers", "" }, AGENT_REQ_PREPARE, 0, AGENT_UNSET,
	    false },
};

/* argv for words, the program's name first. */
static int
args(const char *const *w, char **argv)
{
	int	n = 0;

	argv[n++] = (char *)(uintptr_t)"agentctl";
	while (n < MAXW && w[n - 1] != NULL) {
		argv[n] = (char *)(uintptr_t)w[n - 1];
		n++;
	}
	return n;
}

static void
test_good(void **state)
{
	struct parse_result	pr;
	char			err[CLI_ERRLEN], *argv[MAXW + 1];
	size_t			i;
	int			argc;

	(void)state;
	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case	*c = &good_cases[i];

		argc = args(c->words, argv);
		if (parse_command(argc, argv, &pr, err, sizeof(err)) != 0)
			fail_msg("%s: %s", c->words[0], err);
		assert_int_equal(pr.rq.type, c->req);
		assert_int_equal(pr.rq.npeers, c->npeers);
		assert_true(pr.rq.timeout_ms == c->timeout);
		assert_int_equal(pr.json, c->json);
	}
}

/* The values that go beyond the request. */
static void
test_values(void **state)
{
	static const char *const	w[] = { "-s", "/x/G/agent.ctl", "verb",
	    "1", "--wait", "300", "--role", "viewer", "-k", "key", NULL };
	struct parse_result		pr;
	char				err[CLI_ERRLEN], *argv[MAXW + 1];

	(void)state;
	assert_int_equal(parse_command(args(w, argv), argv, &pr, err,
	    sizeof(err)), 0);
	assert_int_equal(pr.rq.type, AGENT_REQ_VERBOSE);
	assert_true(pr.rq.level == 1);
	assert_string_equal(pr.socket, "/x/G/agent.ctl");
	assert_null(pr.lab);
	assert_int_equal(pr.wait_ms, 300);
	assert_string_equal(pr.role, "viewer");
	assert_string_equal(pr.keyfile, "key");
	assert_int_equal(parse_target(&pr, err, sizeof(err)), 0);
}

static const struct bad_case {
	const char	*words[MAXW];
	const char	*msg;
} bad_cases[] = {
	{ { "relocate" }, "unknown command \"relocate\"; valid: prepare, "
	    "complete, status, verbose" },
	{ { "x" }, "unknown command \"x\"; valid: prepare, complete, status, "
	    "verbose" },
	{ { "" }, "ambiguous command \"\"; valid: prepare, complete, status, "
	    "verbose" },
	{ { "status", "--peers", "A" }, "status: unknown option \"--peers\"; "
	    "valid: --lab, -g, --guest, -s, --socket, -r, --role, -k, --key, "
	    "-T, --wait, -j, --json" },
	{ { "prepare", "--peers" }, "--peers: missing value A,B" },
	{ { "prepare", "--peers", "A,A" }, "--peers: names A twice" },
	{ { "prepare", "--peers", "A B" }, "--peers \"A B\": expected 1-31 "
	    "characters of A-Z, a-z, 0-9, _ and -" },
	{ { "prepare", "--timeout", "0" }, "--timeout \"0\": expected a number "
	    "(1-600000)" },
	{ { "prepare", "--timeout", "5s" }, "--timeout \"5s\": expected a "
	    "number (1-600000)" },
	{ { "complete", "extra" }, "complete: unexpected argument \"extra\"" },
	{ { "verbose" }, "verbose: missing argument LEVEL" },
	{ { "verbose", "3" }, "level \"3\": expected a number (0-2)" },
	{ { "status", "-T", "0" }, "--wait \"0\": expected a number "
	    "(1-86400000)" },
	{ { "status", "--role", "root" }, "--role \"root\": valid: "
	    "orchestrator, operator, viewer" },
	{ { "status", "--lab", "a/b" }, "--lab \"a/b\": expected 1-31 "
	    "characters of A-Z, a-z, 0-9, _ and -" },
	{ { "status", "-x" }, "unknown option \"-x\"" },
	{ { "complete", "--peers", "A" }, "complete: unknown option "
	    "\"--peers\"; valid: --lab, -g, --guest, -s, --socket, -r, --role, "
	    "-k, --key, -T, --wait, -j, --json, -t, --timeout" },
};

static void
test_bad(void **state)
{
	struct parse_result	pr;
	char			err[CLI_ERRLEN], *argv[MAXW + 1];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case	*c = &bad_cases[i];

		if (parse_command(args(c->words, argv), argv, &pr, err,
		    sizeof(err)) != -1)
			fail_msg("%s accepted", c->words[0]);
		if (strcmp(err, c->msg) != 0)
			fail_msg("\"%s\", expected \"%s\"", err, c->msg);
	}
	argv[0] = (char *)(uintptr_t)"agentctl";
	assert_int_equal(parse_command(1, argv, &pr, err, sizeof(err)), -1);
	assert_string_equal(err, "missing command; valid: prepare, complete, "
	    "status, verbose");
}

/* --peers with more names than the protocol takes. */
static void
test_too_many_peers(void **state)
{
	struct parse_result	 pr;
	char			 list[AGENT_PEERS_MAX * 8], err[CLI_ERRLEN];
	char			*argv[] = { (char *)(uintptr_t)"agentctl",
				    (char *)(uintptr_t)"prepare",
				    (char *)(uintptr_t)"--peers", list };

	(void)state;
	assert_true(namelist_write(list, sizeof(list), "", "P",
	    AGENT_PEERS_MAX + 1, false, "") > 0);
	assert_int_equal(parse_command(4, argv, &pr, err, sizeof(err)), -1);
	assert_string_equal(err, "--peers: more than 64 names");
}

/* Which agent: exactly one way. */
static void
test_target(void **state)
{
	struct parse_result	pr;
	char			err[CLI_ERRLEN];

	(void)state;
	memset(&pr, 0, sizeof(pr));
	assert_int_equal(parse_target(&pr, err, sizeof(err)), -1);
	assert_string_equal(err, "which agent? give --lab LAB --guest GUEST, "
	    "or -s PATH");
	pr.lab = "ref";
	assert_int_equal(parse_target(&pr, err, sizeof(err)), -1);
	pr.guest = "G";
	assert_int_equal(parse_target(&pr, err, sizeof(err)), 0);
	pr.socket = "/x";
	assert_int_equal(parse_target(&pr, err, sizeof(err)), -1);
	assert_string_equal(err, "give either -s PATH or --lab and --guest, "
	    "not both");
}

static int
t_parse(int argc, char **argv, void *pr, char *err, size_t errlen)
{
	return parse_command(argc, argv, pr, err, errlen);
}

/* --help and --version anywhere; nothing else is checked then. */
static void
test_help(void **state)
{
	static struct cmdline	cl = { .prog = "agentctl",
				    .parse = t_parse };
	struct parse_result	pr;

	(void)state;
	memset(&pr, 0, sizeof(pr));
	cmdline_help_version(&cl, "nosuch -h --bogus", &pr, &pr.help,
	    &pr.version);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_too_many_peers),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
