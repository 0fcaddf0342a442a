/*
 * agent_client.h: the guest agent's control protocol and its client,
 * the one public header of the agentclient library.  guestagentd,
 * agentctl and the orchestrator build against it.
 *
 * Transport: ZeroMQ.  guestagentd binds a CURVE-authenticated ROUTER
 * socket at ipc://LABDIR/GUEST/agent.ctl (the lab's server key, see
 * common/keys.h); a client connects a DEALER socket.  A request is one
 * frame holding one JSON object; the answer is zero or more data
 * frames and exactly one terminator, {"end":true} or
 * {"error":CODE,"text":"..."} (common/msg.h).
 *
 *   {"req":"prepare","peers":["LITSWAS1"],"timeout_ms":5000}
 *	orchestrator only.  Drain every HSI interface, wait until the
 *	drain is in effect and the peers route this guest's VIPA off
 *	HiperSockets (or timeout_ms passes), take every HSI interface
 *	down.  peers and timeout_ms are optional (default: the guest's
 *	OSPF neighbours on HiperSockets, AGENT_PREPARE_TIMEOUT_MS).
 *	Data: {"guest","drained":[..],"drain_ms","peers_moved",
 *	"timed_out","down":[..],"ms"}
 *   {"req":"complete","timeout_ms":10000}
 *	orchestrator only.  Learn the member the guest runs on, bring up
 *	exactly that member's HSI interface, undrain, wait (at most
 *	timeout_ms) for a Full adjacency unless the guest is alone on the
 *	LAN.  Data: {"guest","member","up","down":[..],"full","full_ms",
 *	"alone","dr","ms"}
 *   {"req":"status"}
 *	orchestrator, operator, viewer.  Data: {"guest","member","mode",
 *	"journal","interfaces":[{"name","member","admin_up","oper_up",
 *	"drained","since_ms"}],"since_ms","corrections","last_warning",..}
 *   {"req":"verbose","level":N}
 *	orchestrator, operator.  The daemon's log verbosity (0-2).
 *
 * Sections follow the source files: proto.c (names and codec) and
 * agent_client.c (the client).  Functions never print and never exit;
 * they return 0 or a pointer, or -1/NULL with errno set as documented.
 */
#ifndef LGR_AGENT_CLIENT_H
#define LGR_AGENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "msg.h"

#define AGENT_SOCK_NAME			"agent.ctl"
#define AGENT_PEERS_MAX			64
#define AGENT_PREPARE_TIMEOUT_MS	5000	/* default of prepare */
#define AGENT_TIMEOUT_MAX_MS		600000
#define AGENT_UNSET			UINT64_MAX	/* number not given */

enum agent_req {
	AGENT_REQ_PREPARE,
	AGENT_REQ_COMPLETE,
	AGENT_REQ_STATUS,
	AGENT_REQ_VERBOSE,
	AGENT_NREQ,
};

/* Error codes of the terminator {"error":CODE,...}. */
enum agent_error {
	AGENT_E_BADREQ = 400,		/* malformed or invalid request */
	AGENT_E_DENIED = 403,		/* the client's role may not do this */
	AGENT_E_NOTFOUND = 404,		/* a peer that is not in the lab */
	AGENT_E_BUSY = 409,		/* another operation is running */
	AGENT_E_ABORTED = 410,		/* prepare overtaken by complete */
	AGENT_E_INTERNAL = 500,		/* see guestagentd's log */
	AGENT_E_UNAVAILABLE = 503,	/* plugin or hypervisor not answering */
};

struct agent_request {
	enum agent_req	 type;
	char		 peers[AGENT_PEERS_MAX][MSG_NAME_MAX];
	size_t		 npeers;
	bool		 peers_given;	/* "peers" present (may be empty) */
	uint64_t	 timeout_ms;	/* AGENT_UNSET: the default */
	uint64_t	 level;		/* AGENT_REQ_VERBOSE */
};

/*
 * proto.c: names and codec.
 */
const char	*agent_req_name(enum agent_req r);
int		 agent_req_find(const char *name);	/* -1 if unknown */
/* True for requests that change the guest (orchestrator only). */
bool		 agent_req_changes(enum agent_req r);
const char	*agent_error_name(int code);
void		 agent_request_init(struct agent_request *r,
		    enum agent_req type);
/* A new JSON object for r; NULL with errno ENOMEM or EINVAL. */
struct json_object *agent_request_encode(const struct agent_request *r);
/*
 * Decode and validate one request frame: known request, peers an array
 * of at most AGENT_PEERS_MAX distinct names, timeout_ms 1 to
 * AGENT_TIMEOUT_MAX_MS, no members a request does not take.  Returns 0,
 * or -1 with errno (msg.h: EMSGSIZE, EBADMSG, EINVAL) and the reason in
 * agent_proto_errtext() (per thread).
 */
int		 agent_request_decode(const void *buf, size_t len,
		    struct agent_request *r);
const char	*agent_proto_errtext(void);

/*
 * agent_client.c: one connection to one guest agent.
 *
 * agent_client_open() connects a DEALER socket to the agent's control
 * socket at path (LABDIR/GUEST/agent.ctl) as CURVE client kc.  zctx is
 * the caller's ZeroMQ context (NULL: the client makes its own).  Returns
 * NULL with errno ENOENT (no socket file: is the agent running?) or
 * zmq's errno.
 */
struct agent_client;

struct agent_client	*agent_client_open(void *zctx, const char *path,
			    const struct keys_client *kc);
void			 agent_client_close(struct agent_client *c);
/*
 * "LABDIR/GUEST/agent.ctl" into buf; NULL with errno ENAMETOOLONG.
 */
char			*agent_client_path(const char *labdir,
			    const char *guest, char *buf, size_t len);
/*
 * Send rq and wait up to timeout_ms for the whole answer.  On success
 * returns 0 and *data holds the answer's data frame (NULL when it had
 * none; the caller puts it).  Returns -1 with errno:
 *   ETIMEDOUT	no complete answer in time (the request may still run)
 *   EACCES	the agent refused our key (CURVE authentication failed)
 *   EREMOTEIO	the agent answered with an error terminator, see
 *		agent_client_error()
 *   EBADMSG	the answer is not the protocol's
 * After ETIMEDOUT or EBADMSG the connection should be closed.
 */
int			 agent_client_request(struct agent_client *c,
			    const struct agent_request *rq, int timeout_ms,
			    struct json_object **data);
/* The last error terminator: its code (0 if none) and text. */
int			 agent_client_error(const struct agent_client *c,
			    const char **text);

#endif
