/*
 * dir_sqlite.c: the directory's SQLite backend, one database in WAL mode
 * shared by every member of the lab on one host.  Every statement of
 * the directory is here.
 *
 * Each thread opens its own connection.  Writers take the database lock
 * with BEGIN IMMEDIATE, so that a check and the row it justifies are
 * one step for every member.  residency.rev counts the changes of a
 * guest's residency: it is the fencing token.  A member's liveness is
 * its lease row: heartbeat_ms, renewed by its renew thread.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clock.h"
#include "dir_backend.h"
#include "log.h"
#include "sqlbind.h"

#define DSQ_BUSY_MS	10000

struct dsq {
	struct dir	 d;
	sqlite3		*db;
	unsigned	 busy_ms;	/* how long a locked file is waited for */
	uint64_t	 busy_t0;	/* clock_us() of the first try */
};

static const char dsq_schema[] =
    "CREATE TABLE IF NOT EXISTS members ("
    " name TEXT PRIMARY KEY, idx INTEGER, state TEXT NOT NULL,"
    " memory_mib INTEGER, pid INTEGER, heartbeat_ms INTEGER,"
    " since_ms INTEGER, max_out INTEGER, max_in INTEGER, reason TEXT,"
    " ctl_ep TEXT DEFAULT '', chan_ep TEXT DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS cluster (key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS guests ("
    " name TEXT PRIMARY KEY, idx INTEGER, memory_mib INTEGER, grp TEXT,"
    " domain TEXT, nics TEXT, multi INTEGER, rate_mib INTEGER DEFAULT 0,"
    " wss_mib INTEGER DEFAULT 0, relocations INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS residency ("
    " guest TEXT PRIMARY KEY, member TEXT, state TEXT, since_ms INTEGER,"
    " rev INTEGER DEFAULT 1);"
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
    " copy_mib_s REAL,"
    " end_code TEXT, digest_src TEXT, digest_dst TEXT, verified INTEGER,"
    " text TEXT);"
    "CREATE TABLE IF NOT EXISTS events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, msgid TEXT,"
    " member TEXT, guest TEXT, text TEXT);"
    "CREATE TABLE IF NOT EXISTS audit ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, member TEXT,"
    " who TEXT, what TEXT, args TEXT, result TEXT);"
    "CREATE INDEX IF NOT EXISTS journal_active ON journal(end_code);";

static sqlite3 *
dsq_db(struct dir *d)
{
	return ((struct dsq *)d)->db;
}

/*
 * The file locked by another member's write: try again soon.  SQLite's
 * own handler (sqlite3_busy_timeout) sleeps 1, 2, 5, 10, 15 ... ms
 * between tries, so a write that met another of a moment waited up to
 * 8 ms more than the lock was held; the target's commit is inside the
 * guest's downtime, and during a wave the other relocations journal
 * their progress.  Here: 50 us, doubling up to 1 ms, until busy_ms.
 */
static int
dsq_busy(void *arg, int tries)
{
	struct dsq	*q = arg;
	uint64_t	 now = clock_us();

	if (tries == 0)
		q->busy_t0 = now;
	if (now - q->busy_t0 >= (uint64_t)q->busy_ms * 1000)
		return 0;
	usleep(tries < 5 ? 50u << tries : 1000u);
	return 1;
}

static int
dsq_simple(struct dir *d, const char *sql)
{
	if (sqlite3_exec(dsq_db(d), sql, NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("[HV-DIR] %s: %s", sql, sqlite3_errmsg(dsq_db(d)));
		return -1;
	}
	return 0;
}

static int
dsq_lock(struct dir *d)
{
	return dsq_simple(d, "BEGIN IMMEDIATE;");
}

static int
dsq_unlock(struct dir *d, bool commit)
{
	if (commit)
		return dsq_simple(d, "COMMIT;");
	sqlite3_exec(dsq_db(d), "ROLLBACK;", NULL, NULL, NULL);
	return 0;
}

static sqlite3_stmt *
dsq_prepare(struct dir *d, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(dsq_db(d), sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("[HV-DIR] prepare: %s", sqlite3_errmsg(dsq_db(d)));
		return NULL;
	}
	if (sqlbind(st, types, ap) != SQLITE_OK) {
		log_warnx("[HV-DIR] bind: %s", sqlite3_errmsg(dsq_db(d)));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* The statement of sql with the arguments after types bound, or NULL. */
#define DSQ_STMT(st, d, sql, types) do {				\
	va_list	dsq_ap_;						\
	va_start(dsq_ap_, types);					\
	(st) = dsq_prepare((d), (sql), (types), dsq_ap_);		\
	va_end(dsq_ap_);						\
} while (0)

/*
 * Finalize st after its last step rc: 0, or -1 (logged) unless rc is
 * SQLITE_DONE, or SQLITE_ROW when one row was all that was wanted.
 */
static int
dsq_finish(struct dir *d, sqlite3_stmt *st, int rc, bool one_row)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || (one_row && rc == SQLITE_ROW))
		return 0;
	log_warnx("[HV-DIR] %s", sqlite3_errmsg(dsq_db(d)));
	return -1;
}

