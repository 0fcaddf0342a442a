/*
 * proto.c: the guest agent's control protocol as a table (see
 * agent_client.h): one row per request for common/codec.h, and the rule
 * of which role may send which.  No state, no output.
 */
#include <stddef.h>

#include "agent_client.h"

static const struct codec_arg agent_args_prepare[] = {
	CODEC_NAMES_ARG("peers", struct agent_request, peers, npeers,
	    peers_given),
	CODEC_U64_ARG("timeout_ms", struct agent_request, timeout_ms, false, 1,
	    AGENT_TIMEOUT_MAX_MS),
	CODEC_END,
};

static const struct codec_arg agent_args_complete[] = {
	CODEC_NAMES_ARG("peers", struct agent_request, peers, npeers,
	    peers_given),
	CODEC_U64_ARG("timeout_ms", struct agent_request, timeout_ms, false, 1,
	    AGENT_TIMEOUT_MAX_MS),
	CODEC_END,
};

static const struct codec_arg agent_args_verbose[] = {
	CODEC_U64_ARG("level", struct agent_request, level, true, 0, 2),
	CODEC_END,
};

static const struct codec_req agent_reqs[AGENT_NREQ] = {
	[AGENT_REQ_PREPARE] = { "prepare", true, agent_args_prepare },
	[AGENT_REQ_COMPLETE] = { "complete", true, agent_args_complete },
	[AGENT_REQ_STATUS] = { "status", false, NULL },
	[AGENT_REQ_VERBOSE] = { "verbose", false, agent_args_verbose },
};

const struct codec agent_codec = {
	.proto = "guestagentd",
	.reqs = agent_reqs,
	.nreqs = AGENT_NREQ,
	.size = sizeof(struct agent_request),
	.type_off = offsetof(struct agent_request, type),
};

const char *
agent_req_name(int type)
{
	return codec_name(&agent_codec, type);
}

/* Numbers a request does not take read "not given" too. */
void
agent_request_init(struct agent_request *r, int type)
{
	codec_init(&agent_codec, r, type);
	r->timeout_ms = AGENT_UNSET;
	r->level = AGENT_UNSET;
}

bool
agent_may(enum keys_role role, int type, bool writes)
{
	if (writes)
		return role == KEYS_ROLE_ORCHESTRATOR;
	if (type == AGENT_REQ_VERBOSE)
		return role == KEYS_ROLE_ORCHESTRATOR ||
		    role == KEYS_ROLE_OPERATOR;
	return role == KEYS_ROLE_ORCHESTRATOR || role == KEYS_ROLE_OPERATOR ||
	    role == KEYS_ROLE_VIEWER;
}
