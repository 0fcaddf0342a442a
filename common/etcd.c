/*
 * etcd.c: the client (etcd.h): its nodes, one request with its deadline
 * and fail-over, errors; the helpers of the calls in etcdkv.c and
 * etcdlease.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "etcdint.h"

#define ETCD_PROBE_MS	250	/* kept back to ask a silent node why */
#define ETCD_CONNECT_MS	1000	/* for one node to accept a connection */
#define ETCD_READ_MS	300	/* the least a read gives one node */

#define ETCD_SEEN_NOLEADER	0x1	/* in a call: a node had no leader */
#define ETCD_SEEN_TIMEOUT	0x2	/* a node took a read, never answered */

/* How one attempt on one node ended. */
enum etcd_result {
	ETCD_R_OK,
	ETCD_R_UNREACHED,	/* not sent: no connection */
	ETCD_R_NOLEADER,	/* refused by a node without a leader */
	ETCD_R_BROKEN,		/* sent, then the connection broke */
	ETCD_R_TIMEOUT,		/* sent, no answer within the time */
	ETCD_R_ERROR,		/* etcd answered with an error: final */
};

struct etcd {
	struct etcd_nodes	 nodes;
	size_t			 cur;	/* the node to try first */
	unsigned		 timeout_ms;
	CURL			*curl;
	struct curl_slist	*hdrs;
	struct etcd_buf		 buf;
	char			 why[ETCD_NODES_MAX][96];
	char			 errtext[ETCD_ERRTEXT_MAX];
};

/* libcurl wants curl_global_init once per process, before any thread. */
static pthread_once_t	etcd_once = PTHREAD_ONCE_INIT;
static CURLcode		etcd_once_rc = CURLE_FAILED_INIT;