/* Run sql: the number of changed rows, or -1. */
static int
dsq_exec(struct dir *d, const char *sql, const char *types, ...)
{
	sqlite3_stmt	*st;
	int		 rc;

	DSQ_STMT(st, d, sql, types);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (dsq_finish(d, st, rc, false) == -1)
		return -1;
	return sqlite3_changes(dsq_db(d));
}

/* The first column of the first row: 1, 0 no row (*out 0), -1. */
static int
dsq_int(struct dir *d, int64_t *out, const char *sql, const char *types, ...)
{
	sqlite3_stmt	*st;
	int		 rc;

	*out = 0;
	DSQ_STMT(st, d, sql, types);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	if (dsq_finish(d, st, rc, true) == -1)
		return -1;
	return rc == SQLITE_ROW;
}

static struct json_object *
dsq_column_json(sqlite3_stmt *st, int i)
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

/* Rows as JSON objects keyed by column name, in a new array. */
static struct json_object *
dsq_json(struct dir *d, const char *sql, const char *types, ...)
{
	struct json_object	*arr, *row;
	sqlite3_stmt		*st;
	int			 i, rc;

	DSQ_STMT(st, d, sql, types);
	if (st == NULL)
		return NULL;
	arr = json_object_new_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = json_object_new_object();
		for (i = 0; i < sqlite3_column_count(st); i++)
			json_object_object_add(row, sqlite3_column_name(st, i),
			    dsq_column_json(st, i));
		json_object_array_add(arr, row);
	}
	if (dsq_finish(d, st, rc, false) == -1) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

/* One row's text columns into bufs of len bytes each: 1, 0, -1. */
static int
dsq_texts(struct dir *d, char **bufs, size_t n, size_t len, const char *sql,
    const char *types, ...)
{
	sqlite3_stmt		*st;
	const unsigned char	*t;
	size_t			 i;
	int			 rc;

	for (i = 0; i < n; i++)
		bufs[i][0] = '\0';
	DSQ_STMT(st, d, sql, types);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (i = 0; i < n; i++)
			if ((t = sqlite3_column_text(st, (int)i)) != NULL)
				snprintf(bufs[i], len, "%s", (const char *)t);
	if (dsq_finish(d, st, rc, true) == -1)
		return -1;
	return rc == SQLITE_ROW;
}

/* Run body's statements in one IMMEDIATE transaction. */
#define DSQ_TXN(d, rc, body) do {					\
	if (dsq_lock(d) == -1)						\
		return -1;						\
	(rc) = (body);							\
	if ((rc) < 0 || dsq_unlock((d), true) == -1) {			\
		dsq_unlock((d), false);					\
		return -1;						\
	}								\
} while (0)

/* --- definitions -------------------------------------------------- */

static int
dsq_import_guest(struct dir *d, const struct hv_config *c,
    const struct hv_guestdef *g)
{
	char	domain[HV_MAX_MEMBERS * HV_NAME], nics[HV_MAX_NICS * 40];

	dir_guest_domain(g, domain, sizeof(domain));
	dir_guest_nics(c, g, nics, sizeof(nics));
	if (dsq_exec(d, "INSERT INTO guests (name, idx, memory_mib, grp, "
	    "domain, nics, multi) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	    "ON CONFLICT(name) DO UPDATE SET idx = ?2, memory_mib = ?3, "
	    "grp = ?4, domain = ?5, nics = ?6, multi = ?7", "siisssi",
	    g->name, (int64_t)g->idx, (int64_t)g->memory_mib, g->group,
	    domain, nics, (int64_t)g->multi) < 0)
		return -1;
	return dsq_exec(d, "INSERT OR IGNORE INTO residency (guest, member, "
	    "state, since_ms) VALUES (?, ?, 'STOPPED', ?)", "ssi", g->name,
	    c->members[g->initial].name, dir_now_ms()) < 0 ? -1 : 0;
}

static int
dsq_import_member(struct dir *d, const struct hv_memberdef *m)
{
	return dsq_exec(d, "INSERT INTO members (name, idx, state, memory_mib,"
	    " heartbeat_ms, since_ms, max_out, max_in) VALUES (?1, ?2, 'DOWN',"
	    " ?3, 0, ?4, 2, 2) ON CONFLICT(name) DO UPDATE SET idx = ?2, "
	    "memory_mib = ?3", "siii", m->name, (int64_t)m->idx,
	    (int64_t)m->memory_mib, dir_now_ms()) < 0 ? -1 : 0;
}

