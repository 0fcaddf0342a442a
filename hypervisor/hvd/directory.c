/*
 * directory.c: the cluster directory, an SQLite database in WAL mode
 * shared by every member of the lab (the SSI persistent data record).
 *
 * Each thread opens its own connection.  Writers take the database lock
 * with BEGIN IMMEDIATE, so that a check and the row it justifies are
 * one step for every member.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "hvd.h"
#include "log.h"
#include "sqlbind.h"

#define DIR_BUSY_MS	10000

struct dir {
	sqlite3		*db;
};

static const char dir_schema[] =
    "CREATE TABLE IF NOT EXISTS members ("
    " name TEXT PRIMARY KEY, idx INTEGER, state TEXT NOT NULL,"
    " memory_mib INTEGER, pid INTEGER, heartbeat_ms INTEGER,"
    " since_ms INTEGER, max_out INTEGER, max_in INTEGER, reason TEXT);"
    "CREATE TABLE IF NOT EXISTS cluster (key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS guests ("
    " name TEXT PRIMARY KEY, idx INTEGER, memory_mib INTEGER, grp TEXT,"
    " domain TEXT, nics TEXT, multi INTEGER, rate_mib INTEGER DEFAULT 0,"
    " wss_mib INTEGER DEFAULT 0, relocations INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS residency ("
    " guest TEXT PRIMARY KEY, member TEXT, state TEXT, since_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS journal ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, guest TEXT, src TEXT,"
    " dst TEXT, reserved_mib INTEGER, phase TEXT, pass INTEGER DEFAULT 0,"
    " sent_mib REAL DEFAULT 0, left_mib REAL DEFAULT 0,"
    " dirty_mib_s REAL DEFAULT 0, est_quiesce_ms REAL DEFAULT 0,"
    " started_ms INTEGER, updated_ms INTEGER, ended_ms INTEGER,"
    " end_code TEXT, who TEXT, max_total_s INTEGER,"
    " max_quiesce_ms INTEGER, immediate INTEGER, text TEXT);"
    "CREATE TABLE IF NOT EXISTS history ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, reloc INTEGER, guest TEXT,"
    " started_ms INTEGER, src TEXT, dst TEXT, total_ms REAL,"
    " quiesce_ms REAL, passes INTEGER, pages INTEGER, mib REAL,"
    " end_code TEXT, digest_src TEXT, digest_dst TEXT, verified INTEGER,"
    " text TEXT);"
    "CREATE TABLE IF NOT EXISTS events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, msgid TEXT,"
    " member TEXT, guest TEXT, text TEXT);"
    "CREATE TABLE IF NOT EXISTS audit ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, member TEXT,"
    " who TEXT, what TEXT, args TEXT, result TEXT);"
    "CREATE INDEX IF NOT EXISTS journal_active ON journal(end_code);";

static const char *const member_states[] = {
	[MEMBER_DOWN] = "DOWN",
	[MEMBER_JOINING] = "JOINING",
	[MEMBER_JOINED] = "JOINED",
	[MEMBER_LEAVING] = "LEAVING",
};

static const char *const cluster_modes[] = {
	[CLUSTER_STABLE] = "STABLE",
	[CLUSTER_INFLUX] = "IN-FLUX",
	[CLUSTER_SAFE] = "SAFE",
};

const char *
member_state_name(enum member_state s)
{
	return (unsigned)s <= MEMBER_LEAVING ? member_states[s] : "?";
}

int
member_state_find(const char *name)
{
	int	i;

	for (i = 0; i <= MEMBER_LEAVING; i++)
		if (strcmp(member_states[i], name) == 0)
			return i;
	return -1;
}

const char *
cluster_mode_name(enum cluster_mode m)
{
	return (unsigned)m <= CLUSTER_SAFE ? cluster_modes[m] : "?";
}

int64_t
dir_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
dir_pragma_wal(sqlite3 *db)
{
	int	i, rc = SQLITE_BUSY;

	for (i = 0; i < 100 && rc != SQLITE_OK; i++) {
		rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL;", NULL, NULL,
		    NULL);
		if (rc != SQLITE_OK)
			usleep(20000);
	}
	return rc == SQLITE_OK ? 0 : -1;
}

struct dir *
dir_open(const char *path)
{
	struct dir	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("directory %s: %s", path, sqlite3_errmsg(d->db));
		goto fail;
	}
	sqlite3_busy_timeout(d->db, DIR_BUSY_MS);
	if (dir_pragma_wal(d->db) == -1 ||
	    sqlite3_exec(d->db, "PRAGMA synchronous=NORMAL;", NULL, NULL,
	    NULL) != SQLITE_OK)
		goto fail;
	if (dir_begin(d) == -1)
		goto fail;
	if (sqlite3_exec(d->db, dir_schema, NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("directory %s: schema: %s", path,
		    sqlite3_errmsg(d->db));
		dir_rollback(d);
		goto fail;
	}
	if (dir_commit(d) == -1)
		goto fail;
	return d;
fail:
	if (d->db != NULL)
		log_warnx("directory %s: %s", path, sqlite3_errmsg(d->db));
	dir_close(d);
	errno = EIO;
	return NULL;
}

void
dir_close(struct dir *d)
{
	if (d == NULL)
		return;
	sqlite3_close(d->db);
	free(d);
}

static int
dir_simple(struct dir *d, const char *sql)
{
	if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("directory: %s: %s", sql, sqlite3_errmsg(d->db));
		return -1;
	}
	return 0;
}

int
dir_begin(struct dir *d)
{
	return dir_simple(d, "BEGIN IMMEDIATE;");
}

int
dir_commit(struct dir *d)
{
	return dir_simple(d, "COMMIT;");
}

void
dir_rollback(struct dir *d)
{
	sqlite3_exec(d->db, "ROLLBACK;", NULL, NULL, NULL);
}

static sqlite3_stmt *
dir_prepare(struct dir *d, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("directory: prepare: %s", sqlite3_errmsg(d->db));
		return NULL;
	}
	if (sqlbind(st, types, ap) != SQLITE_OK) {
		log_warnx("directory: bind: %s", sqlite3_errmsg(d->db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* The statement of sql with the arguments after types bound, or NULL. */
