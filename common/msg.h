/*
 * msg.h: JSON messages over ZeroMQ, shared by every daemon and CLI.
 *
 * A request is one frame holding one JSON object with a "req" member.
 * The answer is zero or more data frames, each a JSON object, then
 * exactly one terminator: {"end":true} or {"error":CODE,"text":"..."}
 * (BIRD's reply codes).  On a ROUTER socket every frame is preceded by
 * the peer's routing id.
 *
 * Decoders validate before use: size, nesting depth, member types and
 * ranges.  Functions return 0 or a pointer, or -1/NULL with errno set:
 * EMSGSIZE (too large), EBADMSG (not a JSON object), EINVAL (a member is
 * missing, of the wrong type or out of range; msg_errtext() tells which).
 */
#ifndef LGR_MSG_H
#define LGR_MSG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#define MSG_MAX		(256 * 1024)	/* largest JSON frame */
#define MSG_DEPTH	8		/* deepest nesting accepted */
#define MSG_NAME_MAX	32		/* names: [A-Za-z0-9_-]{1,31} */

/* Decoding. */
struct json_object	*msg_parse(const void *buf, size_t len);
bool			 msg_name_valid(const char *s);
const char		*msg_errtext(void);
/* Set the error text and errno for a decoder built on these; returns -1. */
int			 msg_fail(int err, const char *fmt, ...)
			    __attribute__((format(printf, 2, 3)));

/*
 * Typed members.  Each returns 0 when present and valid, 1 when absent
 * and optional (out untouched), -1 (EINVAL) otherwise.
 */
int	msg_get_name(struct json_object *o, const char *key, bool required,
	    char *out);
int	msg_get_str(struct json_object *o, const char *key, bool required,
	    char *out, size_t len);
int	msg_get_u64(struct json_object *o, const char *key, bool required,
	    uint64_t min, uint64_t max, uint64_t *out);
int	msg_get_bool(struct json_object *o, const char *key, bool required,
	    bool *out);

/* Members set (replaced) in o; a NULL string is null. */
void	msg_put_str(struct json_object *o, const char *key, const char *v);
void	msg_put_i64(struct json_object *o, const char *key, int64_t v);
void	msg_put_bool(struct json_object *o, const char *key, bool v);

/* Sending and receiving frames.  flags: ZMQ_SNDMORE or 0. */
int	msg_send_json(void *sock, struct json_object *o, int flags);
int	msg_send_end(void *sock);
int	msg_send_error(void *sock, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * On a ROUTER socket, one request without waiting: the peer's routing id
 * into id and the request frame into req (both initialised by the
 * caller); frames after the request are dropped.  0, or -1 with errno
 * (EAGAIN: nothing waiting; EBADMSG: a routing id without a request).
 */
int	msg_recv_routed(void *sock, zmq_msg_t *id, zmq_msg_t *req);
/* Send one JSON frame to the peer with that routing id (ROUTER). */
int	msg_send_routed(void *sock, zmq_msg_t *id, struct json_object *o);
/* Receive one frame and parse it; NULL with errno (EAGAIN: timeout). */
struct json_object	*msg_recv_json(void *sock);

/* Terminators: 1 for {"end":true}, 0 for data, -1 for an error frame. */
int	msg_terminator(struct json_object *o, int *code, const char **text);

#endif
