/*
 * lgrd_ctl_fuzz.c: libFuzzer target for lgrd's control requests, decoded
 * as lgrd decodes them (lgrd_request_decode(): the table of lgrd_ctl.c
 * and the check the table cannot say).  Beyond not crashing: a refusal
 * says why; an accepted request keeps the table's promises, passes the
 * check (cancel names a guest or a job) and survives encode and decode
 * unchanged (common/fuzzcheck.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzzcheck.h"
#include "lgrd_ctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lgrd_request	rq;
	char			err[128];
	int			rc;

	fuzz_errtext_clear();
	rc = lgrd_request_decode(data, len, &rq);
	fuzz_codec_check(&lgrd_codec, rc, &rq);
	if (rc == 0 && lgrd_request_check(&rq, err, sizeof(err)) == -1)
		abort();
	return 0;
}
