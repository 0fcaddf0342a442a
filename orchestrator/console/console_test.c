/*
 * console_test.c: the console over HTTP (libcurl) against a stand-in
 * provider: no session refused, the token's cookie and its single use,
 * viewer read-only, operator evacuates, CSRF, malformed, oversized and
 * too frequent requests, the event stream, /metrics through promtool.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "console.h"
#include "standin.h"

/* -- an HTTP client --------------------------------------------------------- */

struct resp {
	long	 status;
	char	 body[64 * 1024];
	size_t	 len;
	char	 headers[4096];
	size_t	 hlen;
};

/* n bytes of p after the len bytes of buf (cap bytes, kept a string). */
static void
resp_add(char *buf, size_t cap, size_t *len, const char *p, size_t n)
{
	size_t	take = n < cap - 1 - *len ? n : cap - 1 - *len;

	memcpy(buf + *len, p, take);
	*len += take;
	buf[*len] = '\0';
}

static size_t
resp_body(char *p, size_t size, size_t n, void *arg)
{
	struct resp	*r = arg;

	resp_add(r->body, sizeof(r->body), &r->len, p, size * n);
	return size * n;
}

static size_t
resp_header(char *p, size_t size, size_t n, void *arg)
{
	struct resp	*r = arg;

	resp_add(r->headers, sizeof(r->headers), &r->hlen, p, size * n);
	return size * n;
}

struct client {
	struct console	*c;
	char		 cookie[80];	/* "lgr_session=..." */
	char		 csrf[40];
	char		 session[20];
};

/*
 * One request.  extra: one more header line or NULL; body: sent as is
 * (len bytes) when method is POST.
 */
static struct resp *
http(struct client *cl, const char *method, const char *path,
    const char *csrf, const char *extra, const char *body, size_t len)
{
	static __thread struct resp r;
	struct curl_slist	*hdr = NULL;
	char			 url[128 * 1024], line[128];
	CURL			*curl = curl_easy_init();

	memset(&r, 0, sizeof(r));
	assert_non_null(curl);
	if (strncmp(path, "http", 4) == 0)
		snprintf(url, sizeof(url), "%s", path);
	else
		snprintf(url, sizeof(url), "http://127.0.0.1:%u%s",
		    (unsigned)console_port(cl->c), path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, resp_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, resp_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	if (cl->cookie[0] != '\0')
		curl_easy_setopt(curl, CURLOPT_COOKIE, cl->cookie);
	if (csrf != NULL) {
		snprintf(line, sizeof(line), "X-CSRF-Token: %s", csrf);
		hdr = curl_slist_append(hdr, line);
	}
	hdr = curl_slist_append(hdr, "Expect:");
	if (extra != NULL)
		hdr = curl_slist_append(hdr, extra);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body != NULL ? body :
		    "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(curl);
	return &r;
}

static struct resp *
get(struct client *cl, const char *path)
{
	return http(cl, "GET", path, NULL, NULL, NULL, 0);
}

static struct resp *
post(struct client *cl, const char *path, const char *csrf, const char *body)
{
	return http(cl, "POST", path, csrf, "Content-Type: application/json",
	    body, body != NULL ? strlen(body) : 0);
}

/* The value of a response header (first line), case-insensitive name. */
static const char *
header(const struct resp *r, const char *name, char *buf, size_t len)
{
	const char	*p = r->headers;
	size_t		 n = strlen(name);

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			size_t	i = 0;

			for (p += n + 1; *p == ' '; p++)
				;
			while (p[i] != '\r' && p[i] != '\n' && i < len - 1) {
				buf[i] = p[i];
				i++;
			}
			buf[i] = '\0';
			return buf;
		}
	}
	return NULL;
}

/* A session of that role: token, cookie, CSRF token. */
static void
login(struct client *cl, struct console *c, enum console_role role)
{
	char		 url[256], h[256];
	struct resp	*r;
	struct json_object *o, *v;

	memset(cl, 0, sizeof(*cl));
	cl->c = c;
	assert_int_equal(console_url(c, role, url, sizeof(url)), 0);
	r = get(cl, url);
	assert_int_equal(r->status, 303);
	assert_non_null(header(r, "Set-Cookie", h, sizeof(h)));
	assert_int_equal(strncmp(h, "lgr_session=", 12), 0);
	snprintf(cl->cookie, sizeof(cl->cookie), "%.*s",
	    (int)strcspn(h, ";"), h);
	r = get(cl, "/api/session");
	assert_int_equal(r->status, 200);
	o = json_tokener_parse(r->body);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "csrf", &v));
	snprintf(cl->csrf, sizeof(cl->csrf), "%s", json_object_get_string(v));
	assert_true(json_object_object_get_ex(o, "session", &v));
	snprintf(cl->session, sizeof(cl->session), "%s",
	    json_object_get_string(v));
	assert_true(json_object_object_get_ex(o, "role", &v));
	assert_string_equal(json_object_get_string(v),
	    role == CONSOLE_OPERATOR ? "operator" : "viewer");
	json_object_put(o);
}

