/*
 * probe.c: UDP echo probes between guests' VIPAs (see probe.h).
 *
 * Threads: the sender thread owns the timer and the flows' sockets; one
 * responder thread per target guest echoes.  Flow statistics are shared
 * with readers under p->lock; everything else belongs to the thread
 * that made it.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "labname.h"
#include "probe.h"

#define PROBE_MAGIC	0x4c475250u	/* "LGRP" */
#define PROBE_POLL_MS	10

struct probe_pkt {
	uint32_t	 magic;
	uint32_t	 flow;
	uint32_t	 seq;
	uint32_t	 pad;
};

struct probe_flow {
	struct probe_endpoint	 from;
	struct probe_endpoint	 to;
	int			 fd;
	uint32_t		 sent;
	uint32_t		 answered;
	uint32_t		 next;		/* lowest unanswered seq */
	uint32_t		 cap;
	double			*sent_ms;	/* send time per seq */
	uint8_t			*ok;		/* answered per seq */
	uint64_t		 lost_run;
	double			 gap_ms;
	double			 rtt_ms;
};

struct probe_target {
	struct probe		*p;
	struct probe_endpoint	 ep;
	int			 fd;
	pthread_t		 thread;
	bool			 started;
};

struct probe {
	struct probe_opts	 o;
	char			 lab[PROBE_NAME_MAX];
	struct probe_flow	*flows;
	size_t			 nflows;
	struct probe_target	*targets;
	size_t			 ntargets;
	pthread_t		 sender;
	pthread_mutex_t		 lock;
	atomic_bool		 stopping;
	atomic_bool		 done;
	bool			 running;
	double			 t0;
	double			 t_end;
	char			 err[256];
};