static int
dsq_import(struct dir *d, const struct hv_config *c)
{
	size_t	i;

	if (dsq_lock(d) == -1)
		return -1;
	for (i = 0; i < c->nmembers; i++)
		if (dsq_import_member(d, &c->members[i]) == -1)
			goto fail;
	for (i = 0; i < c->nguests; i++)
		if (dsq_import_guest(d, c, &c->guests[i]) == -1)
			goto fail;
	return dsq_unlock(d, true);
fail:
	dsq_unlock(d, false);
	return -1;
}

static int
dsq_guest_workload(struct dir *d, const char *guest, uint64_t *rate_mib,
    uint64_t *wss_mib)
{
	int64_t	rate, wss;
	int	rc;

	if ((rc = dsq_int(d, &rate, "SELECT rate_mib FROM guests WHERE name = "
	    "?", "s", guest)) != 1 || dsq_int(d, &wss, "SELECT wss_mib FROM "
	    "guests WHERE name = ?", "s", guest) != 1)
		return rc == 0 ? 0 : -1;
	*rate_mib = (uint64_t)rate;
	*wss_mib = (uint64_t)wss;
	return 1;
}

static int
dsq_guest_set_workload(struct dir *d, const char *guest, uint64_t rate_mib,
    uint64_t wss_mib)
{
	return dsq_exec(d, "UPDATE guests SET rate_mib = CASE WHEN ?1 < 0 THEN"
	    " rate_mib ELSE ?1 END, wss_mib = CASE WHEN ?2 < 0 THEN wss_mib "
	    "ELSE ?2 END WHERE name = ?3", "iis", rate_mib == HV_UNSET ?
	    (int64_t)-1 : (int64_t)rate_mib, wss_mib == HV_UNSET ? (int64_t)-1 :
	    (int64_t)wss_mib, guest);
}

/* --- members ------------------------------------------------------ */

static int
dsq_member_join(struct dir *d, const char *name, enum member_state s,
    const char *reason)
{
	return dsq_exec(d, "UPDATE members SET state = ?, since_ms = ?, "
	    "reason = ?, pid = ?, heartbeat_ms = ? WHERE name = ?", "sisiis",
	    member_state_name(s), dir_now_ms(), reason, (int64_t)getpid(),
	    dir_now_ms(), name) == 1 ? 0 : -1;
}

static int
dsq_member_state(struct dir *d, const char *name, enum member_state s,
    const char *reason)
{
	return dsq_exec(d, "UPDATE members SET state = ?, since_ms = ?, "
	    "reason = ? WHERE name = ?", "siss", member_state_name(s),
	    dir_now_ms(), reason, name) == 1 ? 0 : -1;
}

static int
dsq_member_renew(struct dir *d, const char *name, unsigned within_ms)
{
	struct dsq	*q = (struct dsq *)d;
	int		 n;

	if (within_ms > 0 && within_ms < DSQ_BUSY_MS)
		q->busy_ms = within_ms;
	n = dsq_exec(d, "UPDATE members SET heartbeat_ms = ?, pid = ? WHERE "
	    "name = ? AND state != 'DOWN'", "iis", dir_now_ms(),
	    (int64_t)getpid(), name);
	q->busy_ms = DSQ_BUSY_MS;
	return n < 0 ? -1 : n == 0;
}

static int
dsq_member_leave(struct dir *d, const char *name)
{
	int	rc;

	DSQ_TXN(d, rc, dsq_exec(d, "UPDATE residency SET state = 'STOPPED', "
	    "since_ms = ?, rev = rev + 1 WHERE member = ?", "is", dir_now_ms(),
	    name) < 0 ? -1 : dsq_exec(d, "UPDATE members SET state = 'DOWN', "
	    "since_ms = ?, reason = 'left' WHERE name = ?", "is", dir_now_ms(),
	    name));
	return 0;
}

static int
dsq_member_alive(struct dir *d, const char *name, unsigned down_ms,
    int64_t *age_ms)
{
	int64_t	n, age;

	if (age_ms != NULL &&
	    dsq_int(d, &age, "SELECT ? - heartbeat_ms FROM members WHERE "
	    "name = ?", "is", dir_now_ms(), name) == -1)
		return -1;
	if (age_ms != NULL)
		*age_ms = age;
	if (dsq_int(d, &n, "SELECT count(*) FROM members WHERE name = ? AND "
	    "state != 'DOWN' AND heartbeat_ms >= ?", "si", name,
	    dir_now_ms() - (int64_t)down_ms) == -1)
		return -1;
	return n > 0;
}

