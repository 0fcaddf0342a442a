/*
 * etcdwatch.c: watching a prefix (etcd.h) without a thread.  One
 * streaming POST /v3/watch driven by a curl multi handle in the caller's
 * polls; the gateway sends one JSON message a line.  A connection that
 * breaks, or a node without a leader, is left for the next node, from the
 * revision after the last event returned.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "etcdint.h"

#define WATCH_QUEUE_MAX	4096	/* events parsed and not yet returned */

struct etcd_watch {
	struct etcd_nodes	 nodes;
	size_t			 cur;		/* the node watched or next */
	unsigned		 connect_ms;	/* for "created" to arrive */
	char			*key;		/* base64 */
	char			*end;
	int64_t			 next;		/* resume from; 0: now */
	CURLM			*multi;
	CURL			*easy;		/* NULL: not connected */
	struct curl_slist	*hdrs;
	char			*body;
	struct etcd_buf		 in;		/* bytes not yet parsed */
	size_t			 parsed;	/* of in, consumed lines */
	uint64_t		 started;	/* ms, of the connection */
	uint64_t		 retry_at;	/* ms, next connection */
	bool			 created;
	bool			 done;		/* compacted or cancelled */
	int64_t			 compacted;	/* to report, when > 0 */
	int			 fail;		/* a node failed since created */
	int			 err[ETCD_NODES_MAX];	/* each node's errno */
	char			 why[ETCD_NODES_MAX][96];
	struct etcd_event	*q;
	size_t			 qhead;
	size_t			 qn;
	struct etcd_event	 last;		/* returned by the last poll */
	char			 errtext[ETCD_ERRTEXT_MAX];
};

struct etcd_watch *
etcd_watch_open(const struct etcd *e, const char *prefix, int64_t start)
{
	struct etcd_watch	*w;
	char			*k, *end;
	size_t			 klen, endlen;

	if (start < 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->nodes = *etcd_nodes(e);
	w->connect_ms = etcd_timeout(e);
	w->next = start;
	if (etcd_range_end(prefix, &k, &klen, &end, &endlen) == -1)
		goto fail;
	w->key = etcd_b64_encode(k, klen);
	w->end = etcd_b64_encode(end, endlen);
	free(k);
	free(end);
	if (w->key == NULL || w->end == NULL ||
	    (w->q = calloc(WATCH_QUEUE_MAX, sizeof(*w->q))) == NULL ||
	    (w->hdrs = etcd_headers()) == NULL ||
	    (w->multi = curl_multi_init()) == NULL)
		goto fail;
	return w;
fail:
	etcd_watch_close(w);
	errno = ENOMEM;
	return NULL;
}

static void
watch_event_free(struct etcd_event *ev)
{
	etcd_kv_free(&ev->kv);
	memset(ev, 0, sizeof(*ev));
}

/* Leave the current node; the next connection goes to the next one. */
static void
watch_drop(struct etcd_watch *w, int err, const char *why)
{
	uint64_t	now = clock_ms();

	if (w->easy != NULL) {
		curl_multi_remove_handle(w->multi, w->easy);
		curl_easy_cleanup(w->easy);
		w->easy = NULL;
	}
	if (err != 0) {	/* why, or else the text of the failure */
		snprintf(w->why[w->cur], sizeof(w->why[w->cur]), "%.*s",
		    (int)sizeof(w->why[w->cur]) - 1,
		    why != NULL ? why : w->errtext);
		w->fail = err;
		w->err[w->cur] = err;
		etcd_fail(w->errtext, err, "watch %s: %s",
		    w->nodes.url[w->cur], w->why[w->cur]);
	}
	/* soon to the next node after a working one, else pause */
	w->retry_at = now + (w->created ? ETCD_BACKOFF_MS / 10 :
	    ETCD_BACKOFF_MS / w->nodes.n);
	w->created = false;
	w->cur = (w->cur + 1) % w->nodes.n;
	etcd_buf_reset(&w->in);
	w->parsed = 0;
}

static char *
watch_body(const struct etcd_watch *w)
{
	char	*s;

	if (asprintf(&s, "{\"create_request\":{\"key\":\"%s\","
	    "\"range_end\":\"%s\",\"start_revision\":\"%" PRId64 "\"}}",
	    w->key, w->end, w->next) == -1)
		return NULL;
	return s;
}

static int
watch_connect(struct etcd_watch *w)
{
	char	url[ETCD_URL_MAX + 16];
	CURL	*c;

	free(w->body);
	if ((w->body = watch_body(w)) == NULL || (c = curl_easy_init()) == NULL)
		return etcd_fail(w->errtext, ENOMEM, "out of memory");
	snprintf(url, sizeof(url), "%s/v3/watch", w->nodes.url[w->cur]);
	if (curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_URL, url) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, w->hdrs) ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS, w->body) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, etcd_buf_write) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &w->in) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)w->connect_ms) ||
	    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) ||
	    curl_multi_add_handle(w->multi, c) != CURLM_OK) {
		curl_easy_cleanup(c);
		return etcd_fail(w->errtext, ENOMEM, "out of memory");
	}
	w->easy = c;
	w->started = clock_ms();
	return 0;
}

