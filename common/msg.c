/*
 * msg.c: JSON messages over ZeroMQ (see msg.h).
 *
 * The text of the last decoding error is kept per thread (msg_errtext);
 * nothing else is kept between calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "msg.h"

static _Thread_local char	msg_err[160];

int
msg_fail(int err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg_err, sizeof(msg_err), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

const char *
msg_errtext(void)
{
	return msg_err;
}

struct json_object *
msg_parse(const void *buf, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if (len > MSG_MAX) {
		msg_fail(EMSGSIZE, "message of %zu bytes (at most %d)", len,
		    MSG_MAX);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(MSG_DEPTH)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o != NULL && (json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	if (o == NULL)
		msg_fail(EBADMSG, "message is not one JSON object");
	return o;
}

bool
msg_name_valid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= MSG_NAME_MAX - 1)
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	}
	return i > 0;
}

static int
msg_member(struct json_object *o, const char *key, bool required,
    json_type type, struct json_object **v)
{
	if (!json_object_object_get_ex(o, key, v) || *v == NULL) {
		if (required)
			return msg_fail(EINVAL, "\"%s\" is missing", key);
		return 1;
	}
	if (!json_object_is_type(*v, type))
		return msg_fail(EINVAL, "\"%s\" has the wrong type (%s wanted)",
		    key, json_type_to_name(type));
	return 0;
}

int
msg_get_str(struct json_object *o, const char *key, bool required, char *out,
    size_t len)
{
	struct json_object	*v;
	int			 rc;
	size_t			 n;

	if ((rc = msg_member(o, key, required, json_type_string, &v)) != 0)
		return rc;
	n = (size_t)json_object_get_string_len(v);
	if (n >= len || strlen(json_object_get_string(v)) != n)
		return msg_fail(EINVAL, "\"%s\" is too long (at most %zu)",
		    key, len - 1);
	memcpy(out, json_object_get_string(v), n + 1);
	return 0;
}

int
msg_get_name(struct json_object *o, const char *key, bool required, char *out)
{
	char	buf[MSG_NAME_MAX];
	int	rc;

	if ((rc = msg_get_str(o, key, required, buf, sizeof(buf))) != 0)
		return rc;
	if (!msg_name_valid(buf))
		return msg_fail(EINVAL, "\"%s\" is not a name ([A-Za-z0-9_-], "
		    "1-%d characters)", key, MSG_NAME_MAX - 1);
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

int
msg_get_u64(struct json_object *o, const char *key, bool required,
    uint64_t min, uint64_t max, uint64_t *out)
{
	struct json_object	*v;
	int64_t			 n;
	int			 rc;

	if ((rc = msg_member(o, key, required, json_type_int, &v)) != 0)
		return rc;
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return msg_fail(EINVAL, "\"%s\" out of range (%ju-%ju)", key,
		    (uintmax_t)min, (uintmax_t)max);
	*out = (uint64_t)n;
	return 0;
}

int
msg_get_bool(struct json_object *o, const char *key, bool required, bool *out)
{
	struct json_object	*v;
	int			 rc;

	if ((rc = msg_member(o, key, required, json_type_boolean, &v)) != 0)
		return rc;
	*out = json_object_get_boolean(v);
	return 0;
}

void
msg_put_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v != NULL ? json_object_new_string(v) :
	    NULL);
}

void
msg_put_i64(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void
msg_put_bool(struct json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

int
msg_send_json(void *sock, struct json_object *o, int flags)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	if (s == NULL)
		return -1;
	return zmq_send(sock, s, len, flags) == -1 ? -1 : 0;
}

int
msg_send_end(void *sock)
{
	static const char	end[] = "{\"end\":true}";

	return zmq_send(sock, end, sizeof(end) - 1, 0) == -1 ? -1 : 0;
}

int
msg_send_error(void *sock, int code, const char *fmt, ...)
{
	struct json_object	*o;
	char			 text[512];
	va_list			 ap;
	int			 rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if ((o = json_object_new_object()) == NULL)
		return -1;
	json_object_object_add(o, "error", json_object_new_int(code));
	json_object_object_add(o, "text", json_object_new_string(text));
	rc = msg_send_json(sock, o, 0);
	json_object_put(o);
	return rc;
}

struct json_object *
msg_recv_json(void *sock)
{
	struct json_object	*o;
	zmq_msg_t		 m;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, 0) == -1) {
		zmq_msg_close(&m);
		return NULL;
	}
	o = msg_parse(zmq_msg_data(&m), zmq_msg_size(&m));
	zmq_msg_close(&m);
	return o;
}

int
msg_terminator(struct json_object *o, int *code, const char **text)
{
	struct json_object	*v;

	if (json_object_object_get_ex(o, "end", &v))
		return 1;
	if (json_object_object_get_ex(o, "error", &v)) {
		*code = json_object_get_int(v);
		*text = json_object_object_get_ex(o, "text", &v) ?
		    json_object_get_string(v) : "";
		return -1;
	}
	return 0;
}

int
msg_recv_routed(void *sock, zmq_msg_t *id, zmq_msg_t *req)
{
	zmq_msg_t	extra;

	if (zmq_msg_recv(id, sock, ZMQ_DONTWAIT) == -1)
		return -1;
	if (!zmq_msg_more(id)) {
		errno = EBADMSG;
		return -1;
	}
	if (zmq_msg_recv(req, sock, 0) == -1)
		return -1;
	if (!zmq_msg_more(req))
		return 0;
	zmq_msg_init(&extra);
	do {
		if (zmq_msg_recv(&extra, sock, 0) == -1)
			break;
	} while (zmq_msg_more(&extra));
	zmq_msg_close(&extra);
	return 0;
}

int
msg_send_routed(void *sock, zmq_msg_t *id, struct json_object *o)
{
	zmq_msg_t	copy;

	zmq_msg_init(&copy);
	zmq_msg_copy(&copy, id);
	if (zmq_msg_send(&copy, sock, ZMQ_SNDMORE) == -1) {
		zmq_msg_close(&copy);
		return -1;
	}
	return msg_send_json(sock, o, 0);
}