static struct console *
console_up(unsigned rate, unsigned burst, bool metrics)
{
	struct console_options	 o;
	struct console		*c;

	console_options_init(&o);
	o.port = 0;
	o.rate = rate;
	o.burst = burst;
	o.metrics = metrics;
	o.keepalive = 1;
	c = console_new(&o, &standin_provider, NULL);
	assert_non_null(c);
	assert_int_equal(console_start(c), 0);
	assert_int_not_equal(console_port(c), 0);
	return c;
}

static int
setup(void **state)
{
	*state = console_up(1000, 1000, true);
	return 0;
}

static int
teardown(void **state)
{
	console_free(*state);
	return 0;
}

/* -- tests ----------------------------------------------------------------- */

static void
test_no_session(void **state)
{
	struct client	 cl = { .c = *state };
	static const char *const paths[] = { "/", "/cluster", "/audit",
	    "/assets/console.js", "/api/cluster", "/api/session",
	    "/api/stream", "/api/jobs/7" };
	struct resp	*r;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		r = get(&cl, paths[i]);
		assert_int_equal(r->status, 401);
		assert_non_null(strstr(r->body, "no session"));
	}
	assert_int_equal(post(&cl, "/api/evacuate", NULL,
	    "{\"workload\":\"LIT\"}")->status, 401);
	snprintf(cl.cookie, sizeof(cl.cookie),
	    "lgr_session=00112233445566778899aabbccddeeff");
	assert_int_equal(get(&cl, "/api/cluster")->status, 401);
	assert_int_equal(standin.evacuations, 0);
}

static void
test_token_cookie(void **state)
{
	struct console	*c = *state;
	struct client	 cl = { .c = c };
	char		 url[256], h[256], want[64];
	struct resp	*r;

	assert_int_equal(console_url(c, CONSOLE_VIEWER, url, sizeof(url)), 0);
	snprintf(want, sizeof(want), "http://127.0.0.1:%u/login?token=",
	    (unsigned)console_port(c));
	assert_int_equal(strncmp(url, want, strlen(want)), 0);
	assert_int_equal(strlen(url + strlen(want)), 32);
	r = get(&cl, url);
	assert_int_equal(r->status, 303);
	assert_string_equal(header(r, "Location", h, sizeof(h)), "/cluster");
	assert_non_null(header(r, "Set-Cookie", h, sizeof(h)));
	assert_non_null(strstr(h, "; HttpOnly"));
	assert_non_null(strstr(h, "; SameSite=Strict"));
	assert_non_null(strstr(h, "; Path=/"));
	assert_int_equal(strcspn(h, ";"), strlen("lgr_session=") + 32);
	assert_non_null(header(r, "Referrer-Policy", h, sizeof(h)));
	/* Single use. */
	r = get(&cl, url);
	assert_int_equal(r->status, 403);
	assert_non_null(strstr(r->body, "token unknown, used or expired"));
	assert_int_equal(get(&cl, "/login")->status, 400);
	assert_int_equal(get(&cl, "/login?token=abc")->status, 400);
	assert_int_equal(get(&cl,
	    "/login?token=00112233445566778899aabbccddeeff")->status, 403);

	assert_int_equal(console_url(c, (enum console_role)7, url,
	    sizeof(url)), -1);
	assert_int_equal(console_url(c, CONSOLE_VIEWER, url, 10), -1);
	assert_int_equal(errno, ENOBUFS);
}

/* Guessing tokens: after ten failures every login waits. */
static void
test_login_flood(void **state)
{
	struct console	*c = console_up(1000, 1000, true);
	struct client	 cl = { .c = c };
	struct resp	*r = NULL;
	char		 url[256];

	(void)state;
	assert_int_equal(console_url(c, CONSOLE_OPERATOR, url, sizeof(url)), 0);
	for (int i = 0; i < 12; i++)
		r = get(&cl, "/login?token=00112233445566778899aabbccddeeff");
	assert_int_equal(r->status, 429);
	assert_non_null(strstr(r->body, "too many failed logins"));
	assert_int_equal(get(&cl, url)->status, 429);
	console_free(c);
}

