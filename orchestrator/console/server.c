/*
 * server.c: the HTTP server (libmicrohttpd, an internal polling thread
 * and a thread per connection, so that an event stream may block), the
 * gates every request passes and the table of routes.
 *
 * Gates, in order: method (GET, HEAD, POST), URL length, body size;
 * then, but for /login and /metrics, the session cookie (401), its rate
 * (429), and for a write the operator role (403) and the CSRF header
 * (403).  Every write that has a session is audited, refused or not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_impl.h"

#define SERVER_CONN_MAX		64
#define SERVER_CONN_TIMEOUT	60	/* seconds without a byte */

static enum MHD_Result	server_login(struct http *h);
static enum MHD_Result	server_metrics(struct http *h);
static enum MHD_Result	server_page(struct http *h);
static enum MHD_Result	server_asset(struct http *h);

/* Ours; the /api/ routes are api.c's. */
static const struct route server_routes[] = {
	{ "GET", "/login", ROUTE_PUBLIC, server_login, 0 },
	{ "GET", "/metrics", ROUTE_PUBLIC, server_metrics, 0 },
	{ "GET", "/assets/", ROUTE_PREFIX, server_asset, 0 },
};

/* The pages: one document (index.html) showing the page its path names. */
static const char *const server_pages[] = { "/", "/cluster", "/evacuate",
	"/history", "/routing", "/events", "/audit", NULL };
static const struct route server_page_route = { "GET", "/", 0, server_page,
	0 };

void
console_options_init(struct console_options *o)
{
	memset(o, 0, sizeof(*o));
	o->address = "127.0.0.1";
	o->metrics = true;
	o->pages = true;
	o->body_max = 16 * 1024;
	o->url_max = 2048;
	o->rate = 20;
	o->burst = 60;
	o->sessions_max = 64;
	o->token_ttl = 600;
	o->idle_max = 8 * 3600;
	o->keepalive = 15;
}

/*
 * -- responses -----------------------------------------------------------
 */
enum MHD_Result
http_queue(struct http *h, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result	rc;
	char		code[8];

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
	if (MHD_get_response_header(r, "Cache-Control") == NULL)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	rc = MHD_queue_response(h->conn, status, r);
	MHD_destroy_response(r);
	h->status = status;
	snprintf(code, sizeof(code), "%u", status);
	metric_inc(h->c->requests, code, 1);
	return rc;
}

enum MHD_Result
http_reply(struct http *h, unsigned status, const char *type, const void *buf,
    size_t len)
{
	struct MHD_Response	*r;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)buf,
	    MHD_RESPMEM_MUST_COPY);
	if (r != NULL)
		MHD_add_response_header(r, "Content-Type", type);
	return http_queue(h, status, r);
}

enum MHD_Result
http_text(struct http *h, unsigned status, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(h->text, sizeof(h->text) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		h->text[0] = '\0';
	n = strlen(h->text);
	h->text[n] = '\n';
	return http_reply(h, status, "text/plain; charset=utf-8", h->text,
	    n + 1);
}

enum MHD_Result
http_json(struct http *h, unsigned status, struct json_object *json)
{
	const char	*s;
	enum MHD_Result	 rc;

	if (json == NULL)
		return http_text(h, 500, "out of memory");
	s = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN);
	snprintf(h->text, sizeof(h->text), "%s", s);
	rc = http_reply(h, status, "application/json", s, strlen(s));
	json_object_put(json);
	return rc;
}

void
http_actor(const struct http *h, struct console_actor *a)
{
	a->role = h->s.role;
	a->session = h->s.id;
	a->peer = h->peer;
}

/*
 * -- pages, assets, login, metrics --------------------------------------
 */
static enum MHD_Result
server_asset(struct http *h)
{
	const struct asset	*a;

	if ((a = asset_find(h->url)) == NULL)
		return http_text(h, 404, "%s: no such file", h->url);
	return http_reply(h, 200, asset_type(a->path), a->data, a->len);
}

static enum MHD_Result
server_page(struct http *h)
{
	const struct asset	*a;

	if ((a = asset_find("/assets/index.html")) == NULL)
		return http_text(h, 500, "index.html not compiled in");
	return http_reply(h, 200, asset_type(a->path), a->data, a->len);
}

