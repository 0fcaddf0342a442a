/*
 * control.c: the requests of hvd's control socket (hv_ctl.h), one flat
 * switch.  The socket itself, the ZAP handler, decoding, roles, the
 * refusal log and the reply frames are common/ctlsrv's; each request
 * state change and each refusal is written to the directory's audit
 * log through control_audit.
 *
 * Only the main thread touches the socket (struct hvd's ctl).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <zmq.h>

#include "clock.h"
#include "ctlsrv.h"
#include "directory.h"
#include "labname.h"
#include "log.h"

/* One request being answered. */
#define CONTROL_DIR_BACKOFF_MS	1000

struct control {
	struct hvd		*h;
	struct ctlsrv_conn	 c;
	struct hv_request	 rq;
};

static void
control_audit(void *arg, const char *who, const char *what, const char *args,
    const char *result)
{
	struct hvd	*h = arg;

	if (dir_audit(h->dir, h->name, who, what, args, result) == -1)
		log_warnx("[HV-AUDIT] audit record of %s by %s not written",
		    what, who);
}

int
control_open(struct hvd *h)
{
	struct ctlsrv_conf	conf;
	char			path[512], ep[600], ipc[600];

	size_t			len = sizeof(h->ctl_ep);

	if (labname_hvd_sock(h->opts.labdir, h->name, path, sizeof(path)) ==
	    NULL || labname_ipc(path, ipc, sizeof(ipc)) == NULL)
		return -1;
	if (h->opts.listen != NULL)
		snprintf(ep, sizeof(ep), "tcp://%s:*", h->opts.listen);
	else
		snprintf(ep, sizeof(ep), "%s", ipc);
	memset(&conf, 0, sizeof(conf));
	conf.endpoint = ep;
	conf.keys = &h->keys;
	conf.codec = &hv_codec;
	conf.msgid = "HV";
	conf.audit = control_audit;
	conf.audit_arg = h;
	conf.affinity = HVD_IO_CONTROL;
	if ((h->ctl = ctlsrv_open(h->zctx, &conf)) == NULL)
		return -1;
	/* The endpoint as bound (tcp: the port chosen), to publish. */
	if (zmq_getsockopt(ctlsrv_socket(h->ctl), ZMQ_LAST_ENDPOINT,
	    h->ctl_ep, &len) == -1)
		snprintf(h->ctl_ep, sizeof(h->ctl_ep), "%s", ep);
	/*
	 * On tcp:// the IPC socket too, for the clients of this host (the
	 * guests' agents, lgrd, hvctl in the lab directory): the same
	 * socket, the same CURVE keys.
	 */
	if (h->opts.listen != NULL &&
	    zmq_bind(ctlsrv_socket(h->ctl), ipc) == -1) {
		log_warnx("[HV-CONTROL] %s: %s", ipc, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

void
control_close(struct hvd *h)
{
	if (h->ctl != NULL)
		ctlsrv_close(h->ctl);
	h->ctl = NULL;
}


/*
 * A directory call failed: UNAVAILABLE, saying what failed, what the
 * directory said and, on etcd, why (no quorum, no leader).  An etcd
 * found unhealthy is not asked again for CONTROL_DIR_BACKOFF_MS: the
 * requests meanwhile get that answer at once (control_dir_down), where
 * each would hold the main thread for a directory time-out, and a
 * client's request would wait behind the others' (lgrd polls).
 */
static int
control_dir_error(struct control *x, const char *what)
{
	char	why[160] = "";

	if (x->h->dirconf.kind == DIR_ETCD &&
	    dir_etcd_health(&x->h->dirconf, why, sizeof(why)) == 0) {
		x->h->dir_down_until = clock_ms() + CONTROL_DIR_BACKOFF_MS;
		snprintf(x->h->dir_down_why, sizeof(x->h->dir_down_why), "%s",
		    why);
	}
	log_warnx("[HV-DIR] %s: the cluster directory does not answer%s%s",
	    what, why[0] ? ": " : "", why);
	return ctlsrv_error(&x->c, REPLY_E_UNAVAILABLE, "[HV-DIR] %s: the "
	    "cluster directory does not answer%s%s (%s)", what,
	    why[0] ? ": " : "", why, dir_error(x->h->dir));
}

/* Rows of the directory, then the end; a failed read is an error. */
static int
control_rows(struct control *x, struct json_object *rows)
{
	if (rows == NULL)
		return control_dir_error(x, "directory read failed");
	ctlsrv_rows(&x->c, rows);
	return ctlsrv_end(&x->c);
}

static int
control_guest(struct control *x)
{
	int	g = config_guest_find(x->h->conf, x->rq.guest);

	if (g == -1)
		ctlsrv_error(&x->c, REPLY_E_NOTFOUND, "guest %s is not defined",
		    x->rq.guest);
	return g;
}

/*
 * Send the client to member: a row naming it, then NOTHERE.  Asking the
 * wrong member is no attempt at a change: not audited.
 */
static int
control_redirect(struct control *x, const char *member, const char *what)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "redirect", json_object_new_string(member));
	ctlsrv_data(&x->c, o);
	x->c.type = -1;
	return ctlsrv_error(&x->c, REPLY_E_NOTHERE, "%s is on %s", what,
	    member);
}

/* Does the guest live here?  0, or -1 after an answer (redirect). */
static int
control_here(struct control *x)
{
	struct dir_residency	r;
	char			what[HV_NAME + 8];

	switch (dir_residency(x->h->dir, x->rq.guest, &r)) {
	case -1:
		return control_dir_error(x, "where the guest runs: unknown");
	case 0:
		return ctlsrv_error(&x->c, REPLY_E_NOTFOUND, "guest %s has no "
		    "residency", x->rq.guest);
	}
	if (strcmp(r.member, x->h->name) == 0)
		return 0;
	snprintf(what, sizeof(what), "guest %s", x->rq.guest);
	return control_redirect(x, r.member, what);
}

/* A fenced member refuses work until it has joined again. */
static int
control_fenced(struct control *x)
{
	char	why[160] = "";

	if (!member_fenced(x->h))
		return 0;
	if (x->h->dirconf.kind == DIR_ETCD)
		dir_etcd_health(&x->h->dirconf, why, sizeof(why));
	return ctlsrv_error(&x->c, REPLY_E_REFUSED, "[HV-FENCED] member %s is "
	    "fenced (%s): it refuses relocations until it joins again%s%s",
	    x->h->name, x->h->fence_why, why[0] ? "; " : "", why);
}

static int
control_members(struct control *x)
{
	return control_rows(x, dir_members_json(x->h->dir));
}

static int
control_guests(struct control *x)
{
	return control_rows(x, dir_guests_json(x->h->dir));
}

static int
control_status(struct control *x)
{
	return control_rows(x, dir_status_json(x->h->dir, x->rq.guest));
}

static int
control_check(struct control *x)
{
	struct elig_conflict	 cf[HV_CONFLICT_MAX];
	struct elig_input	 in;
	size_t			 i, n;
	int			 g;

	if ((g = control_guest(x)) == -1)
		return -1;
	if (dir_elig_gather(x->h->dir, x->h->conf, &x->h->conf->guests[g],
	    x->rq.member, hv_request_force(&x->rq), &in) == -1)
		return control_dir_error(x, "eligibility not checked");
	n = elig_check(&in, cf, HV_CONFLICT_MAX);
	for (i = 0; i < n; i++)
		ctlsrv_data(&x->c, elig_conflict_json(&cf[i]));
	return ctlsrv_end(&x->c);
}

static int
control_history(struct control *x)
{
	return control_rows(x, dir_history_json(x->h->dir, x->rq.guest));
}

static int64_t
control_since(const struct hv_request *rq)
{
	return rq->since == HV_UNSET ? 0 : (int64_t)rq->since;
}

static int
control_events(struct control *x)
{
	return control_rows(x, dir_events_json(x->h->dir,
	    control_since(&x->rq), x->rq.guest));
}

static int
control_audit_rows(struct control *x)
{
	return control_rows(x, dir_audit_json(x->h->dir,
	    control_since(&x->rq)));
}

static int
control_where(struct control *x)
{
	if (control_guest(x) == -1)
		return -1;
	return control_rows(x, dir_where_json(x->h->dir, x->rq.guest));
}

static int
control_relocate(struct control *x)
{
	struct elig_conflict	 cf[HV_CONFLICT_MAX];
	struct json_object	*o;
	size_t			 i, n = 0;
	int64_t			 id;
	char			 res[64];

	if (control_guest(x) == -1 || control_fenced(x) == -1 ||
	    control_here(x) == -1)
		return -1;
	if (reloc_start(x->h, &x->rq, x->c.who, cf, &n, &id) == -1) {
		if (n == 0) {
			snprintf(res, sizeof(res), "relocation of %s not "
			    "started", x->rq.guest);
			return control_dir_error(x, res);
		}
		for (i = 0; i < n; i++)
			ctlsrv_data(&x->c, elig_conflict_json(&cf[i]));
		return ctlsrv_error(&x->c, REPLY_E_CONFLICT, "guest %s cannot "
		    "move to %s: %zu conflict(s)", x->rq.guest, x->rq.member,
		    n);
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "guest", json_object_new_string(x->rq.guest));
	json_object_object_add(o, "member",
	    json_object_new_string(x->rq.member));
	ctlsrv_data(&x->c, o);
	snprintf(res, sizeof(res), "started relocation %jd", (intmax_t)id);
	return ctlsrv_done(&x->c, res);
}

static int
control_cancel(struct control *x)
{
	int	g;

	if ((g = control_guest(x)) == -1 || control_here(x) == -1)
		return -1;
	if (reloc_cancel(x->h, g) == -1)
		return ctlsrv_error(&x->c, REPLY_E_REFUSED, "no relocation of "
		    "guest %s is running", x->rq.guest);
	return ctlsrv_done(&x->c, "cancel requested");
}

static int
control_set_limits(struct control *x)
{
	int	g;

	if ((g = control_guest(x)) == -1 || control_here(x) == -1)
		return -1;
	if (reloc_set_limits(x->h, g, &x->rq) == -1)
		return ctlsrv_error(&x->c, REPLY_E_REFUSED, "no relocation of "
		    "guest %s is running", x->rq.guest);
	return ctlsrv_done(&x->c, "limits changed");
}

static int
control_recover_check(struct control *x, int g, struct dir_residency *r)
{
	const struct hv_guestdef	*def = &x->h->conf->guests[g];
	struct hvd			*h = x->h;
	int				 alive = 0;

	if (strcmp(x->rq.member, h->name) != 0)
		return control_redirect(x, x->rq.member, "recover");
	switch (dir_residency(h->dir, def->name, r)) {
	case -1:
		return control_dir_error(x, "where the guest runs: unknown");
	case 0:
		return ctlsrv_error(&x->c, REPLY_E_NOTFOUND, "guest %s has no "
		    "residency", def->name);
	}
	if (strcmp(r->member, h->name) == 0 && h->guests[g] != NULL)
		return ctlsrv_error(&x->c, REPLY_E_REFUSED, "guest %s already "
		    "runs on %s", def->name, r->member);
	/* A LOST guest's member was declared DOWN, and fenced if it lived:
	 * joined again, it never takes the guest back (hvd(8)). */
	if (strcmp(r->member, h->name) != 0 && strcmp(r->state, "LOST") != 0 &&
	    (alive = dir_member_alive(h->dir, r->member, h->opts.down_ms,
	    NULL)) != 0)
		return alive == -1 ? control_dir_error(x, "liveness of the "
		    "guest's member unknown") : ctlsrv_error(&x->c,
		    REPLY_E_REFUSED, "member %s of guest %s is alive: relocate "
		    "the guest instead", r->member, def->name);
	if (!elig_in_domain(def, h->name))
		return ctlsrv_error(&x->c, REPLY_E_REFUSED, "member %s is "
		    "outside guest %s's relocation domain", h->name, def->name);
	return 0;
}

/*
 * Restart the guest here with a fresh image, conditioned on the
 * residency read once its old member is DOWN: whoever changed it in
 * between wins and this recover fails.
 */
static int
control_recover(struct control *x)
{
	struct dir_residency	r;
	char			old[HV_NAME];
	int			g;

	if ((g = control_guest(x)) == -1 || control_fenced(x) == -1 ||
	    control_recover_check(x, g, &r) == -1)
		return -1;
	snprintf(old, sizeof(old), "%s", r.member);
	if ((strcmp(old, x->h->name) != 0 && strcmp(r.state, "LOST") != 0 &&
	    dir_member_down(x->h->dir, old, "recover") == -1) ||
	    dir_residency(x->h->dir, x->rq.guest, &r) != 1)
		return ctlsrv_error(&x->c, REPLY_E_INTERNAL, "member %s could "
		    "not be set DOWN", old);
	if (strcmp(r.member, old) != 0)
		return ctlsrv_error(&x->c, REPLY_E_REFUSED, "guest %s was "
		    "claimed by %s meanwhile", x->rq.guest, r.member);
	if (hvd_guest_boot(x->h, g, r.rev, true) == -1)
		return ctlsrv_error(&x->c, REPLY_E_INTERNAL, "guest %s could "
		    "not start on %s", x->rq.guest, x->h->name);
	if (hvd_guest_replug(x->h, g) == -1)
		dir_event(x->h->dir, "HV-REPLUG", x->h->name, x->rq.guest,
		    "HiperSockets NICs not moved to %s's LAN", x->h->name);
	dir_event(x->h->dir, "HV-GUEST-RECOVERED", x->h->name, x->rq.guest,
	    "recovered on %s (was on %s), fresh memory", x->h->name, old);
	return ctlsrv_done(&x->c, "recovered");
}

static int
control_member_down(struct control *x)
{
	int64_t	age = 0;
	int	alive;

	if (config_member_find(x->h->conf, x->rq.member) == -1)
		return ctlsrv_error(&x->c, REPLY_E_NOTFOUND, "member %s is not "
		    "defined", x->rq.member);
	if ((alive = dir_member_alive(x->h->dir, x->rq.member,
	    x->h->opts.down_ms, &age)) == -1)
		return control_dir_error(x, "liveness of the member unknown");
	if (alive)
		return ctlsrv_error(&x->c, REPLY_E_REFUSED, "member %s is "
		    "alive (heartbeat %jd ms ago, timeout %u ms)", x->rq.member,
		    (intmax_t)age, x->h->opts.down_ms);
	switch (dir_member_down(x->h->dir, x->rq.member, "set down")) {
	case -1:
		return ctlsrv_error(&x->c, REPLY_E_INTERNAL, "member %s could "
		    "not be set DOWN", x->rq.member);
	case 0:
		break;
	default:
		dir_event(x->h->dir, "HV-MEMBER-DOWN", x->h->name, NULL,
		    "member %s set DOWN by %s", x->rq.member, x->c.who);
	}
	return ctlsrv_done(&x->c, "member down");
}

static int
control_member_limits(struct control *x)
{
	if (config_member_find(x->h->conf, x->rq.member) == -1)
		return ctlsrv_error(&x->c, REPLY_E_NOTFOUND, "member %s is not "
		    "defined", x->rq.member);
	if (dir_member_limits(x->h->dir, x->rq.member, x->rq.limit_out,
	    x->rq.limit_in) != 1)
		return ctlsrv_error(&x->c, REPLY_E_INTERNAL, "limits of member "
		    "%s not written", x->rq.member);
	return ctlsrv_done(&x->c, "limits changed");
}

static int
control_workload(struct control *x)
{
	struct guest	*g;
	int		 idx;

	if ((idx = control_guest(x)) == -1 || control_here(x) == -1)
		return -1;
	pthread_mutex_lock(&x->h->lock);
	if ((g = x->h->guests[idx]) != NULL)
		guest_set_workload(g, x->rq.rate_mib, x->rq.wss_mib);
	pthread_mutex_unlock(&x->h->lock);
	if (dir_guest_set_workload(x->h->dir, x->rq.guest, x->rq.rate_mib,
	    x->rq.wss_mib) != 1)
		return ctlsrv_error(&x->c, REPLY_E_INTERNAL, "workload of "
		    "guest %s not written", x->rq.guest);
	return ctlsrv_done(&x->c, "workload changed");
}

static int
control_verbose(struct control *x)
{
	log_setverbose((int)x->rq.verbose);
	return ctlsrv_done(&x->c, "verbosity changed");
}

/* Within the back-off after an unhealthy etcd: answered at once. */
static bool
control_dir_down(struct control *x)
{
	if (x->rq.type == HV_REQ_VERBOSE || x->rq.type == HV_REQ_MAX ||
	    clock_ms() >= x->h->dir_down_until)
		return false;
	ctlsrv_error(&x->c, REPLY_E_UNAVAILABLE, "[HV-DIR] the cluster "
	    "directory does not answer: %s (asked again within %d ms)",
	    x->h->dir_down_why, CONTROL_DIR_BACKOFF_MS);
	return true;
}

static void
control_serve(struct control *x)
{
	if (control_dir_down(x)) {
		ctlsrv_conn_release(&x->c);
		return;
	}
	switch (x->rq.type) {
	case HV_REQ_MEMBERS:
		control_members(x);
		break;
	case HV_REQ_GUESTS:
		control_guests(x);
		break;
	case HV_REQ_STATUS:
		control_status(x);
		break;
	case HV_REQ_CHECK:
		control_check(x);
		break;
	case HV_REQ_HISTORY:
		control_history(x);
		break;
	case HV_REQ_EVENTS:
		control_events(x);
		break;
	case HV_REQ_WHERE:
		control_where(x);
		break;
	case HV_REQ_AUDIT:
		control_audit_rows(x);
		break;
	case HV_REQ_RELOCATE:
		control_relocate(x);
		break;
	case HV_REQ_CANCEL:
		control_cancel(x);
		break;
	case HV_REQ_SET_LIMITS:
		control_set_limits(x);
		break;
	case HV_REQ_RECOVER:
		control_recover(x);
		break;
	case HV_REQ_MEMBER_DOWN:
		control_member_down(x);
		break;
	case HV_REQ_MEMBER_LIMITS:
		control_member_limits(x);
		break;
	case HV_REQ_WORKLOAD:
		control_workload(x);
		break;
	case HV_REQ_VERBOSE:
		control_verbose(x);
		break;
	case HV_REQ_MAX:
		ctlsrv_error(&x->c, REPLY_E_BADREQ, "unknown request");
		break;
	}
	ctlsrv_conn_release(&x->c);	/* a handler that forgot: no answer */
}

/* Every request waiting on the socket. */
void
control_dispatch(struct hvd *h)
{
	struct control	x;
	int		rc;

	x.h = h;
	while ((rc = ctlsrv_recv(h->ctl, &x.c, &x.rq)) != -1)
		if (rc == 1)
			control_serve(&x);
}
