/*
 * dir_etcd.c: the directory's etcd backend (lgretcd, common/etcd.h),
 * for members on several hosts.  Every key lives under /lgr/LAB/ and
 * every value is a JSON object (lgr-etcd(7), and hvd(8) for what this
 * backend adds):
 *
 *   memberdefs/MEMBER   definition, limits, state, reason (no lease)
 *   members/MEMBER      the member while its lease lives: pid, lease
 *   leases/MEMBER       the lease id and TTL, with the same lease
 *   guests/GUEST        definition, workload, relocation count
 *   residency/GUEST     member, state; its mod_revision is the token
 *   journal/GUEST       the guest's latest relocation (end_code "" while
 *                       open); ids come from the counter key seq
 *   history/GUEST/ID    finished relocations (ID zero-padded)
 *   events/MEMBER/KEY, audit/MEMBER/KEY   ordered by mod_revision,
 *                       which is their id
 *   mode                the cluster mode
 *
 * There are no locks: every write that a read justifies is a
 * transaction comparing the mod_revision read (retried when someone
 * else wrote in between, when that is safe).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "dir_backend.h"
#include "etcd.h"
#include "log.h"

#define DET_KEY		256
#define DET_RETRIES	20	/* compare-and-swap rounds on contention */
#define DET_LIST_MAX	1000

struct det {
	struct dir	 d;
	struct etcd	*e;
	char		 prefix[HV_NAME + 8];
	unsigned	 ttl_s;
	int64_t		 lease;		/* this directory's member lease */
};

static atomic_uint_fast64_t	det_seq;

static struct det *
det(struct dir *d)
{
	return (struct det *)d;
}

static int
det_fail(struct dir *d, const char *what)
{
	log_warnx("[HV-DIR] etcd: %s: %s", what, etcd_errtext(det(d)->e));
	return -1;
}

static const char *
det_key(struct dir *d, char *buf, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const char *
det_key(struct dir *d, char *buf, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	n = snprintf(buf, DET_KEY, "%s", det(d)->prefix);
	va_start(ap, fmt);
	vsnprintf(buf + n, DET_KEY - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

/* --- JSON values ---------------------------------------------------- */

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return "";
	return json_object_get_string(v);
}

static int64_t
jint(struct json_object *o, const char *k)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) :
	    0;
}

