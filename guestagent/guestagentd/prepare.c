/*
 * prepare.c: the prepare operation.
 *
 * Drain mode: ask this guest's ospfd_lgr to drain every HSI interface
 * that is up, then wait for evidence, our own router and kernel asked
 * again every PREPARE_POLL_MS and whenever it publishes an event, each
 * peer when it published an SPF run or its back-off ran out (pace.c):
 *   - our drain is in effect: the plugin reports the interfaces drained
 *     and none of our own routes leaves through an HSI interface (but
 *     the HSI LANs themselves, still attached);
 *   - every peer routes our VIPA off its HSI interfaces;
 *   - our kernel's table no longer sends anything through HSI (but the
 *     HSI LANs' own routes);
 * or the timeout, reported as such.  The peers' kernels are out of our
 * sight (another guest's namespace): a short settle (-s, default 50 ms)
 * gives their zebra time to install what their ospfd shows.  Then every
 * HSI interface goes down, the journal says PREPARED, and the
 * orchestrator gets the report.
 *
 * Naive mode (the evaluation's script): every HSI interface down now.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "lgr_ctl.h"
#include "log.h"

#define PREPARE_POLL_MS		10	/* our own router and kernel */
#define PREPARE_PLUGIN_MS	2000	/* drain request */
#define PREPARE_ASK_MS		500	/* each evidence request */

static void
prepare_cleanup(struct agent *a)
{
	a->op.npeers = 0;
	watch_clear(a);
}

/* A peer named by the orchestrator, or found as our neighbour. */
static int
prepare_add_peer(struct agent *a, int g)
{
	struct op_peer	*p;
	size_t		 i;

	if (g == a->conf.guest)
		return 0;
	for (i = 0; i < a->op.npeers; i++)
		if (a->op.peers[i].guest == g)
			return 0;
	if (a->op.npeers == AGENT_PEERS_MAX)
		return -1;
	p = &a->op.peers[a->op.npeers++];
	memset(p, 0, sizeof(*p));
	p->guest = g;
	snprintf(p->name, sizeof(p->name), "%s", a->conf.topo->guests[g].name);
	p->nifs = config_guest_hsi(&a->conf, g, p->ifs, TOPO_MAX_NICS);
	/* A peer without HSI interfaces cannot route us over them. */
	p->moved = p->nifs == 0;
	p->plugin = p->moved ? NULL : plugin_peer(a, g);
	pace_init(&p->pace, p->plugin != NULL ? watch_add(a, p->name, false) :
	    -1);
	return 0;
}

/* The default peers: our OSPF neighbours on the interfaces we drain. */
static void
prepare_default_peers(struct agent *a, struct json_object *state)
{
	char	rid[AGENT_PEERS_MAX][INET_ADDRSTRLEN];
	size_t	i, j, n;
	int	g;

	for (i = 0; i < a->op.ndrained; i++) {
		n = evidence_neighbors(state, a->op.drained[i], rid,
		    AGENT_PEERS_MAX);
		for (j = 0; j < n; j++)
			if ((g = config_guest_by_router_id(&a->conf,
			    rid[j])) != -1)
				prepare_add_peer(a, g);
	}
}

/* Every requested peer is a guest of the lab; 0, or -1 answered. */
static int
prepare_check_peers(struct agent *a, const struct agent_request *rq,
    struct ctlsrv_conn *cl)
{
	size_t	i;

	for (i = 0; i < rq->npeers; i++)
		if (topo_guest_find(a->conf.topo, rq->peers[i]) == -1) {
			ctlsrv_error(cl, REPLY_E_NOTFOUND, "peer %s is not a "
			    "guest of lab %s", rq->peers[i],
			    a->conf.topo->name);
			return -1;
		}
	return 0;
}

