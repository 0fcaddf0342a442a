/*
 * control.c: lgrd's requests, answered on the control socket of
 * common/ctlsrv.h (ipc://LABDIR/lgrd.ctl): the core checks keys and
 * roles, decodes with lgrd_codec and writes the audit log; here is a
 * flat switch over the request types and one handler each.
 *
 * Only the main thread calls these functions (d->ctl is its socket).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "labname.h"
#include "lgrd.h"
#include "log.h"

/* One request being answered. */
struct control_req {
	struct lgrd		*d;
	struct ctlsrv_conn	 conn;
	struct lgrd_request	 rq;
};

static void
control_audit(void *arg, const char *who, const char *what, const char *args,
    const char *result)
{
	struct lgrd	*d = arg;

	journal_audit(d->db, who, what, args, result);
}

/* Reads for every role of the lab, changes for operator and orchestrator;
 * a console URL for every role (control_console_url checks the role). */
static bool
control_may(enum keys_role role, int type, bool writes)
{
	if (role == KEYS_ROLE_NONE)
		return false;
	return !writes || type == LGRD_REQ_CONSOLE_URL ||
	    role == KEYS_ROLE_OPERATOR ||
	    role == KEYS_ROLE_ORCHESTRATOR;
}

int
control_open(struct lgrd *d)
{
	struct ctlsrv_conf	conf = { .keys = &d->keys,
				    .codec = &lgrd_codec, .msgid = "LGR",
				    .audit = control_audit, .audit_arg = d,
				    .may = control_may };
	char			path[PATH_MAX], ep[PATH_MAX + 8];

	if (labname_lgrd_sock(d->opts.labdir, path, sizeof(path)) == NULL ||
	    labname_ipc(path, ep, sizeof(ep)) == NULL) {
		log_warn("control socket in %s", d->opts.labdir);
		return -1;
	}
	conf.endpoint = ep;
	return (d->ctl = ctlsrv_open(d->zctx, &conf)) == NULL ? -1 : 0;
}

void
control_close(struct lgrd *d)
{
	ctlsrv_close(d->ctl);
	d->ctl = NULL;
}

/* --- reads --------------------------------------------------------- */

/* Without an id the latest jobs, newest first; with one, that job. */
static int
control_status(struct control_req *c)
{
	struct json_object	*ids, *rep;
	int64_t			 id;

	if (c->rq.id != CODEC_UNSET) {
		if ((rep = report_json(c->d->db, (int64_t)c->rq.id)) == NULL)
			return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "no job "
			    "%ju", (uintmax_t)c->rq.id);
		ctlsrv_data(&c->conn, rep);
		return ctlsrv_end(&c->conn);
	}
	ids = journal_jobs_recent(c->d->db, 20);
	for (size_t i = 0; ids != NULL && i < json_object_array_length(ids);
	    i++) {
		id = json_object_get_int64(json_object_object_get(
		    json_object_array_get_idx(ids, i), "id"));
		ctlsrv_data(&c->conn, report_json(c->d->db, id));
	}
	json_object_put(ids);
	return ctlsrv_end(&c->conn);
}

static int
control_history(struct control_req *c)
{
	if (c->rq.guest[0] != '\0' && topo_guest_find(c->d->topo,
	    c->rq.guest) == -1)
		return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "unknown guest "
		    "%s", c->rq.guest);
	ctlsrv_rows(&c->conn, journal_history(c->d->db, c->rq.guest));
	return ctlsrv_end(&c->conn);
}

static int
control_events(struct control_req *c)
{
	ctlsrv_rows(&c->conn, journal_events(c->d->db, c->rq.since ==
	    CODEC_UNSET ? 0 : (int64_t)c->rq.since, c->rq.id == CODEC_UNSET ?
	    0 : (int64_t)c->rq.id));
	return ctlsrv_end(&c->conn);
}

static int
control_audit_log(struct control_req *c)
{
	ctlsrv_rows(&c->conn, journal_audit_rows(c->d->db, c->rq.since ==
	    CODEC_UNSET ? 0 : (int64_t)c->rq.since));
	return ctlsrv_end(&c->conn);
}

