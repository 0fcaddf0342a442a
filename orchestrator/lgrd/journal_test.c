/*
 * journal_test.c: jobs and moves survive in the journal the way a
 * restarted lgrd reads them back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"

/* Each test's journal, removed by the teardown also when the test fails. */
struct jt {
	sqlite3	*db;
	char	 path[64];
};

static int
jt_setup(void **state)
{
	struct jt	*t;
	int		 fd;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/lgr-journal-test-XXXXXX");
	if ((fd = mkstemp(t->path)) == -1) {
		free(t);
		return -1;
	}
	close(fd);
	if ((t->db = journal_open(t->path)) == NULL) {
		unlink(t->path);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int
jt_teardown(void **state)
{
	struct jt	*t = *state;
	char		 p[80];

	if (t->db != NULL)
		journal_close(t->db);
	unlink(t->path);
	snprintf(p, sizeof(p), "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", t->path);
	unlink(p);
	free(t);
	return 0;
}

static void
journal_fill(struct job *j, struct move *m)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->kind, sizeof(j->kind), "evacuate");
	snprintf(j->workload, sizeof(j->workload), "LIT");
	snprintf(j->dst, sizeof(j->dst), "VM2");
	snprintf(j->who, sizeof(j->who), "operator");
	j->parallel = 2;
	j->max_blackhole_ms = -1;
	for (int i = 0; i < 3; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].seq = 1;
		snprintf(m[i].guest, sizeof(m[i].guest), "G%d", i);
		snprintf(m[i].src, sizeof(m[i].src), "VM9");
		snprintf(m[i].dst, sizeof(m[i].dst), "VM2");
		m[i].hsi = i != 0;
		m[i].memory_mib = 256;
		m[i].prepare_ms = m[i].reloc_ms = m[i].quiesce_ms = -1;
		m[i].reloc_wall_ms = -1;
		m[i].downtime_ms = m[i].converge_ms = m[i].complete_ms = -1;
		m[i].verify_ms = m[i].total_ms = -1;
	}
}

static void
test_journal_resume(void **state)
{
	struct job	 j, back;
	struct move	 m[3], *v;
	struct jt	*t = *state;
	sqlite3		*db = t->db;
	size_t		 n;
	int64_t		 running;

	journal_fill(&j, m);
	assert_int_equal(journal_job_new(db, &j), 0);
	assert_true(j.id > 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(journal_move_new(db, j.id, &m[i]), 0);
	/* G0 done, G1 killed while relocating, G2 not started. */
	snprintf(m[0].result, sizeof(m[0].result), "moved");
	m[0].reloc_ms = 120.5;
	m[0].step = LGRD_STEP_DONE;
	assert_int_equal(journal_move_save(db, &m[0]), 0);
	assert_int_equal(journal_move_step(db, &m[1], LGRD_STEP_PREPARE), 0);
	assert_int_equal(journal_move_step(db, &m[1], LGRD_STEP_RELOCATE), 0);
	m[1].hv_id = 42;
	assert_int_equal(journal_move_save(db, &m[1]), 0);
	journal_close(db);	/* lgrd gone with the job running */
	t->db = NULL;
	assert_non_null(db = t->db = journal_open(t->path));

	assert_int_equal(journal_int(db, &running, "SELECT count(*) FROM jobs "
	    "WHERE state = 'RUNNING'", ""), 1);
	assert_int_equal(running, 1);
	assert_int_equal(journal_job_load(db, j.id, &back), 1);
	assert_string_equal(back.workload, "LIT");
	assert_int_equal(back.parallel, 2);
	assert_non_null(v = journal_moves_load(db, j.id, &n));
	assert_int_equal(n, 3);
	assert_int_equal(v[0].step, LGRD_STEP_DONE);
	assert_string_equal(v[0].result, "moved");
	assert_true(v[0].reloc_ms > 120.4 && v[0].reloc_ms < 120.6);
	assert_true(v[0].quiesce_ms < 0);	/* not measured: NULL */
	assert_int_equal(v[1].step, LGRD_STEP_RELOCATE);
	assert_int_equal(v[1].hv_id, 42);
	assert_true(v[1].hsi);
	assert_int_equal(v[2].step, LGRD_STEP_PLANNED);
	free(v);

	back.moved = 1;
	back.not_moved = 2;
	back.attempted = 2;
	assert_int_equal(journal_job_end(db, &back, "DONE"), 0);
	assert_int_equal(journal_int(db, &running, "SELECT count(*) FROM jobs "
	    "WHERE state = 'RUNNING'", ""), 1);
	assert_int_equal(running, 0);
}

static void
test_journal_events(void **state)
{
	struct json_object	*rows;
	struct jt		*t = *state;
	sqlite3			*db = t->db;

	journal_event(db, 7, "LITDCON1", "LGR-MOVED", "moved %s -> %s", "VM9",
	    "VM2");
	journal_audit(db, "viewer", "evacuate", "{}", "denied");
	assert_non_null(rows = journal_json(db, "SELECT * FROM events", ""));
	assert_int_equal(json_object_array_length(rows), 1);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rows, 0), "text")), "moved VM9 -> VM2");
	json_object_put(rows);
	assert_non_null(rows = journal_json(db, "SELECT who, result FROM audit",
	    ""));
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rows, 0), "who")), "viewer");
	json_object_put(rows);
}

