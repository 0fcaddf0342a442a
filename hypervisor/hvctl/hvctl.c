/*
 * hvctl.c: the hypervisor's own command (z/VM's CP VMRELOCATE and
 * QUERY): one request to an hvd's control socket, its answer through a
 * formatter.  A request about a guest that runs elsewhere is sent again
 * to the member the daemon names.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "dir_endpoint.h"
#include "directory.h"
#include "ctlclient.h"
#include "hvctl.h"
#include "keys.h"
#include "labname.h"
#include "sig.h"

#define HVCTL_POLL_MS	100

struct hvctl {
	char			 labdir[PATH_MAX];
	char			 member[MSG_NAME_MAX];
	const char		*role;
	const char		*keyfile;
	int			 timeout_ms;
	bool			 json;
	struct keys_client	 kc;
	struct ctlclient	*cl;
	const struct output	*out;
	char			 redirect[MSG_NAME_MAX];
};

typedef void (*hvctl_row_cb)(struct hvctl *c, enum hv_req req,
    struct json_object *o, void *arg);

/* What the rows of one answer go to. */
struct hvctl_rows {
	struct hvctl	*c;
	enum hv_req	 req;
	hvctl_row_cb	 cb;
	void		*arg;
};

/* Written by the signal handler, read by the events -f loop. */
static volatile sig_atomic_t	hvctl_stop;

static void
hvctl_sigint(int sig)
{
	(void)sig;
	hvctl_stop = 1;
}

