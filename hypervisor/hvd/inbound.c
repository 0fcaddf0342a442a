/*
 * inbound.c: the target side of live relocations.  One thread serves
 * the member's channel socket (a ROUTER at ipc: LABDIR/chan/MEMBER):
 * for each relocation the journal holds for this member it reserves a
 * memory image, stores the pages as they come (store.c), digests them,
 * and on RESUME commits the residency in the directory and starts the
 * guest.  Over the underlay the ROUTER is tcp:// and CURVE, and a
 * second one, the bulk endpoint, takes every frame after READY sealed
 * with the session's one-time key (seal.c); the thread replies where
 * the frame came from, sealed as it came.
 *
 * The sessions are the inbound thread's alone.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "clock.h"
#include "directory.h"
#include "keys.h"
#include "log.h"

#define INB_SESSIONS	16
#define INB_IDLE_MS	10000	/* a silent source is gone */
#define INB_ID_MAX	256
#define INB_ACK_MAX	4	/* PAGES frames acknowledged at once, at most */

_Static_assert(INB_ACK_MAX < CHAN_WINDOW, "a held-back ACK would stall");

struct inb_session {
	bool			 used;
	uint64_t		 rid;
	uint8_t			 peer[INB_ID_MAX];
	size_t			 peerlen;
	int			 gidx;
	uint8_t			*mem;
	size_t			 len, npages;
	int			 store;		/* -1: plain memory */
	uint64_t		*hashes;
	enum hv_verify		 verify;
	struct vcpu_state	 st;
	bool			 have_state;
	uint64_t		 last_ms;	/* clock_ms() */
	char			 src[HV_NAME];
	int64_t			 token;		/* residency revision */
	void			*sock;		/* where the source is */
	struct seal		 seal;		/* keyed: READY sent one */
	bool			 keyed, sealed;	/* sealed: on the bulk */
	uint32_t		 ack;		/* last PAGES seq stored */
	unsigned		 unacked;	/* frames stored since ACK */
	bool			 urgent;	/* in its quiesce */
};

struct inbound {
	struct hvd		*h;
	struct dir		*dir;
	void			*sock;
	void			*bulk;		/* over the underlay */
	char			 bulk_ep[CHAN_EP_MAX];
	struct inb_session	 s[INB_SESSIONS];
	void			*cur;		/* the frame's socket */
	struct seal		*cur_seal;	/* and seal, if any */
	uint8_t			 peer[INB_ID_MAX];
	size_t			 peerlen;
	time_t			 lastwarn, lastforged;
	bool			 urgent;	/* at hvd's priority (prio.c) */
};

static struct inbound	inb;	/* the inbound thread's, set up before it */

static const uint64_t	inb_zero_page[HV_PAGE / 8];

static int
inb_reply(struct inbound *ib, enum chan_type type, uint64_t rid,
    uint32_t seq, const void *pl, size_t plen)
{
	if (zmq_send(ib->cur, ib->peer, ib->peerlen, ZMQ_SNDMORE) == -1)
		return -1;
	return chan_send(ib->cur, ib->cur_seal, type, rid, 0, seq, pl, plen);
}

static void
inb_error(struct inbound *ib, uint64_t rid, const char *text)
{
	log_warnx("[HV-INBOUND] relocation %ju refused: %s", (uintmax_t)rid,
	    text);
	inb_reply(ib, CHAN_ERROR, rid, 0, text, strlen(text));
}

static struct inb_session *
inb_find(struct inbound *ib, uint64_t rid)
{
	size_t	i;

	for (i = 0; i < INB_SESSIONS; i++)
		if (ib->s[i].used && ib->s[i].rid == rid &&
		    ib->s[i].peerlen == ib->peerlen &&
		    memcmp(ib->s[i].peer, ib->peer, ib->peerlen) == 0)
			return &ib->s[i];
	return NULL;
}

/*
 * The thread runs the pre-copy streams in the background, and at hvd's
 * priority while a session is in its quiesce (prio.c).
 */
static void
inb_prio(struct inbound *ib)
{
	bool	urgent = false;
	size_t	i;

	for (i = 0; i < INB_SESSIONS; i++)
		urgent |= ib->s[i].used && ib->s[i].urgent;
	if (urgent != ib->urgent)
		prio_set(ib->h, !urgent);
	ib->urgent = urgent;
}