static void
etcd_init_once(void)
{
	etcd_once_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
etcd_init(void)
{
	pthread_once(&etcd_once, etcd_init_once);
	if (etcd_once_rc != CURLE_OK) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
etcd_vfail(char *errtext, int err, const char *fmt, va_list ap)
{
	vsnprintf(errtext, ETCD_ERRTEXT_MAX, fmt, ap);
	errno = err;
	return -1;
}

int
etcd_fail(char *errtext, int err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	etcd_vfail(errtext, err, fmt, ap);
	va_end(ap);
	return -1;
}

/* The call of e failed: its text and errno. */
int
etcd_err(struct etcd *e, int err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	etcd_vfail(e->errtext, err, fmt, ap);
	va_end(ap);
	return -1;
}

/* The errno for a gRPC status code etcd answers with. */
int
etcd_errno_grpc(int64_t code)
{
	switch (code) {
	case 3:		/* INVALID_ARGUMENT */
	case 9:		/* FAILED_PRECONDITION */
		return EINVAL;
	case 4:		/* DEADLINE_EXCEEDED */
		return ETIMEDOUT;
	case 5:		/* NOT_FOUND */
		return ENOENT;
	case 6:		/* ALREADY_EXISTS */
		return EEXIST;
	case 7:		/* PERMISSION_DENIED */
	case 16:	/* UNAUTHENTICATED */
		return EACCES;
	case 8:		/* RESOURCE_EXHAUSTED */
		return ENOSPC;
	case 11:	/* OUT_OF_RANGE */
		return ERANGE;
	case 12:	/* UNIMPLEMENTED */
		return ENOSYS;
	case 14:	/* UNAVAILABLE */
		return EAGAIN;
	default:
		return EIO;
	}
}

size_t
etcd_buf_write(char *p, size_t size, size_t n, void *arg)
{
	struct etcd_buf	*b = arg;
	size_t		 len = size * n, cap;
	char		*q;

	if (b->len + len + 1 > ETCD_BODY_MAX) {
		b->over = true;
		return 0;
	}
	if (b->len + len + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len + 1)
			cap *= 2;
		if ((q = realloc(b->p, cap)) == NULL)
			return 0;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

void
etcd_buf_reset(struct etcd_buf *b)
{
	b->len = 0;
	b->over = false;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
etcd_buf_free(struct etcd_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* The headers of every request: JSON, and refuse when leaderless. */
struct curl_slist *
etcd_headers(void)
{
	static const char *const h[] = {
		"Content-Type: application/json",
		"Grpc-Metadata-hasleader: true",
		"Expect:",
	};
	struct curl_slist	*l = NULL, *n;
	size_t			 i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		if ((n = curl_slist_append(l, h[i])) == NULL) {
			curl_slist_free_all(l);
			errno = ENOMEM;
			return NULL;
		}
		l = n;
	}
	return l;
}

static int
etcd_nodes_add(struct etcd_nodes *nodes, const char *s, size_t len)
{
	const char	*scheme = "http://";
	int		 n;

	while (len > 0 && s[len - 1] == '/')
		len--;
	if (len == 0 || nodes->n == ETCD_NODES_MAX)
		return -1;
	if (memchr(s, ' ', len) != NULL)
		return -1;
	if ((len > 7 && strncmp(s, "http://", 7) == 0) ||
	    (len > 8 && strncmp(s, "https://", 8) == 0))
		scheme = "";
	n = snprintf(nodes->url[nodes->n], ETCD_URL_MAX, "%s%.*s", scheme,
	    (int)len, s);
	if (n < 0 || n >= ETCD_URL_MAX)
		return -1;
	nodes->n++;
	return 0;
}

static int
etcd_nodes_parse(struct etcd_nodes *nodes, const char *list)
{
	const char	*p = list, *comma;

	memset(nodes, 0, sizeof(*nodes));
	for (;;) {
		comma = strchr(p, ',');
		if (etcd_nodes_add(nodes, p,
		    comma ? (size_t)(comma - p) : strlen(p)) == -1) {
			errno = EINVAL;
			return -1;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

static int
etcd_curl_init(struct etcd *e)
{
	CURL	*c;

	if ((e->curl = c = curl_easy_init()) == NULL ||
	    (e->hdrs = etcd_headers()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, e->hdrs) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, etcd_buf_write) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &e->buf) ||
	    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) ||
	    curl_easy_setopt(c, CURLOPT_POST, 1L)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

struct etcd *
etcd_open(const char *endpoints, unsigned timeout_ms)
{
	struct etcd	*e;
	int		 saved;

	if (etcd_init() == -1)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if (etcd_nodes_parse(&e->nodes, endpoints) == -1 ||
	    etcd_curl_init(e) == -1) {
		saved = errno;
		etcd_close(e);
		errno = saved;
		return NULL;
	}
	etcd_set_timeout(e, timeout_ms);
	return e;
}

void
etcd_close(struct etcd *e)
{
	if (e == NULL)
		return;
	if (e->curl != NULL)
		curl_easy_cleanup(e->curl);
	curl_slist_free_all(e->hdrs);
	etcd_buf_free(&e->buf);
	free(e);
}

void
etcd_set_timeout(struct etcd *e, unsigned timeout_ms)
{
	e->timeout_ms = timeout_ms ? timeout_ms : ETCD_TIMEOUT_MS;
}

const char *
etcd_errtext(const struct etcd *e)
{
	return e->errtext;
}

const char *
etcd_node(const struct etcd *e)
{
	return e->nodes.url[e->cur];
}

const struct etcd_nodes *
etcd_nodes(const struct etcd *e)
{
	return &e->nodes;
}

unsigned
etcd_timeout(const struct etcd *e)
{
	return e->timeout_ms;
}

/* Send body to path on one node, within ms; the answer is in e->buf. */
static CURLcode
etcd_send(struct etcd *e, size_t node, const char *path, const char *body,
    uint64_t ms)
{
	char	url[ETCD_URL_MAX + 64];
	long	tmo = ms > 0 ? (long)ms : 1;
	long	ctmo = tmo < ETCD_CONNECT_MS ? tmo : ETCD_CONNECT_MS;

	snprintf(url, sizeof(url), "%s%s", e->nodes.url[node], path);
	etcd_buf_reset(&e->buf);
	if (curl_easy_setopt(e->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, body) ||
	    curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body)) ||
	    curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, tmo) ||
	    curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT_MS, ctmo))
		return CURLE_OUT_OF_MEMORY;
	return curl_easy_perform(e->curl);
}

/* Was the request handed to the node before the transfer failed? */
static bool
etcd_sent(struct etcd *e)
{
	long	n = 0;

	curl_easy_getinfo(e->curl, CURLINFO_REQUEST_SIZE, &n);
	return n > 0;
}

/* The answer in e->buf: parsed into *out, or an etcd error. */
static enum etcd_result
etcd_answer(struct etcd *e, size_t node, bool readonly,
    struct json_object **out)
{
	struct json_object	*o;
	const char		*msg;
	int64_t			 code;
	long			 http = 0;
	int			 err;

	if (e->buf.over) {
		etcd_err(e, EPROTO, "%s: answer too long",
		    e->nodes.url[node]);
		return ETCD_R_ERROR;
	}
	o = e->buf.p ? json_tokener_parse(e->buf.p) : NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		/* Some other server there (a wrong address or route). */
		curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &http);
		if (http != 200)
			etcd_err(e, EPROTO, "%s: HTTP %ld, not an etcd v3 "
			    "gateway (wrong address, or a route elsewhere?)",
			    e->nodes.url[node], http);
		else
			etcd_err(e, EPROTO, "%s: answer not JSON",
			    e->nodes.url[node]);
		return ETCD_R_ERROR;
	}
	if (etcd_json_error(o, &code, &msg) == 0) {
		*out = o;
		return ETCD_R_OK;
	}
	err = etcd_errno_grpc(code);
	snprintf(e->why[node], sizeof(e->why[node]), "%s", msg);
	if (err == EAGAIN && (readonly || strstr(msg, "no leader") != NULL)) {
		json_object_put(o);
		return ETCD_R_NOLEADER;
	}
	if (err == EAGAIN)	/* e.g. "leader changed": maybe applied */
		err = EIO;
	etcd_err(e, err, "%s: %s", e->nodes.url[node], msg);
	json_object_put(o);
	return ETCD_R_ERROR;
}

