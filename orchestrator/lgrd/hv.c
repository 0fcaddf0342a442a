/*
 * hv.c: lgrd as a client of the members' hvd control sockets
 * (hypervisor/hvd/hv_ctl.h), with the orchestrator key: the IPC socket
 * ipc://LABDIR/hvd-MEMBER.ctl of a member on lgrd's host, the tcp://
 * endpoint published in the cluster directory for a member on another
 * machine (dir_hvd_endpoint).  One struct hv per thread: it owns its
 * sockets.
 * A request that hvd redirects to another member is sent there.  A
 * directory read (status, history, where, guests, members) goes to the
 * other members in turn when the one asked does not answer or cannot
 * read the directory (a member cut off with a minority of the etcd
 * nodes answers UNAVAILABLE): any member reads the same directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <json-c/json.h>

#include "dir_endpoint.h"
#include "hv_ctl.h"
#include "lgrd.h"
#include "log.h"

#define HV_TIMEOUT_MS	10000
#define HV_AVOID_MS	5000	/* a member whose read failed: asked last */

struct hv {
	struct lgrd	*d;
	void		**socks;	/* per topo member, lazily */
	char		 err[256];	/* what hvd said last time it failed */
	int		 good;		/* the member that read last */
	double		*failed_ms;	/* per member: its last failed read */
};

struct hv *
hv_open(struct lgrd *d)
{
	struct hv	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->d = d;
	if ((h->socks = calloc(d->topo->nmembers, sizeof(void *))) == NULL ||
	    (h->failed_ms = calloc(d->topo->nmembers, sizeof(double))) ==
	    NULL) {
		free(h->socks);
		free(h);
		return NULL;
	}
	for (size_t i = 0; i < d->topo->nmembers; i++)
		h->failed_ms[i] = -HV_AVOID_MS;
	return h;
}

static void
hv_drop(struct hv *h, int m)
{
	if (h->socks[m] != NULL)
		zmq_close(h->socks[m]);
	h->socks[m] = NULL;
}

void
hv_close(struct hv *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->d->topo->nmembers; i++)
		hv_drop(h, (int)i);
	free(h->socks);
	free(h->failed_ms);
	free(h);
}