static void
inb_drop(struct inb_session *s, bool keep_mem)
{
	store_close(s->store, s->mem, s->len);
	if (!keep_mem)
		guest_image_free(s->mem, s->len);
	if (s->keyed)
		seal_free(&s->seal);
	free(s->hashes);
	memset(s, 0, sizeof(*s));
}

static int
inb_setup_check(struct inbound *ib, uint64_t rid, const struct chan_setup *cs,
    int *gidx)
{
	struct hvd	*h = ib->h;

	if (member_fenced(h)) {
		inb_error(ib, rid, "target member fenced");
		return -1;
	}
	if ((*gidx = config_guest_find(h->conf, cs->guest)) == -1) {
		inb_error(ib, rid, "unknown guest");
		return -1;
	}
	if (h->conf->guests[*gidx].memory_mib != cs->memory_mib) {
		inb_error(ib, rid, "memory size differs from the definition");
		return -1;
	}
	if (dir_journal_active(ib->dir, cs->guest, (int64_t)rid, cs->src,
	    h->name) != 1) {
		inb_error(ib, rid, "no such relocation in the journal");
		return -1;
	}
	if (h->guests[*gidx] != NULL) {
		inb_error(ib, rid, "guest already active here");
		return -1;
	}
	return 0;
}

static struct inb_session *
inb_slot(struct inbound *ib)
{
	size_t	i;

	for (i = 0; i < INB_SESSIONS; i++)
		if (!ib->s[i].used)
			return &ib->s[i];
	return NULL;
}

/*
 * A spare image from the pool, else a new one that pages fill as they
 * come (store.c); without a userfaultfd, populate it now rather than
 * page by page.
 */
static int
inb_image(struct inbound *ib, struct inb_session *s)
{
	if ((s->mem = pool_take(ib->h, s->len)) != NULL)
		return 0;
	if ((s->mem = guest_image_new(s->len)) == NULL)
		return -1;
	if ((s->store = store_open(s->mem, s->len)) != -1)
		return 0;
	log_debug("relocation image without userfaultfd (%s): populated",
	    strerror(errno));
	return madvise(s->mem, s->len, MADV_POPULATE_WRITE);
}

/*
 * READY: over the underlay with the bulk endpoint and a new key, which
 * the source alone learns (CURVE); else empty.
 */
static void
inb_ready(struct inbound *ib, struct inb_session *s)
{
	struct chan_ready	rd;

	memset(&rd, 0, sizeof(rd));
	if (ib->bulk == NULL) {
		inb_reply(ib, CHAN_READY, s->rid, 0, NULL, 0);
		return;
	}
	if (seal_key_new(rd.key) == -1 || seal_init(&s->seal, rd.key,
	    false) == -1) {
		inb_error(ib, s->rid, "no key for the bulk");
		inb_drop(s, false);
		return;
	}
	s->keyed = true;
	snprintf(rd.bulk, sizeof(rd.bulk), "%s", ib->bulk_ep);
	inb_reply(ib, CHAN_READY, s->rid, 0, &rd, sizeof(rd));
	explicit_bzero(rd.key, sizeof(rd.key));
}

static void
inb_setup(struct inbound *ib, uint64_t rid, const struct chan_setup *cs)
{
	struct inb_session	*s;
	uint64_t		 zero = digest_page(inb_zero_page);
	size_t			 i;
	int			 gidx;

	if (inb_find(ib, rid) != NULL || inb_setup_check(ib, rid, cs,
	    &gidx) == -1)
		return;
	if ((s = inb_slot(ib)) == NULL) {
		inb_error(ib, rid, "too many inbound relocations");
		return;
	}
	s->store = -1;
	s->len = (size_t)cs->memory_mib << 20;
	s->npages = s->len / HV_PAGE;
	if (inb_image(ib, s) == -1 ||
	    (s->hashes = malloc(s->npages * sizeof(*s->hashes))) == NULL) {
		store_close(s->store, s->mem, s->len);
		guest_image_free(s->mem, s->len);
		memset(s, 0, sizeof(*s));
		inb_error(ib, rid, "no memory for the image");
		return;
	}
	for (i = 0; i < s->npages; i++)
		s->hashes[i] = zero;
	s->used = true;
	s->rid = rid;
	memcpy(s->peer, ib->peer, ib->peerlen);
	s->peerlen = ib->peerlen;
	s->gidx = gidx;
	s->verify = (enum hv_verify)cs->verify;
	s->last_ms = clock_ms();
	snprintf(s->src, sizeof(s->src), "%s", cs->src);
	s->token = cs->token;
	s->sock = ib->cur;
	inb_ready(ib, s);
}

