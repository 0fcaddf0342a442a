/*
 * ctl.c: encoding and decoding of control messages (see lgr_ctl.h).
 * Shared by ospfd_lgr.so and drainctl; no state, no output.
 */
#include <errno.h>
#include <string.h>

#include "lgr_ctl.h"

static const struct {
	int		 type;
	const char	*name;
} ctl_types[] = {
	{ CTL_DRAIN, "drain" },
	{ CTL_UNDRAIN, "undrain" },
	{ CTL_STATE, "state" },
	{ CTL_ROUTES, "routes" },
	{ CTL_LSDB, "lsdb" },
	{ CTL_EVENTS, "events" },
	{ CTL_DATA, "data" },
	{ CTL_END, "end" },
	{ CTL_ERROR, "error" },
};

static const struct {
	int		 code;
	const char	*name;
} ctl_errors[] = {
	{ CTL_E_INTERNAL, "internal error" },
	{ CTL_E_NOOSPF, "no OSPF instance" },
	{ CTL_E_NOIF, "no such OSPF interface" },
	{ CTL_E_DENIED, "permission denied" },
	{ CTL_E_BADMSG, "malformed message" },
	{ CTL_E_BADREQ, "unknown request" },
	{ CTL_E_BADARG, "bad arguments" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
ctl_type_name(int type)
{
	size_t	i;

	for (i = 0; i < NELEM(ctl_types); i++)
		if (ctl_types[i].type == type)
			return ctl_types[i].name;
	return NULL;
}

int
ctl_type_is_request(int type)
{
	return type >= CTL_DRAIN && type <= CTL_EVENTS;
}

const char *
ctl_error_name(int code)
{
	size_t	i;

	for (i = 0; i < NELEM(ctl_errors); i++)
		if (ctl_errors[i].code == code)
			return ctl_errors[i].name;
	return "unknown error";
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

ssize_t
ctl_msg_encode(uint8_t *buf, size_t size, uint16_t type, const void *payload,
    size_t len)
{
	if (len > CTL_MAX_PAYLOAD || size < CTL_HDR_LEN ||
	    size - CTL_HDR_LEN < len) {
		errno = EMSGSIZE;
		return -1;
	}
	put16(buf, CTL_VERSION);
	put16(buf + 2, type);
	put32(buf + 4, (uint32_t)len);
	if (len > 0)
		memcpy(buf + CTL_HDR_LEN, payload, len);
	return (ssize_t)(CTL_HDR_LEN + len);
}

int
ctl_msg_decode(const uint8_t *buf, size_t len, struct ctl_msg *msg)
{
	uint32_t	plen;

	if (len < CTL_HDR_LEN) {
		errno = EBADMSG;
		return -1;
	}
	msg->version = get16(buf);
	msg->type = get16(buf + 2);
	plen = get32(buf + 4);
	if (msg->version != CTL_VERSION) {
		errno = EPROTO;
		return -1;
	}
	if (plen > CTL_MAX_PAYLOAD || plen != len - CTL_HDR_LEN) {
		errno = EBADMSG;
		return -1;
	}
	if (ctl_type_name(msg->type) == NULL) {
		errno = EPROTOTYPE;
		return -1;
	}
	msg->payload = buf + CTL_HDR_LEN;
	msg->len = plen;
	return 0;
}

ssize_t
ctl_args_encode(char *buf, size_t size, int argc,
    const char *const argv[])
{
	size_t	off = 0, n;
	int	i;

	if (argc < 0 || argc > CTL_MAX_ARGS) {
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (n == 0) {
			errno = EINVAL;
			return -1;
		}
		if (n > CTL_MAX_ARGLEN) {
			errno = ENAMETOOLONG;
			return -1;
		}
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
ctl_args_decode(const uint8_t *payload, size_t len, const char **argv,
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
		if (n == 0) {
			errno = EINVAL;
			return -1;
		}
		if (n > CTL_MAX_ARGLEN) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (argc == max) {
			errno = E2BIG;
			return -1;
		}
		argv[argc++] = p;
	}
	return argc;
}

ssize_t
ctl_error_encode(uint8_t *buf, size_t size, uint32_t code, const char *text)
{
	size_t	n = strlen(text);

	if (size < 5) {
		errno = EMSGSIZE;
		return -1;
	}
	if (n > size - 5)
		n = size - 5;
	put32(buf, code);
	memcpy(buf + 4, text, n);
	buf[4 + n] = '\0';
	return (ssize_t)(5 + n);
}

int
ctl_error_decode(const uint8_t *payload, size_t len, uint32_t *code,
    const char **text)
{
	if (len < 5 || payload[len - 1] != '\0' ||
	    memchr(payload + 4, '\0', len - 4) != payload + len - 1) {
		errno = EBADMSG;
		return -1;
	}
	*code = get32(payload);
	*text = (const char *)payload + 4;
	return 0;
}
