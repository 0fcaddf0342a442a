/*
 * relocate.c: the source side of a live relocation, one thread per
 * relocation: setup on the target, pre-copy passes while the guest runs,
 * quiesce (freeze, pause, last pages, vCPU state, NIC re-plug, digests),
 * resume on the target, then post.  Any failure before the target
 * commits the residency rolls everything back.
 *
 * A struct reloc belongs to its thread; the main thread only sets the
 * atomics (cancel, limits) through reloc_cancel and reloc_set_limits,
 * under hvd->lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "hvd.h"
#include "log.h"

#define RELOC_LINK_MS		3000	/* no answer: the link is lost */
#define RELOC_MAX_PASSES	32
#define RELOC_SMALL_PAGES	64	/* a remainder this small: quiesce */
#define RELOC_TARGET_MS		2.0	/* aimed-at quiesce estimate */
#define RELOC_RUN_MIN		16	/* consecutive pages sent as they lie */
#define RELOC_SNDBUF		(4 << 20)	/* socket buffer, if allowed */
#define RELOC_PROTECT		8192	/* pass 1 protects this far ahead */

struct reloc {
	struct hvd			*h;
	int				 gidx;
	const struct hv_guestdef	*def;
	int64_t				 id;
	char				 dst[HV_NAME];
	int				 dst_idx;
	atomic_bool			 cancel;
	_Atomic uint64_t		 max_total_ms;
	_Atomic uint64_t		 max_quiesce_ms;
	_Atomic uint64_t		 max_rate_mib;
	bool				 immediate;
	enum ctl_verify			 verify;
	pthread_t			 thread;

	struct dir			*dir;
	void				*zctx;	/* the relocation's own */
	void				*sock;
	struct guest			*g;
	uint64_t			*hashes;
	uint32_t			*list;
	uint32_t			 seq, acked;
	size_t				 carry;
	double				 t0;
	double				 pass_t0;
	uint64_t			 pass_bytes;
	uint64_t			 pages_sent;
	int				 passes;
	double				 bw;	/* bytes per ms */
	struct replug			 rp;
	bool				 has_rp, replugged, frozen, paused;
	bool				 resumed;
	enum ctl_end			 end;
	char				 text[256];
	double				 quiesce_ms, total_ms;
	uint64_t			 digest_src, digest_dst;
	int				 verified;	/* -1 not checked */
};

static const uint64_t	reloc_zero_page[HV_PAGE / 8];