static int
dsq_member_set_endpoints(struct dir *d, const char *name, const char *ctl,
    const char *chan)
{
	return dsq_exec(d, "UPDATE members SET ctl_ep = ?, chan_ep = ? WHERE "
	    "name = ?", "sss", ctl, chan, name);
}

static int
dsq_member_endpoints(struct dir *d, const char *name, char *ctl, char *chan,
    size_t len)
{
	char	*bufs[2] = { ctl, chan };

	return dsq_texts(d, bufs, 2, len, "SELECT ctl_ep, chan_ep FROM members "
	    "WHERE name = ?", "s", name);
}

static int
dsq_member_limits(struct dir *d, const char *name, uint64_t max_out,
    uint64_t max_in)
{
	return dsq_exec(d, "UPDATE members SET max_out = CASE WHEN ?1 < 0 THEN"
	    " max_out ELSE ?1 END, max_in = CASE WHEN ?2 < 0 THEN max_in ELSE "
	    "?2 END WHERE name = ?3", "iis", max_out == HV_UNSET ? (int64_t)-1 :
	    (int64_t)max_out, max_in == HV_UNSET ? (int64_t)-1 :
	    (int64_t)max_in, name);
}

static int
dsq_member_down_body(struct dir *d, const char *name, const char *why)
{
	int	n;

	n = dsq_exec(d, "UPDATE members SET state = 'DOWN', since_ms = ?, "
	    "reason = ? WHERE name = ? AND state != 'DOWN'", "iss",
	    dir_now_ms(), why, name);
	if (n <= 0)
		return n;
	if (dsq_exec(d, "UPDATE residency SET state = 'LOST', since_ms = ?, "
	    "rev = rev + 1 WHERE member = ? AND state != 'STOPPED'", "is",
	    dir_now_ms(), name) < 0)
		return -1;
	/* A dead source ends nothing itself; a live one rolls back alone. */
	if (dsq_exec(d, "UPDATE journal SET end_code = 'LOSTLINK', ended_ms = "
	    "?1, phase = 'ENDED', text = 'source member down' WHERE end_code "
	    "IS NULL AND src = ?2", "is", dir_now_ms(), name) < 0)
		return -1;
	return 1;
}

static int
dsq_member_down(struct dir *d, const char *name, const char *why)
{
	int	rc;

	DSQ_TXN(d, rc, dsq_member_down_body(d, name, why));
	return rc;
}

static int
dsq_members_stale(struct dir *d, const char *me, unsigned down_ms,
    char (*names)[HV_NAME], size_t max)
{
	struct json_object	*rows;
	size_t			 i, n;

	rows = dsq_json(d, "SELECT name FROM members WHERE state != 'DOWN' AND "
	    "name != ? AND heartbeat_ms < ? ORDER BY idx", "si", me,
	    dir_now_ms() - (int64_t)down_ms);
	if (rows == NULL)
		return -1;
	n = json_object_array_length(rows);
	for (i = 0; i < n && i < max; i++)
		snprintf(names[i], HV_NAME, "%s", json_object_get_string(
		    json_object_object_get(json_object_array_get_idx(rows, i),
		    "name")));
	json_object_put(rows);
	return (int)(n < max ? n : max);
}

static int
dsq_member_info_one(struct dir *d, const char *name, struct elig_member *m)
{
	char	state[16], *bufs[1] = { state };
	int64_t	v[6];
	int	rc;

	rc = dsq_texts(d, bufs, 1, sizeof(state), "SELECT state FROM members "
	    "WHERE name = ?", "s", name);
	if (rc <= 0)
		return rc;
	m->known = true;
	m->state = (enum member_state)member_state_find(state);
	if (dsq_int(d, &v[0], "SELECT memory_mib FROM members WHERE name = ?",
	    "s", name) == -1 ||
	    dsq_int(d, &v[1], "SELECT coalesce(sum(g.memory_mib), 0) FROM "
	    "residency r JOIN guests g ON g.name = r.guest WHERE r.member = ? "
	    "AND r.state IN ('RUNNING', 'RELOCATING')", "s", name) == -1 ||
	    dsq_int(d, &v[2], "SELECT coalesce(sum(reserved_mib), 0) FROM "
	    "journal WHERE dst = ? AND end_code IS NULL", "s", name) == -1 ||
	    dsq_int(d, &v[3], "SELECT count(*) FROM journal WHERE src = ? AND "
	    "end_code IS NULL", "s", name) == -1 ||
	    dsq_int(d, &v[4], "SELECT count(*) FROM journal WHERE dst = ? AND "
	    "end_code IS NULL", "s", name) == -1 ||
	    dsq_int(d, &v[5], "SELECT max_out * 65536 + max_in FROM members "
	    "WHERE name = ?", "s", name) == -1)
		return -1;
	m->memory_mib = (uint64_t)v[0];
	m->used_mib = (uint64_t)(v[1] + v[2]);
	m->active_out = (unsigned)v[3];
	m->active_in = (unsigned)v[4];
	m->max_out = (unsigned)(v[5] / 65536);
	m->max_in = (unsigned)(v[5] % 65536);
	return 1;
}

