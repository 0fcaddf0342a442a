/*
 * residency.c: where the guest runs, as the hypervisor says ("The guest
 * can ask where it runs"): the hvd control protocol (hypervisor/hvd/hv_ctl.h),
 * a DEALER socket to ipc://LABDIR/hvd-MEMBER.ctl of the first member,
 * in topology order, whose hvd runs and answers.  Every member reads
 * the same cluster directory, so any one of them knows.
 *
 * The socket stays open between questions (the engine asks every few
 * seconds: a CURVE handshake each time cost hvd and the agents more
 * than the questions) and is closed when an answer did not come, so
 * that a late one never answers the next question.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "agent.h"
#include "hv_ctl.h"
#include "log.h"

#define RESIDENCY_TIMEOUT_MS	1000

typedef int (*residency_row_cb)(struct json_object *row, void *arg);

/* Is the hvd of that member running (its pid file names a process)? */
static bool
residency_member_alive(struct agent *a, const char *member, bool *any)
{
	char	path[PATH_MAX];
	int	alive;

	if (labname_hvd_pidfile(a->opts.labdir, member, path, sizeof(path)) ==
	    NULL || (alive = labname_pid_alive(path)) == -1)
		return false;
	*any = true;
	return alive == 1;
}

static void *
residency_connect(struct agent *a, const char *member)
{
	char	path[PATH_MAX], ep[PATH_MAX + 8];
	void	*s;
	int	zero = 0;

	if (labname_hvd_sock(a->opts.labdir, member, path, sizeof(path)) ==
	    NULL || labname_ipc(path, ep, sizeof(ep)) == NULL)
		return NULL;
	if ((s = zmq_socket(a->zctx, ZMQ_DEALER)) == NULL)
		return NULL;
	if (zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    keys_client_setup(s, &a->kc) == -1 || zmq_connect(s, ep) == -1) {
		zmq_close(s);
		return NULL;
	}
	return s;
}

void
residency_close(struct agent *a)
{
	if (a->hv_sock != NULL)
		zmq_close(a->hv_sock);
	a->hv_sock = NULL;
}

/* The open socket to member i's hvd, or a new one. */
static void *
residency_socket(struct agent *a, size_t i)
{
	if (a->hv_sock != NULL && a->hv_member == i)
		return a->hv_sock;
	residency_close(a);
	if ((a->hv_sock = residency_connect(a, a->conf.topo->members[i].
	    name)) != NULL)
		a->hv_member = i;
	return a->hv_sock;
}

/* Every data row to cb; 0 at the end, -1 on error or silence. */
static int
residency_answer(void *s, const char *member, residency_row_cb cb, void *arg)
{
	zmq_pollitem_t		 it = { s, 0, ZMQ_POLLIN, 0 };
	struct json_object	*o;
	const char		*text;
	int			 code, t;

	for (;;) {
		if (zmq_poll(&it, 1, RESIDENCY_TIMEOUT_MS) <= 0 ||
		    (o = msg_recv_json(s)) == NULL) {
			log_debug("%s hvd of %s: no answer", GA_MSG_HV, member);
			return -1;
		}
		if ((t = msg_terminator(o, &code, &text)) != 0) {
			if (t == -1)
				log_debug("%s hvd of %s: %s (%d)", GA_MSG_HV,
				    member, text, code);
			json_object_put(o);
			return t == 1 ? 0 : -1;
		}
		cb(o, arg);
		json_object_put(o);
	}
}

/*
 * Ask members in order until one answers completely.  Returns 0, or -1
 * with errno EHOSTUNREACH (none answered) or ENXIO (the lab has no
 * hypervisor: no member ever wrote a pid file).
 */
