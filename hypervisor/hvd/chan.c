/*
 * chan.c: frames of the member-to-member relocation channel (hvd.h).
 */
#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "hvd.h"

static bool
chan_size_ok(const struct chan_hdr *h, size_t plen)
{
	switch (h->type) {
	case CHAN_SETUP:
		return plen == sizeof(struct chan_setup);
	case CHAN_READY:
		return plen == 0 || plen == sizeof(struct chan_ready);
	case CHAN_PAGES:
		return h->count >= 1 && h->count <= CHAN_BATCH &&
		    plen == (size_t)h->count * sizeof(uint32_t);
	case CHAN_STATE:
		return plen == sizeof(struct chan_state);
	case CHAN_DIGEST:
		return plen == sizeof(uint64_t);
	case CHAN_ERROR:
		return plen <= CHAN_ERROR_MAX;
	default:
		return plen == 0;
	}
}

/* The payload lies where the frame put it: copied out, not cast. */
static bool
chan_setup_ok(const void *payload)
{
	struct chan_setup	s;

	memcpy(&s, payload, sizeof(s));
	return memchr(s.guest, '\0', sizeof(s.guest)) != NULL &&
	    memchr(s.src, '\0', sizeof(s.src)) != NULL &&
	    msg_name_valid(s.guest) && msg_name_valid(s.src) &&
	    s.memory_mib != 0 && s.memory_mib <= (1u << 20) &&
	    s.verify <= HV_VERIFY_FULL;
}

/* A bulk endpoint is a terminated tcp:// address, or none (""). */
static bool
chan_ready_ok(const void *payload)
{
	struct chan_ready	r;

	memcpy(&r, payload, sizeof(r));
	return memchr(r.bulk, '\0', sizeof(r.bulk)) != NULL &&
	    (r.bulk[0] == '\0' || strncmp(r.bulk, "tcp://", 6) == 0);
}

int
chan_decode(const void *buf, size_t len, struct chan_hdr *h,
    const void **payload, size_t *plen)
{
	if (len < sizeof(*h))
		goto bad;
	memcpy(h, buf, sizeof(*h));
	if (h->magic != CHAN_MAGIC || h->type < CHAN_SETUP ||
	    h->type >= CHAN_MAX || (h->flags & ~CHAN_F_QUIESCE) != 0)
		goto bad;
	*payload = (const char *)buf + sizeof(*h);
	*plen = len - sizeof(*h);
	if (!chan_size_ok(h, *plen))
		goto bad;
	if (h->type == CHAN_SETUP && !chan_setup_ok(*payload))
		goto bad;
	if (h->type == CHAN_READY && *plen != 0 && !chan_ready_ok(*payload))
		goto bad;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

int
chan_decode_data(const struct chan_hdr *h, bool more, size_t len)
{
	if (h->type == CHAN_PAGES ? more && len == (size_t)h->count * HV_PAGE :
	    !more)
		return 0;
	errno = EBADMSG;
	return -1;
}

bool
chan_pages_valid(const void *payload, uint32_t count, size_t npages)
{
	uint32_t	p;
	size_t		i;

	for (i = 0; i < count; i++) {
		memcpy(&p, (const char *)payload + i * sizeof(p), sizeof(p));
		if (p >= npages)
			return false;
	}
	return true;
}

int
chan_send(void *sock, struct seal *seal, enum chan_type type, uint64_t rid,
    uint32_t count, uint32_t seq, const void *payload, size_t plen)
{
	struct chan_hdr	 h = { CHAN_MAGIC, (uint16_t)type, 0, rid, count, seq };
	size_t		 tag = seal != NULL ? SEAL_TAG : 0;
	zmq_msg_t	 m;
	uint8_t		*p;

	if (zmq_msg_init_size(&m, sizeof(h) + plen + tag) == -1)
		return -1;
	p = zmq_msg_data(&m);
	memcpy(p, &h, sizeof(h));
	if (seal == NULL) {
		if (plen > 0)
			memcpy(p + sizeof(h), payload, plen);
	} else if (seal_begin(seal, &h, sizeof(h)) == -1 ||
	    (plen > 0 && seal_data(seal, p + sizeof(h), payload, plen) ==
	    -1) || seal_end(seal, p + sizeof(h) + plen) == -1) {
		zmq_msg_close(&m);
		errno = EIO;
		return -1;
	}
	if (zmq_msg_send(&m, sock, 0) == -1) {
		zmq_msg_close(&m);
		return -1;
	}
	return 0;
}
