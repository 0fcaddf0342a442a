/*
 * tcp_stream.c: the baseline of underlay_bench.sh: one plain TCP stream
 * over the path a relocation takes.
 *
 *	tcp_stream recv ADDRESS PORT	accept one connection, read it to
 *					its end, print MiB and MiB/s
 *	tcp_stream send ADDRESS PORT MIB	send MIB MiB, then close
 *
 * The receiver times from the first byte to the end.  Run each side in
 * its host's namespace (ip netns exec).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(1 << 20)

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
addr_of(const char *a, const char *p, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)atoi(p));
	return inet_pton(AF_INET, a, &sin->sin_addr) == 1 ? 0 : -1;
}

static int
do_recv(struct sockaddr_in *sin)
{
	static char	buf[CHUNK];
	double		t0 = 0;
	long long	total = 0;
	ssize_t		n;
	int		s, c, one = 1;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(s, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(s, 1) == -1 || (c = accept(s, NULL, NULL)) == -1) {
		perror("tcp_stream: recv");
		return 1;
	}
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		if (total == 0)
			t0 = now_s();
		total += n;
	}
	if (n == -1 || total == 0) {
		perror("tcp_stream: read");
		return 1;
	}
	printf("%.1f %.1f\n", (double)total / CHUNK,
	    (double)total / CHUNK / (now_s() - t0));
	return 0;
}

static int
do_send(struct sockaddr_in *sin, long mib)
{
	static char	buf[CHUNK];
	ssize_t		n;
	size_t		off;
	int		s, tries;

	memset(buf, 0xa5, sizeof(buf));
	for (tries = 0; ; tries++) {	/* the receiver may not listen yet */
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			break;
		if (connect(s, (struct sockaddr *)sin, sizeof(*sin)) == 0)
			break;
		close(s);
		s = -1;
		if (tries == 50)
			break;
		usleep(100000);
	}
	if (s == -1) {
		perror("tcp_stream: connect");
		return 1;
	}
	for (long i = 0; i < mib; i++)
		for (off = 0; off < sizeof(buf); off += (size_t)n)
			if ((n = write(s, buf + off, sizeof(buf) - off)) <= 0) {
				perror("tcp_stream: write");
				return 1;
			}
	close(s);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	sin;

	if (argc >= 4 && addr_of(argv[2], argv[3], &sin) == 0) {
		if (argc == 4 && strcmp(argv[1], "recv") == 0)
			return do_recv(&sin);
		if (argc == 5 && strcmp(argv[1], "send") == 0 &&
		    atol(argv[4]) > 0)
			return do_send(&sin, atol(argv[4]));
	}
	fprintf(stderr, "usage: tcp_stream recv ADDRESS PORT\n"
	    "       tcp_stream send ADDRESS PORT MIB\n");
	return 2;
}