static void
jset_s(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void
jset_i(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void
jset_d(struct json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

/* Copy field k of from into to (null when absent). */
static void
jcopy(struct json_object *to, struct json_object *from, const char *k)
{
	struct json_object	*v = NULL;

	json_object_object_get_ex(from, k, &v);
	json_object_object_add(to, k, json_object_get(v));
}

/* --- keys ----------------------------------------------------------- */

/* Read key's object: 1 (*o new, *mod its mod_revision), 0 absent, -1. */
static int
det_get(struct dir *d, const char *key, struct json_object **o, int64_t *mod)
{
	struct etcd_kv	kv;
	int		rc;

	*o = NULL;
	if (mod != NULL)
		*mod = 0;
	if ((rc = etcd_get(det(d)->e, key, &kv)) == -1)
		return det_fail(d, key);
	if (rc == 0)
		return 0;
	if (mod != NULL)
		*mod = kv.mod_revision;
	*o = json_tokener_parse(kv.value);
	etcd_kv_free(&kv);
	if (*o == NULL) {
		log_warnx("[HV-DIR] etcd: %s: not JSON", key);
		return -1;
	}
	return 1;
}

static int
det_list(struct dir *d, const char *prefix, struct etcd_kvs *kvs)
{
	if (etcd_get_prefix(det(d)->e, prefix, kvs) == -1)
		return det_fail(d, prefix);
	return 0;
}

static struct json_object *
det_parse(const struct etcd_kv *kv)
{
	struct json_object	*o = json_tokener_parse(kv->value);

	return o != NULL ? o : json_object_new_object();
}

/*
 * Put o at key if key's mod_revision is still mod (0: absent), with
 * lease: 1, 0 someone wrote it, -1.  *rev (may be NULL): the write's.
 */
static int
det_cas(struct dir *d, const char *key, struct json_object *o, int64_t mod,
    int64_t lease, int64_t *rev)
{
	const char	*v = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN);
	struct etcd_cmp	 cmp = { key, mod, ETCD_CMP_MOD };
	struct etcd_op	 op = { ETCD_OP_PUT, key, v, strlen(v), lease };
	int		 rc;

	if ((rc = etcd_txn(det(d)->e, &cmp, 1, &op, 1, rev)) == -1)
		return det_fail(d, key);
	return rc;
}

static int
det_put(struct dir *d, const char *key, struct json_object *o, int64_t lease)
{
	const char	*v = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN);

	if (etcd_put(det(d)->e, key, v, strlen(v), lease, NULL) == -1)
		return det_fail(d, key);
	return 0;
}

/* A put op of o (its text lives as long as o). */
static struct etcd_op
det_op(const char *key, struct json_object *o, int64_t lease)
{
	struct etcd_op	op = { ETCD_OP_PUT, key, NULL, 0, lease };

	op.value = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	op.len = strlen(op.value);
	return op;
}

static int
det_txn(struct dir *d, const struct etcd_cmp *cmp, size_t ncmp,
    const struct etcd_op *op, size_t nop, int64_t *rev)
{
	int	rc;

	if ((rc = etcd_txn(det(d)->e, cmp, ncmp, op, nop, rev)) == -1)
		return det_fail(d, op[0].key);
	return rc;
}

/*
 * Read-modify-write of one key: fn changes the object read (absent: an
 * empty one when create) and returns 1 to write, 0 to leave it, -1.
 * Retried while someone else writes in between.  Returns 1 written, 0
 * left (or absent and !create), -1.
 */
static int
det_update(struct dir *d, const char *key, bool create,
    int (*fn)(struct json_object *, void *), void *arg)
{
	struct json_object	*o;
	int64_t			 mod;
	int			 i, rc;

	for (i = 0; i < DET_RETRIES; i++) {
		if ((rc = det_get(d, key, &o, &mod)) == -1)
			return -1;
		if (rc == 0) {
			if (!create)
				return 0;
			o = json_object_new_object();
		}
		if ((rc = fn(o, arg)) == 1)
			rc = det_cas(d, key, o, mod, 0, NULL) == 1 ? 1 : 2;
		json_object_put(o);
		if (rc != 2)
			return rc;
	}
	log_warnx("[HV-DIR] etcd: %s: contended, not written", key);
	return -1;
}

/* --- definitions ---------------------------------------------------- */

struct det_memberdef {
	const struct hv_memberdef	*m;
};

static int
det_import_member_fn(struct json_object *o, void *arg)
{
	const struct hv_memberdef	*m = arg;

	if (!json_object_object_get_ex(o, "state", NULL)) {
		jset_s(o, "state", "DOWN");
		jset_i(o, "max_out", 2);
		jset_i(o, "max_in", 2);
		jset_i(o, "since_ms", dir_now_ms());
		jset_s(o, "reason", "");
	}
	jset_s(o, "name", m->name);
	jset_i(o, "idx", m->idx);
	jset_i(o, "memory_mib", (int64_t)m->memory_mib);
	return 1;
}

struct det_guestdef {
	const struct hv_config		*c;
	const struct hv_guestdef	*g;
};

static int
det_import_guest_fn(struct json_object *o, void *arg)
{
	const struct det_guestdef	*a = arg;
	char				 domain[HV_MAX_MEMBERS * HV_NAME];
	char				 nics[HV_MAX_NICS * 40];

	dir_guest_domain(a->g, domain, sizeof(domain));
	dir_guest_nics(a->c, a->g, nics, sizeof(nics));
	if (!json_object_object_get_ex(o, "relocations", NULL)) {
		jset_i(o, "rate_mib", 0);
		jset_i(o, "wss_mib", 0);
		jset_i(o, "relocations", 0);
	}
	jset_s(o, "name", a->g->name);
	jset_i(o, "idx", a->g->idx);
	jset_i(o, "memory_mib", (int64_t)a->g->memory_mib);
	jset_s(o, "group", a->g->group);
	jset_s(o, "domain", domain);
	jset_s(o, "nics", nics);
	jset_i(o, "multi", a->g->multi);
	return 1;
}

static int
det_import(struct dir *d, const struct hv_config *c)
{
	struct det_guestdef	 a;
	struct json_object	*r;
	char			 key[DET_KEY];
	size_t			 i;

	for (i = 0; i < c->nmembers; i++)
		if (det_update(d, det_key(d, key, "memberdefs/%s",
		    c->members[i].name), true, det_import_member_fn,
		    (void *)(uintptr_t)&c->members[i]) == -1)
			return -1;
	a.c = c;
	for (i = 0; i < c->nguests; i++) {
		a.g = &c->guests[i];
		if (det_update(d, det_key(d, key, "guests/%s", a.g->name),
		    true, det_import_guest_fn, &a) == -1)
			return -1;
		r = json_object_new_object();
		jset_s(r, "guest", a.g->name);
		jset_s(r, "member", c->members[a.g->initial].name);
		jset_s(r, "state", "STOPPED");
		jset_i(r, "since_ms", dir_now_ms());
		/* Only where the directory does not know the guest yet. */
		if (det_cas(d, det_key(d, key, "residency/%s", a.g->name), r,
		    0, 0, NULL) == -1) {
			json_object_put(r);
			return -1;
		}
		json_object_put(r);
	}
	return 0;
}

static int
det_guest_workload(struct dir *d, const char *guest, uint64_t *rate_mib,
    uint64_t *wss_mib)
{
	struct json_object	*o;
	char			 key[DET_KEY];
	int			 rc;

	if ((rc = det_get(d, det_key(d, key, "guests/%s", guest), &o,
	    NULL)) != 1)
		return rc;
	*rate_mib = (uint64_t)jint(o, "rate_mib");
	*wss_mib = (uint64_t)jint(o, "wss_mib");
	json_object_put(o);
	return 1;
}

struct det_pair {
	uint64_t	a, b;
	const char	*ka, *kb;
};

static int
det_pair_fn(struct json_object *o, void *arg)
{
	const struct det_pair	*p = arg;

	if (p->a != HV_UNSET)
		jset_i(o, p->ka, (int64_t)p->a);
	if (p->b != HV_UNSET)
		jset_i(o, p->kb, (int64_t)p->b);
	return 1;
}

static int
det_guest_set_workload(struct dir *d, const char *guest, uint64_t rate_mib,
    uint64_t wss_mib)
{
	struct det_pair	p = { rate_mib, wss_mib, "rate_mib", "wss_mib" };
	char		key[DET_KEY];

	return det_update(d, det_key(d, key, "guests/%s", guest), false,
	    det_pair_fn, &p);
}

/* --- members -------------------------------------------------------- */

struct det_state {
	const char	*state, *reason;
	const char	*unless;	/* leave it when in this state */
};

static int
det_state_fn(struct json_object *o, void *arg)
{
	const struct det_state	*s = arg;

	if (s->unless != NULL && strcmp(jstr(o, "state"), s->unless) == 0)
		return 0;
	jset_s(o, "state", s->state);
	jset_s(o, "reason", s->reason);
	jset_i(o, "since_ms", dir_now_ms());
	return 1;
}

/* A lease of our own, granted anew when the old one is gone. */
static int
det_lease(struct dir *d)
{
	struct det	*t = det(d);
	int64_t		 granted;

	if (t->lease != 0 && etcd_lease_keepalive(t->e, t->lease) > 0)
		return 0;
	if (etcd_lease_grant(t->e, t->ttl_s, &t->lease, &granted) == -1) {
		t->lease = 0;
		return det_fail(d, "lease");
	}
	return 0;
}

static int
det_member_join(struct dir *d, const char *name, enum member_state s,
    const char *reason)
{
	struct det_state	 st = { member_state_name(s), reason, NULL };
	struct json_object	*o;
	char			 key[DET_KEY];
	int			 rc;

	if (det_lease(d) == -1)
		return -1;
	o = json_object_new_object();
	jset_s(o, "name", name);
	jset_i(o, "pid", (int64_t)getpid());
	jset_i(o, "lease", det(d)->lease);
	jset_i(o, "ttl_s", det(d)->ttl_s);
	jset_i(o, "since_ms", dir_now_ms());
	rc = det_put(d, det_key(d, key, "members/%s", name), o,
	    det(d)->lease);
	if (rc == 0)
		rc = det_put(d, det_key(d, key, "leases/%s", name), o,
		    det(d)->lease);
	json_object_put(o);
	if (rc == -1 || det_update(d, det_key(d, key, "memberdefs/%s", name),
	    false, det_state_fn, &st) != 1)
		return -1;
	return 0;
}

static int
det_member_state(struct dir *d, const char *name, enum member_state s,
    const char *reason)
{
	struct det_state	st = { member_state_name(s), reason, NULL };
	char			key[DET_KEY];

	return det_update(d, det_key(d, key, "memberdefs/%s", name), false,
	    det_state_fn, &st) == 1 ? 0 : -1;
}

static int
det_member_renew(struct dir *d, const char *name, unsigned within_ms)
{
	struct det	*t = det(d);
	unsigned	 was = etcd_timeout(t->e);
	int		 rc;

	(void)name;
	if (t->lease == 0)
		return 1;
	if (within_ms > 0 && within_ms < was)
		etcd_set_timeout(t->e, within_ms);
	rc = etcd_lease_keepalive(t->e, t->lease);
	etcd_set_timeout(t->e, was);
	if (rc > 0)
		return 0;
	if (errno == ENOENT) {
		t->lease = 0;
		return 1;
	}
	return det_fail(d, "lease keepalive");
}

static int
det_residency_stop_all(struct dir *d, const char *member);

static int
det_member_leave(struct dir *d, const char *name)
{
	struct det_state	st = { "DOWN", "left", NULL };
	char			key[DET_KEY];

	if (det_residency_stop_all(d, name) == -1 ||
	    det_update(d, det_key(d, key, "memberdefs/%s", name), false,
	    det_state_fn, &st) != 1)
		return -1;
	if (det(d)->lease != 0 &&
	    etcd_lease_revoke(det(d)->e, det(d)->lease) == -1 &&
	    errno != ENOENT)
		return det_fail(d, "lease revoke");
	det(d)->lease = 0;
	return 0;
}

static int
det_member_alive(struct dir *d, const char *name, unsigned down_ms,
    int64_t *age_ms)
{
	struct json_object	*o;
	char			 key[DET_KEY];
	int			 rc;

	(void)down_ms;
	if (age_ms != NULL)
		*age_ms = 0;
	if ((rc = det_get(d, det_key(d, key, "members/%s", name), &o,
	    NULL)) != 1)
		return rc;
	json_object_put(o);
	return 1;
}

struct det_eps {
	const char	*ctl, *chan;
};

static int
det_eps_fn(struct json_object *o, void *arg)
{
	const struct det_eps	*e = arg;

	jset_s(o, "ctl_ep", e->ctl);
	jset_s(o, "chan_ep", e->chan);
	return 1;
}

static int
det_member_set_endpoints(struct dir *d, const char *name, const char *ctl,
    const char *chan)
{
	struct det_eps	e = { ctl, chan };
	char		key[DET_KEY];

	return det_update(d, det_key(d, key, "memberdefs/%s", name), false,
	    det_eps_fn, &e);
}

static int
det_member_endpoints(struct dir *d, const char *name, char *ctl, char *chan,
    size_t len)
{
	struct json_object	*o;
	char			 key[DET_KEY];
	int			 rc;

	if ((rc = det_get(d, det_key(d, key, "memberdefs/%s", name), &o,
	    NULL)) != 1)
		return rc;
	snprintf(ctl, len, "%s", jstr(o, "ctl_ep"));
	snprintf(chan, len, "%s", jstr(o, "chan_ep"));
	json_object_put(o);
	return 1;
}

static int
det_member_limits(struct dir *d, const char *name, uint64_t max_out,
    uint64_t max_in)
{
	struct det_pair	p = { max_out, max_in, "max_out", "max_in" };
	char		key[DET_KEY];

	return det_update(d, det_key(d, key, "memberdefs/%s", name), false,
	    det_pair_fn, &p);
}

/* Residency of a DOWN member's guests: LOST (STOPPED ones stay). */
static int
det_lost_fn(struct json_object *o, void *arg)
{
	if (strcmp(jstr(o, "member"), arg) != 0 ||
	    strcmp(jstr(o, "state"), "STOPPED") == 0 ||
	    strcmp(jstr(o, "state"), "LOST") == 0)
		return 0;
	jset_s(o, "state", "LOST");
	jset_i(o, "since_ms", dir_now_ms());
	return 1;
}

static int
det_lostlink_fn(struct json_object *o, void *arg)
{
	if (strcmp(jstr(o, "src"), arg) != 0 || jstr(o, "end_code")[0] != '\0')
		return 0;
	jset_s(o, "end_code", "LOSTLINK");
	jset_s(o, "phase", "ENDED");
	jset_s(o, "text", "source member down");
	jset_i(o, "ended_ms", dir_now_ms());
	return 1;
}

/* fn over every key under prefix (det_update on each). */
static int
det_each(struct dir *d, const char *sub, int (*fn)(struct json_object *,
    void *), void *arg)
{
	struct etcd_kvs	kvs;
	char		key[DET_KEY];
	size_t		i;
	int		n = 0, rc = 0;

	memset(&kvs, 0, sizeof(kvs));
	if (det_list(d, det_key(d, key, "%s", sub), &kvs) == -1)
		return -1;
	for (i = 0; i < kvs.n && rc != -1; i++)
		if ((rc = det_update(d, kvs.kv[i].key, false, fn, arg)) == 1)
			n++;
	etcd_kvs_free(&kvs);
	return rc == -1 ? -1 : n;
}

static int
det_member_down(struct dir *d, const char *name, const char *why)
{
	struct det_state	st = { "DOWN", why, "DOWN" };
	char			key[DET_KEY];
	int			rc;

	/* The state's compare-and-swap decides who declares it, once. */
	if ((rc = det_update(d, det_key(d, key, "memberdefs/%s", name), false,
	    det_state_fn, &st)) != 1)
		return rc;
	if (det_each(d, "residency/", det_lost_fn, (void *)(uintptr_t)name) ==
	    -1 || det_each(d, "journal/", det_lostlink_fn,
	    (void *)(uintptr_t)name) == -1)
		return -1;
	return 1;
}

/* Every value under sub, parsed, in key order (a new array). */
static struct json_object *
det_values(struct dir *d, const char *sub, struct etcd_kvs *keep)
{
	struct json_object	*arr;
	struct etcd_kvs		 kvs;
	char			 key[DET_KEY];
	size_t			 i;

	memset(&kvs, 0, sizeof(kvs));
	if (det_list(d, det_key(d, key, "%s", sub), &kvs) == -1)
		return NULL;
	arr = json_object_new_array();
	for (i = 0; i < kvs.n; i++)
		json_object_array_add(arr, det_parse(&kvs.kv[i]));
	if (keep != NULL)
		*keep = kvs;
	else
		etcd_kvs_free(&kvs);
	return arr;
}

/* The object of arr whose field k is v, or NULL. */
static struct json_object *
det_find(struct json_object *arr, const char *k, const char *v)
{
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		o = json_object_array_get_idx(arr, i);
		if (strcmp(jstr(o, k), v) == 0)
			return o;
	}
	return NULL;
}