/* Is the hvd of that member running (its pid file names a process)? */
static bool
hvctl_member_alive(struct hvctl *c, const char *member)
{
	char	path[PATH_MAX + 64];
	FILE	*f;
	int	pid = 0;

	snprintf(path, sizeof(path), "%s/hvd-%s.pid", c->labdir, member);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/*
 * The member whose control socket or pid file the directory entry name
 * is, or "".
 */
static void
hvctl_sock_member(struct hvctl *c, const char *name, char *member,
    size_t len)
{
	char	want[PATH_MAX + 64], path[PATH_MAX + 64];
	size_t	n = strlen(name);

	member[0] = '\0';
	if (n < 9 || n - 8 >= len || strncmp(name, "hvd-", 4) != 0)
		return;
	snprintf(member, len, "%.*s", (int)(n - 8), name + 4);
	/* A member on tcp:// has no socket here, only its pid file. */
	if (strcmp(name + n - 4, ".pid") == 0) {
		if (!msg_name_valid(member))
			member[0] = '\0';
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", c->labdir, name);
	if (!msg_name_valid(member) || labname_hvd_sock(c->labdir, member,
	    want, sizeof(want)) == NULL || strcmp(want, path) != 0)
		member[0] = '\0';
}

/* The default member: the first running one. */
static int
hvctl_default_member(struct hvctl *c)
{
	struct dirent	*de;
	DIR		*d;
	char		 m[MSG_NAME_MAX], best[MSG_NAME_MAX] = "";

	if ((d = opendir(c->labdir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		hvctl_sock_member(c, de->d_name, m, sizeof(m));
		if (m[0] != '\0' && hvctl_member_alive(c, m) &&
		    (best[0] == '\0' || strcmp(m, best) < 0))
			snprintf(best, sizeof(best), "%s", m);
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
	if (c->cl != NULL)
		ctlclient_close(c->cl);
	c->cl = NULL;
}

/* After a failure of ctlclient: say what, and its exit code. */
static int
hvctl_transport_error(void)
{
	int	status = errno == EACCES ? HVCTL_DENIED : HVCTL_CONNECT;

	fprintf(stderr, "hvctl: %s\n", ctlclient_errtext());
	return status;
}

/* Connect to c->member's hvd: an exit code. */
static int
hvctl_connect(struct hvctl *c)
{
	char	ep[PATH_MAX + 80];

	hvctl_disconnect(c);
	if (dir_hvd_endpoint(c->labdir, c->member, ep, sizeof(ep)) == -1) {
		fprintf(stderr, "hvctl: socket path of %s too long\n",
		    c->member);
		return HVCTL_USAGE;
	}
	if ((c->cl = ctlclient_open(NULL, ep, &c->kc,
	    CTLCLIENT_CONNECT_MS)) != NULL)
		return HVCTL_OK;
	return hvctl_transport_error();
}

/* The documented exit code of a reply code. */
static int
hvctl_exit_code(int code)
{
	switch (code) {
	case REPLY_E_DENIED:
		return HVCTL_DENIED;
	case REPLY_E_CONFLICT:
		return HVCTL_CONFLICT;
	case REPLY_E_NOTFOUND:
		return HVCTL_NOTFOUND;
	case REPLY_E_REFUSED:
	case REPLY_E_BUSY:
		return HVCTL_REFUSED;
	case REPLY_E_BADMSG:
	case REPLY_E_BADREQ:
	case REPLY_E_BADARG:
		return HVCTL_USAGE;
	default:
		return HVCTL_ERROR;
	}
}

/* A data row: a redirect is kept, anything else goes to the callback. */
static void
hvctl_row(struct json_object *o, void *arg)
{
	struct hvctl_rows	*r = arg;
	struct json_object	*v;

	if (json_object_object_get_ex(o, "redirect", &v))
		snprintf(r->c->redirect, sizeof(r->c->redirect), "%s",
		    json_object_get_string(v));
	else
		r->cb(r->c, r->req, o, r->arg);
}

/*
 * One request, every answer frame to cb; returns an exit status, or -1
 * when the answer is a redirect (c->redirect names the member).
 */
static int
hvctl_request(struct hvctl *c, const struct hv_request *rq, hvctl_row_cb cb,
    void *arg)
{
	struct hvctl_rows	 r = { c, rq->type, cb, arg };
	struct json_object	*req;
	char			 text[512];
	int			 code = 0, rc;

	c->redirect[0] = '\0';
	if ((req = hv_request_encode(rq)) == NULL) {
		fprintf(stderr, "hvctl: %s\n", strerror(errno));
		return HVCTL_ERROR;
	}
	rc = ctlclient_request(c->cl, req, c->timeout_ms, hvctl_row, &r, &code,
	    text, sizeof(text));
	json_object_put(req);
	if (rc == -1)
		return hvctl_transport_error();
	if (rc == 0)
		return HVCTL_OK;
	if (code == REPLY_E_NOTHERE && c->redirect[0] != '\0')
		return -1;
	fprintf(stderr, "hvctl: %s\n", text);
	return hvctl_exit_code(code);
}

static void
hvctl_print(struct hvctl *c, enum hv_req req, struct json_object *o,
    void *arg)
{
	int	*rows = arg;

	c->out->row(req, o);
	(*rows)++;
}

static void
hvctl_keep(struct hvctl *c, enum hv_req req, struct json_object *o,
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
hvctl_ask(struct hvctl *c, const struct hv_request *rq, hvctl_row_cb cb,
    void *arg)
{
	int	status;

	if ((status = hvctl_request(c, rq, cb, arg)) != -1)
		return status;
	snprintf(c->member, sizeof(c->member), "%s", c->redirect);
	if ((status = hvctl_connect(c)) != HVCTL_OK)
		return status;
	if ((status = hvctl_request(c, rq, cb, arg)) != -1)
		return status;
	fprintf(stderr, "hvctl: %s sends us on to %s\n", c->member,
	    c->redirect);
	return HVCTL_ERROR;
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
	struct hv_request	 rq;
	struct json_object	*last = NULL;

	hv_request_init(&rq, HV_REQ_HISTORY);
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
	struct hv_request	 rq;
	struct json_object	*row = NULL, *hist = NULL;
	int			 status, i;

	hv_request_init(&rq, HV_REQ_STATUS);
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
hvctl_reloc_row(struct hvctl *c, enum hv_req req, struct json_object *o,
    void *arg)
{
	(void)req;
	if (json_object_object_get_ex(o, "conflict", NULL))
		c->out->row(HV_REQ_CHECK, o);
	else
		hvctl_keep(c, req, o, arg);
}

static int
hvctl_relocate(struct hvctl *c, const struct parse_result *pr)
{
	struct json_object	*started = NULL;
	int			 status;
	int64_t			 id;

	c->out->begin(HV_REQ_CHECK);
	status = hvctl_ask(c, &pr->rq, hvctl_reloc_row, &started);
	if (status == HVCTL_CONFLICT) {
		c->out->end(HV_REQ_CHECK);
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
		c->out->begin(HV_REQ_RELOCATE);
		c->out->row(HV_REQ_RELOCATE, started);
		c->out->end(HV_REQ_RELOCATE);
		json_object_put(started);
		return HVCTL_OK;
	}
	json_object_put(started);
	return hvctl_follow_reloc(c, pr->rq.guest, id);
}

static void
hvctl_event_row(struct hvctl *c, enum hv_req req, struct json_object *o,
    void *arg)
{
	int64_t	*since = arg;

	*since = json_object_get_int64(json_object_object_get(o, "id"));
	c->out->row(req, o);
}

/*
 * Follow the events in the directory itself (its watch on etcd), where
 * hvd says it is (LABDIR/directory).  1 when there is none to open, or
 * when it cannot be reached from here before anything was printed (a lab
 * whose etcd nodes listen inside its hosts' namespaces): then hvd is
 * asked instead.
 */
static int
hvctl_events_watch(struct hvctl *c, const struct hv_request *rq)
{
	struct dir_follow	*f;
	struct json_object	*rows;
	struct dir_conf		 dc;
	struct dir		*d;
	size_t			 i;
	bool			 printed = false;

	if (dir_conf_read(&dc, c->labdir) == -1 || (d = dir_open(&dc)) ==
	    NULL)
		return 1;
	if ((f = dir_follow_open(d, 0, rq->guest)) == NULL) {
		dir_close(d);
		return 1;
	}
	while (!hvctl_stop) {
		if ((rows = dir_follow_next(f, 250)) == NULL) {
			fprintf(stderr, "hvctl: directory: %s%s\n",
			    dir_error(d), printed ? "" : " (following "
			    "through hvd instead)");
			break;
		}
		for (i = 0; i < json_object_array_length(rows); i++) {
			c->out->row(HV_REQ_EVENTS,
			    json_object_array_get_idx(rows, i));
			printed = true;
		}
		json_object_put(rows);
		fflush(stdout);
	}
	dir_follow_close(f);
	dir_close(d);
	if (hvctl_stop)
		return HVCTL_OK;
	return printed ? HVCTL_CONNECT : 1;
}

static int
hvctl_events_follow(struct hvctl *c, struct hv_request *rq)
{
	int64_t	since = 0;
	int	status;

	sig_setup(hvctl_sigint, false);
	c->out = &output_text;
	c->out->begin(HV_REQ_EVENTS);
	if ((status = hvctl_events_watch(c, rq)) != 1)
		return status;
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

	if (pr->rq.type == HV_REQ_RELOCATE)
		return hvctl_relocate(c, pr);
	if (pr->rq.type == HV_REQ_EVENTS && (pr->flags & PARSE_FOLLOW))
		return hvctl_events_follow(c, &pr->rq);
	c->out->begin(pr->rq.type);
	status = hvctl_ask(c, &pr->rq, hvctl_print, &rows);
	if (status == HVCTL_OK || pr->rq.type == HV_REQ_CHECK)
		c->out->end(pr->rq.type);
	if (status == HVCTL_OK && pr->rq.type == HV_REQ_CHECK && rows > 0)
		return HVCTL_CONFLICT;
	return status;
}

/* The command line into c and pr: exits on --help, --version, errors. */
static void
hvctl_options(int argc, char **argv, struct hvctl *c, struct parse_result *pr)
{
	char	err[CLI_ERRLEN];

	if (parse(argc, argv, pr, err, sizeof(err)) == -1) {
		fprintf(stderr, "hvctl: %s\ntry 'hvctl --help'\n", err);
		exit(HVCTL_USAGE);
	}
	if (pr->help) {
		cli_usage(&parse_spec, stdout);
		exit(HVCTL_OK);
	}
	if (pr->version) {
		printf("hvctl %s\n", LGR_VERSION);
		exit(HVCTL_OK);
	}
	c->role = pr->role != NULL ? pr->role : "operator";
	c->keyfile = pr->keyfile;
	c->timeout_ms = pr->timeout_ms;
	c->json = (pr->flags & PARSE_JSON) != 0;
	if (pr->member != NULL)
		snprintf(c->member, sizeof(c->member), "%s", pr->member);
	if (labname_pick(pr->labdir, pr->lab, c->labdir, sizeof(c->labdir)) ==
	    NULL) {
		fprintf(stderr, "hvctl: which lab? (-D labdir or -l lab)\n");
		exit(HVCTL_USAGE);
	}
}

int
main(int argc, char **argv)
{
	static struct hvctl	c;
	struct parse_result	pr;
	int			status;

	hvctl_options(argc, argv, &c, &pr);
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
	if ((status = hvctl_connect(&c)) != HVCTL_OK)
		return status;
	status = hvctl_run(&c, &pr);
	hvctl_disconnect(&c);
	return status;
}