static int
dsq_member_info(struct dir *d, struct elig_member *ms, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (dsq_member_info_one(d, ms[i].name, &ms[i]) == -1)
			return -1;
	return 0;
}

static int
dsq_cluster_mode(struct dir *d, enum cluster_mode *mode)
{
	int64_t	lost, influx;

	if (dsq_int(d, &lost, "SELECT count(*) FROM residency WHERE state = "
	    "'LOST'", "") == -1 || dsq_int(d, &influx, "SELECT count(*) FROM "
	    "members WHERE state IN ('JOINING', 'LEAVING')", "") == -1)
		return -1;
	*mode = lost > 0 ? CLUSTER_SAFE : influx > 0 ? CLUSTER_INFLUX :
	    CLUSTER_STABLE;
	return 0;
}

static int
dsq_cluster_mode_store(struct dir *d, enum cluster_mode mode)
{
	return dsq_exec(d, "INSERT INTO cluster (key, value) VALUES ('mode', ?)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value", "s",
	    cluster_mode_name(mode)) == 1 ? 0 : -1;
}

/* --- residency ---------------------------------------------------- */

static int
dsq_residency(struct dir *d, const char *guest, struct dir_residency *r)
{
	char	rev[24], *bufs[3] = { r->member, r->state, rev };
	int	rc;

	rc = dsq_texts(d, bufs, 3, sizeof(r->state), "SELECT member, state, "
	    "rev FROM residency WHERE guest = ?", "s", guest);
	if (rc == 1)
		r->rev = strtoll(rev, NULL, 10);
	return rc;
}

static int
dsq_residency_claim(struct dir *d, const char *guest, const char *member,
    int64_t rev)
{
	return dsq_exec(d, "UPDATE residency SET member = ?, state = "
	    "'RUNNING', since_ms = ?, rev = rev + 1 WHERE guest = ? AND rev = "
	    "?", "sisi", member, dir_now_ms(), guest, rev);
}

static int
dsq_residency_mark(struct dir *d, const char *guest, const char *member,
    const char *state)
{
	return dsq_exec(d, "UPDATE residency SET state = ?, since_ms = ?, "
	    "rev = rev + 1 WHERE guest = ? AND member = ?", "siss", state,
	    dir_now_ms(), guest, member);
}

static int
dsq_residency_stop_all(struct dir *d, const char *member)
{
	return dsq_exec(d, "UPDATE residency SET state = 'STOPPED', since_ms = "
	    "?, rev = rev + 1 WHERE member = ?", "is", dir_now_ms(), member);
}

/* --- journal ------------------------------------------------------ */

static int
dsq_journal_insert(struct dir *d, const struct dir_journal *j, int64_t rev,
    int64_t *id, int64_t *token)
{
	if (dsq_exec(d, "INSERT INTO journal (guest, src, dst, reserved_mib, "
	    "phase, started_ms, updated_ms, who, max_total_s, max_quiesce_ms, "
	    "immediate) VALUES (?, ?, ?, ?, 'SETUP', ?, ?, ?, ?, ?, ?)",
	    "sssiiisiii", j->guest, j->src, j->dst, (int64_t)j->reserved_mib,
	    dir_now_ms(), dir_now_ms(), j->who, (int64_t)j->max_total_s,
	    (int64_t)j->max_quiesce_ms, (int64_t)j->immediate) != 1 ||
	    dsq_int(d, id, "SELECT last_insert_rowid()", "") != 1)
		return -1;
	if (dsq_exec(d, "UPDATE residency SET state = 'RELOCATING', rev = rev "
	    "+ 1 WHERE guest = ? AND rev = ?", "si", j->guest, rev) != 1)
		return 0;
	*token = rev + 1;
	return 1;
}

static int
dsq_journal_phase(struct dir *d, const char *guest, int64_t id,
    const char *phase)
{
	(void)guest;
	return dsq_exec(d, "UPDATE journal SET phase = ?, updated_ms = ? WHERE "
	    "id = ? AND end_code IS NULL", "sii", phase, dir_now_ms(), id);
}