static void *
hv_sock(struct hv *h, int m)
{
	char	ep[PATH_MAX + 80];
	int	zero = 0, tmo = HV_TIMEOUT_MS;
	void	*s;

	if (h->socks[m] != NULL)
		return h->socks[m];
	if (dir_hvd_endpoint(h->d->opts.labdir, h->d->topo->members[m].name,
	    ep, sizeof(ep)) == -1)
		return NULL;
	if ((s = zmq_socket(h->d->zctx, ZMQ_DEALER)) == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (keys_client_setup(s, &h->d->kc) == -1 || zmq_connect(s, ep) == -1) {
		log_warnx("hvd %s: %s", ep, zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	h->socks[m] = s;
	return s;
}

static int
hv_member(struct hv *h, const char *name)
{
	int	m;

	if (name == NULL || name[0] == '\0')
		return 0;	/* any member answers reads */
	if ((m = topo_member_find(h->d->topo, name)) == -1)
		return 0;
	return m;
}

/*
 * One request to member m; data rows into *rows (new array).  Returns
 * 0, the error code of the terminator (text in err), or -1 when hvd
 * did not answer.  Follows one redirect.
 */
static int
hv_ask(struct hv *h, int m, const struct hv_request *rq,
    struct json_object **rows, char *err, size_t len)
{
	struct json_object	*req, *o, *v;
	const char		*text;
	char			 redirect[MSG_NAME_MAX] = "";
	char			 ep[PATH_MAX + 80];
	void			*s;
	int			 t, code = 0, hops = 0;

again:
	*rows = json_object_new_array();
	if ((s = hv_sock(h, m)) == NULL || (req = hv_request_encode(rq)) ==
	    NULL) {
		snprintf(err, len, "hvd of %s: no socket: %s",
		    h->d->topo->members[m].name, zmq_strerror(zmq_errno()));
		json_object_put(*rows);
		*rows = NULL;
		return -1;
	}
	t = msg_send_json(s, req, 0);
	json_object_put(req);
	if (t == -1)
		goto lost;
	for (;;) {
		if ((o = msg_recv_json(s)) == NULL)
			goto lost;
		if ((t = msg_terminator(o, &code, &text)) != 0)
			break;
		if (json_object_object_get_ex(o, "redirect", &v))
			snprintf(redirect, sizeof(redirect), "%s",
			    json_object_get_string(v));
		else
			json_object_array_add(*rows, json_object_get(o));
		json_object_put(o);
	}
	if (t == -1)
		snprintf(err, len, "%s", text);
	json_object_put(o);
	if (t == -1 && code == REPLY_E_NOTHERE && redirect[0] != '\0' &&
	    hops++ == 0) {
		json_object_put(*rows);
		m = hv_member(h, redirect);
		goto again;
	}
	return t == -1 ? code : 0;
lost:
	if (zmq_errno() == ETERM) {	/* lgrd stops: the context ended */
		snprintf(err, len, "lgrd is stopping");
		json_object_put(*rows);
		*rows = NULL;
		errno = ETERM;
		return -1;
	}
	if (dir_hvd_endpoint(h->d->opts.labdir, h->d->topo->members[m].name,
	    ep, sizeof(ep)) == -1)
		ep[0] = '\0';
	if ((size_t)snprintf(err, len, "hvd of %s does not answer (%s)",
	    h->d->topo->members[m].name, ep) >= len && len > 4)
		memcpy(err + len - 4, "...", 4);
	hv_drop(h, m);	/* a DEALER with a pending answer: start afresh */
	json_object_put(*rows);
	*rows = NULL;
	return -1;
}

/*
 * A directory read: member m first, unless it failed one within the
 * last HV_AVOID_MS (then the one that read last), then each other one,
 * until one reads it.  Returns as hv_ask, for the last member asked.
 */
static int
hv_read(struct hv *h, int m, const struct hv_request *rq,
    struct json_object **rows, char *err, size_t len)
{
	size_t	n = h->d->topo->nmembers, i;
	int	rc = -1, k;

	if (lgrd_now_ms() - h->failed_ms[m] < HV_AVOID_MS)
		m = h->good;
	*rows = NULL;
	for (i = 0; i <= n; i++) {
		k = i == 0 ? m : (h->good + (int)i - 1) % (int)n;
		if (i > 0 && k == m)
			continue;
		if (i > 0)
			log_debug("hvd read: %s; asking %s", err,
			    h->d->topo->members[k].name);
		json_object_put(*rows);
		if ((rc = hv_ask(h, k, rq, rows, err, len)) == 0) {
			h->good = k;
			return 0;
		}
		if ((rc == -1 && errno == ETERM) || (rc != -1 &&
		    rc != REPLY_E_UNAVAILABLE))
			return rc;
		h->failed_ms[k] = lgrd_now_ms();
	}
	return rc;
}

static struct json_object *
hv_rows(struct hv *h, enum hv_req type, const char *guest, const char *member)
{
	struct hv_request	 rq;
	struct json_object	*rows;
	char			 err[256];
	int			 rc;

	hv_request_init(&rq, type);
	if (guest != NULL)
		snprintf(rq.guest, sizeof(rq.guest), "%s", guest);
	if (member != NULL)
		snprintf(rq.member, sizeof(rq.member), "%s", member);
	rc = hv_read(h, h->good, &rq, &rows, err, sizeof(err));
	if (rc != 0) {
		if (rc == -1 && errno == ETERM)
			log_debug("hvd %s: %s", hv_req_name(type), err);
		else
			log_warnx("hvd %s: %s", hv_req_name(type), err);
		snprintf(h->err, sizeof(h->err), "%s", err);
		json_object_put(rows);
		return NULL;
	}
	return rows;
}

struct json_object *
hv_guests(struct hv *h)
{
	return hv_rows(h, HV_REQ_GUESTS, NULL, NULL);
}

struct json_object *
hv_members(struct hv *h)
{
	return hv_rows(h, HV_REQ_MEMBERS, NULL, NULL);
}

struct json_object *
hv_check(struct hv *h, const char *guest, const char *member)
{
	return hv_rows(h, HV_REQ_CHECK, guest, member);
}

static const char *
hv_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "";
}

/* "STORAGE: ..." for every conflict row, joined by "; ". */
static void
hv_conflicts(struct json_object *rows, char *reason, size_t len)
{
	size_t	n;

	reason[0] = '\0';
	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++) {
		struct json_object	*c = json_object_array_get_idx(rows, i);

		n = strlen(reason);
		snprintf(reason + n, len - n, "%s%s: %s", n ? "; " : "",
		    hv_str(c, "name")[0] ? hv_str(c, "name") :
		    hv_str(c, "conflict"), hv_str(c, "text"));
	}
}

int64_t
hv_relocate(struct hv *h, const char *guest, const char *src, const char *dst,
    int64_t max_quiesce_ms, char *reason, size_t len)
{
	struct hv_request	 rq;
	struct json_object	*rows, *row;
	char			 err[256];
	int64_t			 id = -1;
	int			 rc;

	hv_request_init(&rq, HV_REQ_RELOCATE);
	snprintf(rq.guest, sizeof(rq.guest), "%s", guest);
	snprintf(rq.member, sizeof(rq.member), "%s", dst);
	if (max_quiesce_ms >= 0)
		rq.max_quiesce_ms = (uint64_t)max_quiesce_ms;
	rc = hv_ask(h, hv_member(h, src), &rq, &rows, err, sizeof(err));
	if (rc == REPLY_E_CONFLICT) {
		hv_conflicts(rows, reason, len);
	} else if (rc != 0) {
		snprintf(reason, len, "%s", err);
	} else if (json_object_array_length(rows) > 0) {
		row = json_object_array_get_idx(rows, 0);
		id = json_object_get_int64(json_object_object_get(row, "id"));
	} else
		snprintf(reason, len, "hvd started no relocation");
	json_object_put(rows);
	return id;
}

static void
hv_progress_fill(struct json_object *row, struct hv_progress *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->phase, sizeof(p->phase), "%s", hv_str(row, "phase"));
	snprintf(p->end_code, sizeof(p->end_code), "%s", hv_str(row,
	    "end_code"));
	snprintf(p->text, sizeof(p->text), "%s", hv_str(row, "text"));
	p->pass = json_object_get_int(json_object_object_get(row, "pass"));
	p->left_mib = json_object_get_double(json_object_object_get(row,
	    "left_mib"));
	p->sent_mib = json_object_get_double(json_object_object_get(row,
	    "sent_mib"));
	p->est_quiesce_ms = json_object_get_double(json_object_object_get(row,
	    "est_quiesce_ms"));
	p->started_ms = json_object_get_int64(json_object_object_get(row,
	    "started_ms"));
}

