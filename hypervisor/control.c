/*
 * control.c: hvd's control socket, a CURVE-authenticated ROUTER at
 * ipc: LABDIR/hvd-MEMBER.ctl.  The ZAP handler maps a client key to its
 * role; requests that change state need the operator role, and every one
 * of them, allowed or not, is written to the audit log.
 *
 * Only the main thread touches the sockets here (control_sock, zap).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "hvd.h"
#include "log.h"

static void	*control_sock;	/* main thread only */
static void	*control_zapsock;

/* One request being answered. */
struct ctl_conn {
	struct hvd		*h;
	zmq_msg_t		 id;
	char			 who[32];
	enum keys_role		 role;
	struct ctl_request	 rq;
	char			 args[256];
};

typedef int (*ctl_handler)(struct ctl_conn *c);

void *
control_socket(struct hvd *h)
{
	(void)h;
	return control_sock;
}

void *
control_zap_socket(struct hvd *h)
{
	(void)h;
	return control_zapsock;
}

int
control_open(struct hvd *h)
{
	char	ep[600];
	int	zero = 0;

	if ((control_zapsock = keys_zap_open(h->zctx)) == NULL)
		return -1;
	if ((control_sock = zmq_socket(h->zctx, ZMQ_ROUTER)) == NULL)
		return -1;
	snprintf(ep, sizeof(ep), "ipc://%s/hvd-%s.ctl", h->opts.labdir,
	    h->name);
	if (keys_server_setup(control_sock, &h->keys) == -1 ||
	    zmq_setsockopt(control_sock, ZMQ_LINGER, &zero, sizeof(zero)) ==
	    -1 || zmq_bind(control_sock, ep) == -1) {
		log_warn("control socket %s", ep);
		return -1;
	}
	return 0;
}

void
control_close(struct hvd *h)
{
	char	path[600];

	snprintf(path, sizeof(path), "%s/hvd-%s.ctl", h->opts.labdir, h->name);
	zmq_close(control_sock);
	zmq_close(control_zapsock);
	unlink(path);
}

static void
control_zap_audit(const struct keys_zap_result *r, void *arg)
{
	static time_t	 last;
	struct hvd	*h = arg;
	char		 who[64];

	if (r->accepted)
		return;
	snprintf(who, sizeof(who), "unknown:%.8s", r->public[0] ?
	    r->public : r->mechanism);
	dir_audit(h->dir, h->name, who, "connect", r->address,
	    "denied: unknown key");
	if (time(NULL) != last)	/* a peer can loop: at most one a second */
		log_warnx("[HV-AUTH-DENIED] %s client %s refused: unknown key",
		    r->mechanism, who);
	last = time(NULL);
}

int
control_zap(struct hvd *h)
{
	return keys_zap_handle(control_zapsock, &h->keys, control_zap_audit, h);
}

/* Send one frame of the answer, routed back to the client. */
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

static int
ctl_rows(struct ctl_conn *c, struct json_object *arr)
{
	size_t	i;

	if (arr == NULL)
		return -1;
	for (i = 0; i < json_object_array_length(arr); i++)
		ctl_send(c, json_object_array_get_idx(arr, i));
	json_object_put(arr);
	return 0;
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
	if (ctl_req_writes(c->rq.type))
		dir_audit(c->h->dir, c->h->name, c->who,
		    ctl_req_name(c->rq.type), c->args, text);
	ctl_data(c, o);
	return -1;
}

/* The end of a state change: audited with its result. */
static int
ctl_done(struct ctl_conn *c, const char *result)
{
	dir_audit(c->h->dir, c->h->name, c->who, ctl_req_name(c->rq.type),
	    c->args, result);
	return ctl_end(c);
}

static int
ctl_guest(struct ctl_conn *c)
{
	int	g = config_guest_find(c->h->conf, c->rq.guest);

	if (g == -1)
		ctl_error(c, CTL_E_NOTFOUND, "guest %s is not defined",
		    c->rq.guest);
	return g;
}

