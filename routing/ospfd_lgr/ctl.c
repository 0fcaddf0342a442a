/*
 * ctl.c: encoding and decoding of control messages (lgr_ctl.h).
 * Shared by ospfd_lgr.so and its clients; no state, no output.
 */
#include <errno.h>
#include <string.h>

#include "lgr_ctl.h"

static const struct {
	int		 type;
	const char	*name;
} lgr_types[] = {
	{ LGR_DRAIN, "drain" },
	{ LGR_UNDRAIN, "undrain" },
	{ LGR_STATE, "state" },
	{ LGR_ROUTES, "routes" },
	{ LGR_LSDB, "lsdb" },
	{ LGR_EVENTS, "events" },
	{ LGR_DATA, "data" },
	{ LGR_END, "end" },
	{ LGR_ERROR, "error" },
};

const char *
lgr_type_name(int type)
{
	size_t	i;

	for (i = 0; i < sizeof(lgr_types) / sizeof(lgr_types[0]); i++)
		if (lgr_types[i].type == type)
			return lgr_types[i].name;
	return NULL;
}

int
lgr_type_is_request(int type)
{
	return type >= LGR_DRAIN && type <= LGR_EVENTS;
}

static void
lgr_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
lgr_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint16_t
lgr_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
lgr_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

ssize_t
lgr_msg_encode(uint8_t *buf, size_t size, uint16_t type, const void *payload,
    size_t len)
{
	if (len > LGR_MAX_PAYLOAD || size < LGR_HDR_LEN ||
	    size - LGR_HDR_LEN < len) {
		errno = EMSGSIZE;
		return -1;
	}
	lgr_put16(buf, LGR_CTL_VERSION);
	lgr_put16(buf + 2, type);
	lgr_put32(buf + 4, (uint32_t)len);
	if (len > 0)
		memcpy(buf + LGR_HDR_LEN, payload, len);
	return (ssize_t)(LGR_HDR_LEN + len);
}

int
lgr_msg_decode(const uint8_t *buf, size_t len, struct lgr_msg *msg)
{
	uint32_t	plen;

	if (len < LGR_HDR_LEN) {
		errno = EBADMSG;
		return -1;
	}
	msg->version = lgr_get16(buf);
	msg->type = lgr_get16(buf + 2);
	plen = lgr_get32(buf + 4);
	if (msg->version != LGR_CTL_VERSION) {
		errno = EPROTO;
		return -1;
	}
	if (plen > LGR_MAX_PAYLOAD || plen != len - LGR_HDR_LEN) {
		errno = EBADMSG;
		return -1;
	}
	if (lgr_type_name(msg->type) == NULL) {
		errno = EPROTOTYPE;
		return -1;
	}
	msg->payload = buf + LGR_HDR_LEN;
	msg->len = plen;
	return 0;
}

/* An argument of n characters: -1 with errno EINVAL or ENAMETOOLONG. */
static int
lgr_arg_check(size_t n)
{
	if (n == 0)
		errno = EINVAL;
	else if (n > LGR_MAX_ARGLEN)
		errno = ENAMETOOLONG;
	return n == 0 || n > LGR_MAX_ARGLEN ? -1 : 0;
}

ssize_t
lgr_args_encode(char *buf, size_t size, int argc,
    const char *const argv[])
{
	size_t	off = 0, n;
	int	i;

	if (argc < 0 || argc > LGR_MAX_ARGS) {
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (lgr_arg_check(n) == -1)
			return -1;
		if (size - off < n + 1) {
			errno = EMSGSIZE;
			return -1;
		}
		memcpy(buf + off, argv[i], n + 1);
		off += n + 1;
	}
	return (ssize_t)off;
}

int
lgr_args_decode(const uint8_t *payload, size_t len, const char **argv,
    int max)
{
	const char	*p = (const char *)payload, *end;
	size_t		 n;
	int		 argc = 0;

	if (len > 0 && payload[len - 1] != '\0') {
		errno = EBADMSG;
		return -1;
	}
	for (end = p + len; p < end; p += n + 1) {
		n = strlen(p);
		if (lgr_arg_check(n) == -1)
			return -1;
		if (argc == max) {
			errno = E2BIG;
			return -1;
		}
		argv[argc++] = p;
	}
	return argc;
}

ssize_t
lgr_error_encode(uint8_t *buf, size_t size, uint32_t code, const char *text)
{
	size_t	n = strlen(text);

	if (size < 5) {
		errno = EMSGSIZE;
		return -1;
	}
	if (n > size - 5)
		n = size - 5;
	lgr_put32(buf, code);
	memcpy(buf + 4, text, n);
	buf[4 + n] = '\0';
	return (ssize_t)(5 + n);
}

int
lgr_error_decode(const uint8_t *payload, size_t len, uint32_t *code,
    const char **text)
{
	if (len < 5 || payload[len - 1] != '\0' ||
	    memchr(payload + 4, '\0', len - 4) != payload + len - 1) {
		errno = EBADMSG;
		return -1;
	}
	*code = lgr_get32(payload);
	*text = (const char *)payload + 4;
	return 0;
}