static enum MHD_Result
server_login(struct http *h)
{
	const char		*token;
	struct session_info	 s;
	struct MHD_Response	*r;
	char			 cookie[128];

	token = MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND,
	    "token");
	if (token == NULL || strlen(token) != SECRET_HEX - 1)
		return http_text(h, 400, "login needs ?token= with the "
		    "32 hex digits that lgrctl console-url printed");
	if (sessions_login(h->c->sessions, token, &s) == -1)
		return errno == EBUSY ? http_text(h, 429, "too many failed "
		    "logins: every login waits a few seconds") :
		    http_text(h, 403, "token unknown, used or expired: "
		    "a token works once within %u s; ask for a new URL with "
		    "lgrctl console-url", h->c->o.token_ttl);
	snprintf(cookie, sizeof(cookie),
	    "%s=%s; Path=/; HttpOnly; SameSite=Strict", CONSOLE_COOKIE,
	    s.cookie);
	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (r != NULL) {
		MHD_add_response_header(r, "Set-Cookie", cookie);
		MHD_add_response_header(r, "Location", "/cluster");
	}
	explicit_bzero(&s, sizeof(s));
	explicit_bzero(cookie, sizeof(cookie));
	return http_queue(h, 303, r);
}

static enum MHD_Result
server_metrics(struct http *h)
{
	struct console	*c = h->c;
	enum MHD_Result	 rc;
	char		*text;
	size_t		 len;

	if (!c->o.metrics)
		return http_text(h, 404, "/metrics is switched off");
	if (c->p.collect != NULL)
		c->p.collect(c->arg, c);
	if ((text = metrics_print(c->metrics, &len)) == NULL)
		return http_text(h, 500, "out of memory");
	rc = http_reply(h, 200, "text/plain; version=0.0.4; charset=utf-8",
	    text, len);
	free(text);
	return rc;
}

/*
 * -- gates ---------------------------------------------------------------
 */
/* The route of table t (n long) for method and url; *known when the
 * path is in t whatever the method. */
static const struct route *
server_match(const struct route *t, size_t n, const char *method,
    const char *url, bool *known)
{
	for (size_t i = 0; i < n; i++) {
		const struct route	*r = &t[i];
		bool			 match = r->flags & ROUTE_PREFIX ?
					    strncmp(url, r->path,
					    strlen(r->path)) == 0 :
					    strcmp(url, r->path) == 0;

		if (!match)
			continue;
		*known = true;
		if (strcmp(method, r->method) == 0)
			return r;
	}
	return NULL;
}

static const struct route *
server_route(const char *method, const char *url, bool *known)
{
	const struct route	*r;

	*known = false;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	if ((r = server_match(server_routes, sizeof(server_routes) /
	    sizeof(server_routes[0]), method, url, known)) != NULL ||
	    (r = server_match(api_routes, api_nroutes, method, url, known)) !=
	    NULL)
		return r;
	for (size_t i = 0; server_pages[i] != NULL; i++)
		if (strcmp(url, server_pages[i]) == 0) {
			*known = true;
			return strcmp(method, "GET") == 0 ? &server_page_route :
			    NULL;
		}
	return NULL;
}

/* The session of the request's cookie; 0, or a refusal was queued. */
static int
server_session(struct http *h, enum MHD_Result *rc)
{
	const char	*cookie;

	cookie = MHD_lookup_connection_value(h->conn, MHD_COOKIE_KIND,
	    CONSOLE_COOKIE);
	if (sessions_enter(h->c->sessions, cookie, &h->s) == 0) {
		h->has_session = true;
		return 0;
	}
	if (errno == EBUSY) {
		struct MHD_Response *r;

		snprintf(h->text, sizeof(h->text), "too many requests: at "
		    "most %u per second (bursts of %u) per session; retry "
		    "in a second\n", h->c->o.rate, h->c->o.burst);
		r = MHD_create_response_from_buffer(strlen(h->text), h->text,
		    MHD_RESPMEM_MUST_COPY);
		if (r != NULL)
			MHD_add_response_header(r, "Retry-After", "1");
		*rc = http_queue(h, 429, r);
		return -1;
	}
	*rc = http_text(h, 401, "no session: open the URL that `lgrctl "
	    "console-url --role viewer|operator` prints (sessions end after "
	    "%u s idle)", h->c->o.idle_max);
	return -1;
}

