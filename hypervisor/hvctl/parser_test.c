/*
 * parser_test.c: hvctl's command line: prefixes, ambiguity, arguments,
 * options on either side of the command, each refusal with its exact
 * text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "hvctl.h"

#define COMMANDS "members, guests, status, check, relocate, cancel, " \
	"set-limits, history, events, where, audit, recover, member, " \
	"workload, log"

static const struct {
	const char	*line;
	int		 rc;
	enum hv_req	 req;
	const char	*err;
} cases[] = {
	{ "members", 0, HV_REQ_MEMBERS, NULL },
	{ "gu", 0, HV_REQ_GUESTS, NULL },
	{ "stat", 0, HV_REQ_STATUS, NULL },
	{ "status LITDCON1", 0, HV_REQ_STATUS, NULL },
	{ "check LITDCON1 VM2", 0, HV_REQ_CHECK, NULL },
	{ "check LITDCON1", -1, 0, "check: missing argument MEMBER" },
	{ "ch LITDCON1 VM2 --force domain", 0, HV_REQ_CHECK, NULL },
	{ "relocate LITDCON1 VM2 --max-total 30 --max-quiesce 10 --immediate",
	    0, HV_REQ_RELOCATE, NULL },
	{ "relocate LITDCON1 VM2 --max-total 0", -1, 0,
	    "--max-total \"0\": expected a number (1-86400)" },
	{ "relocate LITDCON1 VM2 --force memory", -1, 0,
	    "--force \"memory\": valid: domain, storage" },
	{ "relocate LITDCON1 VM2 extra", -1, 0,
	    "relocate: unexpected argument \"extra\"" },
	{ "relocate LITDCON1 VM2 --bogus", -1, 0,
	    "unknown option \"--bogus\"" },
	{ "relocate LITDCON1 VM2 --out 1", -1, 0,
	    "relocate: unknown option \"--out\"; valid: -j, --json, -D, "
	    "--labdir, -l, --lab, -m, --member, -k, --role, -K, --keyfile, "
	    "-t, --timeout, --async, --max-total, --max-quiesce, --max-rate, "
	    "--immediate, --force, --verify" },
	{ "relocate bad/name VM2", -1, 0,
	    "guest \"bad/name\": expected 1-31 characters of A-Z, a-z, 0-9, _ "
	    "and -" },
	{ "cancel LITDCON1", 0, HV_REQ_CANCEL, NULL },
	{ "set-limits LITDCON1 --max-quiesce 5", 0, HV_REQ_SET_LIMITS, NULL },
	{ "s", -1, 0, "ambiguous command \"s\"; valid: status, set-limits" },
	{ "m", -1, 0, "ambiguous command \"m\"; valid: members, member" },
	{ "member", -1, 0,
	    "member: missing word; valid: set-down, set-limits" },
	{ "member set-d VM2", 0, HV_REQ_MEMBER_DOWN, NULL },
	{ "member set-l VM2 --out 1 --in 0", 0, HV_REQ_MEMBER_LIMITS, NULL },
	{ "member set-down", -1, 0,
	    "member set-down: missing argument MEMBER" },
	{ "member frobnicate VM2", -1, 0, "member: unknown word "
	    "\"frobnicate\"; valid: set-down, set-limits" },
	{ "history", 0, HV_REQ_HISTORY, NULL },
	{ "events -f", 0, HV_REQ_EVENTS, NULL },
	{ "where LITDCON1", 0, HV_REQ_WHERE, NULL },
	{ "recover LITDCON1 VM2", 0, HV_REQ_RECOVER, NULL },
	{ "workload LITDCON1 --rate 8 --wss 64", 0, HV_REQ_WORKLOAD, NULL },
	{ "log verbose 2", 0, HV_REQ_VERBOSE, NULL },
	{ "log verbose 9", -1, 0, "level \"9\": expected a number (0-3)" },
	{ "frobnicate", -1, 0, "unknown command \"frobnicate\"; valid: "
	    COMMANDS },
	{ "", -1, 0, "missing command; valid: " COMMANDS },
	{ "-t 0 members", -1, 0,
	    "--timeout \"0\": expected a number (1-600000)" },
	{ "members -l", -1, 0, "-l: missing value LAB" },
	{ "history -f", -1, 0, "history: unknown option \"--follow\"; valid: "
	    "-j, --json, -D, --labdir, -l, --lab, -m, --member, -k, --role, "
	    "-K, --keyfile, -t, --timeout" },
};

/* "a b c" -> argv with "hvctl" as argv[0]. */
static int
split(const char *line, char *buf, size_t size, char **argv)
{
	int	argc = 0;
	char	*t, *save = NULL;

	snprintf(buf, size, "hvctl %s", line);
	for (t = strtok_r(buf, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return argc;
}

static void
test_lines(void **state)
{
	struct parse_result	 res;
	char			 buf[256], err[CLI_ERRLEN], *argv[16];
	size_t			 i;
	int			 argc, rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		err[0] = '\0';
		rc = parse(argc, argv, &res, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d (%s)", cases[i].line, rc, err);
		if (rc == 0 && res.rq.type != cases[i].req)
			fail_msg("\"%s\": request %s", cases[i].line,
			    hv_req_name(res.rq.type));
		if (rc == -1 && strcmp(err, cases[i].err) != 0)
			fail_msg("\"%s\":\n got: %s\nwant: %s", cases[i].line,
			    err, cases[i].err);
	}
}

static void
test_values(void **state)
{
	struct parse_result	 res;
	char			 buf[256], err[CLI_ERRLEN], *argv[16];
	int			 argc;

	(void)state;
	argc = split("reloc G1 VM2 --async --max-quiesce 7 --force storage "
	    "--max-rate 100 --verify full", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_string_equal(res.rq.guest, "G1");
	assert_string_equal(res.rq.member, "VM2");
	assert_int_equal(res.rq.max_quiesce_ms, 7);
	assert_int_equal(res.rq.max_total_s, HV_UNSET);
	assert_int_equal(res.rq.max_rate_mib, 100);
	assert_int_equal(hv_request_force(&res.rq), HV_FORCE_STORAGE);
	assert_int_equal(res.rq.verify, HV_VERIFY_FULL);
	assert_true(res.flags & PARSE_ASYNC);
	/* 0: no cap (given, unlike an absent option) */
	argc = split("set-limits G1 --max-rate 0", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_int_equal(res.rq.max_rate_mib, 0);
	argc = split("check G1 VM2 --force storage --force domain", buf,
	    sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_int_equal(hv_request_force(&res.rq), HV_FORCE_STORAGE |
	    HV_FORCE_DOMAIN);
	argc = split("member set-down VM4", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_string_equal(res.rq.member, "VM4");
	argc = split("events -f LITDCON1", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_true(res.flags & PARSE_FOLLOW);
	assert_string_equal(res.rq.guest, "LITDCON1");
	argc = split("log verbose 2", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_int_equal(res.rq.verbose, 2);
}

/* Global options before or after the command, with the same result. */
static void
test_globals(void **state)
{
	static const char *const lines[] = {
		"-l ref history -j -m VM2 -t 900",
		"history -l ref -j -m VM2 -t 900",
		"-j -t 900 history -m VM2 --lab=ref",
		"-jlref -mVM2 hist -t900",
	};
	struct parse_result	 res;
	char			 buf[256], err[CLI_ERRLEN], *argv[16];
	size_t			 i;
	int			 argc;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		argc = split(lines[i], buf, sizeof(buf), argv);
		if (parse(argc, argv, &res, err, sizeof(err)) != 0)
			fail_msg("\"%s\": %s", lines[i], err);
		assert_int_equal(res.rq.type, HV_REQ_HISTORY);
		assert_true(res.flags & PARSE_JSON);
		assert_string_equal(res.lab, "ref");
		assert_string_equal(res.member, "VM2");
		assert_int_equal(res.timeout_ms, 900);
		assert_null(res.labdir);
	}
	argc = split("members", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_int_equal(res.timeout_ms, HVCTL_TIMEOUT_MS);
	assert_false(res.flags & PARSE_JSON);
	argc = split("nonsense --help", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_true(res.help);
	argc = split("--version", buf, sizeof(buf), argv);
	assert_int_equal(parse(argc, argv, &res, err, sizeof(err)), 0);
	assert_true(res.version);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_globals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
