/*
 * etcdjson.c: the gateway's JSON encoding (etcd.h): keys and values in
 * base64, 64-bit numbers as decimal strings, fields left out when zero
 * (proto3), errors in two shapes.  Everything an answer carries is
 * checked before use.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcdint.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
etcd_b64_encode(const void *p, size_t len)
{
	const unsigned char	*in = p;
	char			*out, *o;
	size_t			 i;
	uint32_t		 v;

	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = b64_alphabet[v >> 6 & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int
b64_value(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64_alphabet, c)) == NULL)
		return -1;
	return (int)(p - b64_alphabet);
}

/*
 * Decode s (padded base64) into a new buffer, NUL-terminated after *len
 * bytes.  Returns 0, or -1 with errno EPROTO (not base64) or ENOMEM.
 */
int
etcd_b64_decode(const char *s, char **out, size_t *len)
{
	size_t		 n = strlen(s), i, pad = 0;
	unsigned char	*o;
	uint32_t	 v;
	int		 d, k;

	if (n % 4 != 0) {
		errno = EPROTO;
		return -1;
	}
	if (n > 0 && s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	if ((o = malloc(n / 4 * 3 + 1)) == NULL)
		return -1;
	*out = (char *)o;
	*len = n / 4 * 3 - pad;
	for (i = 0; i < n; i += 4) {
		v = 0;
		for (k = 0; k < 4; k++) {
			d = i + (size_t)k >= n - pad ? 0 : b64_value(s[i + k]);
			if (d < 0) {
				free(*out);
				*out = NULL;
				errno = EPROTO;
				return -1;
			}
			v = v << 6 | (uint32_t)d;
		}
		*o++ = (unsigned char)(v >> 16);
		*o++ = (unsigned char)(v >> 8);
		*o++ = (unsigned char)v;
	}
	(*out)[*len] = '\0';
	return 0;
}

struct json_object *
etcd_json_b64(const void *p, size_t len)
{
	struct json_object	*o;
	char			*s;

	if ((s = etcd_b64_encode(p, len)) == NULL)
		return NULL;
	o = json_object_new_string(s);
	free(s);
	return o;
}

struct json_object *
etcd_json_i64(int64_t v)
{
	char	buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return json_object_new_string(buf);
}

/* Add v (consumed, NULL: out of memory) to o.  Returns 0 or -1 ENOMEM. */
int
etcd_json_add(struct json_object *o, const char *name, struct json_object *v)
{
	if (v == NULL || json_object_object_add(o, name, v) != 0) {
		json_object_put(v);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * A 64-bit number, as a decimal string or a JSON integer; 0 when absent.
 * Returns 0, or -1 with errno EPROTO.
 */
int
etcd_json_get_i64(struct json_object *o, const char *name, int64_t *v)
{
	struct json_object	*f;
	const char		*s;
	char			*end;
	long long		 n;

	*v = 0;
	if (o == NULL || !json_object_object_get_ex(o, name, &f))
		return 0;
	if (json_object_is_type(f, json_type_int)) {
		*v = json_object_get_int64(f);
		return 0;
	}
	if (!json_object_is_type(f, json_type_string))
		goto bad;
	s = json_object_get_string(f);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		goto bad;
	*v = n;
	return 0;
bad:
	errno = EPROTO;
	return -1;
}

int
etcd_json_get_bool(struct json_object *o, const char *name, bool *v)
{
	struct json_object	*f;

	*v = false;
	if (o == NULL || !json_object_object_get_ex(o, name, &f))
		return 0;
	if (!json_object_is_type(f, json_type_boolean)) {
		errno = EPROTO;
		return -1;
	}
	*v = json_object_get_boolean(f);
	return 0;
}

/* The store revision of an answer's header.  Returns 0 or -1 EPROTO. */
int
etcd_json_revision(struct json_object *o, int64_t *rev)
{
	struct json_object	*h;

	if (!json_object_object_get_ex(o, "header", &h) ||
	    !json_object_is_type(h, json_type_object)) {
		errno = EPROTO;
		return -1;
	}
	return etcd_json_get_i64(h, "revision", rev);
}

static int
json_get_b64(struct json_object *o, const char *name, char **out,
    size_t *len)
{
	struct json_object	*f;

	if (!json_object_object_get_ex(o, name, &f))
		return etcd_b64_decode("", out, len);
	if (!json_object_is_type(f, json_type_string)) {
		errno = EPROTO;
		return -1;
	}
	return etcd_b64_decode(json_object_get_string(f), out, len);
}

/*
 * One mvccpb.KeyValue into kv (etcd_kv_free).  The key must be a
 * non-empty string without NUL.  Returns 0 or -1 (EPROTO, ENOMEM).
 */
int
etcd_json_kv(struct json_object *o, struct etcd_kv *kv)
{
	size_t	keylen;

	memset(kv, 0, sizeof(*kv));
	if (!json_object_is_type(o, json_type_object))
		goto bad;
	if (json_get_b64(o, "key", &kv->key, &keylen) == -1)
		return -1;
	if (keylen == 0 || strlen(kv->key) != keylen)
		goto bad;
	if (json_get_b64(o, "value", &kv->value, &kv->valuelen) == -1 ||
	    etcd_json_get_i64(o, "create_revision", &kv->create_revision) ||
	    etcd_json_get_i64(o, "mod_revision", &kv->mod_revision) ||
	    etcd_json_get_i64(o, "version", &kv->version) ||
	    etcd_json_get_i64(o, "lease", &kv->lease))
		goto fail;
	return 0;
bad:
	errno = EPROTO;
fail:
	etcd_kv_free(kv);
	return -1;
}

/*
 * The error an answer carries, if any: {"error":"...","code":N} from a
 * unary call, {"error":{"grpc_code":N,"message":"..."}} from a stream.
 * Returns 1 with *code and *msg (owned by o), 0 when there is none.
 */
int
etcd_json_error(struct json_object *o, int64_t *code, const char **msg)
{
	struct json_object	*err, *m;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "error", &err))
		return 0;
	*msg = "error without a message";
	*code = 2;	/* UNKNOWN */
	if (json_object_is_type(err, json_type_string)) {
		*msg = json_object_get_string(err);
		if (etcd_json_get_i64(o, "code", code) == -1)
			*code = 2;
		return 1;
	}
	if (json_object_is_type(err, json_type_object)) {
		if (json_object_object_get_ex(err, "message", &m) &&
		    json_object_is_type(m, json_type_string))
			*msg = json_object_get_string(m);
		if (etcd_json_get_i64(err, "grpc_code", code) == -1)
			*code = 2;
	}
	return 1;
}

/*
 * The range of keys under prefix: [key, end).  The end is the prefix with
 * its last byte below 0xff raised by one; "" (or all 0xff) reaches to the
 * end of the keyspace, which etcd spells "\0".  Returns 0 or -1 ENOMEM.
 */
int
etcd_range_end(const char *prefix, char **key, size_t *keylen, char **end,
    size_t *endlen)
{
	size_t	n = strlen(prefix);

	*key = strdup(n > 0 ? prefix : "");
	*end = strdup(prefix);
	if (*key == NULL || *end == NULL) {
		free(*key);
		free(*end);
		return -1;
	}
	*keylen = n > 0 ? n : 1;	/* "\0": from the first key */
	while (n > 0 && (unsigned char)(*end)[n - 1] == 0xff)
		n--;
	if (n == 0) {
		(*end)[0] = '\0';
		*endlen = 1;
		return 0;
	}
	(*end)[n - 1] = (char)((unsigned char)(*end)[n - 1] + 1);
	*endlen = n;
	return 0;
}
