/*
 * outbound.c: the source's end of the relocation channel (chan.c): a
 * DEALER to the target's ROUTER, the SETUP handshake, PAGES frames in a
 * window of CHAN_WINDOW unacknowledged ones, kept to the rate limit.
 * Over the underlay, after READY a second DEALER to the target's bulk
 * endpoint carries every frame sealed (seal.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "directory.h"
#include "keys.h"

static const uint64_t	outbound_zero_page[HV_PAGE / 8];

int
outbound_wait(struct reloc *r, enum chan_type want, void *out, size_t outlen,
    int timeout_ms)
{
	zmq_pollitem_t	 it = { r->sock, 0, ZMQ_POLLIN, 0 };
	struct chan_hdr	 hdr;
	const void	*pl;
	size_t		 plen, len;
	zmq_msg_t	 m;
	int		 rc;

	for (;;) {
		if ((rc = zmq_poll(&it, 1, timeout_ms)) == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			return reloc_fail(r, HV_END_LOST_LINK, "no answer from "
			    "%s within %d ms", r->dst, timeout_ms);
		zmq_msg_init(&m);
		len = 0;
		if (zmq_msg_recv(&m, r->sock, 0) == -1 ||
		    ((len = zmq_msg_size(&m)), r->seal != NULL &&
		    seal_open(r->seal, sizeof(hdr), zmq_msg_data(&m), &len,
		    NULL, NULL) == -1) ||
		    chan_decode(zmq_msg_data(&m), len, &hdr, &pl, &plen) ==
		    -1 || chan_decode_data(&hdr, zmq_msg_more(&m), 0) == -1 ||
		    hdr.rid != (uint64_t)r->id) {
			zmq_msg_close(&m);
			return reloc_fail(r, HV_END_FAILED, "bad frame from %s",
			    r->dst);
		}
		if (hdr.type == CHAN_ACK && hdr.seq > r->acked)
			r->acked = hdr.seq;
		if (hdr.type == CHAN_ERROR) {
			reloc_fail(r, HV_END_FAILED, "target %s: %.*s", r->dst,
			    (int)plen, (const char *)pl);
			zmq_msg_close(&m);
			return -1;
		}
		if (hdr.type == want) {
			if (out != NULL && plen == outlen)
				memcpy(out, pl, plen);
			zmq_msg_close(&m);
			return 0;
		}
		zmq_msg_close(&m);
		if (want == CHAN_ACK && r->seq - r->acked < CHAN_WINDOW &&
		    hdr.type == CHAN_ACK)
			return 0;
	}
}

static void
outbound_throttle(struct reloc *r)
{
	double	left;

	/* A frame is 1 MiB: sleep in slices, so that cancel stays prompt. */
	while (!r->cancel && (left = batch_rate_wait_ms(&r->rate,
	    r->max_rate_mib, r->pass_bytes, reloc_now())) > 0)
		usleep((useconds_t)((left < 50 ? left : 50) * 1000));
}

/*
 * The pages of one PAGES frame: n consecutive ones go out from the image
 * itself, scattered ones are gathered into a copy; sealed, they are
 * encrypted from the image into the frame, the tag after them.  A page
 * the guest writes while it is on its way is sent again by the next
 * pass, and so is its digest.  Frames from the image are constant
 * messages, safe because the image outlives them: post lets it go only
 * once the target has taken every frame, and after a rollback the guest
 * keeps it until reloc_free has ended the relocation's ZeroMQ context.
 */