static void
prepare_finish(struct agent *a)
{
	size_t	i;
	int	rc;

	fsm_prepare_done(&a->fsm, clock_wall_ms());
	for (i = 0; i < a->op.ndrained; i++)
		a->fsm.ifs[fsm_if_find(&a->fsm, a->op.drained[i])].drained =
		    true;
	rc = engine_apply(a);
	if (engine_journal(a) == -1 || rc == -1) {
		log_warnx("%s %s: %s", GA_MSG_PREPARE,
		    config_guest_name(&a->conf), rc == -1 ? "an HSI interface "
		    "did not go down" : "journal not written");
		ctlsrv_error(&a->op.client, REPLY_E_INTERNAL, "prepare of %s: "
		    "%s; see guestagentd's log", config_guest_name(&a->conf),
		    rc == -1 ? "an HSI interface did not go down" :
		    "the journal could not be written");
	} else {
		log_info("%s %s prepared in %.1f ms%s", GA_MSG_PREPARE,
		    config_guest_name(&a->conf),
		    (double)(clock_us() - a->op.t0_us) / 1000.0,
		    a->op.timed_out ? " (timed out waiting for evidence)" :
		    "");
		control_answer(&a->op.client, report_prepare(a));
	}
	prepare_cleanup(a);
}

/* The HSI LANs' own prefixes, the routes that may stay on HSI. */
static void
prepare_hsi_lans(struct agent *a, const char **ifs, const char **lans,
    char (*lanbuf)[24])
{
	size_t	i;

	for (i = 0; i < a->conf.nhsi; i++) {
		ifs[i] = a->conf.hsi[i].name;
		topo_prefix_str(&a->conf.topo->members[a->conf.hsi[i].member].
		    hsi_lan, lanbuf[i], sizeof(lanbuf[i]));
		lans[i] = lanbuf[i];
	}
}

/* Our drain in ospfd: the plugin says drained, our routes avoid HSI. */
static bool
prepare_own_ospf_ok(struct agent *a)
{
	struct json_object	*st = NULL, *routes = NULL;
	struct evidence_if	 e;
	const char		*ifs[FSM_MAX_IFS], *lans[FSM_MAX_IFS], *first;
	char			 lanbuf[FSM_MAX_IFS][24];
	size_t			 i;
	bool			 ok = true;

	if (plugin_request(a->own, LGR_STATE, NULL, 0, PREPARE_ASK_MS,
	    &st) == -1 || plugin_request(a->own, LGR_ROUTES, NULL, 0,
	    PREPARE_ASK_MS, &routes) == -1)
		ok = false;
	for (i = 0; ok && i < a->op.ndrained; i++)
		if (evidence_iface(st, a->op.drained[i], &e) == -1 ||
		    !e.drained)
			ok = false;
	prepare_hsi_lans(a, ifs, lans, lanbuf);
	if (ok && !evidence_routes_avoid(routes, ifs, a->conf.nhsi, lans,
	    a->conf.nhsi, &first)) {
		log_debug("prepare: own route %s still over HSI", first);
		ok = false;
	}
	json_object_put(st);
	json_object_put(routes);
	return ok;
}

/* ... and in our kernel's table (zebra installed it). */
static bool
prepare_own_fib_ok(struct agent *a)
{
	const char	*ifs[FSM_MAX_IFS], *lans[FSM_MAX_IFS];
	char		 lanbuf[FSM_MAX_IFS][24], fib[64];

	prepare_hsi_lans(a, ifs, lans, lanbuf);
	if (links_fib_avoids_hsi(a, lans, a->conf.nhsi, fib, sizeof(fib)) !=
	    1) {
		log_debug("prepare: kernel route %s still over HSI", fib);
		return false;
	}
	return true;
}

static bool
prepare_peer_moved(struct agent *a, struct op_peer *p)
{
	struct json_object	*routes;
	int			 rc;

	if (p->plugin == NULL && (p->plugin = plugin_peer(a, p->guest)) ==
	    NULL)
		return false;
	if (plugin_request(p->plugin, LGR_ROUTES, NULL, 0, PREPARE_ASK_MS,
	    &routes) == -1) {
		log_debug("prepare: %s: routes: %s", p->name, strerror(errno));
		return false;
	}
	p->answered = true;
	rc = evidence_route_avoids(routes, a->conf.vipa, p->ifs, p->nifs);
	json_object_put(routes);
	return rc == 1;
}

