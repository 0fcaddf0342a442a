/*
 * etcdlease.c: leases (etcd.h): grant, keepalive once, revoke.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "etcdint.h"

int
etcd_lease_grant(struct etcd *e, int64_t ttl_s, int64_t *id, int64_t *granted)
{
	struct json_object	*ans, *err;
	int64_t			 ttl;
	int			 rc = 0;

	if (ttl_s <= 0)
		return etcd_err(e, EINVAL, "lease TTL must be > 0");
	if (etcd_request(e, "/v3/lease/grant", etcd_req_i64("TTL", ttl_s),
	    false, &ans) == -1)
		return -1;
	if (json_object_object_get_ex(ans, "error", &err) &&
	    json_object_get_string_len(err) > 0)
		rc = etcd_err(e, EIO, "%s: lease grant: %s",
		    etcd_node(e), json_object_get_string(err));
	else if (etcd_json_get_i64(ans, "ID", id) == -1 ||
	    etcd_json_get_i64(ans, "TTL", &ttl) == -1 || *id == 0 || ttl <= 0)
		rc = etcd_protocol(e, "lease grant");
	else if (granted != NULL)
		*granted = ttl;
	json_object_put(ans);
	return rc;
}

int64_t
etcd_lease_keepalive(struct etcd *e, int64_t id)
{
	struct json_object	*ans, *res;
	int64_t			 ttl;

	if (etcd_request(e, "/v3/lease/keepalive", etcd_req_i64("ID", id),
	    true, &ans) == -1)
		return -1;
	if (!json_object_object_get_ex(ans, "result", &res) ||
	    etcd_json_get_i64(res, "TTL", &ttl) == -1)
		ttl = etcd_protocol(e, "lease keepalive");
	else if (ttl <= 0)
		ttl = etcd_err(e, ENOENT, "lease %" PRId64
		    " not found (expired or revoked)", id);
	json_object_put(ans);
	return ttl;
}

/* etcd 3.4 serves /v3/lease/revoke and, for older clients, /v3/kv/lease/revoke. */
int
etcd_lease_revoke(struct etcd *e, int64_t id)
{
	struct json_object	*ans;

	if (etcd_request(e, "/v3/lease/revoke", etcd_req_i64("ID", id),
	    false, &ans) == -1)
		return -1;
	json_object_put(ans);
	return 0;
}