/* The member a guest lives on, or "" (redirects when not here). */
static int
ctl_here(struct ctl_conn *c, const char *guest)
{
	struct json_object	*o;
	char			 member[HV_NAME];

	if (dir_text(c->h->dir, member, sizeof(member), "SELECT member FROM "
	    "residency WHERE guest = ?", "s", guest) <= 0)
		return ctl_error(c, CTL_E_NOTFOUND, "guest %s has no residency",
		    guest);
	if (strcmp(member, c->h->name) == 0)
		return 0;
	o = json_object_new_object();
	json_object_object_add(o, "redirect", json_object_new_string(member));
	ctl_data(c, o);
	return ctl_error(c, CTL_E_NOTHERE, "guest %s runs on %s: ask that "
	    "member", guest, member);
}

static int
ctl_members(struct ctl_conn *c)
{
	ctl_rows(c, dir_json(c->h->dir, "SELECT m.name, m.idx, m.state, "
	    "m.memory_mib, (SELECT coalesce(sum(g.memory_mib), 0) FROM "
	    "residency r JOIN guests g ON g.name = r.guest WHERE r.member = "
	    "m.name AND r.state IN ('RUNNING', 'RELOCATING')) AS used_mib, "
	    "m.pid, m.heartbeat_ms, ?1 - m.heartbeat_ms AS heartbeat_age_ms, "
	    "m.since_ms, m.max_out, m.max_in, m.reason, (SELECT value FROM "
	    "cluster WHERE key = 'mode') AS cluster_mode FROM members m "
	    "ORDER BY m.idx", "i", dir_now_ms()));
	return ctl_end(c);
}

static int
ctl_guests(struct ctl_conn *c)
{
	ctl_rows(c, dir_json(c->h->dir, "SELECT g.name, r.member, r.state, "
	    "g.memory_mib, g.grp AS 'group', g.domain, g.nics, g.relocations, "
	    "g.rate_mib, g.wss_mib, r.since_ms FROM guests g JOIN residency r "
	    "ON r.guest = g.name ORDER BY g.idx", ""));
	return ctl_end(c);
}

#define CTL_JOURNAL_COLS "id, guest, src, dst, phase, pass, sent_mib, " \
	"left_mib, dirty_mib_s, est_quiesce_ms, started_ms, updated_ms, " \
	"ended_ms, coalesce(end_code, '') AS end_code, who, max_total_s, " \
	"max_quiesce_ms, immediate, text"

static int
ctl_status(struct ctl_conn *c)
{
	if (c->rq.guest[0] != '\0')
		ctl_rows(c, dir_json(c->h->dir, "SELECT " CTL_JOURNAL_COLS
		    " FROM journal WHERE guest = ? ORDER BY id DESC LIMIT 1",
		    "s", c->rq.guest));
	else
		ctl_rows(c, dir_json(c->h->dir, "SELECT " CTL_JOURNAL_COLS
		    " FROM journal WHERE end_code IS NULL ORDER BY id", ""));
	return ctl_end(c);
}

static int
ctl_check(struct ctl_conn *c)
{
	struct elig_conflict	 cf[CONFLICT_MAX];
	struct elig_input	 in;
	size_t			 i, n;
	int			 g;

	if ((g = ctl_guest(c)) == -1)
		return -1;
	if (elig_gather(c->h->dir, c->h->conf, &c->h->conf->guests[g],
	    c->rq.member, c->rq.force, &in) == -1)
		return ctl_error(c, CTL_E_INTERNAL, "directory read failed");
	n = elig_check(&in, cf, CONFLICT_MAX);
	for (i = 0; i < n; i++)
		ctl_data(c, elig_conflict_json(&cf[i]));
	return ctl_end(c);
}

static int
ctl_history(struct ctl_conn *c)
{
	if (c->rq.guest[0] != '\0')
		ctl_rows(c, dir_json(c->h->dir, "SELECT * FROM history WHERE "
		    "guest = ? ORDER BY id", "s", c->rq.guest));
	else
		ctl_rows(c, dir_json(c->h->dir, "SELECT * FROM history ORDER "
		    "BY id", ""));
	return ctl_end(c);
}