/* Ask whoever is due; true once everything is there. */
static bool
prepare_evidence(struct agent *a, int64_t now)
{
	struct op_peer	*p;
	size_t		 i;
	bool		 all = true;

	if (!a->op.own_ospf_ok)
		a->op.own_ospf_ok = prepare_own_ospf_ok(a);
	if (a->op.own_ospf_ok && !a->op.own_ok)
		a->op.own_ok = prepare_own_fib_ok(a);
	for (i = 0; i < a->op.npeers; i++) {
		p = &a->op.peers[i];
		if (!p->moved && pace_due(&p->pace,
		    watch_fired(a, p->pace.watch), now) &&
		    !(p->moved = prepare_peer_moved(a, p)))
			pace_wait(&p->pace, now);
		all &= p->moved;
	}
	return a->op.own_ok && all;
}

/* The next time someone is due (an event wakes us sooner). */
static int64_t
prepare_next_ask(struct agent *a, int64_t now)
{
	int64_t	t = a->op.deadline;
	size_t	i;

	if (!a->op.own_ok && now + PREPARE_POLL_MS < t)
		t = now + PREPARE_POLL_MS;
	for (i = 0; i < a->op.npeers; i++)
		if (!a->op.peers[i].moved && a->op.peers[i].pace.next < t)
			t = a->op.peers[i].pace.next;
	return t;
}

static void
prepare_timeout(struct agent *a)
{
	char	late[256];
	size_t	i, n = 0;

	late[0] = '\0';
	if (!a->op.own_ok)
		n += (size_t)snprintf(late, sizeof(late), "own drain");
	for (i = 0; i < a->op.npeers && n < sizeof(late); i++)
		if (!a->op.peers[i].moved)
			n += (size_t)snprintf(late + n, sizeof(late) - n,
			    "%s%s%s", n ? ", " : "", a->op.peers[i].name,
			    a->op.peers[i].answered ? "" : " (no answer)");
	log_warnx("%s %s: no evidence within %lld ms from: %s; taking the "
	    "HSI interfaces down anyway", GA_MSG_PREPARE_TIMEOUT,
	    config_guest_name(&a->conf), (long long)((a->op.deadline -
	    a->op.t0_us / 1000)), late);
	a->op.timed_out = true;
}

void
prepare_step(struct agent *a)
{
	int64_t	now = clock_ms();
	bool	done;

	if (a->op.phase == OP_PREPARE_SETTLE) {
		if (now >= a->op.until)
			prepare_finish(a);
		return;
	}
	if (now < a->op.next_poll)
		return;
	done = prepare_evidence(a, now);
	now = clock_ms();		/* asking took time */
	if (!done && now < a->op.deadline) {
		a->op.next_poll = prepare_next_ask(a, now);
		return;
	}
	a->op.drain_ms = (double)(clock_us() - a->op.t0_us) / 1000.0;
	if (!done) {
		prepare_timeout(a);
		prepare_finish(a);
		return;
	}
	a->op.phase = OP_PREPARE_SETTLE;
	a->op.until = now + a->opts.settle_ms;
	a->op.next_poll = a->op.until;
	if (a->opts.settle_ms == 0)
		prepare_finish(a);
}

/* Drain the HSI interfaces that are up; 0, or -1 answered. */
static int
prepare_drain(struct agent *a, struct json_object **state)
{
	const char		*names[FSM_MAX_IFS], *text = "";
	struct json_object	*res;
	size_t			 i;
	int			 code;

	a->op.ndrained = 0;
	for (i = 0; i < a->fsm.nifs; i++)
		if (a->fsm.ifs[i].admin_up) {
			snprintf(a->op.drained[a->op.ndrained],
			    sizeof(a->op.drained[0]), "%s", a->fsm.ifs[i].name);
			names[a->op.ndrained] = a->op.drained[a->op.ndrained];
			a->op.ndrained++;
		}
	if (plugin_request(a->own, LGR_STATE, NULL, 0, PREPARE_PLUGIN_MS,
	    state) == -1 || (a->op.ndrained > 0 && plugin_request(a->own,
	    LGR_DRAIN, names, (int)a->op.ndrained, PREPARE_PLUGIN_MS,
	    &res) == -1)) {
		code = errno == EREMOTEIO ? plugin_error(a->own, &text) : 0;
		log_warnx("%s %s: ospfd_lgr: %s", GA_MSG_PREPARE,
		    config_guest_name(&a->conf), code ? text :
		    strerror(errno));
		ctlsrv_error(&a->op.client, REPLY_E_UNAVAILABLE, "prepare of "
		    "%s: its ospfd_lgr %s%s; nothing changed",
		    config_guest_name(&a->conf), code ? "refused: " :
		    "did not answer", code ? text : "");
		json_object_put(*state);
		*state = NULL;
		return -1;
	}
	if (a->op.ndrained > 0)
		json_object_put(res);
	return 0;
}

