/*
 * parser_test.c: lgrctl's command words, prefixes, options and the
 * requests they make, and the codec round trip through lgrd_ctl.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lgrctl.h"
#include "reply.h"

struct parse_case {
	const char	*line;
	int		 rc;
	enum lgrd_req	 req;
	const char	*json;		/* encoded request, or NULL */
	unsigned	 flags;
	const char	*err;		/* the exact message when rc is -1 */
};

static const struct parse_case parse_cases[] = {
	{ "evacuate LIT --to VM2", 0, LGRD_REQ_EVACUATE,
	    "{\"req\":\"evacuate\",\"workload\":\"LIT\",\"to\":\"VM2\"}", 0,
	    NULL },
	{ "evac LIT --from VM9 --to VM2 --parallel 4 --max-blackhole 50", 0,
	    LGRD_REQ_EVACUATE, "{\"req\":\"evacuate\",\"workload\":\"LIT\","
	    "\"from\":\"VM9\",\"to\":\"VM2\",\"parallel\":4,"
	    "\"max_blackhole\":50}", 0, NULL },
	{ "evacuate ALL --dry-run", 0, LGRD_REQ_PLAN,
	    "{\"req\":\"plan\",\"workload\":\"ALL\"}", PARSE_DRY_RUN, NULL },
	{ "evacuate LIT --to VM2 --parallel 4 --wave 8 --dry-run", 0,
	    LGRD_REQ_PLAN, "{\"req\":\"plan\",\"workload\":\"LIT\","
	    "\"to\":\"VM2\",\"parallel\":4,\"wave\":8}", PARSE_DRY_RUN,
	    NULL },
	{ "evacuate LIT --wave 65", -1, 0, NULL, 0,
	    "--wave \"65\": expected a number (1-64)" },
	{ "evacuate LIT --parallel 0", -1, 0, NULL, 0,
	    "--parallel \"0\": expected a number (1-64)" },
	{ "evacuate LIT --parallel", -1, 0, NULL, 0,
	    "--parallel: missing value N" },
	{ "evacuate LIT --bogus", -1, 0, NULL, 0,
	    "unknown option \"--bogus\"" },
	{ "evacuate", -1, 0, NULL, 0,
	    "evacuate: missing argument WORKLOAD" },
	{ "relocate LITDCON1 VM2 --no-wait", 0, LGRD_REQ_RELOCATE,
	    "{\"req\":\"relocate\",\"guest\":\"LITDCON1\",\"to\":\"VM2\"}",
	    PARSE_NO_WAIT, NULL },
	{ "relocate LITDCON1 VM2 --from VM9", -1, 0, NULL, 0,
	    "relocate: unknown option \"--from\"; valid: -j, --json, -q, "
	    "--quiet, -D, -l, --lab, -k, -K, -t, --max-blackhole, --no-wait" },
	{ "rel LITDCON1", -1, 0, NULL, 0,
	    "relocate: missing argument MEMBER" },
	{ "re 1", -1, 0, NULL, 0,
	    "ambiguous command \"re\"; valid: relocate, report" },
	{ "check LITDCON1 VM2", 0, LGRD_REQ_CHECK,
	    "{\"req\":\"check\",\"guest\":\"LITDCON1\",\"to\":\"VM2\"}", 0,
	    NULL },
	{ "cancel 12", 0, LGRD_REQ_CANCEL, "{\"req\":\"cancel\",\"id\":12}", 0,
	    NULL },
	{ "cancel LITSWAS1", 0, LGRD_REQ_CANCEL,
	    "{\"req\":\"cancel\",\"guest\":\"LITSWAS1\"}", 0, NULL },
	{ "status", 0, LGRD_REQ_STATUS, "{\"req\":\"status\"}", 0, NULL },
	{ "st 3", 0, LGRD_REQ_STATUS, "{\"req\":\"status\",\"id\":3}", 0,
	    NULL },
	{ "status x", -1, 0, NULL, 0,
	    "job \"x\": expected a number (1-9223372036854775807)" },
	{ "history LITDCON1", 0, LGRD_REQ_HISTORY,
	    "{\"req\":\"history\",\"guest\":\"LITDCON1\"}", 0, NULL },
	{ "events -f", 0, LGRD_REQ_EVENTS, "{\"req\":\"events\",\"since\":0}",
	    PARSE_FOLLOW, NULL },
	{ "report", 0, LGRD_REQ_REPORT, "{\"req\":\"report\"}", 0, NULL },
	{ "verbose 4", -1, 0, NULL, 0,
	    "level \"4\": expected a number (0-3)" },
	{ "frobnicate", -1, 0, NULL, 0,
	    "unknown command \"frobnicate\"; valid: evacuate, "
	    "relocate, check, cancel, status, history, events, report, audit, "
	    "verbose, console-url" },
	{ "console-url", 0, LGRD_REQ_CONSOLE_URL, "{\"req\":\"console-url\"}",
	    0, NULL },
	{ "console-url --role operator", 0, LGRD_REQ_CONSOLE_URL,
	    "{\"req\":\"console-url\",\"role\":\"operator\"}", 0, NULL },
	/* Global options before, between or after the words. */
	{ "status -j 3", 0, LGRD_REQ_STATUS, "{\"req\":\"status\",\"id\":3}",
	    0, NULL },
	{ "-q events 3 -f", 0, LGRD_REQ_EVENTS,
	    "{\"req\":\"events\",\"since\":0,\"id\":3}", PARSE_FOLLOW, NULL },
	{ "evacuate --dry-run LIT -l ref --to VM2", 0, LGRD_REQ_PLAN,
	    "{\"req\":\"plan\",\"workload\":\"LIT\",\"to\":\"VM2\"}",
	    PARSE_DRY_RUN, NULL },
	{ "audit", 0, LGRD_REQ_AUDIT, "{\"req\":\"audit\"}", 0, NULL },
	{ "audit x", -1, 0, NULL, 0, "audit: unexpected argument \"x\"" },
	{ "cancel", -1, 0, NULL, 0, "cancel: missing argument GUEST|JOB" },
	{ "", -1, 0, NULL, 0, "missing command; valid: evacuate, relocate, "
	    "check, cancel, status, history, events, report, audit, verbose, "
	    "console-url" },
	{ "evacuate LIT/x", -1, 0, NULL, 0,
	    "workload \"LIT/x\": expected 1-31 characters of A-Z, a-z, "
	    "0-9, _ and -" },
};

