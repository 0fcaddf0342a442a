/*
 * control.c: lgrd's control socket, a CURVE-authenticated ROUTER at
 * ipc://LABDIR/lgrd.ctl.  The ZAP handler maps a client key to its
 * role; reads are open to every role of the lab, requests that change
 * state need the operator or orchestrator role, and every one of those,
 * allowed or not, goes to the audit log.
 *
 * Only the main thread touches the sockets here (control_sock, zapsock).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"

#define CONTROL_DEFAULT_RATE	2048.0	/* MiB/s when history has none */

static void	*control_sock;	/* main thread only */
static void	*control_zapsock;

struct ctl_conn {
	struct lgrd		*d;
	zmq_msg_t		 id;
	char			 who[16];
	enum keys_role		 role;
	struct lgr_request	 rq;
	char			 args[256];
};

typedef int (*ctl_handler)(struct ctl_conn *c);

void *
control_socket(void)
{
	return control_sock;
}

void *
control_zap(void)
{
	return control_zapsock;
}

int
control_open(struct lgrd *d)
{
	char	ep[PATH_MAX + 16];
	int	zero = 0;

	if ((control_zapsock = keys_zap_open(d->zctx)) == NULL)
		return -1;
	if ((control_sock = zmq_socket(d->zctx, ZMQ_ROUTER)) == NULL)
		return -1;
	snprintf(ep, sizeof(ep), "ipc://%s/%s", d->opts.labdir, LGRD_SOCK_NAME);
	if (keys_server_setup(control_sock, &d->keys) == -1 ||
	    zmq_setsockopt(control_sock, ZMQ_LINGER, &zero, sizeof(zero)) ==
	    -1 || zmq_bind(control_sock, ep) == -1) {
		log_warn("control socket %s", ep);
		return -1;
	}
	return 0;
}

void
control_close(struct lgrd *d)
{
	char	path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", d->opts.labdir, LGRD_SOCK_NAME);
	zmq_close(control_sock);
	zmq_close(control_zapsock);
	unlink(path);
}

static void
control_zap_audit(const struct keys_zap_result *r, void *arg)
{
	static time_t	 last;
	struct lgrd	*d = arg;
	char		 who[64];

	if (r->accepted)
		return;
	snprintf(who, sizeof(who), "unknown:%.8s", r->public[0] ? r->public :
	    r->mechanism);
	journal_audit(d->db, who, "connect", r->address, "denied: unknown key");
	if (time(NULL) != last)	/* a peer can loop: at most one a second */
		log_warnx("[LGR-AUTH-DENIED] %s client %s refused: unknown key",
		    r->mechanism, who);
	last = time(NULL);
}

int
control_zap_handle(struct lgrd *d)
{
	return keys_zap_handle(control_zapsock, &d->keys, control_zap_audit, d);
}

/* --- answers ------------------------------------------------------------- */

static int
ctl_send(struct ctl_conn *c, struct json_object *o)
{
	return msg_send_routed(control_sock, &c->id, o);
}

static int
ctl_data(struct ctl_conn *c, struct json_object *o)
{
	int	rc = ctl_send(c, o);

	json_object_put(o);
	return rc;
}

static void
ctl_rows(struct ctl_conn *c, struct json_object *arr)
{
	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr);
	    i++)
		ctl_send(c, json_object_array_get_idx(arr, i));
	json_object_put(arr);
}

static int
ctl_end(struct ctl_conn *c)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "end", json_object_new_boolean(1));
	return ctl_data(c, o);
}