static void
test_pages(void **state)
{
	struct client	 cl;
	struct resp	*r;
	char		 h[512];

	login(&cl, *state, CONSOLE_VIEWER);
	r = get(&cl, "/evacuate");
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->body, "<title>lgr console</title>"));
	assert_string_equal(header(r, "Content-Type", h, sizeof(h)),
	    "text/html; charset=utf-8");
	assert_non_null(header(r, "Content-Security-Policy", h, sizeof(h)));
	assert_non_null(strstr(h, "default-src 'self'"));
	r = get(&cl, "/assets/console.js");
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->body, "EventSource"));
	assert_int_equal(get(&cl, "/assets/console.css")->status, 200);
	assert_int_equal(get(&cl, "/assets/nope.js")->status, 404);
	r = get(&cl, "/api/cluster");
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->body, "\"LITDCON1\""));
	r = get(&cl, "/api/jobs/7");
	assert_int_equal(r->status, 200);
	r = get(&cl, "/api/jobs/8");
	assert_int_equal(r->status, 404);
	assert_non_null(strstr(r->body, "job 8: no such job"));
	r = get(&cl, "/api/plan?workload=NOPE");
	assert_int_equal(r->status, 404);
	assert_non_null(strstr(r->body, "workload NOPE: no such group"));
	assert_int_equal(get(&cl, "/api/plan?workload=LIT&to=VM2&parallel=2")
	    ->status, 200);
	assert_int_equal(get(&cl, "/api/history")->status, 200);
	assert_string_equal(standin.history_guest, "(all)");
	assert_int_equal(get(&cl, "/api/history?guest=LITDCON1")->status, 200);
	assert_string_equal(standin.history_guest, "LITDCON1");
	r = get(&cl, "/api/routecheck");
	assert_int_equal(r->status, 501);
	assert_non_null(strstr(r->body, "not provided"));
}

static void
test_viewer_read_only(void **state)
{
	struct client	 cl;
	struct resp	*r;
	int		 audits = standin.audits;

	login(&cl, *state, CONSOLE_VIEWER);
	assert_int_equal(get(&cl, "/api/cluster")->status, 200);
	assert_int_equal(get(&cl, "/api/jobs")->status, 200);
	assert_int_equal(get(&cl, "/api/events?since=0")->status, 200);
	r = get(&cl, "/api/audit");
	assert_int_equal(r->status, 403);
	assert_non_null(strstr(r->body, "operators only"));
	/* Even with the right CSRF token, a viewer changes nothing. */
	r = post(&cl, "/api/evacuate", cl.csrf,
	    "{\"workload\":\"LIT\",\"to\":\"VM2\"}");
	assert_int_equal(r->status, 403);
	assert_non_null(strstr(r->body, "viewer session"));
	assert_int_equal(post(&cl, "/api/cancel", cl.csrf, "{\"job\":7}")
	    ->status, 403);
	assert_int_equal(post(&cl, "/api/routecheck/run", cl.csrf, "{}")
	    ->status, 403);
	assert_int_equal(standin.evacuations, 0);
	assert_int_equal(standin.cancels, 0);
	/* Refusals are audited with the role and the session. */
	assert_int_equal(standin.audits, audits + 3);
	assert_int_equal(standin.audit_role, CONSOLE_VIEWER);
	assert_int_equal(standin.audit_status, 403);
	assert_string_equal(standin.audit_session, cl.session);
	assert_string_equal(standin.audit_args, "{}");
	post(&cl, "/api/evacuate", cl.csrf, "{\"workload\": \"LIT\"}");
	assert_string_equal(standin.audit_args, "{\"workload\":\"LIT\"}");
	post(&cl, "/api/evacuate", cl.csrf, "rm -rf");
	assert_string_equal(standin.audit_args, "(6 bytes, not JSON)");
}

