/*
 * codec_fuzz.c: libFuzzer target for the request codec over a table with
 * an argument of every type.  Beyond not crashing: a frame that decodes
 * encodes to a frame that decodes to the same request (the codec never
 * accepts what it would not write, nor writes what it would refuse).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec_table_test.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct t_request	 r, back;
	struct json_object	*o;
	const char		*s;
	size_t			 n;

	memset(&back, 0, sizeof(back));
	if (codec_decode(&t_codec, data, len, &r) == -1) {
		if (msg_errtext()[0] == '\0')
			abort();	/* every refusal says why */
		return 0;
	}
	if ((o = codec_encode(&t_codec, &r)) == NULL)
		abort();
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	if (codec_decode(&t_codec, s, n, &back) == -1 ||
	    memcmp(&r, &back, sizeof(r)) != 0)
		abort();
	json_object_put(o);
	return 0;
}