int
hv_status(struct hv *h, const char *member, const char *guest, int64_t *id,
    struct hv_progress *p)
{
	struct hv_request	 rq;
	struct json_object	*rows, *row;
	char			 err[256];
	int			 rc, found = 0;

	hv_request_init(&rq, HV_REQ_STATUS);
	snprintf(rq.guest, sizeof(rq.guest), "%s", guest);
	if ((rc = hv_read(h, hv_member(h, member), &rq, &rows, err,
	    sizeof(err))) != 0) {
		json_object_put(rows);
		return -1;
	}
	if (json_object_array_length(rows) > 0) {
		row = json_object_array_get_idx(rows, 0);
		*id = json_object_get_int64(json_object_object_get(row, "id"));
		hv_progress_fill(row, p);
		found = 1;
	}
	json_object_put(rows);
	return found;
}

int
hv_result(struct hv *h, const char *member, const char *guest, int64_t id,
    double *total_ms, double *quiesce_ms, char *end_code, size_t len,
    char *text, size_t tlen)
{
	struct hv_request	 rq;
	struct json_object	*rows, *row;
	char			 err[256];
	int			 found = 0;

	hv_request_init(&rq, HV_REQ_HISTORY);
	snprintf(rq.guest, sizeof(rq.guest), "%s", guest);
	if (hv_read(h, hv_member(h, member), &rq, &rows, err, sizeof(err)) !=
	    0) {
		json_object_put(rows);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		if (json_object_get_int64(json_object_object_get(row,
		    "reloc")) != id)
			continue;
		*total_ms = json_object_get_double(json_object_object_get(row,
		    "total_ms"));
		*quiesce_ms = json_object_get_double(json_object_object_get(
		    row, "quiesce_ms"));
		snprintf(end_code, len, "%s", hv_str(row, "end_code"));
		snprintf(text, tlen, "%s", hv_str(row, "text"));
		found = 1;
	}
	json_object_put(rows);
	return found;
}

int
hv_cancel(struct hv *h, const char *member, const char *guest)
{
	struct hv_request	 rq;
	struct json_object	*rows;
	char			 err[256];
	int			 rc;

	hv_request_init(&rq, HV_REQ_CANCEL);
	snprintf(rq.guest, sizeof(rq.guest), "%s", guest);
	rc = hv_ask(h, hv_member(h, member), &rq, &rows, err, sizeof(err));
	json_object_put(rows);
	return rc == 0 ? 0 : -1;
}

const char *
hv_error(struct hv *h)
{
	return h->err;
}

int
hv_where(struct hv *h, const char *guest, char *member, size_t len)
{
	struct json_object	*rows;

	member[0] = '\0';
	if ((rows = hv_rows(h, HV_REQ_WHERE, guest, NULL)) == NULL)
		return -1;
	if (json_object_array_length(rows) > 0)
		snprintf(member, len, "%s", hv_str(json_object_array_get_idx(
		    rows, 0), "member"));
	json_object_put(rows);
	return 0;
}