static bool
inb_pending_on(void *sock)
{
	size_t	len;
	int	ev = 0;

	len = sizeof(ev);
	return sock != NULL && zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) ==
	    0 && (ev & ZMQ_POLLIN) != 0;
}

/* More frames waiting already? */
static bool
inb_pending(struct inbound *ib)
{
	return inb_pending_on(ib->sock) || inb_pending_on(ib->bulk);
}

/*
 * Acknowledge the PAGES frames stored so far (ACKs are cumulative).  A
 * frame with more behind it waits for them, up to INB_ACK_MAX, so that
 * a busy target wakes its source less often; less than the source's
 * window, so the source never waits for an ACK held back.
 */
static void
inb_ack(struct inb_session *s)
{
	if (s->unacked == 0)
		return;
	s->unacked = 0;
	if (zmq_send(s->sock, s->peer, s->peerlen, ZMQ_SNDMORE) != -1)
		chan_send(s->sock, s->sealed ? &s->seal : NULL, CHAN_ACK,
		    s->rid, 0, s->ack, NULL, 0);
}

static void
inb_pages(struct inbound *ib, struct inb_session *s,
    const struct chan_hdr *hdr, const void *pl, const uint8_t *data)
{
	uint32_t	 list[CHAN_BATCH];

	if (!chan_pages_valid(pl, hdr->count, s->npages)) {
		inb_error(ib, s->rid, "page number out of range");
		inb_drop(s, false);
		return;
	}
	memcpy(list, pl, hdr->count * sizeof(list[0]));
	if (store_pages(s->store, s->mem, list, hdr->count, data,
	    s->verify != HV_VERIFY_FULL ? s->hashes : NULL) == -1) {
		inb_error(ib, s->rid, errno == ENOMEM ? "no memory for the "
		    "image" : "pages cannot be stored");
		inb_drop(s, false);
		return;
	}
	s->ack = hdr->seq;
	if (++s->unacked >= INB_ACK_MAX || !inb_pending(ib))
		inb_ack(s);
}

static void
inb_state(struct inbound *ib, struct inb_session *s, const void *pl)
{
	struct chan_state	cs;
	uint64_t		d;

	memcpy(&cs, pl, sizeof(cs));
	s->st = cs.st;
	s->have_state = true;
	store_close(s->store, s->mem, s->len);	/* the last pages are in */
	s->store = -1;
	d = s->verify == HV_VERIFY_FULL ? digest_memory(s->mem, s->npages) :
	    digest_pages(s->hashes, s->npages);
	inb_reply(ib, CHAN_DIGEST, s->rid, 0, &d, sizeof(d));
}

/*
 * The commit point: the residency moves here only if the relocation is
 * still journalled and the residency is still at the token the source
 * read (a stale commit fails and the source rolls back).
 */
static int
inb_commit(struct inbound *ib, struct inb_session *s)
{
	const char	*guest = ib->h->conf->guests[s->gidx].name;

	if (member_fenced(ib->h))
		return -1;
	switch (dir_reloc_commit(ib->dir, guest, (int64_t)s->rid, s->src,
	    ib->h->name, s->token)) {
	case 1:
		return 0;
	case 0:
		log_warnx("[HV-RELOC-STALE] relocation %ju of %s: commit "
		    "refused (ended, or residency changed since token %jd)",
		    (uintmax_t)s->rid, guest, (intmax_t)s->token);
		return -1;
	default:
		return -1;
	}
}

