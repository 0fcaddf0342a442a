/*
 * directory_test.c: every operation of the directory (directory.h), the
 * same tests on both backends: SQLite (a file in a temporary directory)
 * and etcd (a real etcd-server this test starts on free ports and stops
 * by pid, its data directory removed, also when a test fails; skipped
 * when etcd is not installed).  Membership transitions, residency
 * compare-and-swap with a race of two writers, the journal from open to
 * commit or rollback, history, events, audit, definitions.
 */


#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "clock.h"
#include "directory.h"
#include "etcd.h"
#include "etcdrun.h"
#include "log.h"

static int	booted;

/* Stubs of what member.c calls in the rest of hvd. */
int
hvd_guest_boot(struct hvd *h, int idx, int64_t rev, bool restart)
{
	(void)restart;
	booted++;
	if (rev == 0)
		return 0;	/* claimed already */
	return dir_residency_claim(h->dir, h->conf->guests[idx].name, h->name,
	    rev) == 1 ? 0 : -1;
}

void
hvd_guest_drop(struct hvd *h, int idx)
{
	(void)h;
	(void)idx;
}

static int	restarted;

int
hvd_guest_replug(struct hvd *h, int idx)
{
	(void)h;
	(void)idx;
	restarted++;
	return 0;
}

void
reloc_shutdown(struct hvd *h)
{
	(void)h;
}

int
guest_freeze(const char *lab, const char *name, bool frozen)
{
	(void)lab;
	(void)name;
	(void)frozen;
	return 0;
}

void
guest_halt(struct guest *g)
{
	(void)g;
}

uint8_t *
guest_free(struct guest *g, bool keep_mem)
{
	(void)g;
	(void)keep_mem;
	return NULL;
}

struct guest *
hvd_guest_take(struct hvd *h, int idx)
{
	(void)h;
	(void)idx;
	return NULL;
}

/* --- the etcd the tests run against -------------------------------- */

static struct etcdrun	t_etcd;
static char		t_etcd_endpoint[64];
static unsigned		t_labs;

static int
t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
t_etcd_stop(void)
{
	etcdrun_stop(&t_etcd);
}

/* Start one etcd node and wait until it takes a write: 0, -1. */
static int
t_etcd_start(void)
{
	if (!etcdrun_installed() || etcdrun_start(&t_etcd, "hvdir_etcd",
	    1) == -1)
		return -1;
	atexit(t_etcd_stop);
	snprintf(t_etcd_endpoint, sizeof(t_etcd_endpoint), "127.0.0.1:%d",
	    t_etcd.node[0].client);
	return etcdrun_wait(&t_etcd, 20000);
}

/* --- fixture: two members, three guests ------------------------------ */

struct fixture {
	struct dir_conf		 dc;
	char			 tmp[64];
	struct hv_config	 conf;
	struct hv_memberdef	 members[2];
	struct hv_guestdef	 guests[4];	/* the 4th for one test */
	struct hvd		 h[2];
};

static void
fixture_guest(struct hv_guestdef *g, const char *name, int idx, int member)
{
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->idx = idx;
	g->memory_mib = 256;
	strcpy(g->group, "LIT");
	strcpy(g->domain[0], "VM9");
	strcpy(g->domain[1], "VM2");
	g->ndomain = 2;
	g->initial = member;
	strcpy(g->nics[0].name, "trk1");
	strcpy(g->nics[1].name, "hsi0");
	g->nics[1].hsi = true;
	g->nics[1].member = member;
	strcpy(g->nics[2].name, "hsi1");
	g->nics[2].hsi = true;
	g->nics[2].member = !member;
	g->nnics = 3;
}

static int
setup(void **state, enum dir_kind kind)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	int		 i;

	if (f == NULL)
		return -1;
	f->dc.kind = kind;
	f->dc.ttl_s = DIR_TTL_MIN_S;
	snprintf(f->conf.lab, sizeof(f->conf.lab), "t%u", t_labs++);
	snprintf(f->dc.lab, sizeof(f->dc.lab), "%s", f->conf.lab);
	if (kind == DIR_ETCD)
		snprintf(f->dc.endpoints, sizeof(f->dc.endpoints), "%s",
		    t_etcd_endpoint);
	else {
		snprintf(f->tmp, sizeof(f->tmp), "/tmp/hvdirXXXXXX");
		if (mkdtemp(f->tmp) == NULL)
			return -1;
		snprintf(f->dc.path, sizeof(f->dc.path), "%s/cluster.db",
		    f->tmp);
	}
	strcpy(f->members[0].name, "VM9");
	strcpy(f->members[1].name, "VM2");
	f->members[1].idx = 1;
	f->members[0].memory_mib = f->members[1].memory_mib = 1024;
	f->conf.members = f->members;
	f->conf.nmembers = 2;
	fixture_guest(&f->guests[0], "A", 0, 0);
	fixture_guest(&f->guests[1], "B", 1, 0);
	fixture_guest(&f->guests[2], "C", 2, 1);
	f->conf.guests = f->guests;
	f->conf.nguests = 3;
	for (i = 0; i < 2; i++) {
		f->h[i].conf = &f->conf;
		f->h[i].self = i;
		f->h[i].name = f->members[i].name;
		f->h[i].opts.heartbeat_ms = 100;
		f->h[i].opts.down_ms = 300;
		f->h[i].opts.max_out = f->h[i].opts.max_in = 2;
		f->h[i].dirconf = f->dc;
		if ((f->h[i].dir = dir_open(&f->dc)) == NULL)
			return -1;
	}
	*state = f;
	return 0;
}

