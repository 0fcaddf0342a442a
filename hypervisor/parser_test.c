/*
 * parser_test.c: hvctl's token table: prefixes, ambiguity, arguments,
 * options, each case on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hvctl.h"

static const struct {
	const char	*line;
	int		 rc;
	enum ctl_req	 req;
} cases[] = {
	{ "members", 0, CTL_MEMBERS },
	{ "gu", 0, CTL_GUESTS },
	{ "stat", 0, CTL_STATUS },
	{ "status LITDCON1", 0, CTL_STATUS },
	{ "check LITDCON1 VM2", 0, CTL_CHECK },
	{ "check LITDCON1", -1, 0 },
	{ "ch LITDCON1 VM2 --force domain", 0, CTL_CHECK },
	{ "relocate LITDCON1 VM2 --max-total 30 --max-quiesce 10 --immediate",
	    0, CTL_RELOCATE },
	{ "relocate LITDCON1 VM2 --max-total 0", -1, 0 },
	{ "relocate LITDCON1 VM2 --force memory", -1, 0 },
	{ "relocate LITDCON1 VM2 extra", -1, 0 },
	{ "relocate LITDCON1 VM2 --bogus", -1, 0 },
	{ "relocate bad/name VM2", -1, 0 },
	{ "cancel LITDCON1", 0, CTL_CANCEL },
	{ "set-limits LITDCON1 --max-quiesce 5", 0, CTL_SET_LIMITS },
	{ "s", -1, 0 },				/* status, set-limits */
	{ "m", -1, 0 },				/* members, member */
	{ "member", -1, 0 },			/* set-down or set-limits? */
	{ "member set-d VM2", 0, CTL_MEMBER_DOWN },
	{ "member set-l VM2 --out 1 --in 0", 0, CTL_MEMBER_LIMITS },
	{ "member set-down", -1, 0 },
	{ "member frobnicate VM2", -1, 0 },
	{ "history", 0, CTL_HISTORY },
	{ "events -f", 0, CTL_EVENTS },
	{ "where LITDCON1", 0, CTL_WHERE },
	{ "recover LITDCON1 VM2", 0, CTL_RECOVER },
	{ "workload LITDCON1 --rate 8 --wss 64", 0, CTL_WORKLOAD },
	{ "log verbose 2", 0, CTL_VERBOSE },
	{ "log verbose 9", -1, 0 },
	{ "frobnicate", -1, 0 },
};

static int
split(const char *line, char *buf, char **argv)
{
	int	argc = 0;
	char	*t;

	strcpy(buf, line);
	for (t = strtok(buf, " "); t != NULL; t = strtok(NULL, " "))
		argv[argc++] = t;
	return argc;
}

static void
test_lines(void **state)
{
	struct parse_result	 res;
	char			 buf[256], *argv[16];
	size_t			 i;
	int			 argc, rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, argv);
		rc = parse(argc, argv, &res);
		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d", cases[i].line, rc);
		if (rc == 0 && res.rq.type != cases[i].req)
			fail_msg("\"%s\": request %s", cases[i].line,
			    ctl_req_name(res.rq.type));
	}
}

static void
test_values(void **state)
{
	struct parse_result	 res;
	char			 buf[256], *argv[16];
	int			 argc;

	(void)state;
	argc = split("reloc G1 VM2 --async --max-quiesce 7 --force storage "
	    "--max-rate 100 --verify full", buf, argv);
	assert_int_equal(parse(argc, argv, &res), 0);
	assert_string_equal(res.rq.guest, "G1");
	assert_string_equal(res.rq.member, "VM2");
	assert_int_equal(res.rq.max_quiesce_ms, 7);
	assert_int_equal(res.rq.max_total_s, CTL_UNSET);
	assert_int_equal(res.rq.max_rate_mib, 100);
	assert_int_equal(res.rq.force, CTL_FORCE_STORAGE);
	assert_int_equal(res.rq.verify, CTL_VERIFY_FULL);
	assert_true(res.flags & PARSE_ASYNC);
	argc = split("member set-down VM4", buf, argv);
	assert_int_equal(parse(argc, argv, &res), 0);
	assert_string_equal(res.rq.member, "VM4");
	argc = split("events -f LITDCON1", buf, argv);
	assert_int_equal(parse(argc, argv, &res), 0);
	assert_true(res.flags & PARSE_FOLLOW);
	assert_string_equal(res.rq.guest, "LITDCON1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_values),
	};

	/* The parser explains refusals on stderr; keep the log readable. */
	if (freopen("/dev/null", "w", stderr) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