static int
dsq_journal_progress(struct dir *d, const char *guest, int64_t id,
    const struct dir_progress *p)
{
	(void)guest;
	return dsq_exec(d, "UPDATE journal SET pass = ?, sent_mib = ?, "
	    "left_mib = ?, dirty_mib_s = ?, est_quiesce_ms = ?, updated_ms = ? "
	    "WHERE id = ? AND end_code IS NULL", "iddddii", (int64_t)p->pass,
	    p->sent_mib, p->left_mib, p->dirty_mib_s, p->est_quiesce_ms,
	    dir_now_ms(), id);
}

static int
dsq_journal_active(struct dir *d, const char *guest, int64_t id,
    const char *src, const char *dst)
{
	int64_t	n;

	if (dsq_int(d, &n, "SELECT count(*) FROM journal WHERE guest = ?1 AND "
	    "(?2 = 0 OR id = ?2) AND (?3 = '' OR src = ?3) AND (?4 = '' OR "
	    "dst = ?4) AND end_code IS NULL", "siss", guest, id,
	    src != NULL ? src : "", dst != NULL ? dst : "") == -1)
		return -1;
	return n > 0;
}

static int
dsq_journal_end(struct dir *d, const char *guest, int64_t id,
    const char *end, const char *text)
{
	(void)guest;
	return dsq_exec(d, "UPDATE journal SET end_code = ?, ended_ms = ?, "
	    "phase = 'ENDED', text = ? WHERE id = ? AND end_code IS NULL AND "
	    "phase != 'RESUMED'", "sisi", end, dir_now_ms(), text, id);
}

static int
dsq_reloc_commit_body(struct dir *d, const char *guest, int64_t id,
    const char *src, const char *dst, int64_t token)
{
	int64_t	n;

	if (dsq_int(d, &n, "SELECT count(*) FROM journal WHERE id = ? AND "
	    "end_code IS NULL", "i", id) == -1)
		return -1;
	if (n != 1)
		return 0;
	if ((n = dsq_exec(d, "UPDATE residency SET member = ?, state = "
	    "'RUNNING', since_ms = ?, rev = rev + 1 WHERE guest = ? AND member "
	    "= ? AND rev = ?", "sissi", dst, dir_now_ms(), guest, src,
	    token)) != 1)
		return n < 0 ? -1 : 0;
	return dsq_exec(d, "UPDATE journal SET phase = 'RESUMED', updated_ms "
	    "= ? WHERE id = ?", "ii", dir_now_ms(), id) == 1 ? 1 : -1;
}

static int
dsq_reloc_commit(struct dir *d, const char *guest, int64_t id,
    const char *src, const char *dst, int64_t token)
{
	int	rc;

	if (dsq_lock(d) == -1)
		return -1;
	rc = dsq_reloc_commit_body(d, guest, id, src, dst, token);
	if (rc == 1 && dsq_unlock(d, true) == 0)
		return 1;
	dsq_unlock(d, false);
	return rc == 1 ? -1 : rc;
}

static int
dsq_history(struct dir *d, int64_t id, const struct dir_history *h)
{
	char	ds[20], dd[20];

	return dsq_exec(d, "INSERT INTO history (reloc, guest, started_ms, "
	    "src, dst, total_ms, quiesce_ms, passes, pages, mib, copy_mib_s, "
	    "end_code, digest_src, digest_dst, verified, text) SELECT id, "
	    "guest, started_ms, src, dst, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM "
	    "journal WHERE id = ?", "ddiiddsssisi", h->total_ms, h->quiesce_ms,
	    h->passes, h->pages, h->mib, h->copy_mib_s, h->end_code,
	    dir_hex64(h->digest_src, ds, sizeof(ds)),
	    dir_hex64(h->digest_dst, dd, sizeof(dd)), (int64_t)h->verified,
	    h->text, id) == 1 ? 1 : -1;
}

static int
dsq_reloc_done(struct dir *d, const char *guest, int64_t id,
    const struct dir_history *hist)
{
	int	rc;

	DSQ_TXN(d, rc, dsq_exec(d, "UPDATE journal SET end_code = 'OK', phase "
	    "= 'DONE', ended_ms = ?, updated_ms = ? WHERE id = ?", "iii",
	    dir_now_ms(), dir_now_ms(), id) != 1 ||
	    dsq_exec(d, "UPDATE guests SET relocations = relocations + 1 WHERE "
	    "name = ?", "s", guest) != 1 ? -1 : dsq_history(d, id, hist));
	return 0;
}

