/*
 * ctlclient.c: the client end of a control socket (ctlclient.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "clock.h"
#include "ctlclient.h"
#include "msg.h"

struct ctlclient {
	void	*ctx;		/* ours when the caller gave none */
	void	*sock;
	void	*mon;		/* PAIR end of the socket monitor */
	char	 endpoint[512];
};

static _Thread_local char	ctlclient_err[640];

static int
ctlclient_fail(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
ctlclient_fail(int err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(ctlclient_err, sizeof(ctlclient_err), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

const char *
ctlclient_errtext(void)
{
	return ctlclient_err;
}

void *
ctlclient_socket(struct ctlclient *c)
{
	return c->sock;
}

void
ctlclient_close(struct ctlclient *c)
{
	if (c == NULL)
		return;
	/*
	 * The monitor first.  ZeroMQ's I/O thread sends the monitor's events
	 * and waits while nobody can take them: a handshake that ends after
	 * we gave up on it (a busy daemon) would find our end closed and
	 * block the context's I/O thread for good, and with it every socket
	 * of the process.
	 */
	if (c->sock != NULL)
		zmq_socket_monitor(c->sock, NULL, 0);
	if (c->mon != NULL)
		zmq_close(c->mon);
	if (c->sock != NULL)
		zmq_close(c->sock);
	if (c->ctx != NULL)
		zmq_ctx_term(c->ctx);
	free(c);
}

/* One monitor event: its number, or -1 on nothing within ms. */
static int
ctlclient_event(struct ctlclient *c, int ms)
{
	zmq_pollitem_t	it = { c->mon, 0, ZMQ_POLLIN, 0 };
	zmq_msg_t	m;
	uint16_t	ev = 0;

	if (zmq_poll(&it, 1, ms) <= 0)
		return -1;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, c->mon, 0) == -1) {
		zmq_msg_close(&m);
		return -1;
	}
	if (zmq_msg_size(&m) >= sizeof(ev))
		memcpy(&ev, zmq_msg_data(&m), sizeof(ev));
	while (zmq_msg_more(&m))	/* the endpoint frame */
		if (zmq_msg_recv(&m, c->mon, 0) == -1)
			break;
	zmq_msg_close(&m);
	return ev;
}

static bool
ctlclient_auth_failed(int ev)
{
	return ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ||
	    ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
}

/* Wait for the CURVE handshake: 0, or -1 (ETIMEDOUT, EACCES). */
static int
ctlclient_handshake(struct ctlclient *c, int ms)
{
	uint64_t	deadline = clock_ms() + (uint64_t)ms;
	int		ev;

	for (;;) {
		uint64_t	now = clock_ms();

		if (now >= deadline)
			break;
		ev = ctlclient_event(c, (int)(deadline - now));
		if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			return 0;
		if (ctlclient_auth_failed(ev))
			return ctlclient_fail(EACCES, "%s refused our key: "
			    "authentication failed", c->endpoint);
	}
	return ctlclient_fail(ETIMEDOUT, "no daemon answers at %s within "
	    "%d ms", c->endpoint, ms);
}

/* The sockets live in zctx: the caller's, or c->ctx. */
static int
ctlclient_connect(struct ctlclient *c, void *zctx,
    const struct keys_client *kc)
{
	static int	n;
	char		mon[64];
	int		zero = 0;

	snprintf(mon, sizeof(mon), "inproc://ctlclient-mon-%p-%d", (void *)c,
	    n++);
	if ((c->sock = zmq_socket(zctx, ZMQ_DEALER)) == NULL ||
	    keys_client_setup(c->sock, kc) == -1 ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_socket_monitor(c->sock, mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_DISCONNECTED) == -1 ||
	    (c->mon = zmq_socket(zctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(c->mon, mon) == -1 ||
	    zmq_connect(c->sock, c->endpoint) == -1)
		return ctlclient_fail(zmq_errno(), "%s: %s", c->endpoint,
		    zmq_strerror(zmq_errno()));
	return 0;
}

struct ctlclient *
ctlclient_open(void *zctx, const char *endpoint, const struct keys_client *kc,
    int connect_ms)
{
	struct ctlclient	*c;
	struct stat		 st;
	int			 saved;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ctlclient_fail(ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", endpoint);
	if (strncmp(endpoint, "ipc://", 6) == 0 &&
	    stat(endpoint + 6, &st) == -1) {
		ctlclient_fail(ENOENT, "no daemon at %s: %s", endpoint + 6,
		    strerror(errno));
		goto fail;
	}
	if (zctx == NULL && (zctx = c->ctx = zmq_ctx_new()) == NULL) {
		ctlclient_fail(zmq_errno(), "zmq: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (ctlclient_connect(c, zctx, kc) == -1 || ctlclient_handshake(c,
	    connect_ms > 0 ? connect_ms : CTLCLIENT_CONNECT_MS) == -1)
		goto fail;
	return c;
fail:
	saved = errno;
	ctlclient_close(c);
	errno = saved;
	return NULL;
}

int
ctlclient_send(struct ctlclient *c, struct json_object *req)
{
	int	ev;

	/*
	 * What happened to the connection since the last answer is no
	 * reason to fail this request (the daemon restarted in between: its
	 * old session ended, ZeroMQ connects again), but a key refused is.
	 */
	while ((ev = ctlclient_event(c, 0)) != -1)
		if (ctlclient_auth_failed(ev))
			return ctlclient_fail(EACCES, "%s refused our key: "
			    "authentication failed", c->endpoint);
	if (msg_send_json(c->sock, req, 0) == -1)
		return ctlclient_fail(zmq_errno(), "%s: send: %s", c->endpoint,
		    zmq_strerror(zmq_errno()));
	return 0;
}

struct json_object *
ctlclient_recv(struct ctlclient *c, int timeout_ms)
{
	zmq_pollitem_t		 it[2] = { { c->sock, 0, ZMQ_POLLIN, 0 },
				    { c->mon, 0, ZMQ_POLLIN, 0 } };
	struct json_object	*o;
	int			 rc, ev;

	for (;;) {
		rc = zmq_poll(it, 2, timeout_ms);
		if (rc == -1) {
			ctlclient_fail(zmq_errno(), "%s: %s", c->endpoint,
			    zmq_strerror(zmq_errno()));
			return NULL;
		}
		if (rc == 0) {
			ctlclient_fail(ETIMEDOUT, "no answer from %s within "
			    "%d ms", c->endpoint, timeout_ms);
			return NULL;
		}
		if (it[0].revents & ZMQ_POLLIN)
			break;
		ev = ctlclient_event(c, 0);
		if (ctlclient_auth_failed(ev)) {	/* a reconnect's */
			ctlclient_fail(EACCES, "%s refused our key: "
			    "authentication failed", c->endpoint);
			return NULL;
		}
		/* The session that carried the request ended: its answer
		 * cannot come, whatever time is left. */
		if (ev == ZMQ_EVENT_DISCONNECTED) {
			ctlclient_fail(ECONNRESET, "%s went away before it "
			    "answered (the daemon stopped or restarted)",
			    c->endpoint);
			return NULL;
		}
	}
	if ((o = msg_recv_json(c->sock)) == NULL)
		ctlclient_fail(EBADMSG, "%s: an answer that is not a JSON "
		    "object", c->endpoint);
	return o;
}

int
ctlclient_request(struct ctlclient *c, struct json_object *req,
    int timeout_ms, ctlclient_row_fn fn, void *arg, int *code, char *text,
    size_t textlen)
{
	struct json_object	*o;
	const char		*t;
	int			 rc;

	if (ctlclient_send(c, req) == -1)
		return -1;
	for (;;) {
		if ((o = ctlclient_recv(c, timeout_ms)) == NULL)
			return -1;
		if ((rc = msg_terminator(o, code, &t)) == 1) {
			json_object_put(o);
			return 0;
		}
		if (rc == -1) {
			snprintf(text, textlen, "%s", t);
			json_object_put(o);
			return 1;
		}
		if (fn != NULL)
			fn(o, arg);
		json_object_put(o);
	}
}
