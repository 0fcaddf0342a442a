/*
 * web.c: lgrd's side of the operator's console (orchestrator/console,
 * lgr-console(8)): the provider's table, start and stop, the one-time
 * URLs, and the helpers the other web_*.c share (web.h).
 *
 *   web_cluster.c	the cluster view: members, guests where hvd says
 *   web_hsi.c		the guests' HSI links, from their agents
 *   web_jobs.c		plan, evacuate, cancel; jobs, reports, history
 *   web_log.c		events and audit records
 *   web_routing.c	routecheck results and runs
 *   web_metrics.c	the lgr_* metrics
 *   web_stream.c	what lgrd's threads publish, and the watch thread
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"
#include "web.h"

#define WEB_URL_FILE	"console.url"
#define WEB_DIR_FILE	"directory"	/* hvd's: "KIND WHERE LAB" */
#define WEB_SLEEP_MS	50		/* web_sleep's step */

const struct console_provider web_provider = {
	.cluster = web_cluster,
	.plan = web_plan,
	.evacuate = web_evacuate,
	.cancel = web_cancel,
	.jobs = web_jobs,
	.report = web_report,
	.history = web_history,
	.events = web_events,
	.audit_read = web_audit_read,
	.routecheck = web_routecheck,
	.routecheck_run = web_routecheck_run,
	.audit = web_audit,
	.collect = web_collect,
};

/* --- small helpers ------------------------------------------------- */

void
web_err(struct console_err *err, int status, const char *fmt, ...)
{
	va_list	ap;

	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

int
web_status(int code)
{
	switch (code) {
	case REPLY_E_NOTFOUND:
		return 404;
	case REPLY_E_CONFLICT:
	case REPLY_E_EMPTY:
	case REPLY_E_REFUSED:
		return 409;
	case REPLY_E_BUSY:
		return 423;
	case REPLY_E_DENIED:
		return 403;
	case REPLY_E_UNAVAILABLE:
		return 503;
	default:
		return code >= 9000 ? 400 : 500;
	}
}

void
web_add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

void
web_add_ms(struct json_object *o, const char *key, double v)
{
	char	buf[32];

	if (v < 0)
		return;
	snprintf(buf, sizeof(buf), "%.1f", v);
	json_object_object_add(o, key, json_object_new_double_s(v, buf));
}

struct json_object *
web_wrap(const char *key, struct json_object *arr)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, key, arr ? arr : json_object_new_array());
	return o;
}

void
web_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void
web_sleep(struct web *w, unsigned ms)
{
	struct timespec	ts = { 0, WEB_SLEEP_MS * 1000000L };

	for (unsigned t = 0; t < ms && !atomic_load(&w->quit);
	    t += WEB_SLEEP_MS)
		nanosleep(&ts, NULL);
}

static struct json_object *
web_field_value(struct json_object *row, const struct web_field *f)
{
	char	buf[64];
	double	v = lgrd_row_num(row, f->from, 0);

	switch (f->kind) {
	case WEB_STR:
		return json_object_new_string(lgrd_row_str(row, f->from, ""));
	case WEB_LOWER:
		snprintf(buf, sizeof(buf), "%s", lgrd_row_str(row, f->from,
		    "?"));
		web_lower(buf);
		return json_object_new_string(buf);
	case WEB_INT:
		return json_object_new_int64((int64_t)v);
	case WEB_SEC:
		return v > 0 ? json_object_new_double(v / 1000.0) : NULL;
	default:
		return json_object_new_double(v);
	}
}

void
web_fields(struct json_object *o, struct json_object *row,
    const struct web_field *f)
{
	struct json_object	*v;

	for (; f->key != NULL; f++)
		if ((v = web_field_value(row, f)) != NULL)
			json_object_object_add(o, f->key, v);
}

void
web_copy(struct json_object *o, struct json_object *row,
    const char *const *keys)
{
	struct json_object	*v;

	for (; *keys != NULL; keys++)
		if (json_object_object_get_ex(row, *keys, &v))
			json_object_object_add(o, *keys, json_object_get(v));
}

/* --- start and stop ------------------------------------------------ */