static void
inb_resume(struct inbound *ib, struct inb_session *s)
{
	const struct hv_guestdef	*def = &ib->h->conf->guests[s->gidx];
	struct guest			*g;

	store_close(s->store, s->mem, s->len);
	s->store = -1;
	if (!s->have_state || inb_commit(ib, s) == -1) {
		inb_error(ib, s->rid, "relocation no longer journalled");
		inb_drop(s, false);
		return;
	}
	if ((g = guest_new(def, s->mem, &s->st)) == NULL ||
	    guest_start(g) == -1)
		fatal("[HV-RESUME] guest %s cannot run after commit", def->name);
	hvd_guest_add(ib->h, g);
	if (guest_freeze(ib->h->conf->lab, def->name, false) == -1)
		log_warn("[HV-THAW] guest %s", def->name);
	inb_reply(ib, CHAN_RESUMED, s->rid, 0, NULL, 0);
	dir_event(ib->dir, "HV-RELOC-RESUMED", ib->h->name, def->name,
	    "relocation %ju: resumed on %s", (uintmax_t)s->rid, ib->h->name);
	inb_drop(s, true);
}

static void
inb_bad(struct inbound *ib, size_t len)
{
	if (time(NULL) != ib->lastwarn)
		log_warnx("[HV-CHAN-BAD] malformed channel frame (%zu bytes) "
		    "dropped", len);
	ib->lastwarn = time(NULL);
}

/* A frame and, for PAGES, its pages (data, dlen; more: there are some). */
static void
inb_frame(struct inbound *ib, const void *buf, size_t len, bool more,
    const void *data, size_t dlen)
{
	struct inb_session	*s;
	struct chan_setup	 setup;
	struct chan_hdr		 hdr;
	const void		*pl;
	size_t			 plen;

	if (chan_decode(buf, len, &hdr, &pl, &plen) == -1 ||
	    chan_decode_data(&hdr, more, dlen) == -1) {
		inb_bad(ib, len);
		return;
	}
	if (hdr.type == CHAN_SETUP) {
		memcpy(&setup, pl, sizeof(setup));	/* may be unaligned */
		inb_setup(ib, hdr.rid, &setup);
		return;
	}
	if ((s = inb_find(ib, hdr.rid)) == NULL)
		return;
	s->last_ms = clock_ms();
	if ((hdr.flags & CHAN_F_QUIESCE) != 0 || hdr.type == CHAN_STATE ||
	    hdr.type == CHAN_RESUME) {
		s->urgent = true;
		inb_prio(ib);
	}
	switch (hdr.type) {
	case CHAN_PAGES:
		inb_pages(ib, s, &hdr, pl, data);
		break;
	case CHAN_STATE:
		inb_state(ib, s, pl);
		break;
	case CHAN_RESUME:
		inb_resume(ib, s);
		break;
	case CHAN_ABORT:
		inb_drop(s, false);
		break;
	default:
		break;
	}
}

/* Parts beyond the ones a frame may have: read and dropped. */
static bool
inb_drain(struct inbound *ib, zmq_msg_t *last)
{
	zmq_msg_t	m;

	if (!zmq_msg_more(last))
		return false;
	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, ib->cur, 0) != -1 && zmq_msg_more(&m))
		;
	zmq_msg_close(&m);
	return true;
}

/* Did a daemon of the lab (CURVE, role server) send m? */
static bool
inb_from_server(zmq_msg_t *m)
{
	const char	*who = zmq_msg_gets(m, "User-Id");

	return who != NULL && strcmp(who, "server") == 0;
}

/*
 * A frame on the bulk endpoint: the session its clear header names, if
 * it has a key, and only if the frame opens with it (seal.c); in place,
 * *mlen and *dlen lose the tag.  The source is then the bulk's peer.
 * A frame that names a session but does not open is forged, or sent
 * with another key: dropped, and an event says so (once a second).
 */
