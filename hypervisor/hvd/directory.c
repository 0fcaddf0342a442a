/*
 * directory.c: the directory's operations (directory.h), dispatched to
 * the backend that dir_open chose, and what both backends share: the
 * words stored for states and modes, the eligibility snapshot, the
 * check-and-journal step and the formatting of events.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dir_backend.h"
#include "log.h"

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

static const char *const dir_kinds[] = {
	[DIR_SQLITE] = "sqlite",
	[DIR_ETCD] = "etcd",
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

int
dir_kind_find(const char *name)
{
	int	i;

	for (i = 0; i <= DIR_ETCD; i++)
		if (strcmp(dir_kinds[i], name) == 0)
			return i;
	return -1;
}

int64_t
dir_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
dir_guest_domain(const struct hv_guestdef *g, char *buf, size_t len)
{
	size_t	i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < g->ndomain && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? "," : "", g->domain[i]);
}

void
dir_guest_nics(const struct hv_config *c, const struct hv_guestdef *g,
    char *buf, size_t len)
{
	size_t	i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < g->nnics && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s:%s",
		    i ? "," : "", g->nics[i].name, g->nics[i].hsi ?
		    c->members[g->nics[i].member].name : "vswitch");
}

const char *
dir_hex64(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%016jx", (uintmax_t)v);
	return buf;
}

struct dir *
dir_open(const struct dir_conf *c)
{
	struct dir	*d;

	switch (c->kind) {
	case DIR_SQLITE:
		d = dir_sqlite_open(c);
		break;
	case DIR_ETCD:
		d = dir_etcd_open(c);
		break;
	default:
		errno = EINVAL;
		return NULL;
	}
	if (d != NULL)
		d->mode_stored = -1;
	return d;
}

void
dir_close(struct dir *d)
{
	if (d != NULL)
		d->ops->close(d);
}

const char *
dir_error(struct dir *d)
{
	return d->ops->error(d);
}

enum dir_kind
dir_kind(const struct dir *d)
{
	return d->kind;
}

int
dir_import(struct dir *d, const struct hv_config *c)
{
	return d->ops->import(d, c);
}

int
dir_guest_workload(struct dir *d, const char *guest, uint64_t *rate_mib,
    uint64_t *wss_mib)
{
	return d->ops->guest_workload(d, guest, rate_mib, wss_mib);
}

int
dir_guest_set_workload(struct dir *d, const char *guest, uint64_t rate_mib,
    uint64_t wss_mib)
{
	return d->ops->guest_set_workload(d, guest, rate_mib, wss_mib);
}

int
dir_member_join(struct dir *d, const char *name, enum member_state s,
    const char *reason)
{
	return d->ops->member_join(d, name, s, reason);
}

int
dir_member_state(struct dir *d, const char *name, enum member_state s,
    const char *reason)
{
	return d->ops->member_state(d, name, s, reason);
}

int
dir_member_renew(struct dir *d, const char *name, unsigned within_ms)
{
	return d->ops->member_renew(d, name, within_ms);
}

int
dir_member_leave(struct dir *d, const char *name)
{
	return d->ops->member_leave(d, name);
}

int
dir_member_alive(struct dir *d, const char *name, unsigned down_ms,
    int64_t *age_ms)
{
	return d->ops->member_alive(d, name, down_ms, age_ms);
}

int
dir_member_set_endpoints(struct dir *d, const char *name, const char *ctl,
    const char *chan)
{
	return d->ops->member_set_endpoints(d, name, ctl, chan);
}

int
dir_member_endpoints(struct dir *d, const char *name, char *ctl, char *chan,
    size_t len)
{
	ctl[0] = chan[0] = '\0';
	return d->ops->member_endpoints(d, name, ctl, chan, len);
}

int
dir_member_limits(struct dir *d, const char *name, uint64_t max_out,
    uint64_t max_in)
{
	return d->ops->member_limits(d, name, max_out, max_in);
}

int
dir_member_down(struct dir *d, const char *name, const char *why)
{
	return d->ops->member_down(d, name, why);
}

int
dir_members_stale(struct dir *d, const char *me, unsigned down_ms,
    char (*names)[HV_NAME], size_t max)
{
	return d->ops->members_stale(d, me, down_ms, names, max);
}

int
dir_member_info(struct dir *d, const char *name, struct elig_member *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	if (d->ops->member_info(d, m, 1) == -1)
		return -1;
	return m->known ? 1 : 0;
}

int
dir_cluster_mode(struct dir *d, enum cluster_mode *mode)
{
	return d->ops->cluster_mode(d, mode);
}

/*
 * Written when it changed since this handle last wrote it: every member
 * computes it on every tick from the same directory, and on etcd each
 * write is a raft commit (an fsync on every node).
 */
