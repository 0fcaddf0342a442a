/*
 * http_fuzz.c: libFuzzer target for the console's HTTP request handling
 * (server.c's gates and routes, api.c's query and body validation,
 * session.c's cookies and CSRF), end to end: a console with a stand-in
 * provider listens on 127.0.0.1 and each input is one raw request sent
 * to it.  "@COOKIE@" and "@CSRF@" in the input become an operator
 * session's cookie and CSRF token (logged in once at start), so that the
 * fuzzer gets past the session gate.  The event stream (/api/stream)
 * never ends and is left out.
 *
 * Beyond not crashing: every request is answered with a status line
 * "HTTP/1.x NNN" (or the connection closed when the request was not
 * complete), never 500 (the stand-in provider, standin.c, does not
 * fail), and the console keeps serving.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "standin.h"

#define FUZZ_REQ_MAX	(64 * 1024)
#define FUZZ_WAIT_MS	8000	/* a loaded machine answers late */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static struct console	*fuzz_c;
static uint16_t		 fuzz_port;
static char		 fuzz_cookie[128];
static char		 fuzz_csrf[64];
static char		 fuzz_req[FUZZ_REQ_MAX + 1024];
static char		 fuzz_ans[8192];

/* --- one request over a fresh connection -------------------------------- */

/*
 * poll() for one descriptor until the monotonic deadline; a signal
 * (libFuzzer's SIGALRM that checks the per-input time-out) is no answer
 * yet: polled again for what is left.  Returns poll()'s result.
 */
static int
fuzz_poll(struct pollfd *p, const struct timespec *deadline)
{
	struct timespec	now;
	long		left;
	int		rc;

	do {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (deadline->tv_sec - now.tv_sec) * 1000 +
		    (deadline->tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return 0;
		rc = poll(p, 1, (int)left);
	} while (rc == -1 && errno == EINTR);
	return rc;
}

/*
 * Send req, read the answer into fuzz_ans until the console closes, or
 * (whole false) until its status line is in: after an error answer
 * libmicrohttpd lingers seconds before it closes.
 */
static size_t
fuzz_exchange(const char *req, size_t len, bool whole)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	struct pollfd		 p;
	struct timespec		 deadline;
	size_t			 got = 0;
	ssize_t			 n;
	sigset_t		 alrm, old;
	int			 s;

	sin.sin_port = htons(fuzz_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/*
	 * libFuzzer's SIGALRM (its time-out check) must not interrupt the
	 * connect: with the console's 64 connections busy the SYN waits in
	 * its backlog for a retransmission, and an interrupted connect
	 * failed with EINTR (once in 26,195 runs).
	 */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		/* The console stopped serving: why, the error says. */
		fprintf(stderr, "http_fuzz: connect to the console: %s\n",
		    strerror(errno));
		abort();
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (send(s, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		abort();
	shutdown(s, SHUT_WR);
	p.fd = s;
	p.events = POLLIN;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += FUZZ_WAIT_MS / 1000;
	while (got < sizeof(fuzz_ans) - 1) {
		if (fuzz_poll(&p, &deadline) != 1)
			abort();	/* no answer, no close */
		if ((n = recv(s, fuzz_ans + got, sizeof(fuzz_ans) - 1 - got,
		    0)) <= 0)
			break;
		got += (size_t)n;
		if (!whole && memmem(fuzz_ans, got, "\r\n", 2) != NULL)
			break;
	}
	fuzz_ans[got] = '\0';
	close(s);
	return got;
}

/* The status of the answer, -1 when it has no status line. */
static int
fuzz_status(void)
{
	int	status;

	if (sscanf(fuzz_ans, "HTTP/1.%*1[01] %3d ", &status) != 1)
		return -1;
	return status;
}

/* Copy the value after key in the answer up to one of the stop bytes. */
static void
fuzz_grab(const char *key, const char *stop, char *out, size_t len)
{
	const char	*p;
	size_t		 n;

	if ((p = strstr(fuzz_ans, key)) == NULL)
		abort();
	p += strlen(key);
	n = strcspn(p, stop);
	if (n >= len)
		abort();
	memcpy(out, p, n);
	out[n] = '\0';
}

static void
fuzz_login(void)
{
	struct console_options	o;
	char			url[256], req[512];
	const char		*path;
	int			n;

	console_options_init(&o);
	o.rate = 1000000;
	o.burst = 1000000;
	if ((fuzz_c = console_new(&o, &standin_provider, NULL)) == NULL ||
	    console_start(fuzz_c) == -1 ||
	    console_url(fuzz_c, CONSOLE_OPERATOR, url, sizeof(url)) == -1 ||
	    (path = strstr(url, "/login")) == NULL)
		abort();
	fuzz_port = console_port(fuzz_c);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
	    path);
	fuzz_exchange(req, (size_t)n, true);
	fuzz_grab("lgr_session=", ";\r\n", fuzz_cookie, sizeof(fuzz_cookie));
	n = snprintf(req, sizeof(req), "GET /api/session HTTP/1.1\r\n"
	    "Host: x\r\nCookie: lgr_session=%s\r\n\r\n", fuzz_cookie);
	fuzz_exchange(req, (size_t)n, true);
	fuzz_grab("\"csrf\":\"", "\"", fuzz_csrf, sizeof(fuzz_csrf));
}

/* The input with the placeholders filled in; its length. */
static size_t
fuzz_fill(const uint8_t *data, size_t len)
{
	size_t	i = 0, o = 0;

	while (i < len && o < FUZZ_REQ_MAX) {
		if (len - i >= 8 && memcmp(data + i, "@COOKIE@", 8) == 0) {
			o += (size_t)snprintf(fuzz_req + o, 200,
			    "lgr_session=%s", fuzz_cookie);
			i += 8;
		} else if (len - i >= 6 && memcmp(data + i, "@CSRF@", 6) == 0) {
			o += (size_t)snprintf(fuzz_req + o, 100, "%s",
			    fuzz_csrf);
			i += 6;
		} else
			fuzz_req[o++] = (char)data[i++];
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	size_t	n;
	int	status;

	if (fuzz_c == NULL)
		fuzz_login();
	if (len > FUZZ_REQ_MAX || memmem(data, len, "stream", 6) != NULL)
		return 0;
	n = fuzz_fill(data, len);
	if (fuzz_exchange(fuzz_req, n, false) == 0)
		return 0;		/* closed: the request was not whole */
	status = fuzz_status();
	if (status < 100 || status > 599 || status == 500)
		abort();
	return 0;
}