static void
test_operator_evacuates(void **state)
{
	struct client	 cl;
	struct resp	*r;
	int		 before = standin.evacuations;

	login(&cl, *state, CONSOLE_OPERATOR);
	r = post(&cl, "/api/evacuate", cl.csrf,
	    "{\"workload\":\"LIT\",\"to\":\"VM2\",\"parallel\":2}");
	assert_int_equal(r->status, 202);
	assert_string_equal(r->body, "{\"job\":7}");
	assert_int_equal(standin.evacuations, before + 1);
	assert_string_equal(standin.workload, "LIT");
	assert_string_equal(standin.to, "VM2");
	assert_int_equal(standin.evac.parallel, 2);
	assert_string_equal(standin.audit_action, "/api/evacuate");
	assert_int_equal(standin.audit_role, CONSOLE_OPERATOR);
	assert_int_equal(standin.audit_status, 202);
	assert_string_equal(standin.audit_session, cl.session);
	r = post(&cl, "/api/cancel", cl.csrf, "{\"job\":7}");
	assert_int_equal(r->status, 200);
	assert_int_equal(standin.cancel_job, 7);
	r = post(&cl, "/api/routecheck/run", cl.csrf, "");
	assert_int_equal(r->status, 202);
	assert_int_equal(standin.runs, 1);
	assert_string_equal(standin.audit_action, "/api/routecheck/run");
	r = post(&cl, "/api/cancel", cl.csrf, "{\"guest\":\"LITDCON1\"}");
	assert_int_equal(r->status, 200);
	r = post(&cl, "/api/cancel", cl.csrf, "{\"job\":99}");
	assert_int_equal(r->status, 404);
	assert_non_null(strstr(r->body, "job 99: no such job"));
	assert_int_equal(get(&cl, "/api/audit?since=3")->status, 200);
}

static void
test_csrf(void **state)
{
	struct client	 cl;
	struct resp	*r;
	char		 wrong[40];

	login(&cl, *state, CONSOLE_OPERATOR);
	r = post(&cl, "/api/evacuate", NULL, "{\"workload\":\"LIT\"}");
	assert_int_equal(r->status, 403);
	assert_non_null(strstr(r->body, "missing CSRF token"));
	snprintf(wrong, sizeof(wrong), "%s", cl.csrf);
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	r = post(&cl, "/api/evacuate", wrong, "{\"workload\":\"LIT\"}");
	assert_int_equal(r->status, 403);
	assert_non_null(strstr(r->body, "wrong CSRF token"));
	r = post(&cl, "/api/evacuate", "", "{\"workload\":\"LIT\"}");
	assert_int_equal(r->status, 403);
	assert_int_equal(standin.evacuations, 1);
	assert_int_equal(standin.audit_status, 403);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char	*method, *path, *body;
		long		 status;
		const char	*text;
	} cases[] = {
		{ "POST", "/api/evacuate", "{", 400, "not a JSON object" },
		{ "POST", "/api/evacuate", "[1]", 400, "not a JSON object" },
		{ "POST", "/api/evacuate", "", 400, "empty body" },
		{ "POST", "/api/evacuate", "{\"workload\":\"LIT\"} x", 400,
		    "not a JSON object" },
		{ "POST", "/api/evacuate", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}",
		    400, "not a JSON object" },
		{ "POST", "/api/evacuate", "{\"workload\":\"LIT\",\"x\":1}", 400,
		    "unknown field 'x' (allowed: workload, from, to, parallel)" },
		{ "POST", "/api/evacuate", "{\"workload\":\"L IT\"}", 400,
		    "workload: 'L IT' is not a name" },
		{ "POST", "/api/evacuate", "{\"to\":\"VM2\"}", 400,
		    "workload: missing" },
		{ "POST", "/api/evacuate", "{\"workload\":\"LIT\",\"to\":"
		    "\"VM2;reboot\"}", 400, "to: 'VM2;reboot' is not a name" },
		{ "POST", "/api/evacuate", "{\"workload\":7}", 400,
		    "workload: not a string" },
		{ "POST", "/api/evacuate", "{\"workload\":\"LIT\",\"parallel\":"
		    "0}", 400, "parallel: '0' out of range (1-64)" },
		{ "POST", "/api/evacuate", "{\"workload\":\"LIT\",\"parallel\":"
		    "65}", 400, "out of range (1-64)" },
		{ "POST", "/api/evacuate", "{\"workload\":\"LIT\",\"parallel\":"
		    "\"2\"}", 400, "parallel: not a number" },
		{ "POST", "/api/evacuate", "{\"workload\":\"AAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", 400, "is not a name" },
		{ "POST", "/api/cancel", "{}", 400, "exactly one of job and guest" },
		{ "POST", "/api/cancel", "{\"job\":1,\"guest\":\"X\"}", 400,
		    "exactly one of job and guest" },
		{ "POST", "/api/cancel", "{\"job\":-1}", 400, "not a job id" },
		{ "POST", "/api/routecheck/run", "{\"x\":1}", 400,
		    "unknown field 'x' (allowed: none)" },
		{ "GET", "/api/plan?workload=LIT&bogus=1", NULL, 400,
		    "unknown argument 'bogus'" },
		{ "GET", "/api/plan", NULL, 400, "workload: missing" },
		{ "GET", "/api/plan?workload=LIT&from=V%209", NULL, 400,
		    "from: 'V 9' is not a name" },
		{ "GET", "/api/plan?workload=LIT&parallel=x", NULL, 400,
		    "parallel: 'x' out of range (1-64)" },
		{ "GET", "/api/jobs/abc", NULL, 400, "not a number from 1" },
		{ "GET", "/api/jobs/0", NULL, 400, "not a number from 1" },
		{ "GET", "/api/jobs/99999999999999999999999", NULL, 400,
		    "not a number" },
		{ "GET", "/api/events?since=-1", NULL, 400, "since: '-1'" },
		{ "GET", "/api/history?guest=a%2Fb", NULL, 400, "guest: 'a/b'" },
		{ "GET", "/api/cluster?x=1", NULL, 400, "unknown argument 'x'" },
		{ "GET", "/api/nothing", NULL, 404, "not found" },
		{ "GET", "/api/evacuate", NULL, 405, "method GET not allowed" },
		{ "PUT", "/api/evacuate", "{}", 405, "method PUT not allowed" },
		{ "DELETE", "/api/jobs/7", NULL, 405, "not allowed" },
	};
	struct client	 cl;
	struct resp	*r;
	int		 before = standin.evacuations;

	login(&cl, *state, CONSOLE_OPERATOR);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = http(&cl, cases[i].method, cases[i].path, cl.csrf,
		    "Content-Type: application/json", cases[i].body,
		    cases[i].body != NULL ? strlen(cases[i].body) : 0);
		if (r->status != cases[i].status ||
		    strstr(r->body, cases[i].text) == NULL)
			fail_msg("case %zu %s %s: %ld %s", i, cases[i].method,
			    cases[i].path, r->status, r->body);
	}
	assert_int_equal(standin.evacuations, before);
	assert_int_equal(get(&cl, "/api/session")->status, 200);
}