/* Queue the events of one answer; next moves past them. */
static int
watch_events(struct etcd_watch *w, struct json_object *events)
{
	struct json_object	*o, *t;
	struct etcd_event	*ev;
	size_t			 i, n = json_object_array_length(events);
	int64_t			 from = w->next;

	if (w->qn + n > WATCH_QUEUE_MAX)
		return etcd_fail(w->errtext, ENOBUFS,
		    "more than %d events not polled", WATCH_QUEUE_MAX);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(events, i);
		ev = &w->q[(w->qhead + w->qn) % WATCH_QUEUE_MAX];
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "kv", &t) ||
		    etcd_json_kv(t, &ev->kv) == -1)
			return etcd_fail(w->errtext, EPROTO, "bad event");
		ev->type = ETCD_EVENT_PUT;
		if (json_object_object_get_ex(o, "type", &t))
			ev->type = strcmp(json_object_get_string(t),
			    "DELETE") == 0 ? ETCD_EVENT_DELETE : ETCD_EVENT_PUT;
		if (ev->kv.mod_revision < from) {	/* had it already */
			watch_event_free(ev);
			continue;
		}
		if (ev->kv.mod_revision >= w->next)
			w->next = ev->kv.mod_revision + 1;
		w->qn++;
	}
	return 0;
}

/* One WatchResponse.  Returns 0, or -1 when the node is to be left. */
static int
watch_result(struct etcd_watch *w, struct json_object *r)
{
	struct json_object	*events;
	int64_t			 rev, compact;
	bool			 created, canceled;

	if (etcd_json_get_bool(r, "created", &created) == -1 ||
	    etcd_json_get_bool(r, "canceled", &canceled) == -1 ||
	    etcd_json_get_i64(r, "compact_revision", &compact) == -1)
		return etcd_fail(w->errtext, EPROTO, "bad answer");
	if (created) {
		if (etcd_json_revision(r, &rev) == -1)
			return etcd_fail(w->errtext, EPROTO, "bad header");
		if (w->next == 0)
			w->next = rev + 1;
		w->created = true;
		w->fail = 0;
		memset(w->err, 0, sizeof(w->err));
	}
	if (canceled && compact > 0) {
		w->compacted = compact;
		return 0;
	}
	if (canceled)
		return etcd_fail(w->errtext, ECANCELED, "cancelled by etcd");
	if (json_object_object_get_ex(r, "events", &events) &&
	    json_object_is_type(events, json_type_array))
		return watch_events(w, events);
	return 0;
}

static int
watch_line(struct etcd_watch *w, const char *line)
{
	struct json_object	*o, *r;
	const char		*msg;
	int64_t			 code;
	int			 rc;

	if ((o = json_tokener_parse(line)) == NULL)
		return etcd_fail(w->errtext, EPROTO, "not JSON");
	if (etcd_json_error(o, &code, &msg) == 1)
		rc = etcd_fail(w->errtext, etcd_errno_grpc(code), "%s", msg);
	else if (!json_object_object_get_ex(o, "result", &r))
		rc = etcd_fail(w->errtext, EPROTO, "no result");
	else
		rc = watch_result(w, r);
	json_object_put(o);
	return rc;
}

/* Parse the complete lines received. */
static int
watch_parse(struct etcd_watch *w)
{
	char	*line, *nl;

	while (w->parsed < w->in.len &&
	    (nl = memchr(w->in.p + w->parsed, '\n',
	    w->in.len - w->parsed)) != NULL) {
		*nl = '\0';
		line = w->in.p + w->parsed;
		w->parsed = (size_t)(nl - w->in.p) + 1;
		if (line[0] != '\0' && watch_line(w, line) == -1)
			return -1;
		if (w->compacted > 0)
			break;
	}
	if (w->parsed == w->in.len) {
		etcd_buf_reset(&w->in);
		w->parsed = 0;
	}
	return 0;
}

