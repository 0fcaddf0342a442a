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

FUZZ_CODEC_TARGET(struct hv_request, &hv_codec)
