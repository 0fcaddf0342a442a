/*
 * lgrctl.c: the operator's command (lgrctl(8)): one request to lgrd's
 * control socket, its answer through a formatter; evacuate and relocate
 * then follow the job with progress and print its report.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <json-c/json.h>

#include "keys.h"
#include "labname.h"
#include "lgrctl.h"

#define LGRCTL_POLL_MS	200

struct lgrctl {
	char			 labdir[PATH_MAX];
	const char		*role;
	const char		*keyfile;
	int			 timeout_ms;
	bool			 json;
	bool			 quiet;
	struct keys_client	 kc;
	void			*ctx;
	void			*sock;
	void			*mon;
	const struct output	*out;
};

typedef void (*lgrctl_row_cb)(struct lgrctl *c, enum lgr_req req,
    struct json_object *o, void *arg);

static volatile sig_atomic_t	lgrctl_stop;

static void
lgrctl_sigint(int sig)
{
	(void)sig;
	lgrctl_stop = 1;
}

static void __attribute__((noreturn))
usage(FILE *f, int code)
{
	parse_usage(f);
	exit(code);
}

static int
lgrctl_connect(struct lgrctl *c)
{
	char	ep[PATH_MAX + 80], path[PATH_MAX + 64];
	int	zero = 0;

	snprintf(path, sizeof(path), "%s/%s", c->labdir, LGRD_SOCK_NAME);
	if (access(path, F_OK) == -1) {
		fprintf(stderr, "lgrctl: lgrd is not running: no %s\n", path);
		return -1;
	}
	snprintf(ep, sizeof(ep), "ipc://%s", path);
	if ((c->sock = zmq_socket(c->ctx, ZMQ_DEALER)) == NULL ||
	    keys_client_setup(c->sock, &c->kc) == -1 ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_socket_monitor(c->sock, "inproc://lgrctl-mon",
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == -1 ||
	    (c->mon = zmq_socket(c->ctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(c->mon, "inproc://lgrctl-mon") == -1 ||
	    zmq_connect(c->sock, ep) == -1) {
		fprintf(stderr, "lgrctl: %s: %s\n", ep, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

static void
lgrctl_disconnect(struct lgrctl *c)
{
	if (c->sock != NULL)
		zmq_close(c->sock);
	if (c->mon != NULL)
		zmq_close(c->mon);
}

/* Wait for one answer frame; reports a refused key. */
static struct json_object *
lgrctl_recv(struct lgrctl *c, int *status)
{
	zmq_pollitem_t	it[2] = { { c->sock, 0, ZMQ_POLLIN, 0 },
			    { c->mon, 0, ZMQ_POLLIN, 0 } };
	int		rc;

	rc = zmq_poll(it, 2, c->timeout_ms);
	if (rc > 0 && (it[1].revents & ZMQ_POLLIN)) {
		fprintf(stderr, "lgrctl: lgrd refused our key (%s): "
		    "authentication failed\n", c->keyfile ? c->keyfile :
		    c->role);
		*status = LGRCTL_DENIED;
		return NULL;
	}
	if (rc <= 0) {
		fprintf(stderr, "lgrctl: no answer from lgrd within %d ms "
		    "(%s/%s)\n", c->timeout_ms, c->labdir, LGRD_SOCK_NAME);
		*status = LGRCTL_UNREACHABLE;
		return NULL;
	}
	return msg_recv_json(c->sock);
}

/* One request, every data frame to cb; returns an exit status. */
static int
lgrctl_request(struct lgrctl *c, const struct lgr_request *rq,
    lgrctl_row_cb cb, void *arg)
{
	struct json_object	*o, *req = lgr_request_encode(rq);
	const char		*text;
	int			 code, status = LGRCTL_OK, t;

	t = msg_send_json(c->sock, req, 0);
	json_object_put(req);
	if (t == -1)
		return LGRCTL_UNREACHABLE;
	for (;;) {
		if ((o = lgrctl_recv(c, &status)) == NULL)
			return status;
		if ((t = msg_terminator(o, &code, &text)) != 0) {
			if (t == -1) {
				fprintf(stderr, "lgrctl: %s\n", text);
				status = lgr_error_exit(code);
			}
			json_object_put(o);
			return status;
		}
		cb(c, rq->type, o, arg);
		json_object_put(o);
	}
}

