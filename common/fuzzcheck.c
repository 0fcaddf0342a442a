/*
 * fuzzcheck.c: the decoders' properties for the fuzz targets
 * (fuzzcheck.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzzcheck.h"

#define CFIELD(rq, off, type)	((const type *)(const void *)( \
				    (const char *)(rq) + (off)))

void
fuzz_errtext_clear(void)
{
	msg_fail(0, "%s", "");
}

static int
fuzz_names_valid(const struct codec_arg *a, const void *rq)
{
	const char	*names = CFIELD(rq, a->off, char);
	size_t		 i, j, n = *CFIELD(rq, a->count_off, size_t);

	if (n > a->size || (n > 0 && !*CFIELD(rq, a->given_off, bool)))
		return -1;
	for (i = 0; i < n; i++) {
		if (!msg_name_valid(names + i * MSG_NAME_MAX) ||
		    names[i * MSG_NAME_MAX] == '\0')
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(names + i * MSG_NAME_MAX,
			    names + j * MSG_NAME_MAX) == 0)
				return -1;
	}
	return 0;
}

static size_t
fuzz_nchoices(const char *const *choices)
{
	size_t	n = 0;

	while (choices[n] != NULL)
		n++;
	return n;
}

/* One argument of an accepted request: 0 when it keeps its promise. */
static int
fuzz_arg_valid(const struct codec_arg *a, const void *rq)
{
	const char	*s = CFIELD(rq, a->off, char);
	uint64_t	 v;
	int		 ch;

	switch (a->type) {
	case CODEC_T_NAME:
		if (memchr(s, '\0', MSG_NAME_MAX) == NULL)
			return -1;
		return (s[0] == '\0' && !a->required) ||
		    (s[0] != '\0' && msg_name_valid(s)) ? 0 : -1;
	case CODEC_T_STR:
		return memchr(s, '\0', a->size) != NULL ? 0 : -1;
	case CODEC_T_U64:
		v = *CFIELD(rq, a->off, uint64_t);
		return (v == CODEC_UNSET && !a->required) ||
		    (v >= a->min && v <= a->max) ? 0 : -1;
	case CODEC_T_BOOL:
		return 0;
	case CODEC_T_CHOICE:
		ch = *CFIELD(rq, a->off, int);
		return ch >= 0 && (size_t)ch < fuzz_nchoices(a->choices) ?
		    0 : -1;
	case CODEC_T_NAMES:
		return fuzz_names_valid(a, rq);
	}
	return -1;
}

int
fuzz_codec_valid(const struct codec *c, const void *rq)
{
	int			 type = *CFIELD(rq, c->type_off, int);
	const struct codec_arg	*a;

	if (type < 0 || type >= c->nreqs || c->reqs[type].name == NULL)
		return -1;
	for (a = c->reqs[type].args; a != NULL && a->key != NULL; a++)
		if (fuzz_arg_valid(a, rq) == -1)
			return -1;
	return 0;
}

/* Encoded and decoded again, rq is the same: 0, or -1. */
static int
fuzz_round_trip(const struct codec *c, const void *rq)
{
	struct json_object	*o;
	const char		*s;
	size_t			 n;
	void			*back;
	int			 rc = -1;

	if ((back = calloc(1, c->size)) == NULL)
		return 0;	/* no memory: nothing to say */
	if ((o = codec_encode(c, rq)) != NULL) {
		s = json_object_to_json_string_length(o,
		    JSON_C_TO_STRING_PLAIN, &n);
		if (codec_decode(c, s, n, back) == 0 &&
		    memcmp(rq, back, c->size) == 0)
			rc = 0;
		json_object_put(o);
	}
	free(back);
	return rc;
}

void
fuzz_codec_check(const struct codec *c, int rc, const void *rq)
{
	if (rc == -1) {
		if (msg_errtext()[0] == '\0')
			abort();	/* a refusal without a reason */
		return;
	}
	if (fuzz_codec_valid(c, rq) == -1)
		abort();		/* accepted what the table forbids */
	if (fuzz_round_trip(c, rq) == -1)
		abort();		/* would not read back what it writes */
}

int
fuzz_codec_one(const struct codec *c, const uint8_t *data, size_t len,
    void *rq)
{
	int	rc;

	fuzz_errtext_clear();
	rc = codec_decode(c, data, len, rq);
	fuzz_codec_check(c, rc, rq);
	return rc;
}