static int
control_report(struct control_req *c)
{
	struct json_object	*rep;
	int64_t			 id = (int64_t)c->rq.id;

	if (c->rq.id == CODEC_UNSET && journal_job_latest(c->d->db, &id) != 1)
		return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "no job yet");
	if ((rep = report_json(c->d->db, id)) == NULL)
		return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "no job %jd",
		    (intmax_t)id);
	ctlsrv_data(&c->conn, rep);
	return ctlsrv_end(&c->conn);
}

static void
control_check_row(struct control_req *c, const char *check, bool ok,
    const char *text)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "check", json_object_new_string(check));
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "text", json_object_new_string(text));
	ctlsrv_data(&c->conn, o);
}

/* The hypervisor's conflicts; false if any. */
static bool
control_check_hv(struct control_req *c, struct hv *h)
{
	struct json_object	*rows = hv_check(h, c->rq.guest, c->rq.to);
	size_t			 n;

	if (rows == NULL) {
		control_check_row(c, "hypervisor", false,
		    "hvd does not answer");
		return false;
	}
	n = json_object_array_length(rows);
	for (size_t i = 0; i < n; i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);
		char			 name[64];

		snprintf(name, sizeof(name), "hypervisor %s",
		    json_object_get_string(json_object_object_get(r, "name")));
		control_check_row(c, name, false, json_object_get_string(
		    json_object_object_get(r, "text")));
	}
	if (n == 0)
		control_check_row(c, "hypervisor", true, "eligible");
	json_object_put(rows);
	return n == 0;
}

static bool
control_check_network(struct control_req *c, int g, int m)
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
		control_check_row(c, "hsi-lan", nic != NULL, text);
		ok = nic != NULL;
		if (agent_ping(c->d, gu->name, text, sizeof(text)) == -1) {
			control_check_row(c, "agent", false, text);
			ok = false;
		} else
			control_check_row(c, "agent", true, "answering");
	}
	if (converge_ping(c->d, gu->name) == -1) {
		snprintf(text, sizeof(text), "ospfd_lgr of %s does not answer "
		    "(%s/%s/lgr.ctl)", gu->name, c->d->opts.labdir, gu->name);
		control_check_row(c, "plugin", false, text);
		ok = false;
	} else
		control_check_row(c, "plugin", true, "answering");
	return ok;
}

static int
control_check(struct control_req *c)
{
	struct hv	*h;
	int		 g, m;
	bool		 ok;

	if ((g = topo_guest_find(c->d->topo, c->rq.guest)) == -1)
		return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "unknown "
		    "guest %s", c->rq.guest);
	if ((m = topo_member_find(c->d->topo, c->rq.to)) == -1)
		return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "unknown "
		    "member %s", c->rq.to);
	if ((h = hv_open(c->d)) == NULL)
		return ctlsrv_error(&c->conn, REPLY_E_INTERNAL,
		    "out of memory");
	ok = control_check_hv(c, h);
	hv_close(h);
	ok = control_check_network(c, g, m) && ok;
	if (!ok)
		return ctlsrv_error(&c->conn, REPLY_E_CONFLICT, "guest %s "
		    "cannot move to %s now", c->rq.guest, c->rq.to);
	return ctlsrv_end(&c->conn);
}

static int
control_plan_job(struct control_req *c, struct job *j)
{
	char	err[512];
	int	code = REPLY_E_INTERNAL;

	memset(j, 0, sizeof(*j));
	if (evac_plan(c->d, &c->rq, j, &code, err, sizeof(err)) == -1)
		return ctlsrv_error(&c->conn, code, "%s", err);
	return 0;
}

static int
control_plan(struct control_req *c)
{
	struct job	j;
	struct hv	*h;

	if (control_plan_job(c, &j) == -1)
		return -1;
	h = hv_open(c->d);
	for (size_t i = 0; i < j.nmoves; i++) {
		if (i == 0 || j.moves[i].seq != j.moves[i - 1].seq)
			ctlsrv_data(&c->conn, evac_plan_wave(c->d, &j,
			    j.moves[i].seq));
		ctlsrv_data(&c->conn, evac_plan_row(c->d, h, &j.moves[i]));
	}
	hv_close(h);
	free(j.moves);
	return ctlsrv_end(&c->conn);
}

/* --- changes ------------------------------------------------------- */