static bool
inb_open(struct inbound *ib, zmq_msg_t *m, size_t *mlen, zmq_msg_t *d,
    size_t *dlen, bool more)
{
	struct inb_session	*s = NULL;
	struct chan_hdr		 hdr;
	const char		*from;
	size_t			 i;

	if (*mlen < sizeof(hdr))
		return false;
	memcpy(&hdr, zmq_msg_data(m), sizeof(hdr));
	for (i = 0; i < INB_SESSIONS && s == NULL; i++)
		if (ib->s[i].used && ib->s[i].keyed && ib->s[i].rid == hdr.rid)
			s = &ib->s[i];
	if (s == NULL)
		return false;
	if (seal_open(&s->seal, sizeof(hdr), zmq_msg_data(m), mlen,
	    more ? zmq_msg_data(d) : NULL, dlen) == -1) {
		if (time(NULL) != ib->lastforged) {
			from = zmq_msg_gets(m, "Peer-Address");
			dir_event(ib->dir, "HV-CHAN-FORGED", ib->h->name,
			    ib->h->conf->guests[s->gidx].name, "relocation "
			    "%ju: a frame from %s on the bulk endpoint does "
			    "not open with its key: dropped", (uintmax_t)s->rid,
			    from != NULL ? from : "an unknown peer");
			ib->lastforged = time(NULL);
		}
		return false;
	}
	s->sealed = true;
	s->sock = ib->bulk;
	memcpy(s->peer, ib->peer, ib->peerlen);
	s->peerlen = ib->peerlen;
	ib->cur_seal = &s->seal;
	return true;
}

/* One message from sock: the peer's identity, a frame, one data part. */
static void
inb_recv(struct inbound *ib, void *sock)
{
	zmq_msg_t	id, m, d;
	size_t		mlen, dlen;
	bool		more;

	ib->cur = sock;
	ib->cur_seal = NULL;
	zmq_msg_init(&id);
	zmq_msg_init(&m);
	zmq_msg_init(&d);
	if (zmq_msg_recv(&id, sock, ZMQ_DONTWAIT) == -1)
		goto out;
	if (zmq_msg_size(&id) > INB_ID_MAX || !zmq_msg_more(&id)) {
		inb_drain(ib, &id);
		goto out;
	}
	if (zmq_msg_recv(&m, sock, 0) == -1)
		goto out;
	if (sock == ib->sock && ib->h->opts.listen != NULL &&
	    !inb_from_server(&m)) {
		inb_drain(ib, &m);
		if (time(NULL) != ib->lastwarn)
			log_warnx("[HV-CHAN-AUTH] channel frame from a client "
			    "that is not a daemon of the lab (%s key) dropped",
			    zmq_msg_gets(&m, "User-Id") ? zmq_msg_gets(&m,
			    "User-Id") : "no");
		ib->lastwarn = time(NULL);
		goto out;
	}
	memcpy(ib->peer, zmq_msg_data(&id), zmq_msg_size(&id));
	ib->peerlen = zmq_msg_size(&id);
	if ((more = zmq_msg_more(&m)) && zmq_msg_recv(&d, sock, 0) == -1)
		goto out;
	mlen = zmq_msg_size(&m);
	dlen = zmq_msg_size(&d);
	if (inb_drain(ib, more ? &d : &m) || (sock == ib->bulk &&
	    !inb_open(ib, &m, &mlen, &d, &dlen, more)))
		inb_bad(ib, mlen);
	else
		inb_frame(ib, zmq_msg_data(&m), mlen, more, zmq_msg_data(&d),
		    dlen);
out:
	zmq_msg_close(&d);
	zmq_msg_close(&m);
	zmq_msg_close(&id);
}

static void
inb_expire(struct inbound *ib)
{
	uint64_t	now = clock_ms();
	size_t		i;

	for (i = 0; i < INB_SESSIONS; i++)
		if (ib->s[i].used && now - ib->s[i].last_ms > INB_IDLE_MS) {
			log_warnx("[HV-INBOUND] relocation %ju from %s: source "
			    "silent, image released", (uintmax_t)ib->s[i].rid,
			    ib->s[i].src);
			inb_drop(&ib->s[i], false);
		}
	inb_prio(ib);	/* back to the background once none is urgent */
}

