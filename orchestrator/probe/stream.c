/*
 * stream.c: the probe engine's TCP streams.  A stream is a flow whose
 * socket is one TCP connection from the source's VIPA to the target's
 * port: the sender writes each probe to it and reassembles the echoes
 * (TCP keeps their order); the target's responder thread, in the guest's
 * cgroup, accepts the connections and echoes what they carry.  A
 * connection that breaks (reset, timeout, end) counts one reset and is
 * made again at the next tick; what was in flight is lost.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "probe_priv.h"

int
probe_tcp_listen(struct probe *p, struct probe_target *t)
{
	if ((t->lfd = probe_socket_in(p, t->ep.guest, SOCK_STREAM,
	    t->ep.vipa, p->o.port)) == -1)
		return -1;
	if (listen(t->lfd, PROBE_CONNS_MAX) == -1)
		return probe_fail(p, errno, "guest %s: listen", t->ep.guest);
	return 0;
}

/* A connection from the source's namespace; it completes on its own (the
 * first probes wait in the socket until it does). */
int
probe_tcp_connect(struct probe *p, struct probe_flow *f)
{
	struct sockaddr_in	sin;
	struct epoll_event	ev = { .events = EPOLLIN, .data.u64 = 0 };

	if ((f->fd = probe_socket_in(p, f->from.guest, SOCK_STREAM,
	    f->from.vipa, 0)) == -1)
		return -1;
	f->rlen = 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = f->to.vipa;
	sin.sin_port = htons(p->o.port);
	if (connect(f->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS)
		return probe_fail(p, errno, "guest %s: TCP connect to %s",
		    f->from.guest, inet_ntoa(f->to.vipa));
	if (p->ep != -1) {	/* made again by the sender */
		ev.data.u64 = (uint64_t)(f - p->flows);
		epoll_ctl(p->ep, EPOLL_CTL_ADD, f->fd, &ev);
	}
	return 0;
}

/* The stream broke: one reset, made again at the next tick. */
static void
probe_tcp_reset(struct probe *p, struct probe_flow *f)
{
	if (p->ep != -1)
		epoll_ctl(p->ep, EPOLL_CTL_DEL, f->fd, NULL);
	close(f->fd);
	f->fd = -1;
	f->rlen = 0;
	pthread_mutex_lock(&p->lock);
	f->resets++;
	pthread_mutex_unlock(&p->lock);
}

void
probe_tcp_send(struct probe *p, size_t i)
{
	struct probe_flow	*f = &p->flows[i];
	struct probe_pkt	 pkt;
	ssize_t			 n;

	if (f->fd == -1 && probe_tcp_connect(p, f) == -1) {
		f->fd = -1;
		return;
	}
	if (probe_flow_next(p, i, &pkt) == -1)
		return;
	/* Whole probes or nothing: 16 bytes fit an idle socket's buffer. */
	n = send(f->fd, &pkt, sizeof(pkt), MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)sizeof(pkt))
		probe_flow_sent(p, f);
	else if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != ENOTCONN)
		probe_tcp_reset(p, f);
}

void
probe_tcp_receive(struct probe *p, size_t i)
{
	struct probe_flow	*f = &p->flows[i];
	struct probe_pkt	 pkt;
	ssize_t			 n;

	while (f->fd != -1 && (n = recv(f->fd, f->rbuf + f->rlen,
	    sizeof(f->rbuf) - f->rlen, MSG_DONTWAIT)) != 0) {
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				probe_tcp_reset(p, f);
			return;
		}
		if ((f->rlen += (size_t)n) < sizeof(f->rbuf))
			continue;
		f->rlen = 0;
		memcpy(&pkt, f->rbuf, sizeof(pkt));
		if (ntohl(pkt.magic) != PROBE_MAGIC || ntohl(pkt.flow) != i)
			continue;
		pthread_mutex_lock(&p->lock);
		probe_flow_answer(f, ntohl(pkt.seq), probe_now());
		pthread_mutex_unlock(&p->lock);
	}
	if (f->fd != -1)
		probe_tcp_reset(p, f);		/* closed by the peer */
}

/* --- the responder's side ------------------------------------------------ */

static void
probe_tcp_accept(struct probe_target *t)
{
	int	fd, one = 1;

	while ((fd = accept4(t->lfd, NULL, NULL, SOCK_CLOEXEC |
	    SOCK_NONBLOCK)) != -1) {
		if (t->nconns == PROBE_CONNS_MAX) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		t->conns[t->nconns++] = fd;
	}
}

/* Echo what the connection holds; false when it ended. */
static bool
probe_tcp_echo(int fd)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n)
			return false;	/* never blocks at this rate */
	return n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* One poll over the UDP socket, the listener and the connections. */
void
probe_tcp_echo_poll(struct probe_target *t)
{
	struct pollfd	pfd[PROBE_CONNS_MAX + 2];
	size_t		n = 0, k;

	pfd[n++] = (struct pollfd){ .fd = t->fd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = t->lfd, .events = POLLIN };
	for (k = 0; k < t->nconns; k++)
		pfd[n++] = (struct pollfd){ .fd = t->conns[k],
		    .events = POLLIN };
	if (poll(pfd, (nfds_t)n, PROBE_POLL_MS) <= 0)
		return;
	if (pfd[0].revents != 0)
		probe_udp_echo(t->fd);
	if (pfd[1].revents != 0)
		probe_tcp_accept(t);
	for (k = n - 2; k-- > 0;) {
		if (pfd[k + 2].revents == 0 || probe_tcp_echo(t->conns[k]))
			continue;
		close(t->conns[k]);
		t->conns[k] = t->conns[--t->nconns];
	}
}

void
probe_tcp_close_target(struct probe_target *t)
{
	for (size_t k = 0; k < t->nconns; k++)
		close(t->conns[k]);
	t->nconns = 0;
	if (t->lfd != -1)
		close(t->lfd);
	t->lfd = -1;
}
