/*
 * fuzzcheck.h: the properties every control protocol's decoder keeps,
 * checked by the libFuzzer targets (codec_fuzz.c, hv_ctl_fuzz.c,
 * lgrd_ctl_fuzz.c, proto_fuzz.c) against the protocol's own table, and
 * the harness they share (FUZZ_CODEC_TARGET).
 *
 * A refused frame says why (msg_errtext() is not empty).  An accepted
 * request keeps the table's promises: a known type; every name valid and
 * every required one given; strings terminated within their field;
 * numbers unset or in range; choices among the words; name lists within
 * their size, valid and distinct.  And it survives a round trip: encoded
 * and decoded again, it is the same request, byte for byte.
 */
#ifndef LGR_FUZZCHECK_H
#define LGR_FUZZCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/* Clear msg_errtext() before a decode, so that a refusal must set it. */
void	fuzz_errtext_clear(void);
/* The table's promises about an accepted request: 0, or -1. */
int	fuzz_codec_valid(const struct codec *c, const void *rq);
/*
 * After rc = decode(frame, rq): abort() unless a refusal (rc -1) says
 * why, or an accepted request is valid and survives encode and decode.
 */
void	fuzz_codec_check(const struct codec *c, int rc, const void *rq);
/*
 * One fuzz input: clear the error text, decode data into rq (of c's
 * request type) and check the result as fuzz_codec_check() does.
 * Returns the decoder's 0 or -1.
 */
int	fuzz_codec_one(const struct codec *c, const uint8_t *data,
	    size_t len, void *rq);

/*
 * The libFuzzer entry point of a protocol whose requests are a TYPE
 * decoded by the codec table *C: FUZZ_CODEC_TARGET(struct hv_request,
 * &hv_codec) is a whole fuzz target.
 */
#define FUZZ_CODEC_TARGET(TYPE, C)					\
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);		\
int									\
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)			\
{									\
	TYPE	rq;							\
									\
	fuzz_codec_one((C), data, len, &rq);				\
	return 0;							\
}

#endif
