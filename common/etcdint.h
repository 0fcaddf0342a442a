/*
 * etcdint.h: what the files of lgretcd share and callers never see.
 */
#ifndef LGR_ETCDINT_H
#define LGR_ETCDINT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "etcd.h"

#define ETCD_NODES_MAX		16
#define ETCD_URL_MAX		256
#define ETCD_BODY_MAX		(64u << 20)	/* the largest answer taken */
#define ETCD_BACKOFF_MS		100	/* between two rounds of the nodes */

/* The nodes of a cluster, as base URLs without a trailing slash. */
struct etcd_nodes {
	char	 url[ETCD_NODES_MAX][ETCD_URL_MAX];
	size_t	 n;
};

/* An answer being received. */
struct etcd_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	bool	 over;	/* more than ETCD_BODY_MAX: dropped */
};

/* etcd.c */
int		 etcd_fail(char *errtext, int err, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
int		 etcd_vfail(char *errtext, int err, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));
int		 etcd_err(struct etcd *e, int err, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
const struct etcd_nodes *etcd_nodes(const struct etcd *e);
struct curl_slist *etcd_headers(void);
size_t		 etcd_buf_write(char *p, size_t size, size_t n, void *arg);
void		 etcd_buf_reset(struct etcd_buf *b);
void		 etcd_buf_free(struct etcd_buf *b);
int		 etcd_errno_grpc(int64_t code);
int		 etcd_request(struct etcd *e, const char *path,
		    struct json_object *req, bool readonly,
		    struct json_object **out);
struct json_object *etcd_req_key(const char *key, size_t keylen,
		    const char *end, size_t endlen);
struct json_object *etcd_req_i64(const char *name, int64_t v);
int		 etcd_bad_key(struct etcd *e, const char *key);
int		 etcd_protocol(struct etcd *e, const char *what);

/* etcdjson.c */
char		*etcd_b64_encode(const void *p, size_t len);
int		 etcd_b64_decode(const char *s, char **out, size_t *len);
struct json_object *etcd_json_b64(const void *p, size_t len);
struct json_object *etcd_json_i64(int64_t v);
int		 etcd_json_add(struct json_object *o, const char *name,
		    struct json_object *v);
int		 etcd_json_get_i64(struct json_object *o, const char *name,
		    int64_t *v);
int		 etcd_json_get_bool(struct json_object *o, const char *name,
		    bool *v);
int		 etcd_json_revision(struct json_object *o, int64_t *rev);
int		 etcd_json_kv(struct json_object *o, struct etcd_kv *kv);
int		 etcd_json_error(struct json_object *o, int64_t *code,
		    const char **msg);
int		 etcd_range_end(const char *prefix, char **key, size_t *keylen,
		    char **end, size_t *endlen);

#endif