static int
ctl_events(struct ctl_conn *c)
{
	ctl_rows(c, dir_json(c->h->dir, "SELECT * FROM events WHERE id > ? "
	    "AND (?2 = '' OR guest = ?2) ORDER BY id LIMIT 1000", "is",
	    (int64_t)c->rq.since, c->rq.guest));
	return ctl_end(c);
}

static int
ctl_audit(struct ctl_conn *c)
{
	ctl_rows(c, dir_json(c->h->dir, "SELECT * FROM audit WHERE id > ? "
	    "ORDER BY id LIMIT 1000", "i", (int64_t)c->rq.since));
	return ctl_end(c);
}

static int
ctl_where(struct ctl_conn *c)
{
	if (ctl_guest(c) == -1)
		return -1;
	ctl_rows(c, dir_json(c->h->dir, "SELECT r.guest, r.member, r.state, "
	    "m.idx AS member_idx, m.state AS member_state, r.since_ms FROM "
	    "residency r JOIN members m ON m.name = r.member WHERE r.guest = ?",
	    "s", c->rq.guest));
	return ctl_end(c);
}

static int
ctl_relocate(struct ctl_conn *c)
{
	struct elig_conflict	 cf[CONFLICT_MAX];
	struct json_object	*o;
	size_t			 i, n = 0;
	int64_t			 id;
	int			 g;
	char			 res[64];

	if ((g = ctl_guest(c)) == -1 || ctl_here(c, c->rq.guest) == -1)
		return -1;
	if (reloc_start(c->h, &c->rq, c->who, cf, &n, &id) == -1) {
		if (n == 0)
			return ctl_error(c, CTL_E_INTERNAL, "relocation of %s "
			    "could not start", c->rq.guest);
		for (i = 0; i < n; i++)
			ctl_data(c, elig_conflict_json(&cf[i]));
		return ctl_error(c, CTL_E_CONFLICT, "guest %s cannot move to "
		    "%s: %zu conflict(s)", c->rq.guest, c->rq.member, n);
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "guest", json_object_new_string(c->rq.guest));
	json_object_object_add(o, "member",
	    json_object_new_string(c->rq.member));
	ctl_data(c, o);
	snprintf(res, sizeof(res), "started relocation %jd", (intmax_t)id);
	return ctl_done(c, res);
}

static int
ctl_cancel(struct ctl_conn *c)
{
	int	g;

	if ((g = ctl_guest(c)) == -1 || ctl_here(c, c->rq.guest) == -1)
		return -1;
	if (reloc_cancel(c->h, g) == -1)
		return ctl_error(c, CTL_E_REFUSED, "no relocation of guest %s "
		    "is running", c->rq.guest);
	return ctl_done(c, "cancel requested");
}

static int
ctl_set_limits(struct ctl_conn *c)
{
	int	g;

	if ((g = ctl_guest(c)) == -1 || ctl_here(c, c->rq.guest) == -1)
		return -1;
	if (reloc_set_limits(c->h, g, &c->rq) == -1)
		return ctl_error(c, CTL_E_REFUSED, "no relocation of guest %s "
		    "is running", c->rq.guest);
	return ctl_done(c, "limits changed");
}