static enum etcd_result
etcd_attempt(struct etcd *e, size_t node, const char *path, const char *body,
    uint64_t ms, bool readonly, struct json_object **out)
{
	CURLcode	rc;

	rc = etcd_send(e, node, path, body, ms);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && e->buf.over))
		return etcd_answer(e, node, readonly, out);
	snprintf(e->why[node], sizeof(e->why[node]), "%s",
	    curl_easy_strerror(rc));
	if (rc == CURLE_OUT_OF_MEMORY || rc == CURLE_WRITE_ERROR) {
		etcd_err(e, ENOMEM, "%s: out of memory",
		    e->nodes.url[node]);
		return ETCD_R_ERROR;
	}
	if (!etcd_sent(e))
		return ETCD_R_UNREACHED;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return ETCD_R_TIMEOUT;
	return ETCD_R_BROKEN;
}

/*
 * Does node say it has no leader?  Asked within ms.  Being leaderless, it
 * refuses the status request itself (hasleader).
 */
static bool
etcd_probe_noleader(struct etcd *e, size_t node, uint64_t ms)
{
	struct json_object	*o = NULL;
	int64_t			 leader;
	bool			 none = false;

	if (ms == 0)
		return false;
	switch (etcd_attempt(e, node, "/v3/maintenance/status", "{}", ms,
	    true, &o)) {
	case ETCD_R_NOLEADER:
		return true;
	case ETCD_R_OK:
		none = etcd_json_get_i64(o, "leader", &leader) == 0 &&
		    leader == 0;
		json_object_put(o);
		return none;
	default:
		return false;
	}
}

static int
etcd_timed_out(struct etcd *e, size_t node, uint64_t deadline, bool readonly)
{
	uint64_t	now = clock_ms();
	bool		noleader;

	noleader = etcd_probe_noleader(e, node,
	    deadline > now ? deadline - now : 0);
	return etcd_err(e, ETIMEDOUT, "%s: no answer within %u ms%s%s",
	    e->nodes.url[node], e->timeout_ms,
	    noleader ? ": it has no leader (quorum lost)" : "",
	    readonly ? "" : "; the request may have been applied");
}

/* Every node failed until the deadline: say how each one did. */
static int
etcd_exhausted(struct etcd *e, unsigned seen)
{
	size_t	i, len;
	int	n;

	n = snprintf(e->errtext, sizeof(e->errtext),
	    "%s within %u ms", seen & ETCD_SEEN_NOLEADER ?
	    "no leader (quorum lost): no node took the request" :
	    seen & ETCD_SEEN_TIMEOUT ? "no etcd node answered" :
	    "no etcd node reached", e->timeout_ms);
	for (i = 0; i < e->nodes.n && n > 0; i++) {
		len = strlen(e->errtext);
		if (len >= sizeof(e->errtext) - 1)
			break;
		snprintf(e->errtext + len, sizeof(e->errtext) - len,
		    "%s %s: %s", i ? ";" : ":", e->nodes.url[i], e->why[i]);
	}
	errno = seen & ETCD_SEEN_NOLEADER ? EAGAIN :
	    seen & ETCD_SEEN_TIMEOUT ? ETIMEDOUT : ECONNREFUSED;
	return -1;
}

