/*
 * ctlclient.h: the client end of a control socket (ctlsrv.h), shared by
 * every CLI (hvctl, lgrctl, agentctl) and by daemons that ask another
 * daemon (lgrd asks hvd and the guest agents).
 *
 * ctlclient_open() connects a DEALER socket as a CURVE client and waits
 * for the handshake, so that a daemon that is not running, or that
 * refuses the key, is known within connect_ms instead of at the first
 * request's time-out.  Failures return NULL/-1 with errno and a text
 * naming the endpoint in ctlclient_errtext() (per thread):
 *   ENOENT	ipc socket file missing: the daemon is not running
 *   ETIMEDOUT	no handshake within connect_ms, or no answer in time
 *   EACCES	the daemon refused our key
 *   EBADMSG	an answer frame that is not a JSON object
 */
#ifndef LGR_CTLCLIENT_H
#define LGR_CTLCLIENT_H

#include <json-c/json.h>

#include "keys.h"

#define CTLCLIENT_CONNECT_MS	2000	/* default handshake wait */

struct ctlclient;

/* Called for each data frame of an answer (not the terminator). */
typedef void (*ctlclient_row_fn)(struct json_object *row, void *arg);

struct ctlclient	*ctlclient_open(void *zctx, const char *endpoint,
			    const struct keys_client *kc, int connect_ms);
void			 ctlclient_close(struct ctlclient *c);
const char		*ctlclient_errtext(void);
void			*ctlclient_socket(struct ctlclient *c);

/* Send one request (req is not taken).  0 or -1 (errno). */
int			 ctlclient_send(struct ctlclient *c,
			    struct json_object *req);
/* One answer frame within timeout_ms (-1: forever); NULL with errno. */
struct json_object	*ctlclient_recv(struct ctlclient *c, int timeout_ms);
/*
 * Send req and read its answer: each data frame to fn (may be NULL),
 * timeout_ms for each frame.  Returns 0 on {"end"}, 1 on an error
 * terminator (*code and text filled), -1 on a transport failure
 * (errno, ctlclient_errtext()).
 */
int			 ctlclient_request(struct ctlclient *c,
			    struct json_object *req, int timeout_ms,
			    ctlclient_row_fn fn, void *arg, int *code,
			    char *text, size_t textlen);

#endif