/* LABDIR/console.url (0600): an operator's one-time URL, for nslab up. */
static void
web_write_url(struct lgrd *d)
{
	char	path[PATH_MAX], url[256];
	int	fd;

	if (console_url(d->web->c, CONSOLE_OPERATOR, url, sizeof(url)) == -1)
		return;
	snprintf(path, sizeof(path), "%.*s/%s", (int)sizeof(path) - 16,
	    d->opts.labdir, WEB_URL_FILE);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1 || dprintf(fd, "%s\n", url) < 0)
		log_warn("[LGR-CONSOLE] %s", path);
	if (fd != -1)
		close(fd);
}

/* The directory's kind from hvd's LABDIR/directory (sqlite when none). */
static void
web_backend(struct lgrd *d, char *kind, size_t len)
{
	char	path[PATH_MAX], word[16] = "";
	FILE	*f;

	snprintf(path, sizeof(path), "%.*s/%s", (int)sizeof(path) - 16,
	    d->opts.labdir, WEB_DIR_FILE);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%15s", word) != 1)
			word[0] = '\0';
		fclose(f);
	}
	snprintf(kind, len, "%s", word[0] ? word : "sqlite");
}

static struct web *
web_new(struct lgrd *d)
{
	struct web	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->status = calloc(d->topo->nguests + 1,
	    sizeof(*w->status))) == NULL) {
		free(w);
		return NULL;
	}
	w->d = d;
	pthread_mutex_init(&w->lock, NULL);
	web_backend(d, w->backend, sizeof(w->backend));
	return w;
}

static void
web_free(struct web *w)
{
	for (size_t i = 0; i < w->d->topo->nguests; i++)
		json_object_put(w->status[i]);
	free(w->status);
	json_object_put(w->routers);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static void
web_options(struct lgrd *d, struct console_options *o)
{
	console_options_init(o);
	if (d->opts.console_address[0] != '\0')
		o->address = d->opts.console_address;
	o->port = (uint16_t)d->opts.console_port;
	o->pages = d->opts.console;
	o->metrics = d->opts.metrics;
}

/* Our threads: the watch (events, audit, residency) and, when pages
 * are served, the agents' (HSI links). */
static void
web_threads_start(struct web *w, bool pages)
{
	w->watching = pthread_create(&w->watch, NULL, web_watch, w) == 0;
	if (pages && web_hsi_start(w) == -1)
		log_warn("[LGR-CONSOLE] the agents' thread (HSI links shown "
		    "unknown)");
}

int
web_open(struct lgrd *d)
{
	struct console_options	 o;
	struct web		*w;

	if (!d->opts.console && !d->opts.metrics)
		return 0;
	if ((w = web_new(d)) == NULL)
		return -1;
	web_options(d, &o);
	d->web = w;		/* the callbacks may run from now on */
	if ((w->c = console_new(&o, &web_provider, d)) == NULL ||
	    console_start(w->c) == -1) {
		log_warn("[LGR-CONSOLE] console on %s port %u", o.address,
		    d->opts.console_port);
		console_free(w->c);
		d->web = NULL;
		web_free(w);
		return -1;
	}
	log_info("[LGR-CONSOLE] console on http://%s:%u/%s%s", o.address,
	    console_port(w->c), o.pages ? "" : " (pages off)", o.metrics ?
	    ", /metrics" : "");
	if (o.pages)
		web_write_url(d);
	web_threads_start(w, o.pages);
	return 0;
}

void
web_close(struct lgrd *d)
{
	struct web	*w = d->web;

	if (w == NULL)
		return;
	atomic_store(&w->quit, true);
	if (w->watching)
		pthread_join(w->watch, NULL);
	web_hsi_stop(w);
	console_free(w->c);
	d->web = NULL;
	web_free(w);
}

int
web_url(struct lgrd *d, int role, char *buf, size_t len)
{
	if (d->web == NULL || !d->opts.console) {
		errno = EAGAIN;
		return -1;
	}
	return console_url(d->web->c, role ? CONSOLE_OPERATOR : CONSOLE_VIEWER,
	    buf, len);
}
