/*
 * lgr_ctl.h: the control protocol of ospfd_lgr.so, spoken by drainctl,
 * routecheck, lgrd and the guest agent.
 *
 * Every client builds against this header (as ospfctl builds against
 * ../ospfd).  Its names carry the lgr_ prefix so that it can be included
 * with the hypervisor's, lgrd's and the guest agent's headers.
 *
 * Transport: ZeroMQ.  The module binds, in the router's directory given
 * as its load argument (ospfd -M /path/ospfd_lgr.so:LABDIR/NODE), the
 * sockets labname.h names:
 *   labname_plugin_sock    REP: one request message, one multipart reply
 *   labname_plugin_events  PUB: events, two frames: topic, JSON object
 *
 * Every frame of a request or reply is one control message: an 8-byte
 * header (version, type, payload length; big-endian) and the payload.
 *   request    one frame; payload = arguments, each NUL-terminated
 *   reply      zero or more LGR_DATA frames (one JSON value each) and
 *              exactly one LGR_END (JSON object or empty), or exactly one
 *              LGR_ERROR (uint32 code, big-endian, then NUL-terminated
 *              text).  The codes are those of reply.h: REPLY_E_INTERNAL,
 *              REPLY_E_UNAVAILABLE (no OSPF instance), REPLY_E_NOTFOUND
 *              (no OSPF interface of that name), REPLY_E_DENIED,
 *              REPLY_E_BADMSG, REPLY_E_BADREQ, REPLY_E_BADARG.
 *
 * The functions below only encode and decode buffers: they never print,
 * keep no state, and report failures as -1 with errno set.
 */
#ifndef LGR_CTL_H
#define LGR_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/labname.h"	/* the socket paths */
#include "common/reply.h"	/* the error codes */

#define LGR_CTL_VERSION		1
#define LGR_HDR_LEN		8
#define LGR_MAX_PAYLOAD		(4u << 20)	/* 4 MiB: a large LSDB */
#define LGR_MAX_ARGS		64
#define LGR_MAX_ARGLEN		64

/* Requests, then replies.  Numbers are part of the protocol. */
enum lgr_type {
	LGR_DRAIN = 1,		/* args: IFNAME... */
	LGR_UNDRAIN = 2,	/* args: IFNAME... */
	LGR_STATE = 3,		/* data: one object per OSPF interface */
	LGR_ROUTES = 4,		/* data: one object per OSPF route */
	LGR_LSDB = 5,		/* data: one object per LSA */
	LGR_EVENTS = 6,		/* data: recent events, oldest first */
	LGR_DATA = 64,
	LGR_END = 65,
	LGR_ERROR = 66,
};

/* Event topics (first frame of every PUB message). */
#define LGR_EV_ISM	"ism"	/* interface state change */
#define LGR_EV_NSM	"nsm"	/* neighbour state change */
#define LGR_EV_LSA	"lsa"	/* LSA installed */
#define LGR_EV_SPF	"spf"	/* SPF run: route table diff */
#define LGR_EV_DRAIN	"drain"	/* drain state of an interface changed */

struct lgr_msg {
	uint16_t	 version;
	uint16_t	 type;
	const uint8_t	*payload;	/* points into the decoded buffer */
	size_t		 len;
};

/* ctl.c */
const char	*lgr_type_name(int type);
int		 lgr_type_is_request(int type);
/*
 * lgr_msg_encode: write header and payload into buf.  Returns the message
 * length, or -1 with errno EMSGSIZE (payload over LGR_MAX_PAYLOAD or buf
 * too small).
 */
ssize_t		 lgr_msg_encode(uint8_t *buf, size_t size, uint16_t type,
		    const void *payload, size_t len);
/*
 * lgr_msg_decode: parse one message.  Returns 0, or -1 with errno EBADMSG
 * (short or length mismatch), EPROTO (other version) or EPROTOTYPE (type
 * unknown).
 */
int		 lgr_msg_decode(const uint8_t *buf, size_t len,
		    struct lgr_msg *msg);
/*
 * lgr_args_encode: argv[0..argc-1] as NUL-terminated strings.  Returns the
 * length, or -1 with errno E2BIG (too many), ENAMETOOLONG (an argument over
 * LGR_MAX_ARGLEN), EINVAL (empty argument) or EMSGSIZE (buf too small).
 */
ssize_t		 lgr_args_encode(char *buf, size_t size, int argc,
		    const char *const argv[]);
/*
 * lgr_args_decode: split a payload into at most max arguments; argv points
 * into the payload.  Returns the count, or -1 with errno EBADMSG (not
 * NUL-terminated), EINVAL (empty argument), ENAMETOOLONG or E2BIG.
 */
int		 lgr_args_decode(const uint8_t *payload, size_t len,
		    const char **argv, int max);
/*
 * lgr_error_encode / lgr_error_decode: payload of LGR_ERROR.  Encode
 * truncates the text to fit; returns the length or -1 (EMSGSIZE).  Decode
 * returns 0 or -1 with errno EBADMSG.
 */
ssize_t		 lgr_error_encode(uint8_t *buf, size_t size, uint32_t code,
		    const char *text);
int		 lgr_error_decode(const uint8_t *payload, size_t len,
		    uint32_t *code, const char **text);

#endif
