/*
 * console.h: the operator's web console and the /metrics endpoint, a
 * library that a daemon (lgrd) embeds.  The console knows nothing of
 * the daemon: everything it shows or does goes through a provider, a
 * struct of callbacks the daemon fills (section "provider").
 *
 * The server (libmicrohttpd) runs in its own threads, bound to
 * 127.0.0.1 by default.  Pages, style sheet and script are compiled in.
 * Access is by a one-time token (console_url) that becomes a session
 * cookie mapped to a role; every state-changing request carries the
 * session's CSRF token and is written to the audit log through the
 * provider.  lgr-console(8) describes the pages, the API and /metrics.
 *
 * Functions return 0 or a pointer, or -1/NULL with errno set as each
 * comment says.  Nothing here prints or exits.
 *
 * A daemon uses it so:
 *
 *	console_options_init(&o);		 address, port from its flags
 *	c = console_new(&o, &provider, state);	 state: the callbacks' arg
 *	console_start(c);			 log console_port(c)
 *	console_url(c, CONSOLE_OPERATOR, buf, len);  for lgrctl console-url
 *	console_publish(c, "progress", obj);	 as moves advance
 *	metric_inc(console_stdmetrics(c)->relocations, "DONE", 1);
 *	console_free(c);			 on SIGTERM
 */
#ifndef LGR_CONSOLE_H
#define LGR_CONSOLE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console;
struct metrics;
struct metric;

/*
 * -- provider ------------------------------------------------------------
 *
 * Callbacks run in the server's threads, possibly several at once: the
 * provider locks its own state.  A read callback returns a new JSON
 * reference that the console owns (and frees), or NULL with the reason
 * in *err.  A write callback returns 0, or -1 with the reason in *err.
 * err->status is an HTTP status (400 bad request, 404 unknown guest,
 * member or job, 409 not eligible, 423 busy, 500 internal); 0 means 500.
 * A callback left NULL answers 501 (not provided).
 */
#define CONSOLE_TEXT_MAX	256

enum console_role {
	CONSOLE_VIEWER,		/* reads everything but the audit log */
	CONSOLE_OPERATOR,	/* also evacuates, cancels, runs routecheck */
};

struct console_err {
	int	 status;
	char	 text[CONSOLE_TEXT_MAX];
};

/* Who asks: handed to every write callback and to audit. */
struct console_actor {
	enum console_role	 role;
	const char		*session;	/* public session id (16 hex) */
	const char		*peer;		/* client address */
};

/*
 * An evacuation (or its dry run): names already validated.  Strings
 * handed to a callback live only during the call: copy what you keep.
 */
struct console_evac {
	const char	*workload;	/* group name or "ALL" */
	const char	*from;		/* member, or NULL: wherever they run */
	const char	*to;		/* member, or NULL: lgrd chooses */
	unsigned	 parallel;	/* 1-64, 0: lgrd's default */
};

/* A cancel: one guest's move (guest != NULL) or a whole job. */
struct console_cancel {
	const char	*guest;
	uint64_t	 job;
};

/*
 * {"members":[{"name","state","lease_age_ms","mem_used_mib",
 * "mem_total_mib","moves_in","moves_out","lan"}],
 * "guests":[{"name","member","workload","moving",
 * "hsi":[{"ifname","lan","state":"up"|"down","foreign"}]}]}
 */
typedef struct json_object *(*console_cluster_fn)(void *arg,
    struct console_err *err);
/*
 * The dry-run plan: {"waves":[["GUEST",...],...],"guests":[{"name",
 * "from","to","eligible","conflicts":["text",...]}],"predicted_ms"}.
 */
typedef struct json_object *(*console_plan_fn)(void *arg,
    const struct console_evac *evac, struct console_err *err);
/* Start an evacuation; the new job's id into *job. */
typedef int (*console_evacuate_fn)(void *arg,
    const struct console_evac *evac, const struct console_actor *who,
    uint64_t *job, struct console_err *err);
typedef int (*console_cancel_fn)(void *arg,
    const struct console_cancel *what, const struct console_actor *who,
    struct console_err *err);
/* {"jobs":[{"id","workload","state","started","ended","counts":{}}]} */
typedef struct json_object *(*console_jobs_fn)(void *arg,
    struct console_err *err);
/*
 * One job's report, as lgrd sends it to `lgrctl report`: {"job":{...},
 * "moves":[{...}]}, and "text": the same itemized table as lgrctl
 * prints it.
 */
typedef struct json_object *(*console_report_fn)(void *arg, uint64_t job,
    struct console_err *err);
/* {"moves":[...]}: every move, or one guest's (guest != NULL). */
typedef struct json_object *(*console_history_fn)(void *arg,
    const char *guest, struct console_err *err);
/* {"events":[{"id",...}]} / {"audit":[{"id",...}]} after id since. */
typedef struct json_object *(*console_since_fn)(void *arg, uint64_t since,
    struct console_err *err);
/*
 * {"routers":[{"router","checked","violations":["text",...]}]}, the
 * last routecheck per router.
 */
typedef struct json_object *(*console_routecheck_fn)(void *arg,
    struct console_err *err);
typedef int (*console_routecheck_run_fn)(void *arg,
    const struct console_actor *who, struct console_err *err);
/*
 * Write one audit record: who did what (action, a JSON text of the
 * arguments), with which HTTP status and text.  Called for every POST
 * that has a session, refused or not.
 */
typedef void (*console_audit_fn)(void *arg, const struct console_actor *who,
    const char *action, const char *args, int status, const char *text);
/* Before each /metrics scrape: set the gauges (console_stdmetrics). */
typedef void (*console_collect_fn)(void *arg, struct console *c);