static void
test_oversized(void **state)
{
	struct client	 cl;
	struct resp	*r;
	char		*big, *path;
	size_t		 n = 20 * 1024;
	int		 before = standin.evacuations;

	login(&cl, *state, CONSOLE_OPERATOR);
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"workload\":\"LIT\"", 17);
	big[n - 1] = '}';
	big[n] = '\0';
	r = post(&cl, "/api/evacuate", cl.csrf, big);
	assert_int_equal(r->status, 413);
	assert_non_null(strstr(r->body, "at most 16384"));
	/* Chunked: no length up front, cut while it arrives. */
	r = http(&cl, "POST", "/api/evacuate", cl.csrf,
	    "Transfer-Encoding: chunked", big, n);
	assert_int_equal(r->status, 413);
	assert_int_equal(standin.evacuations, before);
	assert_string_equal(standin.audit_args, "(body over 16384 bytes)");
	free(big);
	/* URLs: over our bound, and over the connection's memory. */
	path = malloc(100 * 1024);
	assert_non_null(path);
	strcpy(path, "/api/history?guest=");
	memset(path + strlen(path), 'a', 3000);
	path[3019] = '\0';
	r = get(&cl, path);
	assert_int_equal(r->status, 414);
	assert_non_null(strstr(r->body, "at most 2048"));
	memset(path + 19, 'a', 90 * 1024);
	path[19 + 90 * 1024] = '\0';
	r = get(&cl, path);
	assert_true(r->status >= 400 && r->status < 500);
	free(path);
	assert_int_equal(get(&cl, "/api/cluster")->status, 200);
}

static void
test_rate_limit(void **state)
{
	struct console	*c = console_up(1, 5, true);
	struct client	 cl;
	struct resp	*r;
	char		 h[64];
	int		 ok = 0;

	(void)state;
	login(&cl, c, CONSOLE_VIEWER);	/* one request of the burst */
	for (int i = 0; i < 20; i++) {
		r = get(&cl, "/api/cluster");
		if (r->status == 200) {
			ok++;
			continue;
		}
		assert_int_equal(r->status, 429);
		assert_non_null(strstr(r->body, "too many requests"));
		assert_string_equal(header(r, "Retry-After", h, sizeof(h)),
		    "1");
		break;
	}
	/* Five in the burst, one of them spent by login, maybe one refill. */
	assert_in_range(ok, 4, 5);
	/* Other sessions are not limited by this one. */
	login(&cl, c, CONSOLE_VIEWER);
	assert_int_equal(get(&cl, "/api/cluster")->status, 200);
	console_free(c);
}