static int
setup_sqlite(void **state)
{
	return setup(state, DIR_SQLITE);
}

static int
setup_etcd(void **state)
{
	if (t_etcd.n == 0 || t_etcd.node[0].pid <= 0)
		skip();
	return setup(state, DIR_ETCD);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	if (f == NULL)
		return 0;
	dir_close(f->h[0].dir);
	dir_close(f->h[1].dir);
	dir_close(f->h[0].live);
	dir_close(f->h[1].live);
	dir_close(f->h[0].mdir);	/* member_join opened it */
	dir_close(f->h[1].mdir);
	if (f->tmp[0] != '\0')
		nftw(f->tmp, t_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* --- helpers -------------------------------------------------------- */

/* Field key of the row whose field match is value, as text ("" none). */
static const char *
row_field(struct json_object *rows, const char *match, const char *value,
    const char *key)
{
	static char		 buf[256];
	struct json_object	*r, *v;
	size_t			 i;

	buf[0] = '\0';
	assert_non_null(rows);
	for (i = 0; i < json_object_array_length(rows); i++) {
		r = json_object_array_get_idx(rows, i);
		if (!json_object_object_get_ex(r, match, &v) ||
		    strcmp(json_object_get_string(v), value) != 0)
			continue;
		if (json_object_object_get_ex(r, key, &v) && v != NULL)
			snprintf(buf, sizeof(buf), "%s",
			    json_object_get_string(v));
		break;
	}
	return buf;
}

/* Field key of the row named name is want; rows (a list) freed here. */
static void
expect_row(struct json_object *rows, const char *name, const char *key,
    const char *want)
{
	assert_string_equal(row_field(rows, "name", name, key), want);
	json_object_put(rows);
}

static size_t
count_events(struct dir *d, const char *msgid)
{
	struct json_object	*rows = dir_events_json(d, 0, "");
	size_t			 i, n = 0;

	assert_non_null(rows);
	for (i = 0; i < json_object_array_length(rows); i++)
		n += strcmp(json_object_get_string(json_object_object_get(
		    json_object_array_get_idx(rows, i), "msgid")), msgid) == 0;
	json_object_put(rows);
	return n;
}

/* Renew h until other's liveness is gone (it renews nothing). */
static void
wait_gone(struct hvd *h, const char *other)
{
	uint64_t	t0 = clock_ms();

	while (dir_member_alive(h->dir, other, h->opts.down_ms, NULL) != 0) {
		assert_int_equal(dir_member_renew(h->live, h->name, 0), 0);
		if (clock_ms() - t0 > 10000)
			fail_msg("member %s still alive after 10 s", other);
		usleep(100000);
	}
}

/* Join and boot, without the renew thread (the tests renew). */
static void
join(struct hvd *h)
{
	assert_int_equal(member_join(h), 0);
	assert_int_equal(member_boot(h), 0);
}

/* --- tests ---------------------------------------------------------- */

static void
test_import(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct dir_residency	 r;
	struct json_object	*rows;

	assert_int_equal(dir_import(d, &f->conf), 0);
	/* Importing again changes nothing that exists. */
	assert_int_equal(dir_import(f->h[1].dir, &f->conf), 0);
	rows = dir_members_json(d);
	assert_non_null(rows);
	assert_int_equal(json_object_array_length(rows), 2);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rows, 1), "name")), "VM2");
	json_object_put(rows);
	expect_row(dir_members_json(d), "VM9", "state", "DOWN");
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_string_equal(r.state, "STOPPED");
	assert_string_equal(r.member, "VM9");
	assert_int_equal(dir_residency(d, "C", &r), 1);
	assert_string_equal(r.member, "VM2");
	assert_int_equal(dir_residency(d, "NONE", &r), 0);
	expect_row(dir_guests_json(d), "A", "domain", "VM9,VM2");
	expect_row(dir_guests_json(d), "A", "nics",
	    "trk1:vswitch,hsi0:VM9,hsi1:VM2");
	expect_row(dir_guests_json(d), "A", "memory_mib", "256");
}