static int
residency_ask(struct agent *a, const struct hv_request *rq,
    residency_row_cb cb, void *arg)
{
	struct json_object	*req;
	const char		*member;
	size_t			 i;
	void			*s;
	bool			 any = false;
	int			 rc;

	if ((req = hv_request_encode(rq)) == NULL)
		return -1;
	for (i = 0; i < a->conf.topo->nmembers; i++) {
		member = a->conf.topo->members[i].name;
		if (!residency_member_alive(a, member, &any) ||
		    (s = residency_socket(a, i)) == NULL)
			continue;
		rc = msg_send_json(s, req, ZMQ_DONTWAIT) == -1 ? -1 :
		    residency_answer(s, member, cb, arg);
		if (rc == -1)
			residency_close(a);
		if (rc == 0) {
			json_object_put(req);
			return 0;
		}
	}
	json_object_put(req);
	errno = any ? EHOSTUNREACH : ENXIO;
	return -1;
}

struct residency_where_arg {
	char	member[MSG_NAME_MAX];
	char	state[32];
	bool	seen;
};

static int
residency_where_row(struct json_object *row, void *arg)
{
	struct residency_where_arg	*w = arg;

	if (msg_get_name(row, "member", true, w->member) != 0 ||
	    msg_get_str(row, "state", true, w->state, sizeof(w->state)) != 0)
		return -1;
	w->seen = true;
	return 0;
}

/*
 * The member index the guest runs on, its residency state ("RUNNING",
 * "RELOCATING", ...) in state.  In a lab without a hypervisor (no hvd
 * ever ran) nothing can move the guest: it runs where the topology put
 * it.  Returns -1 with errno EHOSTUNREACH (no hvd answered), ENOENT (no
 * residency, or a member the topology does not know).
 */
int
residency_where(struct agent *a, char *state, size_t len)
{
	struct hv_request		rq;
	struct residency_where_arg	w;
	int				m;

	memset(&w, 0, sizeof(w));
	hv_request_init(&rq, HV_REQ_WHERE);
	snprintf(rq.guest, sizeof(rq.guest), "%s", config_guest_name(&a->conf));
	if (residency_ask(a, &rq, residency_where_row, &w) == -1) {
		if (errno != ENXIO)
			return -1;
		snprintf(state, len, "RUNNING");
		return a->conf.topo->guests[a->conf.guest].member;
	}
	if (!w.seen || (m = config_member_find(&a->conf, w.member)) == -1) {
		errno = ENOENT;
		return -1;
	}
	snprintf(state, len, "%s", w.state);
	return m;
}

struct residency_guests_arg {
	struct agent	*a;
	int		 member;
	bool		*on;
	size_t		 n;
};

static int
residency_guests_row(struct json_object *row, void *arg)
{
	struct residency_guests_arg	*g = arg;
	char				 name[MSG_NAME_MAX];
	char				 member[MSG_NAME_MAX];
	char				 state[32];
	int				 i;

	if (msg_get_name(row, "name", true, name) != 0 ||
	    msg_get_name(row, "member", true, member) != 0 ||
	    msg_get_str(row, "state", true, state, sizeof(state)) != 0)
		return -1;
	if ((i = topo_guest_find(g->a->conf.topo, name)) == -1 ||
	    (size_t)i >= g->n)
		return 0;
	g->on[i] = config_member_find(&g->a->conf, member) == g->member &&
	    strcmp(state, "RUNNING") == 0;
	return 0;
}

/*
 * on[g] = guest g (topology index) runs on member; n = the size of on.
 * Without a hypervisor, the topology's placement.  Returns 0, or -1 with
 * errno EHOSTUNREACH (no hvd answered).
 */
int
residency_guests_on(struct agent *a, int member, bool *on, size_t n)
{
	struct hv_request		rq;
	struct residency_guests_arg	g = { a, member, on, n };

	size_t				i;

	memset(on, 0, n * sizeof(*on));
	hv_request_init(&rq, HV_REQ_GUESTS);
	if (residency_ask(a, &rq, residency_guests_row, &g) == 0)
		return 0;
	if (errno != ENXIO)
		return -1;
	for (i = 0; i < n && i < a->conf.topo->nguests; i++)	/* no hvd */
		on[i] = a->conf.topo->guests[i].member == member;
	return 0;
}
