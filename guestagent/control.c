/*
 * control.c: the agent's control socket, a CURVE-authenticated ROUTER at
 * ipc://LABDIR/GUEST/agent.ctl (protocol in agent_client.h).
 *
 * The ZAP handler admits the lab's keys and names each client's role;
 * prepare and complete are the orchestrator's alone, status is for the
 * orchestrator, operators and viewers.  A prepare or complete is
 * answered when it ends, possibly many loop turns later: its client's
 * routing id is kept in the operation (struct control_client).
 *
 * The sockets are this file's singletons, touched only from the main
 * loop.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "agent.h"
#include "log.h"

static void	*control_sock;
static void	*control_zapsock;
static char	 control_path[PATH_MAX];

int
control_open(struct agent *a)
{
	char	ep[PATH_MAX + 8];
	int	zero = 0;

	if ((size_t)snprintf(control_path, sizeof(control_path), "%s/%s",
	    a->nodedir, AGENT_SOCK_NAME) >= sizeof(control_path)) {
		log_warnx("%s %s: path too long", GA_MSG_SOCKET, a->nodedir);
		return -1;
	}
	snprintf(ep, sizeof(ep), "ipc://%s", control_path);
	if ((control_zapsock = keys_zap_open(a->zctx)) == NULL ||
	    (control_sock = zmq_socket(a->zctx, ZMQ_ROUTER)) == NULL ||
	    keys_server_setup(control_sock, &a->keys) == -1 ||
	    zmq_setsockopt(control_sock, ZMQ_LINGER, &zero, sizeof(zero)) ==
	    -1) {
		log_warnx("%s %s: %s", GA_MSG_SOCKET, ep,
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	unlink(control_path);
	if (zmq_bind(control_sock, ep) == -1) {
		log_warnx("%s %s: %s", GA_MSG_SOCKET, ep,
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

void
control_close(struct agent *a)
{
	(void)a;
	if (control_sock != NULL) {
		zmq_close(control_sock);
		unlink(control_path);
	}
	if (control_zapsock != NULL)
		zmq_close(control_zapsock);
	control_sock = control_zapsock = NULL;
}

void *
control_socket(void)
{
	return control_sock;
}

void *
control_zap_socket(void)
{
	return control_zapsock;
}

/* A client can loop: at most one line a second per kind. */
static bool
control_log_allowed(time_t *last)
{
	time_t	now = time(NULL);

	if (now == *last)
		return false;
	*last = now;
	return true;
}

static void
control_zap_audit(const struct keys_zap_result *r, void *arg)
{
	static time_t	last;

	(void)arg;
	if (r->accepted || !control_log_allowed(&last))
		return;
	log_warnx("%s %s client %s refused: unknown key %.8s",
	    GA_MSG_AUTH_REFUSED, r->mechanism, r->address[0] ? r->address :
	    "(local)", r->public[0] ? r->public : "(none)");
}

void
control_zap(struct agent *a)
{
	if (keys_zap_handle(control_zapsock, &a->keys, control_zap_audit,
	    NULL) == -1)
		log_debug("ZAP request: %s", zmq_strerror(zmq_errno()));
}

/* The routing id stays a valid (empty) message: closing it is safe. */
void
control_client_release(struct control_client *cl)
{
	if (cl->valid) {
		zmq_msg_close(&cl->id);
		zmq_msg_init(&cl->id);
	}
	cl->valid = false;
}

/* An operation takes over the answer owed to src. */
void
control_client_move(struct control_client *dst, struct control_client *src)
{
	zmq_msg_init(&dst->id);
	zmq_msg_move(&dst->id, &src->id);
	snprintf(dst->role, sizeof(dst->role), "%s", src->role);
	dst->valid = src->valid;
	src->valid = false;
}

static int
control_send(struct control_client *cl, struct json_object *o)
{
	zmq_msg_t	id;

	zmq_msg_init(&id);
	zmq_msg_copy(&id, &cl->id);
	if (zmq_msg_send(&id, control_sock, ZMQ_SNDMORE) == -1) {
		zmq_msg_close(&id);
		return -1;
	}
	return msg_send_json(control_sock, o, 0);
}

/* The data frame (may be NULL) and the end; takes data. */
void
control_answer(struct control_client *cl, struct json_object *data)
{
	struct json_object	*end;

	if (!cl->valid) {
		json_object_put(data);
		return;
	}
	if (data != NULL && control_send(cl, data) == -1)
		log_debug("answer not sent: %s", zmq_strerror(zmq_errno()));
	json_object_put(data);
	end = json_object_new_object();
	json_object_object_add(end, "end", json_object_new_boolean(1));
	control_send(cl, end);
	json_object_put(end);
	control_client_release(cl);
}