static void
test_transitions(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct dir_residency	 r;
	enum cluster_mode	 mode;

	booted = 0;
	join(&f->h[0]);
	assert_int_equal(booted, 2);			/* A and B */
	expect_row(dir_members_json(d), "VM9", "state", "JOINED");
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_string_equal(r.state, "RUNNING");
	assert_int_equal(count_events(d, "HV-MEMBER-JOINING"), 1);
	assert_int_equal(count_events(d, "HV-MEMBER-JOINED"), 1);
	join(&f->h[1]);
	assert_int_equal(booted, 3);			/* C on VM2 */
	assert_int_equal(dir_cluster_mode(d, &mode), 0);
	assert_int_equal(mode, CLUSTER_STABLE);
	assert_int_equal(dir_member_alive(d, "VM2", 300, NULL), 1);

	/* VM2 stops renewing: VM9 declares it DOWN, C is LOST. */
	wait_gone(&f->h[0], "VM2");
	assert_int_equal(member_tick(&f->h[0]), 0);
	expect_row(dir_members_json(d), "VM2", "state", "DOWN");
	expect_row(dir_members_json(d), "VM2", "reason", "heartbeat lost");
	expect_row(dir_members_json(d), "VM9", "cluster_mode", "SAFE");
	assert_int_equal(dir_residency(d, "C", &r), 1);
	assert_string_equal(r.state, "LOST");
	assert_int_equal(dir_cluster_mode(d, &mode), 0);
	assert_int_equal(mode, CLUSTER_SAFE);
	assert_int_equal(count_events(d, "HV-MEMBER-DOWN"), 1);
	/* A second tick declares nothing twice. */
	assert_int_equal(member_tick(&f->h[0]), 0);
	assert_int_equal(count_events(d, "HV-MEMBER-DOWN"), 1);
	assert_int_equal(dir_member_down(d, "VM2", "again"), 0);
	/* VM2 finds itself gone and must rejoin: a new incarnation. */
	assert_int_equal(dir_member_renew(f->h[1].live, "VM2", 0), 1);
	assert_int_equal(dir_member_join(f->h[1].live, "VM2", MEMBER_JOINED,
	    "rejoined"), 0);
	expect_row(dir_members_json(d), "VM2", "state", "JOINED");
	expect_row(dir_members_json(d), "VM2", "reason", "rejoined");
	assert_int_equal(dir_member_alive(d, "VM2", 300, NULL), 1);
	assert_int_equal(dir_member_renew(f->h[1].live, "VM2", 0), 0);

	/* JOINING members make the cluster IN-FLUX. */
	assert_int_equal(dir_residency(d, "C", &r), 1);
	assert_int_equal(dir_residency_mark(d, "C", "VM2", "STOPPED"), 1);
	assert_int_equal(dir_member_state(f->h[1].dir, "VM2", MEMBER_JOINING,
	    "test"), 0);
	assert_int_equal(dir_cluster_mode(d, &mode), 0);
	assert_int_equal(mode, CLUSTER_INFLUX);

	/* Leaving: DOWN, guests STOPPED. */
	assert_int_equal(member_leave(&f->h[0]), 0);
	expect_row(dir_members_json(d), "VM9", "state", "DOWN");
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_string_equal(r.state, "STOPPED");
	assert_int_equal(dir_member_alive(d, "VM9", 300, NULL), 0);
}

static void
test_residency_cas(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct dir_residency	 r, r2;

	assert_int_equal(dir_import(d, &f->conf), 0);
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_int_equal(dir_residency_claim(d, "A", "VM2", r.rev), 1);
	assert_int_equal(dir_residency(d, "A", &r2), 1);
	assert_string_equal(r2.member, "VM2");
	assert_string_equal(r2.state, "RUNNING");
	assert_true(r2.rev > r.rev);
	/* The old token is stale now. */
	assert_int_equal(dir_residency_claim(d, "A", "VM9", r.rev), 0);
	assert_int_equal(dir_residency_mark(d, "A", "VM9", "LOST"), 0);
	assert_int_equal(dir_residency_mark(d, "A", "VM2", "LOST"), 1);
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_string_equal(r.state, "LOST");
	assert_true(r.rev > r2.rev);
	assert_int_equal(dir_residency_stop_all(d, "VM9"), 1);	/* B */
	assert_int_equal(dir_residency(d, "B", &r), 1);
	assert_string_equal(r.state, "STOPPED");
	/* A guest without a residency cannot be claimed, with any token. */
	assert_int_equal(dir_residency_claim(d, "NONE", "VM9", 1), 0);
	assert_int_equal(dir_residency_claim(d, "NONE", "VM9", 0), 0);
	assert_int_equal(dir_residency(d, "NONE", &r), 0);
}

