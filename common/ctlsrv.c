/*
 * ctlsrv.c: the control socket core (ctlsrv.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctlsrv.h"
#include "log.h"

struct ctlsrv {
	struct ctlsrv_conf	 conf;
	void			*sock;
	void			*zap;
	char			 path[512];	/* ipc socket file, or "" */
	char			 msgid[16];
	time_t			 last_denied;	/* rate limits of the log */
	time_t			 last_bad;
};

/* At most one log line a second per kind: a peer can loop. */
static bool
ctlsrv_log_allowed(time_t *last)
{
	time_t	now = time(NULL);

	if (now == *last)
		return false;
	*last = now;
	return true;
}

static void
ctlsrv_audit(struct ctlsrv *s, const char *who, const char *what,
    const char *args, const char *result)
{
	if (s->conf.audit != NULL)
		s->conf.audit(s->conf.audit_arg, who, what, args, result);
}

struct ctlsrv *
ctlsrv_open(void *zctx, const struct ctlsrv_conf *conf)
{
	struct ctlsrv	*s;
	int		 zero = 0, saved;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->conf = *conf;
	snprintf(s->msgid, sizeof(s->msgid), "%s", conf->msgid);
	if (strncmp(conf->endpoint, "ipc://", 6) == 0)
		snprintf(s->path, sizeof(s->path), "%s", conf->endpoint + 6);
	if ((s->zap = keys_zap_open(zctx)) == NULL ||
	    (s->sock = zmq_socket(zctx, ZMQ_ROUTER)) == NULL ||
	    keys_server_setup(s->sock, conf->keys) == -1 ||
	    zmq_setsockopt(s->sock, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_setsockopt(s->sock, ZMQ_AFFINITY, &conf->affinity,
	    sizeof(conf->affinity)) == -1 ||
	    zmq_bind(s->sock, conf->endpoint) == -1) {
		saved = zmq_errno();
		log_warnx("control socket %s: %s", conf->endpoint,
		    zmq_strerror(saved));
		s->path[0] = '\0';	/* not ours to remove */
		ctlsrv_close(s);
		errno = saved;
		return NULL;
	}
	return s;
}

void
ctlsrv_close(struct ctlsrv *s)
{
	if (s == NULL)
		return;
	if (s->sock != NULL)
		zmq_close(s->sock);
	if (s->zap != NULL)
		zmq_close(s->zap);
	if (s->path[0] != '\0')
		unlink(s->path);
	free(s);
}

void *
ctlsrv_socket(struct ctlsrv *s)
{
	return s->sock;
}

void *
ctlsrv_zap_socket(struct ctlsrv *s)
{
	return s->zap;
}

static void
ctlsrv_zap_result(const struct keys_zap_result *r, void *arg)
{
	struct ctlsrv	*s = arg;
	char		 who[64];

	if (r->accepted)
		return;
	snprintf(who, sizeof(who), "unknown:%.8s", r->public[0] ? r->public :
	    r->mechanism);
	ctlsrv_audit(s, who, "connect", r->address, "denied: unknown key");
	if (ctlsrv_log_allowed(&s->last_denied))
		log_warnx("[%s-AUTH-DENIED] %s client %s refused: unknown key",
		    s->msgid, r->mechanism, who);
}

int
ctlsrv_zap(struct ctlsrv *s)
{
	return keys_zap_handle(s->zap, s->conf.keys, ctlsrv_zap_result, s);
}

bool
ctlsrv_may_default(enum keys_role role, int type, bool writes)
{
	(void)type;
	if (role == KEYS_ROLE_NONE)
		return false;
	return !writes || role == KEYS_ROLE_OPERATOR ||
	    role == KEYS_ROLE_ORCHESTRATOR || role == KEYS_ROLE_SERVER;
}

static enum keys_role
ctlsrv_role(const char *user)
{
	static const enum keys_role	roles[] = { KEYS_ROLE_VIEWER,
	    KEYS_ROLE_OPERATOR, KEYS_ROLE_SERVER, KEYS_ROLE_ORCHESTRATOR };
	size_t				i;

	for (i = 0; user != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(user, keys_role_name(roles[i])) == 0)
			return roles[i];
	return KEYS_ROLE_NONE;
}

static void
ctlsrv_conn_fill(struct ctlsrv *s, struct ctlsrv_conn *c, zmq_msg_t *m)
{
	size_t	n = zmq_msg_size(m);

	c->srv = s;
	c->valid = true;
	c->role = ctlsrv_role(zmq_msg_gets(m, "User-Id"));
	snprintf(c->who, sizeof(c->who), "%s", keys_role_name(c->role));
	if (n >= sizeof(c->args))
		n = sizeof(c->args) - 1;
	memcpy(c->args, zmq_msg_data(m), n);
	c->args[n] = '\0';
}

/* Decode and check the role; 1: the daemon answers, 0: answered here. */
static int
ctlsrv_serve(struct ctlsrv *s, struct ctlsrv_conn *c, zmq_msg_t *m, void *rq)
{
	const struct codec	*cd = s->conf.codec;
	ctlsrv_may_fn		 may = s->conf.may != NULL ? s->conf.may :
				    ctlsrv_may_default;
	bool			 writes;

	c->type = -1;		/* not audited until decoded */
	if (codec_decode(cd, zmq_msg_data(m), zmq_msg_size(m), rq) == -1) {
		if (ctlsrv_log_allowed(&s->last_bad))
			log_warnx("[%s-BADREQ] bad request from %s: %s",
			    s->msgid, c->who, msg_errtext());
		ctlsrv_error(c, errno == EINVAL ? REPLY_E_BADARG :
		    errno == ENOSYS ? REPLY_E_BADREQ : REPLY_E_BADMSG,
		    "bad request: %s", msg_errtext());
		return 0;
	}
	c->type = *(int *)(void *)((char *)rq + cd->type_off);
	writes = codec_writes(cd, c->type);
	if (!may(c->role, c->type, writes)) {
		if (ctlsrv_log_allowed(&s->last_denied))
			log_warnx("[%s-AUTH-REFUSED] %s may not %s", s->msgid,
			    c->who, codec_name(cd, c->type));
		ctlsrv_error(c, REPLY_E_DENIED, "role %s may not %s",
		    c->who, codec_name(cd, c->type));
		return 0;
	}
	return 1;
}

int
ctlsrv_recv(struct ctlsrv *s, struct ctlsrv_conn *c, void *rq)
{
	zmq_msg_t	m;
	int		rc;

	memset(c, 0, sizeof(*c));
	zmq_msg_init(&c->id);
	zmq_msg_init(&m);
	if (msg_recv_routed(s->sock, &c->id, &m) == -1) {
		rc = errno == EAGAIN ? -1 : 0;
		zmq_msg_close(&m);
		ctlsrv_conn_release(c);
		if (rc == -1)
			errno = EAGAIN;
		return rc;
	}
	ctlsrv_conn_fill(s, c, &m);
	rc = ctlsrv_serve(s, c, &m, rq);
	zmq_msg_close(&m);
	return rc;
}

int
ctlsrv_data(struct ctlsrv_conn *c, struct json_object *o)
{
	int	rc = -1;

	if (c->valid && o != NULL)
		rc = msg_send_routed(c->srv->sock, &c->id, o);
	json_object_put(o);
	return rc;
}

int
ctlsrv_rows(struct ctlsrv_conn *c, struct json_object *arr)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; c->valid && arr != NULL &&
	    i < json_object_array_length(arr); i++)
		if (msg_send_routed(c->srv->sock, &c->id,
		    json_object_array_get_idx(arr, i)) == -1)
			rc = -1;
	json_object_put(arr);
	return rc;
}