int
dir_cluster_mode_store(struct dir *d, enum cluster_mode mode)
{
	if (d->mode_stored == (int)mode)
		return 0;
	if (d->ops->cluster_mode_store(d, mode) == -1) {
		d->mode_stored = -1;
		return -1;
	}
	d->mode_stored = (int)mode;
	return 0;
}

int
dir_residency(struct dir *d, const char *guest, struct dir_residency *r)
{
	memset(r, 0, sizeof(*r));
	return d->ops->residency(d, guest, r);
}

int
dir_residency_claim(struct dir *d, const char *guest, const char *member,
    int64_t rev)
{
	return d->ops->residency_claim(d, guest, member, rev);
}

int
dir_residency_mark(struct dir *d, const char *guest, const char *member,
    const char *state)
{
	return d->ops->residency_mark(d, guest, member, state);
}

int
dir_residency_stop_all(struct dir *d, const char *member)
{
	return d->ops->residency_stop_all(d, member);
}

/* The snapshot of one guest's move, with the residency revision read. */
static int
dir_gather(struct dir *d, const struct hv_config *c,
    const struct hv_guestdef *g, const char *target, unsigned force,
    struct elig_input *in, int64_t *rev)
{
	static _Thread_local struct dir_residency	res;
	struct elig_member				ms[2];
	size_t						i;
	int						rc;

	memset(in, 0, sizeof(*in));
	in->guest = g;
	in->force = force;
	in->dst_idx = -1;
	for (i = 0; i < c->nmembers; i++)
		if (strcmp(c->members[i].name, target) == 0)
			in->dst_idx = (int)i;
	if (dir_residency(d, g->name, &res) == -1)
		return -1;
	in->guest_state = res.state;
	*rev = res.rev;
	/* Source and target from one snapshot. */
	memset(ms, 0, sizeof(ms));
	snprintf(ms[0].name, sizeof(ms[0].name), "%s", res.member);
	snprintf(ms[1].name, sizeof(ms[1].name), "%s", target);
	if (d->ops->member_info(d, ms, 2) == -1)
		return -1;
	in->src = ms[0];
	in->dst = ms[1];
	if ((rc = d->ops->journal_active(d, g->name, 0, NULL, NULL)) == -1)
		return -1;
	in->relocating = rc > 0;
	return 0;
}

int
dir_elig_gather(struct dir *d, const struct hv_config *c,
    const struct hv_guestdef *g, const char *target, unsigned force,
    struct elig_input *in)
{
	int64_t	rev;

	return dir_gather(d, c, g, target, force, in, &rev);
}

int
dir_journal_open(struct dir *d, const struct hv_config *c,
    const struct hv_guestdef *g, const struct dir_journal *j, unsigned force,
    struct elig_conflict *cf, size_t *n, int64_t *id, int64_t *token)
{
	struct elig_input	in;
	int64_t			rev;

	*n = 0;
	if (d->ops->lock(d) == -1)
		return -1;
	if (dir_gather(d, c, g, j->dst, force, &in, &rev) == -1)
		goto fail;
	if ((*n = elig_check(&in, cf, HV_CONFLICT_MAX)) > 0)
		goto fail;
	if (d->ops->journal_insert(d, j, rev, id, token) != 1)
		goto fail;
	return d->ops->unlock(d, true);
fail:
	d->ops->unlock(d, false);
	return -1;
}

int
dir_journal_phase(struct dir *d, const char *guest, int64_t id,
    const char *phase)
{
	return d->ops->journal_phase(d, guest, id, phase);
}

int
dir_journal_progress(struct dir *d, const char *guest, int64_t id,
    const struct dir_progress *p)
{
	return d->ops->journal_progress(d, guest, id, p);
}

int
dir_journal_active(struct dir *d, const char *guest, int64_t id,
    const char *src, const char *dst)
{
	return d->ops->journal_active(d, guest, id, src, dst);
}

