/*
 * stream.c: Server-Sent Events at /api/stream.
 *
 * console_publish formats each message once ("id: N\nevent: T\ndata:
 * JSON\n\n") into a ring of the last STREAM_RING messages.  Every open
 * stream is one connection thread (libmicrohttpd's thread per
 * connection) blocked in stream_read until the ring moves past it, a
 * keep-alive comment is due or the console stops.  A reader that fell
 * out of the ring is told "resync" and reloads its page's data; a
 * browser that reconnects sends Last-Event-ID and gets what it missed.
 * Messages of type "audit" go to operators only.  The ring's mutex and
 * condition variable are the only shared state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console_impl.h"

#define STREAM_RING	256
#define STREAM_BLOCK	4096

struct stream_msg {
	char	*text;
	bool	 operator_only;
};

struct stream {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct stream_msg	 ring[STREAM_RING];
	uint64_t		 first;		/* oldest id in the ring */
	uint64_t		 next;		/* id of the next message */
	unsigned		 readers;	/* streams open */
	unsigned		 keepalive;
	bool			 stop;
};

/* One open stream (MHD's content reader argument). */
struct stream_reader {
	struct stream		*st;
	struct console		*c;
	struct session_info	 s;
	uint64_t		 next;		/* next id to send */
	char			*buf;		/* message being sent */
	size_t			 len, off;
};

struct stream *
stream_new(unsigned keepalive)
{
	struct stream		*st;
	pthread_condattr_t	 ca;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	pthread_mutex_init(&st->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->cond, &ca);
	pthread_condattr_destroy(&ca);
	st->first = st->next = 1;
	st->keepalive = keepalive > 0 ? keepalive : 15;
	return st;
}

void
stream_stop(struct stream *st)
{
	pthread_mutex_lock(&st->lock);
	st->stop = true;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

void
stream_free(struct stream *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < STREAM_RING; i++)
		free(st->ring[i].text);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

/* SSE event names: [a-z_]{1,31}. */
static bool
stream_type_valid(const char *type)
{
	size_t	n = 0;

	for (; type != NULL && type[n] != '\0'; n++)
		if ((type[n] < 'a' || type[n] > 'z') && type[n] != '_')
			return false;
	return n > 0 && n < 32;
}

int
stream_publish(struct stream *st, const char *type, struct json_object *data)
{
	const char	*json;
	char		*text;
	struct stream_msg *slot;

	if (!stream_type_valid(type) || !json_object_is_type(data,
	    json_type_object)) {
		errno = EINVAL;
		return -1;
	}
	/* Plain JSON has no newline, so one data line carries it. */
	json = json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN);
	pthread_mutex_lock(&st->lock);
	if (asprintf(&text, "id: %llu\nevent: %s\ndata: %s\n\n",
	    (unsigned long long)st->next, type, json) == -1) {
		pthread_mutex_unlock(&st->lock);
		errno = ENOMEM;
		return -1;
	}
	slot = &st->ring[st->next % STREAM_RING];
	free(slot->text);
	slot->text = text;
	slot->operator_only = strcmp(type, "audit") == 0;
	st->next++;
	if (st->next - st->first > STREAM_RING)
		st->first = st->next - STREAM_RING;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static void
stream_deadline(struct timespec *ts, unsigned seconds)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += seconds;
}

/*
 * The next text for reader r, or NULL at the end of the stream; lock
 * held.  Waits for a message or the keep-alive time.
 */
static char *
stream_next(struct stream_reader *r)
{
	struct stream	*st = r->st;
	struct timespec	 until;

	stream_deadline(&until, st->keepalive);
	for (;;) {
		if (st->stop)
			return NULL;
		if (r->next < st->first) {
			r->next = st->first;
			return strdup("event: resync\ndata: {}\n\n");
		}
		if (r->next < st->next) {
			struct stream_msg *m = &st->ring[r->next++ % STREAM_RING];

			if (m->operator_only && r->s.role != CONSOLE_OPERATOR)
				continue;
			return strdup(m->text);
		}
		if (pthread_cond_timedwait(&st->cond, &st->lock, &until) ==
		    ETIMEDOUT)
			return strdup(": keepalive\n\n");
	}
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_reader	*r = cls;
	size_t			 n;

	(void)pos;
	if (r->off == r->len) {
		free(r->buf);
		r->buf = NULL;
		r->off = r->len = 0;
		if (!sessions_alive(r->c->sessions, r->s.cookie))
			return MHD_CONTENT_READER_END_OF_STREAM;
		pthread_mutex_lock(&r->st->lock);
		r->buf = stream_next(r);
		pthread_mutex_unlock(&r->st->lock);
		if (r->buf == NULL)
			return MHD_CONTENT_READER_END_OF_STREAM;
		r->len = strlen(r->buf);
	}
	n = r->len - r->off < max ? r->len - r->off : max;
	memcpy(buf, r->buf + r->off, n);
	r->off += n;
	return n;
}

static void
stream_reader_free(void *cls)
{
	struct stream_reader	*r = cls;

	pthread_mutex_lock(&r->st->lock);
	r->st->readers--;
	pthread_mutex_unlock(&r->st->lock);
	free(r->buf);
	explicit_bzero(r, sizeof(*r));
	free(r);
}

unsigned
stream_readers(struct stream *st)
{
	unsigned	n;

	pthread_mutex_lock(&st->lock);
	n = st->readers;
	pthread_mutex_unlock(&st->lock);
	return n;
}

struct MHD_Response *
stream_response(struct stream *st, struct console *c,
    const struct session_info *s, uint64_t last_id)
{
	struct stream_reader	*r;
	struct MHD_Response	*resp;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->st = st;
	r->c = c;
	r->s = *s;
	pthread_mutex_lock(&st->lock);
	r->next = last_id > 0 && last_id < st->next ? last_id + 1 : st->next;
	st->readers++;
	pthread_mutex_unlock(&st->lock);
	/* The first bytes tell the browser how soon to reconnect. */
	if ((r->buf = strdup("retry: 3000\n: hello\n\n")) != NULL)
		r->len = strlen(r->buf);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	    STREAM_BLOCK, stream_read, r, stream_reader_free);
	if (resp == NULL)
		stream_reader_free(r);
	return resp;
}
