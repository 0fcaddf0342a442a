/*
 * ctlsrv_test.c: the control socket core and its client over real
 * ZeroMQ sockets with the lab's CURVE keys: answers, roles, refusals,
 * audit, deferred answers, bad frames, and the client's failures (no
 * daemon, a refused key) within its connect time, and at once when the
 * daemon stops before it answered.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "ctlclient.h"
#include "codec_table_test.h"
#include "ctlsrv.h"
#include "ctlstandin.h"

struct fixture {
	struct ctlstandin	 sd;		/* the stand-in daemon */
	struct ctlsrv_conn	 later;		/* a deferred answer */
	char			 audit[8][160];	/* written by the server thread */
	volatile int		 naudit;
};

static void
t_audit(void *arg, const char *who, const char *what, const char *args,
    const char *result)
{
	struct fixture	*f = arg;

	(void)args;
	if (f->naudit < 8) {
		snprintf(f->audit[f->naudit], sizeof(f->audit[0]), "%s %s %s",
		    who, what, result);
		f->naudit++;
	}
}

static void
t_serve(struct ctlsrv *s, struct ctlsrv_conn *later)
{
	struct ctlsrv_conn	 c;
	struct t_request	 rq;
	struct json_object	*o;

	while (ctlsrv_recv(s, &c, &rq) == 1) {
		switch (rq.type) {
		case T_READ:
			o = json_object_new_object();
			json_object_object_add(o, "n", json_object_new_int(1));
			ctlsrv_data(&c, o);
			ctlsrv_end(&c);
			break;
		case T_MOVE:
			if (strcmp(rq.guest, "NOSUCH") == 0)
				ctlsrv_error(&c, REPLY_E_NOTFOUND, "guest %s is "
				    "not defined", rq.guest);
			else
				ctlsrv_done(&c, "done");
			break;
		case T_PEERS:		/* answered by the next read */
			ctlsrv_conn_move(later, &c);
			break;
		}
	}
}