static int
outbound_batch_data(struct reloc *r, zmq_msg_t *d, const uint32_t *list,
    uint32_t n, bool run)
{
	const uint8_t	*mem = r->g->mem, *src;
	uint8_t		*p;
	uint32_t	 i;

	if (run && r->seal == NULL) {
		p = r->g->mem + (size_t)list[0] * HV_PAGE;
		zmq_msg_init_data(d, p, (size_t)n * HV_PAGE, NULL, NULL);
	} else if (r->seal == NULL) {
		if (zmq_msg_init_size(d, (size_t)n * HV_PAGE) == -1)
			return reloc_fail(r, HV_END_FAILED, "out of memory");
		p = zmq_msg_data(d);
		for (i = 0; i < n; i++)
			memcpy(p + (size_t)i * HV_PAGE, mem + (size_t)list[i] *
			    HV_PAGE, HV_PAGE);
	} else {
		/* Each page digested as it is sealed, while it is cached. */
		if (zmq_msg_init_size(d, (size_t)n * HV_PAGE + SEAL_TAG) == -1)
			return reloc_fail(r, HV_END_FAILED, "out of memory");
		p = zmq_msg_data(d);
		for (i = 0; i < n; i++) {
			src = mem + (size_t)list[i] * HV_PAGE;
			if (seal_data(r->seal, p + (size_t)i * HV_PAGE, src,
			    HV_PAGE) == -1)
				goto sealfail;
			if (r->verify != HV_VERIFY_FULL)
				r->hashes[list[i]] = digest_page(src);
		}
		if (seal_end(r->seal, p + (size_t)n * HV_PAGE) == -1)
			goto sealfail;
		return 0;
	}
	if (r->verify != HV_VERIFY_FULL)
		for (i = 0; i < n; i++)
			r->hashes[list[i]] = digest_page(p + (size_t)i *
			    HV_PAGE);
	return 0;
sealfail:
	zmq_msg_close(d);
	return reloc_fail(r, HV_END_FAILED, "pages cannot be sealed");
}

/* Send one PAGES frame: its header and page numbers, then the pages. */
static int
outbound_send_batch(struct reloc *r, const uint32_t *list, uint32_t n, bool run)
{
	struct chan_hdr	 hdr = { CHAN_MAGIC, CHAN_PAGES,
	    r->paused ? CHAN_F_QUIESCE : 0, (uint64_t)r->id, n, ++r->seq };
	zmq_msg_t	 m, d;
	uint8_t		*p;

	if (zmq_msg_init_size(&m, sizeof(hdr) + n * sizeof(uint32_t)) == -1)
		return reloc_fail(r, HV_END_FAILED, "out of memory");
	p = zmq_msg_data(&m);
	memcpy(p, &hdr, sizeof(hdr));
	if (r->seal == NULL)
		memcpy(p + sizeof(hdr), list, n * sizeof(uint32_t));
	else if (seal_begin(r->seal, &hdr, sizeof(hdr)) == -1 ||
	    seal_data(r->seal, p + sizeof(hdr), list, n * sizeof(uint32_t)) ==
	    -1) {
		zmq_msg_close(&m);
		return reloc_fail(r, HV_END_FAILED, "pages cannot be sealed");
	}
	if (outbound_batch_data(r, &d, list, n, run) == -1) {
		zmq_msg_close(&m);
		return -1;
	}
	if (zmq_msg_send(&m, r->sock, ZMQ_SNDMORE) == -1) {
		zmq_msg_close(&m);
		zmq_msg_close(&d);
		return reloc_fail(r, HV_END_LOST_LINK, "channel to %s: %s",
		    r->dst, zmq_strerror(errno));
	}
	if (zmq_msg_send(&d, r->sock, 0) == -1) {
		zmq_msg_close(&d);
		return reloc_fail(r, HV_END_LOST_LINK, "channel to %s: %s",
		    r->dst, zmq_strerror(errno));
	}
	r->pages_sent += n;
	r->pass_bytes += (uint64_t)n * HV_PAGE;
	return 0;
}

/*
 * Send one frame from the start of list[0, n); *k: how many pages it
 * took.  Then wait for room in the window and keep to the rate limit.
 */
int
outbound_send_frame(struct reloc *r, const uint32_t *list, size_t n, size_t *k,
    bool check)
{
	bool	run;

	if (check && reloc_limits(r) == -1)
		return -1;
	*k = batch_len(list, n, &run);
	if (outbound_send_batch(r, list, (uint32_t)*k, run) == -1)
		return -1;
	while (r->seq - r->acked >= CHAN_WINDOW)
		if (outbound_wait(r, CHAN_ACK, NULL, 0, RELOC_LINK_MS) == -1)
			return -1;
	outbound_throttle(r);
	return 0;
}

/* Send the listed pages, the guest stopped (no limits to check). */
int
outbound_send_list(struct reloc *r, const uint32_t *list, size_t n)
{
	size_t	i, k;

	for (i = 0; i < n; i += k)
		if (outbound_send_frame(r, list + i, n - i, &k, false) == -1)
			return -1;
	return 0;
}

static void
outbound_sockopts(void *sock)
{
	int	zero = 0, hwm = CHAN_WINDOW * 2, tmo = RELOC_LINK_MS;
	int	buf = RELOC_SNDBUF;

	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(sock, ZMQ_SNDBUF, &buf, sizeof(buf));
}