static int
ctl_recover_check(struct ctl_conn *c, int g, char *old, size_t len)
{
	const struct hv_guestdef	*def = &c->h->conf->guests[g];

	if (strcmp(c->rq.member, c->h->name) != 0) {
		struct json_object	*o = json_object_new_object();

		json_object_object_add(o, "redirect",
		    json_object_new_string(c->rq.member));
		ctl_data(c, o);
		return ctl_error(c, CTL_E_NOTHERE, "recover on %s: ask that "
		    "member", c->rq.member);
	}
	if (dir_text(c->h->dir, old, len, "SELECT member FROM residency WHERE "
	    "guest = ?", "s", def->name) <= 0)
		return ctl_error(c, CTL_E_NOTFOUND, "guest %s has no residency",
		    def->name);
	if (strcmp(old, c->h->name) == 0 && c->h->guests[g] != NULL)
		return ctl_error(c, CTL_E_REFUSED, "guest %s already runs on "
		    "%s", def->name, old);
	if (strcmp(old, c->h->name) != 0 &&
	    member_alive(c->h->dir, old, c->h->opts.down_ms))
		return ctl_error(c, CTL_E_REFUSED, "member %s of guest %s is "
		    "alive: relocate the guest instead", old, def->name);
	if (!config_in_domain(def, c->h->name))
		return ctl_error(c, CTL_E_REFUSED, "member %s is outside guest "
		    "%s's relocation domain", c->h->name, def->name);
	return 0;
}

static int
ctl_recover(struct ctl_conn *c)
{
	char	old[HV_NAME];
	int	g;

	if ((g = ctl_guest(c)) == -1 || ctl_recover_check(c, g, old,
	    sizeof(old)) == -1)
		return -1;
	member_set_down(c->h->dir, old, "recover");
	if (hvd_guest_boot(c->h, g) == -1)
		return ctl_error(c, CTL_E_INTERNAL, "guest %s could not start on "
		    "%s", c->rq.guest, c->h->name);
	dir_event(c->h->dir, "HV-GUEST-RECOVERED", c->h->name, c->rq.guest,
	    "recovered on %s (was on %s), fresh memory", c->h->name, old);
	return ctl_done(c, "recovered");
}

static int
ctl_member_down(struct ctl_conn *c)
{
	int64_t	age;

	if (config_member_find(c->h->conf, c->rq.member) == -1)
		return ctl_error(c, CTL_E_NOTFOUND, "member %s is not defined",
		    c->rq.member);
	if (member_alive(c->h->dir, c->rq.member, c->h->opts.down_ms)) {
		dir_int(c->h->dir, &age, "SELECT ? - heartbeat_ms FROM members "
		    "WHERE name = ?", "is", dir_now_ms(), c->rq.member);
		return ctl_error(c, CTL_E_REFUSED, "member %s is alive (heartbeat"
		    " %jd ms ago, timeout %u ms)", c->rq.member, (intmax_t)age,
		    c->h->opts.down_ms);
	}
	if (member_set_down(c->h->dir, c->rq.member, "set down") > 0)
		dir_event(c->h->dir, "HV-MEMBER-DOWN", c->h->name, NULL,
		    "member %s set DOWN by %s", c->rq.member, c->who);
	return ctl_done(c, "member down");
}

static int
ctl_member_limits(struct ctl_conn *c)
{
	if (config_member_find(c->h->conf, c->rq.member) == -1)
		return ctl_error(c, CTL_E_NOTFOUND, "member %s is not defined",
		    c->rq.member);
	if (c->rq.limit_out != CTL_UNSET)
		dir_exec(c->h->dir, "UPDATE members SET max_out = ? WHERE name "
		    "= ?", "is", (int64_t)c->rq.limit_out, c->rq.member);
	if (c->rq.limit_in != CTL_UNSET)
		dir_exec(c->h->dir, "UPDATE members SET max_in = ? WHERE name "
		    "= ?", "is", (int64_t)c->rq.limit_in, c->rq.member);
	return ctl_done(c, "limits changed");
}

static int
ctl_workload(struct ctl_conn *c)
{
	struct guest	*g;
	int		 idx;

	if ((idx = ctl_guest(c)) == -1 || ctl_here(c, c->rq.guest) == -1)
		return -1;
	pthread_mutex_lock(&c->h->lock);
	if ((g = c->h->guests[idx]) != NULL)
		guest_set_workload(g, c->rq.rate_mib, c->rq.wss_mib);
	pthread_mutex_unlock(&c->h->lock);
	if (c->rq.rate_mib != CTL_UNSET)
		dir_exec(c->h->dir, "UPDATE guests SET rate_mib = ? WHERE name "
		    "= ?", "is", (int64_t)c->rq.rate_mib, c->rq.guest);
	if (c->rq.wss_mib != CTL_UNSET)
		dir_exec(c->h->dir, "UPDATE guests SET wss_mib = ? WHERE name "
		    "= ?", "is", (int64_t)c->rq.wss_mib, c->rq.guest);
	return ctl_done(c, "workload changed");
}