static int
dsq_reloc_rollback_body(struct dir *d, const char *guest, int64_t id,
    const char *src, const struct dir_history *hist)
{
	const char	*end = hist != NULL ? hist->end_code : "FAILED";
	const char	*text = hist != NULL ? hist->text : "";

	if (dsq_exec(d, "UPDATE journal SET end_code = ?, phase = 'ENDED', "
	    "ended_ms = ?, text = ? WHERE id = ? AND (end_code IS NULL OR "
	    "end_code != ?)", "sisis", end, dir_now_ms(), text, id, end) < 0 ||
	    dsq_exec(d, "UPDATE residency SET state = 'RUNNING', since_ms = ?,"
	    " rev = rev + 1 WHERE guest = ? AND member = ? AND state = "
	    "'RELOCATING'", "iss", dir_now_ms(), guest, src) < 0)
		return -1;
	return hist != NULL ? dsq_history(d, id, hist) : 0;
}

static int
dsq_reloc_rollback(struct dir *d, const char *guest, int64_t id,
    const char *src, const struct dir_history *hist)
{
	int	rc;

	DSQ_TXN(d, rc, dsq_reloc_rollback_body(d, guest, id, src, hist));
	return 0;
}

static int
dsq_journal_cleanup(struct dir *d, const char *member)
{
	return dsq_exec(d, "UPDATE journal SET end_code = CASE phase WHEN "
	    "'RESUMED' THEN 'OK' ELSE 'FAILED' END, phase = 'ENDED', ended_ms "
	    "= ?1, text = 'member ' || ?2 || ' restarted' WHERE end_code IS "
	    "NULL AND (src = ?2 OR dst = ?2)", "is", dir_now_ms(), member);
}

/* --- events, audit, listings ---------------------------------------- */

static int
dsq_event(struct dir *d, const char *msgid, const char *member,
    const char *guest, const char *text)
{
	return dsq_exec(d, "INSERT INTO events (ts_ms, msgid, member, guest,"
	    " text) VALUES (?, ?, ?, ?, ?)", "issss", dir_now_ms(), msgid,
	    member, guest, text) == 1 ? 0 : -1;
}

static int
dsq_audit(struct dir *d, const char *member, const char *who,
    const char *what, const char *args, const char *result)
{
	return dsq_exec(d, "INSERT INTO audit (ts_ms, member, who, what, args,"
	    " result) VALUES (?, ?, ?, ?, ?, ?)", "isssss", dir_now_ms(),
	    member, who, what, args, result) == 1 ? 0 : -1;
}

static struct json_object *
dsq_members_json(struct dir *d)
{
	return dsq_json(d, "SELECT m.name, m.idx, m.state, m.memory_mib, "
	    "(SELECT coalesce(sum(g.memory_mib), 0) FROM residency r JOIN "
	    "guests g ON g.name = r.guest WHERE r.member = m.name AND r.state "
	    "IN ('RUNNING', 'RELOCATING')) AS used_mib, m.pid, m.heartbeat_ms,"
	    " ?1 - m.heartbeat_ms AS heartbeat_age_ms, m.since_ms, m.max_out, "
	    "m.max_in, m.reason, m.ctl_ep, m.chan_ep, (SELECT value FROM "
	    "cluster WHERE key = 'mode') AS cluster_mode FROM members m ORDER "
	    "BY m.idx", "i",
	    dir_now_ms());
}

static struct json_object *
dsq_guests_json(struct dir *d)
{
	return dsq_json(d, "SELECT g.name, r.member, r.state, g.memory_mib, "
	    "g.grp AS 'group', g.domain, g.nics, g.relocations, g.rate_mib, "
	    "g.wss_mib, r.since_ms FROM guests g JOIN residency r ON r.guest = "
	    "g.name ORDER BY g.idx", "");
}

static struct json_object *
dsq_where_json(struct dir *d, const char *guest)
{
	return dsq_json(d, "SELECT r.guest, r.member, r.state, m.idx AS "
	    "member_idx, m.state AS member_state, r.since_ms FROM residency r "
	    "JOIN members m ON m.name = r.member WHERE r.guest = ?", "s", guest);
}

#define DSQ_JOURNAL_COLS "id, guest, src, dst, phase, pass, sent_mib, " \
	"left_mib, dirty_mib_s, est_quiesce_ms, started_ms, updated_ms, " \
	"ended_ms, coalesce(end_code, '') AS end_code, who, max_total_s, " \
	"max_quiesce_ms, immediate, text"

static struct json_object *
dsq_status_json(struct dir *d, const char *guest)
{
	if (guest[0] != '\0')
		return dsq_json(d, "SELECT " DSQ_JOURNAL_COLS " FROM journal "
		    "WHERE guest = ? ORDER BY id DESC LIMIT 1", "s", guest);
	return dsq_json(d, "SELECT " DSQ_JOURNAL_COLS " FROM journal WHERE "
	    "end_code IS NULL ORDER BY id", "");
}

