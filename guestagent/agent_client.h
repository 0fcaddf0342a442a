/*
 * agent_client.h: the guest agent's control protocol and its client,
 * the one public header of the agentclient library.  guestagentd,
 * agentctl and the orchestrator build against it.
 *
 * Transport: common/ctlsrv.h.  guestagentd binds a CURVE-authenticated
 * ROUTER socket at ipc://LABDIR/GUEST/agent.ctl (labname_agent_sock();
 * the lab's server key, see common/keys.h); a client connects a DEALER
 * socket (common/ctlclient.h).  A request is one frame holding one JSON
 * object, decoded by the table agent_codec (common/codec.h); the answer
 * is zero or more data frames and exactly one terminator, {"end":true}
 * or {"error":CODE,"text":"..."} with a code of common/reply.h.
 *
 *   {"req":"prepare","peers":["LITSWAS1"],"timeout_ms":5000}
 *	orchestrator only.  Drain every HSI interface, wait until the
 *	drain is in effect and the peers route this guest's VIPA off
 *	HiperSockets (or timeout_ms passes), take every HSI interface
 *	down.  peers and timeout_ms are optional (default: the guest's
 *	OSPF neighbours on HiperSockets, AGENT_PREPARE_TIMEOUT_MS).
 *	Data: {"guest","drained":[..],"drain_ms","peers_moved",
 *	"timed_out","down":[..],"ms"}
 *	Errors: NOTFOUND (a peer not in the lab), BUSY (another operation
 *	runs), ABORTED (overtaken by complete), UNAVAILABLE (ospfd_lgr
 *	not answering, or guestagentd stopping), INTERNAL.
 *   {"req":"complete","timeout_ms":10000}
 *	orchestrator only.  Learn the member the guest runs on, bring up
 *	exactly that member's HSI interface, undrain, wait (at most
 *	timeout_ms) for a Full adjacency unless the guest is alone on the
 *	LAN.  Data: {"guest","member","up","down":[..],"full","full_ms",
 *	"alone","dr","ms"}
 *	Errors: BUSY, UNAVAILABLE (no hypervisor says where it runs),
 *	INTERNAL.
 *   {"req":"status"}
 *	orchestrator, operator, viewer.  Data: {"guest","member","mode",
 *	"journal","interfaces":[{"name","member","admin_up","oper_up",
 *	"drained","since_ms"}],"since_ms","corrections","last_warning",..}
 *   {"req":"verbose","level":N}
 *	orchestrator, operator.  The daemon's log verbosity (0-2).
 * A request a role may not send is answered DENIED; a malformed one
 * BADMSG or BADARG (common/ctlsrv.h).
 *
 * Sections follow the source files: proto.c (the codec table and the
 * role rule) and agent_client.c (the client).  Functions never print and
 * never exit; they return 0 or a pointer, or -1/NULL with errno set as
 * documented.
 */
#ifndef LGR_AGENT_CLIENT_H
#define LGR_AGENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "keys.h"
#include "labname.h"
#include "msg.h"
#include "reply.h"

#define AGENT_PEERS_MAX			64
#define AGENT_PREPARE_TIMEOUT_MS	5000	/* default of prepare */
#define AGENT_TIMEOUT_MAX_MS		600000
#define AGENT_UNSET			CODEC_UNSET	/* number not given */

enum agent_req {
	AGENT_REQ_PREPARE,
	AGENT_REQ_COMPLETE,
	AGENT_REQ_STATUS,
	AGENT_REQ_VERBOSE,
	AGENT_NREQ,
};

/* A request, as agent_codec decodes and encodes it. */
struct agent_request {
	int		 type;		/* enum agent_req */
	char		 peers[AGENT_PEERS_MAX][MSG_NAME_MAX];
	size_t		 npeers;
	bool		 peers_given;	/* "peers" present (may be empty) */
	uint64_t	 timeout_ms;	/* AGENT_UNSET: the default */
	uint64_t	 level;		/* AGENT_REQ_VERBOSE */
};

/*
 * proto.c: the codec table and the role rule.
 *
 * agent_codec decodes and validates a request frame (codec_decode():
 * known request, peers an array of at most AGENT_PEERS_MAX distinct
 * names, timeout_ms 1 to AGENT_TIMEOUT_MAX_MS, level 0-2, no members a
 * request does not take) and encodes one (codec_encode()).  prepare and
 * complete change the guest (codec_writes()).
 */
extern const struct codec	agent_codec;

const char	*agent_req_name(int type);
void		 agent_request_init(struct agent_request *r, int type);
/*
 * May role send a request of type?  Changes: the orchestrator only;
 * verbose: orchestrator and operator; reads: orchestrator, operator and
 * viewer.  (A ctlsrv_may_fn.)
 */
bool		 agent_may(enum keys_role role, int type, bool writes);

/*
 * agent_client.c: one connection to one guest agent.
 *
 * agent_client_open() connects to the agent's control socket at path
 * (labname_agent_sock(): LABDIR/GUEST/agent.ctl) as CURVE client kc and
 * waits up to connect_ms for the handshake (common/ctlclient.h; 0:
 * CTLCLIENT_CONNECT_MS); ctlclient_errtext() says why it failed.
 * zctx is the caller's ZeroMQ context (NULL: the client makes its own).
 * Returns NULL with errno ENOENT (no socket file: is the agent
 * running?), ETIMEDOUT (no agent answers), EACCES (the agent refused
 * our key) or zmq's errno; the text is in ctlclient_errtext().
 */
struct agent_client;

struct agent_client	*agent_client_open(void *zctx, const char *path,
			    const struct keys_client *kc, int connect_ms);
void			 agent_client_close(struct agent_client *c);
/*
 * Send rq and wait up to timeout_ms for each frame of the answer (the
 * agent sends its data frame and its end together).  On success returns
 * 0 and *data holds the answer's data frame (NULL when it had none; the
 * caller puts it).  Returns -1 with errno:
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
/* The last error terminator: its code (reply.h; 0 if none) and text. */
int			 agent_client_error(const struct agent_client *c,
			    const char **text);

#endif
