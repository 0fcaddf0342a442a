/*
 * udprobe: VIPA-to-VIPA probes for the routing lab tests.
 *
 *   udprobe echo ADDR PORT
 *	bind ADDR:PORT and send every datagram back to its sender, from
 *	ADDR (run in the target's namespace)
 *   udprobe send SRC DST PORT INTERVAL_MS
 *	from SRC, a numbered datagram to DST:PORT every INTERVAL_MS until
 *	SIGTERM or SIGINT; then wait a second for the last answers and print
 *	"sent N answered N lost N worst_run N max_rtt_ms X"
 *	(run in the source's namespace)
 *
 * One answered probe proves both directions of VIPA routing.  Exit 0 when
 * every probe was answered, 1 when one was lost, 2 on a usage or socket
 * error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "sig.h"

#define PROBE_MAGIC	0x6c677270u	/* "lgrp" */
#define PROBE_MAX	(1u << 20)	/* about three hours at 10 ms */
#define PROBE_GRACE_MS	1000

struct probe_msg {
	uint32_t	magic;
	uint32_t	seq;
	uint64_t	sent_ns;
};

static volatile sig_atomic_t	stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
sock_bound(const char *addr, const char *port)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "udprobe: %s is not an IPv4 address\n", addr);
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "udprobe: bind %s:%s: %s\n", addr, port,
		    strerror(errno));
		return -1;
	}
	return fd;
}

static int
echo(const char *addr, const char *port)
{
	struct sockaddr_in	from;
	socklen_t		len;
	char			buf[256];
	ssize_t			n;
	int			fd;

	if ((fd = sock_bound(addr, port)) == -1)
		return 2;
	while (!stop) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &len);
		if (n > 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
			    len);
	}
	return 0;
}

struct sender {
	int		 fd;
	uint8_t		*answered;	/* per sequence number */
	uint32_t	 sent;
	uint32_t	 nanswered;
	uint64_t	 max_rtt_ns;
};

static void
sender_read(struct sender *s)
{
	struct probe_msg	m;
	uint64_t		rtt;

	while (recv(s->fd, &m, sizeof(m), MSG_DONTWAIT) == sizeof(m)) {
		if (m.magic != PROBE_MAGIC || m.seq >= s->sent ||
		    s->answered[m.seq])
			continue;
		s->answered[m.seq] = 1;
		s->nanswered++;
		if ((rtt = clock_ns() - m.sent_ns) > s->max_rtt_ns)
			s->max_rtt_ns = rtt;
	}
}

/* Waits until deadline (ns), reading answers. */
static void
sender_wait(struct sender *s, uint64_t deadline)
{
	struct pollfd	pfd = { s->fd, POLLIN, 0 };
	uint64_t	now;

	while ((now = clock_ns()) < deadline) {
		if (poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1) > 0)
			sender_read(s);
		if (stop && s->nanswered == s->sent)
			break;
	}
}

static uint32_t
worst_run(const struct sender *s)
{
	uint32_t	run = 0, worst = 0;

	for (uint32_t i = 0; i < s->sent; i++) {
		run = s->answered[i] ? 0 : run + 1;
		if (run > worst)
			worst = run;
	}
	return worst;
}

static int
send_probes(const char *src, const char *dst, const char *port,
    const char *interval)
{
	struct sockaddr_in	to;
	struct sender		s;
	struct probe_msg	m;
	uint64_t		next, step;

	memset(&s, 0, sizeof(s));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)atoi(port));
	step = (uint64_t)atoi(interval) * 1000000u;
	if (inet_pton(AF_INET, dst, &to.sin_addr) != 1 || step == 0) {
		fprintf(stderr, "udprobe: bad destination or interval\n");
		return 2;
	}
	if ((s.fd = sock_bound(src, "0")) == -1 ||
	    (s.answered = calloc(PROBE_MAX, 1)) == NULL)
		return 2;
	next = clock_ns();
	while (!stop && s.sent < PROBE_MAX) {
		m.magic = PROBE_MAGIC;
		m.seq = s.sent;
		m.sent_ns = clock_ns();
		/* A send error (no route) is a lost probe, not a failure. */
		sendto(s.fd, &m, sizeof(m), 0, (struct sockaddr *)&to,
		    sizeof(to));
		s.sent++;
		next += step;
		sender_wait(&s, next);
	}
	stop = 1;
	sender_wait(&s, clock_ns() + (uint64_t)PROBE_GRACE_MS * 1000000u);
	printf("sent %u answered %u lost %u worst_run %u max_rtt_ms %.3f\n",
	    s.sent, s.nanswered, s.sent - s.nanswered, worst_run(&s),
	    (double)s.max_rtt_ns / 1e6);
	fflush(stdout);
	return s.nanswered == s.sent ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	sig_setup(on_signal, false);	/* no SA_RESTART: wakes recvfrom */
	if (argc == 4 && strcmp(argv[1], "echo") == 0)
		return echo(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return send_probes(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: udprobe echo ADDR PORT\n"
	    "       udprobe send SRC DST PORT INTERVAL_MS\n");
	return 2;
}
