/*
 * ctlpoke.c: one raw request frame to a daemon's control socket, for
 * the bad-input lab test (ctl_bad_input.sh).
 *
 *	ctlpoke [-l] LABDIR ROLE ENDPOINT FRAME
 *
 * ROLE: a client key of the lab (operator, viewer, orchestrator) or
 * "stranger", a fresh key the lab does not know.  FRAME: the frame's
 * bytes as given, "@big" (a JSON object of MSG_MAX + 1 bytes), "@empty"
 * (no bytes) or "@two" (a valid request followed by a second frame).
 * Prints the answer's terminator, "end" or "error CODE TEXT", and exits
 * 0; exits 3 when the key is refused or nothing answers (the reason on
 * stderr), 2 on a usage error.
 *
 * -l: the binary protocol of ospfd_lgr.so's REP socket (lgr_ctl.h)
 * instead of JSON.  FRAME is "@big" (a STATE request whose payload is
 * one byte over LGR_MAX_PAYLOAD), "@empty", "@short" (half a header),
 * "@two" (a STATE request and a second frame) or
 *	TYPE[/VERSION][=LEN][:ARG...]  or  TYPE[/VERSION][=LEN]~RAW
 * TYPE and VERSION (default LGR_CTL_VERSION) as numbers, each ARG
 * NUL-terminated, RAW as given with no NUL, LEN the header's payload
 * length (default: the payload's).  "end" is preceded by "data N" when
 * N data frames came.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "ctlclient.h"
#include "lgr_ctl.h"
#include "msg.h"

#define POKE_WAIT_MS	5000

static int
poke_stranger(struct keys_client *kc, const char *labdir)
{
	char	server[KEYS_Z85_LEN + 1];

	if (keys_load_client(labdir, "viewer", NULL, kc) == -1)
		return -1;
	memcpy(server, kc->server_public, sizeof(server));
	if (zmq_curve_keypair(kc->public, kc->secret) == -1)
		return -1;
	memcpy(kc->server_public, server, sizeof(server));
	return 0;
}

/* The frame to send; *more: a second frame follows. */
static char *
poke_frame(const char *arg, size_t *len, int *more)
{
	char	*buf;

	*more = 0;
	if (strcmp(arg, "@big") == 0) {
		*len = MSG_MAX + 1;
		if ((buf = malloc(*len)) == NULL)
			return NULL;
		memset(buf, ' ', *len);
		memcpy(buf, "{\"req\":\"status\"", 15);
		buf[*len - 1] = '}';
		return buf;
	}
	if (strcmp(arg, "@empty") == 0) {
		*len = 0;
		return strdup("");
	}
	if (strcmp(arg, "@two") == 0) {
		*more = 1;
		arg = "{\"req\":\"status\"}";
	}
	*len = strlen(arg);
	return strdup(arg);
}

static int
poke_answer(struct ctlclient *c)
{
	struct json_object	*o;
	const char		*text;
	int			 code, t;

	for (;;) {
		if ((o = ctlclient_recv(c, POKE_WAIT_MS)) == NULL) {
			fprintf(stderr, "ctlpoke: %s\n", ctlclient_errtext());
			return 3;
		}
		t = msg_terminator(o, &code, &text);
		if (t == 1)
			printf("end\n");
		else if (t == -1)
			printf("error %d %s\n", code, text);
		json_object_put(o);
		if (t != 0)
			return 0;
	}
}

/* -l: a frame of the lgr protocol from its spec; NULL on a bad spec. */
static uint8_t *
lgr_frame_spec(const char *spec, size_t *len)
{
	unsigned long	 type, version = LGR_CTL_VERSION, hlen = 0;
	int		 have_len = 0;
	const char	*p = spec;
	char		*end;
	uint8_t		*buf;
	size_t		 plen = 0, n;

	type = strtoul(p, &end, 10);
	if (end == p || type > 0xffff)
		return NULL;
	p = end;
	if (*p == '/') {
		version = strtoul(p + 1, &end, 10);
		if (end == p + 1 || version > 0xffff)
			return NULL;
		p = end;
	}
	if (*p == '=') {
		hlen = strtoul(p + 1, &end, 10);
		if (end == p + 1 || hlen > 0xffffffffUL)
			return NULL;
		have_len = 1;
		p = end;
	}
	if (*p != '\0' && *p != ':' && *p != '~')
		return NULL;
	if ((buf = calloc(1, LGR_HDR_LEN + strlen(p) + 1)) == NULL)
		return NULL;
	if (*p == '~') {
		plen = strlen(p + 1);
		memcpy(buf + LGR_HDR_LEN, p + 1, plen);
	} else if (*p == ':') {
		/* "a:b" as "a\0b\0" */
		n = strlen(p + 1);
		memcpy(buf + LGR_HDR_LEN, p + 1, n);
		for (size_t i = 0; i < n; i++)
			if (buf[LGR_HDR_LEN + i] == ':')
				buf[LGR_HDR_LEN + i] = '\0';
		plen = n + 1;
	}
	if (!have_len)
		hlen = plen;
	buf[0] = (uint8_t)(version >> 8);
	buf[1] = (uint8_t)version;
	buf[2] = (uint8_t)(type >> 8);
	buf[3] = (uint8_t)type;
	buf[4] = (uint8_t)(hlen >> 24);
	buf[5] = (uint8_t)(hlen >> 16);
	buf[6] = (uint8_t)(hlen >> 8);
	buf[7] = (uint8_t)hlen;
	*len = LGR_HDR_LEN + plen;
	return buf;
}

