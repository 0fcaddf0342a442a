/*
 * etcd_test.c: the etcd client against real etcd processes (etcd-server):
 * one node for every operation, fail-over and deadlines, then a cluster
 * of three that loses one node (writes go on) and two (writes fail in
 * time, saying the quorum is lost).  Every etcd started here is stopped
 * and its data directory removed, also when a test fails; the children
 * die with the test (testsupport/etcdrun.h).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "etcd.h"
#include "etcdrun.h"

#define T_READY_MS	20000	/* for a cluster to take its first write */

struct t_cluster {
	struct etcdrun	 run;
	struct etcd	*e;
};

/* Every cluster started, for the exit handler (test process only). */
static struct t_cluster *t_clusters[2];

static void
t_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
t_cluster_stop(struct t_cluster *c)
{
	if (c == NULL)
		return;
	etcdrun_stop(&c->run);
	etcd_close(c->e);
	c->e = NULL;
}

static void
t_cleanup(void)
{
	size_t	i;

	for (i = 0; i < 2; i++)
		t_cluster_stop(t_clusters[i]);
}

/* n nodes, waited for until they take a write through every node. */
static struct t_cluster *
t_cluster_start(size_t n, size_t slot)
{
	struct t_cluster	*c;
	uint64_t		 t0;

	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	t_clusters[slot] = c;
	assert_int_equal(etcdrun_start(&c->run, "etcd_test", n), 0);
	t0 = clock_ms();
	if (etcdrun_wait(&c->run, T_READY_MS) == -1)
		fail_msg("%s", c->run.errtext);
	print_message("etcd: %zu node(s) ready in %" PRIu64 " ms\n", n,
	    clock_ms() - t0);
	return c;
}

static int
t_setup_one(void **state)
{
	struct t_cluster	*c;

	atexit(t_cleanup);
	c = t_cluster_start(1, 0);
	c->e = etcd_open(c->run.node[0].url, 3000);
	if (c->e == NULL)
		return -1;
	*state = c;
	return 0;
}

static int
t_teardown(void **state)
{
	t_cluster_stop(*state);
	return 0;
}

static void
t_put(struct etcd *e, const char *key, const char *value, int64_t *rev)
{
	if (etcd_put(e, key, value, strlen(value), 0, rev) == -1)
		fail_msg("put %s: %s", key, etcd_errtext(e));
}