static void
etcd_sleep_ms(uint64_t ms)
{
	struct timespec	ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * The time one attempt gets of the left ms: a write all of it, less the
 * time to ask a silent node why; a read its share of the nodes still to
 * try in this round (at least ETCD_READ_MS), so that a node that hangs
 * does not take a read's whole deadline.
 */
static uint64_t
etcd_slice(uint64_t left, size_t nodes, bool readonly)
{
	uint64_t	share;

	if (readonly && nodes > 1) {
		share = left / nodes;
		if (share < ETCD_READ_MS)
			share = ETCD_READ_MS;
		if (share < left)
			return share;
	}
	return left > 2 * ETCD_PROBE_MS ? left - ETCD_PROBE_MS : left;
}

/*
 * One round of the nodes, from the last good one.  Returns 0 with the
 * answer in *out, -1 on a final error, 1 when every node failed in a way
 * that another round may mend (unreached, no leader).
 */
static int
etcd_round(struct etcd *e, const char *path, const char *body,
    uint64_t deadline, bool readonly, unsigned *seen,
    struct json_object **out)
{
	uint64_t	now, left;
	size_t		i, node;

	for (i = 0; i < e->nodes.n; i++) {
		if ((now = clock_ms()) >= deadline)
			return 1;
		node = (e->cur + i) % e->nodes.n;
		left = etcd_slice(deadline - now, e->nodes.n - i, readonly);
		switch (etcd_attempt(e, node, path, body, left, readonly, out)) {
		case ETCD_R_OK:
			e->cur = node;
			return 0;
		case ETCD_R_ERROR:
			return -1;
		case ETCD_R_NOLEADER:
			*seen |= ETCD_SEEN_NOLEADER;
			break;
		case ETCD_R_UNREACHED:
			break;
		case ETCD_R_BROKEN:
			if (readonly)
				break;
			e->cur = (node + 1) % e->nodes.n;
			return etcd_err(e, EIO, "%s: %s after the "
			    "request was sent; it may have been applied",
			    e->nodes.url[node], e->why[node]);
		case ETCD_R_TIMEOUT:
			*seen |= ETCD_SEEN_TIMEOUT;
			if (readonly && clock_ms() < deadline)
				break;
			/* the next call starts with another node */
			e->cur = (node + 1) % e->nodes.n;
			return etcd_timed_out(e, node, deadline, readonly);
		}
	}
	return 1;
}

/*
 * POST req to path, going round the nodes until the deadline, with a
 * pause between rounds.  A request that may have reached etcd is sent
 * again only when readonly.  Returns 0 with the answer in *out, or -1.
 */
static int
etcd_call(struct etcd *e, const char *path, struct json_object *req,
    bool readonly, struct json_object **out)
{
	const char	*body;
	uint64_t	 deadline = clock_ms() + e->timeout_ms, now, left;
	size_t		 i;
	unsigned	 seen = 0;
	int		 rc;

	*out = NULL;
	if (req == NULL || (body = json_object_to_json_string_ext(req,
	    JSON_C_TO_STRING_PLAIN)) == NULL)
		return etcd_err(e, ENOMEM, "out of memory");
	for (i = 0; i < e->nodes.n; i++)
		snprintf(e->why[i], sizeof(e->why[i]), "not tried");
	while ((rc = etcd_round(e, path, body, deadline, readonly, &seen,
	    out)) == 1) {
		if ((now = clock_ms()) >= deadline)
			return etcd_exhausted(e, seen);
		left = deadline - now;
		etcd_sleep_ms(left < ETCD_BACKOFF_MS ? left : ETCD_BACKOFF_MS);
	}
	return rc;
}

/* A request object, or NULL (ENOMEM) when one of its fields is. */
struct json_object *
etcd_req_key(const char *key, size_t keylen, const char *end, size_t endlen)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (etcd_json_add(o, "key", etcd_json_b64(key, keylen)) == -1 ||
	    (end != NULL &&
	    etcd_json_add(o, "range_end", etcd_json_b64(end, endlen)) == -1)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A request of one number: {"ID":"N"}. */
struct json_object *
etcd_req_i64(const char *name, int64_t v)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) != NULL &&
	    etcd_json_add(o, name, etcd_json_i64(v)) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
etcd_bad_key(struct etcd *e, const char *key)
{
	if (key != NULL && key[0] != '\0')
		return 0;
	return etcd_err(e, EINVAL, "empty key");
}

int
etcd_protocol(struct etcd *e, const char *what)
{
	return etcd_err(e, EPROTO, "%s: %s: answer not understood",
	    e->nodes.url[e->cur], what);
}

/* Call path with req (consumed); the answer in *out. */
int
etcd_request(struct etcd *e, const char *path, struct json_object *req,
    bool readonly, struct json_object **out)
{
	int	rc;

	rc = etcd_call(e, path, req, readonly, out);
	json_object_put(req);
	return rc;
}