int
dir_journal_end(struct dir *d, const char *guest, int64_t id,
    const char *end, const char *text)
{
	return d->ops->journal_end(d, guest, id, end, text);
}

int
dir_reloc_commit(struct dir *d, const char *guest, int64_t id,
    const char *src, const char *dst, int64_t token)
{
	return d->ops->reloc_commit(d, guest, id, src, dst, token);
}

int
dir_reloc_done(struct dir *d, const char *guest, int64_t id,
    const struct dir_history *hist)
{
	return d->ops->reloc_done(d, guest, id, hist);
}

int
dir_reloc_rollback(struct dir *d, const char *guest, int64_t id,
    const char *src, const struct dir_history *hist)
{
	return d->ops->reloc_rollback(d, guest, id, src, hist);
}

int
dir_journal_cleanup(struct dir *d, const char *member)
{
	return d->ops->journal_cleanup(d, member);
}

int
dir_event(struct dir *d, const char *msgid, const char *member,
    const char *guest, const char *fmt, ...)
{
	char	text[512];
	va_list	ap;

	va_start(ap, fmt);
	log_vevent(text, sizeof(text), msgid, guest, fmt, ap);
	va_end(ap);
	if (d->ops->event(d, msgid, member, guest ? guest : "", text) == -1) {
		log_warnx("[HV-DIR] event %s not written", msgid);
		return -1;
	}
	return 0;
}

int
dir_audit(struct dir *d, const char *member, const char *who,
    const char *what, const char *args, const char *result)
{
	return d->ops->audit(d, member, who, what, args, result);
}

struct json_object *
dir_members_json(struct dir *d)
{
	return d->ops->members_json(d);
}

struct json_object *
dir_guests_json(struct dir *d)
{
	return d->ops->guests_json(d);
}

struct json_object *
dir_where_json(struct dir *d, const char *guest)
{
	return d->ops->where_json(d, guest);
}

struct json_object *
dir_status_json(struct dir *d, const char *guest)
{
	return d->ops->status_json(d, guest);
}

struct json_object *
dir_history_json(struct dir *d, const char *guest)
{
	return d->ops->history_json(d, guest);
}

struct json_object *
dir_events_json(struct dir *d, int64_t since, const char *guest)
{
	return d->ops->events_json(d, since, guest);
}

struct json_object *
dir_audit_json(struct dir *d, int64_t since)
{
	return d->ops->audit_json(d, since);
}

struct dir_follow *
dir_follow_open(struct dir *d, int64_t since, const char *guest)
{
	struct dir_follow	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->d = d;
	f->since = since;
	snprintf(f->guest, sizeof(f->guest), "%s", guest);
	return f;
}

struct json_object *
dir_follow_next(struct dir_follow *f, unsigned timeout_ms)
{
	return f->d->ops->follow(f->d, f, timeout_ms);
}

void
dir_follow_close(struct dir_follow *f)
{
	if (f == NULL)
		return;
	if (f->d->ops->follow_close != NULL)
		f->d->ops->follow_close(f);
	free(f);
}

#define DIR_CONF_FILE	"directory"

int
dir_conf_write(const struct dir_conf *c, const char *labdir)
{
	char	path[600], tmp[610];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/" DIR_CONF_FILE, labdir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(fp, "%s %s %s\n", c->kind == DIR_ETCD ? "etcd" : "sqlite",
	    c->kind == DIR_ETCD ? c->endpoints : c->path, c->lab);
	if (fclose(fp) != 0 || rename(tmp, path) == -1)
		return -1;
	return 0;
}

int
dir_conf_read(struct dir_conf *c, const char *labdir)
{
	char	path[600], kind[16], where[512], lab[HV_NAME];
	FILE	*fp;
	int	n;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/" DIR_CONF_FILE, labdir);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fscanf(fp, "%15s %511s %31s", kind, where, lab);
	fclose(fp);
	if (n != 3 || dir_kind_find(kind) == -1) {
		errno = EINVAL;
		return -1;
	}
	c->kind = (enum dir_kind)dir_kind_find(kind);
	c->ttl_s = DIR_TTL_S;
	snprintf(c->lab, sizeof(c->lab), "%s", lab);
	snprintf(c->kind == DIR_ETCD ? c->endpoints : c->path,
	    sizeof(c->path), "%s", where);
	return 0;
}
