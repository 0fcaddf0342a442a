/*
 * plugin.c: requests to ospfd_lgr.so's control socket (lgr_ctl.h), read
 * without blocking so that one poll loop serves every router.
 *
 * The socket is a DEALER, so that several requests can be in flight: a
 * busy ospfd answers them in one wake-up instead of one per request.
 * Each request goes out behind the empty delimiter frame a REP socket
 * expects; each reply comes back behind one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "keys.h"
#include "labname.h"
#include "lgr_ctl.h"
#include "routecheck.h"

struct rc_plugin {
	void	*sock;
	bool	 in_reply;	/* the reply's delimiter was read */
};

struct rc_plugin *
rc_plugin_open(void *zctx, const char *path,
    const struct keys_client *keys)
{
	struct rc_plugin	*p;
	char			 ep[PATH_MAX + 16];
	int			 zero = 0, saved;

	if (labname_ipc(path, ep, sizeof(ep)) == NULL)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->sock = zmq_socket(zctx, ZMQ_DEALER)) == NULL)
		goto fail;
	zmq_setsockopt(p->sock, ZMQ_LINGER, &zero, sizeof(zero));
	if (keys != NULL && keys_client_setup(p->sock, keys) == -1)
		goto fail;
	if (zmq_connect(p->sock, ep) == -1)
		goto fail;
	return p;
fail:
	saved = zmq_errno();
	rc_plugin_close(p);
	errno = saved;
	return NULL;
}

void
rc_plugin_close(struct rc_plugin *p)
{
	if (p == NULL)
		return;
	if (p->sock != NULL)
		zmq_close(p->sock);
	free(p);
}

void *
rc_plugin_socket(const struct rc_plugin *p)
{
	return p->sock;
}

int
rc_plugin_send(struct rc_plugin *p, int type)
{
	uint8_t	buf[LGR_HDR_LEN];
	ssize_t	n;

	if ((n = lgr_msg_encode(buf, sizeof(buf), (uint16_t)type, NULL,
	    0)) == -1)
		return -1;
	if (zmq_send(p->sock, NULL, 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1 ||
	    zmq_send(p->sock, buf, (size_t)n, ZMQ_DONTWAIT) == -1) {
		errno = zmq_errno();
		return -1;
	}
	return 0;
}

static int
plugin_error(const struct lgr_msg *m, char *errbuf, size_t errlen)
{
	uint32_t	 code;
	const char	*text;

	if (lgr_error_decode(m->payload, m->len, &code, &text) == -1) {
		snprintf(errbuf, errlen, "malformed error reply");
		errno = EBADMSG;
		return -1;
	}
	snprintf(errbuf, errlen, "%s (%u %s)", text, code,
	    reply_name((int)code));
	errno = EPROTO;
	return -1;
}

static int
plugin_data(const struct lgr_msg *m, rc_plugin_cb cb, void *arg,
    char *errbuf, size_t errlen)
{
	struct json_tokener	*tok;
	json_object		*o;
	int			 rc;

	if ((tok = json_tokener_new()) == NULL)
		return -1;
	o = json_tokener_parse_ex(tok, (const char *)m->payload, (int)m->len);
	json_tokener_free(tok);
	if (o == NULL) {
		snprintf(errbuf, errlen, "reply is not JSON");
		errno = EBADMSG;
		return -1;
	}
	rc = cb(o, arg);
	json_object_put(o);
	if (rc == -1)
		snprintf(errbuf, errlen, "reply: %s", strerror(errno));
	return rc;
}

/* One frame; 1 when it was the last. */
static int
plugin_frame(zmq_msg_t *zm, rc_plugin_cb cb, void *arg, char *errbuf,
    size_t errlen)
{
	struct lgr_msg	m;
	bool		more = zmq_msg_more(zm);

	if (lgr_msg_decode(zmq_msg_data(zm), zmq_msg_size(zm), &m) == -1) {
		snprintf(errbuf, errlen, "malformed reply: %s",
		    strerror(errno));
		errno = EBADMSG;
		return -1;
	}
	switch (m.type) {
	case LGR_ERROR:
		return plugin_error(&m, errbuf, errlen);
	case LGR_DATA:
		if (plugin_data(&m, cb, arg, errbuf, errlen) == -1)
			return -1;
		break;
	case LGR_END:
		return more ? 0 : 1;
	default:
		snprintf(errbuf, errlen, "unexpected %s in a reply",
		    lgr_type_name(m.type));
		errno = EBADMSG;
		return -1;
	}
	if (!more) {
		snprintf(errbuf, errlen, "reply ended without its end frame");
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int
rc_plugin_read(struct rc_plugin *p, rc_plugin_cb cb, void *arg, char *errbuf,
    size_t errlen)
{
	zmq_msg_t	zm;
	int		rc;

	for (;;) {
		zmq_msg_init(&zm);
		if (zmq_msg_recv(&zm, p->sock, ZMQ_DONTWAIT) == -1) {
			rc = zmq_errno();
			zmq_msg_close(&zm);
			if (rc == EAGAIN)
				return 0;
			snprintf(errbuf, errlen, "%s", zmq_strerror(rc));
			errno = rc;
			return -1;
		}
		if (!p->in_reply) {
			/* The delimiter in front of every reply. */
			rc = zmq_msg_size(&zm) == 0 && zmq_msg_more(&zm);
			zmq_msg_close(&zm);
			if (!rc) {
				snprintf(errbuf, errlen, "reply without its "
				    "delimiter");
				errno = EBADMSG;
				return -1;
			}
			p->in_reply = true;
			continue;
		}
		rc = plugin_frame(&zm, cb, arg, errbuf, errlen);
		zmq_msg_close(&zm);
		if (rc == 1)
			p->in_reply = false;
		if (rc != 0)
			return rc;
	}
}