static int
ctl_error(struct ctl_conn *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ctl_error(struct ctl_conn *c, int code, const char *fmt, ...)
{
	struct json_object	*o = json_object_new_object();
	char			 text[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_int(code));
	json_object_object_add(o, "text", json_object_new_string(text));
	if (lgr_req_writes(c->rq.type))
		journal_audit(c->d->db, c->who, lgr_req_name(c->rq.type),
		    c->args, text);
	ctl_data(c, o);
	return -1;
}

static int
ctl_done(struct ctl_conn *c, const char *result)
{
	journal_audit(c->d->db, c->who, lgr_req_name(c->rq.type), c->args,
	    result);
	return ctl_end(c);
}

/* --- reads ----------------------------------------------------------------- */

static int
ctl_status(struct ctl_conn *c)
{
	struct json_object	*ids;
	int64_t			 id;

	if (c->rq.id != LGR_UNSET) {
		struct json_object	*rep = report_json(c->d->db,
					    (int64_t)c->rq.id);

		if (rep == NULL)
			return ctl_error(c, LGR_E_NOTFOUND, "no job %ju",
			    (uintmax_t)c->rq.id);
		ctl_data(c, rep);
		return ctl_end(c);
	}
	ids = journal_json(c->d->db, "SELECT id FROM jobs ORDER BY id DESC "
	    "LIMIT 20", "");
	for (size_t i = ids ? json_object_array_length(ids) : 0; i > 0; i--) {
		id = json_object_get_int64(json_object_object_get(
		    json_object_array_get_idx(ids, i - 1), "id"));
		ctl_data(c, report_json(c->d->db, id));
	}
	json_object_put(ids);
	return ctl_end(c);
}

static int
ctl_history(struct ctl_conn *c)
{
	if (c->rq.guest[0] != '\0' && topo_guest_find(c->d->topo,
	    c->rq.guest) == -1)
		return ctl_error(c, LGR_E_NOTFOUND, "unknown guest %s",
		    c->rq.guest);
	ctl_rows(c, journal_json(c->d->db, "SELECT m.job, j.kind, "
	    "j.workload, m.guest, m.src AS 'from', m.dst AS 'to', m.hsi, "
	    "m.result, m.reason, m.started_ms, m.ended_ms, m.reloc_ms, "
	    "m.quiesce_ms, m.downtime_ms, m.probe_lost, m.converge_ms, "
	    "m.total_ms, m.routecheck FROM moves m JOIN jobs j ON j.id = m.job "
	    "WHERE m.step = 'done' AND (?1 = '' OR m.guest = ?1) ORDER BY "
	    "m.id", "s", c->rq.guest));
	return ctl_end(c);
}

static int
ctl_events(struct ctl_conn *c)
{
	ctl_rows(c, journal_json(c->d->db, "SELECT * FROM events WHERE id > ? "
	    "AND (?2 = 0 OR job = ?2) ORDER BY id LIMIT 1000", "ii",
	    (int64_t)c->rq.since, c->rq.id == LGR_UNSET ? (int64_t)0 :
	    (int64_t)c->rq.id));
	return ctl_end(c);
}

static int
ctl_report(struct ctl_conn *c)
{
	struct json_object	*rep;
	int64_t			 id = (int64_t)c->rq.id;

	if (c->rq.id == LGR_UNSET && journal_int(c->d->db, &id, "SELECT "
	    "max(id) FROM jobs", "") != 1)
		return ctl_error(c, LGR_E_NOTFOUND, "no job yet");
	if ((rep = report_json(c->d->db, id)) == NULL)
		return ctl_error(c, LGR_E_NOTFOUND, "no job %jd", (intmax_t)id);
	ctl_data(c, rep);
	return ctl_end(c);
}

static void
ctl_check_row(struct ctl_conn *c, const char *check, bool ok,
    const char *text)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "check", json_object_new_string(check));
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "text", json_object_new_string(text));
	ctl_data(c, o);
}

/* The hypervisor's conflicts; false if any. */
static bool
ctl_check_hv(struct ctl_conn *c, struct hv *h)
{
	struct json_object	*rows = hv_check(h, c->rq.guest, c->rq.to);
	size_t			 n;

	if (rows == NULL) {
		ctl_check_row(c, "hypervisor", false, "hvd does not answer");
		return false;
	}
	n = json_object_array_length(rows);
	for (size_t i = 0; i < n; i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);
		char			 name[64];

		snprintf(name, sizeof(name), "hypervisor %s",
		    json_object_get_string(json_object_object_get(r, "name")));
		ctl_check_row(c, name, false, json_object_get_string(
		    json_object_object_get(r, "text")));
	}
	if (n == 0)
		ctl_check_row(c, "hypervisor", true, "eligible");
	json_object_put(rows);
	return n == 0;
}

static bool
ctl_check_network(struct ctl_conn *c, int g, int m)
{
	const struct topo_guest	*gu = &c->d->topo->guests[g];
	char			 text[PATH_MAX + 300];
	bool			 ok = true;

	if (topo_guest_has_hsi(gu)) {
		const struct topo_nic	*nic = topo_guest_hsi_for(gu, m);

		if (nic != NULL)
			snprintf(text, sizeof(text), "%s on %s's HiperSockets "
			    "LAN", nic->name, c->d->topo->members[m].name);
		else
			snprintf(text, sizeof(text), "guest has no NIC on %s's "
			    "HiperSockets LAN", c->d->topo->members[m].name);
		ctl_check_row(c, "hsi-lan", nic != NULL, text);
		ok = nic != NULL;
		if (agent_ping(c->d, gu->name, text, sizeof(text)) == -1) {
			ctl_check_row(c, "agent", false, text);
			ok = false;
		} else
			ctl_check_row(c, "agent", true, "answering");
	}
	if (converge_ping(c->d, gu->name) == -1) {
		snprintf(text, sizeof(text), "ospfd_lgr of %s does not answer "
		    "(%s/%s/lgr.ctl)", gu->name, c->d->opts.labdir, gu->name);
		ctl_check_row(c, "plugin", false, text);
		ok = false;
	} else
		ctl_check_row(c, "plugin", true, "answering");
	return ok;
}

