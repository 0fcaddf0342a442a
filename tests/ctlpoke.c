/*
 * ctlpoke.c: one raw request frame to a daemon's control socket, for
 * the bad-input lab test (ctl_bad_input.sh).
 *
 *	ctlpoke LABDIR ROLE ENDPOINT FRAME
 *
 * ROLE: a client key of the lab (operator, viewer, orchestrator) or
 * "stranger", a fresh key the lab does not know.  FRAME: the frame's
 * bytes as given, "@big" (a JSON object of MSG_MAX + 1 bytes), "@empty"
 * (no bytes) or "@two" (a valid request followed by a second frame).
 * Prints the answer's terminator, "end" or "error CODE TEXT", and exits
 * 0; exits 3 when the key is refused or nothing answers (the reason on
 * stderr), 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "ctlclient.h"
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

int
main(int argc, char *argv[])
{
	struct keys_client	 kc;
	struct ctlclient	*c;
	void			*sock;
	char			*frame;
	size_t			 len;
	int			 more, rc;

	if (argc != 5) {
		fprintf(stderr, "usage: ctlpoke LABDIR ROLE ENDPOINT FRAME\n");
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
