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

struct parse_case {
	const char	*line;
	int		 rc;
	enum lgr_req	 req;
	const char	*json;		/* encoded request, or NULL */
	unsigned	 flags;
};

static const struct parse_case parse_cases[] = {
	{ "evacuate LIT --to VM2", 0, LGR_REQ_EVACUATE,
	    "{\"req\":\"evacuate\",\"workload\":\"LIT\",\"to\":\"VM2\"}", 0 },
	{ "evac LIT --from VM9 --to VM2 --parallel 4 --max-blackhole 50", 0,
	    LGR_REQ_EVACUATE, "{\"req\":\"evacuate\",\"workload\":\"LIT\","
	    "\"from\":\"VM9\",\"to\":\"VM2\",\"parallel\":4,"
	    "\"max_blackhole\":50}", 0 },
	{ "evacuate ALL --dry-run", 0, LGR_REQ_PLAN,
	    "{\"req\":\"plan\",\"workload\":\"ALL\"}", PARSE_DRY_RUN },
	{ "evacuate LIT --parallel 0", -1, 0, NULL, 0 },
	{ "evacuate LIT --parallel", -1, 0, NULL, 0 },
	{ "evacuate LIT --bogus", -1, 0, NULL, 0 },
	{ "evacuate", -1, 0, NULL, 0 },
	{ "relocate LITDCON1 VM2 --no-wait", 0, LGR_REQ_RELOCATE,
	    "{\"req\":\"relocate\",\"guest\":\"LITDCON1\",\"to\":\"VM2\"}",
	    PARSE_NO_WAIT },
	{ "relocate LITDCON1 VM2 --from VM9", -1, 0, NULL, 0 },
	{ "rel LITDCON1", -1, 0, NULL, 0 },
	{ "re 1", -1, 0, NULL, 0 },	/* relocate or report */
	{ "check LITDCON1 VM2", 0, LGR_REQ_CHECK,
	    "{\"req\":\"check\",\"guest\":\"LITDCON1\",\"to\":\"VM2\"}", 0 },
	{ "cancel 12", 0, LGR_REQ_CANCEL, "{\"req\":\"cancel\",\"id\":12}", 0 },
	{ "cancel LITSWAS1", 0, LGR_REQ_CANCEL,
	    "{\"req\":\"cancel\",\"guest\":\"LITSWAS1\"}", 0 },
	{ "status", 0, LGR_REQ_STATUS, "{\"req\":\"status\"}", 0 },
	{ "st 3", 0, LGR_REQ_STATUS, "{\"req\":\"status\",\"id\":3}", 0 },
	{ "status x", -1, 0, NULL, 0 },
	{ "history LITDCON1", 0, LGR_REQ_HISTORY,
	    "{\"req\":\"history\",\"guest\":\"LITDCON1\"}", 0 },
	{ "events -f", 0, LGR_REQ_EVENTS, "{\"req\":\"events\",\"since\":0}",
	    PARSE_FOLLOW },
	{ "report", 0, LGR_REQ_REPORT, "{\"req\":\"report\"}", 0 },
	{ "verbose 4", -1, 0, NULL, 0 },
	{ "frobnicate", -1, 0, NULL, 0 },
	{ "evacuate LIT/x", -1, 0, NULL, 0 },
};

static int
parse_line(const char *line, struct parse_result *pr)
{
	char	buf[256], *argv[16], *save;
	int	argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 16;
	    t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return parse(argc, argv, pr);
}

static void
test_parse_cases(void **state)
{
	struct parse_result	 pr;
	struct json_object	*o;
	struct lgr_request	 back;
	const char		*s;

	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	    i++) {
		const struct parse_case	*c = &parse_cases[i];

		print_message("case: %s\n", c->line);
		assert_int_equal(parse_line(c->line, &pr), c->rc);
		if (c->rc == -1)
			continue;
		assert_int_equal(pr.rq.type, c->req);
		assert_int_equal(pr.flags, c->flags);
		o = lgr_request_encode(&pr.rq);
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		assert_string_equal(s, c->json);
		/* What lgrd decodes is what lgrctl meant. */
		assert_int_equal(lgr_request_decode(s, strlen(s), &back), 0);
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
		"[1,2]",
	};
	struct lgr_request	r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lgr_request_decode(bad[i], strlen(bad[i]),
		    &r), -1);
}

static void
test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(lgr_error_exit(LGR_E_WORKLOAD), LGRCTL_UNKNOWN);
	assert_int_equal(lgr_error_exit(LGR_E_EMPTY), LGRCTL_EMPTY);
	assert_int_equal(lgr_error_exit(LGR_E_DENIED), LGRCTL_DENIED);
	assert_int_equal(lgr_error_exit(LGR_E_CONFLICT), LGRCTL_FAILED);
	assert_int_equal(lgr_error_exit(LGR_E_INTERNAL), LGRCTL_ERROR);
	assert_true(lgr_req_writes(LGR_REQ_EVACUATE));
	assert_false(lgr_req_writes(LGR_REQ_PLAN));
	assert_int_equal(lgr_step_find("relocate"), STEP_RELOCATE);
	assert_string_equal(lgr_step_name(STEP_DONE), "done");
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
