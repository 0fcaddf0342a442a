/*
 * journal_fuzz.c: libFuzzer target for lgrd's journal readers
 * (journal.c: what a restarted lgrd trusts in LABDIR/lgr.db, and what
 * the control socket's reads answer with).  The input is the database
 * file, opened read-only in memory; a statement that runs too long is
 * interrupted (a damaged file may hold a view that never ends) and
 * SQLite's memory is capped.  Some damaged files take seconds of CPU
 * under ASan (a huge schema record zeroed again for every statement):
 * on a loaded machine they pass libFuzzer's time-out; slow, not wrong.
 *
 * Beyond not crashing: every read answers an array of row objects (a
 * job: one row object) or NULL; a job and its moves load with terminated strings and a known
 * step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "lgrd.h"

#define FUZZ_STEPS	100000	/* VM steps of one statement */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int	fuzz_steps;

static int
fuzz_progress(void *arg)
{
	(void)arg;
	return ++fuzz_steps > FUZZ_STEPS / 1000;
}

static void
fuzz_rows(struct json_object *arr)
{
	size_t	i;

	if (arr == NULL)
		return;
	if (!json_object_is_type(arr, json_type_array))
		abort();
	for (i = 0; i < json_object_array_length(arr); i++)
		if (!json_object_is_type(json_object_array_get_idx(arr, i),
		    json_type_object))
			abort();
	json_object_put(arr);
}

static void
fuzz_row(struct json_object *row)
{
	if (row == NULL)
		return;
	if (!json_object_is_type(row, json_type_object))
		abort();
	json_object_put(row);
}

static bool
fuzz_str(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void
fuzz_job(sqlite3 *db, int64_t id)
{
	struct job	 j;
	struct move	*m;
	size_t		 i, n;

	memset(&j, 0, sizeof(j));
	if (journal_job_load(db, id, &j) == 1 && (!fuzz_str(j.kind,
	    sizeof(j.kind)) || !fuzz_str(j.workload, sizeof(j.workload)) ||
	    !fuzz_str(j.src, sizeof(j.src)) || !fuzz_str(j.dst,
	    sizeof(j.dst)) || !fuzz_str(j.who, sizeof(j.who))))
		abort();
	if ((m = journal_moves_load(db, id, &n)) == NULL)
		return;
	for (i = 0; i < n; i++)
		if ((unsigned)m[i].step >= LGRD_STEP_MAX ||
		    !fuzz_str(m[i].guest, sizeof(m[i].guest)) ||
		    !fuzz_str(m[i].reason, sizeof(m[i].reason)) ||
		    !fuzz_str(m[i].routecheck, sizeof(m[i].routecheck)))
			abort();
	free(m);
	fuzz_row(journal_job_json(db, id));
	fuzz_rows(journal_moves_json(db, id));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static FILE	*quiet;
	sqlite3		*db;
	unsigned char	*buf;
	int64_t		 id, ms;

	/* The log's warnings about a damaged file go nowhere; fd 2 stays
	   for the sanitizers and libFuzzer. */
	if (quiet == NULL && (quiet = fopen("/dev/null", "w")) != NULL)
		stderr = quiet;
	sqlite3_hard_heap_limit64(64 << 20);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    (buf = sqlite3_malloc64(len ? len : 1)) == NULL)
		abort();
	memcpy(buf, data, len);
	if (sqlite3_deserialize(db, "main", buf, (sqlite3_int64)len,
	    (sqlite3_int64)len, SQLITE_DESERIALIZE_FREEONCLOSE |
	    SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		sqlite3_close(db);
		return 0;
	}
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 16);
	fuzz_steps = 0;
	sqlite3_progress_handler(db, 1000, fuzz_progress, NULL);
	fuzz_rows(journal_jobs_recent(db, 10));
	fuzz_rows(journal_jobs_running(db));
	if (journal_job_latest(db, &id) == 1)
		fuzz_job(db, id);
	fuzz_job(db, 1);
	fuzz_rows(journal_history(db, ""));
	fuzz_rows(journal_history(db, "G1"));
	fuzz_rows(journal_events(db, 0, 0));
	fuzz_rows(journal_audit_rows(db, 0));
	journal_move_mean_ms(db, true, &ms);
	sqlite3_close(db);
	return 0;
}
