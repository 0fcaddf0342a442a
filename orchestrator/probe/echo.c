/*
 * echo.c: the probe engine's threads.  The sender sends one probe per
 * flow every interval from a timerfd and takes the answers; a responder
 * per target guest echoes what arrives at its VIPA.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "probe_priv.h"

void
probe_udp_echo(int fd)
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

void *
probe_responder(void *arg)
{
	struct probe_target	*t = arg;
	struct pollfd		 pfd = { .fd = t->fd, .events = POLLIN };

	if (t->p->o.stun) {
		atomic_store(&t->tid, gettid());
		probe_join_cgroup(t);
	}
	while (!atomic_load(&t->p->done)) {
		if (t->tcp)
			probe_tcp_echo_poll(t);
		else if (poll(&pfd, 1, PROBE_POLL_MS) > 0)
			probe_udp_echo(t->fd);
	}
	if (t->p->o.stun)
		probe_leave_cgroup(gettid());
	return NULL;
}

static void
probe_send(struct probe *p, size_t i)
{
	struct probe_flow	*f = &p->flows[i];
	struct probe_pkt	 pkt;

	if (f->tcp) {
		probe_tcp_send(p, i);
		return;
	}
	if (probe_flow_next(p, i, &pkt) == -1)
		return;
	probe_flow_sent(p, f);
	send(f->fd, &pkt, sizeof(pkt), MSG_DONTWAIT);
}

static void
probe_receive(struct probe *p, size_t i)
{
	struct probe_flow	*f = &p->flows[i];
	struct probe_pkt	 pkt;
	double			 now;

	if (f->tcp) {
		probe_tcp_receive(p, i);
		return;
	}
	while (recv(f->fd, &pkt, sizeof(pkt), MSG_DONTWAIT) ==
	    (ssize_t)sizeof(pkt)) {
		if (ntohl(pkt.magic) != PROBE_MAGIC || ntohl(pkt.flow) != i)
			continue;
		now = probe_now();
		pthread_mutex_lock(&p->lock);
		probe_flow_answer(f, ntohl(pkt.seq), now);
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
		if (p->flows[i].fd != -1)
			epoll_ctl(ep, EPOLL_CTL_ADD, p->flows[i].fd, &ev);
	}
	return ep;
}

void *
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
	p->ep = ep;		/* streams made again join it */
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
	p->ep = -1;
	close(ep);
	close(tfd);
	return NULL;
}
