/*
 * lgrctl.c: the operator's command (lgrctl(8)): one request to lgrd's
 * control socket (common/ctlclient.h), its answer through a formatter;
 * evacuate and relocate then follow the job with progress and print its
 * report.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctlclient.h"
#include "keys.h"
#include "labname.h"
#include "lgrctl.h"
#include "sig.h"

#define LGRCTL_POLL_MS		200	/* a followed job's status */
#define LGRCTL_EVENTS_MS	250	/* events -f */
#define LGRCTL_GONE_MAX		5	/* lgrd gone in a row while following */

struct lgrctl {
	struct parse_result	 pr;
	char			 labdir[PATH_MAX];
	struct keys_client	 kc;
	struct ctlclient	*cl;
	const struct output	*out;
	enum lgrd_req		 req;		/* of the rows being printed */
	bool			 begun;		/* the formatter's begin done */
	int			 bad;		/* ineligible plan rows */
	int64_t			 since;		/* last event id seen */
	bool			 gone;		/* lgrd went away unanswering */
	int			 ngone;		/* ... in a row, following */
	struct json_object	*last;		/* last row kept */
};

/* Set by SIGINT/SIGTERM while a job or events are followed. */
static volatile sig_atomic_t	lgrctl_stop;

static void
lgrctl_signal(int sig)
{
	(void)sig;
	lgrctl_stop = 1;
}

/* One request, every data frame to fn; returns an exit status. */
static int
lgrctl_request(struct lgrctl *c, const struct lgrd_request *rq,
    ctlclient_row_fn fn)
{
	struct json_object	*req = lgrd_request_encode(rq);
	char			 text[512];
	int			 code = 0, rc;

	rc = ctlclient_request(c->cl, req, c->pr.timeout_ms, fn, c, &code,
	    text, sizeof(text));
	json_object_put(req);
	if (rc == -1) {
		rc = errno;
		c->gone = rc == ECONNRESET;
		fprintf(stderr, "lgrctl: %s\n", ctlclient_errtext());
		return rc == EACCES ? LGRCTL_DENIED : LGRCTL_UNREACHABLE;
	}
	c->ngone = 0;
	if (rc == 1) {
		fprintf(stderr, "lgrctl: %s\n", text);
		return parse_exit_code(code);
	}
	return LGRCTL_OK;
}

/* A row to the formatter; the header only with the first row. */
static void
lgrctl_print(struct json_object *o, void *arg)
{
	struct lgrctl		*c = arg;
	struct json_object	*v;

	if (!c->begun)
		c->out->begin(c->req);
	c->begun = true;
	c->out->row(c->req, o);
	if (c->req == LGRD_REQ_PLAN && json_object_object_get_ex(o, "guest",
	    NULL) && (!json_object_object_get_ex(o, "eligible", &v) ||
	    !json_object_get_boolean(v)))
		c->bad++;
}

static void
lgrctl_keep(struct json_object *o, void *arg)
{
	struct lgrctl	*c = arg;

	json_object_put(c->last);
	c->last = json_object_get(o);
}

static void
lgrctl_event(struct json_object *o, void *arg)
{
	struct lgrctl	*c = arg;

	c->since = json_object_get_int64(json_object_object_get(o, "id"));
	if (!c->pr.json && !c->pr.quiet)
		output_event(o);
}

/* Exit status of a finished job: OK when it is DONE and every move
 * moved cleanly (lgrd_move_clean). */
static int
lgrctl_job_status(struct json_object *rep)
{
	struct json_object	*job = json_object_object_get(rep, "job");
	struct json_object	*moves = json_object_object_get(rep, "moves");
	double			 budget = lgrd_row_num(job,
				    "max_blackhole_ms", -1);

	if (strcmp(lgrd_row_str(job, "state", ""), "DONE") != 0 ||
	    lgrd_row_num(job, "not_moved", 0) != 0)
		return LGRCTL_FAILED;
	for (size_t i = 0; moves != NULL && i < json_object_array_length(moves);
	    i++)
		if (!lgrd_move_clean(json_object_array_get_idx(moves, i),
		    budget))
			return LGRCTL_FAILED;
	return LGRCTL_OK;
}

