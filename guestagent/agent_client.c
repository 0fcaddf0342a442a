/*
 * agent_client.c: one connection to a guest agent's control socket (see
 * agent_client.h).  A DEALER socket, CURVE client of the lab's server
 * key, and a socket monitor that tells a refused key from silence.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "agent_client.h"

struct agent_client {
	void	*ctx;
	bool	 own_ctx;
	void	*sock;
	void	*mon;		/* PAIR receiving the monitor's events */
	int	 err_code;	/* last error terminator */
	char	 err_text[512];
};

char *
agent_client_path(const char *labdir, const char *guest, char *buf,
    size_t len)
{
	int	n;

	n = snprintf(buf, len, "%s/%s/%s", labdir, guest, AGENT_SOCK_NAME);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

static int
agent_client_connect(struct agent_client *c, const char *path,
    const struct keys_client *kc)
{
	char	ep[4200], mon[64];
	int	zero = 0;

	snprintf(ep, sizeof(ep), "ipc://%s", path);
	snprintf(mon, sizeof(mon), "inproc://agent-client-mon-%p", (void *)c);
	if ((c->sock = zmq_socket(c->ctx, ZMQ_DEALER)) == NULL ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    keys_client_setup(c->sock, kc) == -1 ||
	    zmq_socket_monitor(c->sock, mon,
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == -1 ||
	    (c->mon = zmq_socket(c->ctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(c->mon, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_connect(c->mon, mon) == -1 || zmq_connect(c->sock, ep) == -1)
		return -1;
	return 0;
}

struct agent_client *
agent_client_open(void *zctx, const char *path, const struct keys_client *kc)
{
	struct agent_client	*c;
	struct stat		 st;
	int			 saved;

	if (stat(path, &st) == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->ctx = zctx;
	if (c->ctx == NULL) {
		if ((c->ctx = zmq_ctx_new()) == NULL) {
			free(c);
			return NULL;
		}
		c->own_ctx = true;
	}
	if (agent_client_connect(c, path, kc) == -1) {
		saved = zmq_errno();
		agent_client_close(c);
		errno = saved;
		return NULL;
	}
	return c;
}

void
agent_client_close(struct agent_client *c)
{
	if (c == NULL)
		return;
	if (c->sock != NULL) {
		zmq_socket_monitor(c->sock, NULL, 0);
		zmq_close(c->sock);
	}
	if (c->mon != NULL)
		zmq_close(c->mon);
	if (c->own_ctx)
		zmq_ctx_term(c->ctx);
	free(c);
}

int
agent_client_error(const struct agent_client *c, const char **text)
{
	if (text != NULL)
		*text = c->err_text;
	return c->err_code;
}

static int64_t
agent_client_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait for the next frame until deadline.  Returns the parsed frame, or
 * NULL with errno ETIMEDOUT, EACCES (authentication failed) or EBADMSG.
 */
static struct json_object *
agent_client_next(struct agent_client *c, int64_t deadline)
{
	zmq_pollitem_t		 it[2] = { { c->sock, 0, ZMQ_POLLIN, 0 },
				    { c->mon, 0, ZMQ_POLLIN, 0 } };
	struct json_object	*o;
	int64_t			 left;
	int			 rc;

	for (;;) {
		left = deadline - agent_client_now_ms();
		if (left < 0)
			left = 0;
		rc = zmq_poll(it, 2, (long)left);
		if (rc == -1 && zmq_errno() == EINTR)
			continue;
		if (rc <= 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		if (it[1].revents & ZMQ_POLLIN) {
			errno = EACCES;
			return NULL;
		}
		if ((o = msg_recv_json(c->sock)) == NULL) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			errno = EBADMSG;
		}
		return o;
	}
}

int
agent_client_request(struct agent_client *c, const struct agent_request *rq,
    int timeout_ms, struct json_object **data)
{
	struct json_object	*req, *o;
	const char		*text;
	int64_t			 deadline;
	int			 code, t;

	*data = NULL;
	c->err_code = 0;
	c->err_text[0] = '\0';
	if ((req = agent_request_encode(rq)) == NULL)
		return -1;
	t = msg_send_json(c->sock, req, 0);
	json_object_put(req);
	if (t == -1)
		return -1;
	deadline = agent_client_now_ms() + timeout_ms;
	for (;;) {
		if ((o = agent_client_next(c, deadline)) == NULL)
			goto fail;
		if ((t = msg_terminator(o, &code, &text)) == 1) {
			json_object_put(o);
			return 0;
		}
		if (t == -1) {
			c->err_code = code;
			snprintf(c->err_text, sizeof(c->err_text), "%s", text);
			json_object_put(o);
			errno = EREMOTEIO;
			goto fail;
		}
		if (*data != NULL) {	/* one data frame per answer */
			json_object_put(o);
			errno = EBADMSG;
			goto fail;
		}
		*data = o;
	}
fail:
	t = errno;
	json_object_put(*data);
	*data = NULL;
	errno = t;
	return -1;
}