static void *
inb_run(void *arg)
{
	struct inbound	*ib = arg;
	zmq_pollitem_t	 it[2] = { { ib->sock, 0, ZMQ_POLLIN, 0 },
	    { ib->bulk, 0, ZMQ_POLLIN, 0 } };
	size_t		 i;

	pthread_setname_np(pthread_self(), "inbound");
	prio_set(ib->h, true);
	/* The channel's own I/O thread (HVD_IO_CHANNEL), ZeroMQ's name. */
	prio_set_named(ib->h, "ZMQbg/IO/1");
	while (!ib->h->quit) {
		if (zmq_poll(it, ib->bulk != NULL ? 2 : 1, 200) > 0) {
			if (it[0].revents & ZMQ_POLLIN)
				inb_recv(ib, ib->sock);
			if (ib->bulk != NULL && (it[1].revents & ZMQ_POLLIN))
				inb_recv(ib, ib->bulk);
		}
		if (!inb_pending(ib))
			for (i = 0; i < INB_SESSIONS; i++)
				if (ib->s[i].used)
					inb_ack(&ib->s[i]);
		inb_expire(ib);
	}
	return NULL;
}

/*
 * The bulk endpoint: not CURVE (its frames are sealed with the keys
 * READY handed out, and opened only with them), no message larger than
 * a sealed PAGES frame's pages from anyone.
 */
static int
inbound_bulk(struct inbound *ib, const char *ep)
{
	uint64_t	io = HVD_IO_CHANNEL;
	int64_t		max = (int64_t)CHAN_BATCH * HV_PAGE + SEAL_TAG;
	size_t		len = sizeof(ib->bulk_ep);
	int		zero = 0;

	if ((ib->bulk = zmq_socket(ib->h->zctx, ZMQ_ROUTER)) == NULL ||
	    zmq_setsockopt(ib->bulk, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_setsockopt(ib->bulk, ZMQ_AFFINITY, &io, sizeof(io)) == -1 ||
	    zmq_setsockopt(ib->bulk, ZMQ_MAXMSGSIZE, &max, sizeof(max)) ==
	    -1 || zmq_bind(ib->bulk, ep) == -1 ||
	    zmq_getsockopt(ib->bulk, ZMQ_LAST_ENDPOINT, ib->bulk_ep, &len) ==
	    -1) {
		log_warn("bulk socket %s", ep);
		return -1;
	}
	return 0;
}

int
inbound_start(struct hvd *h)
{
	char		ep[600];
	size_t		len = sizeof(h->chan_ep);
	uint64_t	io = HVD_IO_CHANNEL;
	int		zero = 0;

	memset(&inb, 0, sizeof(inb));
	inb.h = h;
	if ((inb.dir = dir_open(&h->dirconf)) == NULL)
		return -1;
	if (h->opts.listen != NULL)
		snprintf(ep, sizeof(ep), "tcp://%s:*", h->opts.listen);
	else
		snprintf(ep, sizeof(ep), "ipc://%s/%s", h->chandir, h->name);
	/*
	 * On tcp:// the channel is CURVE (the lab's server keys, checked by
	 * the control socket's ZAP handler): frames from any other key than
	 * a daemon's of the lab are dropped (inb_recv).
	 */
	if ((inb.sock = zmq_socket(h->zctx, ZMQ_ROUTER)) == NULL ||
	    zmq_setsockopt(inb.sock, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_setsockopt(inb.sock, ZMQ_AFFINITY, &io, sizeof(io)) == -1 ||
	    (h->opts.listen != NULL &&
	    keys_server_setup(inb.sock, &h->keys) == -1) ||
	    zmq_bind(inb.sock, ep) == -1) {
		log_warn("channel socket %s", ep);
		return -1;
	}
	if (zmq_getsockopt(inb.sock, ZMQ_LAST_ENDPOINT, h->chan_ep, &len) ==
	    -1)
		snprintf(h->chan_ep, sizeof(h->chan_ep), "%s", ep);
	if (h->opts.listen != NULL && inbound_bulk(&inb, ep) == -1)
		return -1;
	if ((errno = pthread_create(&h->inbound, NULL, inb_run, &inb)) != 0)
		return -1;
	return 0;
}

void
inbound_stop(struct hvd *h)
{
	size_t	i;

	pthread_join(h->inbound, NULL);
	for (i = 0; i < INB_SESSIONS; i++)
		if (inb.s[i].used)
			inb_drop(&inb.s[i], false);
	zmq_close(inb.sock);
	if (inb.bulk != NULL)
		zmq_close(inb.bulk);
	dir_close(inb.dir);
}
