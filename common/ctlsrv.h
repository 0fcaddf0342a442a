/*
 * ctlsrv.h: the control socket of every daemon (hvd, lgrd, guestagentd),
 * one core as BIRD keeps one CLI server for every client.
 *
 * A ctlsrv is a CURVE-authenticated ZeroMQ ROUTER socket plus the ZAP
 * handler of its context: a client key maps to a role (keys.h), an
 * unknown key is refused at the handshake (audited, logged at most once
 * a second).  Each request frame is decoded with the protocol's codec
 * (codec.h) and checked against the role policy before the daemon sees
 * it; a bad or refused request is answered here.
 *
 * The answer to a request is zero or more data frames and exactly one
 * terminator: {"end":true}, or {"error":CODE,"text":"..."} with a code
 * of reply.h.  A request that changes state (codec_writes) is written
 * to the audit log with its result, allowed or not.
 *
 * The daemon's loop polls ctlsrv_socket() and ctlsrv_zap_socket():
 *
 *	struct ctlsrv_conn	c;
 *	struct hv_request	rq;
 *	while (ctlsrv_recv(srv, &c, &rq) == 1)
 *		switch (rq.type) { case HV_REQ_WHERE: ...; ctlsrv_end(&c); }
 *
 * A request whose answer comes later moves its conn elsewhere
 * (ctlsrv_conn_move) and answers from there.  Only the thread that owns
 * the socket may call these functions.
 */
#ifndef LGR_CTLSRV_H
#define LGR_CTLSRV_H

#include <stdbool.h>
#include <zmq.h>

#include "codec.h"
#include "keys.h"
#include "reply.h"

struct ctlsrv;

/* One request being answered. */
struct ctlsrv_conn {
	struct ctlsrv	*srv;
	zmq_msg_t	 id;		/* the client's routing id */
	bool		 valid;		/* an answer is still owed */
	enum keys_role	 role;
	char		 who[24];	/* role name, for logs and audit */
	int		 type;		/* request type (codec) */
	char		 args[256];	/* the request as received, cut */
};

/*
 * The audit hook: one call per state change (who, request name, its
 * arguments, result text) and per refused connection ("connect").
 */
typedef void (*ctlsrv_audit_fn)(void *arg, const char *who, const char *what,
    const char *args, const char *result);
/* May role send a request of this type?  Default: ctlsrv_may_default. */
typedef bool (*ctlsrv_may_fn)(enum keys_role role, int type, bool writes);

struct ctlsrv_conf {
	const char		*endpoint;	/* "ipc://PATH" or "tcp://..." */
	const struct keys_set	*keys;
	const struct codec	*codec;
	const char		*msgid;		/* "HV": [HV-AUTH-DENIED] */
	ctlsrv_audit_fn		 audit;		/* NULL: none */
	void			*audit_arg;
	ctlsrv_may_fn		 may;		/* NULL: ctlsrv_may_default */
	uint64_t		 affinity;	/* ZMQ_AFFINITY; 0: any I/O thread */
};

/*
 * Bind the socket and the context's ZAP handler.  Returns NULL with
 * errno (zmq's, or that of a bind: EADDRINUSE) after logging which
 * endpoint failed.
 */
struct ctlsrv	*ctlsrv_open(void *zctx, const struct ctlsrv_conf *conf);
/* Close both sockets; an ipc:// socket file is removed. */
void		 ctlsrv_close(struct ctlsrv *s);
void		*ctlsrv_socket(struct ctlsrv *s);
void		*ctlsrv_zap_socket(struct ctlsrv *s);
/* Answer one ZAP request (its socket is readable): 0 or -1 (errno). */
int		 ctlsrv_zap(struct ctlsrv *s);

/*
 * Receive one request without waiting.  Returns 1 with c and rq (the
 * codec's request struct) filled: the daemon must answer it; 0 when a
 * frame was taken and already answered (malformed, unknown request,
 * role refused); -1 with errno EAGAIN when nothing waits.
 */
int		 ctlsrv_recv(struct ctlsrv *s, struct ctlsrv_conn *c, void *rq);

/* Reads for every known role; writes for operator, orchestrator, server. */
bool		 ctlsrv_may_default(enum keys_role role, int type,
		    bool writes);

/*
 * Answers.  ctlsrv_data() sends one data frame and takes o;
 * ctlsrv_rows() sends each element of the array arr and takes it (NULL:
 * nothing).  ctlsrv_end(), ctlsrv_done() and ctlsrv_error() send the
 * terminator and release c; ctlsrv_done() audits result first;
 * ctlsrv_error() audits its text when the request writes and returns -1.
 * Answers to a released conn are dropped.  The others return 0, or -1
 * when zmq could not send.
 */
int		 ctlsrv_data(struct ctlsrv_conn *c, struct json_object *o);
int		 ctlsrv_rows(struct ctlsrv_conn *c, struct json_object *arr);
int		 ctlsrv_end(struct ctlsrv_conn *c);
int		 ctlsrv_done(struct ctlsrv_conn *c, const char *result);
int		 ctlsrv_error(struct ctlsrv_conn *c, int code, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
/* dst takes over the answer owed by src (src is released). */
void		 ctlsrv_conn_move(struct ctlsrv_conn *dst,
		    struct ctlsrv_conn *src);
/* Drop the answer owed (the client gets none); safe to call twice. */
void		 ctlsrv_conn_release(struct ctlsrv_conn *c);

#endif
