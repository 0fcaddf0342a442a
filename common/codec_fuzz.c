/*
 * codec_fuzz.c: libFuzzer target for the request codec over a table with
 * an argument of every type (codec_table_test.h).  Beyond not crashing:
 * the properties of fuzzcheck.h (a refusal says why; an accepted request
 * keeps the table's promises and survives encode and decode unchanged).
 */
#include <stdint.h>

#include "codec_table_test.h"
#include "fuzzcheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct t_request	r;
	int			rc;

	fuzz_errtext_clear();
	rc = codec_decode(&t_codec, data, len, &r);
	fuzz_codec_check(&t_codec, rc, &r);
	return 0;
}