static int
det_members_stale(struct dir *d, const char *me, unsigned down_ms,
    char (*names)[HV_NAME], size_t max)
{
	struct json_object	*defs, *live, *o;
	size_t			 i, n = 0;

	(void)down_ms;
	if ((defs = det_values(d, "memberdefs/", NULL)) == NULL)
		return -1;
	if ((live = det_values(d, "members/", NULL)) == NULL) {
		json_object_put(defs);
		return -1;
	}
	for (i = 0; i < json_object_array_length(defs) && n < max; i++) {
		o = json_object_array_get_idx(defs, i);
		if (strcmp(jstr(o, "state"), "DOWN") == 0 ||
		    strcmp(jstr(o, "name"), me) == 0 ||
		    det_find(live, "name", jstr(o, "name")) != NULL)
			continue;
		snprintf(names[n++], HV_NAME, "%s", jstr(o, "name"));
	}
	json_object_put(defs);
	json_object_put(live);
	return (int)n;
}

/* A snapshot of residency, guests and journal for sums and joins. */
struct det_snap {
	struct json_object	*res, *guests, *journal, *defs, *live;
};

static void
det_snap_free(struct det_snap *s)
{
	json_object_put(s->res);
	json_object_put(s->guests);
	json_object_put(s->journal);
	json_object_put(s->defs);
	json_object_put(s->live);
	memset(s, 0, sizeof(*s));
}

/* What a snapshot reads: each is a range over the whole prefix. */
#define DS_RES		0x01
#define DS_GUESTS	0x02
#define DS_JOURNAL	0x04
#define DS_DEFS		0x08
#define DS_LIVE		0x10
#define DS_ALL		0x1f

/* Only the parts in what; the others stay NULL (not to be read). */
static int
det_snap_some(struct dir *d, struct det_snap *s, int what)
{
	memset(s, 0, sizeof(*s));
	if (((what & DS_RES) &&
	    (s->res = det_values(d, "residency/", NULL)) == NULL) ||
	    ((what & DS_GUESTS) &&
	    (s->guests = det_values(d, "guests/", NULL)) == NULL) ||
	    ((what & DS_JOURNAL) &&
	    (s->journal = det_values(d, "journal/", NULL)) == NULL) ||
	    ((what & DS_DEFS) &&
	    (s->defs = det_values(d, "memberdefs/", NULL)) == NULL) ||
	    ((what & DS_LIVE) &&
	    (s->live = det_values(d, "members/", NULL)) == NULL)) {
		det_snap_free(s);
		return -1;
	}
	return 0;
}

