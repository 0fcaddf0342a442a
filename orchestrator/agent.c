/*
 * agent.c: lgrd as the client of a guest's agent (guestagentd), at
 * ipc://LABDIR/GUEST/agent.ctl with the orchestrator key, the only one
 * the agents accept for prepare and complete.  One connection per
 * request: a move thread talks to one agent at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"

#define AGENT_SLACK_MS	5000	/* beyond the request's own timeout */

static void *
agent_connect(struct lgrd *d, const char *guest, int timeout_ms)
{
	char	ep[PATH_MAX + 64];
	int	zero = 0;
	void	*s;

	snprintf(ep, sizeof(ep), "ipc://%s/%s/agent.ctl", d->opts.labdir,
	    guest);
	if ((s = zmq_socket(d->zctx, ZMQ_DEALER)) == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (keys_client_setup(s, &d->kc) == -1 || zmq_connect(s, ep) == -1) {
		zmq_close(s);
		return NULL;
	}
	return s;
}

static const char *
agent_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "";
}

static bool
agent_bool(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) && v != NULL &&
	    json_object_get_boolean(v);
}

static void
agent_fill(struct agent_result *r, struct json_object *o)
{
	struct json_object	*v;

	snprintf(r->up, sizeof(r->up), "%s", agent_str(o, "up"));
	r->timed_out = agent_bool(o, "timed_out");
	r->full = agent_bool(o, "full");
	r->alone = agent_bool(o, "alone");
	if (json_object_object_get_ex(o, "ms", &v) && v != NULL)
		r->ms = json_object_get_double(v);
}

/* One request, its answer into r; 0 or -1 (r->error says why). */
static int
agent_request(struct lgrd *d, const char *guest, struct json_object *req,
    int timeout_ms, struct agent_result *r)
{
	struct json_object	*o;
	const char		*text;
	void			*s;
	int			 t, code;

	memset(r, 0, sizeof(*r));
	if ((s = agent_connect(d, guest, timeout_ms)) == NULL ||
	    msg_send_json(s, req, 0) == -1) {
		snprintf(r->error, sizeof(r->error), "agent of %s: %s", guest,
		    zmq_strerror(zmq_errno()));
		goto out;
	}
	for (;;) {
		if ((o = msg_recv_json(s)) == NULL) {
			snprintf(r->error, sizeof(r->error), "agent of %s does "
			    "not answer within %d ms (%.80s/%s/agent.ctl)",
			    guest, timeout_ms, d->opts.labdir, guest);
			goto out;
		}
		if ((t = msg_terminator(o, &code, &text)) != 0)
			break;
		agent_fill(r, o);
		json_object_put(o);
	}
	if (t == -1)
		snprintf(r->error, sizeof(r->error), "agent of %s: %s (%d)",
		    guest, text, code);
	else
		r->ok = true;
	json_object_put(o);
out:
	if (s != NULL)
		zmq_close(s);
	json_object_put(req);
	return r->ok ? 0 : -1;
}

int
agent_prepare(struct lgrd *d, const char *guest, const char *const *peers,
    size_t npeers, unsigned timeout_ms, struct agent_result *r)
{
	struct json_object	*req = json_object_new_object();
	struct json_object	*arr = json_object_new_array();

	json_object_object_add(req, "req", json_object_new_string("prepare"));
	for (size_t i = 0; i < npeers; i++)
		json_object_array_add(arr, json_object_new_string(peers[i]));
	json_object_object_add(req, "peers", arr);
	json_object_object_add(req, "timeout_ms",
	    json_object_new_int((int)timeout_ms));
	return agent_request(d, guest, req, (int)timeout_ms + AGENT_SLACK_MS,
	    r);
}

int
agent_complete(struct lgrd *d, const char *guest, struct agent_result *r)
{
	struct json_object	*req = json_object_new_object();

	json_object_object_add(req, "req", json_object_new_string("complete"));
	json_object_object_add(req, "timeout_ms",
	    json_object_new_int((int)d->opts.converge_timeout_ms));
	return agent_request(d, guest, req, (int)d->opts.converge_timeout_ms +
	    AGENT_SLACK_MS, r);
}

int
agent_ping(struct lgrd *d, const char *guest, char *err, size_t len)
{
	struct json_object	*req = json_object_new_object();
	struct agent_result	 r;
	char			 path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s/agent.ctl", d->opts.labdir, guest);
	if (access(path, F_OK) == -1) {
		json_object_put(req);
		snprintf(err, len, "no guest agent runs in %s (%.200s missing)",
		    guest, path);
		return -1;
	}
	json_object_object_add(req, "req", json_object_new_string("status"));
	if (agent_request(d, guest, req, 3000, &r) == -1) {
		snprintf(err, len, "%s", r.error);
		return -1;
	}
	return 0;
}
