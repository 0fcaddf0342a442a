/*
 * codec.c: the table-driven request codec (codec.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"

#define FIELD(rq, off, type)	((type *)(void *)((char *)(rq) + (off)))
#define CFIELD(rq, off, type)	((const type *)(const void *)( \
				    (const char *)(rq) + (off)))

static const struct codec_req *
codec_row(const struct codec *c, int type)
{
	return type >= 0 && type < c->nreqs ? &c->reqs[type] : NULL;
}

const char *
codec_name(const struct codec *c, int type)
{
	const struct codec_req	*r = codec_row(c, type);

	return r != NULL ? r->name : "?";
}

bool
codec_writes(const struct codec *c, int type)
{
	const struct codec_req	*r = codec_row(c, type);

	return r != NULL && r->writes;
}

int
codec_find(const struct codec *c, const char *name)
{
	int	i;

	for (i = 0; i < c->nreqs; i++)
		if (c->reqs[i].name != NULL && strcmp(c->reqs[i].name, name) ==
		    0)
			return i;
	return -1;
}

void
codec_init(const struct codec *c, void *rq, int type)
{
	const struct codec_req	*r = codec_row(c, type);
	const struct codec_arg	*a;

	memset(rq, 0, c->size);
	*FIELD(rq, c->type_off, int) = type;
	for (a = r != NULL ? r->args : NULL; a != NULL && a->key != NULL; a++)
		if (a->type == CODEC_T_U64)
			*FIELD(rq, a->off, uint64_t) = CODEC_UNSET;
}

static struct json_object *
codec_encode_names(const struct codec_arg *a, const void *rq)
{
	struct json_object	*arr;
	size_t			 i, n = *CFIELD(rq, a->count_off, size_t);
	const char		*names = CFIELD(rq, a->off, char);

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n && i < a->size; i++)
		json_object_array_add(arr, json_object_new_string(names +
		    i * MSG_NAME_MAX));
	return arr;
}

/* The JSON value of one argument, NULL when it is at its default. */
static struct json_object *
codec_encode_arg(const struct codec_arg *a, const void *rq)
{
	const char	*s;
	uint64_t	 v;
	int		 ch;

	switch (a->type) {
	case CODEC_T_NAME:
	case CODEC_T_STR:
		s = CFIELD(rq, a->off, char);
		return s[0] != '\0' ? json_object_new_string(s) : NULL;
	case CODEC_T_U64:
		v = *CFIELD(rq, a->off, uint64_t);
		return v != CODEC_UNSET ? json_object_new_int64((int64_t)v) :
		    NULL;
	case CODEC_T_BOOL:
		return *CFIELD(rq, a->off, bool) ?
		    json_object_new_boolean(1) : NULL;
	case CODEC_T_CHOICE:
		ch = *CFIELD(rq, a->off, int);
		return ch > 0 ? json_object_new_string(a->choices[ch]) : NULL;
	case CODEC_T_NAMES:
		return *CFIELD(rq, a->given_off, bool) ?
		    codec_encode_names(a, rq) : NULL;
	}
	return NULL;
}

struct json_object *
codec_encode(const struct codec *c, const void *rq)
{
	int			 type = *CFIELD(rq, c->type_off, int);
	const struct codec_req	*r = codec_row(c, type);
	const struct codec_arg	*a;
	struct json_object	*o, *v;

	if (r == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "req", json_object_new_string(r->name));
	for (a = r->args; a != NULL && a->key != NULL; a++)
		if ((v = codec_encode_arg(a, rq)) != NULL)
			json_object_object_add(o, a->key, v);
	return o;
}

static int
codec_decode_choice(const struct codec_arg *a, struct json_object *o,
    void *rq)
{
	char	word[MSG_NAME_MAX], list[256];
	size_t	i, n = 0;
	int	rc;

	if ((rc = msg_get_str(o, a->key, a->required, word, sizeof(word))) !=
	    0)
		word[0] = '\0';
	if (rc == 1)
		return 0;
	for (i = 0; rc == 0 && a->choices[i] != NULL; i++)
		if (strcmp(a->choices[i], word) == 0) {
			*FIELD(rq, a->off, int) = (int)i;
			return 0;
		}
	list[0] = '\0';
	for (i = 0; a->choices[i] != NULL && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i > 0 ? ", " : "", a->choices[i]);
	return msg_fail(EINVAL, "\"%s\" must be one of %s", a->key, list);
}

