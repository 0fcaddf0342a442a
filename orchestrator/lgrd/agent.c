/*
 * agent.c: lgrd as the client of a guest's agent (guestagentd), at
 * ipc://LABDIR/GUEST/agent.ctl with the orchestrator key, the only one
 * the agents accept for prepare and complete, through the agents'
 * client library (guestagent/agent_client.h).  One connection per
 * request: a move thread talks to one agent at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "agent_client.h"
#include "ctlclient.h"
#include "lgrd.h"
#include "log.h"

#define AGENT_SLACK_MS	5000	/* beyond the request's own timeout */
#define AGENT_MIN_MS	1000	/* for the answer, after a slow handshake */

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

/* One request, its answer into r (its data frame into *keep when not
 * NULL, for the caller to put); 0 or -1 (r->error says why). */
static int
agent_request(struct lgrd *d, const char *guest, const struct agent_request *rq,
    int timeout_ms, struct agent_result *r, struct json_object **keep)
{
	struct agent_client	*c;
	struct json_object	*data = NULL;
	const char		*text;
	char			 path[PATH_MAX];
	double			 t0 = lgrd_now_ms();
	int			 left;

	memset(r, 0, sizeof(*r));
	if (labname_agent_sock(d->opts.labdir, guest, path, sizeof(path)) ==
	    NULL) {
		snprintf(r->error, sizeof(r->error), "agent of %s: %s", guest,
		    strerror(errno));
		return -1;
	}
	/*
	 * The handshake shares the request's budget: on a busy machine a
	 * CURVE handshake can take seconds, and a prepare or complete
	 * that gives up there leaves the guest's routing undone.
	 */
	if ((c = agent_client_open(d->zctx, path, &d->kc, timeout_ms)) ==
	    NULL) {
		snprintf(r->error, sizeof(r->error), "agent of %s: %s", guest,
		    ctlclient_errtext());
		return -1;
	}
	left = timeout_ms - (int)(lgrd_now_ms() - t0);
	if (left < AGENT_MIN_MS)
		left = AGENT_MIN_MS;
	if (agent_client_request(c, rq, left, &data) == -1) {
		if (errno == EREMOTEIO) {
			r->code = agent_client_error(c, &text);
			snprintf(r->error, sizeof(r->error), "agent of %s: %s "
			    "(%d)", guest, text, r->code);
		} else
			snprintf(r->error, sizeof(r->error), "agent of %s: %s "
			    "(%s within %d ms)", guest, strerror(errno),
			    agent_req_name(rq->type), timeout_ms);
	} else {
		r->ok = true;
		if (data != NULL)
			agent_fill(r, data);
	}
	if (keep != NULL && r->ok)
		*keep = json_object_get(data);
	json_object_put(data);
	agent_client_close(c);
	return r->ok ? 0 : -1;
}

int
agent_prepare(struct lgrd *d, const char *guest, const char *const *peers,
    size_t npeers, unsigned timeout_ms, struct agent_result *r)
{
	struct agent_request	rq;

	agent_request_init(&rq, AGENT_REQ_PREPARE);
	for (size_t i = 0; i < npeers && i < AGENT_PEERS_MAX; i++)
		snprintf(rq.peers[rq.npeers++], MSG_NAME_MAX, "%s", peers[i]);
	rq.peers_given = true;
	rq.timeout_ms = timeout_ms;
	return agent_request(d, guest, &rq, (int)timeout_ms + AGENT_SLACK_MS,
	    r, NULL);
}

int
agent_complete(struct lgrd *d, const char *guest, const char *const *arriving,
    size_t narriving, struct agent_result *r)
{
	struct agent_request	rq;

	agent_request_init(&rq, AGENT_REQ_COMPLETE);
	for (size_t i = 0; i < narriving && i < AGENT_PEERS_MAX; i++)
		snprintf(rq.peers[rq.npeers++], MSG_NAME_MAX, "%s",
		    arriving[i]);
	rq.peers_given = narriving > 0;
	rq.timeout_ms = d->opts.converge_timeout_ms;
	return agent_request(d, guest, &rq, (int)d->opts.converge_timeout_ms +
	    AGENT_SLACK_MS, r, NULL);
}

int
agent_ping(struct lgrd *d, const char *guest, char *err, size_t len)
{
	struct agent_request	rq;
	struct agent_result	r;
	char			path[PATH_MAX];

	if (labname_agent_sock(d->opts.labdir, guest, path, sizeof(path)) !=
	    NULL && access(path, F_OK) == -1) {
		snprintf(err, len, "no guest agent runs in %s (%.200s missing)",
		    guest, path);
		return -1;
	}
	agent_request_init(&rq, AGENT_REQ_STATUS);
	if (agent_request(d, guest, &rq, 3000, &r, NULL) == -1) {
		snprintf(err, len, "%s", r.error);
		return -1;
	}
	return 0;
}

int
agent_status(struct lgrd *d, const char *guest, int timeout_ms,
    struct json_object **status)
{
	struct agent_request	rq;
	struct agent_result	r;

	*status = NULL;
	agent_request_init(&rq, AGENT_REQ_STATUS);
	if (agent_request(d, guest, &rq, timeout_ms, &r, status) == -1) {
		log_debug("%s", r.error);
		return -1;
	}
	return *status != NULL ? 0 : -1;
}