static struct json_object *
dsq_history_json(struct dir *d, const char *guest)
{
	return dsq_json(d, "SELECT * FROM history WHERE ?1 = '' OR guest = ?1 "
	    "ORDER BY id", "s", guest);
}

static struct json_object *
dsq_events_json(struct dir *d, int64_t since, const char *guest)
{
	return dsq_json(d, "SELECT * FROM events WHERE id > ? AND (?2 = '' OR "
	    "guest = ?2) ORDER BY id LIMIT 1000", "is", since, guest);
}

static struct json_object *
dsq_audit_json(struct dir *d, int64_t since)
{
	return dsq_json(d, "SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT "
	    "1000", "i", since);
}

static struct json_object *
dsq_follow(struct dir *d, struct dir_follow *f, unsigned timeout_ms)
{
	struct json_object	*rows;
	uint64_t		 waited = 0;
	size_t			 n;

	for (;;) {
		if ((rows = dsq_events_json(d, f->since, f->guest)) == NULL)
			return NULL;
		if ((n = json_object_array_length(rows)) > 0) {
			f->since = json_object_get_int64(json_object_object_get(
			    json_object_array_get_idx(rows, n - 1), "id"));
			return rows;
		}
		if (waited >= timeout_ms)
			return rows;
		json_object_put(rows);
		usleep(100000);
		waited += 100;
	}
}

/* --- opening ------------------------------------------------------ */

static int
dsq_pragma_wal(sqlite3 *db)
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

static const char *
dsq_error(struct dir *d)
{
	return sqlite3_errmsg(dsq_db(d));
}

static void
dsq_close(struct dir *d)
{
	sqlite3_close(dsq_db(d));
	free(d);
}

static const struct dir_ops dsq_ops = {
	.close = dsq_close,
	.error = dsq_error,
	.lock = dsq_lock,
	.unlock = dsq_unlock,
	.import = dsq_import,
	.guest_workload = dsq_guest_workload,
	.guest_set_workload = dsq_guest_set_workload,
	.member_join = dsq_member_join,
	.member_state = dsq_member_state,
	.member_renew = dsq_member_renew,
	.member_leave = dsq_member_leave,
	.member_alive = dsq_member_alive,
	.member_set_endpoints = dsq_member_set_endpoints,
	.member_endpoints = dsq_member_endpoints,
	.member_limits = dsq_member_limits,
	.member_down = dsq_member_down,
	.members_stale = dsq_members_stale,
	.member_info = dsq_member_info,
	.cluster_mode = dsq_cluster_mode,
	.cluster_mode_store = dsq_cluster_mode_store,
	.residency = dsq_residency,
	.residency_claim = dsq_residency_claim,
	.residency_mark = dsq_residency_mark,
	.residency_stop_all = dsq_residency_stop_all,
	.journal_insert = dsq_journal_insert,
	.journal_phase = dsq_journal_phase,
	.journal_progress = dsq_journal_progress,
	.journal_active = dsq_journal_active,
	.journal_end = dsq_journal_end,
	.reloc_commit = dsq_reloc_commit,
	.reloc_done = dsq_reloc_done,
	.reloc_rollback = dsq_reloc_rollback,
	.journal_cleanup = dsq_journal_cleanup,
	.event = dsq_event,
	.audit = dsq_audit,
	.members_json = dsq_members_json,
	.guests_json = dsq_guests_json,
	.where_json = dsq_where_json,
	.status_json = dsq_status_json,
	.history_json = dsq_history_json,
	.events_json = dsq_events_json,
	.audit_json = dsq_audit_json,
	.follow = dsq_follow,
};

struct dir *
dir_sqlite_open(const struct dir_conf *c)
{
	struct dsq	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->d.ops = &dsq_ops;
	q->d.kind = DIR_SQLITE;
	if (sqlite3_open_v2(c->path, &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	q->busy_ms = DSQ_BUSY_MS;
	sqlite3_busy_handler(q->db, dsq_busy, q);
	if (dsq_pragma_wal(q->db) == -1 ||
	    sqlite3_exec(q->db, "PRAGMA synchronous=NORMAL;", NULL, NULL,
	    NULL) != SQLITE_OK)
		goto fail;
	if (dsq_lock(&q->d) == -1)
		goto fail;
	if (sqlite3_exec(q->db, dsq_schema, NULL, NULL, NULL) != SQLITE_OK) {
		dsq_unlock(&q->d, false);
		goto fail;
	}
	if (dsq_unlock(&q->d, true) == -1)
		goto fail;
	return &q->d;
fail:
	log_warnx("[HV-DIR] directory %s: %s", c->path, q->db != NULL ?
	    sqlite3_errmsg(q->db) : "out of memory");
	dsq_close(&q->d);
	errno = EIO;
	return NULL;
}