/* -- the stream -------------------------------------------------------------- */

struct sse {
	struct client	 cl;
	char		 buf[8192];
	size_t		 len;
	const char	*until;		/* stop when this arrived */
	const char	*header;	/* one more request header */
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 open, done;
};

static size_t
sse_data(char *p, size_t size, size_t n, void *arg)
{
	struct sse	*s = arg;
	size_t		 take = size * n;
	bool		 stop;

	pthread_mutex_lock(&s->lock);
	if (take > sizeof(s->buf) - 1 - s->len)
		take = sizeof(s->buf) - 1 - s->len;
	memcpy(s->buf + s->len, p, take);
	s->len += take;
	s->buf[s->len] = '\0';
	s->open = true;
	stop = strstr(s->buf, s->until) != NULL;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return stop ? 0 : size * n;
}

static void *
sse_run(void *arg)
{
	struct sse	*s = arg;
	char		 url[128];
	CURL		*curl = curl_easy_init();
	struct curl_slist *hdr = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/stream",
	    (unsigned)console_port(s->cl.c));
	if (s->header != NULL)
		hdr = curl_slist_append(hdr, s->header);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_COOKIE, s->cl.cookie);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sse_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_perform(curl);
	curl_easy_cleanup(curl);
	curl_slist_free_all(hdr);
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Wait until the stream is open (or done); false if it never opened. */
static bool
sse_wait(struct sse *s, bool for_done)
{
	bool	ok;

	pthread_mutex_lock(&s->lock);
	while (!s->done && !(s->open && !for_done))
		pthread_cond_wait(&s->cond, &s->lock);
	ok = s->open;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void
test_stream(void **state)
{
	struct console		*c = *state;
	struct sse		 s = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER, .until = "LITSWAS1" };
	struct json_object	*ev, *au;
	pthread_t		 t;

	login(&s.cl, c, CONSOLE_VIEWER);
	assert_int_equal(console_watchers(c), 0);
	assert_int_equal(pthread_create(&t, NULL, sse_run, &s), 0);
	assert_true(sse_wait(&s, false));
	assert_int_equal(console_watchers(c), 1);
	au = json_tokener_parse("{\"id\":3,\"action\":\"evacuate\"}");
	ev = json_tokener_parse("{\"guest\":\"LITSWAS1\",\"phase\":"
	    "\"precopy\",\"pass\":2,\"left_mib\":12.5}");
	assert_int_equal(console_publish(c, "audit", au), 0);
	assert_int_equal(console_publish(c, "progress", ev), 0);
	assert_int_equal(console_publish(c, "Bad Type", ev), -1);
	assert_int_equal(errno, EINVAL);
	sse_wait(&s, true);
	pthread_join(t, NULL);
	assert_non_null(strstr(s.buf, "retry: 3000\n"));
	assert_non_null(strstr(s.buf, "event: progress\ndata: {\"guest\":"
	    "\"LITSWAS1\",\"phase\":\"precopy\",\"pass\":2,\"left_mib\":12.5}"
	    "\n\n"));
	/* A viewer gets no audit records. */
	assert_null(strstr(s.buf, "event: audit"));
	json_object_put(au);
	json_object_put(ev);
	/* The client went: nobody watches once the server has noticed. */
	for (int i = 0; i < 100 && console_watchers(c) > 0; i++)
		usleep(20000);
	assert_int_equal(console_watchers(c), 0);
}

static void
test_stream_keepalive(void **state)
{
	struct sse	 s = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER, .until = ": keepalive" };
	pthread_t	 t;

	login(&s.cl, *state, CONSOLE_OPERATOR);
	assert_int_equal(pthread_create(&t, NULL, sse_run, &s), 0);
	sse_wait(&s, true);
	pthread_join(t, NULL);
	assert_non_null(strstr(s.buf, ": keepalive\n\n"));
}

