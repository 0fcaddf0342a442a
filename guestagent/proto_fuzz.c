/*
 * proto_fuzz.c: libFuzzer target for the guest agent's control
 * requests, decoded with the protocol's own table (agent_codec,
 * proto.c).  Beyond not crashing: a refusal says why; an accepted
 * request keeps the table's promises (peers at most AGENT_PEERS_MAX
 * distinct names, timeout and level in range) and survives encode and
 * decode unchanged (common/fuzzcheck.h).
 */
#include <stdint.h>

#include "agent_client.h"
#include "fuzzcheck.h"

FUZZ_CODEC_TARGET(struct agent_request, &agent_codec)