static char	parse_err[512];

static int
parse_line(const char *line, struct parse_result *pr)
{
	char	buf[256], *argv[16], *save;
	int	argc = 0;

	argv[argc++] = (char *)(uintptr_t)"lgrctl";
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 16;
	    t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return parse_args(argc, argv, pr, parse_err, sizeof(parse_err));
}

static void
test_parse_cases(void **state)
{
	struct parse_result	 pr;
	struct json_object	*o;
	struct lgrd_request	 back;
	const char		*s;

	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	    i++) {
		const struct parse_case	*c = &parse_cases[i];

		print_message("case: %s\n", c->line);
		assert_int_equal(parse_line(c->line, &pr), c->rc);
		if (c->rc == -1) {
			assert_string_equal(parse_err, c->err);
			continue;
		}
		assert_int_equal(pr.rq.type, c->req);
		assert_int_equal(pr.flags, c->flags);
		o = lgrd_request_encode(&pr.rq);
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		assert_string_equal(s, c->json);
		/* What lgrd decodes is what lgrctl meant. */
		assert_int_equal(lgrd_request_decode(s, strlen(s), &back), 0);
		assert_int_equal(back.type, pr.rq.type);
		assert_string_equal(back.workload, pr.rq.workload);
		assert_string_equal(back.guest, pr.rq.guest);
		assert_string_equal(back.to, pr.rq.to);
		assert_true(back.parallel == pr.rq.parallel);
		assert_true(back.id == pr.rq.id);
		json_object_put(o);
	}
}

static void
test_decode_refuses(void **state)
{
	static const char *const bad[] = {
		"{\"req\":\"evacuate\"}",
		"{\"req\":\"evacuate\",\"workload\":\"LIT\",\"parallel\":0}",
		"{\"req\":\"evacuate\",\"workload\":\"LIT\",\"parallel\":65}",
		"{\"req\":\"cancel\"}",
		"{\"req\":\"relocate\",\"guest\":\"A B\",\"to\":\"VM2\"}",
		"{\"req\":\"nope\"}",
		"{\"req\":\"audit\",\"since\":-1}",
		"{\"req\":\"status\",\"id\":0}",
		"{\"req\":\"check\",\"guest\":\"G\",\"to\":\"VM2\","
		    "\"parallel\":2}",
		"[1,2]",
	};
	struct lgrd_request	r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lgrd_request_decode(bad[i], strlen(bad[i]),
		    &r), -1);
}

static void
test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(parse_exit_code(REPLY_E_NOTFOUND), LGRCTL_UNKNOWN);
	assert_int_equal(parse_exit_code(REPLY_E_EMPTY), LGRCTL_EMPTY);
	assert_int_equal(parse_exit_code(REPLY_E_DENIED), LGRCTL_DENIED);
	assert_int_equal(parse_exit_code(REPLY_E_CONFLICT), LGRCTL_FAILED);
	assert_int_equal(parse_exit_code(REPLY_E_INTERNAL), LGRCTL_ERROR);
	assert_int_equal(parse_exit_code(REPLY_E_BUSY), LGRCTL_FAILED);
	assert_int_equal(parse_exit_code(REPLY_E_BADARG), LGRCTL_USAGE);
	assert_true(lgrd_req_writes(LGRD_REQ_EVACUATE));
	assert_false(lgrd_req_writes(LGRD_REQ_PLAN));
	assert_int_equal(lgrd_step_find("relocate"), LGRD_STEP_RELOCATE);
	assert_string_equal(lgrd_step_name(LGRD_STEP_DONE), "done");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