struct racer {
	struct dir_conf	*dc;
	const char	*member;
	int64_t		 rev;
	pthread_barrier_t *go;
	int		 rc;
};

static void *
racer_run(void *arg)
{
	struct racer	*r = arg;
	struct dir	*d = dir_open(r->dc);

	pthread_barrier_wait(r->go);
	r->rc = d == NULL ? -1 : dir_residency_claim(d, "A", r->member, r->rev);
	dir_close(d);
	return NULL;
}

/* Two writers holding the same token: exactly one wins, every time. */
static void
test_cas_race(void **state)
{
	struct fixture		*f = *state;
	struct dir_residency	 res;
	pthread_barrier_t	 go;
	struct racer		 r[2];
	pthread_t		 t[2];
	int			 round, i;

	assert_int_equal(dir_import(f->h[0].dir, &f->conf), 0);
	for (round = 0; round < 10; round++) {
		assert_int_equal(dir_residency(f->h[0].dir, "A", &res), 1);
		pthread_barrier_init(&go, NULL, 2);
		for (i = 0; i < 2; i++) {
			r[i].dc = &f->dc;
			r[i].member = f->members[i].name;
			r[i].rev = res.rev;
			r[i].go = &go;
			assert_int_equal(pthread_create(&t[i], NULL, racer_run,
			    &r[i]), 0);
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&go);
		assert_int_equal(r[0].rc + r[1].rc, 1);
		assert_int_equal(dir_residency(f->h[0].dir, "A", &res), 1);
		assert_string_equal(res.member, r[0].rc == 1 ? "VM9" : "VM2");
	}
}

/* Both members joined, A running on VM9. */
static void
joined(struct fixture *f)
{
	join(&f->h[0]);
	join(&f->h[1]);
}

static void
journal_req(struct dir_journal *j, const char *guest, const char *src,
    const char *dst)
{
	memset(j, 0, sizeof(*j));
	j->guest = guest;
	j->src = src;
	j->dst = dst;
	j->who = "test";
	j->reserved_mib = 256;
	j->max_total_s = 120;
	j->max_quiesce_ms = 1000;
}

static void
test_journal_commit(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir, *t = f->h[1].dir;
	struct elig_conflict	 cf[HV_CONFLICT_MAX];
	struct elig_input	 in;
	struct dir_journal	 j;
	struct dir_progress	 p = { 2, 200.0, 12.5, 30.0, 3.5 };
	struct dir_history	 hist;
	struct dir_residency	 r;
	struct json_object	*rows;
	int64_t			 id, token, id2, tok2;
	size_t			 n;

	joined(f);
	assert_int_equal(dir_elig_gather(d, &f->conf, &f->guests[0], "VM2", 0,
	    &in), 0);
	assert_int_equal(elig_check(&in, cf, HV_CONFLICT_MAX), 0);
	assert_int_equal(in.dst.memory_mib, 1024);
	assert_int_equal(in.dst.used_mib, 256);			/* C */
	assert_int_equal(in.src.used_mib, 512);			/* A, B */
	journal_req(&j, "A", "VM9", "VM2");
	assert_int_equal(dir_journal_open(d, &f->conf, &f->guests[0], &j, 0,
	    cf, &n, &id, &token), 0);
	assert_int_equal(dir_journal_active(t, "A", id, "VM9", "VM2"), 1);
	assert_int_equal(dir_journal_active(t, "A", id, "VM2", "VM9"), 0);
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_string_equal(r.state, "RELOCATING");
	assert_int_equal(r.rev, token);
	/* A second one is refused: busy, and counted as active. */
	assert_int_equal(dir_journal_open(d, &f->conf, &f->guests[0], &j, 0,
	    cf, &n, &id2, &tok2), -1);
	assert_true(n >= 1);
	assert_int_equal(dir_member_info(d, "VM2", &in.dst), 1);
	assert_int_equal(in.dst.active_in, 1);
	assert_int_equal(in.dst.used_mib, 512);		/* C + reserved */
	assert_int_equal(dir_member_info(d, "VM9", &in.src), 1);
	assert_int_equal(in.src.active_out, 1);

	assert_int_equal(dir_journal_phase(d, "A", id, "PRECOPY"), 1);
	assert_int_equal(dir_journal_progress(d, "A", id, &p), 1);
	rows = dir_status_json(d, "A");
	assert_string_equal(row_field(rows, "guest", "A", "phase"), "PRECOPY");
	assert_string_equal(row_field(rows, "guest", "A", "pass"), "2");
	assert_string_equal(row_field(rows, "guest", "A", "left_mib"), "12.5");
	json_object_put(rows);
	rows = dir_status_json(d, "");
	assert_int_equal(json_object_array_length(rows), 1);
	json_object_put(rows);

	/* The target's commit: a stale token fails, the right one wins. */
	assert_int_equal(dir_reloc_commit(t, "A", id, "VM9", "VM2", token - 1),
	    0);
	assert_int_equal(dir_reloc_commit(t, "A", id, "VM9", "VM2", token), 1);
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_string_equal(r.member, "VM2");
	assert_string_equal(r.state, "RUNNING");
	/* Committed: the source can no longer end it. */
	assert_int_equal(dir_journal_end(d, "A", id, "FAILED", "late"), 0);
	memset(&hist, 0, sizeof(hist));
	hist.end_code = "OK";
	hist.text = "";
	hist.passes = 2;
	hist.digest_src = hist.digest_dst = 0xabc;
	hist.verified = 1;
	assert_int_equal(dir_reloc_done(d, "A", id, &hist), 0);
	assert_int_equal(dir_journal_active(d, "A", 0, NULL, NULL), 0);
	rows = dir_history_json(d, "A");
	assert_int_equal(json_object_array_length(rows), 1);
	assert_string_equal(row_field(rows, "guest", "A", "end_code"), "OK");
	assert_string_equal(row_field(rows, "guest", "A", "digest_src"),
	    "0000000000000abc");
	assert_string_equal(row_field(rows, "guest", "A", "dst"), "VM2");
	json_object_put(rows);
	rows = dir_status_json(d, "A");
	assert_string_equal(row_field(rows, "guest", "A", "end_code"), "OK");
	json_object_put(rows);
	expect_row(dir_guests_json(d), "A", "relocations", "1");
	expect_row(dir_guests_json(d), "A", "member", "VM2");
}