static void
lgrctl_print(struct lgrctl *c, enum lgr_req req, struct json_object *o,
    void *arg)
{
	int	*rows = arg;

	c->out->row(req, o);
	(*rows)++;
}

/* Plan rows: printed, the ineligible ones counted. */
static void
lgrctl_plan_row(struct lgrctl *c, enum lgr_req req, struct json_object *o,
    void *arg)
{
	struct json_object	*v;
	int			*bad = arg;

	c->out->row(req, o);
	if (!json_object_object_get_ex(o, "eligible", &v) ||
	    !json_object_get_boolean(v))
		(*bad)++;
}

static void
lgrctl_keep(struct lgrctl *c, enum lgr_req req, struct json_object *o,
    void *arg)
{
	struct json_object	**last = arg;

	(void)c;
	(void)req;
	json_object_put(*last);
	*last = json_object_get(o);
}

static void
lgrctl_event(struct lgrctl *c, enum lgr_req req, struct json_object *o,
    void *arg)
{
	int64_t	*since = arg;

	(void)req;
	*since = json_object_get_int64(json_object_object_get(o, "id"));
	if (!c->json && !c->quiet)
		output_event(o);
}

static const char *
lgrctl_jstr(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "";
}

/* Exit status of a finished job from its counts. */
static int
lgrctl_job_status(struct json_object *rep)
{
	struct json_object	*job = json_object_object_get(rep, "job");

	return json_object_get_int(json_object_object_get(job, "not_moved")) ==
	    0 && strcmp(lgrctl_jstr(job, "state"), "DONE") == 0 ? LGRCTL_OK :
	    LGRCTL_FAILED;
}

