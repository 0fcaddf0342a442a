/*
 * hvctl.c: the hypervisor's own command (z/VM's CP VMRELOCATE and
 * QUERY): one request to an hvd's control socket, its answer through a
 * formatter.  A request about a guest that runs elsewhere is sent again
 * to the member the daemon names.
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

#include "hvctl.h"
#include "keys.h"
#include "labname.h"

#define HVCTL_POLL_MS	100

struct hvctl {
	char			 labdir[PATH_MAX];
	char			 member[MSG_NAME_MAX];
	const char		*role;
	const char		*keyfile;
	int			 timeout_ms;
	bool			 json;
	struct keys_client	 kc;
	void			*ctx;
	void			*sock;
	void			*mon;
	const struct output	*out;
	char			 redirect[MSG_NAME_MAX];
};

static volatile sig_atomic_t	hvctl_stop;

static void
hvctl_sigint(int sig)
{
	(void)sig;
	hvctl_stop = 1;
}

static void __attribute__((noreturn))
usage(FILE *f, int code)
{
	parse_usage(f);
	exit(code);
}

/* Is the hvd of that member running (its pid file names a process)? */
static bool
hvctl_member_alive(struct hvctl *c, const char *member, size_t len)
{
	char	path[PATH_MAX + 64];
	FILE	*f;
	int	pid = 0;

	snprintf(path, sizeof(path), "%s/hvd-%.*s.pid", c->labdir, (int)len,
	    member);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* The default member: the first running one with a control socket. */
static int
hvctl_default_member(struct hvctl *c)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 len;
	char		 best[MSG_NAME_MAX] = "";

	if ((d = opendir(c->labdir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (strncmp(de->d_name, "hvd-", 4) != 0 || len < 9 ||
		    strcmp(de->d_name + len - 4, ".ctl") != 0 ||
		    len - 8 >= sizeof(best) ||
		    !hvctl_member_alive(c, de->d_name + 4, len - 8))
			continue;
		if (best[0] == '\0' || strncmp(de->d_name + 4, best,
		    len - 8) < 0)
			snprintf(best, sizeof(best), "%.*s", (int)(len - 8),
			    de->d_name + 4);
	}
	closedir(d);
	if (best[0] == '\0')
		return -1;
	snprintf(c->member, sizeof(c->member), "%s", best);
	return 0;
}

static void
hvctl_disconnect(struct hvctl *c)
{
	if (c->sock != NULL)
		zmq_close(c->sock);
	if (c->mon != NULL)
		zmq_close(c->mon);
	c->sock = c->mon = NULL;
}

static int
hvctl_connect(struct hvctl *c)
{
	static int	n;
	char		ep[PATH_MAX + 64], mon[64];
	int		zero = 0;

	hvctl_disconnect(c);
	snprintf(ep, sizeof(ep), "ipc://%s/hvd-%s.ctl", c->labdir, c->member);
	snprintf(mon, sizeof(mon), "inproc://hvctl-mon-%d", n++);
	if ((c->sock = zmq_socket(c->ctx, ZMQ_DEALER)) == NULL ||
	    keys_client_setup(c->sock, &c->kc) == -1 ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_socket_monitor(c->sock, mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == -1 ||
	    (c->mon = zmq_socket(c->ctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(c->mon, mon) == -1 || zmq_connect(c->sock, ep) == -1) {
		fprintf(stderr, "hvctl: %s: %s\n", ep, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* Wait for one answer frame; reports a refused key. */
static struct json_object *
hvctl_recv(struct hvctl *c, int *status)
{
	zmq_pollitem_t	it[2] = { { c->sock, 0, ZMQ_POLLIN, 0 },
			    { c->mon, 0, ZMQ_POLLIN, 0 } };
	int		rc;

	rc = zmq_poll(it, 2, c->timeout_ms);
	if (rc > 0 && (it[1].revents & ZMQ_POLLIN)) {
		fprintf(stderr, "hvctl: hvd on %s refused our key (%s): "
		    "authentication failed\n", c->member, c->keyfile ?
		    c->keyfile : c->role);
		*status = HVCTL_DENIED;
		return NULL;
	}
	if (rc <= 0) {
		fprintf(stderr, "hvctl: no answer from hvd on %s within %d ms "
		    "(%s/hvd-%s.ctl)\n", c->member, c->timeout_ms, c->labdir,
		    c->member);
		*status = HVCTL_CONNECT;
		return NULL;
	}
	return msg_recv_json(c->sock);
}

static int
hvctl_error_status(int code)
{
	switch (code) {
	case CTL_E_DENIED:
		return HVCTL_DENIED;
	case CTL_E_CONFLICT:
		return HVCTL_CONFLICT;
	case CTL_E_NOTFOUND:
		return HVCTL_NOTFOUND;
	case CTL_E_REFUSED:
		return HVCTL_REFUSED;
	case CTL_E_BADREQ:
		return HVCTL_USAGE;
	default:
		return HVCTL_ERROR;
	}
}

typedef void (*hvctl_row_cb)(struct hvctl *c, enum ctl_req req,
    struct json_object *o, void *arg);

static bool
hvctl_is_redirect(struct hvctl *c, struct json_object *o)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, "redirect", &v))
		return false;
	snprintf(c->redirect, sizeof(c->redirect), "%s",
	    json_object_get_string(v));
	return true;
}

/* One request, every answer frame to cb; returns an exit status. */
static int
hvctl_request(struct hvctl *c, const struct ctl_request *rq, hvctl_row_cb cb,
    void *arg, bool quiet)
{
	struct json_object	*o, *req = ctl_request_encode(rq);
	const char		*text;
	int			 code, status = HVCTL_OK, t;

	c->redirect[0] = '\0';
	if (msg_send_json(c->sock, req, 0) == -1) {
		json_object_put(req);
		return HVCTL_CONNECT;
	}
	json_object_put(req);
	for (;;) {
		if ((o = hvctl_recv(c, &status)) == NULL)
			return status;
		if ((t = msg_terminator(o, &code, &text)) != 0) {
			if (t == -1 && (code != CTL_E_NOTHERE || quiet ||
			    c->redirect[0] == '\0')) {
				fprintf(stderr, "hvctl: %s\n", text);
				status = hvctl_error_status(code);
			} else if (t == -1)
				status = -1;	/* redirect */
			json_object_put(o);
			return status;
		}
		if (!hvctl_is_redirect(c, o))
			cb(c, rq->type, o, arg);
		json_object_put(o);
	}
}

static void
hvctl_print(struct hvctl *c, enum ctl_req req, struct json_object *o,
    void *arg)
{
	int	*rows = arg;

	c->out->row(req, o);
	(*rows)++;
}

static void
hvctl_keep(struct hvctl *c, enum ctl_req req, struct json_object *o,
    void *arg)
{
	struct json_object	**last = arg;

	(void)c;
	(void)req;
	if (*last != NULL)
		json_object_put(*last);
	*last = json_object_get(o);
}

/* Send, follow one redirect. */
static int
hvctl_ask(struct hvctl *c, const struct ctl_request *rq, hvctl_row_cb cb,
    void *arg)
{
	int	status;

	status = hvctl_request(c, rq, cb, arg, false);
	if (status != -1)
		return status;
	snprintf(c->member, sizeof(c->member), "%s", c->redirect);
	if (hvctl_connect(c) == -1)
		return HVCTL_CONNECT;
	status = hvctl_request(c, rq, cb, arg, true);
	return status == -1 ? HVCTL_ERROR : status;
}

static const char *
hvctl_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) &&
	    v != NULL ? json_object_get_string(v) : "";
}

static struct json_object *
hvctl_last_history(struct hvctl *c, const char *guest, int64_t id)
{
	struct ctl_request	 rq;
	struct json_object	*last = NULL;

	ctl_request_init(&rq, CTL_HISTORY);
	snprintf(rq.guest, sizeof(rq.guest), "%s", guest);
	hvctl_ask(c, &rq, hvctl_keep, &last);
	if (last != NULL && json_object_get_int64(json_object_object_get(last,
	    "reloc")) != id) {
		json_object_put(last);
		last = NULL;
	}
	return last;
}

/* Poll the relocation's journal row until it ends, then report. */
static int
hvctl_follow_reloc(struct hvctl *c, const char *guest, int64_t id)
{
	struct ctl_request	 rq;
	struct json_object	*row = NULL, *hist = NULL;
	int			 status, i;

	ctl_request_init(&rq, CTL_STATUS);
	snprintf(rq.guest, sizeof(rq.guest), "%s", guest);
	for (;;) {
		if ((status = hvctl_ask(c, &rq, hvctl_keep, &row)) != 0)
			return status;
		if (row != NULL && *hvctl_str(row, "end_code") != '\0')
			break;
		if (row != NULL)
			output_progress(row);
		usleep(HVCTL_POLL_MS * 1000);
	}
	for (i = 0; i < 50 && (hist = hvctl_last_history(c, guest, id)) ==
	    NULL; i++)
		usleep(HVCTL_POLL_MS * 1000);
	output_result(hist != NULL ? hist : row, c->json);
	status = strcmp(hvctl_str(row, "end_code"), "OK") == 0 ? HVCTL_OK :
	    HVCTL_RELOC_FAILED;
	json_object_put(row);
	json_object_put(hist);
	return status;
}

/* Conflicts go to the check formatter, the start row is kept. */
static void
hvctl_reloc_row(struct hvctl *c, enum ctl_req req, struct json_object *o,
    void *arg)
{
	(void)req;
	if (json_object_object_get_ex(o, "conflict", NULL))
		c->out->row(CTL_CHECK, o);
	else
		hvctl_keep(c, req, o, arg);
}

static int
hvctl_relocate(struct hvctl *c, const struct parse_result *pr)
{
	struct json_object	*started = NULL;
	int			 status;
	int64_t			 id;

	c->out->begin(CTL_CHECK);
	status = hvctl_ask(c, &pr->rq, hvctl_reloc_row, &started);
	if (status == HVCTL_CONFLICT) {
		c->out->end(CTL_CHECK);
		return status;
	}
	if (status != HVCTL_OK || started == NULL) {
		json_object_put(started);
		return status != HVCTL_OK ? status : HVCTL_ERROR;
	}
	if (json_object_object_get_ex(started, "conflict", NULL)) {
		json_object_put(started);
		return HVCTL_CONFLICT;
	}
	id = json_object_get_int64(json_object_object_get(started, "id"));
	if (pr->flags & PARSE_ASYNC) {
		c->out->begin(CTL_RELOCATE);
		c->out->row(CTL_RELOCATE, started);
		c->out->end(CTL_RELOCATE);
		json_object_put(started);
		return HVCTL_OK;
	}
	json_object_put(started);
	return hvctl_follow_reloc(c, pr->rq.guest, id);
}

static void
hvctl_event_row(struct hvctl *c, enum ctl_req req, struct json_object *o,
    void *arg)
{
	int64_t	*since = arg;

	*since = json_object_get_int64(json_object_object_get(o, "id"));
	c->out->row(req, o);
}

static int
hvctl_events_follow(struct hvctl *c, struct ctl_request *rq)
{
	int64_t	since = 0;
	int	status;

	signal(SIGINT, hvctl_sigint);
	signal(SIGTERM, hvctl_sigint);
	c->out = &output_text;
	c->out->begin(CTL_EVENTS);
	while (!hvctl_stop) {
		rq->since = (uint64_t)since;
		if ((status = hvctl_ask(c, rq, hvctl_event_row, &since)) != 0)
			return status;
		fflush(stdout);
		usleep(250 * 1000);
	}
	return HVCTL_OK;
}

static int
hvctl_run(struct hvctl *c, struct parse_result *pr)
{
	int	status, rows = 0;

	if (pr->rq.type == CTL_RELOCATE)
		return hvctl_relocate(c, pr);
	if (pr->rq.type == CTL_EVENTS && (pr->flags & PARSE_FOLLOW))
		return hvctl_events_follow(c, &pr->rq);
	c->out->begin(pr->rq.type);
	status = hvctl_ask(c, &pr->rq, hvctl_print, &rows);
	if (status == HVCTL_OK || pr->rq.type == CTL_CHECK)
		c->out->end(pr->rq.type);
	if (status == HVCTL_OK && pr->rq.type == CTL_CHECK && rows > 0)
		return HVCTL_CONFLICT;
	return status;
}

static void
hvctl_options(int argc, char **argv, struct hvctl *c, int *first)
{
	static const struct option	lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char			*dir = NULL, *lab = NULL;
	int				 ch;

	c->role = "operator";
	c->timeout_ms = 5000;
	while ((ch = getopt_long(argc, argv, "+D:hjk:K:l:m:t:", lopts,
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
		case 'm':
			snprintf(c->member, sizeof(c->member), "%s", optarg);
			break;
		case 't':
			c->timeout_ms = atoi(optarg) > 0 ? atoi(optarg) : 5000;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("hvctl %s\n", LGR_VERSION);
			exit(0);
		default:
			usage(stderr, HVCTL_USAGE);
		}
	}
	if (labname_pick(dir, lab, c->labdir, sizeof(c->labdir)) == NULL) {
		fprintf(stderr, "hvctl: which lab? (-D labdir or -l lab)\n");
		exit(HVCTL_USAGE);
	}
	*first = optind;
}

int
main(int argc, char **argv)
{
	static struct hvctl	c;
	struct parse_result	pr;
	int			first, status;

	hvctl_options(argc, argv, &c, &first);
	if (parse(argc - first, argv + first, &pr) == -1)
		return HVCTL_USAGE;
	c.out = c.json ? &output_json : &output_text;
	if (keys_load_client(c.labdir, c.role, c.keyfile, &c.kc) == -1) {
		fprintf(stderr, "hvctl: key %s in %s/%s: %s%s\n", c.keyfile ?
		    c.keyfile : c.role, c.labdir, KEYS_DIR, strerror(errno),
		    errno == EPERM ? " (mode must be 0600)" : "");
		return HVCTL_DENIED;
	}
	if (c.member[0] == '\0' && hvctl_default_member(&c) == -1) {
		fprintf(stderr, "hvctl: no hvd control socket in %s\n",
		    c.labdir);
		return HVCTL_CONNECT;
	}
	if ((c.ctx = zmq_ctx_new()) == NULL || hvctl_connect(&c) == -1)
		return HVCTL_CONNECT;
	status = hvctl_run(&c, &pr);
	hvctl_disconnect(&c);
	zmq_ctx_term(c.ctx);
	return status;
}