static void
test_journal_rollback(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir, *t = f->h[1].dir;
	struct elig_conflict	 cf[HV_CONFLICT_MAX];
	struct dir_journal	 j;
	struct dir_history	 hist;
	struct dir_residency	 r;
	struct json_object	*rows;
	int64_t			 id, token;
	size_t			 n;

	joined(f);
	journal_req(&j, "B", "VM9", "VM2");
	assert_int_equal(dir_journal_open(d, &f->conf, &f->guests[1], &j, 0,
	    cf, &n, &id, &token), 0);
	/* Someone else changes the residency: the token is stale. */
	assert_int_equal(dir_residency_mark(d, "B", "VM9", "RELOCATING"), 1);
	assert_int_equal(dir_reloc_commit(t, "B", id, "VM9", "VM2", token), 0);
	assert_int_equal(dir_journal_end(d, "B", id, "LOSTLINK", "no answer"),
	    1);
	assert_int_equal(dir_journal_end(d, "B", id, "LOSTLINK", "again"), 0);
	memset(&hist, 0, sizeof(hist));
	hist.end_code = "LOSTLINK";
	hist.text = "no answer";
	assert_int_equal(dir_reloc_rollback(d, "B", id, "VM9", &hist), 0);
	assert_int_equal(dir_residency(d, "B", &r), 1);
	assert_string_equal(r.member, "VM9");
	assert_string_equal(r.state, "RUNNING");
	rows = dir_status_json(d, "B");
	assert_string_equal(row_field(rows, "guest", "B", "end_code"),
	    "LOSTLINK");
	json_object_put(rows);
	rows = dir_history_json(d, "");
	assert_int_equal(json_object_array_length(rows), 1);
	json_object_put(rows);
	/* A rollback leaves a residency someone else changed alone. */
	assert_int_equal(dir_residency_mark(d, "B", "VM9", "LOST"), 1);
	assert_int_equal(dir_reloc_rollback(d, "B", id, "VM9", &hist), 0);
	assert_int_equal(dir_residency(d, "B", &r), 1);
	assert_string_equal(r.state, "LOST");
	assert_int_equal(dir_residency_mark(d, "B", "VM9", "RUNNING"), 1);
	/* The commit of an ended relocation fails. */
	assert_int_equal(dir_residency(d, "B", &r), 1);
	assert_int_equal(dir_reloc_commit(t, "B", id, "VM9", "VM2", r.rev), 0);

	/* A source declared DOWN ends its relocations; cleanup ends all. */
	assert_int_equal(dir_journal_open(d, &f->conf, &f->guests[1], &j, 0,
	    cf, &n, &id, &token), 0);
	assert_int_equal(dir_journal_cleanup(d, "VM2"), 1);
	assert_int_equal(dir_journal_active(d, "B", id, NULL, NULL), 0);
	assert_int_equal(dir_reloc_rollback(d, "B", id, "VM9", NULL), 0);
	assert_int_equal(dir_residency(d, "B", &r), 1);
	assert_string_equal(r.state, "RUNNING");
	assert_int_equal(dir_journal_open(d, &f->conf, &f->guests[1], &j, 0,
	    cf, &n, &id, &token), 0);
	assert_int_equal(dir_member_down(t, "VM9", "test"), 1);
	assert_int_equal(dir_journal_active(d, "B", id, NULL, NULL), 0);
	rows = dir_status_json(d, "B");
	assert_string_equal(row_field(rows, "guest", "B", "end_code"),
	    "LOSTLINK");
	json_object_put(rows);
	assert_int_equal(dir_residency(d, "B", &r), 1);
	assert_string_equal(r.state, "LOST");
}