#define DIR_STMT(st, d, sql, types) do {				\
	va_list	dir_ap_;						\
	va_start(dir_ap_, types);					\
	(st) = dir_prepare((d), (sql), (types), dir_ap_);		\
	va_end(dir_ap_);						\
} while (0)

/*
 * Finalize st after its last step rc: 0, or -1 (logged) unless rc is
 * SQLITE_DONE, or SQLITE_ROW when one row was all that was wanted.
 */
static int
dir_finish(struct dir *d, sqlite3_stmt *st, int rc, bool one_row)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || (one_row && rc == SQLITE_ROW))
		return 0;
	log_warnx("directory: %s", sqlite3_errmsg(d->db));
	return -1;
}

int
dir_exec(struct dir *d, const char *sql, const char *types, ...)
{
	sqlite3_stmt	*st;
	int		 rc;

	DIR_STMT(st, d, sql, types);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (dir_finish(d, st, rc, false) == -1)
		return -1;
	return sqlite3_changes(d->db);
}

int
dir_int(struct dir *d, int64_t *out, const char *sql, const char *types, ...)
{
	sqlite3_stmt	*st;
	int		 rc;

	*out = 0;
	DIR_STMT(st, d, sql, types);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	if (dir_finish(d, st, rc, true) == -1)
		return -1;
	return rc == SQLITE_ROW;
}

int
dir_text(struct dir *d, char *out, size_t len, const char *sql,
    const char *types, ...)
{
	sqlite3_stmt		*st;
	const unsigned char	*t;
	int			 rc;

	out[0] = '\0';
	DIR_STMT(st, d, sql, types);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (t = sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, len, "%s", (const char *)t);
	if (dir_finish(d, st, rc, true) == -1)
		return -1;
	return rc == SQLITE_ROW;
}

static struct json_object *
dir_column_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_object_new_int64(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_object_new_double(sqlite3_column_double(st, i));
	case SQLITE_TEXT:
		return json_object_new_string((const char *)
		    sqlite3_column_text(st, i));
	default:
		return NULL;
	}
}

struct json_object *
dir_json(struct dir *d, const char *sql, const char *types, ...)
{
	struct json_object	*arr, *row;
	sqlite3_stmt		*st;
	int			 i, rc;

	DIR_STMT(st, d, sql, types);
	if (st == NULL)
		return NULL;
	arr = json_object_new_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = json_object_new_object();
		for (i = 0; i < sqlite3_column_count(st); i++)
			json_object_object_add(row, sqlite3_column_name(st, i),
			    dir_column_json(st, i));
		json_object_array_add(arr, row);
	}
	if (dir_finish(d, st, rc, false) == -1) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

int
dir_event(struct dir *d, const char *msgid, const char *member,
    const char *guest, const char *fmt, ...)
{
	char	text[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_info("[%s] %s%s%s", msgid, guest ? guest : "", guest ? ": " : "",
	    text);
	return dir_exec(d, "INSERT INTO events (ts_ms, msgid, member, guest,"
	    " text) VALUES (?, ?, ?, ?, ?)", "issss",
	    dir_now_ms(), msgid, member, guest ? guest : "", text) < 0 ?
	    -1 : 0;
}

int
dir_audit(struct dir *d, const char *member, const char *who,
    const char *what, const char *args, const char *result)
{
	return dir_exec(d, "INSERT INTO audit (ts_ms, member, who, what, args,"
	    " result) VALUES (?, ?, ?, ?, ?, ?)", "isssss", dir_now_ms(),
	    member, who, what, args, result) < 0 ? -1 : 0;
}

int
dir_guest_member(struct dir *d, const char *guest, char *member, size_t len)
{
	return dir_text(d, member, len, "SELECT member FROM residency WHERE "
	    "guest = ?", "s", guest);
}