static int
det_snap(struct dir *d, struct det_snap *s)
{
	return det_snap_some(d, s, DS_ALL);
}

/* Memory of the guests resident on member (RUNNING or RELOCATING). */
static int64_t
det_snap_used(const struct det_snap *s, const char *member)
{
	struct json_object	*r, *g;
	const char		*st;
	size_t			 i;
	int64_t			 sum = 0;

	for (i = 0; i < json_object_array_length(s->res); i++) {
		r = json_object_array_get_idx(s->res, i);
		st = jstr(r, "state");
		if (strcmp(jstr(r, "member"), member) != 0 ||
		    (strcmp(st, "RUNNING") != 0 &&
		    strcmp(st, "RELOCATING") != 0))
			continue;
		if ((g = det_find(s->guests, "name", jstr(r, "guest"))) != NULL)
			sum += jint(g, "memory_mib");
	}
	return sum;
}

static void
det_snap_member(const struct det_snap *s, struct elig_member *m)
{
	struct json_object	*def, *j;
	const char		*name = m->name;
	size_t			 i;

	if ((def = det_find(s->defs, "name", name)) == NULL)
		return;
	m->known = true;
	m->state = (enum member_state)member_state_find(jstr(def, "state"));
	m->memory_mib = (uint64_t)jint(def, "memory_mib");
	m->max_out = (unsigned)jint(def, "max_out");
	m->max_in = (unsigned)jint(def, "max_in");
	m->used_mib = (uint64_t)det_snap_used(s, name);
	for (i = 0; i < json_object_array_length(s->journal); i++) {
		j = json_object_array_get_idx(s->journal, i);
		if (jstr(j, "end_code")[0] != '\0')
			continue;
		if (strcmp(jstr(j, "src"), name) == 0)
			m->active_out++;
		if (strcmp(jstr(j, "dst"), name) == 0) {
			m->active_in++;
			m->used_mib += (uint64_t)jint(j, "reserved_mib");
		}
	}
}

/* n members from one snapshot (a move's two: dir_gather). */
static int
det_member_info(struct dir *d, struct elig_member *ms, size_t n)
{
	struct det_snap	s;
	size_t		i;

	if (det_snap(d, &s) == -1)
		return -1;
	for (i = 0; i < n; i++)
		det_snap_member(&s, &ms[i]);
	det_snap_free(&s);
	return 0;
}

/* From the members' definitions and residency only (every tick). */
static int
det_cluster_mode(struct dir *d, enum cluster_mode *mode)
{
	struct det_snap	 s;
	const char	*st;
	size_t		 i;

	if (det_snap_some(d, &s, DS_DEFS | DS_RES) == -1)
		return -1;
	*mode = CLUSTER_STABLE;
	for (i = 0; i < json_object_array_length(s.defs); i++) {
		st = jstr(json_object_array_get_idx(s.defs, i), "state");
		if (strcmp(st, "JOINING") == 0 || strcmp(st, "LEAVING") == 0)
			*mode = CLUSTER_INFLUX;
	}
	if (det_find(s.res, "state", "LOST") != NULL)
		*mode = CLUSTER_SAFE;
	det_snap_free(&s);
	return 0;
}

static int
det_cluster_mode_store(struct dir *d, enum cluster_mode mode)
{
	struct json_object	*o = json_object_new_object();
	char			 key[DET_KEY];
	int			 rc;

	jset_s(o, "mode", cluster_mode_name(mode));
	rc = det_put(d, det_key(d, key, "mode"), o, 0);
	json_object_put(o);
	return rc;
}

/* --- residency ------------------------------------------------------ */

static int
det_residency(struct dir *d, const char *guest, struct dir_residency *r)
{
	struct json_object	*o;
	char			 key[DET_KEY];
	int			 rc;

	if ((rc = det_get(d, det_key(d, key, "residency/%s", guest), &o,
	    &r->rev)) != 1)
		return rc;
	snprintf(r->member, sizeof(r->member), "%s", jstr(o, "member"));
	snprintf(r->state, sizeof(r->state), "%s", jstr(o, "state"));
	json_object_put(o);
	return 1;
}

static int
det_residency_claim(struct dir *d, const char *guest, const char *member,
    int64_t rev)
{
	struct json_object	*o;
	char			 key[DET_KEY];
	int			 rc;

	if (rev == 0)
		return 0;	/* no residency: nothing to claim */
	o = json_object_new_object();
	jset_s(o, "guest", guest);
	jset_s(o, "member", member);
	jset_s(o, "state", "RUNNING");
	jset_i(o, "since_ms", dir_now_ms());
	rc = det_cas(d, det_key(d, key, "residency/%s", guest), o, rev, 0,
	    NULL);
	json_object_put(o);
	return rc;
}

struct det_mark {
	const char	*member, *state;
};

static int
det_mark_fn(struct json_object *o, void *arg)
{
	const struct det_mark	*m = arg;

	if (strcmp(jstr(o, "member"), m->member) != 0)
		return 0;
	jset_s(o, "state", m->state);
	jset_i(o, "since_ms", dir_now_ms());
	return 1;
}

static int
det_residency_mark(struct dir *d, const char *guest, const char *member,
    const char *state)
{
	struct det_mark	m = { member, state };
	char		key[DET_KEY];

	return det_update(d, det_key(d, key, "residency/%s", guest), false,
	    det_mark_fn, &m);
}

static int
det_residency_stop_all(struct dir *d, const char *member)
{
	struct det_mark	m = { member, "STOPPED" };

	return det_each(d, "residency/", det_mark_fn, &m);
}

/* --- journal -------------------------------------------------------- */

static int
det_nolock(struct dir *d)
{
	(void)d;
	return 0;
}

static int
det_nounlock(struct dir *d, bool commit)
{
	(void)d;
	(void)commit;
	return 0;
}

static struct json_object *
det_journal_new(const struct dir_journal *j, int64_t id)
{
	struct json_object	*o = json_object_new_object();

	jset_i(o, "id", id);
	jset_s(o, "guest", j->guest);
	jset_s(o, "src", j->src);
	jset_s(o, "dst", j->dst);
	jset_i(o, "reserved_mib", (int64_t)j->reserved_mib);
	jset_s(o, "phase", "SETUP");
	jset_i(o, "pass", 0);
	jset_d(o, "sent_mib", 0);
	jset_d(o, "left_mib", 0);
	jset_d(o, "dirty_mib_s", 0);
	jset_d(o, "est_quiesce_ms", 0);
	jset_i(o, "started_ms", dir_now_ms());
	jset_i(o, "updated_ms", dir_now_ms());
	jset_i(o, "ended_ms", 0);
	jset_s(o, "end_code", "");
	jset_s(o, "who", j->who);
	jset_i(o, "max_total_s", (int64_t)j->max_total_s);
	jset_i(o, "max_quiesce_ms", (int64_t)j->max_quiesce_ms);
	jset_i(o, "immediate", j->immediate);
	jset_s(o, "text", "");
	return o;
}

/*
 * One transaction: the id counter, the journal (still as read) and the
 * residency (still at rev, now RELOCATING).
 */
