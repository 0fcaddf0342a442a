/*
 * agent_client.c: one connection to a guest agent's control socket (see
 * agent_client.h), on common/ctlclient.h: a DEALER socket, CURVE client
 * of the lab's server key, that knows a refused key from silence.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent_client.h"
#include "ctlclient.h"

struct agent_client {
	struct ctlclient	*cc;
	struct json_object	*data;		/* the answer's data frame */
	int			 nframes;	/* data frames of the answer */
	int			 err_code;	/* last error terminator */
	char			 err_text[512];
};

struct agent_client *
agent_client_open(void *zctx, const char *path, const struct keys_client *kc,
    int connect_ms)
{
	struct agent_client	*c;
	char			 ep[PATH_MAX + 8];

	if (labname_ipc(path, ep, sizeof(ep)) == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->cc = ctlclient_open(zctx, ep, kc, connect_ms)) ==
	    NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
agent_client_close(struct agent_client *c)
{
	if (c == NULL)
		return;
	ctlclient_close(c->cc);
	free(c);
}

int
agent_client_error(const struct agent_client *c, const char **text)
{
	if (text != NULL)
		*text = c->err_text;
	return c->err_code;
}

/* A data frame: the first is kept, a second one is not the protocol. */
static void
agent_client_row(struct json_object *row, void *arg)
{
	struct agent_client	*c = arg;

	if (c->nframes++ == 0)
		c->data = json_object_get(row);
}

int
agent_client_request(struct agent_client *c, const struct agent_request *rq,
    int timeout_ms, struct json_object **data)
{
	struct json_object	*req;
	int			 rc, err;

	*data = NULL;
	c->data = NULL;
	c->nframes = 0;
	c->err_code = 0;
	c->err_text[0] = '\0';
	if ((req = codec_encode(&agent_codec, rq)) == NULL)
		return -1;
	rc = ctlclient_request(c->cc, req, timeout_ms, agent_client_row, c,
	    &c->err_code, c->err_text, sizeof(c->err_text));
	json_object_put(req);
	if (rc == 0 && c->nframes <= 1) {
		*data = c->data;
		return 0;
	}
	err = rc == 1 ? EREMOTEIO : rc == 0 ? EBADMSG : errno;
	json_object_put(c->data);
	c->data = NULL;
	errno = err;
	return -1;
}
