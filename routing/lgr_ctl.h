/*
 * lgr_ctl.h: the control protocol between ospfd_lgr.so and drainctl.
 *
 * Both ends build against this header (as ospfctl builds against ../ospfd).
 *
 * Transport: ZeroMQ.  The module binds, in the directory given as its load
 * argument (ospfd -M /path/ospfd_lgr.so:DIR):
 *   ipc://DIR/lgr.ctl   REP: one request message, one multipart reply
 *   ipc://DIR/lgr.ev    PUB: events, two frames: topic, JSON object
 *
 * Every frame of a request or reply is one control message: an 8-byte
 * header (version, type, payload length; big-endian) and the payload.
 *   request    one frame; payload = arguments, each NUL-terminated
 *   reply      zero or more CTL_DATA frames (one JSON value each) and
 *              exactly one CTL_END (JSON object or empty), or exactly one
 *              CTL_ERROR (uint32 code, big-endian, then NUL-terminated text)
 *
 * The functions below only encode and decode buffers: they never print,
 * keep no state, and report failures as -1 with errno set.
 */
#ifndef LGR_CTL_H
#define LGR_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_VERSION		1
#define CTL_HDR_LEN		8
#define CTL_MAX_PAYLOAD		(4u << 20)	/* 4 MiB: a large LSDB */
#define CTL_MAX_ARGS		64
#define CTL_MAX_ARGLEN		64

#define CTL_SOCK_NAME		"lgr.ctl"
#define CTL_EVENT_SOCK_NAME	"lgr.ev"

/* Requests, then replies.  Numbers are part of the protocol. */
enum ctl_type {
	CTL_DRAIN = 1,		/* args: IFNAME... */
	CTL_UNDRAIN = 2,	/* args: IFNAME... */
	CTL_STATE = 3,		/* data: one object per OSPF interface */
	CTL_ROUTES = 4,		/* data: one object per OSPF route */
	CTL_LSDB = 5,		/* data: one object per LSA */
	CTL_EVENTS = 6,		/* data: recent events, oldest first */
	CTL_DATA = 64,
	CTL_END = 65,
	CTL_ERROR = 66,
};

/* Error codes (CTL_ERROR): 8xxx the request can't be carried out now,
 * 9xxx the request itself is wrong. */
enum ctl_error {
	CTL_E_INTERNAL = 8000,	/* the module failed; see ospfd's log */
	CTL_E_NOOSPF = 8001,	/* no OSPF instance ("router ospf") */
	CTL_E_NOIF = 8002,	/* no OSPF interface of that name */
	CTL_E_DENIED = 8003,	/* the client's role may not do this */
	CTL_E_BADMSG = 9000,	/* malformed message */
	CTL_E_BADREQ = 9001,	/* unknown request type */
	CTL_E_BADARG = 9002,	/* wrong arguments */
};

/* Event topics (first frame of every PUB message). */
#define CTL_EV_ISM	"ism"	/* interface state change */
#define CTL_EV_NSM	"nsm"	/* neighbour state change */
#define CTL_EV_LSA	"lsa"	/* LSA installed */
#define CTL_EV_SPF	"spf"	/* SPF run: route table diff */
#define CTL_EV_DRAIN	"drain"	/* drain state of an interface changed */

struct ctl_msg {
	uint16_t	 version;
	uint16_t	 type;
	const uint8_t	*payload;	/* points into the decoded buffer */
	size_t		 len;
};

/* ctl.c */
const char	*ctl_type_name(int type);
int		 ctl_type_is_request(int type);
const char	*ctl_error_name(int code);
/*
 * ctl_msg_encode: write header and payload into buf.  Returns the message
 * length, or -1 with errno EMSGSIZE (payload over CTL_MAX_PAYLOAD or buf
 * too small).
 */
ssize_t		 ctl_msg_encode(uint8_t *buf, size_t size, uint16_t type,
		    const void *payload, size_t len);
/*
 * ctl_msg_decode: parse one message.  Returns 0, or -1 with errno EBADMSG
 * (short or length mismatch), EPROTO (other version) or EPROTOTYPE (type
 * unknown).
 */
int		 ctl_msg_decode(const uint8_t *buf, size_t len,
		    struct ctl_msg *msg);
/*
 * ctl_args_encode: argv[0..argc-1] as NUL-terminated strings.  Returns the
 * length, or -1 with errno E2BIG (too many), ENAMETOOLONG (an argument over
 * CTL_MAX_ARGLEN), EINVAL (empty argument) or EMSGSIZE (buf too small).
 */
ssize_t		 ctl_args_encode(char *buf, size_t size, int argc,
		    const char *const argv[]);
/*
 * ctl_args_decode: split a payload into at most max arguments; argv points
 * into the payload.  Returns the count, or -1 with errno EBADMSG (not
 * NUL-terminated), EINVAL (empty argument), ENAMETOOLONG or E2BIG.
 */
int		 ctl_args_decode(const uint8_t *payload, size_t len,
		    const char **argv, int max);
/*
 * ctl_error_encode / ctl_error_decode: payload of CTL_ERROR.  Encode
 * truncates the text to fit; returns the length or -1 (EMSGSIZE).  Decode
 * returns 0 or -1 with errno EBADMSG.
 */
ssize_t		 ctl_error_encode(uint8_t *buf, size_t size, uint32_t code,
		    const char *text);
int		 ctl_error_decode(const uint8_t *payload, size_t len,
		    uint32_t *code, const char **text);

#endif