/* The progress line on a terminal, cut to its width. */
static void
lgrctl_progress(struct json_object *rep)
{
	struct winsize	ws;
	char		line[2048];
	int		width = 150;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col - 1;
	output_progress_line(rep, line, sizeof(line));
	fprintf(stderr, "\r\033[K%.*s", width, line);
}

/*
 * While following: lgrd went away before it answered (stopped, or killed
 * and started again: its journal has the job and the next lgrd takes it
 * over).  Say so and go on; the next request waits for the new lgrd up
 * to the time-out.  Not more than LGRCTL_GONE_MAX times in a row.
 */
static bool
lgrctl_follow_on(struct lgrctl *c, int status, const char *what)
{
	if (status != LGRCTL_UNREACHABLE || !c->gone ||
	    ++c->ngone > LGRCTL_GONE_MAX)
		return false;
	fprintf(stderr, "lgrctl: following %s again once lgrd is back\n",
	    what);
	return true;
}

/* Follow job id: progress and events until it ends, then the report. */
static int
lgrctl_follow(struct lgrctl *c, int64_t id)
{
	struct lgrd_request	st, ev;
	int			status;
	bool			tty = isatty(STDERR_FILENO) && !c->pr.quiet;
	char			what[64];

	lgrd_request_init(&st, LGRD_REQ_STATUS);
	st.id = (uint64_t)id;
	lgrd_request_init(&ev, LGRD_REQ_EVENTS);
	ev.id = (uint64_t)id;
	snprintf(what, sizeof(what), "job %jd", (intmax_t)id);
	sig_setup(lgrctl_signal, false);
	while (!lgrctl_stop) {
		ev.since = (uint64_t)c->since;
		if (tty)
			fprintf(stderr, "\r\033[K");
		if ((status = lgrctl_request(c, &ev, lgrctl_event)) != 0 ||
		    (status = lgrctl_request(c, &st, lgrctl_keep)) != 0) {
			if (lgrctl_follow_on(c, status, what))
				continue;
			return status;
		}
		if (strcmp(lgrd_row_str(json_object_object_get(c->last,
		    "job"), "state", ""), "RUNNING") != 0)
			break;
		if (tty)
			lgrctl_progress(c->last);
		fflush(stdout);
		usleep(LGRCTL_POLL_MS * 1000);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (lgrctl_stop) {
		fprintf(stderr, "lgrctl: job %jd continues in lgrd (lgrctl "
		    "status %jd; lgrctl cancel %jd)\n", (intmax_t)id,
		    (intmax_t)id, (intmax_t)id);
		return LGRCTL_OK;
	}
	c->out->begin(LGRD_REQ_REPORT);
	c->out->row(LGRD_REQ_REPORT, c->last);
	c->out->end(LGRD_REQ_REPORT);
	return lgrctl_job_status(c->last);
}

static int
lgrctl_start(struct lgrctl *c)
{
	int64_t	id;
	int	status;

	status = lgrctl_request(c, &c->pr.rq, lgrctl_keep);
	if (status != LGRCTL_OK || c->last == NULL)
		return status != LGRCTL_OK ? status : LGRCTL_ERROR;
	id = json_object_get_int64(json_object_object_get(c->last, "id"));
	if (!c->pr.json && !c->pr.quiet)
		output_started(c->last);
	if (c->pr.flags & PARSE_NO_WAIT) {
		if (c->pr.json)
			printf("%s\n", json_object_to_json_string(c->last));
		return LGRCTL_OK;
	}
	return lgrctl_follow(c, id);
}

static int
lgrctl_events_follow(struct lgrctl *c)
{
	int	status;

	sig_setup(lgrctl_signal, false);
	c->pr.json = false;
	output_text.begin(LGRD_REQ_EVENTS);
	while (!lgrctl_stop) {
		c->pr.rq.since = (uint64_t)c->since;
		if ((status = lgrctl_request(c, &c->pr.rq, lgrctl_event)) !=
		    0) {
			if (lgrctl_follow_on(c, status, "the events"))
				continue;
			return status;
		}
		fflush(stdout);
		usleep(LGRCTL_EVENTS_MS * 1000);
	}
	return LGRCTL_OK;
}

/* status JOB: the job's line, then (text) its moves with their steps. */
static int
lgrctl_status_job(struct lgrctl *c)
{
	int	status;

	if ((status = lgrctl_request(c, &c->pr.rq, lgrctl_keep)) != 0)
		return status;
	c->out->begin(LGRD_REQ_STATUS);
	c->out->row(LGRD_REQ_STATUS, c->last);
	if (!c->pr.json)
		output_moves(c->last);
	c->out->end(LGRD_REQ_STATUS);
	return LGRCTL_OK;
}

static int
lgrctl_run(struct lgrctl *c)
{
	int	status;

	c->req = (enum lgrd_req)c->pr.rq.type;
	if (c->req == LGRD_REQ_EVACUATE || c->req == LGRD_REQ_RELOCATE)
		return lgrctl_start(c);
	if (c->req == LGRD_REQ_EVENTS && (c->pr.flags & PARSE_FOLLOW))
		return lgrctl_events_follow(c);
	if (c->req == LGRD_REQ_STATUS && c->pr.rq.id != CODEC_UNSET)
		return lgrctl_status_job(c);
	status = lgrctl_request(c, &c->pr.rq, lgrctl_print);
	if (status == LGRCTL_OK && !c->begun) {
		c->out->begin(c->req);	/* an empty table */
		c->begun = true;
	}
	if (c->begun)
		c->out->end(c->req);
	if (c->req == LGRD_REQ_PLAN && status == LGRCTL_OK && c->bad > 0)
		status = LGRCTL_FAILED;
	return status;
}

static void
lgrctl_args(struct lgrctl *c, int argc, char **argv)
{
	char	err[512];

	if (parse_args(argc, argv, &c->pr, err, sizeof(err)) == -1) {
		fprintf(stderr, "lgrctl: %s\ntry 'lgrctl --help'\n", err);
		exit(LGRCTL_USAGE);
	}
	if (c->pr.help) {
		parse_usage(stdout);
		exit(0);
	}
	if (c->pr.version) {
		printf("lgrctl %s\n", LGR_VERSION);
		exit(0);
	}
	if (labname_pick(c->pr.labdir, c->pr.lab, c->labdir,
	    sizeof(c->labdir)) == NULL) {
		fprintf(stderr, "lgrctl: which lab? (-D labdir or -l lab)\n");
		exit(LGRCTL_USAGE);
	}
}

/* The key and the connection; an exit status. */
static int
lgrctl_connect(struct lgrctl *c)
{
	char	path[PATH_MAX], ep[PATH_MAX + 8];

	if (access(c->labdir, F_OK) == -1) {
		fprintf(stderr, "lgrctl: no lab at %s (is it up?)\n", c->labdir);
		return LGRCTL_UNREACHABLE;
	}
	if (keys_load_client(c->labdir, c->pr.role, c->pr.keyfile, &c->kc) ==
	    -1) {
		fprintf(stderr, "lgrctl: key %s in %s/%s: %s%s\n",
		    c->pr.keyfile ? c->pr.keyfile : c->pr.role, c->labdir,
		    KEYS_DIR, strerror(errno), errno == EPERM ?
		    " (mode must be 0600)" : "");
		return LGRCTL_DENIED;
	}
	if (labname_lgrd_sock(c->labdir, path, sizeof(path)) == NULL ||
	    labname_ipc(path, ep, sizeof(ep)) == NULL) {
		fprintf(stderr, "lgrctl: %s: %s\n", c->labdir, strerror(errno));
		return LGRCTL_USAGE;
	}
	if ((c->cl = ctlclient_open(NULL, ep, &c->kc, CTLCLIENT_CONNECT_MS)) ==
	    NULL) {
		fprintf(stderr, "lgrctl: %s\n", ctlclient_errtext());
		return errno == EACCES ? LGRCTL_DENIED : LGRCTL_UNREACHABLE;
	}
	return LGRCTL_OK;
}

int
main(int argc, char **argv)
{
	static struct lgrctl	c;
	int			status;

	lgrctl_args(&c, argc, argv);
	c.out = c.pr.json ? &output_json : &output_text;
	if ((status = lgrctl_connect(&c)) == LGRCTL_OK)
		status = lgrctl_run(&c);
	json_object_put(c.last);
	ctlclient_close(c.cl);
	return status;
}