int
ctlsrv_end(struct ctlsrv_conn *c)
{
	struct json_object	*o;
	int			 rc;

	if (!c->valid)
		return -1;
	o = json_object_new_object();
	json_object_object_add(o, "end", json_object_new_boolean(1));
	rc = ctlsrv_data(c, o);
	ctlsrv_conn_release(c);
	return rc;
}

int
ctlsrv_done(struct ctlsrv_conn *c, const char *result)
{
	if (c->srv != NULL && c->type >= 0)
		ctlsrv_audit(c->srv, c->who, codec_name(c->srv->conf.codec,
		    c->type), c->args, result);
	return ctlsrv_end(c);
}

int
ctlsrv_error(struct ctlsrv_conn *c, int code, const char *fmt, ...)
{
	struct json_object	*o;
	char			 text[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (c->srv != NULL && c->type >= 0 &&
	    codec_writes(c->srv->conf.codec, c->type))
		ctlsrv_audit(c->srv, c->who, codec_name(c->srv->conf.codec,
		    c->type), c->args, text);
	if (c->valid) {
		o = json_object_new_object();
		json_object_object_add(o, "error", json_object_new_int(code));
		json_object_object_add(o, "text", json_object_new_string(text));
		ctlsrv_data(c, o);
	}
	ctlsrv_conn_release(c);
	return -1;
}

void
ctlsrv_conn_move(struct ctlsrv_conn *dst, struct ctlsrv_conn *src)
{
	*dst = *src;
	zmq_msg_init(&dst->id);
	zmq_msg_move(&dst->id, &src->id);
	src->valid = false;
}

void
ctlsrv_conn_release(struct ctlsrv_conn *c)
{
	zmq_msg_close(&c->id);
	zmq_msg_init(&c->id);
	c->valid = false;
}