static int
ctl_check(struct ctl_conn *c)
{
	struct hv	*h;
	int		 g, m;
	bool		 ok;

	if ((g = topo_guest_find(c->d->topo, c->rq.guest)) == -1)
		return ctl_error(c, LGR_E_NOTFOUND, "unknown guest %s",
		    c->rq.guest);
	if ((m = topo_member_find(c->d->topo, c->rq.to)) == -1)
		return ctl_error(c, LGR_E_NOTFOUND, "unknown member %s",
		    c->rq.to);
	if ((h = hv_open(c->d)) == NULL)
		return ctl_error(c, LGR_E_INTERNAL, "out of memory");
	ok = ctl_check_hv(c, h);
	hv_close(h);
	ok = ctl_check_network(c, g, m) && ok;
	if (!ok)
		return ctl_error(c, LGR_E_CONFLICT, "guest %s cannot move to %s "
		    "now", c->rq.guest, c->rq.to);
	return ctl_end(c);
}

/* Predicted time of a move: the mean of past moves of its kind, or
 * the memory at CONTROL_DEFAULT_RATE plus a second for an HSI guest. */
static double
ctl_predict(struct ctl_conn *c, const struct move *m)
{
	int64_t	ms;

	if (journal_int(c->d->db, &ms, "SELECT CAST(avg(total_ms) AS INTEGER) "
	    "FROM moves WHERE hsi = ? AND result = 'moved' AND total_ms > 0",
	    "i", (int64_t)m->hsi) == 1 && ms > 0)
		return (double)ms;
	return (double)m->memory_mib / CONTROL_DEFAULT_RATE * 1000.0 +
	    (m->hsi ? 1000.0 : 100.0);
}

static void
ctl_plan_row(struct ctl_conn *c, struct hv *h, const struct move *m)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*rows = hv_check(h, m->guest, m->dst);
	char			 why[512] = "";

	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);
		size_t			 n = strlen(why);

		snprintf(why + n, sizeof(why) - n, "%s%s: %s", n ? "; " : "",
		    json_object_get_string(json_object_object_get(r, "name")),
		    json_object_get_string(json_object_object_get(r, "text")));
	}
	json_object_object_add(o, "guest", json_object_new_string(m->guest));
	json_object_object_add(o, "from", json_object_new_string(m->src));
	json_object_object_add(o, "to", json_object_new_string(m->dst));
	json_object_object_add(o, "hsi", json_object_new_boolean(m->hsi));
	json_object_object_add(o, "eligible", json_object_new_boolean(
	    rows != NULL && why[0] == '\0'));
	json_object_object_add(o, "reason", json_object_new_string(rows ? why :
	    "hvd does not answer"));
	json_object_object_add(o, "memory_mib", json_object_new_int64(
	    (int64_t)m->memory_mib));
	json_object_object_add(o, "predicted_ms", json_object_new_double(
	    ctl_predict(c, m)));
	json_object_put(rows);
	ctl_data(c, o);
}

static int
ctl_plan_job(struct ctl_conn *c, struct job *j)
{
	char	err[512];
	int	code = LGR_E_INTERNAL;

	memset(j, 0, sizeof(*j));
	if (evac_plan(c->d, &c->rq, j, &code, err, sizeof(err)) == -1)
		return ctl_error(c, code, "%s", err);
	return 0;
}

static int
ctl_plan(struct ctl_conn *c)
{
	struct job	j;
	struct hv	*h;

	if (ctl_plan_job(c, &j) == -1)
		return -1;
	if ((h = hv_open(c->d)) != NULL)
		for (size_t i = 0; i < j.nmoves; i++)
			ctl_plan_row(c, h, &j.moves[i]);
	hv_close(h);
	free(j.moves);
	return ctl_end(c);
}

/* --- changes --------------------------------------------------------------- */

