/*
 * output_test.c: hvctl's text formatters as an operator reads them:
 * status with nothing running says so, the audit log has a time column.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "hvctl.h"

static char	out_path[] = "/tmp/hv_output_test.XXXXXX";

/* Run the text formatter over rows (JSON array), return what it printed. */
static char *
format(enum hv_req req, const char *rows)
{
	struct json_object	*arr = json_tokener_parse(rows);
	static char		 buf[4096];
	FILE			*f;
	size_t			 i, n;
	int			 saved, fd;

	assert_non_null(arr);
	fflush(stdout);
	assert_true((saved = dup(STDOUT_FILENO)) != -1);
	assert_true((fd = open(out_path, O_WRONLY | O_TRUNC)) != -1);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	output_text.begin(req);
	for (i = 0; i < json_object_array_length(arr); i++)
		output_text.row(req, json_object_array_get_idx(arr, i));
	output_text.end(req);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	json_object_put(arr);
	assert_non_null(f = fopen(out_path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_status_empty(void **state)
{
	(void)state;
	assert_string_equal(format(HV_REQ_STATUS, "[]"),
	    "no relocation running\n");
	assert_string_equal(format(HV_REQ_CHECK, "[]"),
	    "eligible: no conflicts\n");
	/* a running relocation: its table, no such line */
	assert_null(strstr(format(HV_REQ_STATUS, "[{\"id\":3,\"guest\":\"G1\","
	    "\"phase\":\"PRECOPY\"}]"), "no relocation"));
	assert_non_null(strstr(format(HV_REQ_STATUS, "[{\"id\":3,\"guest\":"
	    "\"G1\",\"phase\":\"PRECOPY\"}]"), "PRECOPY"));
}

static void
test_audit_time(void **state)
{
	const char	*s;

	(void)state;
	/* 2026-12-04 21:00:00 UTC */
	s = format(HV_REQ_AUDIT, "[{\"id\":7,\"ts_ms\":1796418000123,"
	    "\"member\":\"VM9\",\"who\":\"operator\",\"what\":\"relocate\","
	    "\"result\":\"started relocation 3\"}]");
	assert_true(strncmp(s, "ID     TIME                MEMBER  WHO",
	    38) == 0);
	assert_non_null(strstr(s, "\n7      2026-12-04 21:00:00 VM9     "
	    "operator"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_empty),
		cmocka_unit_test(test_audit_time),
	};
	int	fd, rc;

	setenv("TZ", "UTC", 1);
	tzset();
	if ((fd = mkstemp(out_path)) == -1)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(out_path);
	return rc;
}
