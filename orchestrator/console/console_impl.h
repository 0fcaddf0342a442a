/*
 * console_impl.h: what the console's files share, grouped by the file
 * that defines it.  Not installed; callers use console.h.
 */
#ifndef LGR_CONSOLE_IMPL_H
#define LGR_CONSOLE_IMPL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>

#include "console.h"

#define CONSOLE_COOKIE		"lgr_session"
#define CONSOLE_CSRF_HEADER	"X-CSRF-Token"
#define SECRET_HEX		33	/* 128 bits as hex, NUL */
#define SESSION_ID_HEX		17	/* 64 bits as hex, NUL */
#define TOKENS_MAX		64	/* unused one-time tokens */

/* What a request's handler knows of its session (a copy). */
struct session_info {
	char			 cookie[SECRET_HEX];
	char			 id[SESSION_ID_HEX];
	char			 csrf[SECRET_HEX];
	enum console_role	 role;
};

struct http;
typedef enum MHD_Result (*api_fn)(struct http *h);

/* A route: method, path, gates (server.c), handler. */
enum {
	ROUTE_PUBLIC = 1 << 0,		/* no session needed */
	ROUTE_WRITE = 1 << 1,		/* POST: operator, CSRF, audit */
	ROUTE_OPERATOR = 1 << 2,	/* operators only, also to read */
	ROUTE_PREFIX = 1 << 3,		/* path is a prefix */
};
/* Which of the provider's readers a route reads (api.c). */
enum {
	API_CLUSTER,
	API_JOBS,
	API_ROUTECHECK,
	API_EVENTS,
	API_AUDIT,
};
struct route {
	const char	*method;
	const char	*path;
	unsigned	 flags;
	api_fn		 fn;
	int		 read;		/* API_*, for the readers */
};

/* One request in progress (MHD's per-request pointer). */
struct http {
	struct console		*c;
	struct MHD_Connection	*conn;
	const struct route	*route;		/* once dispatched */
	const char		*url;
	const char		*method;
	size_t			 uri_len;	/* path and query, as sent */
	char			*body;
	size_t			 len;
	bool			 too_big;
	bool			 has_session;
	unsigned		 status;	/* answered with */
	char			 text[CONSOLE_TEXT_MAX]; /* answer's text */
	char			 args[2 * CONSOLE_TEXT_MAX]; /* for audit */
	struct session_info	 s;
	char			 peer[64];
};

struct console {
	struct console_options	 o;
	struct console_provider	 p;
	void			*arg;
	struct MHD_Daemon	*mhd;
	uint16_t		 port;
	char			 host[64];	/* for URLs */
	struct sessions		*sessions;
	struct stream		*stream;
	struct metrics		*metrics;
	struct console_stdmetrics std;
	struct metric		*requests;	/* by status code */
};

/* server.c: responses. */
enum MHD_Result	 http_reply(struct http *h, unsigned status, const char *type,
		    const void *buf, size_t len);
enum MHD_Result	 http_text(struct http *h, unsigned status, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
/* Replies with json (consumed); NULL answers 500. */
enum MHD_Result	 http_json(struct http *h, unsigned status,
		    struct json_object *json);
enum MHD_Result	 http_queue(struct http *h, unsigned status,
		    struct MHD_Response *r);
void		 http_actor(const struct http *h, struct console_actor *a);

/* api.c: the /api/ routes; each handler is called once per request. */
extern const struct route	api_routes[];
extern const size_t		api_nroutes;
/* The body as the audit log shows it, into h->args if not there yet. */
void		 api_audit_args(struct http *h);

/* session.c: one-time tokens, sessions, CSRF, rates. */
struct sessions	*sessions_new(const struct console_options *o);
void		 sessions_free(struct sessions *ss);
/* A new token into out; -1 ENOSPC (too many unused). */
int		 sessions_token(struct sessions *ss, enum console_role role,
		    char out[SECRET_HEX]);
/*
 * Trade a token (single use) for a new session; -1 with ENOENT, or
 * EBUSY while too many logins failed (the token stays valid).
 */
int		 sessions_login(struct sessions *ss, const char *token,
		    struct session_info *out);
/*
 * The session of that cookie, counted against its rate: 0, or -1 with
 * ENOENT (unknown or idle too long) or EBUSY (rate exceeded).
 */
int		 sessions_enter(struct sessions *ss, const char *cookie,
		    struct session_info *out);
bool		 sessions_alive(struct sessions *ss, const char *cookie);
/* Constant-time comparison of two secrets. */
bool		 sessions_equal(const char *a, const char *b);
/* 128 random bits as hex (getrandom); -1 with errno. */
int		 sessions_random(char *out, size_t bytes);

/* stream.c: Server-Sent Events. */
struct stream	*stream_new(unsigned keepalive);
void		 stream_free(struct stream *st);
/* End every open stream (before the server stops). */
void		 stream_stop(struct stream *st);
int		 stream_publish(struct stream *st, const char *type,
		    struct json_object *data);
/* Streams open now. */
unsigned	 stream_readers(struct stream *st);
/* A response that follows the ring from after last_id (0: from now). */
struct MHD_Response *stream_response(struct stream *st, struct console *c,
		    const struct session_info *s, uint64_t last_id);

/* stdmetrics.c: the lgr_* families into c->std; -1 (ENOMEM). */
int		 stdmetrics_init(struct console *c);

/* asset.c and the generated assets.c: the compiled-in files. */
struct asset {
	const char		*path;	/* "/assets/console.js" */
	const unsigned char	*data;
	size_t			 len;
};
extern const struct asset	 console_assets[];
extern const size_t		 console_nassets;
const struct asset	*asset_find(const char *path);
const char		*asset_type(const char *path);

#endif
