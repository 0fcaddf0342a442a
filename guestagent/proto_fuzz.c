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

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct agent_request	rq;
	int			rc;

	fuzz_errtext_clear();
	rc = codec_decode(&agent_codec, data, len, &rq);
	fuzz_codec_check(&agent_codec, rc, &rq);
	return 0;
}
