/*
 * output_test.c: lgrctl's formatters: the progress line names every
 * guest in flight, a start says why --parallel was clamped, the audit
 * table, the moves of one job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lgrctl.h"

/* What fn printed to stdout. */
static char *
capture(void (*fn)(struct json_object *), struct json_object *o)
{
	static char	 buf[4096];
	FILE		*f = tmpfile();
	int		 saved = dup(STDOUT_FILENO);
	size_t		 n;

	assert_non_null(f);
	fflush(stdout);
	dup2(fileno(f), STDOUT_FILENO);
	fn(o);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_progress_names_every_guest_in_flight(void **state)
{
	struct json_object	*rep = json_tokener_parse("{\"job\":{\"id\":3},"
	    "\"moves\":["
	    "{\"guest\":\"LITSHA22\",\"from\":\"VM9\",\"to\":\"VM2\","
	    "\"step\":\"done\",\"progress\":\"\"},"
	    "{\"guest\":\"LITDCON1\",\"from\":\"VM9\",\"to\":\"VM2\","
	    "\"step\":\"relocate\",\"progress\":\"precopy pass 2, 12.0 MiB "
	    "sent, 3.0 MiB left\"},"
	    "{\"guest\":\"LITSWAS1\",\"from\":\"VM9\",\"to\":\"VM2\","
	    "\"step\":\"prepare\",\"progress\":\"\"},"
	    "{\"guest\":\"LITDAT01\",\"from\":\"VM9\",\"to\":\"VM2\","
	    "\"step\":\"planned\",\"progress\":\"\"}]}");
	char			 line[512];

	(void)state;
	assert_non_null(rep);
	assert_string_equal(output_progress_line(rep, line, sizeof(line)),
	    "[1/4 done, 2 moving] LITDCON1 VM9->VM2 relocate precopy pass 2, "
	    "12.0 MiB sent, 3.0 MiB left; LITSWAS1 VM9->VM2 prepare");
	json_object_put(rep);
	rep = json_tokener_parse("{\"moves\":[]}");
	assert_string_equal(output_progress_line(rep, line, sizeof(line)),
	    "[0/0 done]");
	json_object_put(rep);
}

static void
test_started_says_why_parallel_is_less(void **state)
{
	struct json_object	*o;

	(void)state;
	o = json_tokener_parse("{\"id\":7,\"guests\":4,\"parallel\":2,"
	    "\"parallel_why\":\"4 asked; VM9 allows 2 relocations out\"}");
	assert_string_equal(capture(output_started, o), "job 7 started: 4 "
	    "guest(s), parallel 2 (4 asked; VM9 allows 2 relocations out)\n");
	json_object_put(o);
	o = json_tokener_parse("{\"id\":8,\"guests\":1,\"parallel\":1}");
	assert_string_equal(capture(output_started, o), "job 8 started: 1 "
	    "guest(s), parallel 1\n");
	json_object_put(o);
	o = json_tokener_parse("{\"id\":9,\"guests\":4,\"parallel\":2,"
	    "\"parallel_why\":\"4 asked; VM9 allows 2 relocations out\","
	    "\"waves\":2,\"wave_size\":4}");
	assert_string_equal(capture(output_started, o), "job 9 started: 4 "
	    "guest(s), parallel 2 (4 asked; VM9 allows 2 relocations out), 2 "
	    "waves of up to 4\n");
	json_object_put(o);
}

/* Progress names the wave in flight when there are several. */
static void
test_progress_names_the_wave(void **state)
{
	struct json_object	*rep = json_tokener_parse("{\"moves\":["
	    "{\"guest\":\"LITDCON1\",\"wave\":1,\"from\":\"VM9\","
	    "\"to\":\"VM2\",\"step\":\"done\"},"
	    "{\"guest\":\"LITSWAS1\",\"wave\":2,\"from\":\"VM9\","
	    "\"to\":\"VM2\",\"step\":\"prepare\",\"progress\":\"\"},"
	    "{\"guest\":\"LITSHA22\",\"wave\":3,\"from\":\"VM9\","
	    "\"to\":\"VM2\",\"step\":\"planned\"}]}");
	char			 line[256];

	(void)state;
	assert_string_equal(output_progress_line(rep, line, sizeof(line)),
	    "[1/3 done, wave 2/3, 1 moving] LITSWAS1 VM9->VM2 prepare");
	json_object_put(rep);
}

static void
test_moves_of_a_job(void **state)
{
	struct json_object	*rep = json_tokener_parse("{\"moves\":["
	    "{\"guest\":\"LITDCON1\",\"wave\":1,\"from\":\"VM9\",\"to\":\"VM2\","
	    "\"hsi\":1,\"step\":\"relocate\",\"result\":\"\",\"routecheck\":\"\","
	    "\"reason\":\"\",\"progress\":\"precopy pass 1\"},"
	    "{\"guest\":\"LITDAT01\",\"from\":\"VM9\",\"to\":\"VM2\",\"hsi\":1,"
	    "\"step\":\"done\",\"result\":\"not-moved\",\"routecheck\":\"ok\","
	    "\"reason\":\"STORAGE: VM2 is full\",\"progress\":\"\"}]}");

	(void)state;
	assert_string_equal(capture(output_moves, rep), "\n"
	    "GUEST      WAVE FROM  TO    HSI STEP      RESULT     ROUTECHECK "
	    "NOTE\n"
	    "LITDCON1   1    VM9   VM2   yes relocate  -          -          "
	    "precopy pass 1\n"
	    "LITDAT01   -    VM9   VM2   yes done      not-moved  ok         "
	    "STORAGE: VM2 is full\n");
	json_object_put(rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progress_names_every_guest_in_flight),
		cmocka_unit_test(test_started_says_why_parallel_is_less),
		cmocka_unit_test(test_moves_of_a_job),
		cmocka_unit_test(test_progress_names_the_wave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
