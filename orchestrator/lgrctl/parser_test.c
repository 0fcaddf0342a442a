/*
 * parser_test.c: lgrctl's command words, prefixes, options and the
 * requests they make, the exact message of every line it refuses (a
 * fixture file), and the codec round trip through lgrd_ctl.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cmdline.h"
#include "lgrctl.h"
#include "reply.h"

struct parse_case {
	const char	*line;
	enum lgrd_req	 req;
	const char	*json;		/* the encoded request */
	unsigned	 flags;
};

/* Command lines lgrctl accepts; the ones it refuses: testdata/. */
static const struct parse_case parse_cases[] = {
	{ "evacuate LIT --to VM2", LGRD_REQ_EVACUATE,
	    "{\"req\":\"evacuate\",\"workload\":\"LIT\",\"to\":\"VM2\"}", 0 },
	{ "evac LIT --from VM9 --to VM2 --parallel 4 --max-blackhole 50",
	    LGRD_REQ_EVACUATE, "{\"req\":\"evacuate\",\"workload\":\"LIT\","
	    "\"from\":\"VM9\",\"to\":\"VM2\",\"parallel\":4,"
	    "\"max_blackhole\":50}", 0 },
	{ "evacuate ALL --dry-run", LGRD_REQ_PLAN,
	    "{\"req\":\"plan\",\"workload\":\"ALL\"}", PARSE_DRY_RUN },
	{ "relocate LITDCON1 VM2 --no-wait", LGRD_REQ_RELOCATE,
	    "{\"req\":\"relocate\",\"guest\":\"LITDCON1\",\"to\":\"VM2\"}",
	    PARSE_NO_WAIT },
	{ "check LITDCON1 VM2", LGRD_REQ_CHECK,
	    "{\"req\":\"check\",\"guest\":\"LITDCON1\",\"to\":\"VM2\"}", 0 },
	{ "cancel 12", LGRD_REQ_CANCEL, "{\"req\":\"cancel\",\"id\":12}", 0 },
	{ "cancel LITSWAS1", LGRD_REQ_CANCEL,
	    "{\"req\":\"cancel\",\"guest\":\"LITSWAS1\"}", 0 },
	{ "status", LGRD_REQ_STATUS, "{\"req\":\"status\"}", 0 },
	{ "st 3", LGRD_REQ_STATUS, "{\"req\":\"status\",\"id\":3}", 0 },
	{ "history LITDCON1", LGRD_REQ_HISTORY,
	    "{\"req\":\"history\",\"guest\":\"LITDCON1\"}", 0 },
	{ "events -f", LGRD_REQ_EVENTS, "{\"req\":\"events\",\"since\":0}",
	    PARSE_FOLLOW },
	{ "report", LGRD_REQ_REPORT, "{\"req\":\"report\"}", 0 },
	{ "console-url", LGRD_REQ_CONSOLE_URL, "{\"req\":\"console-url\"}",
	    0 },
	{ "console-url --role operator", LGRD_REQ_CONSOLE_URL,
	    "{\"req\":\"console-url\",\"role\":\"operator\"}", 0 },
	/* Global options before, between or after the words. */
	{ "status -j 3", LGRD_REQ_STATUS, "{\"req\":\"status\",\"id\":3}",
	    0 },
	{ "-q events 3 -f", LGRD_REQ_EVENTS,
	    "{\"req\":\"events\",\"since\":0,\"id\":3}", PARSE_FOLLOW },
	{ "evacuate --dry-run LIT -l ref --to VM2", LGRD_REQ_PLAN,
	    "{\"req\":\"plan\",\"workload\":\"LIT\",\"to\":\"VM2\"}",
	    PARSE_DRY_RUN },
	{ "audit", LGRD_REQ_AUDIT, "{\"req\":\"audit\"}", 0 },
};

static int
t_parse(int argc, char **argv, void *pr, char *err, size_t errlen)
{
	return parse_args(argc, argv, pr, err, errlen);
}

static struct cmdline	cl = { .prog = "lgrctl", .parse = t_parse };

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

		cmdline_parse(&cl, c->line, &pr);
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
test_parse_refuses(void **state)
{
	struct parse_result	pr;

	(void)state;
	cmdline_errors_file(&cl, "lgrctl/testdata/parser_bad.txt", &pr);
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
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