static int
control_start(struct control_req *c)
{
	struct json_object	*o;
	struct evac_started	 st;
	char			 err[512], res[64];
	int			 code;

	if (evac_begin(c->d, &c->rq, c->conn.who, &st, &code, err,
	    sizeof(err)) == -1)
		return ctlsrv_error(&c->conn, code, "%s", err);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(st.id));
	json_object_object_add(o, "guests", json_object_new_int64(
	    (int64_t)st.guests));
	json_object_object_add(o, "parallel", json_object_new_int(
	    (int)st.parallel));
	if (st.parallel_why[0] != '\0')
		json_object_object_add(o, "parallel_why",
		    json_object_new_string(st.parallel_why));
	json_object_object_add(o, "waves", json_object_new_int(
	    (int)st.waves));
	json_object_object_add(o, "wave_size", json_object_new_int(
	    (int)st.wave_size));
	snprintf(res, sizeof(res), "started job %jd", (intmax_t)st.id);
	ctlsrv_data(&c->conn, o);
	return ctlsrv_done(&c->conn, res);
}

/* A URL of the console with a one-time token: an operator's only for
 * the operator role; audited by the core (the request writes). */
static int
control_console_url(struct control_req *c)
{
	struct json_object	*o;
	char			 url[256];
	bool			 op = c->rq.console_role == LGRD_CONSOLE_OPERATOR;

	if (op && c->conn.role != KEYS_ROLE_OPERATOR)
		return ctlsrv_error(&c->conn, REPLY_E_DENIED, "an operator URL "
		    "needs the operator role (you are %s)", c->conn.who);
	if (web_url(c->d, op, url, sizeof(url)) == -1)
		return ctlsrv_error(&c->conn, errno == EAGAIN ?
		    REPLY_E_UNAVAILABLE : REPLY_E_INTERNAL, "%s",
		    errno == EAGAIN ? "the console is off (lgrd --no-console)" :
		    strerror(errno));
	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "role", json_object_new_string(op ?
	    "operator" : "viewer"));
	ctlsrv_data(&c->conn, o);
	return ctlsrv_done(&c->conn, op ? "operator URL given" :
	    "viewer URL given");
}

static int
control_cancel(struct control_req *c)
{
	const char	*guest = c->rq.guest[0] ? c->rq.guest : NULL;

	if (evac_cancel(c->d, (int64_t)c->rq.id, guest) == 0)
		return ctlsrv_done(&c->conn, "cancel requested");
	if (guest != NULL)
		return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "no move of "
		    "guest %s is running or planned", guest);
	return ctlsrv_error(&c->conn, REPLY_E_NOTFOUND, "job %ju is not running "
	    "(lgrctl status)", (uintmax_t)c->rq.id);
}

static int
control_verbose(struct control_req *c)
{
	log_setverbose((int)c->rq.verbose);
	return ctlsrv_done(&c->conn, "verbosity changed");
}

static void
control_serve(struct control_req *c)
{
	char	err[128];

	if (lgrd_request_check(&c->rq, err, sizeof(err)) == -1) {
		ctlsrv_error(&c->conn, REPLY_E_BADARG, "bad request: %s", err);
		return;
	}
	switch (c->rq.type) {
	case LGRD_REQ_STATUS:
		control_status(c);
		break;
	case LGRD_REQ_HISTORY:
		control_history(c);
		break;
	case LGRD_REQ_EVENTS:
		control_events(c);
		break;
	case LGRD_REQ_REPORT:
		control_report(c);
		break;
	case LGRD_REQ_CHECK:
		control_check(c);
		break;
	case LGRD_REQ_PLAN:
		control_plan(c);
		break;
	case LGRD_REQ_AUDIT:
		control_audit_log(c);
		break;
	case LGRD_REQ_EVACUATE:
	case LGRD_REQ_RELOCATE:
		control_start(c);
		break;
	case LGRD_REQ_CANCEL:
		control_cancel(c);
		break;
	case LGRD_REQ_VERBOSE:
		control_verbose(c);
		break;
	case LGRD_REQ_CONSOLE_URL:
		control_console_url(c);
		break;
	default:
		ctlsrv_error(&c->conn, REPLY_E_BADREQ, "unknown request");
		break;
	}
}

/* Every request waiting on the socket; each is answered before the next. */
void
control_dispatch(struct lgrd *d)
{
	struct control_req	c = { .d = d };

	while (ctlsrv_recv(d->ctl, &c.conn, &c.rq) != -1) {
		if (c.conn.valid)
			control_serve(&c);
		ctlsrv_conn_release(&c.conn);
	}
}