static int
ctl_verbose(struct ctl_conn *c)
{
	log_setverbose((int)c->rq.verbose);
	return ctl_done(c, "verbosity changed");
}

static const ctl_handler ctl_handlers[CTL_NREQ] = {
	[CTL_MEMBERS] = ctl_members,
	[CTL_GUESTS] = ctl_guests,
	[CTL_STATUS] = ctl_status,
	[CTL_CHECK] = ctl_check,
	[CTL_HISTORY] = ctl_history,
	[CTL_EVENTS] = ctl_events,
	[CTL_WHERE] = ctl_where,
	[CTL_AUDIT] = ctl_audit,
	[CTL_RELOCATE] = ctl_relocate,
	[CTL_CANCEL] = ctl_cancel,
	[CTL_SET_LIMITS] = ctl_set_limits,
	[CTL_RECOVER] = ctl_recover,
	[CTL_MEMBER_DOWN] = ctl_member_down,
	[CTL_MEMBER_LIMITS] = ctl_member_limits,
	[CTL_WORKLOAD] = ctl_workload,
	[CTL_VERBOSE] = ctl_verbose,
};

static void
ctl_args(struct ctl_conn *c, const zmq_msg_t *m)
{
	size_t	n = zmq_msg_size(m);

	if (n >= sizeof(c->args))
		n = sizeof(c->args) - 1;
	memcpy(c->args, zmq_msg_data((zmq_msg_t *)(uintptr_t)m), n);
	c->args[n] = '\0';
}

static void
ctl_serve(struct ctl_conn *c, zmq_msg_t *m)
{
	const char	*user;

	user = zmq_msg_gets(m, "User-Id");
	c->role = KEYS_ROLE_NONE;
	if (user != NULL && strcmp(user, "operator") == 0)
		c->role = KEYS_ROLE_OPERATOR;
	else if (user != NULL && strcmp(user, "viewer") == 0)
		c->role = KEYS_ROLE_VIEWER;
	else if (user != NULL && strcmp(user, "server") == 0)
		c->role = KEYS_ROLE_SERVER;
	else if (user != NULL && strcmp(user, "orchestrator") == 0)
		c->role = KEYS_ROLE_ORCHESTRATOR;
	snprintf(c->who, sizeof(c->who), "%s", keys_role_name(c->role));
	ctl_args(c, m);
	if (ctl_request_decode(zmq_msg_data(m), zmq_msg_size(m), &c->rq) == -1) {
		c->rq.type = CTL_MEMBERS;	/* a read: not audited */
		ctl_error(c, CTL_E_BADREQ, "bad request: %s", msg_errtext()[0] ?
		    msg_errtext() : "unknown request");
		return;
	}
	if (ctl_req_writes(c->rq.type) && c->role != KEYS_ROLE_OPERATOR &&
	    c->role != KEYS_ROLE_SERVER && c->role != KEYS_ROLE_ORCHESTRATOR) {
		log_warnx("[HV-AUTH-REFUSED] %s may not %s", c->who,
		    ctl_req_name(c->rq.type));
		ctl_error(c, CTL_E_DENIED, "role %s may only read: %s needs "
		    "operator", c->who, ctl_req_name(c->rq.type));
		return;
	}
	ctl_handlers[c->rq.type](c);
}

/* One request from the ROUTER socket: [routing id][request]. */
int
control_dispatch(struct hvd *h)
{
	struct ctl_conn	c;
	zmq_msg_t	m;

	memset(&c, 0, sizeof(c));
	c.h = h;
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