static int
det_journal_insert(struct dir *d, const struct dir_journal *j, int64_t rev,
    int64_t *id, int64_t *token)
{
	struct json_object	*seq, *jo, *res, *old;
	char			 ks[DET_KEY], kj[DET_KEY], kr[DET_KEY];
	int64_t			 smod, jmod;
	struct etcd_cmp		 cmp[3];
	struct etcd_op		 op[3];
	int			 rc;

	det_key(d, ks, "seq");
	det_key(d, kj, "journal/%s", j->guest);
	det_key(d, kr, "residency/%s", j->guest);
	if ((rc = det_get(d, ks, &seq, &smod)) == -1)
		return -1;
	*id = rc == 1 ? jint(seq, "id") + 1 : 1;
	json_object_put(seq);
	if ((rc = det_get(d, kj, &old, &jmod)) == -1)
		return -1;
	if (rc == 1 && jstr(old, "end_code")[0] == '\0') {
		json_object_put(old);
		return 0;	/* one relocation per guest */
	}
	json_object_put(old);
	seq = json_object_new_object();
	jset_i(seq, "id", *id);
	jo = det_journal_new(j, *id);
	res = json_object_new_object();
	jset_s(res, "guest", j->guest);
	jset_s(res, "member", j->src);
	jset_s(res, "state", "RELOCATING");
	jset_i(res, "since_ms", dir_now_ms());
	cmp[0] = (struct etcd_cmp){ ks, smod, ETCD_CMP_MOD };
	cmp[1] = (struct etcd_cmp){ kj, jmod, ETCD_CMP_MOD };
	cmp[2] = (struct etcd_cmp){ kr, rev, ETCD_CMP_MOD };
	op[0] = det_op(ks, seq, 0);
	op[1] = det_op(kj, jo, 0);
	op[2] = det_op(kr, res, 0);
	rc = det_txn(d, cmp, 3, op, 3, token);
	json_object_put(seq);
	json_object_put(jo);
	json_object_put(res);
	return rc;
}

struct det_jupd {
	int64_t				 id;
	const char			*phase;
	const struct dir_progress	*p;
	const char			*end, *text;
};

static bool
det_jopen(struct json_object *o, int64_t id)
{
	return (id == 0 || jint(o, "id") == id) &&
	    jstr(o, "end_code")[0] == '\0';
}

static int
det_jupd_fn(struct json_object *o, void *arg)
{
	const struct det_jupd	*u = arg;

	if (!det_jopen(o, u->id))
		return 0;
	if (u->end != NULL) {
		if (strcmp(jstr(o, "phase"), "RESUMED") == 0)
			return 0;	/* committed: not ours to end */
		jset_s(o, "end_code", u->end);
		jset_s(o, "phase", "ENDED");
		jset_s(o, "text", u->text);
		jset_i(o, "ended_ms", dir_now_ms());
		return 1;
	}
	if (u->phase != NULL)
		jset_s(o, "phase", u->phase);
	if (u->p != NULL) {
		jset_i(o, "pass", u->p->pass);
		jset_d(o, "sent_mib", u->p->sent_mib);
		jset_d(o, "left_mib", u->p->left_mib);
		jset_d(o, "dirty_mib_s", u->p->dirty_mib_s);
		jset_d(o, "est_quiesce_ms", u->p->est_quiesce_ms);
	}
	jset_i(o, "updated_ms", dir_now_ms());
	return 1;
}

static int
det_jupdate(struct dir *d, const char *guest, const struct det_jupd *u)
{
	char	key[DET_KEY];

	return det_update(d, det_key(d, key, "journal/%s", guest), false,
	    det_jupd_fn, (void *)(uintptr_t)u);
}

static int
det_journal_phase(struct dir *d, const char *guest, int64_t id,
    const char *phase)
{
	struct det_jupd	u = { id, phase, NULL, NULL, NULL };

	return det_jupdate(d, guest, &u);
}

static int
det_journal_progress(struct dir *d, const char *guest, int64_t id,
    const struct dir_progress *p)
{
	struct det_jupd	u = { id, NULL, p, NULL, NULL };

	return det_jupdate(d, guest, &u);
}

static int
det_journal_end(struct dir *d, const char *guest, int64_t id,
    const char *end, const char *text)
{
	struct det_jupd	u = { id, NULL, NULL, end, text };

	return det_jupdate(d, guest, &u);
}

static int
det_journal_active(struct dir *d, const char *guest, int64_t id,
    const char *src, const char *dst)
{
	struct json_object	*o;
	char			 key[DET_KEY];
	int			 rc;

	if ((rc = det_get(d, det_key(d, key, "journal/%s", guest), &o,
	    NULL)) != 1)
		return rc;
	rc = det_jopen(o, id) && (src == NULL ||
	    strcmp(jstr(o, "src"), src) == 0) && (dst == NULL ||
	    strcmp(jstr(o, "dst"), dst) == 0);
	json_object_put(o);
	return rc;
}

static int
det_reloc_commit(struct dir *d, const char *guest, int64_t id,
    const char *src, const char *dst, int64_t token)
{
	struct json_object	*jo, *res;
	char			 kj[DET_KEY], kr[DET_KEY];
	struct etcd_cmp		 cmp[2];
	struct etcd_op		 op[2];
	int64_t			 jmod;
	int			 rc;

	det_key(d, kj, "journal/%s", guest);
	det_key(d, kr, "residency/%s", guest);
	if ((rc = det_get(d, kj, &jo, &jmod)) != 1)
		return rc;
	if (!det_jopen(jo, id) || strcmp(jstr(jo, "src"), src) != 0 ||
	    strcmp(jstr(jo, "dst"), dst) != 0) {
		json_object_put(jo);
		return 0;
	}
	jset_s(jo, "phase", "RESUMED");
	jset_i(jo, "updated_ms", dir_now_ms());
	res = json_object_new_object();
	jset_s(res, "guest", guest);
	jset_s(res, "member", dst);
	jset_s(res, "state", "RUNNING");
	jset_i(res, "since_ms", dir_now_ms());
	cmp[0] = (struct etcd_cmp){ kj, jmod, ETCD_CMP_MOD };
	cmp[1] = (struct etcd_cmp){ kr, token, ETCD_CMP_MOD };
	op[0] = det_op(kj, jo, 0);
	op[1] = det_op(kr, res, 0);
	rc = det_txn(d, cmp, 2, op, 2, NULL);
	json_object_put(jo);
	json_object_put(res);
	return rc;
}

static struct json_object *
det_history_new(struct json_object *jo, const struct dir_history *h)
{
	struct json_object	*o = json_object_new_object();
	char			 ds[20], dd[20];

	jset_i(o, "id", jint(jo, "id"));
	jset_i(o, "reloc", jint(jo, "id"));
	jcopy(o, jo, "guest");
	jcopy(o, jo, "started_ms");
	jcopy(o, jo, "src");
	jcopy(o, jo, "dst");
	jset_d(o, "total_ms", h->total_ms);
	jset_d(o, "quiesce_ms", h->quiesce_ms);
	jset_i(o, "passes", h->passes);
	jset_i(o, "pages", h->pages);
	jset_d(o, "mib", h->mib);
	jset_d(o, "copy_mib_s", h->copy_mib_s);
	jset_s(o, "end_code", h->end_code);
	jset_s(o, "digest_src", dir_hex64(h->digest_src, ds, sizeof(ds)));
	jset_s(o, "digest_dst", dir_hex64(h->digest_dst, dd, sizeof(dd)));
	jset_i(o, "verified", h->verified);
	jset_s(o, "text", h->text);
	return o;
}