/* The stand-in's answers; a deferred one is released by the next read. */
static void
t_serve_all(struct ctlsrv *s, void *arg)
{
	struct fixture	*f = arg;
	bool		 owed = f->later.valid;

	t_serve(s, &f->later);
	if (owed && f->later.valid)
		ctlsrv_end(&f->later);
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 path[128];

	f->sd.conf = (struct ctlsrv_conf){ .codec = &t_codec, .msgid = "TEST",
	    .audit = t_audit, .audit_arg = f };
	f->sd.serve = t_serve_all;
	f->sd.arg = f;
	f->later.valid = false;
	zmq_msg_init(&f->later.id);
	assert_int_equal(ctlstandin_init(&f->sd, "ctlsrv_test"), 0);
	snprintf(path, sizeof(path), "%s/t.ctl", f->sd.dir);
	assert_int_equal(ctlstandin_start(&f->sd, path), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	int		 rc = ctlstandin_stop(&f->sd);

	ctlsrv_conn_release(&f->later);
	free(f);
	return rc;
}

/* The lab's client keys of role. */
static struct keys_client
t_keys(struct fixture *f, const char *role)
{
	struct keys_client	kc;

	assert_int_equal(keys_load_client(f->sd.dir, role, NULL, &kc), 0);
	return kc;
}

static struct ctlclient *
t_open(struct fixture *f, const char *role)
{
	struct keys_client	kc = t_keys(f, role);

	return ctlclient_open(NULL, f->sd.endpoint, &kc, 2000);
}

/*
 * Opening ep with kc fails within timeout_ms with errno err and an
 * error text that holds text: the time it took, in ms.
 */
static uint64_t
t_open_fails(const char *ep, const struct keys_client *kc, int timeout_ms,
    int err, const char *text)
{
	uint64_t	t0 = clock_ms();

	assert_null(ctlclient_open(NULL, ep, kc, timeout_ms));
	assert_int_equal(errno, err);
	assert_non_null(strstr(ctlclient_errtext(), text));
	return clock_ms() - t0;
}

static void
t_count(struct json_object *row, void *arg)
{
	(void)row;
	(*(int *)arg)++;
}

static int
t_ask(struct ctlclient *c, const char *req, int *rows, int *code,
    char *text, size_t len)
{
	struct json_object	*o = json_tokener_parse(req);
	int			 rc;

	*rows = 0;
	*code = 0;
	text[0] = '\0';
	rc = ctlclient_request(c, o, 2000, t_count, rows, code, text, len);
	json_object_put(o);
	return rc;
}

/* One request and what must come back (rows -1, text NULL: not checked). */
struct t_case {
	const char	*req;
	int		 rc;		/* of t_ask() */
	int		 rows;
	int		 code;		/* when rc is 1 */
	const char	*text;
};

/* The cases in order, over one connection with role's key. */
static void
t_ask_all(struct fixture *f, const char *role, const struct t_case *tc,
    size_t n)
{
	struct ctlclient	*c = t_open(f, role);
	char			 text[256];
	int			 rows, code;
	size_t			 i;

	assert_non_null(c);
	for (i = 0; i < n; i++) {
		assert_int_equal(t_ask(c, tc[i].req, &rows, &code, text,
		    sizeof(text)), tc[i].rc);
		if (tc[i].rows >= 0)
			assert_int_equal(rows, tc[i].rows);
		if (tc[i].rc == 1)
			assert_int_equal(code, tc[i].code);
		if (tc[i].text != NULL)
			assert_string_equal(text, tc[i].text);
	}
	ctlclient_close(c);
}

static void
test_answers(void **state)
{
	struct fixture		*f = *state;
	const struct t_case	 tc[] = {
		{ "{\"req\":\"read\"}", 0, 1, 0, NULL },
		{ "{\"req\":\"move\",\"guest\":\"G1\"}", 0, 0, 0, NULL },
		{ "{\"req\":\"move\",\"guest\":\"NOSUCH\"}", 1, -1,
		    REPLY_E_NOTFOUND, "guest NOSUCH is not defined" },
		{ "{\"req\":\"move\",\"guest\":\"a b\"}", 1, -1,
		    REPLY_E_BADARG, "bad request: \"guest\" is not a name "
		    "([A-Za-z0-9_-], 1-31 characters)" },
		{ "[]", 1, -1, REPLY_E_BADMSG, NULL },
		{ "{\"req\":\"fly\"}", 1, -1, REPLY_E_BADREQ,
		    "bad request: \"fly\" is not a request of test" },
	};

	t_ask_all(f, "operator", tc, sizeof(tc) / sizeof(tc[0]));
	/* both moves audited with their results; reads and bad frames not */
	assert_int_equal(f->naudit, 2);
	assert_string_equal(f->audit[0], "operator move done");
	assert_string_equal(f->audit[1], "operator move guest NOSUCH is not "
	    "defined");
}

static void
test_roles(void **state)
{
	struct fixture		*f = *state;
	const struct t_case	 tc[] = {
		{ "{\"req\":\"read\"}", 0, -1, 0, NULL },
		{ "{\"req\":\"move\",\"guest\":\"G1\"}", 1, -1,
		    REPLY_E_DENIED, "role viewer may not move" },
	};

	t_ask_all(f, "viewer", tc, sizeof(tc) / sizeof(tc[0]));
	assert_int_equal(f->naudit, 1);
	assert_string_equal(f->audit[0], "viewer move role viewer may not "
	    "move");
	assert_false(ctlsrv_may_default(KEYS_ROLE_NONE, 0, false));
	assert_true(ctlsrv_may_default(KEYS_ROLE_VIEWER, 0, false));
	assert_false(ctlsrv_may_default(KEYS_ROLE_VIEWER, 0, true));
	assert_true(ctlsrv_may_default(KEYS_ROLE_ORCHESTRATOR, 0, true));
}

static void
test_deferred(void **state)
{
	struct fixture		*f = *state;
	struct ctlclient	*a = t_open(f, "operator");
	struct ctlclient	*b = t_open(f, "viewer");
	struct json_object	*o = json_tokener_parse("{\"req\":\"peers\"}");
	struct json_object	*end;
	char			 text[64];
	int			 rows, code;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ctlclient_send(a, o), 0);
	json_object_put(o);
	/* nothing yet for a */
	assert_null(ctlclient_recv(a, 200));
	assert_int_equal(errno, ETIMEDOUT);
	/* b's read releases a's answer */
	assert_int_equal(t_ask(b, "{\"req\":\"read\"}", &rows, &code, text,
	    sizeof(text)), 0);
	end = ctlclient_recv(a, 2000);
	assert_non_null(end);
	assert_int_equal(msg_terminator(end, &code, (const char **)&o), 1);
	json_object_put(end);
	ctlclient_close(a);
	ctlclient_close(b);
}