static uint8_t *
lgr_frame(const char *arg, size_t *len, int *more)
{
	uint8_t	*buf;

	*more = 0;
	if (strcmp(arg, "@big") == 0) {
		*len = LGR_HDR_LEN + LGR_MAX_PAYLOAD + 1;
		if ((buf = malloc(*len)) == NULL)
			return NULL;
		memset(buf, 'x', *len);
		lgr_msg_encode(buf, *len, LGR_STATE, NULL, 0);
		buf[4] = (uint8_t)((LGR_MAX_PAYLOAD + 1) >> 24);
		buf[5] = (uint8_t)((LGR_MAX_PAYLOAD + 1) >> 16);
		buf[6] = (uint8_t)((LGR_MAX_PAYLOAD + 1) >> 8);
		buf[7] = (uint8_t)(LGR_MAX_PAYLOAD + 1);
		return buf;
	}
	if (strcmp(arg, "@empty") == 0) {
		*len = 0;
		return calloc(1, 1);
	}
	if (strcmp(arg, "@short") == 0) {
		if ((buf = lgr_frame_spec("3", len)) != NULL)
			*len = LGR_HDR_LEN / 2;
		return buf;
	}
	if (strcmp(arg, "@two") == 0) {
		*more = 1;
		arg = "3";
	}
	return lgr_frame_spec(arg, len);
}

/* -l: the reply frames after the REP envelope's empty delimiter. */
static int
lgr_answer(void *sock)
{
	zmq_pollitem_t	 pi = { .socket = sock, .events = ZMQ_POLLIN };
	struct lgr_msg	 m;
	zmq_msg_t	 zm;
	const char	*text;
	uint32_t	 code;
	int		 ndata = 0, more = 1, first = 1, rc = 3;
	size_t		 optlen = sizeof(more);

	if (zmq_poll(&pi, 1, POKE_WAIT_MS) != 1) {
		fprintf(stderr, "ctlpoke: no answer in %d ms\n", POKE_WAIT_MS);
		return 3;
	}
	zmq_msg_init(&zm);
	while (more && zmq_msg_recv(&zm, sock, 0) != -1) {
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &optlen);
		if (first) {	/* the envelope's delimiter */
			first = 0;
			continue;
		}
		if (lgr_msg_decode(zmq_msg_data(&zm), zmq_msg_size(&zm),
		    &m) == -1) {
			printf("garbage (%zu bytes)\n", zmq_msg_size(&zm));
			rc = 0;
		} else if (m.type == LGR_DATA) {
			ndata++;
		} else if (m.type == LGR_END) {
			if (ndata > 0)
				printf("data %d\n", ndata);
			printf("end\n");
			rc = 0;
		} else if (m.type == LGR_ERROR && lgr_error_decode(m.payload,
		    m.len, &code, &text) == 0) {
			printf("error %u %s\n", code, text);
			rc = 0;
		} else {
			printf("garbage (type %u)\n", m.type);
			rc = 0;
		}
	}
	zmq_msg_close(&zm);
	return rc;
}

/* -l: send the frame after an empty delimiter (DEALER to REP). */
static int
lgr_poke(struct ctlclient *c, const char *arg)
{
	void	*sock = ctlclient_socket(c);
	uint8_t	*frame;
	size_t	 len;
	int	 more, rc;

	if ((frame = lgr_frame(arg, &len, &more)) == NULL) {
		fprintf(stderr, "ctlpoke: bad frame spec '%s'\n", arg);
		return 2;
	}
	if (zmq_send(sock, "", 0, ZMQ_SNDMORE) == -1 ||
	    zmq_send(sock, frame, len, more ? ZMQ_SNDMORE : 0) == -1 ||
	    (more && zmq_send(sock, "x", 1, 0) == -1)) {
		fprintf(stderr, "ctlpoke: send: %s\n", zmq_strerror(errno));
		rc = 3;
	} else
		rc = lgr_answer(sock);
	free(frame);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct keys_client	 kc;
	struct ctlclient	*c;
	void			*sock;
	char			*frame;
	size_t			 len;
	int			 more, rc, lgr = 0;

	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		lgr = 1;
		argv++;
		argc--;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: ctlpoke [-l] LABDIR ROLE ENDPOINT "
		    "FRAME\n");
		return 2;
	}
	if ((strcmp(argv[2], "stranger") == 0 ? poke_stranger(&kc,
	    argv[1]) : keys_load_client(argv[1], argv[2], NULL, &kc)) == -1) {
		fprintf(stderr, "ctlpoke: keys of %s: %s\n", argv[1],
		    strerror(errno));
		return 2;
	}
	if ((c = ctlclient_open(NULL, argv[3], &kc, CTLCLIENT_CONNECT_MS)) ==
	    NULL) {
		fprintf(stderr, "ctlpoke: %s\n", ctlclient_errtext());
		return 3;
	}
	if (lgr) {
		rc = lgr_poke(c, argv[4]);
		ctlclient_close(c);
		return rc;
	}
	if ((frame = poke_frame(argv[4], &len, &more)) == NULL)
		return 2;
	sock = ctlclient_socket(c);
	if (zmq_send(sock, frame, len, more ? ZMQ_SNDMORE : 0) == -1 ||
	    (more && zmq_send(sock, "x", 1, 0) == -1)) {
		fprintf(stderr, "ctlpoke: send: %s\n", zmq_strerror(errno));
		rc = 3;
	} else
		rc = poke_answer(c);
	free(frame);
	ctlclient_close(c);
	return rc;
}