/*
 * End relocation id of guest: the journal (with end, unless ended that
 * way), history, and either the guest's relocation count (done) or its
 * residency back to RUNNING on src (rollback), in one transaction.
 */
static int
det_reloc_finish(struct dir *d, const char *guest, int64_t id,
    const char *src, const struct dir_history *hist, bool done)
{
	struct json_object	*jo = NULL, *other = NULL, *ho = NULL;
	char			 kj[DET_KEY], ko[DET_KEY], kh[DET_KEY];
	const char		*end = hist != NULL ? hist->end_code : "FAILED";
	struct etcd_cmp		 cmp[2];
	struct etcd_op		 op[3];
	int64_t			 jmod, omod;
	size_t			 nop = 0;
	int			 rc;

	det_key(d, kj, "journal/%s", guest);
	det_key(d, ko, done ? "guests/%s" : "residency/%s", guest);
	det_key(d, kh, "history/%s/%020" PRId64, guest, id);
	if ((rc = det_get(d, kj, &jo, &jmod)) != 1 ||
	    (rc = det_get(d, ko, &other, &omod)) != 1) {
		rc = rc == 0 ? 1 : -1;	/* nothing to end */
		goto out;
	}
	if (jint(jo, "id") == id && strcmp(jstr(jo, "end_code"), end) != 0) {
		jset_s(jo, "end_code", end);
		jset_s(jo, "phase", done ? "DONE" : "ENDED");
		jset_i(jo, "ended_ms", dir_now_ms());
		jset_i(jo, "updated_ms", dir_now_ms());
		if (!done)
			jset_s(jo, "text", hist != NULL ? hist->text :
			    "no thread");
		op[nop++] = det_op(kj, jo, 0);
	}
	if (done) {
		jset_i(other, "relocations", jint(other, "relocations") + 1);
		op[nop++] = det_op(ko, other, 0);
	} else if (strcmp(jstr(other, "member"), src) == 0 &&
	    strcmp(jstr(other, "state"), "RELOCATING") == 0) {
		jset_s(other, "state", "RUNNING");
		jset_i(other, "since_ms", dir_now_ms());
		op[nop++] = det_op(ko, other, 0);
	}
	if (hist != NULL && jint(jo, "id") == id) {
		ho = det_history_new(jo, hist);
		op[nop++] = det_op(kh, ho, 0);
	}
	rc = 1;
	if (nop == 0)
		goto out;
	cmp[0] = (struct etcd_cmp){ kj, jmod, ETCD_CMP_MOD };
	cmp[1] = (struct etcd_cmp){ ko, omod, ETCD_CMP_MOD };
	rc = det_txn(d, cmp, 2, op, nop, NULL);
out:
	json_object_put(jo);
	json_object_put(other);
	json_object_put(ho);
	return rc;
}

static int
det_reloc_retry(struct dir *d, const char *guest, int64_t id,
    const char *src, const struct dir_history *hist, bool done)
{
	int	i, rc;

	for (i = 0; i < DET_RETRIES; i++)
		if ((rc = det_reloc_finish(d, guest, id, src, hist, done)) != 0)
			return rc == 1 ? 0 : -1;
	log_warnx("[HV-DIR] etcd: relocation %jd of %s: contended, not "
	    "ended", (intmax_t)id, guest);
	return -1;
}

static int
det_reloc_done(struct dir *d, const char *guest, int64_t id,
    const struct dir_history *hist)
{
	return det_reloc_retry(d, guest, id, NULL, hist, true);
}

static int
det_reloc_rollback(struct dir *d, const char *guest, int64_t id,
    const char *src, const struct dir_history *hist)
{
	return det_reloc_retry(d, guest, id, src, hist, false);
}

static int
det_cleanup_fn(struct json_object *o, void *arg)
{
	char	text[HV_NAME + 16];

	if (jstr(o, "end_code")[0] != '\0' ||
	    (strcmp(jstr(o, "src"), arg) != 0 &&
	    strcmp(jstr(o, "dst"), arg) != 0))
		return 0;
	snprintf(text, sizeof(text), "member %s restarted", (const char *)arg);
	jset_s(o, "end_code", strcmp(jstr(o, "phase"), "RESUMED") == 0 ?
	    "OK" : "FAILED");
	jset_s(o, "phase", "ENDED");
	jset_s(o, "text", text);
	jset_i(o, "ended_ms", dir_now_ms());
	return 1;
}

static int
det_journal_cleanup(struct dir *d, const char *member)
{
	return det_each(d, "journal/", det_cleanup_fn,
	    (void *)(uintptr_t)member);
}

/* --- events and audit ------------------------------------------------ */

/* A key no other writer uses: wall time, pid, a process counter. */
static int
det_append(struct dir *d, const char *sub, const char *member,
    struct json_object *o)
{
	char	key[DET_KEY];
	int	rc;

	det_key(d, key, "%s/%s/%020" PRId64 "-%d-%" PRIuFAST64, sub, member,
	    dir_now_ms(), (int)getpid(), atomic_fetch_add(&det_seq, 1));
	rc = det_put(d, key, o, 0);
	json_object_put(o);
	return rc;
}

static int
det_event(struct dir *d, const char *msgid, const char *member,
    const char *guest, const char *text)
{
	struct json_object	*o = json_object_new_object();

	jset_i(o, "ts_ms", dir_now_ms());
	jset_s(o, "msgid", msgid);
	jset_s(o, "member", member);
	jset_s(o, "guest", guest);
	jset_s(o, "text", text);
	return det_append(d, "events", member, o);
}

static int
det_audit(struct dir *d, const char *member, const char *who,
    const char *what, const char *args, const char *result)
{
	struct json_object	*o = json_object_new_object();

	jset_i(o, "ts_ms", dir_now_ms());
	jset_s(o, "member", member);
	jset_s(o, "who", who);
	jset_s(o, "what", what);
	jset_s(o, "args", args);
	jset_s(o, "result", result);
	return det_append(d, "audit", member, o);
}

static int
det_cmp_rev(const void *a, const void *b)
{
	const struct etcd_kv	*x = a, *y = b;

	return (x->mod_revision > y->mod_revision) -
	    (x->mod_revision < y->mod_revision);
}

/* Records under sub after since (their id: mod_revision), in order. */
static struct json_object *
det_log(struct dir *d, const char *sub, int64_t since, const char *guest)
{
	struct json_object	*arr, *o;
	struct etcd_kvs		 kvs;
	char			 key[DET_KEY];
	size_t			 i, n = 0;

	memset(&kvs, 0, sizeof(kvs));
	if (det_list(d, det_key(d, key, "%s", sub), &kvs) == -1)
		return NULL;
	qsort(kvs.kv, kvs.n, sizeof(*kvs.kv), det_cmp_rev);
	arr = json_object_new_array();
	for (i = 0; i < kvs.n && n < DET_LIST_MAX; i++) {
		if (kvs.kv[i].mod_revision <= since)
			continue;
		o = det_parse(&kvs.kv[i]);
		if (guest[0] != '\0' && strcmp(jstr(o, "guest"), guest) != 0) {
			json_object_put(o);
			continue;
		}
		jset_i(o, "id", kvs.kv[i].mod_revision);
		json_object_array_add(arr, o);
		n++;
	}
	etcd_kvs_free(&kvs);
	return arr;
}

static struct json_object *
det_events_json(struct dir *d, int64_t since, const char *guest)
{
	return det_log(d, "events/", since, guest);
}

