/*
 * journal_test.c: the journal file: round trip, replacement, mode, and
 * every kind of bad file (table of contents and the errno they give).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "namelist.h"

struct jt {
	char	dir[64];
	char	path[PATH_MAX];
};

static int
setup(void **state)
{
	struct jt	*t = calloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/agent_journal_XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir,
	    AGENT_JOURNAL_NAME);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct jt	*t = *state;
	char		 tmp[PATH_MAX + 8];

	unlink(t->path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
	unlink(tmp);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void
put_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_roundtrip(void **state)
{
	struct jt	*t = *state;
	struct journal	 j, r;
	struct stat	 st;

	memset(&j, 0, sizeof(j));
	j.state = FSM_PREPARED;
	snprintf(j.member, sizeof(j.member), "VM9");
	j.since_ms = 1763800000123;
	j.prepared_ms = 1763800000100;
	snprintf(j.drained[0], sizeof(j.drained[0]), "hsi0");
	snprintf(j.drained[1], sizeof(j.drained[1]), "hsi1");
	j.ndrained = 2;
	assert_int_equal(journal_write(t->path, &j), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(journal_read(t->path, &r), 0);
	assert_int_equal(r.state, FSM_PREPARED);
	assert_string_equal(r.member, "VM9");
	assert_true(r.since_ms == j.since_ms);
	assert_true(r.prepared_ms == j.prepared_ms);
	assert_int_equal(r.ndrained, 2);
	assert_string_equal(r.drained[1], "hsi1");

	/* Replaced as a whole, no temporary file left behind. */
	j.state = FSM_IDLE;
	j.member[0] = '\0';
	j.ndrained = 0;
	assert_int_equal(journal_write(t->path, &j), 0);
	assert_int_equal(journal_read(t->path, &r), 0);
	assert_int_equal(r.state, FSM_IDLE);
	assert_string_equal(r.member, "");
	assert_int_equal(r.ndrained, 0);
	{
		char	tmp[PATH_MAX + 8];

		snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
		assert_int_equal(access(tmp, F_OK), -1);
	}
}

static void
test_missing(void **state)
{
	struct jt	*t = *state;
	struct journal	 r;

	assert_int_equal(journal_read(t->path, &r), -1);
	assert_int_equal(errno, ENOENT);
}

/* A stale temporary file (a crash before rename) changes nothing. */
static void
test_stale_tmp(void **state)
{
	struct jt	*t = *state;
	struct journal	 j, r;
	char		 tmp[PATH_MAX + 8];

	memset(&j, 0, sizeof(j));
	j.state = FSM_COMPLETING;
	j.since_ms = 5;
	assert_int_equal(journal_write(t->path, &j), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
	put_file(tmp, "{\"version\":1,\"state\":\"PREP");
	assert_int_equal(journal_read(t->path, &r), 0);
	assert_int_equal(r.state, FSM_COMPLETING);
	assert_int_equal(journal_write(t->path, &j), 0);
	assert_int_equal(access(tmp, F_OK), -1);
}

static const char *const bad_journals[] = {
	"",
	"\n",
	"{\"version\":1,\"state\":\"PREP",			/* torn */
	"not json",
	"[1,2]",
	"{\"version\":2,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":1}",
	"{\"version\":0,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":1}",
	"{\"version\":1,\"state\":\"idle\",\"member\":\"VM9\",\"since_ms\":1}",
	"{\"version\":1,\"state\":\"IDLE\",\"since_ms\":1}",
	"{\"version\":1,\"state\":\"IDLE\",\"member\":\"V M\",\"since_ms\":1}",
	"{\"version\":1,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":-1}",
	"{\"version\":1,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":\"1\"}",
	"{\"version\":1,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":1,"
	    "\"drained\":\"hsi0\"}",
	"{\"version\":1,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":1,"
	    "\"drained\":[\"\"]}",
	"{\"version\":1,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":1,"
	    "\"drained\":[\"an-interface-name-too-long\"]}",
	"{\"version\":1,\"state\":\"IDLE\",\"member\":\"VM9\",\"since_ms\":1} x",
};

static void
test_bad(void **state)
{
	struct jt	*t = *state;
	struct journal	 r;
	size_t		 i;

	for (i = 0; i < sizeof(bad_journals) / sizeof(bad_journals[0]); i++) {
		put_file(t->path, bad_journals[i]);
		if (journal_read(t->path, &r) != -1 || errno != EBADMSG)
			fail_msg("journal \"%s\" accepted (or wrong errno)",
			    bad_journals[i]);
	}
}

/* A journal listing n drained interfaces ("d0", "d1", ...). */
static void
put_drained(const char *path, size_t n)
{
	char	text[1024];

	assert_true(namelist_write(text, sizeof(text), "{\"version\":1,"
	    "\"state\":\"PREPARED\",\"member\":\"VM9\",\"since_ms\":1,"
	    "\"drained\":[", "d", n, true, "]}") > 0);
	put_file(path, text);
}

/* As many drained interfaces as a guest may have, not one more. */
static void
test_drained_limit(void **state)
{
	struct jt	*t = *state;
	struct journal	 r;

	put_drained(t->path, FSM_MAX_IFS);
	assert_int_equal(journal_read(t->path, &r), 0);
	assert_int_equal(r.ndrained, FSM_MAX_IFS);
	assert_string_equal(r.drained[FSM_MAX_IFS - 1], "d15");
	put_drained(t->path, FSM_MAX_IFS + 1);
	errno = 0;
	assert_int_equal(journal_read(t->path, &r), -1);
	assert_int_equal(errno, EBADMSG);
}

static void
test_unwritable(void **state)
{
	struct journal	j;

	(void)state;
	memset(&j, 0, sizeof(j));
	assert_int_equal(journal_write("/nonexistent-dir/agent.journal", &j),
	    -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_tmp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drained_limit, setup,
		    teardown),
		cmocka_unit_test(test_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