static void
test_kv(void **state)
{
	struct t_cluster	*c = *state;
	struct etcd		*e = c->e;
	struct etcd_kv		 kv;
	struct etcd_kvs		 kvs;
	const char		 bin[] = { 'x', '\0', (char)0xff, 'y' };
	int64_t			 r1, r2, r3, rd;

	t_put(e, "/t/kv/b", "first", &r1);
	t_put(e, "/t/kv/b", "second", &r2);
	assert_true(r2 > r1);
	assert_int_equal(etcd_put(e, "/t/kv/a", bin, sizeof(bin), 0, &r3), 0);
	t_put(e, "/t/kv/c", "", NULL);
	t_put(e, "/t/kvx", "outside", NULL);

	assert_int_equal(etcd_get(e, "/t/kv/b", &kv), 1);
	assert_string_equal(kv.key, "/t/kv/b");
	assert_string_equal(kv.value, "second");
	assert_int_equal(kv.create_revision, r1);
	assert_int_equal(kv.mod_revision, r2);
	assert_int_equal(kv.version, 2);
	etcd_kv_free(&kv);
	assert_int_equal(etcd_get(e, "/t/kv/a", &kv), 1);
	assert_int_equal(kv.valuelen, sizeof(bin));
	assert_memory_equal(kv.value, bin, sizeof(bin));
	etcd_kv_free(&kv);
	assert_int_equal(etcd_get(e, "/t/kv/none", &kv), 0);
	assert_null(kv.key);

	assert_int_equal(etcd_get_prefix(e, "/t/kv/", &kvs), 0);
	assert_int_equal(kvs.n, 3);
	assert_string_equal(kvs.kv[0].key, "/t/kv/a");
	assert_string_equal(kvs.kv[1].key, "/t/kv/b");
	assert_string_equal(kvs.kv[2].key, "/t/kv/c");
	assert_int_equal(kvs.kv[2].valuelen, 0);
	assert_true(kvs.revision > r3);
	etcd_kvs_free(&kvs);

	assert_int_equal(etcd_delete(e, "/t/kv/b", &rd), 1);
	assert_true(rd > r3);
	assert_int_equal(etcd_delete(e, "/t/kv/b", NULL), 0);
	assert_int_equal(etcd_delete_prefix(e, "/t/kv/", NULL), 2);
	assert_int_equal(etcd_get_prefix(e, "/t/kv/", &kvs), 0);
	assert_int_equal(kvs.n, 0);
	etcd_kvs_free(&kvs);
	assert_int_equal(etcd_get(e, "/t/kvx", &kv), 1);
	etcd_kv_free(&kv);

	assert_int_equal(etcd_put(e, "", "v", 1, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(etcd_get(e, "/t/kv/a", &kv), 0);
}

static void
test_txn(void **state)
{
	struct t_cluster	*c = *state;
	struct etcd		*e = c->e;
	struct etcd_kv		 kv;
	int64_t			 rev, rev2, now;
	struct etcd_cmp		 cmp = { "/t/txn/res", 0, ETCD_CMP_MOD };
	struct etcd_cmp		 inc = { "/t/txn/member", 0, ETCD_CMP_CREATE };
	struct etcd_op		 op[2] = {
		{ ETCD_OP_PUT, "/t/txn/res", "VM1", 3, 0 },
		{ ETCD_OP_DELETE, "/t/txn/old", NULL, 0, 0 },
	};

	t_put(e, "/t/txn/old", "x", NULL);
	/* create only if absent: once */
	assert_int_equal(etcd_txn(e, &cmp, 1, op, 2, &rev), 1);
	assert_int_equal(etcd_get(e, "/t/txn/old", &kv), 0);
	assert_int_equal(etcd_txn(e, &cmp, 1, op, 1, &now), 0);
	assert_int_equal(now, rev);
	/* compare-and-swap on the revision read */
	assert_int_equal(etcd_get(e, "/t/txn/res", &kv), 1);
	assert_int_equal(kv.mod_revision, rev);
	etcd_kv_free(&kv);
	cmp.revision = rev;
	op[0].value = "VM2";
	assert_int_equal(etcd_txn(e, &cmp, 1, op, 1, &rev2), 1);
	assert_true(rev2 > rev);
	op[0].value = "VM3";	/* stale token */
	assert_int_equal(etcd_txn(e, &cmp, 1, op, 1, &now), 0);
	assert_int_equal(etcd_get(e, "/t/txn/res", &kv), 1);
	assert_string_equal(kv.value, "VM2");
	etcd_kv_free(&kv);
	/* one incarnation of a key: the same name put again is another */
	t_put(e, "/t/txn/member", "VM2", NULL);
	assert_int_equal(etcd_get(e, "/t/txn/member", &kv), 1);
	inc.revision = kv.create_revision;
	etcd_kv_free(&kv);
	t_put(e, "/t/txn/member", "VM2 renewed", NULL);
	op[0].value = "VM4";
	assert_int_equal(etcd_txn(e, &inc, 1, op, 1, NULL), 1);
	assert_int_equal(etcd_delete(e, "/t/txn/member", NULL), 1);
	t_put(e, "/t/txn/member", "VM2", NULL);
	assert_int_equal(etcd_txn(e, &inc, 1, op, 1, NULL), 0);
	/* bad arguments never reach etcd */
	op[0].key = "";
	assert_int_equal(etcd_txn(e, &cmp, 1, op, 1, NULL), -1);
	assert_int_equal(errno, EINVAL);
}

struct t_racer {
	const char		*url;
	const char		*value;
	int64_t			 rev;
	pthread_barrier_t	*go;
	int			 rc;
	char			 err[ETCD_ERRTEXT_MAX];
};

static void *
t_race(void *arg)
{
	struct t_racer	*r = arg;
	struct etcd	*e = etcd_open(r->url, 3000);
	struct etcd_cmp	 cmp = { "/t/race", r->rev, ETCD_CMP_MOD };
	struct etcd_op	 op = { ETCD_OP_PUT, "/t/race", r->value, 3, 0 };

	pthread_barrier_wait(r->go);
	r->rc = e ? etcd_txn(e, &cmp, 1, &op, 1, NULL) : -1;
	snprintf(r->err, sizeof(r->err), "%s", e ? etcd_errtext(e) : "open");
	etcd_close(e);
	return NULL;
}

/* Two writers, one read revision: exactly one wins, every round. */
static void
test_txn_race(void **state)
{
	struct t_cluster	*c = *state;
	struct t_racer		 r[2] = {
		{ .url = c->run.node[0].url, .value = "one" },
		{ .url = c->run.node[0].url, .value = "two" },
	};
	pthread_barrier_t	 go;
	pthread_t		 t[2];
	struct etcd_kv		 kv;
	int64_t			 rev;
	int			 round, i, wins = 0;

	for (round = 0; round < 20; round++) {
		t_put(c->e, "/t/race", "new", &rev);
		pthread_barrier_init(&go, NULL, 2);
		for (i = 0; i < 2; i++) {
			r[i].rev = rev;
			r[i].go = &go;
			assert_int_equal(pthread_create(&t[i], NULL, t_race,
			    &r[i]), 0);
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&go);
		if (r[0].rc == -1 || r[1].rc == -1)
			fail_msg("txn failed: %s / %s", r[0].err, r[1].err);
		assert_int_equal(r[0].rc + r[1].rc, 1);
		assert_int_equal(etcd_get(c->e, "/t/race", &kv), 1);
		assert_string_equal(kv.value, r[0].rc ? "one" : "two");
		etcd_kv_free(&kv);
		wins += r[0].rc;
	}
	print_message("race: writer one won %d of 20 rounds\n", wins);
}

/* Wait until key is gone; the time it took, or -1 after limit_ms. */
static int64_t
t_wait_gone(struct etcd *e, const char *key, uint64_t limit_ms)
{
	uint64_t	t0 = clock_ms();
	struct etcd_kv	kv;
	int		rc;

	while (clock_ms() - t0 < limit_ms) {
		if ((rc = etcd_get(e, key, &kv)) == 0)
			return (int64_t)(clock_ms() - t0);
		assert_int_equal(rc, 1);
		etcd_kv_free(&kv);
		t_sleep_ms(50);
	}
	return -1;
}

static void
test_lease(void **state)
{
	struct t_cluster	*c = *state;
	struct etcd		*e = c->e;
	struct etcd_kv		 kv;
	int64_t			 id, ttl, gone;
	uint64_t		 t0, last = 0;

	assert_int_equal(etcd_lease_grant(e, 1, &id, &ttl), 0);
	assert_true(ttl >= 1);
	print_message("lease: asked 1 s, granted %" PRId64 " s\n", ttl);
	assert_int_equal(etcd_put(e, "/t/lease/m", "up", 2, id, NULL), 0);
	assert_int_equal(etcd_get(e, "/t/lease/m", &kv), 1);
	assert_int_equal(kv.lease, id);
	etcd_kv_free(&kv);
	/* renewed for longer than its TTL: the key stays */
	for (t0 = clock_ms(); clock_ms() - t0 < (uint64_t)ttl * 1000 + 1000;) {
		last = clock_ms();
		assert_int_equal(etcd_lease_keepalive(e, id), ttl);
		t_sleep_ms(400);
	}
	assert_int_equal(etcd_get(e, "/t/lease/m", &kv), 1);
	etcd_kv_free(&kv);
	/* not renewed: gone after about the TTL */
	assert_true(t_wait_gone(e, "/t/lease/m", 10000) >= 0);
	gone = (int64_t)(clock_ms() - last);
	print_message("lease: key gone %" PRId64 " ms after the last "
	    "renewal (TTL %" PRId64 " s)\n", gone, ttl);
	assert_true(gone >= 1000);
	assert_int_equal(etcd_lease_keepalive(e, id), -1);
	assert_int_equal(errno, ENOENT);

	/* revoked: its keys go at once */
	assert_int_equal(etcd_lease_grant(e, 30, &id, NULL), 0);
	assert_int_equal(etcd_put(e, "/t/lease/r", "up", 2, id, NULL), 0);
	assert_int_equal(etcd_lease_revoke(e, id), 0);
	assert_int_equal(etcd_get(e, "/t/lease/r", &kv), 0);
	assert_int_equal(etcd_lease_revoke(e, id), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(etcd_lease_keepalive(e, id), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(etcd_put(e, "/t/lease/r", "up", 2, id, NULL), -1);
	assert_int_equal(errno, ENOENT);
}

static void
t_expect(struct etcd_watch *w, enum etcd_event_type type, const char *key,
    const char *value, int64_t rev)
{
	struct etcd_event	ev;
	int			rc;

	rc = etcd_watch_poll(w, 3000, &ev);
	if (rc != 1)
		fail_msg("watch: %d (%s), expected %s", rc,
		    etcd_watch_errtext(w), key);
	assert_int_equal(ev.type, type);
	assert_string_equal(ev.kv.key, key);
	assert_string_equal(ev.kv.value, value);
	assert_int_equal(ev.kv.mod_revision, rev);
}

static void
test_watch(void **state)
{
	struct t_cluster	*c = *state;
	struct etcd		*e = c->e;
	struct etcd_watch	*w;
	struct etcd_event	 ev;
	int64_t			 r0, r1, r2, r3, r4;

	t_put(e, "/t/mark", "0", &r0);
	w = etcd_watch_open(e, "/t/w/", r0 + 1);
	assert_non_null(w);
	t_put(e, "/t/w/a", "1", &r1);
	t_put(e, "/t/wx", "outside", NULL);
	t_put(e, "/t/w/b", "2", &r2);
	assert_int_equal(etcd_delete(e, "/t/w/a", &r3), 1);
	t_expect(w, ETCD_EVENT_PUT, "/t/w/a", "1", r1);
	t_expect(w, ETCD_EVENT_PUT, "/t/w/b", "2", r2);
	t_expect(w, ETCD_EVENT_DELETE, "/t/w/a", "", r3);
	assert_int_equal(etcd_watch_poll(w, 200, &ev), 0);
	assert_int_equal(etcd_watch_revision(w), r3 + 1);
	etcd_watch_close(w);

	/* resumed from a revision: the same events from there */
	w = etcd_watch_open(e, "/t/w/", r2);
	assert_non_null(w);
	t_expect(w, ETCD_EVENT_PUT, "/t/w/b", "2", r2);
	t_expect(w, ETCD_EVENT_DELETE, "/t/w/a", "", r3);
	etcd_watch_close(w);

	/* from now on: only what comes after */
	w = etcd_watch_open(e, "/t/w/", 0);
	assert_non_null(w);
	assert_int_equal(etcd_watch_poll(w, 300, &ev), 0);
	t_put(e, "/t/w/c", "3", &r4);
	t_expect(w, ETCD_EVENT_PUT, "/t/w/c", "3", r4);
	etcd_watch_close(w);
}

static void
test_watch_compacted(void **state)
{
	struct t_cluster	*c = *state;
	struct etcd		*e = c->e;
	struct etcd_watch	*w;
	struct etcd_event	 ev;
	struct etcd_kvs		 kvs;
	int64_t			 r1, r2;

	t_put(e, "/t/cw/k", "1", &r1);
	t_put(e, "/t/cw/k", "2", NULL);
	t_put(e, "/t/cw/k", "3", &r2);
	assert_int_equal(etcd_compact(e, r2), 0);
	w = etcd_watch_open(e, "/t/cw/", r1);
	assert_non_null(w);
	assert_int_equal(etcd_watch_poll(w, 3000, &ev), 1);
	assert_int_equal(ev.type, ETCD_EVENT_COMPACTED);
	assert_int_equal(ev.compact_revision, r2);
	assert_int_equal(etcd_watch_poll(w, 100, &ev), -1);
	assert_int_equal(errno, ECANCELED);
	etcd_watch_close(w);
	/* the caller reads again and watches from there */
	assert_int_equal(etcd_get_prefix(e, "/t/cw/", &kvs), 0);
	assert_int_equal(kvs.n, 1);
	assert_string_equal(kvs.kv[0].value, "3");
	w = etcd_watch_open(e, "/t/cw/", kvs.revision + 1);
	etcd_kvs_free(&kvs);
	assert_non_null(w);
	t_put(e, "/t/cw/k", "4", &r2);
	t_expect(w, ETCD_EVENT_PUT, "/t/cw/k", "4", r2);
	etcd_watch_close(w);
}

/* A socket that accepts connections and never answers: a hung node. */
static int
t_silent(char *url, size_t len)
{
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof(sin);
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	snprintf(url, len, "http://127.0.0.1:%d", ntohs(sin.sin_port));
	return fd;
}

/* A node listed first is down or hangs: the calls and a watch go on. */
static void
test_failover(void **state)
{
	struct t_cluster	*c = *state;
	struct etcd		*e;
	struct etcd_watch	*w;
	struct etcd_kv		 kv;
	char			 list[160], silent[64];
	int			 dead, fd;
	int64_t			 rev;
	uint64_t		 t0;

	assert_int_equal(etcdrun_ports(&dead, 1), 0);
	snprintf(list, sizeof(list), "127.0.0.1:%d,%s", dead,
	    c->run.node[0].url);
	e = etcd_open(list, 2000);
	assert_non_null(e);
	t_put(e, "/t/fo", "1", &rev);
	assert_string_equal(etcd_node(e), c->run.node[0].url);
	assert_int_equal(etcd_get(e, "/t/fo", &kv), 1);
	etcd_kv_free(&kv);
	w = etcd_watch_open(e, "/t/fo", rev);
	assert_non_null(w);
	t_expect(w, ETCD_EVENT_PUT, "/t/fo", "1", rev);
	etcd_watch_close(w);
	etcd_close(e);

	/* hung: a read moves on in time, a write times out once */
	fd = t_silent(silent, sizeof(silent));
	snprintf(list, sizeof(list), "%s,%s", silent, c->run.node[0].url);
	e = etcd_open(list, 2000);
	assert_non_null(e);
	t0 = clock_ms();
	assert_int_equal(etcd_get(e, "/t/fo", &kv), 1);
	etcd_kv_free(&kv);
	print_message("failover: read past a hung node in %" PRIu64 " ms\n",
	    clock_ms() - t0);
	assert_true(clock_ms() - t0 < 2000);
	etcd_close(e);
	e = etcd_open(list, 1000);
	assert_int_equal(etcd_put(e, "/t/fo", "2", 1, 0, NULL), -1);
	assert_int_equal(errno, ETIMEDOUT);
	t_put(e, "/t/fo", "2", &rev);	/* the next call, the next node */
	w = etcd_watch_open(e, "/t/fo", rev);
	assert_non_null(w);
	t_expect(w, ETCD_EVENT_PUT, "/t/fo", "2", rev);
	etcd_watch_close(w);
	etcd_close(e);
	close(fd);
}

static void
test_open_bad(void **state)
{
	(void)state;
	assert_null(etcd_open("", 0));
	assert_int_equal(errno, EINVAL);
	assert_null(etcd_open("127.0.0.1:1,,127.0.0.1:2", 0));
	assert_int_equal(errno, EINVAL);
}

/*
 * A fake node: answers every request on its socket with one canned
 * answer, for the answers etcd should never give.
 */
struct t_fake {
	int		 fd;
	const char	*status;	/* "200 OK" */
	const char	*answer;
	int		 requests;
	pthread_t	 thread;
	char		 url[64];
};

/* Read one request (headers and Content-Length bytes of body). */
static void
t_fake_read(int c)
{
	char		 buf[8192], *end, *cl;
	size_t		 len = 0, want = 0;
	ssize_t		 n;

	while (len < sizeof(buf) - 1 &&
	    (n = read(c, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		cl = strcasestr(buf, "Content-Length:");
		want = (size_t)(end + 4 - buf) +
		    (cl ? strtoul(cl + 15, NULL, 10) : 0);
		if (len >= want)
			return;
	}
}

static void *
t_fake_serve(void *arg)
{
	struct t_fake	*f = arg;
	char		 head[160];
	int		 c, n;

	while ((c = accept(f->fd, NULL, NULL)) >= 0) {
		t_fake_read(c);
		f->requests++;
		n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n", f->status, strlen(f->answer));
		if (write(c, head, (size_t)n) == n)
			(void)!write(c, f->answer, strlen(f->answer));
		close(c);
	}
	return NULL;
}

static void
t_fake_start(struct t_fake *f, const char *answer)
{
	f->status = "200 OK";
	f->answer = answer;
	f->requests = 0;
	f->fd = t_silent(f->url, sizeof(f->url));
	assert_int_equal(pthread_create(&f->thread, NULL, t_fake_serve, f), 0);
}

static void
t_fake_stop(struct t_fake *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->fd);
}

enum t_call { T_GET, T_PREFIX, T_PUT, T_TXN, T_KEEPALIVE, T_GRANT };

static const struct t_bad {
	const char	*answer;
	enum t_call	 call;
	int		 rc;
	int		 err;
} t_bad[] = {
	{ "hello", T_GET, -1, EPROTO },
	{ "[1]", T_GET, -1, EPROTO },
	{ "{\"header\":{\"revision\":\"x1\"}}", T_PUT, -1, EPROTO },
	{ "{\"header\":{\"revision\":\"99999999999999999999\"}}", T_PUT,
	    -1, EPROTO },
	{ "{\"header\":{\"revision\":\"7\"}}", T_PUT, 0, 0 },
	{ "{\"kvs\":[{\"key\":\"!!!!\"}]}", T_GET, -1, EPROTO },
	{ "{\"kvs\":[{\"key\":\"L3Qv\"},{\"key\":\"L3Qv\"}]}", T_GET, -1,
	    EPROTO },
	{ "{\"kvs\":[{\"key\":\"L290aGVy\"}]}", T_GET, -1, EPROTO },
	{ "{\"kvs\":[{\"key\":\"L3QveA==\",\"value\":7}]}", T_GET, -1,
	    EPROTO },
	{ "{\"kvs\":[{\"key\":\"L3QAeA==\"}]}", T_GET, -1, EPROTO },
	{ "{\"kvs\":[{\"key\":\"L3QveA==\",\"value\":\"dg==\","
	    "\"mod_revision\":\"5\"}]}", T_GET, 1, 0 },
	{ "{\"header\":{\"revision\":\"5\"},\"kvs\":{}}", T_PREFIX, -1,
	    EPROTO },
	{ "{\"kvs\":[]}", T_PREFIX, -1, EPROTO },
	{ "{\"error\":\"etcdserver: mvcc: required revision has been "
	    "compacted\",\"code\":11}", T_GET, -1, ERANGE },
	{ "{\"error\":\"etcdserver: leader changed\",\"code\":14}", T_PUT,
	    -1, EIO },
	{ "{\"header\":{},\"succeeded\":\"yes\"}", T_TXN, -1, EPROTO },
	{ "{\"header\":{\"revision\":\"3\"},\"succeeded\":true}", T_TXN,
	    1, 0 },
	{ "{\"result\":{\"TTL\":\"7\"}}", T_KEEPALIVE, 7, 0 },
	{ "{\"result\":{}}", T_KEEPALIVE, -1, ENOENT },
	{ "{\"error\":{\"grpc_code\":5,\"message\":\"lease not found\"}}",
	    T_KEEPALIVE, -1, ENOENT },
	{ "{\"header\":{},\"ID\":\"0\",\"TTL\":\"5\"}", T_GRANT, -1,
	    EPROTO },
	{ "{\"header\":{},\"error\":\"too many leases\"}", T_GRANT, -1,
	    EIO },
};

static int64_t
t_bad_call(struct etcd *e, enum t_call call)
{
	struct etcd_kv	 kv;
	struct etcd_kvs	 kvs;
	struct etcd_cmp	 cmp = { "/t/x", 0, ETCD_CMP_MOD };
	struct etcd_op	 op = { ETCD_OP_DELETE, "/t/x", NULL, 0, 0 };
	int64_t		 rc = -1, id;

	switch (call) {
	case T_GET:
		if ((rc = etcd_get(e, "/t/x", &kv)) == 1)
			assert_string_equal(kv.value, "v");
		etcd_kv_free(&kv);
		break;
	case T_PREFIX:
		rc = etcd_get_prefix(e, "/t/", &kvs);
		etcd_kvs_free(&kvs);
		break;
	case T_PUT:
		rc = etcd_put(e, "/t/x", "v", 1, 0, NULL);
		break;
	case T_TXN:
		rc = etcd_txn(e, &cmp, 1, &op, 1, NULL);
		break;
	case T_KEEPALIVE:
		rc = etcd_lease_keepalive(e, 42);
		break;
	case T_GRANT:
		rc = etcd_lease_grant(e, 5, &id, NULL);
		break;
	}
	return rc;
}

/* Every answer is checked before use. */
static void
test_bad_answers(void **state)
{
	struct t_fake	 f;
	struct etcd	*e;
	size_t		 i;
	int64_t		 rc;

	(void)state;
	for (i = 0; i < sizeof(t_bad) / sizeof(t_bad[0]); i++) {
		t_fake_start(&f, t_bad[i].answer);
		e = etcd_open(f.url, 1000);
		errno = 0;
		rc = t_bad_call(e, t_bad[i].call);
		if (rc != t_bad[i].rc || (rc == -1 && errno != t_bad[i].err))
			fail_msg("answer %zu %s: %" PRId64 " errno %d (%s), "
			    "expected %d errno %d", i, t_bad[i].answer, rc,
			    errno, etcd_errtext(e), t_bad[i].rc, t_bad[i].err);
		etcd_close(e);
		t_fake_stop(&f);
	}
}

/*
 * Some other web server at a node's address (a wrong address, or a
 * route that leads elsewhere): the error says what answered.
 */
static void
test_not_etcd(void **state)
{
	struct t_fake	 f;
	struct etcd	*e;
	struct etcd_kv	 kv;

	(void)state;
	t_fake_start(&f, "");
	f.status = "404 Not Found";
	e = etcd_open(f.url, 1000);
	errno = 0;
	assert_int_equal(etcd_get(e, "/t/x", &kv), -1);
	assert_int_equal(errno, EPROTO);
	if (strstr(etcd_errtext(e), "HTTP 404, not an etcd v3 gateway") ==
	    NULL)
		fail_msg("error text: %s", etcd_errtext(e));
	etcd_close(e);
	t_fake_stop(&f);
}

/* A lone node without a leader is asked again until the deadline. */
static void
test_no_leader_retry(void **state)
{
	struct t_fake	 f;
	struct etcd	*e;
	uint64_t	 t0, took;

	(void)state;
	t_fake_start(&f, "{\"error\":\"etcdserver: no leader\",\"code\":14}");
	e = etcd_open(f.url, 600);
	t0 = clock_ms();
	assert_int_equal(etcd_put(e, "/t/x", "v", 1, 0, NULL), -1);
	took = clock_ms() - t0;
	assert_int_equal(errno, EAGAIN);
	assert_non_null(strstr(etcd_errtext(e), "no leader (quorum lost)"));
	assert_true(took >= 550 && took <= 900);
	assert_true(f.requests >= 3);
	etcd_close(e);
	t_fake_stop(&f);
}

/* A stream that repeats itself: nothing is returned twice. */
static void
test_watch_repeat(void **state)
{
	struct t_fake		 f;
	struct etcd		*e;
	struct etcd_watch	*w;
	struct etcd_event	 ev;

	(void)state;
	t_fake_start(&f, "{\"result\":{\"header\":{\"revision\":\"9\"},"
	    "\"created\":true}}\n{\"result\":{\"header\":{\"revision\":"
	    "\"11\"},\"events\":[{\"kv\":{\"key\":\"L3QveA==\",\"value\":"
	    "\"MQ==\",\"mod_revision\":\"10\"}},{\"type\":\"DELETE\","
	    "\"kv\":{\"key\":\"L3QveA==\",\"mod_revision\":\"11\"}}]}}\n");
	e = etcd_open(f.url, 1000);
	w = etcd_watch_open(e, "/t/", 0);
	t_expect(w, ETCD_EVENT_PUT, "/t/x", "1", 10);
	t_expect(w, ETCD_EVENT_DELETE, "/t/x", "", 11);
	/* each stream ends at once: 0, or -1 between two streams */
	assert_int_not_equal(etcd_watch_poll(w, 300, &ev), 1);
	assert_true(f.requests >= 2);
	assert_int_equal(etcd_watch_revision(w), 12);
	etcd_watch_close(w);
	etcd_close(e);
	t_fake_stop(&f);
}

/* No etcd answers: every call ends by its deadline (monotonic). */
static void
test_deadline(void **state)
{
	struct etcd		*e;
	struct etcd_watch	*w;
	struct etcd_event	 ev;
	struct etcd_kv		 kv;
	char			 list[64];
	uint64_t		 t0, took;
	int			 fd, dead;

	(void)state;
	/* a node that accepts connections and never answers */
	fd = t_silent(list, sizeof(list));
	e = etcd_open(list, 800);
	t0 = clock_ms();
	assert_int_equal(etcd_get(e, "/t/x", &kv), -1);
	took = clock_ms() - t0;
	assert_int_equal(errno, ETIMEDOUT);
	print_message("deadline 800 ms, silent node: %" PRIu64 " ms: %s\n",
	    took, etcd_errtext(e));
	assert_true(took >= 700 && took <= 1100);
	etcd_close(e);
	close(fd);

	/* nothing listening */
	assert_int_equal(etcdrun_ports(&dead, 1), 0);
	snprintf(list, sizeof(list), "127.0.0.1:%d", dead);
	e = etcd_open(list, 800);
	t0 = clock_ms();
	assert_int_equal(etcd_put(e, "/t/x", "1", 1, 0, NULL), -1);
	took = clock_ms() - t0;
	assert_int_equal(errno, ECONNREFUSED);
	print_message("deadline 800 ms, no node: %" PRIu64 " ms: %s\n", took,
	    etcd_errtext(e));
	assert_true(took >= 700 && took <= 1100);
	w = etcd_watch_open(e, "/t/", 0);
	t0 = clock_ms();
	assert_int_equal(etcd_watch_poll(w, 500, &ev), -1);
	took = clock_ms() - t0;
	assert_int_equal(errno, ECONNREFUSED);
	assert_true(took >= 400 && took <= 800);
	etcd_watch_close(w);
	etcd_close(e);
}

/* Three nodes: one down, writes go on; two down, they fail in time. */
static void
test_cluster_quorum(void **state)
{
	struct t_cluster	*c;
	struct etcd		*e;
	struct etcd_kv		 kv;
	struct etcd_watch	*w;
	struct etcd_event	 ev;
	char			 list[256];
	uint64_t		 t0, took;
	int64_t			 rev, last;

	(void)state;
	c = t_cluster_start(3, 1);
	snprintf(list, sizeof(list), "%s,%s,%s", c->run.node[0].url,
	    c->run.node[1].url, c->run.node[2].url);
	e = etcd_open(list, 2000);
	assert_non_null(e);
	t_put(e, "/t/q", "3", &rev);
	w = etcd_watch_open(e, "/t/q", rev + 1);
	assert_non_null(w);
	assert_int_equal(etcd_watch_poll(w, 300, &ev), 0);

	/*
	 * Node 0, listed first, killed: the client goes on to the others.
	 * When it was the leader, a write sent before the others noticed
	 * is lost with it (ETIMEDOUT, may have been applied: the caller
	 * reads back) and writes wait for the election.
	 */
	etcdrun_node_stop(&c->run.node[0], SIGKILL);
	t0 = clock_ms();
	while (etcd_put(e, "/t/q", "2", 1, 0, &rev) == -1) {
		print_message("cluster: node 0 down: %s\n", etcd_errtext(e));
		assert_true(errno == ETIMEDOUT || errno == EAGAIN);
		assert_true(clock_ms() - t0 < 15000);
	}
	print_message("cluster: node 0 down, write via %s after %" PRIu64
	    " ms\n", etcd_node(e), clock_ms() - t0);
	assert_string_not_equal(etcd_node(e), c->run.node[0].url);
	assert_int_equal(etcd_get(e, "/t/q", &kv), 1);
	assert_string_equal(kv.value, "2");
	etcd_kv_free(&kv);
	t0 = clock_ms();
	t_put(e, "/t/q", "2", NULL);
	print_message("cluster: then a write in %" PRIu64 " ms\n",
	    clock_ms() - t0);
	/* the watch moved to another node and lost nothing */
	for (last = 0; last < rev; last = ev.kv.mod_revision) {
		if (etcd_watch_poll(w, 5000, &ev) != 1)
			fail_msg("watch: %s", etcd_watch_errtext(w));
		assert_int_equal(ev.type, ETCD_EVENT_PUT);
		assert_string_equal(ev.kv.value, "2");
		assert_true(ev.kv.mod_revision > last);
	}
	assert_int_equal(last, rev);
	while (etcd_watch_poll(w, 300, &ev) == 1)
		;

	/*
	 * Nodes 0 and 1 down.  Node 2 notices after its election timeout
	 * (1-2 s by default), so a deadline of 3 s reports the lost quorum.
	 */
	etcdrun_node_stop(&c->run.node[1], SIGKILL);
	etcd_set_timeout(e, 3000);
	t0 = clock_ms();
	assert_int_equal(etcd_put(e, "/t/q", "1", 1, 0, NULL), -1);
	took = clock_ms() - t0;
	print_message("cluster: nodes 0, 1 down, write failed in %" PRIu64
	    " ms (errno %d): %s\n", took, errno, etcd_errtext(e));
	assert_true(errno == EAGAIN || errno == ETIMEDOUT);
	assert_non_null(strstr(etcd_errtext(e), "no leader (quorum lost)"));
	assert_true(took <= 3300);
	/* once the node knows, it refuses at once */
	t_sleep_ms(500);
	etcd_set_timeout(e, 1000);
	assert_int_equal(etcd_put(e, "/t/q", "1", 1, 0, NULL), -1);
	assert_int_equal(errno, EAGAIN);
	print_message("cluster: then: %s\n", etcd_errtext(e));
	/* the watch's node gives it up (after about 3 election timeouts) */
	t0 = clock_ms();
	while (etcd_watch_poll(w, 1000, &ev) == 0)
		assert_true(clock_ms() - t0 < 10000);
	print_message("cluster: watch lost after %" PRIu64 " ms: %s\n",
	    clock_ms() - t0, etcd_watch_errtext(w));
	assert_int_equal(errno, EAGAIN);
	assert_non_null(strstr(etcd_watch_errtext(w), "no leader"));
	etcd_watch_close(w);
	etcd_close(e);
	t_cluster_stop(c);
}

int
main(void)
{
	const struct CMUnitTest one[] = {
		cmocka_unit_test(test_kv),
		cmocka_unit_test(test_txn),
		cmocka_unit_test(test_txn_race),
		cmocka_unit_test(test_lease),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_watch_compacted),
		cmocka_unit_test(test_failover),
	};
	const struct CMUnitTest none[] = {
		cmocka_unit_test(test_open_bad),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_not_etcd),
		cmocka_unit_test(test_no_leader_retry),
		cmocka_unit_test(test_watch_repeat),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_cluster_quorum),
	};
	int	fails;

	signal(SIGPIPE, SIG_IGN);	/* the fake node writes to clients that left */
	fails = cmocka_run_group_tests_name("etcd, one node", one,
	    t_setup_one, t_teardown);
	fails += cmocka_run_group_tests_name("etcd, no node and three",
	    none, NULL, NULL);
	t_cleanup();
	return fails;
}
