/*
 * etcdkv.c: keys and values, and transactions (etcd.h): range, put,
 * deleterange, compaction, txn.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "etcdint.h"

int
etcd_get(struct etcd *e, const char *key, struct etcd_kv *kv)
{
	struct json_object	*ans, *kvs;
	int			 rc = 0;

	memset(kv, 0, sizeof(*kv));
	if (etcd_bad_key(e, key) == -1 || etcd_request(e, "/v3/kv/range",
	    etcd_req_key(key, strlen(key), NULL, 0), true, &ans) == -1)
		return -1;
	if (json_object_object_get_ex(ans, "kvs", &kvs)) {
		if (!json_object_is_type(kvs, json_type_array) ||
		    json_object_array_length(kvs) != 1 ||
		    etcd_json_kv(json_object_array_get_idx(kvs, 0), kv) == -1)
			rc = etcd_protocol(e, "range");
		else if (strcmp(kv->key, key) != 0) {
			etcd_kv_free(kv);
			rc = etcd_protocol(e, "range");
		} else
			rc = 1;
	}
	json_object_put(ans);
	return rc;
}

static int
etcd_kvs_parse(struct etcd *e, struct json_object *ans, struct etcd_kvs *kvs)
{
	struct json_object	*arr;
	size_t			 i, n;

	if (etcd_json_revision(ans, &kvs->revision) == -1)
		return etcd_protocol(e, "range");
	if (!json_object_object_get_ex(ans, "kvs", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return etcd_protocol(e, "range");
	n = json_object_array_length(arr);
	if ((kvs->kv = calloc(n ? n : 1, sizeof(*kvs->kv))) == NULL)
		return etcd_err(e, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (etcd_json_kv(json_object_array_get_idx(arr, i),
		    &kvs->kv[i]) == -1)
			return etcd_protocol(e, "range");
		kvs->n++;
	}
	return 0;
}

int
etcd_get_prefix(struct etcd *e, const char *prefix, struct etcd_kvs *kvs)
{
	struct json_object	*req, *ans;
	char			*key, *end;
	size_t			 keylen, endlen;
	int			 rc;

	memset(kvs, 0, sizeof(*kvs));
	if (etcd_range_end(prefix, &key, &keylen, &end, &endlen) == -1)
		return etcd_err(e, ENOMEM, "out of memory");
	req = etcd_req_key(key, keylen, end, endlen);
	free(key);
	free(end);
	if (req != NULL && (etcd_json_add(req, "sort_order",
	    json_object_new_string("ASCEND")) == -1 ||
	    etcd_json_add(req, "sort_target",
	    json_object_new_string("KEY")) == -1)) {
		json_object_put(req);
		req = NULL;
	}
	if (etcd_request(e, "/v3/kv/range", req, true, &ans) == -1)
		return -1;
	if ((rc = etcd_kvs_parse(e, ans, kvs)) == -1)
		etcd_kvs_free(kvs);
	json_object_put(ans);
	return rc;
}

void
etcd_kv_free(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

void
etcd_kvs_free(struct etcd_kvs *kvs)
{
	size_t	i;

	for (i = 0; i < kvs->n; i++)
		etcd_kv_free(&kvs->kv[i]);
	free(kvs->kv);
	memset(kvs, 0, sizeof(*kvs));
}

/* A PutRequest: key, value, lease. */
static struct json_object *
etcd_req_put(const char *key, const void *value, size_t len, int64_t lease)
{
	struct json_object	*o;

	if ((o = etcd_req_key(key, strlen(key), NULL, 0)) == NULL)
		return NULL;
	if (etcd_json_add(o, "value", etcd_json_b64(value, len)) == -1 ||
	    (lease != 0 &&
	    etcd_json_add(o, "lease", etcd_json_i64(lease)) == -1)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A DeleteRangeRequest for key, or every key under it. */
static struct json_object *
etcd_req_delete(const char *key, bool prefix)
{
	struct json_object	*o;
	char			*k, *end;
	size_t			 klen, endlen;

	if (!prefix)
		return etcd_req_key(key, strlen(key), NULL, 0);
	if (etcd_range_end(key, &k, &klen, &end, &endlen) == -1)
		return NULL;
	o = etcd_req_key(k, klen, end, endlen);
	free(k);
	free(end);
	return o;
}

int
etcd_put(struct etcd *e, const char *key, const void *value, size_t len,
    int64_t lease, int64_t *revision)
{
	struct json_object	*ans;
	int64_t			 rev;
	int			 rc = 0;

	if (etcd_bad_key(e, key) == -1 || etcd_request(e, "/v3/kv/put",
	    etcd_req_put(key, value, len, lease), false, &ans) == -1)
		return -1;
	if (etcd_json_revision(ans, &rev) == -1)
		rc = etcd_protocol(e, "put");
	else if (revision != NULL)
		*revision = rev;
	json_object_put(ans);
	return rc;
}

static int64_t
etcd_delete_range(struct etcd *e, const char *key, bool prefix,
    int64_t *revision)
{
	struct json_object	*ans;
	int64_t			 rev, n;

	if ((!prefix && etcd_bad_key(e, key) == -1) ||
	    etcd_request(e, "/v3/kv/deleterange", etcd_req_delete(key, prefix),
	    false, &ans) == -1)
		return -1;
	if (etcd_json_revision(ans, &rev) == -1 ||
	    etcd_json_get_i64(ans, "deleted", &n) == -1 || n < 0)
		n = etcd_protocol(e, "deleterange");
	else if (revision != NULL)
		*revision = rev;
	json_object_put(ans);
	return n;
}

int64_t
etcd_delete(struct etcd *e, const char *key, int64_t *revision)
{
	return etcd_delete_range(e, key, false, revision);
}

int64_t
etcd_delete_prefix(struct etcd *e, const char *prefix, int64_t *revision)
{
	return etcd_delete_range(e, prefix, true, revision);
}

int
etcd_compact(struct etcd *e, int64_t revision)
{
	struct json_object	*ans;

	if (etcd_request(e, "/v3/kv/compaction",
	    etcd_req_i64("revision", revision), false, &ans) == -1)
		return -1;
	json_object_put(ans);
	return 0;
}

/* A Compare: mod_ or create_revision == N; create_revision == 0 (absent). */
static struct json_object *
etcd_req_cmp(const struct etcd_cmp *c)
{
	struct json_object	*o;
	bool			 create;

	create = c->revision == 0 || c->target == ETCD_CMP_CREATE;
	if ((o = etcd_req_key(c->key, strlen(c->key), NULL, 0)) == NULL)
		return NULL;
	if (etcd_json_add(o, "result", json_object_new_string("EQUAL")) ||
	    etcd_json_add(o, "target",
	    json_object_new_string(create ? "CREATE" : "MOD")) ||
	    etcd_json_add(o, create ? "create_revision" : "mod_revision",
	    etcd_json_i64(c->revision))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A RequestOp: {"request_put":{...}} or {"request_delete_range":{...}}. */
static struct json_object *
etcd_req_op(const struct etcd_op *op)
{
	struct json_object	*o, *r;

	if (op->type == ETCD_OP_PUT)
		r = etcd_req_put(op->key, op->value, op->len, op->lease);
	else
		r = etcd_req_delete(op->key, op->type == ETCD_OP_DELETE_PREFIX);
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(r);
		return NULL;
	}
	if (etcd_json_add(o, op->type == ETCD_OP_PUT ? "request_put" :
	    "request_delete_range", r) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int
etcd_txn_check(struct etcd *e, const struct etcd_cmp *cmp, size_t ncmp,
    const struct etcd_op *op, size_t nop)
{
	size_t	i;

	if (ncmp > 64 || nop > 128)
		return etcd_err(e, EINVAL,
		    "transaction too large (64 comparisons, 128 ops)");
	for (i = 0; i < ncmp; i++)
		if (etcd_bad_key(e, cmp[i].key) == -1 ||
		    cmp[i].revision < 0 || cmp[i].target > ETCD_CMP_CREATE)
			return etcd_err(e, EINVAL,
			    "comparison %zu: bad key or revision", i);
	for (i = 0; i < nop; i++)
		if (op[i].type > ETCD_OP_DELETE_PREFIX || op[i].key == NULL ||
		    (op[i].type != ETCD_OP_DELETE_PREFIX &&
		    op[i].key[0] == '\0'))
			return etcd_err(e, EINVAL,
			    "op %zu: bad type or key", i);
	return 0;
}

static struct json_object *
etcd_req_txn(const struct etcd_cmp *cmp, size_t ncmp,
    const struct etcd_op *op, size_t nop)
{
	struct json_object	*o, *c, *s, *x;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (etcd_json_add(o, "compare", c = json_object_new_array()) == -1 ||
	    etcd_json_add(o, "success", s = json_object_new_array()) == -1)
		goto fail;
	for (i = 0; i < ncmp + nop; i++) {
		x = i < ncmp ? etcd_req_cmp(&cmp[i]) :
		    etcd_req_op(&op[i - ncmp]);
		if (x == NULL || json_object_array_add(i < ncmp ? c : s, x)) {
			json_object_put(x);
			goto fail;
		}
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

int
etcd_txn(struct etcd *e, const struct etcd_cmp *cmp, size_t ncmp,
    const struct etcd_op *op, size_t nop, int64_t *revision)
{
	struct json_object	*ans;
	int64_t			 rev;
	bool			 ok;
	int			 rc;

	if (etcd_txn_check(e, cmp, ncmp, op, nop) == -1 ||
	    etcd_request(e, "/v3/kv/txn", etcd_req_txn(cmp, ncmp, op, nop),
	    false, &ans) == -1)
		return -1;
	if (etcd_json_revision(ans, &rev) == -1 ||
	    etcd_json_get_bool(ans, "succeeded", &ok) == -1)
		rc = etcd_protocol(e, "txn");
	else {
		rc = ok;
		if (revision != NULL)
			*revision = rev;
	}
	json_object_put(ans);
	return rc;
}
