/*
 * journal.c: lgrd's journal, an SQLite database LABDIR/lgr.db in WAL
 * mode beside the hypervisors' cluster directory: jobs (evacuations and
 * single relocations), their moves with the step each guest is at,
 * events, and the audit log.  Every step of a move is written before it
 * is taken, so that a restarted lgrd knows what was in flight.
 *
 * The connection is opened serialized (SQLITE_OPEN_FULLMUTEX): every
 * thread of lgrd may call these functions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "lgrd.h"
#include "log.h"
#include "sqlbind.h"

static const char journal_schema[] =
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, workload TEXT,"
    " src TEXT, dst TEXT, parallel INTEGER, max_blackhole_ms INTEGER,"
    " state TEXT, who TEXT, started_ms INTEGER, ended_ms INTEGER,"
    " moved INTEGER DEFAULT 0, not_moved INTEGER DEFAULT 0,"
    " attempted INTEGER DEFAULT 0, report TEXT);"
    "CREATE TABLE IF NOT EXISTS moves ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, job INTEGER, seq INTEGER,"
    " guest TEXT, src TEXT, dst TEXT, hsi INTEGER, memory_mib INTEGER,"
    " step TEXT, result TEXT DEFAULT '', reason TEXT DEFAULT '',"
    " hv_id INTEGER DEFAULT 0, started_ms INTEGER, ended_ms INTEGER,"
    " prepare_ms REAL, reloc_ms REAL, reloc_wall_ms REAL, quiesce_ms REAL,"
    " downtime_ms REAL,"
    " converge_ms REAL, complete_ms REAL, verify_ms REAL, total_ms REAL,"
    " probe_lost INTEGER, routecheck TEXT DEFAULT '',"
    " progress TEXT DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, job INTEGER,"
    " guest TEXT, msgid TEXT, text TEXT);"
    "CREATE TABLE IF NOT EXISTS audit ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, who TEXT,"
    " what TEXT, args TEXT, result TEXT);"
    "CREATE INDEX IF NOT EXISTS moves_job ON moves(job);";

sqlite3 *
journal_open(const char *path)
{
	sqlite3	*db;
	char	*err = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		log_warnx("journal %s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		errno = EIO;
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	/*
	 * The page cache bounded to 512 KiB (SQLite's default is 2000 KiB):
	 * it fills as the journal grows, and lgrd runs for months.
	 */
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA "
	    "synchronous=NORMAL; PRAGMA cache_size=-512;", NULL, NULL,
	    &err) != SQLITE_OK ||
	    sqlite3_exec(db, journal_schema, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("journal %s: %s", path, err ? err : "?");
		sqlite3_free(err);
		sqlite3_close(db);
		errno = EIO;
		return NULL;
	}
	return db;
}

void
journal_close(sqlite3 *db)
{
	sqlite3_close(db);
}