/* Move the transfer on; leave the node when it ended or failed. */
static void
watch_step(struct etcd_watch *w)
{
	CURLMsg	*m;
	int	 running, left;
	char	 why[160];

	curl_multi_perform(w->multi, &running);
	if (watch_parse(w) == -1) {
		watch_drop(w, errno, NULL);
		return;
	}
	while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE || m->easy_handle != w->easy)
			continue;
		/* the last message, an error, comes without its newline */
		if (w->parsed < w->in.len &&
		    watch_line(w, w->in.p + w->parsed) == -1) {
			watch_drop(w, errno, NULL);
			return;
		}
		snprintf(why, sizeof(why), "%s", m->data.result == CURLE_OK ?
		    "the stream ended" : curl_easy_strerror(m->data.result));
		watch_drop(w, m->data.result == CURLE_OPERATION_TIMEDOUT ?
		    ETIMEDOUT : ECONNREFUSED, why);
		return;
	}
	if (w->easy != NULL && !w->created &&
	    clock_ms() - w->started >= w->connect_ms)
		watch_drop(w, ETIMEDOUT, "no answer");
}

static int
watch_pop(struct etcd_watch *w, struct etcd_event *ev)
{
	w->last = w->q[w->qhead];
	memset(&w->q[w->qhead], 0, sizeof(w->q[w->qhead]));
	w->qhead = (w->qhead + 1) % WATCH_QUEUE_MAX;
	w->qn--;
	*ev = w->last;
	return 1;
}

static int
watch_compacted(struct etcd_watch *w, struct etcd_event *ev)
{
	watch_drop(w, 0, NULL);
	w->done = true;
	memset(ev, 0, sizeof(*ev));
	ev->type = ETCD_EVENT_COMPACTED;
	ev->compact_revision = w->compacted;
	etcd_fail(w->errtext, ECANCELED, "watch from revision %" PRId64
	    " compacted (oldest kept %" PRId64 ")", w->next, w->compacted);
	return 1;
}

/* No node could be watched for timeout_ms: say how each one did. */
static int
watch_failed(struct etcd_watch *w, unsigned timeout_ms)
{
	size_t	i, len;
	int	err = ECONNREFUSED;

	for (i = 0; i < w->nodes.n; i++)
		if (w->err[i] == EAGAIN || (w->err[i] != 0 && err != EAGAIN))
			err = w->err[i];
	snprintf(w->errtext, sizeof(w->errtext), "watch: %s for %u ms",
	    err == EAGAIN ? "no leader (quorum lost)" : "no node answered",
	    timeout_ms);
	for (i = 0; i < w->nodes.n; i++) {
		len = strlen(w->errtext);
		snprintf(w->errtext + len, sizeof(w->errtext) - len,
		    "%s %s: %s", i ? ";" : ":", w->nodes.url[i],
		    w->err[i] ? w->why[i] : "not tried");
	}
	errno = err;
	return -1;
}

int
etcd_watch_poll(struct etcd_watch *w, unsigned timeout_ms,
    struct etcd_event *ev)
{
	uint64_t	deadline = clock_ms() + timeout_ms, now, wait;

	watch_event_free(&w->last);
	for (;;) {
		if (w->qn > 0)
			return watch_pop(w, ev);
		if (w->done)
			return etcd_fail(w->errtext, ECANCELED, "%s",
			    "watch finished (compacted or cancelled)");
		if (w->compacted > 0)
			return watch_compacted(w, ev);
		now = clock_ms();
		if (w->easy == NULL && now >= w->retry_at &&
		    watch_connect(w) == -1)
			return -1;
		if (w->easy != NULL)
			watch_step(w);
		if (w->qn > 0 || w->compacted > 0)
			continue;
		if ((now = clock_ms()) >= deadline)
			break;
		wait = deadline - now;
		if (w->easy == NULL && w->retry_at - now < wait)
			wait = w->retry_at > now ? w->retry_at - now : 0;
		if (wait > 50 && w->easy != NULL && !w->created)
			wait = 50;
		curl_multi_poll(w->multi, NULL, 0, (int)wait, NULL);
	}
	if (w->fail != 0 && !w->created)
		return watch_failed(w, timeout_ms);
	return 0;
}

int64_t
etcd_watch_revision(const struct etcd_watch *w)
{
	return w->next;
}

const char *
etcd_watch_errtext(const struct etcd_watch *w)
{
	return w->errtext;
}

void
etcd_watch_close(struct etcd_watch *w)
{
	if (w == NULL)
		return;
	if (w->multi != NULL)
		watch_drop(w, 0, NULL);
	while (w->q != NULL && w->qn > 0) {
		watch_event_free(&w->q[w->qhead]);
		w->qhead = (w->qhead + 1) % WATCH_QUEUE_MAX;
		w->qn--;
	}
	watch_event_free(&w->last);
	if (w->multi != NULL)
		curl_multi_cleanup(w->multi);
	curl_slist_free_all(w->hdrs);
	etcd_buf_free(&w->in);
	free(w->q);
	free(w->body);
	free(w->key);
	free(w->end);
	free(w);
}