static int
codec_decode_names(const struct codec_arg *a, struct json_object *o,
    void *rq)
{
	struct json_object	*arr, *v;
	char			*names = FIELD(rq, a->off, char);
	size_t			 i, j, n;

	if (!json_object_object_get_ex(o, a->key, &arr) || arr == NULL)
		return a->required ? msg_fail(EINVAL, "\"%s\" is missing",
		    a->key) : 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > a->size)
		return msg_fail(EINVAL, "\"%s\" is not an array of at most %zu "
		    "names", a->key, a->size);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v) ||
		    !msg_name_valid(json_object_get_string(v)))
			return msg_fail(EINVAL, "\"%s\" element %zu is not a "
			    "name ([A-Za-z0-9_-], 1-%d characters)", a->key, i,
			    MSG_NAME_MAX - 1);
		memcpy(names + i * MSG_NAME_MAX, json_object_get_string(v),
		    strlen(json_object_get_string(v)) + 1);
		for (j = 0; j < i; j++)
			if (strcmp(names + i * MSG_NAME_MAX,
			    names + j * MSG_NAME_MAX) == 0)
				return msg_fail(EINVAL, "\"%s\" names %s twice",
				    a->key, names + i * MSG_NAME_MAX);
	}
	*FIELD(rq, a->count_off, size_t) = n;
	*FIELD(rq, a->given_off, bool) = true;
	return 0;
}

static int
codec_decode_arg(const struct codec_arg *a, struct json_object *o, void *rq)
{
	switch (a->type) {
	case CODEC_T_NAME:
		return msg_get_name(o, a->key, a->required,
		    FIELD(rq, a->off, char));
	case CODEC_T_STR:
		return msg_get_str(o, a->key, a->required,
		    FIELD(rq, a->off, char), a->size);
	case CODEC_T_U64:
		return msg_get_u64(o, a->key, a->required, a->min, a->max,
		    FIELD(rq, a->off, uint64_t));
	case CODEC_T_BOOL:
		return msg_get_bool(o, a->key, a->required,
		    FIELD(rq, a->off, bool));
	case CODEC_T_CHOICE:
		return codec_decode_choice(a, o, rq);
	case CODEC_T_NAMES:
		return codec_decode_names(a, o, rq);
	}
	return msg_fail(EINVAL, "\"%s\": bad table", a->key);
}

/* Every member of o is "req" or an argument of r. */
static int
codec_check_members(const struct codec_req *r, struct json_object *o)
{
	const struct codec_arg	*a;

	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "req") == 0)
			continue;
		for (a = r->args; a != NULL && a->key != NULL; a++)
			if (strcmp(a->key, key) == 0)
				break;
		if (a == NULL || a->key == NULL)
			return msg_fail(EINVAL, "\"%.60s\" is not an argument "
			    "of %s", key, r->name);
	}
	return 0;
}

int
codec_decode(const struct codec *c, const void *buf, size_t len, void *rq)
{
	struct json_object	*o;
	const struct codec_arg	*a;
	char			 name[MSG_NAME_MAX];
	int			 type, rc = -1;

	if ((o = msg_parse(buf, len)) == NULL)
		return -1;
	if (msg_get_name(o, "req", true, name) != 0)
		goto out;
	if ((type = codec_find(c, name)) == -1) {
		msg_fail(ENOSYS, "\"%s\" is not a request of %s", name,
		    c->proto);
		goto out;
	}
	codec_init(c, rq, type);
	if (codec_check_members(&c->reqs[type], o) == -1)
		goto out;
	for (a = c->reqs[type].args; a != NULL && a->key != NULL; a++)
		if (codec_decode_arg(a, o, rq) == -1)
			goto out;
	rc = 0;
out:
	json_object_put(o);
	return rc;
}