static void
test_conflicts(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct elig_conflict	 cf[HV_CONFLICT_MAX];
	struct dir_journal	 j;
	int64_t			 id, token;
	size_t			 n;

	join(&f->h[0]);				/* VM2 not joined */
	journal_req(&j, "A", "VM9", "VM2");
	assert_int_equal(dir_journal_open(d, &f->conf, &f->guests[0], &j, 0,
	    cf, &n, &id, &token), -1);
	assert_int_equal(n, 1);
	assert_int_equal(cf[0].code, HV_CONFLICT_NOT_JOINED);
	journal_req(&j, "A", "VM9", "VM7");
	assert_int_equal(dir_journal_open(d, &f->conf, &f->guests[0], &j, 0,
	    cf, &n, &id, &token), -1);
	assert_int_equal(cf[0].code, HV_CONFLICT_NO_TARGET);
}

static void
test_members(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct elig_member	 m;
	char			 names[HV_MAX_MEMBERS][HV_NAME];
	char			 ctl[64], chan[64];
	int64_t			 age = -1;

	joined(f);
	assert_int_equal(dir_member_limits(d, "VM2", 5, HV_UNSET), 1);
	assert_int_equal(dir_member_limits(d, "VM2", HV_UNSET, 7), 1);
	assert_int_equal(dir_member_limits(d, "VM7", 1, 1), 0);
	assert_int_equal(dir_member_info(d, "VM2", &m), 1);
	assert_true(m.known);
	assert_int_equal(m.state, MEMBER_JOINED);
	assert_int_equal(m.max_out, 5);
	assert_int_equal(m.max_in, 7);
	assert_int_equal(dir_member_info(d, "VM7", &m), 0);
	expect_row(dir_members_json(d), "VM2", "max_in", "7");
	assert_int_equal(dir_member_set_endpoints(d, "VM2",
	    "tcp://10.0.0.2:4000", "tcp://10.0.0.2:4001"), 1);
	assert_int_equal(dir_member_set_endpoints(d, "VM7", "x", "y"), 0);
	assert_int_equal(dir_member_endpoints(f->h[1].dir, "VM2", ctl, chan,
	    sizeof(ctl)), 1);
	assert_string_equal(ctl, "tcp://10.0.0.2:4000");
	assert_string_equal(chan, "tcp://10.0.0.2:4001");
	assert_int_equal(dir_member_endpoints(d, "VM7", ctl, chan,
	    sizeof(ctl)), 0);
	assert_int_equal(dir_member_alive(d, "VM9", 300, &age), 1);
	assert_true(age >= 0 && age < 5000);
	assert_int_equal(dir_members_stale(d, "VM9", 300, names,
	    HV_MAX_MEMBERS), 0);
	assert_int_equal(dir_member_alive(d, "VM7", 300, NULL), 0);
}

static void
test_guests(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct json_object	*rows;
	uint64_t		 rate = 9, wss = 9;

	joined(f);
	assert_int_equal(dir_guest_workload(d, "A", &rate, &wss), 1);
	assert_int_equal(rate, 0);
	assert_int_equal(wss, 0);
	assert_int_equal(dir_guest_set_workload(d, "A", 40, HV_UNSET), 1);
	assert_int_equal(dir_guest_set_workload(d, "A", HV_UNSET, 64), 1);
	assert_int_equal(dir_guest_workload(d, "A", &rate, &wss), 1);
	assert_int_equal(rate, 40);
	assert_int_equal(wss, 64);
	assert_int_equal(dir_guest_set_workload(d, "NONE", 1, 1), 0);
	assert_int_equal(dir_guest_workload(d, "NONE", &rate, &wss), 0);
	expect_row(dir_guests_json(d), "A", "rate_mib", "40");
	rows = dir_where_json(d, "C");
	assert_int_equal(json_object_array_length(rows), 1);
	assert_string_equal(row_field(rows, "guest", "C", "member"), "VM2");
	assert_string_equal(row_field(rows, "guest", "C", "member_state"),
	    "JOINED");
	assert_string_equal(row_field(rows, "guest", "C", "member_idx"), "1");
	json_object_put(rows);
}