static double
probe_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
probe_fail(struct probe *p, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
probe_fail(struct probe *p, int err, const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	n = strlen(p->err);
	if (err != 0)
		snprintf(p->err + n, sizeof(p->err) - n, ": %s", strerror(err));
	errno = err != 0 ? err : EINVAL;
	return -1;
}

struct probe *
probe_new(const struct probe_opts *o)
{
	struct probe	*p;

	if (o->lab == NULL || strlen(o->lab) >= PROBE_NAME_MAX ||
	    o->interval_ms == 0 || o->interval_ms > 10000 || o->port == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->o = *o;
	snprintf(p->lab, sizeof(p->lab), "%s", o->lab);
	p->o.lab = p->lab;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

const char *
probe_error(const struct probe *p)
{
	return p->err;
}

static struct probe_target *
probe_target_find(struct probe *p, const char *guest)
{
	for (size_t i = 0; i < p->ntargets; i++)
		if (strcmp(p->targets[i].ep.guest, guest) == 0)
			return &p->targets[i];
	return NULL;
}

static int
probe_target_add(struct probe *p, const struct probe_endpoint *ep)
{
	struct probe_target	*t;

	if (probe_target_find(p, ep->guest) != NULL)
		return 0;
	t = realloc(p->targets, (p->ntargets + 1) * sizeof(*t));
	if (t == NULL)
		return -1;
	p->targets = t;
	t = &p->targets[p->ntargets++];
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->ep = *ep;
	t->fd = -1;
	return 0;
}

int
probe_add(struct probe *p, const struct probe_endpoint *from,
    const struct probe_endpoint *to)
{
	struct probe_flow	*f;

	if (p->running) {
		errno = EBUSY;
		return -1;
	}
	if (strcmp(from->guest, to->guest) == 0) {
		errno = EINVAL;
		return -1;
	}
	if (probe_target_add(p, to) == -1)
		return -1;
	f = realloc(p->flows, (p->nflows + 1) * sizeof(*f));
	if (f == NULL)
		return -1;
	p->flows = f;
	f = &p->flows[p->nflows++];
	memset(f, 0, sizeof(*f));
	f->from = *from;
	f->to = *to;
	f->fd = -1;
	return 0;
}

/* --- sockets in other namespaces ----------------------------------- */

/* Switch the calling thread to the guest's namespace; returns the old. */
static int
probe_enter(struct probe *p, const char *guest)
{
	char	ns[128], path[PATH_MAX];
	int	self, fd;

	if ((self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		return probe_fail(p, errno, "own network namespace");
	labname_netns(p->lab, guest, ns, sizeof(ns));
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		probe_fail(p, errno, "guest %s: namespace %s", guest, path);
		close(self);
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) == -1) {
		probe_fail(p, errno, "guest %s: setns %s", guest, path);
		close(fd);
		close(self);
		return -1;
	}
	close(fd);
	return self;
}

static void
probe_leave(int self)
{
	if (setns(self, CLONE_NEWNET) == -1)
		abort();	/* a thread in the wrong namespace: a bug */
	close(self);
}

static int
probe_udp(struct probe *p, const char *guest, struct in_addr addr,
    uint16_t port, bool reuse)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return probe_fail(p, errno, "guest %s: socket", guest);
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = addr;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		probe_fail(p, errno, "guest %s: bind %s:%u", guest,
		    inet_ntoa(addr), port);
		close(fd);
		return -1;
	}
	return fd;
}

static int
probe_open_target(struct probe *p, struct probe_target *t)
{
	int	self;

	/* Bound to the VIPA, so that answers leave from the VIPA. */
	if ((self = probe_enter(p, t->ep.guest)) == -1)
		return -1;
	t->fd = probe_udp(p, t->ep.guest, t->ep.vipa, p->o.port, true);
	probe_leave(self);
	return t->fd == -1 ? -1 : 0;
}

static int
probe_open_flow(struct probe *p, struct probe_flow *f)
{
	struct sockaddr_in	sin;
	int			self;

	if ((self = probe_enter(p, f->from.guest)) == -1)
		return -1;
	f->fd = probe_udp(p, f->from.guest, f->from.vipa, 0, false);
	probe_leave(self);
	if (f->fd == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = f->to.vipa;
	sin.sin_port = htons(p->o.port);
	if (connect(f->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return probe_fail(p, errno, "guest %s: connect to %s",
		    f->from.guest, inet_ntoa(f->to.vipa));
	return 0;
}

/* --- responders ------------------------------------------------------ */

/* Join the guest's freezer cgroup: this thread is stunned with it. */
static void
probe_join_cgroup(struct probe_target *t)
{
	char	dir[512], path[600], tid[32];
	int	fd;

	if (labname_cgroup(t->p->lab, t->ep.guest, dir, sizeof(dir)) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/tasks", dir);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return;		/* a guest without a cgroup: not stunned */
	snprintf(tid, sizeof(tid), "%d", gettid());
	if (write(fd, tid, strlen(tid)) == -1)
		(void)0;	/* best effort, as above */
	close(fd);
}

/* Leave it again, so that the lab can remove the cgroup later. */
static void
probe_leave_cgroup(void)
{
	char	path[600], tid[32];
	int	fd;

	snprintf(path, sizeof(path), "%s/../tasks", LABNAME_CGROUP);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return;
	snprintf(tid, sizeof(tid), "%d", gettid());
	if (write(fd, tid, strlen(tid)) == -1)
		(void)0;
	close(fd);
}

static void
probe_echo(int fd)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	char			buf[64];
	ssize_t			n;

	for (;;) {
		len = sizeof(sin);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sin,
		    &len);
		if (n <= 0)
			return;
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&sin, len);
	}
}

static void *
probe_responder(void *arg)
{
	struct probe_target	*t = arg;
	struct pollfd		 pfd = { .fd = t->fd, .events = POLLIN };

	if (t->p->o.stun)
		probe_join_cgroup(t);
	while (!atomic_load(&t->p->done)) {
		if (poll(&pfd, 1, PROBE_POLL_MS) > 0)
			probe_echo(t->fd);
	}
	if (t->p->o.stun)
		probe_leave_cgroup();
	return NULL;
}

/* --- sender ------------------------------------------------------------ */

static int
probe_grow(struct probe_flow *f)
{
	uint32_t	 cap = f->cap ? f->cap * 2 : 1024;
	double		*s;
	uint8_t		*ok;

	if ((s = realloc(f->sent_ms, cap * sizeof(*s))) == NULL)
		return -1;
	f->sent_ms = s;
	if ((ok = realloc(f->ok, cap)) == NULL)
		return -1;
	memset(ok + f->cap, 0, cap - f->cap);
	f->ok = ok;
	f->cap = cap;
	return 0;
}

static void
probe_send(struct probe *p, size_t i)
{
	struct probe_flow	*f = &p->flows[i];
	struct probe_pkt	 pkt;

	pthread_mutex_lock(&p->lock);
	if (f->sent == f->cap && probe_grow(f) == -1) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	pkt.magic = htonl(PROBE_MAGIC);
	pkt.flow = htonl((uint32_t)i);
	pkt.seq = htonl(f->sent);
	pkt.pad = 0;
	f->sent_ms[f->sent] = probe_now();
	f->sent++;
	pthread_mutex_unlock(&p->lock);
	send(f->fd, &pkt, sizeof(pkt), MSG_DONTWAIT);
}

/* Close the current run of unanswered probes [f->next, upto). */
static void
probe_run_end(struct probe_flow *f, uint32_t upto, double now)
{
	uint32_t	lost = 0;

	if (f->next >= upto)
		return;
	if (now - f->sent_ms[f->next] > f->gap_ms)
		f->gap_ms = now - f->sent_ms[f->next];
	for (uint32_t s = f->next; s < upto && !f->ok[s]; s++)
		lost++;
	if (lost > f->lost_run)
		f->lost_run = lost;
}

/*
 * An answer to seq.  Probes before it still unanswered end their wait
 * here (lost, unless their answer is merely late): the gap is measured
 * from the oldest of them, and they no longer hold the gap open.
 */
static void
probe_answer(struct probe_flow *f, uint32_t seq, double now)
{
	double	rtt;

	if (seq >= f->sent || f->ok[seq])
		return;
	rtt = now - f->sent_ms[seq];
	if (rtt > f->rtt_ms)
		f->rtt_ms = rtt;
	if (seq >= f->next) {
		if (now - f->sent_ms[f->next] > f->gap_ms)
			f->gap_ms = now - f->sent_ms[f->next];
		if (seq > f->next)
			probe_run_end(f, seq, now);
		f->next = seq + 1;
	}
	f->ok[seq] = 1;
	f->answered++;
	while (f->next < f->sent && f->ok[f->next])
		f->next++;
}

static void
probe_receive(struct probe *p, size_t i)
{
	struct probe_flow	*f = &p->flows[i];
	struct probe_pkt	 pkt;
	double			 now;

	while (recv(f->fd, &pkt, sizeof(pkt), MSG_DONTWAIT) ==
	    (ssize_t)sizeof(pkt)) {
		if (ntohl(pkt.magic) != PROBE_MAGIC || ntohl(pkt.flow) != i)
			continue;
		now = probe_now();
		pthread_mutex_lock(&p->lock);
		probe_answer(f, ntohl(pkt.seq), now);
		pthread_mutex_unlock(&p->lock);
	}
}

static int
probe_timer(unsigned ms)
{
	struct itimerspec	its;
	int			fd;

	if ((fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK)) == -1)
		return -1;
	its.it_interval.tv_sec = ms / 1000;
	its.it_interval.tv_nsec = (long)(ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	if (timerfd_settime(fd, 0, &its, NULL) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
probe_tick(struct probe *p, int tfd)
{
	uint64_t	n;

	if (read(tfd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;
	if (atomic_load(&p->stopping))
		return;
	/* A late timer: catch up a little, never in a long burst. */
	for (n = n > 3 ? 3 : n; n > 0; n--)
		for (size_t i = 0; i < p->nflows; i++)
			probe_send(p, i);
}

static int
probe_epoll(struct probe *p, int tfd)
{
	struct epoll_event	ev;
	int			ep;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	ev.events = EPOLLIN;
	ev.data.u64 = UINT64_MAX;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	for (size_t i = 0; i < p->nflows; i++) {
		ev.data.u64 = i;
		epoll_ctl(ep, EPOLL_CTL_ADD, p->flows[i].fd, &ev);
	}
	return ep;
}

static void
probe_finish(struct probe *p)
{
	double	now = probe_now();

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nflows; i++)
		probe_run_end(&p->flows[i], p->flows[i].sent, now);
	p->t_end = now;
	pthread_mutex_unlock(&p->lock);
}

/* Every probe sent so far answered: nothing left to wait for. */
static bool
probe_all_answered(struct probe *p)
{
	bool	all = true;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nflows && all; i++)
		all = p->flows[i].next == p->flows[i].sent;
	pthread_mutex_unlock(&p->lock);
	return all;
}

static void *
probe_sender(void *arg)
{
	struct probe		*p = arg;
	struct epoll_event	 evs[64];
	double			 stop_at = 0;
	int			 tfd, ep, n;

	if ((tfd = probe_timer(p->o.interval_ms)) == -1 ||
	    (ep = probe_epoll(p, tfd)) == -1) {
		atomic_store(&p->done, true);
		return NULL;
	}
	for (;;) {
		if (atomic_load(&p->stopping) && stop_at == 0)
			stop_at = probe_now() + p->o.grace_ms;
		if (stop_at != 0 && (probe_now() >= stop_at ||
		    probe_all_answered(p)))
			break;
		n = epoll_wait(ep, evs, 64, PROBE_POLL_MS);
		for (int k = 0; k < n; k++) {
			if (evs[k].data.u64 == UINT64_MAX)
				probe_tick(p, tfd);
			else
				probe_receive(p, (size_t)evs[k].data.u64);
		}
	}
	probe_finish(p);
	close(ep);
	close(tfd);
	return NULL;
}

/* --- lifetime ----------------------------------------------------------- */

static int
probe_open_all(struct probe *p)
{
	for (size_t i = 0; i < p->ntargets; i++)
		if (probe_open_target(p, &p->targets[i]) == -1)
			return -1;
	for (size_t i = 0; i < p->nflows; i++)
		if (probe_open_flow(p, &p->flows[i]) == -1)
			return -1;
	return 0;
}

static void
probe_close_all(struct probe *p)
{
	for (size_t i = 0; i < p->ntargets; i++) {
		if (p->targets[i].fd != -1)
			close(p->targets[i].fd);
		p->targets[i].fd = -1;
	}
	for (size_t i = 0; i < p->nflows; i++) {
		if (p->flows[i].fd != -1)
			close(p->flows[i].fd);
		p->flows[i].fd = -1;
	}
}

static void
probe_join(struct probe *p)
{
	for (size_t i = 0; i < p->ntargets; i++)
		if (p->targets[i].started) {
			pthread_join(p->targets[i].thread, NULL);
			p->targets[i].started = false;
		}
}

int
probe_start(struct probe *p)
{
	int	err;

	if (p->running || p->nflows == 0) {
		errno = p->running ? EBUSY : EINVAL;
		return probe_fail(p, errno, "nothing to probe");
	}
	atomic_store(&p->stopping, false);
	atomic_store(&p->done, false);
	if (probe_open_all(p) == -1)
		goto fail;
	for (size_t i = 0; i < p->ntargets; i++) {
		if ((err = pthread_create(&p->targets[i].thread, NULL,
		    probe_responder, &p->targets[i])) != 0) {
			probe_fail(p, err, "responder thread");
			goto fail;
		}
		p->targets[i].started = true;
	}
	p->t0 = probe_now();
	if ((err = pthread_create(&p->sender, NULL, probe_sender, p)) != 0) {
		probe_fail(p, err, "sender thread");
		goto fail;
	}
	p->running = true;
	return 0;
fail:
	err = errno;
	atomic_store(&p->done, true);
	probe_join(p);
	probe_close_all(p);
	errno = err;
	return -1;
}

void
probe_stop(struct probe *p)
{
	if (!p->running)
		return;
	atomic_store(&p->stopping, true);
	pthread_join(p->sender, NULL);
	atomic_store(&p->done, true);
	probe_join(p);
	probe_close_all(p);
	p->running = false;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	probe_stop(p);
	for (size_t i = 0; i < p->nflows; i++) {
		free(p->flows[i].sent_ms);
		free(p->flows[i].ok);
	}
	free(p->flows);
	free(p->targets);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* --- results ------------------------------------------------------------ */

size_t
probe_count(const struct probe *p)
{
	return p->nflows;
}

/* Under p->lock.  While running, probes younger than the grace time
 * are not counted as lost yet. */
static void
probe_stats_fill(struct probe *p, const struct probe_flow *f,
    struct probe_stats *st)
{
	double		now = p->running ? probe_now() : p->t_end;
	uint32_t	pending = 0;

	memset(st, 0, sizeof(*st));
	snprintf(st->from, sizeof(st->from), "%s", f->from.guest);
	snprintf(st->to, sizeof(st->to), "%s", f->to.guest);
	st->vipa = f->to.vipa;
	st->sent = f->sent;
	st->answered = f->answered;
	for (uint32_t s = f->sent; s > f->next && p->running; s--)
		if (!f->ok[s - 1] && now - f->sent_ms[s - 1] < p->o.grace_ms)
			pending++;
	st->lost = f->sent - f->answered - pending;
	st->lost_run = f->lost_run;
	st->longest_gap_ms = f->gap_ms;
	st->max_rtt_ms = f->rtt_ms;
}

int
probe_stats_get(struct probe *p, size_t i, struct probe_stats *st)
{
	if (i >= p->nflows) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	probe_stats_fill(p, &p->flows[i], st);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void
probe_total(struct probe *p, struct probe_stats *tot)
{
	struct probe_stats	st;

	memset(tot, 0, sizeof(*tot));
	for (size_t i = 0; i < p->nflows; i++) {
		probe_stats_get(p, i, &st);
		tot->sent += st.sent;
		tot->answered += st.answered;
		tot->lost += st.lost;
		if (st.lost_run > tot->lost_run)
			tot->lost_run = st.lost_run;
		if (st.longest_gap_ms > tot->longest_gap_ms)
			tot->longest_gap_ms = st.longest_gap_ms;
		if (st.max_rtt_ms > tot->max_rtt_ms)
			tot->max_rtt_ms = st.max_rtt_ms;
	}
}

static struct json_object *
probe_stats_json(const struct probe_stats *st)
{
	struct json_object	*o = json_object_new_object();

	if (st->from[0] != '\0') {
		json_object_object_add(o, "from",
		    json_object_new_string(st->from));
		json_object_object_add(o, "to", json_object_new_string(st->to));
		json_object_object_add(o, "vipa",
		    json_object_new_string(inet_ntoa(st->vipa)));
	}
	json_object_object_add(o, "sent", json_object_new_int64(
	    (int64_t)st->sent));
	json_object_object_add(o, "answered", json_object_new_int64(
	    (int64_t)st->answered));
	json_object_object_add(o, "lost", json_object_new_int64(
	    (int64_t)st->lost));
	json_object_object_add(o, "lost_run", json_object_new_int64(
	    (int64_t)st->lost_run));
	json_object_object_add(o, "longest_gap_ms",
	    json_object_new_double(st->longest_gap_ms));
	json_object_object_add(o, "max_rtt_ms",
	    json_object_new_double(st->max_rtt_ms));
	return o;
}

struct json_object *
probe_json(struct probe *p)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*arr = json_object_new_array();
	struct probe_stats	 st;
	double			 end = p->running ? probe_now() : p->t_end;

	json_object_object_add(o, "lab", json_object_new_string(p->lab));
	json_object_object_add(o, "interval_ms",
	    json_object_new_int((int)p->o.interval_ms));
	json_object_object_add(o, "duration_ms",
	    json_object_new_double(p->t0 > 0 ? end - p->t0 : 0));
	for (size_t i = 0; i < p->nflows; i++) {
		probe_stats_get(p, i, &st);
		json_object_array_add(arr, probe_stats_json(&st));
	}
	json_object_object_add(o, "pairs", arr);
	probe_total(p, &st);
	json_object_object_add(o, "total", probe_stats_json(&st));
	return o;
}