/* Follow job id: progress and events until it ends, then the report. */
static int
lgrctl_follow(struct lgrctl *c, int64_t id)
{
	struct lgr_request	 st, ev;
	struct json_object	*rep = NULL;
	int64_t			 since = 0;
	int			 status;
	bool			 tty = isatty(STDERR_FILENO) && !c->quiet;

	lgr_request_init(&st, LGR_REQ_STATUS);
	st.id = (uint64_t)id;
	lgr_request_init(&ev, LGR_REQ_EVENTS);
	ev.id = (uint64_t)id;
	while (!lgrctl_stop) {
		ev.since = (uint64_t)since;
		if (tty)
			fprintf(stderr, "\r\033[K");
		if ((status = lgrctl_request(c, &ev, lgrctl_event, &since)) !=
		    0 || (status = lgrctl_request(c, &st, lgrctl_keep,
		    &rep)) != 0)
			return status;
		if (strcmp(lgrctl_jstr(json_object_object_get(rep, "job"),
		    "state"), "RUNNING") != 0)
			break;
		if (tty)
			output_progress(rep, true);
		fflush(stdout);
		usleep(LGRCTL_POLL_MS * 1000);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (lgrctl_stop) {
		fprintf(stderr, "lgrctl: job %jd continues in lgrd (lgrctl "
		    "status %jd; lgrctl cancel %jd)\n", (intmax_t)id,
		    (intmax_t)id, (intmax_t)id);
		json_object_put(rep);
		return LGRCTL_OK;
	}
	c->out->begin(LGR_REQ_REPORT);
	c->out->row(LGR_REQ_REPORT, rep);
	c->out->end(LGR_REQ_REPORT);
	status = lgrctl_job_status(rep);
	json_object_put(rep);
	return status;
}

static int
lgrctl_start(struct lgrctl *c, const struct parse_result *pr)
{
	struct json_object	*started = NULL;
	int64_t			 id;
	int			 status;

	status = lgrctl_request(c, &pr->rq, lgrctl_keep, &started);
	if (status != LGRCTL_OK || started == NULL) {
		json_object_put(started);
		return status != LGRCTL_OK ? status : LGRCTL_ERROR;
	}
	id = json_object_get_int64(json_object_object_get(started, "id"));
	if (!c->json && !c->quiet)
		output_text.row(pr->rq.type, started);
	if (pr->flags & PARSE_NO_WAIT) {
		if (c->json)
			printf("%s\n", json_object_to_json_string(started));
		json_object_put(started);
		return LGRCTL_OK;
	}
	json_object_put(started);
	signal(SIGINT, lgrctl_sigint);
	signal(SIGTERM, lgrctl_sigint);
	return lgrctl_follow(c, id);
}

static int
lgrctl_events_follow(struct lgrctl *c, struct lgr_request *rq)
{
	int64_t	since = 0;
	int	status;

	signal(SIGINT, lgrctl_sigint);
	signal(SIGTERM, lgrctl_sigint);
	output_text.begin(LGR_REQ_EVENTS);
	c->json = false;
	while (!lgrctl_stop) {
		rq->since = (uint64_t)since;
		if ((status = lgrctl_request(c, rq, lgrctl_event, &since)) != 0)
			return status;
		fflush(stdout);
		usleep(250 * 1000);
	}
	return LGRCTL_OK;
}

static int
lgrctl_run(struct lgrctl *c, struct parse_result *pr)
{
	enum lgr_req	req = pr->rq.type;
	int		status, rows = 0;

	if (req == LGR_REQ_EVACUATE || req == LGR_REQ_RELOCATE)
		return lgrctl_start(c, pr);
	if (req == LGR_REQ_EVENTS && (pr->flags & PARSE_FOLLOW))
		return lgrctl_events_follow(c, &pr->rq);
	if (req == LGR_REQ_STATUS && pr->rq.id != LGR_UNSET)
		req = LGR_REQ_REPORT;	/* one job: its report, with progress */
	c->out->begin(req);
	status = lgrctl_request(c, &pr->rq, req == LGR_REQ_PLAN ?
	    lgrctl_plan_row : lgrctl_print, &rows);
	if (req == LGR_REQ_PLAN && status == LGRCTL_OK && rows > 0)
		status = LGRCTL_FAILED;
	if (status == LGRCTL_OK || req == LGR_REQ_CHECK || req == LGR_REQ_PLAN)
		c->out->end(req);
	return status;
}

static void
lgrctl_options(int argc, char **argv, struct lgrctl *c, int *first)
{
	static const struct option	lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char			*dir = NULL, *lab = NULL;
	int				 ch;

	c->role = "operator";
	c->timeout_ms = 60000;
	while ((ch = getopt_long(argc, argv, "+D:hjk:K:l:qt:V", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'D':
			dir = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'k':
			c->role = optarg;
			break;
		case 'K':
			c->keyfile = optarg;
			break;
		case 'l':
			lab = optarg;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 't':
			c->timeout_ms = atoi(optarg) > 0 ? atoi(optarg) : 60000;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("lgrctl %s\n", LGR_VERSION);
			exit(0);
		default:
			usage(stderr, LGRCTL_USAGE);
		}
	}
	if (labname_pick(dir, lab, c->labdir, sizeof(c->labdir)) == NULL) {
		fprintf(stderr, "lgrctl: which lab? (-D labdir or -l lab)\n");
		exit(LGRCTL_USAGE);
	}
	*first = optind;
}

int
main(int argc, char **argv)
{
	static struct lgrctl	c;
	struct parse_result	pr;
	int			first, status;

	lgrctl_options(argc, argv, &c, &first);
	if (parse(argc - first, argv + first, &pr) == -1)
		return LGRCTL_USAGE;
	c.out = c.json ? &output_json : &output_text;
	if (access(c.labdir, F_OK) == -1) {
		fprintf(stderr, "lgrctl: no lab at %s (is it up?)\n", c.labdir);
		return LGRCTL_UNREACHABLE;
	}
	if (keys_load_client(c.labdir, c.role, c.keyfile, &c.kc) == -1) {
		fprintf(stderr, "lgrctl: key %s in %s/%s: %s%s\n", c.keyfile ?
		    c.keyfile : c.role, c.labdir, KEYS_DIR, strerror(errno),
		    errno == EPERM ? " (mode must be 0600)" : "");
		return LGRCTL_DENIED;
	}
	if ((c.ctx = zmq_ctx_new()) == NULL || lgrctl_connect(&c) == -1)
		return LGRCTL_UNREACHABLE;
	status = lgrctl_run(&c, &pr);
	lgrctl_disconnect(&c);
	zmq_ctx_term(c.ctx);
	return status;
}