static double
reloc_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
reloc_fail(struct reloc *r, enum ctl_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
reloc_fail(struct reloc *r, enum ctl_end end, const char *fmt, ...)
{
	va_list	ap;

	if (r->end == END_OK) {
		r->end = end;
		va_start(ap, fmt);
		vsnprintf(r->text, sizeof(r->text), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
reloc_phase(struct reloc *r, const char *phase, const char *msgid)
{
	dir_exec(r->dir, "UPDATE journal SET phase = ?, updated_ms = ? WHERE "
	    "id = ?", "sii", phase, dir_now_ms(), r->id);
	dir_event(r->dir, msgid, r->h->name, r->def->name, "relocation %jd "
	    "to %s: %s", (intmax_t)r->id, r->dst, phase);
}

/* Cancel, limits, and a journal ended by someone else. */
static int
reloc_limits(struct reloc *r)
{
	double	elapsed = reloc_now() - r->t0;

	if (r->cancel)
		return reloc_fail(r, END_CANCELLED, "cancelled by operator");
	if (elapsed > (double)r->max_total_ms)
		return reloc_fail(r, END_MAXTOTAL, "total time %.0f ms exceeds "
		    "--max-total %ju s", elapsed, (uintmax_t)(r->max_total_ms /
		    1000));
	return 0;
}

static int
reloc_journal_alive(struct reloc *r)
{
	int64_t	n;

	if (dir_int(r->dir, &n, "SELECT count(*) FROM journal WHERE id = ? "
	    "AND end_code IS NULL", "i", r->id) == 1 && n == 0)
		return reloc_fail(r, END_LOST_LINK, "relocation ended in the "
		    "directory (member declared down)");
	return 0;
}

/* Wait for a frame of the wanted type, counting ACKs on the way. */
static int
reloc_wait(struct reloc *r, enum chan_type want, void *out, size_t outlen,
    int timeout_ms)
{
	zmq_pollitem_t	 it = { r->sock, 0, ZMQ_POLLIN, 0 };
	struct chan_hdr	 hdr;
	const void	*pl;
	size_t		 plen;
	zmq_msg_t	 m;
	int		 rc;

	for (;;) {
		if ((rc = zmq_poll(&it, 1, timeout_ms)) == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			return reloc_fail(r, END_LOST_LINK, "no answer from %s "
			    "within %d ms", r->dst, timeout_ms);
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, r->sock, 0) == -1 ||
		    chan_decode(zmq_msg_data(&m), zmq_msg_size(&m), &hdr, &pl,
		    &plen) == -1 || chan_decode_data(&hdr, zmq_msg_more(&m),
		    0) == -1 || hdr.rid != (uint64_t)r->id) {
			zmq_msg_close(&m);
			return reloc_fail(r, END_FAILED, "bad frame from %s",
			    r->dst);
		}
		if (hdr.type == CHAN_ACK && hdr.seq > r->acked)
			r->acked = hdr.seq;
		if (hdr.type == CHAN_ERROR) {
			reloc_fail(r, END_FAILED, "target %s: %.*s", r->dst,
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
reloc_throttle(struct reloc *r)
{
	uint64_t	rate = r->max_rate_mib;
	double		want, left;

	if (rate == 0)
		return;
	want = (double)r->pass_bytes / ((double)rate * 1048.576);
	/* A frame is 1 MiB: sleep in slices, so that cancel stays prompt. */
	while (!r->cancel && (left = want - (reloc_now() - r->pass_t0)) > 0)
		usleep((useconds_t)((left < 50 ? left : 50) * 1000));
}

/*
 * The pages of one PAGES frame: n consecutive ones go out from the image
 * itself, scattered ones are gathered into a copy.  A page the guest
 * writes while it is on its way is sent again by the next pass, and so
 * is its digest.  Frames from the image are constant messages, safe
 * because the image outlives them: post lets it go only once the target
 * has taken every frame, and after a rollback the guest keeps it until
 * reloc_free has ended the relocation's ZeroMQ context.
 */
static int
reloc_batch_data(struct reloc *r, zmq_msg_t *d, const uint32_t *list,
    uint32_t n, bool run)
{
	const uint8_t	*mem = r->g->mem;
	uint8_t		*p;
	uint32_t	 i;

	if (run) {
		p = r->g->mem + (size_t)list[0] * HV_PAGE;
		zmq_msg_init_data(d, p, (size_t)n * HV_PAGE, NULL, NULL);
	} else {
		if (zmq_msg_init_size(d, (size_t)n * HV_PAGE) == -1)
			return reloc_fail(r, END_FAILED, "out of memory");
		p = zmq_msg_data(d);
		for (i = 0; i < n; i++)
			memcpy(p + (size_t)i * HV_PAGE, mem + (size_t)list[i] *
			    HV_PAGE, HV_PAGE);
	}
	if (r->verify != CTL_VERIFY_FULL)
		for (i = 0; i < n; i++)
			r->hashes[list[i]] = digest_page(p + (size_t)i *
			    HV_PAGE);
	return 0;
}

/* Send one PAGES frame: its header and page numbers, then the pages. */
static int
reloc_send_batch(struct reloc *r, const uint32_t *list, uint32_t n, bool run)
{
	struct chan_hdr	 hdr = { CHAN_MAGIC, CHAN_PAGES, 0, (uint64_t)r->id,
	    n, ++r->seq };
	zmq_msg_t	 m, d;
	uint8_t		*p;

	if (zmq_msg_init_size(&m, sizeof(hdr) + n * sizeof(uint32_t)) == -1)
		return reloc_fail(r, END_FAILED, "out of memory");
	p = zmq_msg_data(&m);
	memcpy(p, &hdr, sizeof(hdr));
	memcpy(p + sizeof(hdr), list, n * sizeof(uint32_t));
	if (reloc_batch_data(r, &d, list, n, run) == -1) {
		zmq_msg_close(&m);
		return -1;
	}
	if (zmq_msg_send(&m, r->sock, ZMQ_SNDMORE) == -1) {
		zmq_msg_close(&m);
		zmq_msg_close(&d);
		return reloc_fail(r, END_LOST_LINK, "channel to %s: %s", r->dst,
		    zmq_strerror(errno));
	}
	if (zmq_msg_send(&d, r->sock, 0) == -1) {
		zmq_msg_close(&d);
		return reloc_fail(r, END_LOST_LINK, "channel to %s: %s", r->dst,
		    zmq_strerror(errno));
	}
	r->pages_sent += n;
	r->pass_bytes += (uint64_t)n * HV_PAGE;
	return 0;
}

/* Consecutive page numbers at the start of list[0, n), at most max. */
static size_t
reloc_run_len(const uint32_t *list, size_t n, size_t max)
{
	size_t	k = 1;

	while (k < n && k < max && list[k] == list[k - 1] + 1)
		k++;
	return k;
}

/*
 * How many pages of list[0, n) the next frame takes: a run of at least
 * RELOC_RUN_MIN consecutive pages (*run), else scattered pages up to
 * where such a run starts.
 */
static size_t
reloc_batch_len(const uint32_t *list, size_t n, bool *run)
{
	size_t	k, i = 0, max = n < CHAN_BATCH ? n : CHAN_BATCH;

	if ((k = reloc_run_len(list, n, max)) >= RELOC_RUN_MIN || k == n) {
		*run = true;
		return k;
	}
	*run = false;
	while (i < max && (i == 0 || reloc_run_len(list + i, n - i,
	    RELOC_RUN_MIN) < RELOC_RUN_MIN))
		i++;
	return i;
}

/*
 * Send one frame from the start of list[0, n); *k: how many pages it
 * took.  Then wait for room in the window and keep to the rate limit.
 */
static int
reloc_send_frame(struct reloc *r, const uint32_t *list, size_t n, size_t *k,
    bool check)
{
	bool	run;

	if (check && reloc_limits(r) == -1)
		return -1;
	*k = reloc_batch_len(list, n, &run);
	if (reloc_send_batch(r, list, (uint32_t)*k, run) == -1)
		return -1;
	while (r->seq - r->acked >= CHAN_WINDOW)
		if (reloc_wait(r, CHAN_ACK, NULL, 0, RELOC_LINK_MS) == -1)
			return -1;
	reloc_throttle(r);
	return 0;
}

/* Send the listed pages. */
static int
reloc_send_list(struct reloc *r, const uint32_t *list, size_t n, bool check)
{
	size_t	i, k;

	for (i = 0; i < n; i += k)
		if (reloc_send_frame(r, list + i, n - i, &k, check) == -1)
			return -1;
	return 0;
}

/*
 * Pass 1 over the present pages (list[0, n), ascending): the image gets
 * write-protected piece by piece, up to RELOC_PROTECT pages ahead of
 * what is read, so that protecting a large image overlaps sending it.
 * A page is protected before it is checked for zero or sent, hence any
 * write after that is caught; all-zero pages are dropped.  Ends with the
 * whole image protected.
 */
static int
reloc_send_first(struct reloc *r, uint32_t *list, size_t n)
{
	size_t		i = 0, j, k = 0, sent = 0, step, ahead = CHAN_BATCH;
	uint32_t	wp = 0, end;

	while (i < n || sent < k) {
		if (i < n && k - sent < CHAN_BATCH) {
			/* Small pieces first: the first frame goes out soon. */
			j = n - i < ahead ? n : i + ahead;
			if (ahead < RELOC_PROTECT)
				ahead *= 2;
			end = list[j - 1] + 1;
			if (dirty_protect(r->g, wp, end - wp) == -1)
				return reloc_fail(r, END_FAILED, "dirty "
				    "tracking: %s", strerror(errno));
			for (wp = end; i < j; i++)
				if (!digest_zero(r->g->mem + (size_t)list[i] *
				    HV_PAGE))
					list[k++] = list[i];
			continue;
		}
		if (reloc_send_frame(r, list + sent, k - sent, &step, true) ==
		    -1)
			return -1;
		sent += step;
	}
	if (dirty_protect(r->g, wp, r->g->npages - wp) == -1)
		return reloc_fail(r, END_FAILED, "dirty tracking: %s",
		    strerror(errno));
	return 0;
}

static int
reloc_connect(struct reloc *r)
{
	char	ep[600];
	int	zero = 0, hwm = CHAN_WINDOW * 2, tmo = RELOC_LINK_MS;
	int	buf = RELOC_SNDBUF;

	if ((r->zctx = zmq_ctx_new()) == NULL ||
	    (r->sock = zmq_socket(r->zctx, ZMQ_DEALER)) == NULL)
		return reloc_fail(r, END_FAILED, "socket: %s",
		    zmq_strerror(errno));
	snprintf(ep, sizeof(ep), "ipc://%s/%s", r->h->chandir, r->dst);
	zmq_setsockopt(r->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(r->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(r->sock, ZMQ_SNDTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(r->sock, ZMQ_SNDBUF, &buf, sizeof(buf));
	if (zmq_connect(r->sock, ep) == -1)
		return reloc_fail(r, END_LOST_LINK, "connect %s: %s", ep,
		    zmq_strerror(errno));
	return 0;
}

static int
reloc_setup(struct reloc *r)
{
	struct chan_setup	s;
	uint64_t		zero;
	size_t			i;

	memset(&s, 0, sizeof(s));
	snprintf(s.guest, sizeof(s.guest), "%s", r->def->name);
	snprintf(s.src, sizeof(s.src), "%s", r->h->name);
	s.memory_mib = r->def->memory_mib;
	s.verify = r->verify;
	if ((r->hashes = malloc(r->g->npages * sizeof(*r->hashes))) == NULL ||
	    (r->list = malloc(r->g->npages * sizeof(*r->list))) == NULL)
		return reloc_fail(r, END_FAILED, "out of memory");
	zero = digest_page(reloc_zero_page);
	for (i = 0; i < r->g->npages; i++)
		r->hashes[i] = zero;
	if (reloc_connect(r) == -1 ||
	    chan_send(r->sock, CHAN_SETUP, (uint64_t)r->id, 0, 0, &s,
	    sizeof(s)) == -1 ||
	    reloc_wait(r, CHAN_READY, NULL, 0, RELOC_LINK_MS) == -1)
		return reloc_fail(r, END_LOST_LINK, "setup on %s failed",
		    r->dst);
	r->has_rp = false;
	switch (replug_open(&r->rp, r->h->conf->lab, r->def, r->dst_idx)) {
	case 0:
		r->has_rp = true;
		break;
	case 1:
		break;
	default:
		return reloc_fail(r, END_FAILED, "HiperSockets NICs of %s "
		    "cannot be re-plugged", r->def->name);
	}
	return 0;
}

static void
reloc_progress(struct reloc *r, size_t left, double dirty_mib_s)
{
	double	est = (double)left * HV_PAGE / (r->bw > 0 ? r->bw : 1e6) + 0.5;

	dir_exec(r->dir, "UPDATE journal SET pass = ?, sent_mib = ?, left_mib "
	    "= ?, dirty_mib_s = ?, est_quiesce_ms = ?, updated_ms = ? WHERE "
	    "id = ?", "idddii", (int64_t)r->passes,
	    (double)r->pages_sent * HV_PAGE / 1048576.0,
	    (double)left * HV_PAGE / 1048576.0, dirty_mib_s, est, dir_now_ms(),
	    r->id);
}

/* One pass over list: send, then measure the channel. */
static int
reloc_pass(struct reloc *r, size_t n, bool first)
{
	double	took;

	r->passes++;
	r->pass_t0 = reloc_now();
	r->pass_bytes = 0;
	if ((first ? reloc_send_first(r, r->list, n) :
	    reloc_send_list(r, r->list, n, true)) == -1)
		return -1;
	took = reloc_now() - r->pass_t0;
	if (r->pass_bytes >= (1u << 20) && took > 0)
		r->bw = (double)r->pass_bytes / took;
	return 0;
}

static int
reloc_converged(struct reloc *r, size_t n, double est)
{
	r->carry = n;
	if (est > (double)r->max_quiesce_ms)
		return reloc_fail(r, END_MAXQUIESCE, "%zu pages (%.1f MiB) left "
		    "need about %.1f ms, more than --max-quiesce %ju ms", n,
		    (double)n * HV_PAGE / 1048576.0, est,
		    (uintmax_t)r->max_quiesce_ms);
	return 0;
}

/*
 * Pre-copy: pass 1 sends every non-zero page, each later pass the pages
 * written since the previous one.  Stops when the remainder is small or
 * fits the aimed-at quiesce time, when passes stop shrinking, after
 * RELOC_MAX_PASSES, or at once with --immediate.  The pages still to
 * send stay in list[0, carry).
 */
static int
reloc_precopy(struct reloc *r)
{
	ssize_t	n;
	size_t	prev = SIZE_MAX;
	double	est;
	int	grew = 0;

	if (dirty_register(r->g) == -1)
		return reloc_fail(r, END_FAILED, "dirty tracking: %s",
		    strerror(errno));
	if ((n = dirty_present(r->g, r->list)) == -1)
		return reloc_fail(r, END_FAILED, "pagemap: %s", strerror(errno));
	if (reloc_pass(r, (size_t)n, true) == -1)
		return -1;
	for (;;) {
		if (reloc_journal_alive(r) == -1 || reloc_limits(r) == -1)
			return -1;
		if (r->immediate)
			return 0;
		if ((n = dirty_collect(r->g, r->list)) == -1)
			return reloc_fail(r, END_FAILED, "pagemap: %s",
			    strerror(errno));
		est = (double)n * HV_PAGE / (r->bw > 0 ? r->bw : 1e6);
		reloc_progress(r, (size_t)n, (double)n * HV_PAGE / 1048576.0 /
		    ((reloc_now() - r->pass_t0) / 1e3));
		if ((size_t)n >= prev)
			grew++;
		prev = (size_t)n;
		if (n <= RELOC_SMALL_PAGES || est <= RELOC_TARGET_MS ||
		    grew >= 2 || r->passes >= RELOC_MAX_PASSES)
			return reloc_converged(r, (size_t)n, est);
		if (reloc_pass(r, (size_t)n, false) == -1)
			return -1;
	}
}

/* Quiesce budget exceeded before resume? */
static int
reloc_quiesce_budget(struct reloc *r, double tq0)
{
	double	took = reloc_now() - tq0;

	if (r->max_quiesce_ms != CTL_UNSET && took > (double)r->max_quiesce_ms)
		return reloc_fail(r, END_MAXQUIESCE, "quiesce took %.1f ms, more "
		    "than --max-quiesce %ju ms", took,
		    (uintmax_t)r->max_quiesce_ms);
	return 0;
}

static int
reloc_stun(struct reloc *r)
{
	int	rc;

	if ((rc = guest_freeze(r->h->conf->lab, r->def->name, true)) == -1)
		return reloc_fail(r, END_FAILED, "cgroup of %s cannot be frozen: "
		    "%s", r->def->name, strerror(errno));
	r->frozen = rc == 0;
	guest_pause(r->g);
	r->paused = true;
	return 0;
}

/* The last pages, the vCPU state, the NICs and the digests. */
static int
reloc_final(struct reloc *r)
{
	struct chan_state	cs;
	ssize_t			n;

	if ((n = dirty_collect(r->g, r->list + r->carry)) == -1)
		return reloc_fail(r, END_FAILED, "pagemap: %s", strerror(errno));
	r->passes++;
	if (reloc_send_list(r, r->list, r->carry + (size_t)n, false) == -1)
		return -1;
	memset(&cs, 0, sizeof(cs));
	guest_get_state(r->g, &cs.st);
	if (r->has_rp) {
		if (replug_move(&r->rp) == -1)
			return reloc_fail(r, END_FAILED, "HiperSockets NICs of %s "
			    "not re-plugged", r->def->name);
		r->replugged = true;
	}
	cs.digest = r->verify == CTL_VERIFY_FULL ?
	    digest_memory(r->g->mem, r->g->npages) :
	    digest_pages(r->hashes, r->g->npages);
	r->digest_src = cs.digest;
	if (chan_send(r->sock, CHAN_STATE, (uint64_t)r->id, 0, 0, &cs,
	    sizeof(cs)) == -1 || reloc_wait(r, CHAN_DIGEST, &r->digest_dst,
	    sizeof(r->digest_dst), RELOC_LINK_MS) == -1)
		return reloc_fail(r, END_LOST_LINK, "no digest from %s", r->dst);
	if (r->digest_dst != r->digest_src)
		return reloc_fail(r, END_FAILED, "digest mismatch: %016jx on %s,"
		    " %016jx on %s", (uintmax_t)r->digest_src, r->h->name,
		    (uintmax_t)r->digest_dst, r->dst);
	return 0;
}

/*
 * Did the target commit?  The directory decides: either the target moved
 * the residency, or we end the journal row first and it never will.
 */
static bool
reloc_decide(struct reloc *r)
{
	char	member[HV_NAME];
	bool	moved;

	if (dir_begin(r->dir) == -1)
		return false;
	dir_text(r->dir, member, sizeof(member), "SELECT member FROM residency "
	    "WHERE guest = ?", "s", r->def->name);
	moved = strcmp(member, r->dst) == 0;
	if (!moved)
		dir_exec(r->dir, "UPDATE journal SET end_code = ?, ended_ms = ?,"
		    " phase = 'ENDED', text = ? WHERE id = ? AND end_code IS "
		    "NULL", "sisi", ctl_end_name(r->end), dir_now_ms(), r->text,
		    r->id);
	dir_commit(r->dir);
	return moved;
}

static int
reloc_quiesce(struct reloc *r)
{
	double	tq0, t[2];

	reloc_phase(r, "QUIESCE", "HV-RELOC-QUIESCE");
	tq0 = reloc_now();
	/* Nothing of the pre-copy may still be in flight. */
	while (r->acked != r->seq)
		if (reloc_wait(r, CHAN_ACK, NULL, 0, RELOC_LINK_MS) == -1)
			goto fail;
	tq0 = reloc_now();
	if (reloc_stun(r) == -1)
		goto fail;
	t[0] = reloc_now();
	if (reloc_final(r) == -1 || reloc_quiesce_budget(r, tq0) == -1 ||
	    reloc_limits(r) == -1)
		goto fail;
	t[1] = reloc_now();
	if (chan_send(r->sock, CHAN_RESUME, (uint64_t)r->id, 0, 0, NULL, 0) ==
	    -1 || reloc_wait(r, CHAN_RESUMED, NULL, 0, RELOC_LINK_MS) == -1)
		goto fail;
	r->quiesce_ms = reloc_now() - tq0;
	log_debug("relocation %jd quiesce: stun %.2f ms, pages+state+digest "
	    "%.2f ms, resume %.2f ms, %zu pages carried", (intmax_t)r->id,
	    t[0] - tq0, t[1] - t[0], r->quiesce_ms - (t[1] - tq0), r->carry);
	r->resumed = true;
	return 0;
fail:
	r->quiesce_ms = reloc_now() - tq0;
	/* After RESUME went out the target may have committed. */
	if (reloc_decide(r)) {
		r->end = END_OK;
		r->text[0] = '\0';
		r->resumed = true;
		return 0;
	}
	return -1;
}

static void
reloc_verify(struct reloc *r)
{
	r->verified = -1;
	if (r->verify == CTL_VERIFY_FULL)
		r->verified = 1;
	else if (r->g != NULL)
		/* The frozen image against what was sent: nothing missed. */
		r->verified = digest_memory(r->g->mem, r->g->npages) ==
		    r->digest_src;
}

static void
reloc_history(struct reloc *r)
{
	char	ds[20], dd[20];

	snprintf(ds, sizeof(ds), "%016jx", (uintmax_t)r->digest_src);
	snprintf(dd, sizeof(dd), "%016jx", (uintmax_t)r->digest_dst);
	dir_exec(r->dir, "INSERT INTO history (reloc, guest, started_ms, src, "
	    "dst, total_ms, quiesce_ms, passes, pages, mib, end_code, "
	    "digest_src, digest_dst, verified, text) SELECT id, guest, "
	    "started_ms, src, dst, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM journal "
	    "WHERE id = ?", "ddiidsssisi", r->total_ms, r->quiesce_ms,
	    (int64_t)r->passes, (int64_t)r->pages_sent,
	    (double)r->pages_sent * HV_PAGE / 1048576.0, ctl_end_name(r->end),
	    ds, dd, (int64_t)r->verified, r->text, r->id);
}

static void
reloc_post(struct reloc *r)
{
	struct guest	*g;

	reloc_verify(r);
	g = hvd_guest_take(r->h, r->gidx);
	pool_keep(r->h, g);
	r->g = NULL;
	if (r->has_rp)
		replug_close(&r->rp);
	dir_exec(r->dir, "UPDATE journal SET end_code = 'OK', phase = 'DONE', "
	    "ended_ms = ?, updated_ms = ? WHERE id = ?", "iii", dir_now_ms(),
	    dir_now_ms(), r->id);
	dir_exec(r->dir, "UPDATE guests SET relocations = relocations + 1 "
	    "WHERE name = ?", "s", r->def->name);
	reloc_history(r);
	if (r->verified == 0)
		dir_event(r->dir, "HV-RELOC-VERIFY", r->h->name, r->def->name,
		    "memory left behind differs from the digest sent");
	dir_event(r->dir, "HV-RELOC-DONE", r->h->name, r->def->name,
	    "relocation %jd to %s done: total %.1f ms, quiesce %.2f ms, %d "
	    "passes, %ju pages", (intmax_t)r->id, r->dst, r->total_ms,
	    r->quiesce_ms, r->passes, (uintmax_t)r->pages_sent);
}

static void
reloc_rollback(struct reloc *r)
{
	if (r->sock != NULL)
		chan_send(r->sock, CHAN_ABORT, (uint64_t)r->id, 0, 0, NULL, 0);
	if (r->replugged && replug_restore(&r->rp) == -1)
		log_warnx("[HV-REPLUG] guest %s: NICs not restored",
		    r->def->name);
	if (r->has_rp)
		replug_close(&r->rp);
	if (r->g != NULL) {
		dirty_stop(r->g);
		if (r->paused)
			guest_resume(r->g);
	}
	if (r->frozen && guest_freeze(r->h->conf->lab, r->def->name, false) ==
	    -1)
		log_warn("[HV-THAW] guest %s", r->def->name);
	dir_exec(r->dir, "UPDATE journal SET end_code = ?, phase = 'ENDED', "
	    "ended_ms = ?, text = ? WHERE id = ? AND (end_code IS NULL OR "
	    "end_code != ?)", "sisis", ctl_end_name(r->end), dir_now_ms(),
	    r->text, r->id, ctl_end_name(r->end));
	dir_exec(r->dir, "UPDATE residency SET state = 'RUNNING' WHERE guest = ?"
	    " AND member = ?", "ss", r->def->name, r->h->name);
	reloc_history(r);
	dir_event(r->dir, "HV-RELOC-ROLLBACK", r->h->name, r->def->name,
	    "relocation %jd to %s rolled back (%s): %s; guest runs on %s",
	    (intmax_t)r->id, r->dst, ctl_end_name(r->end), r->text,
	    r->h->name);
}

static void
reloc_free(struct reloc *r)
{
	/* No frame sent from the image outlives the context. */
	if (r->sock != NULL)
		zmq_close(r->sock);
	if (r->zctx != NULL)
		zmq_ctx_term(r->zctx);
	pthread_mutex_lock(&r->h->lock);
	r->h->relocs[r->gidx] = NULL;	/* the guest may go now */
	pthread_mutex_unlock(&r->h->lock);
	dir_close(r->dir);
	free(r->hashes);
	free(r->list);
	free(r);
}

static void *
reloc_run(void *arg)
{
	struct reloc	*r = arg;
	double		 t[2] = { 0, 0 };
	int		 rc = -1;

	if ((r->dir = dir_open(r->h->dbpath)) == NULL) {
		reloc_free(r);
		return NULL;
	}
	pthread_mutex_lock(&r->h->lock);
	r->g = r->h->guests[r->gidx];
	pthread_mutex_unlock(&r->h->lock);
	if (r->g == NULL)
		reloc_fail(r, END_GUEST_RESET, "guest %s is not running here",
		    r->def->name);
	else if (reloc_setup(r) == 0) {
		t[0] = reloc_now();
		reloc_phase(r, "PRECOPY", "HV-RELOC-PRECOPY");
		if (reloc_precopy(r) == 0) {
			t[1] = reloc_now();
			rc = reloc_quiesce(r);
		}
	}
	r->total_ms = reloc_now() - r->t0;
	if (rc == 0) {
		log_debug("relocation %jd: setup %.1f ms, pre-copy %.1f ms (%d "
		    "passes, %ju pages), total %.1f ms", (intmax_t)r->id,
		    t[0] - r->t0, t[1] - t[0], r->passes,
		    (uintmax_t)r->pages_sent, r->total_ms);
		reloc_post(r);
	} else
		reloc_rollback(r);
	reloc_free(r);
	return NULL;
}

static struct reloc *
reloc_new(struct hvd *h, const struct ctl_request *rq, int gidx)
{
	struct reloc	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->h = h;
	r->gidx = gidx;
	r->def = &h->conf->guests[gidx];
	snprintf(r->dst, sizeof(r->dst), "%s", rq->member);
	r->dst_idx = config_member_find(h->conf, rq->member);
	r->max_total_ms = (rq->max_total_s != CTL_UNSET ? rq->max_total_s :
	    h->opts.max_total_s) * 1000;
	r->max_quiesce_ms = rq->max_quiesce_ms != CTL_UNSET ?
	    rq->max_quiesce_ms : rq->immediate ? CTL_UNSET :
	    h->opts.max_quiesce_ms;
	r->max_rate_mib = rq->max_rate_mib;
	r->immediate = rq->immediate;
	r->verify = rq->verify;
	r->end = END_OK;
	r->t0 = reloc_now();
	return r;
}

/* Check and journal in one directory transaction. */
static int
reloc_journal(struct hvd *h, const struct ctl_request *rq, const char *who,
    int gidx, struct elig_conflict *cf, size_t *n, int64_t *id)
{
	const struct hv_guestdef	*def = &h->conf->guests[gidx];
	struct elig_input		 in;

	if (dir_begin(h->dir) == -1)
		return -1;
	if (elig_gather(h->dir, h->conf, def, rq->member, rq->force, &in) == -1)
		goto fail;
	if ((*n = elig_check(&in, cf, CONFLICT_MAX)) > 0)
		goto fail;
	if (dir_exec(h->dir, "INSERT INTO journal (guest, src, dst, "
	    "reserved_mib, phase, started_ms, updated_ms, who, max_total_s, "
	    "max_quiesce_ms, immediate) VALUES (?, ?, ?, ?, 'SETUP', ?, ?, ?, "
	    "?, ?, ?)", "sssiiisiii", def->name, h->name, rq->member,
	    (int64_t)def->memory_mib, dir_now_ms(), dir_now_ms(), who,
	    (int64_t)rq->max_total_s, (int64_t)rq->max_quiesce_ms,
	    (int64_t)rq->immediate) != 1 ||
	    dir_int(h->dir, id, "SELECT last_insert_rowid()", "") != 1 ||
	    dir_exec(h->dir, "UPDATE residency SET state = 'RELOCATING' WHERE "
	    "guest = ?", "s", def->name) != 1)
		goto fail;
	return dir_commit(h->dir);
fail:
	dir_rollback(h->dir);
	return -1;
}

int
reloc_start(struct hvd *h, const struct ctl_request *rq, const char *who,
    struct elig_conflict *cf, size_t *n, int64_t *id)
{
	struct reloc	*r;
	pthread_attr_t	 a;
	int		 gidx = config_guest_find(h->conf, rq->guest);

	*n = 0;
	if (gidx == -1 || reloc_journal(h, rq, who, gidx, cf, n, id) == -1)
		return -1;
	if ((r = reloc_new(h, rq, gidx)) == NULL)
		goto fail;
	r->id = *id;
	dir_event(h->dir, "HV-RELOC-START", h->name, rq->guest, "relocation "
	    "%jd to %s started by %s", (intmax_t)*id, rq->member, who);
	pthread_mutex_lock(&h->lock);
	h->relocs[gidx] = r;
	pthread_mutex_unlock(&h->lock);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&r->thread, &a, reloc_run, r) != 0) {
		pthread_attr_destroy(&a);
		pthread_mutex_lock(&h->lock);
		h->relocs[gidx] = NULL;
		pthread_mutex_unlock(&h->lock);
		free(r);
		goto fail;
	}
	pthread_attr_destroy(&a);
	return 0;
fail:
	dir_exec(h->dir, "UPDATE journal SET end_code = 'FAILED', phase = "
	    "'ENDED', text = 'no thread' WHERE id = ?", "i", *id);
	dir_exec(h->dir, "UPDATE residency SET state = 'RUNNING' WHERE guest = "
	    "?", "s", rq->guest);
	return -1;
}

int
reloc_cancel(struct hvd *h, int guest)
{
	int	rc = -1;

	pthread_mutex_lock(&h->lock);
	if (h->relocs[guest] != NULL) {
		h->relocs[guest]->cancel = true;
		rc = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int
reloc_set_limits(struct hvd *h, int guest, const struct ctl_request *rq)
{
	struct reloc	*r;
	int		 rc = -1;

	pthread_mutex_lock(&h->lock);
	if ((r = h->relocs[guest]) != NULL) {
		if (rq->max_total_s != CTL_UNSET)
			r->max_total_ms = rq->max_total_s * 1000;
		if (rq->max_quiesce_ms != CTL_UNSET)
			r->max_quiesce_ms = rq->max_quiesce_ms;
		if (rq->max_rate_mib != 0)
			r->max_rate_mib = rq->max_rate_mib;
		rc = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* Cancel every outbound relocation and wait for the rollbacks. */
void
reloc_shutdown(struct hvd *h)
{
	size_t	i;
	int	busy, tries;

	for (tries = 0; tries < 1000; tries++) {
		busy = 0;
		pthread_mutex_lock(&h->lock);
		for (i = 0; i < 256; i++)
			if (h->relocs[i] != NULL) {
				h->relocs[i]->cancel = true;
				busy++;
			}
		pthread_mutex_unlock(&h->lock);
		if (!busy)
			return;
		usleep(10000);
	}
}

/* A member starting again ends what its previous life left running. */
void
reloc_cleanup_journal(struct dir *d, const char *me)
{
	dir_exec(d, "UPDATE journal SET end_code = CASE phase WHEN 'RESUMED' "
	    "THEN 'OK' ELSE 'FAILED' END, phase = 'ENDED', ended_ms = ?1, "
	    "text = 'member ' || ?2 || ' restarted' WHERE end_code IS NULL AND "
	    "(src = ?2 OR dst = ?2)", "is", dir_now_ms(), me);
}