struct console_provider {
	console_cluster_fn		 cluster;
	console_plan_fn			 plan;
	console_evacuate_fn		 evacuate;
	console_cancel_fn		 cancel;
	console_jobs_fn			 jobs;
	console_report_fn		 report;
	console_history_fn		 history;
	console_since_fn		 events;
	console_since_fn		 audit_read;
	console_routecheck_fn		 routecheck;
	console_routecheck_run_fn	 routecheck_run;
	console_audit_fn		 audit;
	console_collect_fn		 collect;
};

/*
 * -- server (server.c) ---------------------------------------------------
 */
struct console_options {
	const char	*address;	/* IPv4 or IPv6 literal; 127.0.0.1 */
	uint16_t	 port;		/* 0: any free port (console_port) */
	bool		 metrics;	/* serve /metrics (default true) */
	bool		 pages;		/* serve the console (default true) */
	size_t		 body_max;	/* bytes of a request body; 16 KiB */
	size_t		 url_max;	/* bytes of a URL with query; 2 KiB */
	unsigned	 rate;		/* requests per second per session; 20 */
	unsigned	 burst;		/* requests in a burst; 60 */
	unsigned	 sessions_max;	/* live sessions; 64 */
	unsigned	 token_ttl;	/* seconds a one-time token lives; 600 */
	unsigned	 idle_max;	/* seconds a session may idle; 28800 */
	unsigned	 keepalive;	/* seconds between SSE comments; 15 */
};

void		 console_options_init(struct console_options *o);
/*
 * A console, not yet listening.  The provider is copied; arg is handed
 * to every callback.  NULL with errno: EINVAL (bad address or option),
 * ENOMEM.
 */
struct console	*console_new(const struct console_options *o,
		    const struct console_provider *p, void *arg);
/* Bind and start serving.  -1 with errno (EADDRINUSE, EACCES, ...). */
int		 console_start(struct console *c);
/* The bound port (after console_start), 0 before. */
uint16_t	 console_port(const struct console *c);
/* Stop serving (streams end), then free; NULL is a no-op. */
void		 console_free(struct console *c);

/*
 * A URL with a new one-time token for role ("http://ADDR:PORT/login?
 * token=..."), what `lgrctl console-url` prints.  -1 with errno:
 * ENOBUFS (len too small), ENOSPC (too many unused tokens), EAGAIN
 * (console not started).
 */
int		 console_url(struct console *c, enum console_role role,
		    char *buf, size_t len);

/*
 * Push one message to every open /api/stream (Server-Sent Events):
 * type is the SSE event name, data a JSON object (not consumed).
 * Types the pages know: "event" (a directory event), "progress" (one
 * guest's move: {"job","guest","phase","pass","sent_mib","left_mib",
 * "rate_mibs","eta_ms","quiesce_ms","downtime_ms","convergence_ms",
 * "routecheck"}), "job" (a job's state changed), "cluster" (residency
 * or member state changed), "routecheck" (new results), "audit"
 * (operators only).  -1 with errno: EINVAL (bad type), ENOMEM.
 */
int		 console_publish(struct console *c, const char *type,
		    struct json_object *data);
/* How many /api/stream are open now: someone watches the pages (a
 * provider may skip work nobody would see while it is 0). */
unsigned	 console_watchers(struct console *c);

/*
 * -- metrics (metrics.c) -------------------------------------------------
 *
 * A registry of metric families in the Prometheus text exposition
 * format (version 0.0.4).  A family has at most one label; its series
 * are created on first use.  Thread-safe.
 */
enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
};

struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *m);
/*
 * A new family.  label is the label's name or NULL; bounds (histograms
 * only) the upper bounds of the buckets, increasing, +Inf implied.
 * NULL with errno: EINVAL (bad name, label or bounds), EEXIST, ENOMEM.
 */
struct metric	*metrics_add(struct metrics *m, enum metric_type type,
		    const char *name, const char *help, const char *label,
		    const double *bounds, size_t nbounds);
/* Counter += v (v >= 0), gauge = v, histogram observes v.  -1 EINVAL
 * (wrong type, negative increment, label value missing or not wanted),
 * ENOMEM. */
int		 metric_inc(struct metric *f, const char *label, double v);
int		 metric_set(struct metric *f, const char *label, double v);
int		 metric_observe(struct metric *f, const char *label, double v);
/* Forget every series of a family (members or routers gone). */
void		 metric_clear(struct metric *f);
/* The whole registry as exposition text, malloc'ed; NULL ENOMEM. */
char		*metrics_print(struct metrics *m, size_t *len);

/*
 * The families every lgrd exports (stdmetrics.c), created by
 * console_new, with lgr_console_requests_total{code}; the
 * provider's collect callback sets the gauges, lgrd counts and observes
 * each relocation's end.  Times are in seconds.
 */
struct console_stdmetrics {
	struct metric	*relocations;		/* counter {end_code} */
	struct metric	*duration;		/* histogram */
	struct metric	*quiesce;		/* histogram */
	struct metric	*downtime;		/* histogram, network */
	struct metric	*convergence;		/* histogram */
	struct metric	*member_up;		/* gauge {member} */
	struct metric	*guests;		/* gauge {member} */
	struct metric	*evacuation_running;	/* gauge */
	struct metric	*guests_moving;		/* gauge */
	struct metric	*routecheck_violations;	/* gauge {router} */
	struct metric	*directory_up;		/* gauge {backend} */
	struct metric	*directory_latency;	/* gauge {backend}, last check */
};

struct metrics	*console_metrics(struct console *c);
const struct console_stdmetrics *console_stdmetrics(struct console *c);

#endif
