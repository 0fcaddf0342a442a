/*
 * hv_ctl_fuzz.c: libFuzzer target for hvd's control requests, decoded
 * with the protocol's own table (hv_ctl.c).  Beyond not crashing: a
 * refusal says why; an accepted request has a known type, valid names,
 * numbers in range and survives encode and decode unchanged
 * (common/fuzzcheck.h).
 */
#include <stdint.h>

#include "fuzzcheck.h"
#include "hv_ctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct hv_request	rq;
	int			rc;

	fuzz_errtext_clear();
	rc = hv_request_decode(data, len, &rq);
	fuzz_codec_check(&hv_codec, rc, &rq);
	return 0;
}