/* Last-Event-ID: what was missed, or resync when it left the ring. */
static void
test_stream_resume(void **state)
{
	struct console		*c = console_up(1000, 1000, true);
	struct sse		 s = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER, .until = "\"n\":3",
	    .header = "Last-Event-ID: 1" };
	struct sse		 r = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER, .until = "event: resync",
	    .header = "Last-Event-ID: 1" };
	struct json_object	*o;
	pthread_t		 t;

	(void)state;
	for (int i = 1; i <= 3; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "n", json_object_new_int(i));
		assert_int_equal(console_publish(c, "event", o), 0);
		json_object_put(o);
	}
	login(&s.cl, c, CONSOLE_VIEWER);
	assert_int_equal(pthread_create(&t, NULL, sse_run, &s), 0);
	sse_wait(&s, true);
	pthread_join(t, NULL);
	assert_null(strstr(s.buf, "id: 1\n"));
	assert_non_null(strstr(s.buf, "id: 2\nevent: event\ndata: {\"n\":2}"));
	assert_non_null(strstr(s.buf, "id: 3\nevent: event\ndata: {\"n\":3}"));
	o = json_object_new_object();
	for (int i = 0; i < 300; i++)
		assert_int_equal(console_publish(c, "event", o), 0);
	json_object_put(o);
	login(&r.cl, c, CONSOLE_VIEWER);
	assert_int_equal(pthread_create(&t, NULL, sse_run, &r), 0);
	sse_wait(&r, true);
	pthread_join(t, NULL);
	assert_non_null(strstr(r.buf, "event: resync\n"));
	console_free(c);
}

/* SIGTERM with a stream open: console_free ends it and returns. */
static void
test_stream_shutdown(void **state)
{
	struct console	*c = console_up(1000, 1000, true);
	struct sse	 s = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER, .until = "never sent" };
	pthread_t	 t;

	(void)state;
	login(&s.cl, c, CONSOLE_OPERATOR);
	assert_int_equal(pthread_create(&t, NULL, sse_run, &s), 0);
	assert_true(sse_wait(&s, false));
	console_free(c);
	sse_wait(&s, true);
	pthread_join(t, NULL);
	assert_non_null(strstr(s.buf, "retry: 3000"));
}

/* Raw bytes that are not HTTP: 4xx, 505 or a closed connection. */
static void
test_garbage(void **state)
{
	static const char *const inputs[] = {
		"GARBAGE\r\n\r\n",
		"GET / HTTP/9.9\r\n\r\n",
		"GET /api/cluster HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
		"POST /api/evacuate HTTP/1.1\r\nHost: x\r\nContent-Length: "
		    "-5\r\n\r\n",
		"POST /api/evacuate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:"
		    " chunked\r\n\r\nzz\r\n",
		"\x00\x01\x02\xff\r\n\r\n",
	};
	struct console		*c = *state;
	struct client		 cl = { .c = c };
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	char			 buf[256];

	sin.sin_port = htons(console_port(c));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		int	fd = socket(AF_INET, SOCK_STREAM, 0);
		ssize_t	n;

		assert_true(fd >= 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sin,
		    sizeof(sin)), 0);
		assert_true(write(fd, inputs[i], strlen(inputs[i]) +
		    (i == 5 ? 4 : 0)) > 0);
		shutdown(fd, SHUT_WR);
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			if (strncmp(buf, "HTTP/1.", 7) != 0 || (buf[9] != '4' &&
			    strncmp(buf + 9, "505", 3) != 0))
				fail_msg("input %zu: %s", i, buf);
		}
		close(fd);
	}
	assert_int_equal(get(&cl, "/metrics")->status, 200);
}

/* -- /metrics ---------------------------------------------------------------- */

