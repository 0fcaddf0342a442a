/*
 * member.c: cluster membership.  A member joins (JOINING, then JOINED
 * once its guests run), writes a heartbeat every opts.heartbeat_ms and
 * leaves (LEAVING, then DOWN).  Every member declares DOWN any other
 * one whose heartbeat is older than opts.down_ms; the guests of a DOWN
 * member are LOST until recovered elsewhere.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hvd.h"
#include "log.h"

static int
member_import_guest(struct dir *d, const struct hv_config *c,
    const struct hv_guestdef *g)
{
	char	domain[HV_MAX_MEMBERS * HV_NAME], nics[HV_MAX_NICS * 40];
	size_t	i, off = 0, noff = 0;

	domain[0] = nics[0] = '\0';
	for (i = 0; i < g->ndomain; i++)
		off += (size_t)snprintf(domain + off, sizeof(domain) - off,
		    "%s%s", i ? "," : "", g->domain[i]);
	for (i = 0; i < g->nnics; i++)
		noff += (size_t)snprintf(nics + noff, sizeof(nics) - noff,
		    "%s%s:%s", i ? "," : "", g->nics[i].name, g->nics[i].hsi ?
		    c->members[g->nics[i].member].name : "vswitch");
	if (dir_exec(d, "INSERT INTO guests (name, idx, memory_mib, grp, "
	    "domain, nics, multi) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	    "ON CONFLICT(name) DO UPDATE SET idx = ?2, memory_mib = ?3, "
	    "grp = ?4, domain = ?5, nics = ?6, multi = ?7", "siisssi",
	    g->name, (int64_t)g->idx, (int64_t)g->memory_mib, g->group,
	    domain, nics, (int64_t)g->multi) < 0)
		return -1;
	if (dir_exec(d, "INSERT OR IGNORE INTO residency (guest, member, "
	    "state, since_ms) VALUES (?, ?, 'STOPPED', ?)", "ssi", g->name,
	    c->members[g->initial].name, dir_now_ms()) < 0)
		return -1;
	return 0;
}

static int
member_import_member(struct dir *d, const struct hv_memberdef *m)
{
	return dir_exec(d, "INSERT INTO members (name, idx, state, memory_mib,"
	    " heartbeat_ms, since_ms, max_out, max_in) VALUES (?1, ?2, 'DOWN',"
	    " ?3, 0, ?4, 2, 2) ON CONFLICT(name) DO UPDATE SET idx = ?2, "
	    "memory_mib = ?3", "siii", m->name, (int64_t)m->idx,
	    (int64_t)m->memory_mib, dir_now_ms()) < 0 ? -1 : 0;
}

/*
 * Import the topology's members and guests: definitions are updated,
 * residency is set only for guests the directory does not know yet.
 */
int
member_import(struct dir *d, const struct hv_config *c)
{
	size_t	i;

	if (dir_begin(d) == -1)
		return -1;
	for (i = 0; i < c->nmembers; i++)
		if (member_import_member(d, &c->members[i]) == -1)
			goto fail;
	for (i = 0; i < c->nguests; i++)
		if (member_import_guest(d, c, &c->guests[i]) == -1)
			goto fail;
	return dir_commit(d);
fail:
	dir_rollback(d);
	return -1;
}

static int
member_set_state(struct dir *d, const char *name, enum member_state s,
    const char *reason)
{
	return dir_exec(d, "UPDATE members SET state = ?, since_ms = ?, "
	    "reason = ?, pid = ?, heartbeat_ms = ? WHERE name = ?", "sisiis",
	    member_state_name(s), dir_now_ms(), reason, (int64_t)getpid(),
	    dir_now_ms(), name) < 0 ? -1 : 0;
}

/* Boot every guest the directory places on this member. */
static int
member_boot_guests(struct hvd *h)
{
	size_t	i;
	int64_t	here;

	for (i = 0; i < h->conf->nguests; i++) {
		if (dir_int(h->dir, &here, "SELECT count(*) FROM residency "
		    "WHERE guest = ? AND member = ?", "ss",
		    h->conf->guests[i].name, h->name) == -1)
			return -1;
		if (here && hvd_guest_boot(h, (int)i) == -1)
			return -1;
	}
	return 0;
}

/*
 * Back from the dead (stopped longer than the timeout): guests still
 * here and not recovered elsewhere run again, the others are dropped.
 */
int
member_rejoin(struct hvd *h)
{
	char	where[HV_NAME];
	size_t	i;

	for (i = 0; i < h->conf->nguests; i++) {
		if (h->guests[i] == NULL)
			continue;
		if (dir_guest_member(h->dir, h->conf->guests[i].name, where,
		    sizeof(where)) == 1 && strcmp(where, h->name) == 0)
			dir_exec(h->dir, "UPDATE residency SET state = 'RUNNING' "
			    "WHERE guest = ?", "s", h->conf->guests[i].name);
		else
			hvd_guest_drop(h, (int)i);
	}
	if (member_set_state(h->dir, h->name, MEMBER_JOINED, "rejoined") == -1)
		return -1;
	dir_event(h->dir, "HV-MEMBER-REJOINED", h->name, NULL, "member %s was "
	    "declared DOWN while alive and joined again", h->name);
	return 0;
}

