/*
 * web.h: private to lgrd's side of the operator's console (web*.c,
 * lgr-console(8)).  lgrd.h has what the rest of lgrd calls (web_open,
 * web_close, web_url, web_progress, web_move_end, web_job).
 *
 * The console's server threads call the provider (web_provider);
 * move and runner threads call the stream's functions; two threads of
 * ours run: the watch thread (web_stream.c: events, audit, residency)
 * and the agents' thread (web_hsi.c: HSI link states).  Everything
 * below the lock in struct web is guarded by it; the rest of lgrd's
 * state by its own locks (d->lock, job->lock).
 */
#ifndef LGR_WEB_H
#define LGR_WEB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "console.h"
#include "lgrd.h"

struct web {
	struct lgrd		*d;
	struct console		*c;
	pthread_t		 watch, agents;
	bool			 watching, polling;
	atomic_bool		 quit;
	char			 backend[16];	/* the directory's: sqlite, etcd */
	pthread_mutex_t		 lock;		/* below */
	struct json_object	*routers;	/* the last routecheck */
	bool			 checking;	/* a routecheck runs */
	struct json_object	**status;	/* per topology guest: its
						   agent's, NULL unknown */
	/* the agents' thread (web_hsi.c); not under the lock */
	atomic_llong		 hsi_asked;	/* ms: links last asked for */
	atomic_llong		 hsi_round_ms;	/* ms: last round's end */
	atomic_ullong		 hsi_rounds;	/* rounds done */
};

/* web.c: the provider's table, start and stop, and small helpers. */
extern const struct console_provider	web_provider;

void		 web_err(struct console_err *err, int status, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
/* A reply code of the control socket as an HTTP status. */
int		 web_status(int code);
void		 web_add_str(struct json_object *o, const char *key,
		    const char *v);
/* A time in ms to a tenth, left out when not measured (< 0). */
void		 web_add_ms(struct json_object *o, const char *key, double v);
/* {key: arr} (an empty array when arr is NULL). */
struct json_object *web_wrap(const char *key, struct json_object *arr);
void		 web_lower(char *s);
/* Sleep ms, or less when w->quit is set. */
void		 web_sleep(struct web *w, unsigned ms);

/* A field the console shows, taken from a row of lgrd (hv.c, journal). */
enum web_kind {
	WEB_STR,		/* a string */
	WEB_LOWER,		/* a string in lower case */
	WEB_NUM,		/* a number */
	WEB_INT,		/* an integer */
	WEB_SEC,		/* ms to seconds, left out when 0 */
};
struct web_field {
	const char	*key;		/* the console's name */
	const char	*from;		/* the row's */
	enum web_kind	 kind;
};
/* Add every field of the table (ended by a NULL key) from row to o. */
void		 web_fields(struct json_object *o, struct json_object *row,
		    const struct web_field *f);
/* Copy the keys (a NULL-ended list) of row to o as they are. */
void		 web_copy(struct json_object *o, struct json_object *row,
		    const char *const *keys);

/* web_cluster.c: the cluster view (hvd's residency, lgrd's moves). */
struct json_object *web_cluster(void *arg, struct console_err *err);
/* "GUEST@MEMBER/STATE ..." of every guest, to notice a change. */
void		 web_residency(struct hv *h, char *buf, size_t len);

/* web_hsi.c: the guests' HSI links as their agents report them. */
int		 web_hsi_start(struct web *w);
void		 web_hsi_stop(struct web *w);
/* Links are about to be read: wait (a while) for a fresh round when
 * the agents were not asked lately. */
void		 web_hsi_fresh(struct web *w);
/* Guest g's links for the page ([{ifname, lan, state, foreign}]),
 * member the one it runs on. */
struct json_object *web_hsi(struct web *w, int g, const char *member);
/* The links of an agent's status: up when operationally up, foreign
 * when up on the LAN of another member than member. */
struct json_object *web_hsi_links(struct json_object *status,
		    const char *member);

/* web_jobs.c: plan, evacuate and cancel; jobs, reports, history. */
struct json_object *web_plan(void *arg, const struct console_evac *ev,
		    struct console_err *err);
int		 web_evacuate(void *arg, const struct console_evac *ev,
		    const struct console_actor *who, uint64_t *job,
		    struct console_err *err);
int		 web_cancel(void *arg, const struct console_cancel *what,
		    const struct console_actor *who, struct console_err *err);
struct json_object *web_jobs(void *arg, struct console_err *err);
struct json_object *web_report(void *arg, uint64_t job,
		    struct console_err *err);
struct json_object *web_history(void *arg, const char *guest,
		    struct console_err *err);

/* web_log.c: the journal's events and audit records. */
struct json_object *web_events(void *arg, uint64_t since,
		    struct console_err *err);
struct json_object *web_audit_read(void *arg, uint64_t since,
		    struct console_err *err);
void		 web_audit(void *arg, const struct console_actor *who,
		    const char *action, const char *args, int status,
		    const char *text);
/* The rows after id since, renamed for the console (NULL: none). */
struct json_object *web_log_events(struct lgrd *d, int64_t since);
struct json_object *web_log_audit(struct lgrd *d, int64_t since);

/* web_routing.c: the last routecheck per router, and running one. */
struct json_object *web_routecheck(void *arg, struct console_err *err);
int		 web_routecheck_run(void *arg, const struct console_actor *who,
		    struct console_err *err);

/* web_metrics.c: the lgr_* metrics (console_stdmetrics). */
void		 web_collect(void *arg, struct console *c);
/* A move ended with end: counted, and timed when DONE. */
void		 web_metrics_move(struct web *w, const struct move *m,
		    const char *end);

/* web_stream.c: the watch thread (journal rows, residency changes). */
void		*web_watch(void *arg);

#endif