static void
test_events_audit(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct json_object	*rows;
	int64_t			 last;
	size_t			 n;

	assert_int_equal(dir_event(d, "T-ONE", "VM9", "A", "one %d", 1), 0);
	assert_int_equal(dir_event(f->h[1].dir, "T-TWO", "VM2", NULL, "two"),
	    0);
	assert_int_equal(dir_event(d, "T-THREE", "VM9", "A", "three"), 0);
	rows = dir_events_json(d, 0, "");
	assert_int_equal((n = json_object_array_length(rows)), 3);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rows, 0), "text")), "one 1");
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rows, 1), "member")), "VM2");
	last = json_object_get_int64(json_object_object_get(
	    json_object_array_get_idx(rows, 0), "id"));
	json_object_put(rows);
	rows = dir_events_json(d, last, "");
	assert_int_equal(json_object_array_length(rows), 2);
	json_object_put(rows);
	rows = dir_events_json(d, 0, "A");
	assert_int_equal(json_object_array_length(rows), 2);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(rows, 1), "msgid")), "T-THREE");
	json_object_put(rows);

	assert_int_equal(dir_audit(d, "VM9", "admin", "relocate", "A VM2",
	    "started"), 0);
	assert_int_equal(dir_audit(d, "VM9", "viewer", "cancel", "A",
	    "refused"), 0);
	rows = dir_audit_json(d, 0);
	assert_int_equal(json_object_array_length(rows), 2);
	assert_string_equal(row_field(rows, "who", "viewer", "result"),
	    "refused");
	last = json_object_get_int64(json_object_object_get(
	    json_object_array_get_idx(rows, 0), "id"));
	json_object_put(rows);
	rows = dir_audit_json(d, last);
	assert_int_equal(json_object_array_length(rows), 1);
	json_object_put(rows);
}

/* Remove member's liveness behind its back (declared DOWN, lease gone). */
static void
take_lease(struct fixture *f, const char *member)
{
	struct json_object	*rows;
	struct etcd		*e;
	int64_t			 lease;

	if (f->dc.kind == DIR_SQLITE) {
		assert_int_equal(dir_member_down(f->h[1].dir, member, "test"),
		    1);
		return;
	}
	rows = dir_members_json(f->h[1].dir);
	lease = strtoll(row_field(rows, "name", member, "lease"), NULL, 10);
	json_object_put(rows);
	assert_true(lease != 0);
	assert_non_null(e = etcd_open(f->dc.endpoints, 0));
	assert_int_equal(etcd_lease_revoke(e, lease), 0);
	etcd_close(e);
}

static bool
wait_for(atomic_bool *flag, bool want, unsigned ms)
{
	uint64_t	t0 = clock_ms();

	while (*flag != want && clock_ms() - t0 < ms)
		usleep(10000);
	return *flag == want;
}

/*
 * The renew thread keeps a member alive while its main thread is busy
 * for three TTLs; a member whose lease is taken fences itself, stops
 * its guests, then (and not before) joins again as a new incarnation.
 */
static void
test_renew_fence(void **state)
{
	struct fixture	*f = *state;
	struct hvd		*h = &f->h[0];
	struct json_object	*rows;

	join(h);
	assert_int_equal(member_renew_start(h), 0);
	usleep(3 * h->ttl_ms * 1000);			/* busy */
	assert_false(member_fenced(h));
	assert_int_equal(dir_member_alive(f->h[1].dir, "VM9", 300, NULL), 1);
	assert_int_equal(dir_members_stale(f->h[1].dir, "VM2", 300, NULL, 0),
	    0);

	take_lease(f, "VM9");
	assert_true(wait_for(&h->fenced, true, h->ttl_ms + 1000));
	/* However long the main thread takes to stop the guests (a TTL
	 * here), the member stays fenced until it has: no new incarnation
	 * while its guests may still run. */
	usleep(h->ttl_ms * 1000);
	assert_true(member_fenced(h));
	assert_false(h->fence_done);
	assert_int_equal(member_tick(h), 1);		/* guests stopped */
	assert_true(h->fence_done);
	assert_int_equal(count_events(f->h[1].dir, "HV-FENCED"), 1);
	assert_true(wait_for(&h->fenced, false, h->ttl_ms + 1000));
	rows = dir_members_json(f->h[1].dir);
	assert_non_null(strstr(row_field(rows, "name", "VM9", "reason"),
	    "rejoined after fencing"));
	json_object_put(rows);
	assert_int_equal(dir_member_alive(f->h[1].dir, "VM9", 300, NULL), 1);
	assert_int_equal(member_leave(h), 0);
}

/*
 * ha: restart: VM9's lease goes, VM2 restarts A and B, each once; not D,
 * whose relocation domain is VM9 alone: it stays LOST where it was.
 */