static sqlite3_stmt *
journal_prepare(sqlite3 *db, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("journal: %s: %s", sql, sqlite3_errmsg(db));
		return NULL;
	}
	if (sqlbind(st, fmt, ap) != SQLITE_OK) {
		log_warnx("journal: bind: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/*
 * Run a statement to its end; the first column of its first row into
 * *first when given.  1 when there was a row, 0 when none, -1 (logged).
 */
static int
journal_run(sqlite3 *db, int64_t *first, const char *sql, const char *fmt,
    va_list ap)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	if ((st = journal_prepare(db, sql, fmt, ap)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (found++ == 0 && first != NULL)
			*first = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_DONE)
		log_warnx("journal: %s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc != SQLITE_DONE ? -1 : found > 0;
}

int
journal_exec(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = journal_run(db, NULL, sql, fmt, ap);
	va_end(ap);
	return rc == -1 ? -1 : 0;
}

/* The first column of the first row as an integer; 1 if found. */
int
journal_int(sqlite3 *db, int64_t *out, const char *sql, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = journal_run(db, out, sql, fmt, ap);
	va_end(ap);
	return rc;
}

static struct json_object *
journal_row(sqlite3_stmt *st)
{
	struct json_object	*row = json_object_new_object();
	struct json_object	*v;
	int			 i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++) {
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = json_object_new_int64(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = json_object_new_double(sqlite3_column_double(st, i));
			break;
		case SQLITE_NULL:
			v = NULL;
			break;
		default:
			v = json_object_new_string((const char *)
			    sqlite3_column_text(st, i));
		}
		json_object_object_add(row, sqlite3_column_name(st, i), v);
	}
	return row;
}

/* Every row as a JSON object; a new array, or NULL. */
struct json_object *
journal_json(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	struct json_object	*arr;
	sqlite3_stmt		*st;
	va_list			 ap;
	int			 rc;

	va_start(ap, fmt);
	st = journal_prepare(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return NULL;
	arr = json_object_new_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_array_add(arr, journal_row(st));
	if (rc != SQLITE_DONE)
		log_warnx("journal: %s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return arr;
}

void
journal_event(sqlite3 *db, int64_t job, const char *guest, const char *msgid,
    const char *fmt, ...)
{
	char	text[512];
	va_list	ap;

	va_start(ap, fmt);
	log_vevent(text, sizeof(text), msgid, guest, fmt, ap);
	va_end(ap);
	journal_exec(db, "INSERT INTO events (ts_ms, job, guest, msgid, text) "
	    "VALUES (?, ?, ?, ?, ?)", "iisss", clock_wall_ms(), job, guest,
	    msgid, text);
}

void
journal_audit(sqlite3 *db, const char *who, const char *what,
    const char *args, const char *result)
{
	journal_exec(db, "INSERT INTO audit (ts_ms, who, what, args, result) "
	    "VALUES (?, ?, ?, ?, ?)", "issss", clock_wall_ms(), who, what,
	    args, result);
}

/* --- jobs and moves ----------------------------------------------------- */

int
journal_job_new(sqlite3 *db, struct job *j)
{
	int64_t	id;

	if (journal_exec(db, "INSERT INTO jobs (kind, workload, src, dst, "
	    "parallel, max_blackhole_ms, state, who, started_ms) VALUES (?, ?, "
	    "?, ?, ?, ?, 'RUNNING', ?, ?)", "ssssiisi", j->kind, j->workload,
	    j->src, j->dst, (int64_t)j->parallel, j->max_blackhole_ms, j->who,
	    clock_wall_ms()) == -1 ||
	    journal_int(db, &id, "SELECT last_insert_rowid()", "") != 1)
		return -1;
	j->id = id;
	return 0;
}

int
journal_move_new(sqlite3 *db, int64_t job, struct move *m)
{
	int64_t	id;

	if (journal_exec(db, "INSERT INTO moves (job, seq, guest, src, dst, "
	    "hsi, memory_mib, step) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned')",
	    "iisssii", job, (int64_t)m->seq, m->guest, m->src, m->dst,
	    (int64_t)m->hsi, (int64_t)m->memory_mib) == -1 ||
	    journal_int(db, &id, "SELECT last_insert_rowid()", "") != 1)
		return -1;
	m->id = id;
	m->job = job;
	return 0;
}

int
journal_move_step(sqlite3 *db, struct move *m, enum lgrd_step step)
{
	m->step = step;
	return journal_exec(db, "UPDATE moves SET step = ?, started_ms = "
	    "coalesce(started_ms, ?) WHERE id = ?", "sii", lgrd_step_name(step),
	    clock_wall_ms(), m->id);
}

/* A timing not measured is NULL in the journal. */
static void
journal_bind_ms(sqlite3 *db, int64_t id, const char *col, double v)
{
	char	sql[128];

	if (v < 0)
		return;
	snprintf(sql, sizeof(sql), "UPDATE moves SET %s = ? WHERE id = ?", col);
	journal_exec(db, sql, "di", v, id);
}

int
journal_move_save(sqlite3 *db, const struct move *m)
{
	if (journal_exec(db, "UPDATE moves SET step = ?, result = ?, reason = "
	    "?, hv_id = ?, dst = ?, routecheck = ?, probe_lost = ? WHERE id = ?",
	    "sssissii", lgrd_step_name(m->step), m->result, m->reason, m->hv_id,
	    m->dst, m->routecheck, m->probe_lost, m->id) == -1)
		return -1;
	journal_bind_ms(db, m->id, "prepare_ms", m->prepare_ms);
	journal_bind_ms(db, m->id, "reloc_ms", m->reloc_ms);
	journal_bind_ms(db, m->id, "reloc_wall_ms", m->reloc_wall_ms);
	journal_bind_ms(db, m->id, "quiesce_ms", m->quiesce_ms);
	journal_bind_ms(db, m->id, "downtime_ms", m->downtime_ms);
	journal_bind_ms(db, m->id, "converge_ms", m->converge_ms);
	journal_bind_ms(db, m->id, "complete_ms", m->complete_ms);
	journal_bind_ms(db, m->id, "verify_ms", m->verify_ms);
	journal_bind_ms(db, m->id, "total_ms", m->total_ms);
	if (m->step == LGRD_STEP_DONE)
		journal_exec(db, "UPDATE moves SET ended_ms = ? WHERE id = ?",
		    "ii", clock_wall_ms(), m->id);
	return 0;
}

int
journal_move_progress(sqlite3 *db, const struct move *m)
{
	return journal_exec(db, "UPDATE moves SET progress = ? WHERE id = ?",
	    "si", m->progress, m->id);
}

int
journal_job_end(sqlite3 *db, const struct job *j, const char *state)
{
	return journal_exec(db, "UPDATE jobs SET state = ?, ended_ms = ?, "
	    "moved = ?, not_moved = ?, attempted = ?, report = ? WHERE id = ?",
	    "siiiisi", state, clock_wall_ms(), (int64_t)j->moved,
	    (int64_t)j->not_moved, (int64_t)j->attempted, j->report, j->id);
}

static const char *
journal_row_str(struct json_object *row, const char *key)
{
	return lgrd_row_str(row, key, "");
}

/* A timing: -1 when not measured (NULL). */
static double
journal_row_ms(struct json_object *row, const char *key)
{
	return lgrd_row_num(row, key, -1);
}

static void
journal_move_from_row(struct move *m, struct json_object *row)
{
	int	step;

	memset(m, 0, sizeof(*m));
	m->id = json_object_get_int64(json_object_object_get(row, "id"));
	m->job = json_object_get_int64(json_object_object_get(row, "job"));
	m->seq = json_object_get_int(json_object_object_get(row, "seq"));
	snprintf(m->guest, sizeof(m->guest), "%s", journal_row_str(row, "guest"));
	snprintf(m->src, sizeof(m->src), "%s", journal_row_str(row, "src"));
	snprintf(m->dst, sizeof(m->dst), "%s", journal_row_str(row, "dst"));
	snprintf(m->result, sizeof(m->result), "%s", journal_row_str(row, "result"));
	snprintf(m->reason, sizeof(m->reason), "%s", journal_row_str(row, "reason"));
	snprintf(m->routecheck, sizeof(m->routecheck), "%s", journal_row_str(row, "routecheck"));
	m->hsi = json_object_get_int(json_object_object_get(row, "hsi")) != 0;
	m->memory_mib = (uint64_t)json_object_get_int64(
	    json_object_object_get(row, "memory_mib"));
	m->hv_id = json_object_get_int64(json_object_object_get(row, "hv_id"));
	m->started_ms = json_object_get_int64(json_object_object_get(row,
	    "started_ms"));
	step = lgrd_step_find(journal_row_str(row, "step"));
	m->step = step == -1 ? LGRD_STEP_PLANNED : (enum lgrd_step)step;
	m->prepare_ms = journal_row_ms(row, "prepare_ms");
	m->reloc_ms = journal_row_ms(row, "reloc_ms");
	m->reloc_wall_ms = journal_row_ms(row, "reloc_wall_ms");
	m->quiesce_ms = journal_row_ms(row, "quiesce_ms");
	m->downtime_ms = journal_row_ms(row, "downtime_ms");
	m->converge_ms = journal_row_ms(row, "converge_ms");
	m->complete_ms = journal_row_ms(row, "complete_ms");
	m->verify_ms = journal_row_ms(row, "verify_ms");
	m->total_ms = journal_row_ms(row, "total_ms");
	m->probe_lost = -1;
}

/* The moves of a job, in order; a malloc'ed array (count in *n). */
struct move *
journal_moves_load(sqlite3 *db, int64_t job, size_t *n)
{
	struct json_object	*arr;
	struct move		*v;
	size_t			 i;

	*n = 0;
	if ((arr = journal_json(db, "SELECT * FROM moves WHERE job = ? ORDER "
	    "BY seq, id", "i", job)) == NULL)
		return NULL;
	*n = json_object_array_length(arr);
	if ((v = calloc(*n ? *n : 1, sizeof(*v))) != NULL)
		for (i = 0; i < *n; i++)
			journal_move_from_row(&v[i],
			    json_object_array_get_idx(arr, i));
	json_object_put(arr);
	return v;
}

/* The job row into j (moves not loaded).  Returns 1 if found. */
int
journal_job_load(sqlite3 *db, int64_t id, struct job *j)
{
	struct json_object	*row;

	if ((row = journal_job_json(db, id)) == NULL)
		return errno == ENOENT ? 0 : -1;
	j->id = id;
	snprintf(j->kind, sizeof(j->kind), "%s", journal_row_str(row, "kind"));
	snprintf(j->workload, sizeof(j->workload), "%s", journal_row_str(row, "workload"));
	snprintf(j->src, sizeof(j->src), "%s", journal_row_str(row, "src"));
	snprintf(j->dst, sizeof(j->dst), "%s", journal_row_str(row, "dst"));
	snprintf(j->who, sizeof(j->who), "%s", journal_row_str(row, "who"));
	j->parallel = (unsigned)json_object_get_int(json_object_object_get(row,
	    "parallel"));
	j->max_blackhole_ms = json_object_get_int64(json_object_object_get(row,
	    "max_blackhole_ms"));
	j->started_ms = json_object_get_int64(json_object_object_get(row,
	    "started_ms"));
	json_object_put(row);
	return 1;
}

/* --- reads for the control socket and reports --------------------------- */

/* The ids of the latest n jobs, newest first (rows {"id"}). */
struct json_object *
journal_jobs_recent(sqlite3 *db, int n)
{
	return journal_json(db, "SELECT id FROM jobs ORDER BY id DESC LIMIT ?",
	    "i", (int64_t)n);
}

/* The ids of the jobs still RUNNING, oldest first. */
struct json_object *
journal_jobs_running(sqlite3 *db)
{
	return journal_json(db, "SELECT id FROM jobs WHERE state = 'RUNNING' "
	    "ORDER BY id", "");
}

/* The newest job's id; 1 found, 0 none, -1. */
int
journal_job_latest(sqlite3 *db, int64_t *id)
{
	int	rc = journal_int(db, id, "SELECT max(id) FROM jobs", "");

	return rc == 1 && *id == 0 ? 0 : rc;
}

/* The job's row as JSON (new object), NULL with errno ENOENT. */
struct json_object *
journal_job_json(sqlite3 *db, int64_t job)
{
	struct json_object	*jobs, *row = NULL;

	if ((jobs = journal_json(db, "SELECT * FROM jobs WHERE id = ?", "i",
	    job)) == NULL)
		return NULL;
	if (json_object_array_length(jobs) > 0)
		row = json_object_get(json_object_array_get_idx(jobs, 0));
	else
		errno = ENOENT;
	json_object_put(jobs);
	return row;
}

/* A job's moves as the report shows them, in order. */
struct json_object *
journal_moves_json(sqlite3 *db, int64_t job)
{
	return journal_json(db, "SELECT seq AS wave, guest, src AS 'from', "
	    "dst AS 'to', hsi, step, result, reason, routecheck, hv_id, "
	    "memory_mib, prepare_ms, reloc_ms, reloc_wall_ms, quiesce_ms, downtime_ms, "
	    "converge_ms, complete_ms, verify_ms, total_ms, probe_lost, "
	    "progress FROM moves WHERE job = ? ORDER BY seq, id", "i", job);
}

/* Finished moves of guest ("" : every guest), oldest first. */
struct json_object *
journal_history(sqlite3 *db, const char *guest)
{
	return journal_json(db, "SELECT m.job, j.kind, j.workload, m.guest, "
	    "m.src AS 'from', m.dst AS 'to', m.hsi, m.result, m.reason, "
	    "m.started_ms, m.ended_ms, m.reloc_ms, m.quiesce_ms, "
	    "m.downtime_ms, m.probe_lost, m.converge_ms, m.total_ms, "
	    "m.routecheck FROM moves m JOIN jobs j ON j.id = m.job WHERE "
	    "m.step = 'done' AND (?1 = '' OR m.guest = ?1) ORDER BY m.id", "s",
	    guest);
}

/* Events after id since, of job (0: every job); at most 1000. */
struct json_object *
journal_events(sqlite3 *db, int64_t since, int64_t job)
{
	return journal_json(db, "SELECT * FROM events WHERE id > ? AND (?2 = 0 "
	    "OR job = ?2) ORDER BY id LIMIT 1000", "ii", since, job);
}

/* Audit entries after id since, oldest first; at most 1000. */
struct json_object *
journal_audit_rows(sqlite3 *db, int64_t since)
{
	return journal_json(db, "SELECT * FROM audit WHERE id > ? ORDER BY id "
	    "LIMIT 1000", "i", since);
}

/* The mean total of the moves that moved, HSI or not; 1 if any. */
int
journal_move_mean_ms(sqlite3 *db, bool hsi, int64_t *ms)
{
	return journal_int(db, ms, "SELECT CAST(avg(total_ms) AS INTEGER) FROM "
	    "moves WHERE hsi = ? AND result = 'moved' AND total_ms > 0", "i",
	    (int64_t)hsi) == 1 && *ms > 0 ? 1 : 0;
}
