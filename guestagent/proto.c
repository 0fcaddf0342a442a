/*
 * proto.c: names and codec of the guest agent's control protocol (see
 * agent_client.h).  No state, no output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent_client.h"

static _Thread_local char	proto_err[192];

static int
proto_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
proto_fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(proto_err, sizeof(proto_err), fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* A msg.h decoder failed: keep its reason. */
static int
proto_fail_msg(void)
{
	int	saved = errno;

	snprintf(proto_err, sizeof(proto_err), "%s", msg_errtext());
	errno = saved;
	return -1;
}

const char *
agent_proto_errtext(void)
{
	return proto_err;
}

/* What each request carries. */
#define A_PEERS		0x01
#define A_TIMEOUT	0x02
#define A_LEVEL		0x04

static const struct agent_req_desc {
	const char	*name;
	unsigned	 args;
	bool		 changes;
} agent_reqs[AGENT_NREQ] = {
	[AGENT_REQ_PREPARE] = { "prepare", A_PEERS | A_TIMEOUT, true },
	[AGENT_REQ_COMPLETE] = { "complete", A_TIMEOUT, true },
	[AGENT_REQ_STATUS] = { "status", 0, false },
	[AGENT_REQ_VERBOSE] = { "verbose", A_LEVEL, false },
};

static const struct {
	int		 code;
	const char	*name;
} agent_errors[] = {
	{ AGENT_E_BADREQ, "bad request" },
	{ AGENT_E_DENIED, "permission denied" },
	{ AGENT_E_NOTFOUND, "not found" },
	{ AGENT_E_BUSY, "busy" },
	{ AGENT_E_ABORTED, "aborted" },
	{ AGENT_E_INTERNAL, "internal error" },
	{ AGENT_E_UNAVAILABLE, "unavailable" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
agent_req_name(enum agent_req r)
{
	if ((unsigned)r >= AGENT_NREQ)
		return "unknown";
	return agent_reqs[r].name;
}

int
agent_req_find(const char *name)
{
	int	i;

	for (i = 0; i < AGENT_NREQ; i++)
		if (strcmp(agent_reqs[i].name, name) == 0)
			return i;
	return -1;
}

bool
agent_req_changes(enum agent_req r)
{
	return (unsigned)r < AGENT_NREQ && agent_reqs[r].changes;
}

const char *
agent_error_name(int code)
{
	size_t	i;

	for (i = 0; i < NELEM(agent_errors); i++)
		if (agent_errors[i].code == code)
			return agent_errors[i].name;
	return "unknown error";
}

void
agent_request_init(struct agent_request *r, enum agent_req type)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->timeout_ms = AGENT_UNSET;
	r->level = AGENT_UNSET;
}

struct json_object *
agent_request_encode(const struct agent_request *r)
{
	struct json_object	*o, *arr;
	size_t			 i;

	if ((unsigned)r->type >= AGENT_NREQ || r->npeers > AGENT_PEERS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((o = json_object_new_object()) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	json_object_object_add(o, "req", json_object_new_string(
	    agent_reqs[r->type].name));
	if ((agent_reqs[r->type].args & A_PEERS) && r->peers_given) {
		arr = json_object_new_array();
		for (i = 0; i < r->npeers; i++)
			json_object_array_add(arr,
			    json_object_new_string(r->peers[i]));
		json_object_object_add(o, "peers", arr);
	}
	if ((agent_reqs[r->type].args & A_TIMEOUT) &&
	    r->timeout_ms != AGENT_UNSET)
		json_object_object_add(o, "timeout_ms",
		    json_object_new_int64((int64_t)r->timeout_ms));
	if ((agent_reqs[r->type].args & A_LEVEL) && r->level != AGENT_UNSET)
		json_object_object_add(o, "level",
		    json_object_new_int64((int64_t)r->level));
	return o;
}

/* Every member of o is "req" or one the request takes. */
static int
agent_check_members(struct json_object *o, unsigned args, const char *req)
{
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "req") == 0 ||
		    (strcmp(key, "peers") == 0 && (args & A_PEERS)) ||
		    (strcmp(key, "timeout_ms") == 0 && (args & A_TIMEOUT)) ||
		    (strcmp(key, "level") == 0 && (args & A_LEVEL)))
			continue;
		return proto_fail("\"%.60s\" is not an argument of %s",
		    key, req);
	}
	return 0;
}

static int
agent_decode_peers(struct json_object *o, struct agent_request *r)
{
	struct json_object	*arr, *v;
	size_t			 i, j, n;

	if (!json_object_object_get_ex(o, "peers", &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > AGENT_PEERS_MAX)
		return proto_fail("\"peers\" is not an array of at most %d "
		    "names", AGENT_PEERS_MAX);
	r->peers_given = true;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    !msg_name_valid(json_object_get_string(v)) ||
		    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v))
			return proto_fail("\"peers\" element %zu is not a name "
			    "([A-Za-z0-9_-], 1-%d characters)", i,
			    MSG_NAME_MAX - 1);
		snprintf(r->peers[i], MSG_NAME_MAX, "%s",
		    json_object_get_string(v));
		for (j = 0; j < i; j++)
			if (strcmp(r->peers[i], r->peers[j]) == 0)
				return proto_fail("\"peers\" names %s twice",
				    r->peers[i]);
	}
	r->npeers = n;
	return 0;
}

int
agent_request_decode(const void *buf, size_t len, struct agent_request *r)
{
	struct json_object	*o;
	char			 name[MSG_NAME_MAX];
	int			 t, rc = -1;

	proto_err[0] = '\0';
	if ((o = msg_parse(buf, len)) == NULL)
		return proto_fail_msg();
	if (msg_get_name(o, "req", true, name) != 0) {
		proto_fail_msg();
		goto out;
	}
	if ((t = agent_req_find(name)) == -1) {
		proto_fail("\"%s\" is not a request (prepare, complete, "
		    "status, verbose)", name);
		goto out;
	}
	agent_request_init(r, (enum agent_req)t);
	if (agent_check_members(o, agent_reqs[t].args, name) == -1)
		goto out;
	if ((agent_reqs[t].args & A_PEERS) && agent_decode_peers(o, r) == -1)
		goto out;
	if ((agent_reqs[t].args & A_TIMEOUT) && msg_get_u64(o, "timeout_ms",
	    false, 1, AGENT_TIMEOUT_MAX_MS, &r->timeout_ms) == -1) {
		proto_fail_msg();
		goto out;
	}
	if ((agent_reqs[t].args & A_LEVEL) && msg_get_u64(o, "level", true,
	    0, 2, &r->level) == -1) {
		proto_fail_msg();
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}
