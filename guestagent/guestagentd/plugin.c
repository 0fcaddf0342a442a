/*
 * plugin.c: the agent as a client of ospfd_lgr's control socket
 * (ipc://LABDIR/NODE/lgr.ctl, routing/lgr_ctl.h): this guest's own, to
 * drain and undrain, and the peers', to read their routes.
 *
 * A REQ socket per router, CURVE client with the agent's key (the lab's
 * server key, which the plugin lets drain), relaxed and correlated so
 * that a request that timed out does not wedge the next one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "agent.h"
#include "lgr_ctl.h"
#include "log.h"

struct plugin {
	char	 node[TOPO_NAME_MAX];
	void	*sock;
	int	 err_code;
	char	 err_text[256];
};

struct plugin *
plugin_open(struct agent *a, const char *node)
{
	struct plugin	*p;
	char		 path[PATH_MAX], ep[PATH_MAX + 8];
	int		 one = 1, zero = 0;

	if (labname_plugin_sock(a->opts.labdir, node, path, sizeof(path)) ==
	    NULL || labname_ipc(path, ep, sizeof(ep)) == NULL)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	snprintf(p->node, sizeof(p->node), "%s", node);
	if ((p->sock = zmq_socket(a->zctx, ZMQ_REQ)) == NULL ||
	    zmq_setsockopt(p->sock, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_setsockopt(p->sock, ZMQ_REQ_RELAXED, &one, sizeof(one)) ==
	    -1 || zmq_setsockopt(p->sock, ZMQ_REQ_CORRELATE, &one,
	    sizeof(one)) == -1 || keys_client_setup(p->sock, &a->kc) == -1 ||
	    zmq_connect(p->sock, ep) == -1) {
		log_warnx("%s ospfd_lgr of %s: %s: %s", GA_MSG_PLUGIN, node, ep,
		    zmq_strerror(zmq_errno()));
		plugin_close(p);
		return NULL;
	}
	return p;
}

void
plugin_close(struct plugin *p)
{
	if (p == NULL)
		return;
	if (p->sock != NULL)
		zmq_close(p->sock);
	free(p);
}

/*
 * Guest g's ospfd_lgr, opened at the first question and kept open: a
 * prepare asks every HSI neighbour, a complete every guest on the LAN,
 * and a CURVE handshake per operation and router cost the agent and the
 * routers more than the questions.  NULL: it could not be opened (asked
 * again next time).
 */
struct plugin *
plugin_peer(struct agent *a, int g)
{
	if (g < 0 || (size_t)g >= a->conf.topo->nguests)
		return NULL;
	if (a->peers == NULL && (a->peers = calloc(a->conf.topo->nguests,
	    sizeof(*a->peers))) == NULL)
		return NULL;
	if (a->peers[g] == NULL)
		a->peers[g] = plugin_open(a, a->conf.topo->guests[g].name);
	return a->peers[g];
}

void
plugin_close_peers(struct agent *a)
{
	size_t	i;

	for (i = 0; a->peers != NULL && i < a->conf.topo->nguests; i++)
		plugin_close(a->peers[i]);
	free(a->peers);
	a->peers = NULL;
}

const char *
plugin_node(const struct plugin *p)
{
	return p->node;
}

int
plugin_error(const struct plugin *p, const char **text)
{
	if (text != NULL)
		*text = p->err_text;
	return p->err_code;
}

static int
plugin_send(struct plugin *p, int type, const char *const *args, int nargs)
{
	char	payload[LGR_MAX_ARGS * (LGR_MAX_ARGLEN + 1)];
	uint8_t	buf[sizeof(payload) + LGR_HDR_LEN];
	ssize_t	plen, n;

	if ((plen = lgr_args_encode(payload, sizeof(payload), nargs,
	    args)) == -1)
		return -1;
	if ((n = lgr_msg_encode(buf, sizeof(buf), (uint16_t)type, payload,
	    (size_t)plen)) == -1)
		return -1;
	return zmq_send(p->sock, buf, (size_t)n, 0) == -1 ? -1 : 0;
}

/* One frame of the answer: data appended, 1 at the end, -1 on error. */
static int
plugin_frame(struct plugin *p, zmq_msg_t *zm, struct json_object *data)
{
	struct lgr_msg		 m;
	struct json_object	*o;
	const char		*text;
	uint32_t		 code;

	if (lgr_msg_decode(zmq_msg_data(zm), zmq_msg_size(zm), &m) == -1) {
		errno = EBADMSG;
		return -1;
	}
	switch (m.type) {
	case LGR_DATA:
		if ((o = msg_parse(m.payload, m.len)) == NULL) {
			/* Data may be any JSON value; only objects are ours. */
			errno = EBADMSG;
			return -1;
		}
		json_object_array_add(data, o);
		return 0;
	case LGR_END:
		return 1;
	case LGR_ERROR:
		if (lgr_error_decode(m.payload, m.len, &code, &text) == -1) {
			errno = EBADMSG;
			return -1;
		}
		p->err_code = (int)code;
		snprintf(p->err_text, sizeof(p->err_text), "%s", text);
		errno = EREMOTEIO;
		return -1;
	default:
		errno = EBADMSG;
		return -1;
	}
}

/* Every frame of one answer. */
static int
plugin_recv(struct plugin *p, int timeout_ms, struct json_object *data)
{
	zmq_pollitem_t	it = { p->sock, 0, ZMQ_POLLIN, 0 };
	zmq_msg_t	zm;
	int		more = 1, rc = 0, r;
	size_t		len = sizeof(more);

	if ((r = zmq_poll(&it, 1, timeout_ms)) <= 0) {
		errno = r == 0 ? ETIMEDOUT : zmq_errno();
		return -1;
	}
	while (more) {
		zmq_msg_init(&zm);
		if (zmq_msg_recv(&zm, p->sock, 0) == -1) {
			zmq_msg_close(&zm);
			return -1;
		}
		zmq_getsockopt(p->sock, ZMQ_RCVMORE, &more, &len);
		if (rc == 0 && (r = plugin_frame(p, &zm, data)) != 0)
			rc = r;
		zmq_msg_close(&zm);
	}
	if (rc == 0) {
		errno = EBADMSG;	/* no terminator */
		return -1;
	}
	return rc == 1 ? 0 : -1;
}

/*
 * One request.  On success *data is a new array of the data objects.
 * Returns -1 with errno ETIMEDOUT (no answer in timeout_ms), EREMOTEIO
 * (an error answer: plugin_error()), EBADMSG or zmq's errno.
 */
int
plugin_request(struct plugin *p, int type, const char *const *args,
    int nargs, int timeout_ms, struct json_object **data)
{
	int	saved;

	*data = NULL;
	p->err_code = 0;
	p->err_text[0] = '\0';
	if (plugin_send(p, type, args, nargs) == -1)
		return -1;
	*data = json_object_new_array();
	if (plugin_recv(p, timeout_ms, *data) == 0)
		return 0;
	saved = errno;
	json_object_put(*data);
	*data = NULL;
	errno = saved;
	return -1;
}
