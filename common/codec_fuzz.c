/*
 * codec_fuzz.c: libFuzzer target for the request codec over a table with
 * an argument of every type (codec_table_test.h).  Beyond not crashing:
 * the properties of fuzzcheck.h (a refusal says why; an accepted request
 * keeps the table's promises and survives encode and decode unchanged).
 */
#include <stdint.h>

#include "codec_table_test.h"
#include "fuzzcheck.h"

FUZZ_CODEC_TARGET(struct t_request, &t_codec)
