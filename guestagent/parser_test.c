/*
 * parser_test.c: agentctl's command words (table-driven, with the exact
 * messages for wrong words).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agentctl.h"

#define MAXW	8

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
};

static size_t
nwords(const char *const *w)
{
	size_t	n = 0;

	while (n < MAXW && w[n] != NULL)
		n++;
	return n;
}

static void
test_good(void **state)
{
	struct parse_result	pr;
	char			err[256];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case	*c = &good_cases[i];

		if (parse_command((int)nwords(c->words),
		    (char **)(uintptr_t)c->words, &pr, err, sizeof(err)) != 0)
			fail_msg("%s: %s", c->words[0], err);
		assert_int_equal(pr.rq.type, c->req);
		assert_int_equal(pr.rq.npeers, c->npeers);
		assert_true(pr.rq.timeout_ms == c->timeout);
		assert_int_equal(pr.json, c->json);
	}
}

static const struct bad_case {
	const char	*words[MAXW];
	const char	*msg;
} bad_cases[] = {
	{ { "relocate" }, "unknown command \"relocate\"; valid commands: "
	    "prepare, complete, status, verbose" },
	{ { "x" }, "unknown command \"x\"" },
	{ { "" }, "unknown command \"\"" },
	{ { "status", "--peers", "A" }, "status: unexpected \"--peers\"; "
	    "usage: status [-j]" },
	{ { "prepare", "--peers" }, "prepare: --peers needs a value" },
	{ { "prepare", "--peers", "A,A" }, "peer A given twice" },
	{ { "prepare", "--peers", "A B" }, "peer \"A B\" is not a guest name" },
	{ { "prepare", "--timeout", "0" }, "timeout \"0\" out of range "
	    "(1-600000)" },
	{ { "prepare", "--timeout", "5s" }, "timeout \"5s\" out of range" },
	{ { "complete", "extra" }, "complete: unexpected \"extra\"" },
	{ { "verbose" }, "verbose: which level?" },
	{ { "verbose", "3" }, "level \"3\" out of range (0-2)" },
};

static void
test_bad(void **state)
{
	struct parse_result	pr;
	char			err[256];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case	*c = &bad_cases[i];

		if (parse_command((int)nwords(c->words),
		    (char **)(uintptr_t)c->words, &pr, err, sizeof(err)) != -1)
			fail_msg("%s accepted", c->words[0]);
		if (strstr(err, c->msg) == NULL)
			fail_msg("\"%s\", expected \"%s\"", err, c->msg);
	}
	assert_int_equal(parse_command(0, NULL, &pr, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no command"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