static void
test_refused_key(void **state)
{
	struct fixture		*f = *state;
	struct keys_client	 kc = t_keys(f, "operator");
	char			 pub[41], sec[41];

	assert_int_equal(zmq_curve_keypair(pub, sec), 0);
	memcpy(kc.public, pub, sizeof(pub));
	memcpy(kc.secret, sec, sizeof(sec));
	assert_true(t_open_fails(f->sd.endpoint, &kc, 2000, EACCES,
	    "refused our key") < 2000);
	usleep(100 * 1000);
	assert_true(f->naudit >= 1);
	assert_non_null(strstr(f->audit[0], " connect denied: unknown key"));
}

static void
test_no_daemon(void **state)
{
	struct fixture		*f = *state;
	struct keys_client	 kc = t_keys(f, "operator");
	char			 ep[200], path[160];
	FILE			*fp;

	snprintf(ep, sizeof(ep), "ipc://%s/none.ctl", f->sd.dir);
	t_open_fails(ep, &kc, 2000, ENOENT, "none.ctl");
	/* a socket file left behind with nobody listening */
	snprintf(path, sizeof(path), "%s/stale.ctl", f->sd.dir);
	snprintf(ep, sizeof(ep), "ipc://%s", path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_true(t_open_fails(ep, &kc, 300, ETIMEDOUT, "stale.ctl") >= 300);
}

/* How many more sockets ctx takes (closed again, and reaped). */
static int
t_room(void *ctx)
{
	void	*s[64];
	int	 n = 0, i;

	usleep(100 * 1000);	/* the reaper's pace */
	while (n < 64 && (s[n] = zmq_socket(ctx, ZMQ_PAIR)) != NULL)
		n++;
	for (i = 0; i < n; i++)
		zmq_close(s[i]);
	usleep(100 * 1000);
	return n;
}

/*
 * A daemon at its context's socket limit (lgrd during a large wave):
 * the clients it cannot open fail, and take no socket away for good.
 */
static void
test_socket_limit(void **state)
{
	struct fixture		*f = *state;
	struct keys_client	 kc = t_keys(f, "viewer");
	struct ctlclient	*c;
	void			*ctx = zmq_ctx_new(), *fill[64];
	int			 room, n = 0, i;

	assert_non_null(ctx);
	assert_int_equal(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 16), 0);
	c = ctlclient_open(ctx, f->sd.endpoint, &kc, 2000);
	assert_non_null(c);		/* the context's threads are up */
	ctlclient_close(c);
	room = t_room(ctx);
	assert_true(room > 4);
	/* Room for one or two sockets: a client takes three. */
	for (int free = 1; free <= 2; free++) {
		usleep(100 * 1000);
		while (n < room - free)
			fill[n++] = zmq_socket(ctx, ZMQ_PAIR);
		for (i = 0; i < 5; i++)
			assert_null(ctlclient_open(ctx, f->sd.endpoint, &kc,
			    300));
		while (n > 0)
			zmq_close(fill[--n]);
	}
	assert_int_equal(t_room(ctx), room);
	c = ctlclient_open(ctx, f->sd.endpoint, &kc, 2000);
	assert_non_null(c);
	ctlclient_close(c);
	zmq_ctx_term(ctx);
}