/* Operator role and CSRF header of a write; 0, or a refusal queued. */
static int
server_write_gate(struct http *h, enum MHD_Result *rc)
{
	const char	*csrf;

	if (h->s.role != CONSOLE_OPERATOR) {
		*rc = http_text(h, 403, "viewer session: viewers may only "
		    "read; ask for an operator URL (lgrctl console-url --role "
		    "operator)");
		return -1;
	}
	csrf = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND,
	    CONSOLE_CSRF_HEADER);
	if (csrf == NULL || !sessions_equal(csrf, h->s.csrf)) {
		*rc = http_text(h, 403, "%s CSRF token: send the header %s "
		    "with the token of GET /api/session", csrf == NULL ?
		    "missing" : "wrong", CONSOLE_CSRF_HEADER);
		return -1;
	}
	return 0;
}

static void
server_audit(struct http *h)
{
	struct console_actor	a;

	if (h->c->p.audit == NULL)
		return;
	http_actor(h, &a);
	api_audit_args(h);
	h->c->p.audit(h->c->arg, &a, h->url, h->args, h->status, h->text);
}

static enum MHD_Result
server_dispatch(struct http *h)
{
	const struct route	*r;
	enum MHD_Result		 rc;
	bool			 known;

	if ((h->route = r = server_route(h->method, h->url, &known)) == NULL)
		return known ? http_text(h, 405, "%s: method %s not allowed",
		    h->url, h->method) : http_text(h, 404, "%s: not found "
		    "(pages: /cluster /evacuate /history /routing /events "
		    "/audit; data under /api/)", h->url);
	if (r->fn == server_metrics)
		return server_metrics(h);
	if (!h->c->o.pages)
		return http_text(h, 404, "the console is switched off");
	if (r->flags & ROUTE_PUBLIC)
		return r->fn(h);
	if (server_session(h, &rc) == -1)
		return rc;
	if ((r->flags & ROUTE_OPERATOR) && h->s.role != CONSOLE_OPERATOR)
		return http_text(h, 403, "%s: operators only", h->url);
	if (!(r->flags & ROUTE_WRITE))
		return r->fn(h);
	if (server_write_gate(h, &rc) == 0) {
		if (h->too_big)
			rc = http_text(h, 413, "request body over %zu bytes",
			    h->c->o.body_max);
		else
			rc = r->fn(h);
	}
	server_audit(h);
	return rc;
}

/*
 * -- libmicrohttpd callbacks ---------------------------------------------
 */

/* The first call of a request: cheap checks before any body. */
static enum MHD_Result
server_first(struct http *h)
{
	const char	*cl;

	if (strcmp(h->method, "GET") != 0 && strcmp(h->method, "HEAD") != 0 &&
	    strcmp(h->method, "POST") != 0)
		return http_text(h, 405, "method %s not allowed (GET, HEAD, "
		    "POST)", h->method);
	if (h->uri_len > h->c->o.url_max)
		return http_text(h, 414, "URL of %zu bytes, at most %zu",
		    h->uri_len, h->c->o.url_max);
	if (strcmp(h->method, "POST") != 0)
		return server_dispatch(h);
	cl = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtoull(cl, NULL, 10) > h->c->o.body_max)
		return http_text(h, 413, "request body of %s bytes, at most "
		    "%zu", cl, h->c->o.body_max);
	return MHD_YES;
}

/* Collect the body, keeping at most body_max bytes. */
static void
server_body(struct http *h, const char *data, size_t n)
{
	char	*p;

	if (h->too_big || h->len + n > h->c->o.body_max) {
		h->too_big = true;
		return;
	}
	if ((p = realloc(h->body, h->len + n + 1)) == NULL) {
		h->too_big = true;
		return;
	}
	memcpy(p + h->len, data, n);
	h->body = p;
	h->len += n;
	h->body[h->len] = '\0';
}

static void
server_peer(struct http *h)
{
	const union MHD_ConnectionInfo *ci;

	strcpy(h->peer, "?");
	ci = MHD_get_connection_info(h->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL)
		getnameinfo(ci->client_addr, ci->client_addr->sa_family ==
		    AF_INET6 ? sizeof(struct sockaddr_in6) :
		    sizeof(struct sockaddr_in), h->peer, sizeof(h->peer), NULL,
		    0, NI_NUMERICHOST);
}

static enum MHD_Result
server_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http	*h = *con_cls;

	(void)cls;
	(void)version;
	if (h == NULL)
		return MHD_NO;
	if (h->conn == NULL) {
		h->conn = conn;
		h->url = url;
		h->method = method;
		server_peer(h);
		return server_first(h);
	}
	if (*upload_size != 0) {
		server_body(h, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return server_dispatch(h);
}

/* Called first with the URI as sent: its length, and the request. */
static void *
server_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http	*h;

	(void)conn;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->c = cls;
	h->uri_len = strlen(uri);
	return h;
}

