/*
 * chanpoke.c: a forged frame to a member's bulk endpoint (hvd.h, seal.c),
 * for the hosts lab's relocation test (nslab_hosts_evacuate.sh).
 *
 *	chanpoke ENDPOINT RID
 *
 * Connects to ENDPOINT (tcp://ADDR:PORT) without CURVE, as anyone on the
 * underlay can, and sends one PAGES frame for relocation RID: page 0,
 * a page of 0x5a and a tag of zeros, as a source that has no key would.
 * Exits 0 once it went out, 3 if it could not, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "hvd.h"

int
main(int argc, char **argv)
{
	struct chan_hdr	 h = { CHAN_MAGIC, CHAN_PAGES, 0, 0, 1, 1 };
	uint8_t		 head[sizeof(h) + sizeof(uint32_t)] = { 0 };
	static uint8_t	 data[HV_PAGE + SEAL_TAG];
	void		*ctx, *sock;
	char		*end;
	int		 linger = 2000, rc = 0;

	if (argc != 3 || strncmp(argv[1], "tcp://", 6) != 0) {
		fprintf(stderr, "usage: chanpoke tcp://ADDR:PORT RID\n");
		return 2;
	}
	errno = 0;
	h.rid = strtoull(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || end == argv[2]) {
		fprintf(stderr, "chanpoke: RID: not a number: %s\n", argv[2]);
		return 2;
	}
	memcpy(head, &h, sizeof(h));
	memset(data, 0x5a, HV_PAGE);
	if ((ctx = zmq_ctx_new()) == NULL ||
	    (sock = zmq_socket(ctx, ZMQ_DEALER)) == NULL) {
		fprintf(stderr, "chanpoke: %s\n", zmq_strerror(errno));
		return 3;
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(sock, argv[1]) == -1 ||
	    zmq_send(sock, head, sizeof(head), ZMQ_SNDMORE) == -1 ||
	    zmq_send(sock, data, sizeof(data), 0) == -1) {
		fprintf(stderr, "chanpoke: %s: %s\n", argv[1],
		    zmq_strerror(errno));
		rc = 3;
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);	/* waits up to the linger for it to go out */
	return rc;
}