/* promtool check metrics on text: its exit status, or -1 if missing. */
static int
promtool_check(const char *text)
{
	const char	*tool = getenv("PROMTOOL");
	char		 cmd[512];
	FILE		*p;
	int		 st;

	if (tool == NULL || *tool == '\0' || strstr(tool, "NOTFOUND") != NULL)
		tool = "promtool";
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s check metrics", tool);
	if ((p = popen(cmd, "w")) == NULL)
		return -1;
	fputs(text, p);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
test_metrics(void **state)
{
	struct console	*c = *state;
	const struct console_stdmetrics *m = console_stdmetrics(c);
	struct client	 cl = { .c = c };
	struct resp	*r;
	char		 h[128];
	int		 rc;

	metric_inc(m->relocations, "DONE", 1);
	metric_inc(m->relocations, "ROLLED_BACK \"x\"\\", 1);
	metric_observe(m->duration, NULL, 1.2);
	metric_observe(m->quiesce, NULL, 0.004);
	metric_observe(m->downtime, NULL, 0.03);
	metric_observe(m->convergence, NULL, 0.2);
	r = get(&cl, "/metrics");
	assert_int_equal(r->status, 200);
	assert_string_equal(header(r, "Content-Type", h, sizeof(h)),
	    "text/plain; version=0.0.4; charset=utf-8");
	assert_true(standin.collects > 0);
	assert_non_null(strstr(r->body, "lgr_relocations_total{end_code="
	    "\"DONE\"} 1\n"));
	assert_non_null(strstr(r->body, "lgr_relocations_total{end_code="
	    "\"ROLLED_BACK \\\"x\\\"\\\\\"} 1\n"));
	assert_non_null(strstr(r->body, "lgr_relocation_quiesce_seconds_bucket"
	    "{le=\"0.005\"} 1\n"));
	assert_non_null(strstr(r->body, "lgr_relocation_duration_seconds_count"
	    " 1\n"));
	assert_non_null(strstr(r->body, "lgr_member_up{member=\"VM2\"} 0\n"));
	assert_non_null(strstr(r->body, "lgr_guests{member=\"VM9\"} 5\n"));
	assert_non_null(strstr(r->body, "lgr_evacuation_running 1\n"));
	assert_non_null(strstr(r->body, "lgr_guests_moving 2\n"));
	assert_non_null(strstr(r->body, "lgr_routecheck_violations{router="
	    "\"LITDCON1\"} 0\n"));
	assert_non_null(strstr(r->body, "lgr_directory_up{backend=\"sqlite\"}"
	    " 1\n"));
	assert_non_null(strstr(r->body, "lgr_console_requests_total{code="));
	rc = promtool_check(r->body);
	if (rc == -1) {
		print_message("promtool not installed (Debian package "
		    "prometheus): exposition format not checked\n");
		skip();
	}
	if (rc != 0)
		fail_msg("promtool check metrics failed (%d) on:\n%s", rc,
		    r->body);
	/* And promtool does refuse: a family without help or type. */
	assert_int_not_equal(promtool_check("lgr_x 1\n"), 0);
}

static void
test_metrics_off(void **state)
{
	struct console_options	 o;
	struct console		*c;
	struct client		 cl;
	struct resp		*r;

	(void)state;
	console_options_init(&o);
	o.metrics = false;
	c = console_new(&o, &standin_provider, NULL);
	assert_non_null(c);
	assert_int_equal(console_start(c), 0);
	cl.c = c;
	cl.cookie[0] = '\0';
	r = get(&cl, "/metrics");
	assert_int_equal(r->status, 404);
	assert_non_null(strstr(r->body, "switched off"));
	console_free(c);
}

/* An IPv6 address, where the loopback has one. */
static void
test_ipv6(void **state)
{
	struct console_options	 o;
	struct console		*c;
	struct client		 cl;
	char			 url[256], want[64];

	(void)state;
	console_options_init(&o);
	o.address = "::1";
	c = console_new(&o, &standin_provider, NULL);
	assert_non_null(c);
	if (console_start(c) == -1) {
		console_free(c);
		print_message("no IPv6 loopback here: not tested\n");
		skip();
	}
	assert_int_equal(console_url(c, CONSOLE_VIEWER, url, sizeof(url)), 0);
	snprintf(want, sizeof(want), "http://[::1]:%u/login?token=",
	    (unsigned)console_port(c));
	assert_int_equal(strncmp(url, want, strlen(want)), 0);
	memset(&cl, 0, sizeof(cl));
	cl.c = c;
	assert_int_equal(get(&cl, url)->status, 303);
	console_free(c);
}

static void
test_options(void **state)
{
	struct console_options	 o;

	(void)state;
	console_options_init(&o);
	o.address = "localhost";
	errno = 0;
	assert_null(console_new(&o, &standin_provider, NULL));
	assert_int_equal(errno, EINVAL);
	o.address = "127.0.0.1";
	o.burst = 0;
	assert_null(console_new(&o, &standin_provider, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_session),
		cmocka_unit_test(test_token_cookie),
		cmocka_unit_test(test_login_flood),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_viewer_read_only),
		cmocka_unit_test(test_operator_evacuates),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_keepalive),
		cmocka_unit_test(test_stream_resume),
		cmocka_unit_test(test_stream_shutdown),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_metrics_off),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_options),
	};
	int	rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