void
control_fail(struct control_client *cl, int code, const char *fmt, ...)
{
	struct json_object	*o;
	char			 text[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!cl->valid)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_int(code));
	json_object_object_add(o, "text", json_object_new_string(text));
	control_send(cl, o);
	json_object_put(o);
	control_client_release(cl);
}

static bool
control_role_may(const char *role, enum agent_req req)
{
	if (agent_req_changes(req))
		return strcmp(role, "orchestrator") == 0;
	if (req == AGENT_REQ_VERBOSE)
		return strcmp(role, "orchestrator") == 0 ||
		    strcmp(role, "operator") == 0;
	return strcmp(role, "orchestrator") == 0 ||
	    strcmp(role, "operator") == 0 || strcmp(role, "viewer") == 0;
}

static void
control_verbose(struct agent *a, const struct agent_request *rq,
    struct control_client *cl)
{
	(void)a;
	log_setverbose((int)rq->level);
	log_info("log verbosity %d, set by %s", (int)rq->level, cl->role);
	control_answer(cl, NULL);
}

static void
control_dispatch(struct agent *a, const struct agent_request *rq,
    struct control_client *cl)
{
	switch (rq->type) {
	case AGENT_REQ_PREPARE:
		prepare_start(a, rq, cl);
		break;
	case AGENT_REQ_COMPLETE:
		if (a->fsm.op == FSM_OP_PREPARE)
			prepare_abort(a, "a complete request arrived");
		complete_start(a, rq, cl, NULL);
		break;
	case AGENT_REQ_STATUS:
		control_answer(cl, report_status(a));
		break;
	case AGENT_REQ_VERBOSE:
		control_verbose(a, rq, cl);
		break;
	default:
		control_fail(cl, AGENT_E_BADREQ, "unknown request");
		break;
	}
}

static void
control_serve(struct agent *a, struct control_client *cl, zmq_msg_t *m)
{
	static time_t		 last_denied, last_bad;
	struct agent_request	 rq;
	const char		*user;

	user = zmq_msg_gets(m, "User-Id");
	snprintf(cl->role, sizeof(cl->role), "%s", user != NULL ? user :
	    "none");
	if (agent_request_decode(zmq_msg_data(m), zmq_msg_size(m), &rq) ==
	    -1) {
		if (control_log_allowed(&last_bad))
			log_warnx("%s bad request from %s: %s", GA_MSG_BADREQ,
			    cl->role, agent_proto_errtext());
		control_fail(cl, AGENT_E_BADREQ, "bad request: %s",
		    agent_proto_errtext());
		return;
	}
	if (!control_role_may(cl->role, rq.type)) {
		if (control_log_allowed(&last_denied))
			log_warnx("%s %s refused for role %s",
			    GA_MSG_AUTH_DENIED, agent_req_name(rq.type),
			    cl->role);
		control_fail(cl, AGENT_E_DENIED, "role %s may not %s: %s",
		    cl->role, agent_req_name(rq.type),
		    agent_req_changes(rq.type) ? "only the orchestrator may" :
		    "orchestrator, operator or viewer may");
		return;
	}
	control_dispatch(a, &rq, cl);
}

/* One request from the ROUTER socket: [routing id][request]. */
void
control_read(struct agent *a)
{
	struct control_client	cl;
	zmq_msg_t		m, x;
	int			more = 0;
	size_t			len = sizeof(more);

	memset(&cl, 0, sizeof(cl));
	zmq_msg_init(&cl.id);
	zmq_msg_init(&m);
	if (zmq_msg_recv(&cl.id, control_sock, ZMQ_DONTWAIT) == -1)
		goto out;
	cl.valid = true;
	zmq_getsockopt(control_sock, ZMQ_RCVMORE, &more, &len);
	if (!more || zmq_msg_recv(&m, control_sock, 0) == -1)
		goto out;
	zmq_getsockopt(control_sock, ZMQ_RCVMORE, &more, &len);
	while (more) {			/* a request is one frame */
		zmq_msg_init(&x);
		zmq_msg_recv(&x, control_sock, 0);
		zmq_msg_close(&x);
		zmq_getsockopt(control_sock, ZMQ_RCVMORE, &more, &len);
	}
	control_serve(a, &cl, &m);
out:
	zmq_msg_close(&m);
	zmq_msg_close(&cl.id);
}