static int64_t
row_id(struct json_object *rows, size_t i, const char *key)
{
	return json_object_get_int64(json_object_object_get(
	    json_object_array_get_idx(rows, i), key));
}

/* The named reads lgrd answers with: each statement once. */
static void
test_journal_reads(void **state)
{
	struct json_object	*rows, *o;
	struct job		 j;
	struct move		 m[3];
	struct jt		*t = *state;
	sqlite3			*db = t->db;
	int64_t			 id = 0, ms = 0;

	assert_int_equal(journal_job_latest(db, &id), 0);	/* none yet */
	assert_null(journal_job_json(db, 1));
	for (int k = 0; k < 3; k++) {
		journal_fill(&j, m);
		assert_int_equal(journal_job_new(db, &j), 0);
		for (int i = 0; i < 3; i++)
			assert_int_equal(journal_move_new(db, j.id, &m[i]), 0);
	}
	/* Jobs: newest first; the latest; the running ones, oldest first. */
	assert_non_null(rows = journal_jobs_recent(db, 2));
	assert_int_equal(json_object_array_length(rows), 2);
	assert_int_equal(row_id(rows, 0, "id"), 3);
	assert_int_equal(row_id(rows, 1, "id"), 2);
	json_object_put(rows);
	assert_int_equal(journal_job_latest(db, &id), 1);
	assert_int_equal(id, 3);
	j.id = 2;
	assert_int_equal(journal_job_end(db, &j, "DONE"), 0);
	assert_non_null(rows = journal_jobs_running(db));
	assert_int_equal(json_object_array_length(rows), 2);
	assert_int_equal(row_id(rows, 0, "id"), 1);
	assert_int_equal(row_id(rows, 1, "id"), 3);
	json_object_put(rows);
	assert_non_null(o = journal_job_json(db, 2));
	assert_string_equal(json_object_get_string(json_object_object_get(o,
	    "state")), "DONE");
	json_object_put(o);
	/* Moves: a job's in order; history holds the finished ones. */
	assert_non_null(rows = journal_moves_json(db, 3));
	assert_int_equal(json_object_array_length(rows), 3);
	json_object_put(rows);
	m[1].step = LGRD_STEP_DONE;
	m[1].total_ms = 1500;
	snprintf(m[1].result, sizeof(m[1].result), "moved");
	assert_int_equal(journal_move_save(db, &m[1]), 0);
	assert_non_null(rows = journal_history(db, ""));
	assert_int_equal(json_object_array_length(rows), 1);
	json_object_put(rows);
	assert_non_null(rows = journal_history(db, "G0"));
	assert_int_equal(json_object_array_length(rows), 0);
	json_object_put(rows);
	assert_int_equal(journal_move_mean_ms(db, true, &ms), 1);
	assert_int_equal(ms, 1500);
	assert_int_equal(journal_move_mean_ms(db, false, &ms), 0);
	/* Events of one job after an id; the audit log after an id. */
	journal_event(db, 1, NULL, "LGR-JOB-START", "one");
	journal_event(db, 2, NULL, "LGR-JOB-START", "two");
	journal_event(db, 1, "G1", "LGR-MOVED", "three");
	assert_non_null(rows = journal_events(db, 0, 1));
	assert_int_equal(json_object_array_length(rows), 2);
	json_object_put(rows);
	assert_non_null(rows = journal_events(db, 1, 0));
	assert_int_equal(json_object_array_length(rows), 2);
	json_object_put(rows);
	journal_audit(db, "operator", "evacuate", "{}", "started job 1");
	journal_audit(db, "viewer", "evacuate", "{}", "role viewer may not");
	assert_non_null(rows = journal_audit_rows(db, 1));
	assert_int_equal(json_object_array_length(rows), 1);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rows, 0), "who")), "viewer");
	json_object_put(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal_resume,
		    jt_setup, jt_teardown),
		cmocka_unit_test_setup_teardown(test_journal_events,
		    jt_setup, jt_teardown),
		cmocka_unit_test_setup_teardown(test_journal_reads,
		    jt_setup, jt_teardown),
	};

	log_init("journal_test", LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