static void
prepare_start_drain(struct agent *a, const struct agent_request *rq)
{
	struct json_object	*state = NULL;
	const char		*names[FSM_MAX_IFS], *peers[AGENT_PEERS_MAX];
	char			 dbuf[128], pbuf[512];
	size_t			 i;

	/* Watching before the drain: its first events are not missed. */
	watch_add(a, config_guest_name(&a->conf), true);
	if (prepare_drain(a, &state) == -1) {
		fsm_prepare_abort(&a->fsm);
		prepare_cleanup(a);
		return;
	}
	if (rq->peers_given) {
		for (i = 0; i < rq->npeers; i++)
			prepare_add_peer(a, topo_guest_find(a->conf.topo,
			    rq->peers[i]));
	} else
		prepare_default_peers(a, state);
	json_object_put(state);
	for (i = 0; i < a->op.ndrained; i++)
		names[i] = a->op.drained[i];
	for (i = 0; i < a->op.npeers; i++)
		peers[i] = a->op.peers[i].name;
	log_info("%s %s: drained [%s], waiting for peers [%s]",
	    GA_MSG_PREPARE, config_guest_name(&a->conf),
	    report_list(dbuf, sizeof(dbuf), names, a->op.ndrained),
	    report_list(pbuf, sizeof(pbuf), peers, a->op.npeers));
	a->op.phase = OP_PREPARE_WAIT;
	a->op.next_poll = 0;
	prepare_step(a);
}

void
prepare_start(struct agent *a, const struct agent_request *rq,
    struct ctlsrv_conn *cl)
{
	uint64_t	timeout;

	if (a->fsm.op != FSM_OP_NONE) {
		ctlsrv_error(cl, REPLY_E_BUSY, "%s of %s is running",
		    fsm_op_name(a->fsm.op), config_guest_name(&a->conf));
		return;
	}
	if (prepare_check_peers(a, rq, cl) == -1)
		return;
	log_info("%s %s: prepare by %s", GA_MSG_PREPARE,
	    config_guest_name(&a->conf), cl->who);
	fsm_prepare_begin(&a->fsm);
	memset(&a->op, 0, sizeof(a->op));
	a->op.up = -1;
	ctlsrv_conn_move(&a->op.client, cl);
	timeout = rq->timeout_ms != AGENT_UNSET ? rq->timeout_ms :
	    AGENT_PREPARE_TIMEOUT_MS;
	a->op.t0_us = clock_us();
	a->op.deadline = a->op.t0_us / 1000 + (int64_t)timeout;
	a->op.until = a->op.deadline;
	if (a->opts.mode == AGENT_MODE_NAIVE) {
		prepare_finish(a);
		return;
	}
	prepare_start_drain(a, rq);
}

void
prepare_abort(struct agent *a, const char *why)
{
	if (a->fsm.op != FSM_OP_PREPARE)
		return;
	log_warnx("%s %s: prepare aborted: %s", GA_MSG_PREPARE,
	    config_guest_name(&a->conf), why);
	ctlsrv_error(&a->op.client, REPLY_E_ABORTED, "prepare of %s aborted: "
	    "%s", config_guest_name(&a->conf), why);
	fsm_prepare_abort(&a->fsm);
	prepare_cleanup(a);
}