/*
 * A client that gives up before its handshake ends (a busy daemon)
 * leaves the context working: ZeroMQ's I/O thread, which reports the
 * handshake to the client's monitor, must not wait for an end that is
 * gone.  Then a patient client of the same context is answered.
 */
static void
test_gave_up(void **state)
{
	struct fixture		*f = *state;
	struct keys_client	 kc = t_keys(f, "viewer");
	struct ctlclient	*c;
	void			*ctx = zmq_ctx_new();
	int			 i, rows, code;
	char			 text[64];

	assert_non_null(ctx);
	for (i = 0; i < 200; i++)
		ctlclient_close(ctlclient_open(ctx, f->sd.endpoint, &kc, 1));
	usleep(200 * 1000);	/* the late handshakes end */
	if ((c = ctlclient_open(ctx, f->sd.endpoint, &kc, 2000)) == NULL)
		fail_msg("after clients that gave up: %s",
		    ctlclient_errtext());	/* ctx left: it hangs */
	assert_int_equal(t_ask(c, "{\"req\":\"read\"}", &rows, &code, text,
	    sizeof(text)), 0);
	ctlclient_close(c);
	zmq_ctx_term(ctx);
}

/*
 * A daemon that stops with a request in flight: the client says so at
 * once (ECONNRESET), not after its time-out.  A client idle across the
 * daemon's restart is answered by the new one (the old connection's end
 * is no reason to fail its next request).
 */
static void
test_went_away(void **state)
{
	struct fixture		*f = *state;
	struct ctlclient	*a = t_open(f, "operator");
	struct ctlclient	*b = t_open(f, "viewer");
	struct json_object	*o = json_tokener_parse("{\"req\":\"peers\"}");
	char			 path[128], text[64];
	int			 rows, code;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ctlclient_send(a, o), 0);
	json_object_put(o);
	assert_null(ctlclient_recv(a, 200));	/* deferred: in flight */
	assert_int_equal(errno, ETIMEDOUT);
	ctlstandin_halt(&f->sd);
	ctlsrv_conn_release(&f->later);
	assert_null(ctlclient_recv(a, 10000));
	assert_int_equal(errno, ECONNRESET);
	assert_non_null(strstr(ctlclient_errtext(), "went away before it "
	    "answered"));
	ctlclient_close(a);
	snprintf(path, sizeof(path), "%s/t.ctl", f->sd.dir);
	assert_int_equal(ctlstandin_start(&f->sd, path), 0);
	assert_int_equal(t_ask(b, "{\"req\":\"read\"}", &rows, &code, text,
	    sizeof(text)), 0);
	assert_int_equal(rows, 1);
	ctlclient_close(b);
}

/* Closing the server removes its socket file; a bind in use fails. */
static void
test_close(void **state)
{
	struct fixture		*f = *state;
	struct keys_set		 ks;
	struct ctlsrv		*s;
	struct stat		 st;
	char			 ep[160];
	struct ctlsrv_conf	 conf = { .endpoint = ep, .keys = &ks,
				    .codec = &t_codec, .msgid = "TEST" };
	void			*ctx = zmq_ctx_new();

	assert_int_equal(keys_load_server(f->sd.dir, &ks), 0);
	snprintf(ep, sizeof(ep), "ipc://%s/own.ctl", f->sd.dir);
	s = ctlsrv_open(ctx, &conf);
	assert_non_null(s);
	assert_int_equal(stat(ep + 6, &st), 0);
	ctlsrv_close(s);
	assert_int_equal(stat(ep + 6, &st), -1);
	zmq_ctx_term(ctx);
	ctx = zmq_ctx_new();
	snprintf(ep, sizeof(ep), "tcp://300.0.0.1:1");
	assert_null(ctlsrv_open(ctx, &conf));
	assert_int_not_equal(errno, EADDRINUSE);
	zmq_ctx_term(ctx);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_daemon, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gave_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_went_away, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
