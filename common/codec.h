/*
 * codec.h: one table-driven codec for the JSON requests of every control
 * protocol (hvd, lgrd, guestagentd).
 *
 * A protocol describes each request as a row: its name, whether it
 * changes state (such requests need a role that may, and are audited),
 * and its arguments, each with a JSON key, a type, a range and the
 * offset of the field it fills in the protocol's request struct.  The
 * struct starts with nothing in particular; codec.type_off says where
 * its int request type lives.  Decoding and validation come from the
 * table; a daemon's dispatch is then a flat switch over the type.
 *
 *	static const struct codec_arg hv_args_where[] = {
 *		CODEC_NAME_ARG("guest", struct hv_request, guest, true),
 *		CODEC_END,
 *	};
 *
 * Wire form: {"req":"NAME", "key":value, ...}; a request carrying a key
 * its row does not list is refused.  Absent optional arguments leave
 * their field as codec_init() set it: numbers CODEC_UNSET, strings
 * empty, booleans false, choices 0, name lists empty.
 *
 * The functions return 0 or a pointer, or -1/NULL with errno (msg.h:
 * EMSGSIZE, EBADMSG, EINVAL; ENOSYS for a request name the table does
 * not have) and the reason in msg_errtext().
 */
#ifndef LGR_CODEC_H
#define LGR_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define CODEC_UNSET	UINT64_MAX	/* an optional number not given */

enum codec_type {
	CODEC_T_NAME,		/* char[MSG_NAME_MAX], msg_name_valid() */
	CODEC_T_STR,		/* char[size] */
	CODEC_T_U64,		/* uint64_t in [min, max] */
	CODEC_T_BOOL,		/* bool */
	CODEC_T_CHOICE,		/* int: index of the word in choices */
	CODEC_T_NAMES,		/* char[size][MSG_NAME_MAX], distinct names;
				   count (size_t) at count_off, "given"
				   (bool) at given_off */
};

struct codec_arg {
	const char		*key;		/* NULL ends a list */
	enum codec_type		 type;
	bool			 required;
	size_t			 off;
	size_t			 size;		/* STR: bytes; NAMES: names */
	uint64_t		 min, max;	/* U64 */
	const char *const	*choices;	/* CHOICE: NULL-terminated */
	size_t			 count_off;	/* NAMES */
	size_t			 given_off;	/* NAMES */
};

#define CODEC_NAME_ARG(k, st, f, req) \
	{ .key = (k), .type = CODEC_T_NAME, .required = (req), \
	  .off = offsetof(st, f) }
#define CODEC_STR_ARG(k, st, f, req) \
	{ .key = (k), .type = CODEC_T_STR, .required = (req), \
	  .off = offsetof(st, f), .size = sizeof(((st *)0)->f) }
#define CODEC_U64_ARG(k, st, f, req, lo, hi) \
	{ .key = (k), .type = CODEC_T_U64, .required = (req), \
	  .off = offsetof(st, f), .min = (lo), .max = (hi) }
#define CODEC_BOOL_ARG(k, st, f) \
	{ .key = (k), .type = CODEC_T_BOOL, .off = offsetof(st, f) }
#define CODEC_CHOICE_ARG(k, st, f, words) \
	{ .key = (k), .type = CODEC_T_CHOICE, .off = offsetof(st, f), \
	  .choices = (words) }
#define CODEC_NAMES_ARG(k, st, f, n, g) \
	{ .key = (k), .type = CODEC_T_NAMES, .off = offsetof(st, f), \
	  .size = sizeof(((st *)0)->f) / MSG_NAME_MAX, \
	  .count_off = offsetof(st, n), .given_off = offsetof(st, g) }
#define CODEC_END	{ .key = NULL }

struct codec_req {
	const char		*name;
	bool			 writes;	/* changes state: audited */
	const struct codec_arg	*args;		/* NULL: none */
};

struct codec {
	const char		*proto;		/* "hvd", for messages */
	const struct codec_req	*reqs;		/* indexed by request type */
	int			 nreqs;
	size_t			 size;		/* of the request struct */
	size_t			 type_off;	/* of its int type */
};

/* The row of a request type, or its name ("?" when out of range). */
const char	*codec_name(const struct codec *c, int type);
bool		 codec_writes(const struct codec *c, int type);
/* The type of a request name, -1 when unknown. */
int		 codec_find(const struct codec *c, const char *name);
/* Zero rq, set its type and the defaults of every argument. */
void		 codec_init(const struct codec *c, void *rq, int type);
/* rq as a new JSON object: arguments at their default are left out. */
struct json_object *codec_encode(const struct codec *c, const void *rq);
/* Decode and validate one request frame into rq. */
int		 codec_decode(const struct codec *c, const void *buf,
		    size_t len, void *rq);
#endif