static int
outbound_connect(struct reloc *r)
{
	char	ep[600], ctl[600];

	if ((r->zctx = zmq_ctx_new()) == NULL ||
	    (r->sock = zmq_socket(r->zctx, ZMQ_DEALER)) == NULL)
		return reloc_fail(r, HV_END_FAILED, "socket: %s",
		    zmq_strerror(errno));
	/* Where the target published its channel, else its ipc path. */
	if (dir_member_endpoints(r->dir, r->dst, ctl, ep, sizeof(ep)) != 1 ||
	    ep[0] == '\0')
		snprintf(ep, sizeof(ep), "ipc://%s/%s", r->h->chandir, r->dst);
	outbound_sockopts(r->sock);
	if (strncmp(ep, "tcp://", 6) == 0 &&
	    keys_client_setup(r->sock, &r->h->chan_kc) == -1)
		return reloc_fail(r, HV_END_FAILED, "CURVE keys: %s",
		    zmq_strerror(errno));
	if (zmq_connect(r->sock, ep) == -1)
		return reloc_fail(r, HV_END_LOST_LINK, "connect %s: %s", ep,
		    zmq_strerror(errno));
	return 0;
}

/*
 * A READY over the underlay names the target's bulk endpoint and a key:
 * the CURVE socket has done its part, every later frame goes sealed to
 * the bulk endpoint (seal.c).
 */
static int
outbound_bulk(struct reloc *r, struct chan_ready *rd)
{
	void	*sock;
	int	 rc = 0;

	if ((sock = zmq_socket(r->zctx, ZMQ_DEALER)) == NULL)
		return reloc_fail(r, HV_END_FAILED, "socket: %s",
		    zmq_strerror(errno));
	outbound_sockopts(sock);
	if (zmq_connect(sock, rd->bulk) == -1) {
		rc = reloc_fail(r, HV_END_LOST_LINK, "connect %s: %s",
		    rd->bulk, zmq_strerror(errno));
		zmq_close(sock);
	} else if (seal_init(&r->bulk, rd->key, true) == -1) {
		rc = reloc_fail(r, HV_END_FAILED, "no cipher for the bulk");
		zmq_close(sock);
	} else {
		zmq_close(r->sock);
		r->sock = sock;
		r->seal = &r->bulk;
	}
	explicit_bzero(rd->key, sizeof(rd->key));
	return rc;
}

int
outbound_setup(struct reloc *r)
{
	struct chan_setup	s;
	struct chan_ready	rd;
	uint64_t		zero;
	size_t			i;

	memset(&s, 0, sizeof(s));
	snprintf(s.guest, sizeof(s.guest), "%s", r->def->name);
	snprintf(s.src, sizeof(s.src), "%s", r->h->name);
	s.memory_mib = r->def->memory_mib;
	s.verify = r->verify;
	s.token = r->token;
	if ((r->hashes = malloc(r->g->npages * sizeof(*r->hashes))) == NULL ||
	    (r->list = malloc(r->g->npages * sizeof(*r->list))) == NULL)
		return reloc_fail(r, HV_END_FAILED, "out of memory");
	zero = digest_page(outbound_zero_page);
	for (i = 0; i < r->g->npages; i++)
		r->hashes[i] = zero;
	memset(&rd, 0, sizeof(rd));
	if (outbound_connect(r) == -1 ||
	    chan_send(r->sock, NULL, CHAN_SETUP, (uint64_t)r->id, 0, 0, &s,
	    sizeof(s)) == -1 ||
	    outbound_wait(r, CHAN_READY, &rd, sizeof(rd), RELOC_LINK_MS) == -1)
		return reloc_fail(r, HV_END_LOST_LINK, "setup on %s failed",
		    r->dst);
	if (rd.bulk[0] != '\0' && outbound_bulk(r, &rd) == -1)
		return -1;
	r->has_rp = false;
	switch (replug_open(&r->rp, r->h->conf->lab, r->def, r->dst_idx)) {
	case 0:
		r->has_rp = true;
		break;
	case 1:
		break;
	default:
		return reloc_fail(r, HV_END_FAILED, "HiperSockets NICs of %s "
		    "cannot be re-plugged", r->def->name);
	}
	return 0;
}