static struct json_object *
det_audit_json(struct dir *d, int64_t since)
{
	return det_log(d, "audit/", since, "");
}

/* The last id of rows, or since. */
static int64_t
det_last_id(struct json_object *rows, int64_t since)
{
	size_t	n = json_object_array_length(rows);

	return n == 0 ? since : json_object_get_int64(json_object_object_get(
	    json_object_array_get_idx(rows, n - 1), "id"));
}

/* List what the watch cannot give (start, compaction), watch after it. */
static struct json_object *
det_follow_list(struct dir *d, struct dir_follow *f)
{
	struct json_object	*rows;
	char			 key[DET_KEY];

	if ((rows = det_log(d, "events/", f->since, f->guest)) == NULL)
		return NULL;
	f->since = det_last_id(rows, f->since);
	if (f->watch != NULL)
		etcd_watch_close(f->watch);
	f->watch = etcd_watch_open(det(d)->e, det_key(d, key, "events/"),
	    f->since + 1);
	if (f->watch == NULL) {
		json_object_put(rows);
		return NULL;
	}
	return rows;
}

static struct json_object *
det_follow(struct dir *d, struct dir_follow *f, unsigned timeout_ms)
{
	struct json_object	*rows, *o;
	struct etcd_event	 ev;
	int			 rc;

	if (f->watch == NULL)
		return det_follow_list(d, f);
	rows = json_object_new_array();
	while ((rc = etcd_watch_poll(f->watch, json_object_array_length(rows)
	    ? 0 : timeout_ms, &ev)) == 1) {
		if (ev.type == ETCD_EVENT_COMPACTED) {
			log_info("[HV-DIR] events compacted up to %jd: listed "
			    "again after %jd", (intmax_t)ev.compact_revision,
			    (intmax_t)f->since);
			json_object_put(rows);
			return det_follow_list(d, f);
		}
		f->since = ev.kv.mod_revision;
		if (ev.type != ETCD_EVENT_PUT ||
		    (o = json_tokener_parse(ev.kv.value)) == NULL)
			continue;
		if (f->guest[0] != '\0' &&
		    strcmp(jstr(o, "guest"), f->guest) != 0) {
			json_object_put(o);
			continue;
		}
		jset_i(o, "id", ev.kv.mod_revision);
		json_object_array_add(rows, o);
	}
	if (rc == -1 && errno != ECONNREFUSED && errno != EAGAIN &&
	    errno != ETIMEDOUT) {
		log_warnx("[HV-DIR] etcd watch: %s",
		    etcd_watch_errtext(f->watch));
		json_object_put(rows);
		return NULL;
	}
	return rows;
}

static void
det_follow_close(struct dir_follow *f)
{
	if (f->watch != NULL)
		etcd_watch_close(f->watch);
}

/* --- listings ------------------------------------------------------- */

static int
det_cmp_idx(const void *a, const void *b)
{
	struct json_object	*const *x = a, *const *y = b;

	return (jint(*x, "idx") > jint(*y, "idx")) -
	    (jint(*x, "idx") < jint(*y, "idx"));
}

static int
det_cmp_id(const void *a, const void *b)
{
	struct json_object	*const *x = a, *const *y = b;

	return (jint(*x, "id") > jint(*y, "id")) -
	    (jint(*x, "id") < jint(*y, "id"));
}

static struct json_object *
det_members_json(struct dir *d)
{
	struct json_object	*arr, *def, *o, *live, *mode = NULL;
	struct det_snap		 s;
	char			 key[DET_KEY];
	size_t			 i;

	if (det_snap_some(d, &s, DS_RES | DS_GUESTS | DS_DEFS | DS_LIVE) == -1)
		return NULL;
	if (det_get(d, det_key(d, key, "mode"), &mode, NULL) == -1) {
		det_snap_free(&s);
		return NULL;
	}
	json_object_array_sort(s.defs, det_cmp_idx);
	arr = json_object_new_array();
	for (i = 0; i < json_object_array_length(s.defs); i++) {
		def = json_object_array_get_idx(s.defs, i);
		live = det_find(s.live, "name", jstr(def, "name"));
		o = json_object_new_object();
		jcopy(o, def, "name");
		jcopy(o, def, "idx");
		jcopy(o, def, "state");
		jcopy(o, def, "memory_mib");
		jset_i(o, "used_mib", det_snap_used(&s, jstr(def, "name")));
		jset_i(o, "pid", live != NULL ? jint(live, "pid") : 0);
		jset_i(o, "lease", live != NULL ? jint(live, "lease") : 0);
		jset_i(o, "lease_ttl_s", live != NULL ? jint(live, "ttl_s") : 0);
		jcopy(o, def, "since_ms");
		jcopy(o, def, "max_out");
		jcopy(o, def, "max_in");
		jcopy(o, def, "reason");
		jcopy(o, def, "ctl_ep");
		jcopy(o, def, "chan_ep");
		json_object_object_add(o, "cluster_mode", mode != NULL ?
		    json_object_new_string(jstr(mode, "mode")) : NULL);
		json_object_array_add(arr, o);
	}
	json_object_put(mode);
	det_snap_free(&s);
	return arr;
}

static struct json_object *
det_guest_row(const struct det_snap *s, struct json_object *g)
{
	struct json_object	*o = json_object_new_object(), *r;

	r = det_find(s->res, "guest", jstr(g, "name"));
	jcopy(o, g, "name");
	jset_s(o, "member", r != NULL ? jstr(r, "member") : "");
	jset_s(o, "state", r != NULL ? jstr(r, "state") : "");
	jcopy(o, g, "memory_mib");
	jcopy(o, g, "group");
	jcopy(o, g, "domain");
	jcopy(o, g, "nics");
	jcopy(o, g, "relocations");
	jcopy(o, g, "rate_mib");
	jcopy(o, g, "wss_mib");
	jset_i(o, "since_ms", r != NULL ? jint(r, "since_ms") : 0);
	return o;
}

static struct json_object *
det_guests_json(struct dir *d)
{
	struct json_object	*arr;
	struct det_snap		 s;
	size_t			 i;

	if (det_snap_some(d, &s, DS_RES | DS_GUESTS) == -1)
		return NULL;
	json_object_array_sort(s.guests, det_cmp_idx);
	arr = json_object_new_array();
	for (i = 0; i < json_object_array_length(s.guests); i++)
		json_object_array_add(arr, det_guest_row(&s,
		    json_object_array_get_idx(s.guests, i)));
	det_snap_free(&s);
	return arr;
}

/* Two keys: the agents and lgrd ask it often. */
static struct json_object *
det_where_json(struct dir *d, const char *guest)
{
	struct json_object	*arr, *r = NULL, *m = NULL, *o;
	char			 key[DET_KEY];
	int			 rc;

	if ((rc = det_get(d, det_key(d, key, "residency/%s", guest), &r,
	    NULL)) == 1)
		rc = det_get(d, det_key(d, key, "memberdefs/%s",
		    jstr(r, "member")), &m, NULL);
	if (rc == -1) {
		json_object_put(r);
		return NULL;
	}
	arr = json_object_new_array();
	if (r != NULL && m != NULL) {
		o = json_object_new_object();
		jcopy(o, r, "guest");
		jcopy(o, r, "member");
		jcopy(o, r, "state");
		jset_i(o, "member_idx", jint(m, "idx"));
		jcopy(o, m, "state");
		json_object_object_add(o, "member_state",
		    json_object_new_string(jstr(m, "state")));
		jcopy(o, r, "state");
		json_object_object_add(o, "state",
		    json_object_new_string(jstr(r, "state")));
		jcopy(o, r, "since_ms");
		json_object_array_add(arr, o);
	}
	json_object_put(r);
	json_object_put(m);
	return arr;
}

