/*
 * ctl_fuzz.c: libFuzzer target for ospfd_lgr's binary control messages
 * (ctl.c), as the module's REP socket reads a request and as its clients
 * read a reply.  Beyond not crashing, an accepted message keeps what
 * the readers rely on and reads back what it writes:
 *   - a message has version LGR_CTL_VERSION, a known type and a payload
 *     of exactly the header's length inside the buffer; encoded again it
 *     is the same bytes;
 *   - a request's arguments are 1-LGR_MAX_ARGLEN characters each, at
 *     most LGR_MAX_ARGS, inside the payload; encoded again they are the
 *     same payload;
 *   - an error's text ends at the payload's last byte; encoded again it
 *     is the same payload.
 */
#include <stdlib.h>
#include <string.h>

#include "lgr_ctl.h"

#define FUZZ_BUF	(LGR_HDR_LEN + 65536)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static uint8_t	fuzz_out[FUZZ_BUF];

static void
fuzz_args(const struct lgr_msg *m)
{
	const char	*argv[LGR_MAX_ARGS];
	ssize_t		 n;
	int		 argc, i;

	if ((argc = lgr_args_decode(m->payload, m->len, argv,
	    LGR_MAX_ARGS)) == -1)
		return;
	if (argc > LGR_MAX_ARGS)
		abort();
	for (i = 0; i < argc; i++)
		if ((const uint8_t *)argv[i] < m->payload ||
		    (const uint8_t *)argv[i] >= m->payload + m->len ||
		    argv[i][0] == '\0' || strlen(argv[i]) > LGR_MAX_ARGLEN)
			abort();
	n = lgr_args_encode((char *)fuzz_out, sizeof(fuzz_out), argc, argv);
	if (n != (ssize_t)m->len || memcmp(fuzz_out, m->payload, m->len) != 0)
		abort();
}

static void
fuzz_error(const struct lgr_msg *m)
{
	const char	*text;
	uint32_t	 code;
	ssize_t		 n;

	if (lgr_error_decode(m->payload, m->len, &code, &text) == -1)
		return;
	if ((const uint8_t *)text != m->payload + 4 ||
	    4 + strlen(text) + 1 != m->len)
		abort();
	n = lgr_error_encode(fuzz_out, sizeof(fuzz_out), code, text);
	if (n != (ssize_t)m->len || memcmp(fuzz_out, m->payload, m->len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lgr_msg	m;
	ssize_t		n;

	if (lgr_msg_decode(data, len, &m) == -1)
		return 0;
	if (m.version != LGR_CTL_VERSION || lgr_type_name(m.type) == NULL ||
	    m.payload != data + LGR_HDR_LEN || m.len != len - LGR_HDR_LEN)
		abort();
	if (len <= sizeof(fuzz_out)) {
		n = lgr_msg_encode(fuzz_out, sizeof(fuzz_out), m.type,
		    m.payload, m.len);
		if (n != (ssize_t)len || memcmp(fuzz_out, data, len) != 0)
			abort();
	}
	if (lgr_type_is_request(m.type))
		fuzz_args(&m);
	else if (m.type == LGR_ERROR)
		fuzz_error(&m);
	return 0;
}