static void
server_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http	*h = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (h == NULL)
		return;
	free(h->body);
	explicit_bzero(h, sizeof(*h));
	free(h);
	*con_cls = NULL;
}

/*
 * -- the console ---------------------------------------------------------
 */
static bool
console_options_valid(const struct console_options *o)
{
	unsigned char	addr[sizeof(struct in6_addr)];

	return o->address != NULL && strlen(o->address) < 48 &&
	    (inet_pton(AF_INET, o->address, addr) == 1 ||
	    inet_pton(AF_INET6, o->address, addr) == 1) && o->body_max > 0 &&
	    o->url_max >= 64 && o->rate > 0 && o->burst > 0 &&
	    o->sessions_max > 0 && o->token_ttl > 0 && o->idle_max > 0;
}

/* The host part of URLs: a wildcard address means this host. */
static void
console_host(struct console *c)
{
	const char	*a = c->o.address;

	if (strcmp(a, "0.0.0.0") == 0)
		a = "127.0.0.1";
	else if (strcmp(a, "::") == 0)
		a = "::1";
	snprintf(c->host, sizeof(c->host), strchr(a, ':') != NULL ? "[%s]" :
	    "%s", a);
}

struct console *
console_new(const struct console_options *o, const struct console_provider *p,
    void *arg)
{
	struct console	*c;

	if (o == NULL || p == NULL || !console_options_valid(o)) {
		errno = EINVAL;
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->o = *o;
	c->p = *p;
	c->arg = arg;
	console_host(c);
	c->sessions = sessions_new(o);
	c->stream = stream_new(o->keepalive);
	c->metrics = metrics_new();
	if (c->sessions == NULL || c->stream == NULL || c->metrics == NULL ||
	    stdmetrics_init(c) == -1) {
		console_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

/* The listening address as a sockaddr (checked by console_new). */
static socklen_t
console_sockaddr(const struct console *c, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, c->o.address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(c->o.port);
		return sizeof(*sin);
	}
	inet_pton(AF_INET6, c->o.address, &sin6->sin6_addr);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(c->o.port);
	return sizeof(*sin6);
}

int
console_start(struct console *c)
{
	struct sockaddr_storage	 ss;
	const union MHD_DaemonInfo *di;
	unsigned		 flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO;

	if (c->mhd != NULL) {
		errno = EALREADY;
		return -1;
	}
	if (console_sockaddr(c, &ss) == sizeof(struct sockaddr_in6))
		flags |= MHD_USE_IPv6;
	errno = 0;
	c->mhd = MHD_start_daemon(flags, c->o.port, NULL, NULL, server_access,
	    c, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_URI_LOG_CALLBACK, server_uri, c,
	    MHD_OPTION_NOTIFY_COMPLETED, server_completed, c,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_CONN_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_CONN_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
	    MHD_OPTION_END);
	if (c->mhd == NULL) {
		if (errno == 0)
			errno = EADDRNOTAVAIL;
		return -1;
	}
	di = MHD_get_daemon_info(c->mhd, MHD_DAEMON_INFO_BIND_PORT);
	c->port = di != NULL ? di->port : c->o.port;
	return 0;
}

uint16_t
console_port(const struct console *c)
{
	return c->port;
}

void
console_free(struct console *c)
{
	if (c == NULL)
		return;
	if (c->stream != NULL)
		stream_stop(c->stream);
	if (c->mhd != NULL)
		MHD_stop_daemon(c->mhd);
	stream_free(c->stream);
	sessions_free(c->sessions);
	metrics_free(c->metrics);
	free(c);
}

int
console_url(struct console *c, enum console_role role, char *buf, size_t len)
{
	char	token[SECRET_HEX];
	int	n;

	if (c->mhd == NULL) {
		errno = EAGAIN;
		return -1;
	}
	if (role != CONSOLE_VIEWER && role != CONSOLE_OPERATOR) {
		errno = EINVAL;
		return -1;
	}
	if (sessions_token(c->sessions, role, token) == -1)
		return -1;
	n = snprintf(buf, len, "http://%s:%u/login?token=%s", c->host,
	    (unsigned)c->port, token);
	explicit_bzero(token, sizeof(token));
	if (n < 0 || (size_t)n >= len) {
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}

int
console_publish(struct console *c, const char *type, struct json_object *data)
{
	return stream_publish(c->stream, type, data);
}

unsigned
console_watchers(struct console *c)
{
	return c->stream != NULL ? stream_readers(c->stream) : 0;
}