static void
test_ha_restart(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[1].dir;
	struct dir_residency	 r;

	fixture_guest(&f->guests[3], "D", 3, 0);
	f->guests[3].ndomain = 1;			/* VM9 only */
	f->conf.nguests = 4;
	joined(f);
	f->h[1].opts.ha = HVD_HA_RESTART;
	restarted = 0;
	wait_gone(&f->h[1], "VM9");
	assert_int_equal(member_tick(&f->h[1]), 0);
	assert_int_equal(restarted, 2);
	assert_int_equal(dir_residency(d, "A", &r), 1);
	assert_string_equal(r.member, "VM2");
	assert_string_equal(r.state, "RUNNING");
	assert_int_equal(dir_residency(d, "B", &r), 1);
	assert_string_equal(r.member, "VM2");
	assert_int_equal(dir_residency(d, "D", &r), 1);
	assert_string_equal(r.member, "VM9");
	assert_string_equal(r.state, "LOST");
	assert_int_equal(count_events(d, "HV-GUEST-RESTARTED"), 2);
	assert_int_equal(member_tick(&f->h[1]), 0);
	assert_int_equal(restarted, 2);
	expect_row(dir_members_json(d), "VM9", "state", "DOWN");
}

/* Events collected from f until n came (5 s at most). */
static size_t
follow_until(struct dir_follow *f, size_t n, const char *last)
{
	struct json_object	*rows;
	uint64_t		 t0 = clock_ms();
	size_t			 got = 0, k;

	while (got < n && clock_ms() - t0 < 5000) {
		assert_non_null(rows = dir_follow_next(f, 200));
		for (k = 0; k < json_object_array_length(rows); k++, got++)
			if (got + 1 == n)
				assert_string_equal(json_object_get_string(
				    json_object_object_get(
				    json_object_array_get_idx(rows, k), "msgid")),
				    last);
		json_object_put(rows);
	}
	return got;
}

/* events -f: what was there, then what comes; after a compaction too. */
static void
test_follow(void **state)
{
	struct fixture		*f = *state;
	struct dir		*d = f->h[0].dir;
	struct dir_follow	*fw;
	struct etcd_kvs		 kvs;
	struct etcd		*e;

	assert_int_equal(dir_event(d, "T-ONE", "VM9", "A", "one"), 0);
	assert_non_null(fw = dir_follow_open(d, 0, ""));
	assert_int_equal(follow_until(fw, 1, "T-ONE"), 1);
	assert_int_equal(dir_event(d, "T-TWO", "VM9", "A", "two"), 0);
	assert_int_equal(dir_event(d, "T-THREE", "VM2", "C", "three"), 0);
	assert_int_equal(follow_until(fw, 2, "T-THREE"), 2);
	dir_follow_close(fw);
	if (f->dc.kind == DIR_ETCD) {
		/*
		 * The history the new watch starts from is compacted before
		 * it connects: the events are listed again from there.
		 */
		assert_non_null(fw = dir_follow_open(d, 0, ""));
		assert_int_equal(follow_until(fw, 3, "T-THREE"), 3);
		assert_int_equal(dir_event(d, "T-FOUR", "VM9", "A", "four"), 0);
		assert_int_equal(dir_event(d, "T-4B", "VM9", "A", "4b"), 0);
		assert_non_null(e = etcd_open(f->dc.endpoints, 0));
		assert_int_equal(etcd_get_prefix(e, "/lgr/", &kvs), 0);
		assert_int_equal(etcd_compact(e, kvs.revision), 0);
		etcd_kvs_free(&kvs);
		etcd_close(e);
		assert_int_equal(dir_event(d, "T-FIVE", "VM9", "A", "five"), 0);
		assert_int_equal(follow_until(fw, 3, "T-FIVE"), 3);
		dir_follow_close(fw);
	}
	assert_non_null(fw = dir_follow_open(d, 0, "C"));
	assert_int_equal(follow_until(fw, 1, "T-THREE"), 1);
	dir_follow_close(fw);
}

#define T_BOTH(fn)							\
	cmocka_unit_test_setup_teardown(fn, setup_sqlite, teardown),	\
	cmocka_unit_test_setup_teardown(fn, setup_etcd, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T_BOTH(test_import),
		T_BOTH(test_transitions),
		T_BOTH(test_residency_cas),
		T_BOTH(test_cas_race),
		T_BOTH(test_journal_commit),
		T_BOTH(test_journal_rollback),
		T_BOTH(test_conflicts),
		T_BOTH(test_members),
		T_BOTH(test_guests),
		T_BOTH(test_events_audit),
		T_BOTH(test_renew_fence),
		T_BOTH(test_ha_restart),
		T_BOTH(test_follow),
	};

	log_init("directory_test", LOG_TO_STDERR, 0);
	if (t_etcd_start() == -1) {
		print_message("etcd not available: etcd tests skipped\n");
		t_etcd_stop();
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