int
member_join(struct hvd *h)
{
	int64_t	max_out = h->opts.max_out, max_in = h->opts.max_in;

	if (member_import(h->dir, h->conf) == -1 ||
	    member_set_state(h->dir, h->name, MEMBER_JOINING, "start") == -1)
		return -1;
	dir_exec(h->dir, "UPDATE members SET max_out = ?, max_in = ? WHERE "
	    "name = ?", "iis", max_out, max_in, h->name);
	dir_event(h->dir, "HV-MEMBER-JOINING", h->name, NULL,
	    "member %s joining (pid %d)", h->name, (int)getpid());
	reloc_cleanup_journal(h->dir, h->name);
	if (member_boot_guests(h) == -1)
		return -1;
	if (member_set_state(h->dir, h->name, MEMBER_JOINED, "joined") == -1)
		return -1;
	dir_event(h->dir, "HV-MEMBER-JOINED", h->name, NULL,
	    "member %s joined", h->name);
	return member_tick(h);
}

int
member_leave(struct hvd *h)
{
	member_set_state(h->dir, h->name, MEMBER_LEAVING, "stop");
	dir_exec(h->dir, "UPDATE residency SET state = 'STOPPED', since_ms = ?"
	    " WHERE member = ?", "is", dir_now_ms(), h->name);
	member_set_state(h->dir, h->name, MEMBER_DOWN, "left");
	dir_event(h->dir, "HV-MEMBER-LEFT", h->name, NULL, "member %s left",
	    h->name);
	return 0;
}

bool
member_alive(struct dir *d, const char *name, unsigned down_ms)
{
	int64_t	n;

	if (dir_int(d, &n, "SELECT count(*) FROM members WHERE name = ? AND "
	    "state != 'DOWN' AND heartbeat_ms >= ?", "si", name,
	    dir_now_ms() - (int64_t)down_ms) == -1)
		return true;	/* when in doubt, alive */
	return n > 0;
}

int
member_set_down(struct dir *d, const char *name, const char *why)
{
	int	n;

	n = dir_exec(d, "UPDATE members SET state = 'DOWN', since_ms = ?, "
	    "reason = ? WHERE name = ? AND state != 'DOWN'", "iss",
	    dir_now_ms(), why, name);
	if (n <= 0)
		return n;
	dir_exec(d, "UPDATE residency SET state = 'LOST', since_ms = ? WHERE "
	    "member = ? AND state != 'STOPPED'", "is", dir_now_ms(), name);
	/* A dead source ends nothing itself; a live one rolls back alone. */
	dir_exec(d, "UPDATE journal SET end_code = 'LOSTLINK', ended_ms = ?1, "
	    "phase = 'ENDED', text = 'source member down' WHERE end_code IS "
	    "NULL AND src = ?2", "is", dir_now_ms(), name);
	return n;
}

static int
member_declare_lost(struct hvd *h)
{
	struct json_object	*rows, *r, *v;
	const char		*name;
	size_t			 i;

	rows = dir_json(h->dir, "SELECT name FROM members WHERE state != "
	    "'DOWN' AND name != ? AND heartbeat_ms < ?", "si", h->name,
	    dir_now_ms() - (int64_t)h->opts.down_ms);
	if (rows == NULL)
		return -1;
	for (i = 0; i < json_object_array_length(rows); i++) {
		r = json_object_array_get_idx(rows, i);
		json_object_object_get_ex(r, "name", &v);
		name = json_object_get_string(v);
		if (member_set_down(h->dir, name, "heartbeat lost") > 0)
			dir_event(h->dir, "HV-MEMBER-DOWN", h->name, NULL,
			    "member %s declared DOWN: no heartbeat for %u ms",
			    name, h->opts.down_ms);
	}
	json_object_put(rows);
	return 0;
}

enum cluster_mode
member_cluster_mode(struct dir *d)
{
	int64_t	n;

	if (dir_int(d, &n, "SELECT count(*) FROM residency WHERE state = "
	    "'LOST'", "") == 1 && n > 0)
		return CLUSTER_SAFE;
	if (dir_int(d, &n, "SELECT count(*) FROM members WHERE state IN "
	    "('JOINING', 'LEAVING')", "") == 1 && n > 0)
		return CLUSTER_INFLUX;
	return CLUSTER_STABLE;
}

/*
 * Returns 0, 1 when the others declared this member DOWN while it was
 * alive (hvd must rejoin), -1 on a directory error.
 */
int
member_tick(struct hvd *h)
{
	char	state[16];

	if (dir_text(h->dir, state, sizeof(state), "SELECT state FROM members "
	    "WHERE name = ?", "s", h->name) == 1 && strcmp(state, "DOWN") == 0)
		return 1;
	if (dir_exec(h->dir, "UPDATE members SET heartbeat_ms = ?, pid = ? "
	    "WHERE name = ?", "iis", dir_now_ms(), (int64_t)getpid(),
	    h->name) < 0)
		return -1;
	if (member_declare_lost(h) == -1)
		return -1;
	return dir_exec(h->dir, "INSERT INTO cluster (key, value) VALUES "
	    "('mode', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	    "s", cluster_mode_name(member_cluster_mode(h->dir))) < 0 ? -1 : 0;
}