static int
ctl_start(struct ctl_conn *c)
{
	struct json_object	*o;
	struct job		*j;
	char			 res[64];

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return ctl_error(c, LGR_E_INTERNAL, "out of memory");
	if (ctl_plan_job(c, j) == -1) {
		free(j);
		return -1;
	}
	for (size_t i = 0; i < j->nmoves; i++)
		if (evac_busy(c->d, j->moves[i].guest)) {
			ctl_error(c, LGR_E_BUSY, "guest %s is already being "
			    "moved (lgrctl status)", j->moves[i].guest);
			free(j->moves);
			free(j);
			return -1;
		}
	snprintf(j->who, sizeof(j->who), "%s", c->who);
	if (evac_start(c->d, j) == -1)
		return ctl_error(c, LGR_E_INTERNAL, "job could not start "
		    "(journal)");
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(j->id));
	json_object_object_add(o, "guests", json_object_new_int64(
	    (int64_t)j->nmoves));
	json_object_object_add(o, "parallel", json_object_new_int(
	    (int)j->parallel));
	snprintf(res, sizeof(res), "started job %jd", (intmax_t)j->id);
	ctl_data(c, o);
	return ctl_done(c, res);
}

static int
ctl_cancel(struct ctl_conn *c)
{
	const char	*guest = c->rq.guest[0] ? c->rq.guest : NULL;

	if (evac_cancel(c->d, (int64_t)c->rq.id, guest) == 0)
		return ctl_done(c, "cancel requested");
	if (guest != NULL)
		return ctl_error(c, LGR_E_NOTFOUND, "no move of guest %s is "
		    "running or planned", guest);
	return ctl_error(c, LGR_E_NOTFOUND, "job %ju is not running (lgrctl "
	    "status)", (uintmax_t)c->rq.id);
}

static int
ctl_verbose(struct ctl_conn *c)
{
	log_setverbose((int)c->rq.verbose);
	return ctl_done(c, "verbosity changed");
}

static const ctl_handler ctl_handlers[LGR_NREQ] = {
	[LGR_REQ_STATUS] = ctl_status,
	[LGR_REQ_HISTORY] = ctl_history,
	[LGR_REQ_EVENTS] = ctl_events,
	[LGR_REQ_REPORT] = ctl_report,
	[LGR_REQ_CHECK] = ctl_check,
	[LGR_REQ_PLAN] = ctl_plan,
	[LGR_REQ_EVACUATE] = ctl_start,
	[LGR_REQ_RELOCATE] = ctl_start,
	[LGR_REQ_CANCEL] = ctl_cancel,
	[LGR_REQ_VERBOSE] = ctl_verbose,
};

static void
ctl_args(struct ctl_conn *c, zmq_msg_t *m)
{
	size_t	n = zmq_msg_size(m);

	if (n >= sizeof(c->args))
		n = sizeof(c->args) - 1;
	memcpy(c->args, zmq_msg_data(m), n);
	c->args[n] = '\0';
}

static enum keys_role
ctl_role(const char *user)
{
	static const enum keys_role roles[] = { KEYS_ROLE_VIEWER,
	    KEYS_ROLE_OPERATOR, KEYS_ROLE_SERVER, KEYS_ROLE_ORCHESTRATOR };

	for (size_t i = 0; user != NULL && i < sizeof(roles) /
	    sizeof(roles[0]); i++)
		if (strcmp(user, keys_role_name(roles[i])) == 0)
			return roles[i];
	return KEYS_ROLE_NONE;
}

static void
ctl_serve(struct ctl_conn *c, zmq_msg_t *m)
{
	c->role = ctl_role(zmq_msg_gets(m, "User-Id"));
	snprintf(c->who, sizeof(c->who), "%s", keys_role_name(c->role));
	ctl_args(c, m);
	if (lgr_request_decode(zmq_msg_data(m), zmq_msg_size(m), &c->rq) ==
	    -1) {
		c->rq.type = LGR_REQ_STATUS;	/* a read: not audited */
		ctl_error(c, LGR_E_BADREQ, "bad request: %s", msg_errtext()[0] ?
		    msg_errtext() : "unknown request");
		return;
	}
	if (c->role == KEYS_ROLE_NONE || (lgr_req_writes(c->rq.type) &&
	    c->role != KEYS_ROLE_OPERATOR &&
	    c->role != KEYS_ROLE_ORCHESTRATOR)) {
		log_warnx("[LGR-AUTH-REFUSED] %s may not %s", c->who,
		    lgr_req_name(c->rq.type));
		ctl_error(c, LGR_E_DENIED, "role %s may only read: %s needs "
		    "operator", c->who, lgr_req_name(c->rq.type));
		return;
	}
	ctl_handlers[c->rq.type](c);
}

/* One request from the ROUTER socket: [routing id][request]. */
int
control_dispatch(struct lgrd *d)
{
	struct ctl_conn	c;
	zmq_msg_t	m;

	memset(&c, 0, sizeof(c));
	c.d = d;
	zmq_msg_init(&c.id);
	zmq_msg_init(&m);
	if (msg_recv_routed(control_sock, &c.id, &m) == -1)
		goto out;
	ctl_serve(&c, &m);
out:
	zmq_msg_close(&m);
	zmq_msg_close(&c.id);
	return 0;
}