/*
 * One guest's: its own key only (lgrd asks every few ms while it
 * follows a relocation); every open relocation's: the whole journal.
 */
static struct json_object *
det_status_json(struct dir *d, const char *guest)
{
	struct json_object	*all, *arr, *o;
	char			 key[DET_KEY];
	size_t			 i;

	if (guest[0] != '\0') {
		arr = json_object_new_array();
		switch (det_get(d, det_key(d, key, "journal/%s", guest), &o,
		    NULL)) {
		case -1:
			json_object_put(arr);
			return NULL;
		case 1:
			json_object_array_add(arr, o);
			break;
		}
		return arr;
	}
	if ((all = det_values(d, "journal/", NULL)) == NULL)
		return NULL;
	json_object_array_sort(all, det_cmp_id);
	arr = json_object_new_array();
	for (i = 0; i < json_object_array_length(all); i++) {
		o = json_object_array_get_idx(all, i);
		if (guest[0] != '\0' ? strcmp(jstr(o, "guest"), guest) == 0 :
		    jstr(o, "end_code")[0] == '\0')
			json_object_array_add(arr, json_object_get(o));
	}
	json_object_put(all);
	return arr;
}

static struct json_object *
det_history_json(struct dir *d, const char *guest)
{
	struct json_object	*arr;
	char			 sub[DET_KEY];

	snprintf(sub, sizeof(sub), "history/%s%s", guest, guest[0] ? "/" : "");
	if ((arr = det_values(d, sub, NULL)) != NULL)
		json_object_array_sort(arr, det_cmp_id);
	return arr;
}

/* --- opening -------------------------------------------------------- */

static const char *
det_error(struct dir *d)
{
	return etcd_errtext(det(d)->e);
}

static void
det_close(struct dir *d)
{
	etcd_close(det(d)->e);
	free(d);
}

static const struct dir_ops det_ops = {
	.close = det_close,
	.error = det_error,
	.lock = det_nolock,
	.unlock = det_nounlock,
	.import = det_import,
	.guest_workload = det_guest_workload,
	.guest_set_workload = det_guest_set_workload,
	.member_join = det_member_join,
	.member_state = det_member_state,
	.member_renew = det_member_renew,
	.member_leave = det_member_leave,
	.member_alive = det_member_alive,
	.member_set_endpoints = det_member_set_endpoints,
	.member_endpoints = det_member_endpoints,
	.member_limits = det_member_limits,
	.member_down = det_member_down,
	.members_stale = det_members_stale,
	.member_info = det_member_info,
	.cluster_mode = det_cluster_mode,
	.cluster_mode_store = det_cluster_mode_store,
	.residency = det_residency,
	.residency_claim = det_residency_claim,
	.residency_mark = det_residency_mark,
	.residency_stop_all = det_residency_stop_all,
	.journal_insert = det_journal_insert,
	.journal_phase = det_journal_phase,
	.journal_progress = det_journal_progress,
	.journal_active = det_journal_active,
	.journal_end = det_journal_end,
	.reloc_commit = det_reloc_commit,
	.reloc_done = det_reloc_done,
	.reloc_rollback = det_reloc_rollback,
	.journal_cleanup = det_journal_cleanup,
	.event = det_event,
	.audit = det_audit,
	.members_json = det_members_json,
	.guests_json = det_guests_json,
	.where_json = det_where_json,
	.status_json = det_status_json,
	.history_json = det_history_json,
	.events_json = det_events_json,
	.audit_json = det_audit_json,
	.follow = det_follow,
	.follow_close = det_follow_close,
};

struct dir *
dir_etcd_open(const struct dir_conf *c)
{
	struct det	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->d.ops = &det_ops;
	t->d.kind = DIR_ETCD;
	t->ttl_s = c->ttl_s < DIR_TTL_MIN_S ? DIR_TTL_MIN_S : c->ttl_s;
	snprintf(t->prefix, sizeof(t->prefix), "/lgr/%s/", c->lab);
	if ((t->e = etcd_open(c->endpoints, c->timeout_ms)) == NULL) {
		log_warn("[HV-DIR] etcd %s", c->endpoints);
		free(t);
		return NULL;
	}
	return &t->d;
}

/*
 * The health of the etcd cluster, for the operator after a failed
 * directory call: each node's /v3/maintenance/status asked once with a
 * short deadline, independently of struct etcd's calls.
 */
#define DET_HEALTH_MS	400

struct det_body {
	char	buf[4096];
	size_t	len;
};

static size_t
det_body_write(char *p, size_t size, size_t n, void *arg)
{
	struct det_body	*b = arg;
	size_t		 len = size * n;

	if (len > sizeof(b->buf) - 1 - b->len)
		len = sizeof(b->buf) - 1 - b->len;
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return size * n;
}

/* One node: 1 it has a leader, 0 it answers without one, -1 no answer. */
static int
det_health_node(const char *ep)
{
	struct det_body		 b = { .len = 0 };
	struct json_object	*o, *l;
	char			 url[300];
	CURL			*c;
	long			 code = 0;
	int			 rc = -1;

	snprintf(url, sizeof(url), "%s%s/v3/maintenance/status",
	    strstr(ep, "://") != NULL ? "" : "http://", ep);
	if ((c = curl_easy_init()) == NULL)
		return -1;
	b.buf[0] = '\0';
	if (curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}") == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)DET_HEALTH_MS) ==
	    CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, det_body_write) ==
	    CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b) == CURLE_OK &&
	    curl_easy_perform(c) == CURLE_OK &&
	    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
	    code == 200 && (o = json_tokener_parse(b.buf)) != NULL) {
		/* 64-bit numbers come as strings; a zero one is left out. */
		rc = json_object_object_get_ex(o, "leader", &l) &&
		    strcmp(json_object_get_string(l), "0") != 0 ? 1 : 0;
		json_object_put(o);
	}
	curl_easy_cleanup(c);
	return rc;
}

int
dir_etcd_health(const struct dir_conf *c, char *buf, size_t len)
{
	char	eps[sizeof(c->endpoints)], *ep, *save = NULL;
	int	n = 0, up = 0, led = 0;

	snprintf(eps, sizeof(eps), "%s", c->endpoints);
	for (ep = strtok_r(eps, ",", &save); ep != NULL;
	    ep = strtok_r(NULL, ",", &save)) {
		n++;
		switch (det_health_node(ep)) {
		case 1:
			led++;
			/* FALLTHROUGH */
		case 0:
			up++;
			break;
		}
	}
	if (up <= n / 2)
		snprintf(buf, len, "etcd has no quorum: %d of its %d nodes "
		    "answer, %d needed", up, n, n / 2 + 1);
	else if (led == 0)
		snprintf(buf, len, "etcd has no leader: %d of its %d nodes "
		    "answer, none knows a leader (an election, or no quorum)",
		    up, n);
	else
		snprintf(buf, len, "etcd: %d of its %d nodes answer, %d with "
		    "a leader", up, n, led);
	return up > n / 2 && led > 0 ? 1 : 0;
}
