/*
 * complete.c: the complete operation, after a relocation that moved the
 * guest, after one that failed, or by itself when no complete came.
 *
 *   1. journal COMPLETING (a restart finishes it);
 *   2. ask the hypervisor where the guest runs;
 *   3. every other HSI interface down, that member's one up, drained
 *      first while still down (drain mode; engine_drain_before_up);
 *   4. drain mode: undrain every HSI interface.  The one that came up
 *      is drained still (priority 0: ospfd_lgr ends its Waiting at
 *      once, it is no DR candidate yet) and is undrained as soon as
 *      ospfd sees it when the guest is alone on that HiperSockets LAN,
 *      else once a neighbour there is 2-Way: by then its hellos named
 *      the LAN's DR and BDR, so the guest's priority comes back without
 *      an election that would take the DR role from the guest holding
 *      it (ospfd_lgr's hellos make that one round trip);
 *   5. alone on that HiperSockets LAN (no other guest runs on the member
 *      with its interface there up, but those the orchestrator names as
 *      arriving with it): report at once, no neighbour will come; else
 *      wait, bounded, for a Full adjacency.  Of guests arriving together
 *      on such a LAN the first by name is alone; the others stay
 *      drained until Full with it (it is DR by then);
 *   6. journal IDLE, report.
 * Naive mode (the evaluation's script): a fixed wait before 2, no
 * undrain, a fixed wait instead of 5 (alone or not: the script could
 * not tell).
 * When the hypervisor cannot say where the guest runs, every HSI
 * interface stays down, the journal stays COMPLETING and the engine
 * tries again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "lgr_ctl.h"
#include "log.h"

#define COMPLETE_POLL_MS	10	/* our own router: events wake us
					   sooner */
#define COMPLETE_ASK_MS		500
#define COMPLETE_RETRY_MS	2000

static void
complete_finish(struct agent *a)
{
	fsm_complete_done(&a->fsm, clock_wall_ms());
	engine_journal(a);
	watch_clear(a);
	log_info("%s %s on %s: %s up%s in %.1f ms", a->op.why ?
	    GA_MSG_SELF_COMPLETE : GA_MSG_COMPLETE,
	    config_guest_name(&a->conf),
	    config_member_name(&a->conf, a->fsm.residency),
	    a->op.up == -1 ? "no HSI interface" : a->fsm.ifs[a->op.up].name,
	    a->op.up == -1 ? "" : a->op.alone ? ", alone on the LAN" :
	    a->op.full ? ", adjacency Full" : ", no Full adjacency in time",
	    (double)(clock_us() - a->op.t0_us) / 1000.0);
	control_answer(&a->op.client, report_complete(a));
}

static void
complete_fail(struct agent *a, int code, const char *what)
{
	char	text[FSM_WARN_MAX];

	snprintf(text, sizeof(text), "%s %s: %s; every HSI interface stays "
	    "down, retried every %d ms", GA_MSG_COMPLETE,
	    config_guest_name(&a->conf), what, COMPLETE_RETRY_MS);
	if (strcmp(text, a->fsm.last_warning) == 0)
		log_debug("%s", text);	/* said once: the retries are quiet */
	else
		log_warnx("%s", text);
	fsm_warning(&a->fsm, text);
	fsm_complete_fail(&a->fsm);
	engine_apply(a);
	a->next_retry = clock_ms() + COMPLETE_RETRY_MS;
	watch_clear(a);
	ctlsrv_error(&a->op.client, code, "complete of %s: %s",
	    config_guest_name(&a->conf), what);
}

/* Does guest g arrive on the LAN with us (the complete's peers)? */
static bool
complete_arriving(const struct agent *a, size_t g)
{
	for (size_t i = 0; i < a->op.narriving; i++)
		if (strcmp(a->op.arriving[i], a->conf.topo->guests[g].name) ==
		    0)
			return true;
	return false;
}

/* Do we come first (by name) of the guests arriving together? */
static bool
complete_first(const struct agent *a)
{
	const char	*self = config_guest_name(&a->conf);

	for (size_t i = 0; i < a->op.narriving; i++)
		if (strcmp(a->op.arriving[i], self) < 0)
			return false;
	return true;
}

/* Is another guest's interface up on member m's HiperSockets LAN?  The
 * guests arriving with us do not count: they come up now too. */
static bool
complete_alone(struct agent *a, int m)
{
	const struct topo_nic	*nic;
	struct json_object	*st;
	struct evidence_if	 e;
	struct plugin		*p;
	bool			 on[256];
	size_t			 g, n = a->conf.topo->nguests;

	if (n > sizeof(on) / sizeof(on[0]) ||
	    residency_guests_on(a, m, on, n) == -1)
		return false;		/* cannot tell: wait, bounded */
	for (g = 0; g < n; g++) {
		if ((int)g == a->conf.guest || !on[g] ||
		    complete_arriving(a, g) ||
		    (nic = topo_guest_hsi_for(&a->conf.topo->guests[g], m)) ==
		    NULL)
			continue;
		if ((p = plugin_peer(a, (int)g)) == NULL ||
		    plugin_request(p, LGR_STATE, NULL, 0, COMPLETE_ASK_MS,
		    &st) == -1)
			return false;
		if (evidence_iface(st, nic->name, &e) == 0 && e.link_up) {
			json_object_put(st);
			return false;
		}
		json_object_put(st);
	}
	return true;
}

/* Our interface's adjacency: true once one neighbour is Full. */
static bool
complete_full(struct agent *a)
{
	struct json_object	*st;
	struct evidence_if	 e;

	if (plugin_request(a->own, LGR_STATE, NULL, 0, COMPLETE_ASK_MS,
	    &st) == -1)
		return false;
	if (evidence_iface(st, a->fsm.ifs[a->op.up].name, &e) == 0) {
		a->op.dr = e.dr;
		a->op.heard |= a->op.await_dr ? e.nfull > 0 : e.n2way > 0;
		if (e.nfull > 0 && !a->op.full) {
			a->op.full = true;
			a->op.full_ms = (double)(clock_us() -
			    a->op.up_us) / 1000.0;
		}
	}
	json_object_put(st);
	return a->op.full;
}

static unsigned
complete_priority(struct agent *a, int i)
{
	const struct topo_guest	*g = &a->conf.topo->guests[a->conf.guest];
	const struct topo_nic	*nic = topo_guest_hsi_for(g,
				    a->fsm.ifs[i].member);

	return nic != NULL ? nic->priority : 0;
}

/* Step 2: the member the guest runs on, or -1 (answered, retried). */
static int
complete_where(struct agent *a)
{
	char	state[32], what[128];
	int	m;

	if ((m = residency_where(a, state, sizeof(state))) != -1 &&
	    strcmp(state, "RUNNING") == 0)
		return m;
	if (m == -1)
		snprintf(what, sizeof(what), "no hypervisor member says where "
		    "it runs");
	else
		snprintf(what, sizeof(what), "the hypervisor says it is %s on "
		    "%s", state, config_member_name(&a->conf, m));
	complete_fail(a, REPLY_E_UNAVAILABLE, what);
	return -1;
}

/* Step 5 set up: wait for Full (drain) or the second fixed wait. */
static void
complete_wait(struct agent *a)
{
	int64_t	now = clock_ms();

	watch_add(a, config_guest_name(&a->conf), true);
	a->op.deadline = now + (int64_t)a->op.full_timeout_ms;
	a->op.next_poll = now;
	if (a->opts.mode == AGENT_MODE_NAIVE) {
		a->op.phase = OP_COMPLETE_WAIT2;
		a->op.until = now + a->opts.naive_wait_ms;
		a->op.deadline = a->op.until;
	} else {
		a->op.phase = OP_COMPLETE_FULL;
		a->op.until = a->op.deadline;
	}
	complete_step(a);
}

/* Steps 2-5. */
static void
complete_up(struct agent *a)
{
	int	i, m;

	if ((m = complete_where(a)) == -1)
		return;
	fsm_complete_target(&a->fsm, m);
	if (a->opts.mode == AGENT_MODE_DRAIN &&
	    (i = fsm_if_of_member(&a->fsm, m)) != -1)
		(void)engine_drain_before_up(a, i);
	if (engine_apply(a) == -1) {
		complete_fail(a, REPLY_E_INTERNAL, "the HSI interfaces could "
		    "not be set (see the log)");
		return;
	}
	a->op.up = fsm_if_of_member(&a->fsm, m);
	a->op.up_us = clock_us();
	a->op.alone = a->op.up != -1 && complete_alone(a, m);
	/* Arriving together on a LAN where nobody else is up: the first
	 * comes up as if alone and becomes DR; the others stay drained
	 * until Full with it, so that no two elect themselves DR at once
	 * and trade the role back and forth. */
	if (a->op.alone && a->op.narriving > 0 && !complete_first(a)) {
		a->op.alone = false;
		a->op.await_dr = true;
	}
	if (a->opts.mode == AGENT_MODE_DRAIN)
		a->undrain_pending = a->op.up != -1 && !a->op.alone ? true :
		    engine_undrain(a) != 0;
	if (a->op.up == -1) {
		complete_finish(a);
		return;
	}
	if (a->op.alone)
		a->op.dr = complete_priority(a, a->op.up) > 0;
	if (a->op.alone && !a->undrain_pending &&
	    a->opts.mode == AGENT_MODE_DRAIN) {
		complete_finish(a);
		return;
	}
	complete_wait(a);
}

void
complete_step(struct agent *a)
{
	int64_t	now = clock_ms();

	switch (a->op.phase) {
	case OP_COMPLETE_WAIT1:
		if (now >= a->op.until)
			complete_up(a);
		return;
	case OP_COMPLETE_WAIT2:
		if (now >= a->op.until) {
			complete_full(a);
			complete_finish(a);
		}
		return;
	case OP_COMPLETE_FULL:
		if (now < a->op.next_poll)
			return;
		if (!a->op.alone)
			complete_full(a);
		if (a->undrain_pending && (a->op.alone || a->op.heard ||
		    now >= a->op.deadline))
			a->undrain_pending = engine_undrain(a) != 0;
		if ((!a->undrain_pending && (a->op.alone || a->op.full)) ||
		    now >= a->op.deadline) {
			complete_finish(a);
			return;
		}
		a->op.next_poll = now + COMPLETE_POLL_MS;
		return;
	default:
		return;
	}
}

void
complete_start(struct agent *a, const struct agent_request *rq,
    struct ctlsrv_conn *cl, const char *why)
{
	if (a->fsm.op != FSM_OP_NONE) {
		if (cl != NULL)
			ctlsrv_error(cl, REPLY_E_BUSY, "%s of %s is running",
			    fsm_op_name(a->fsm.op),
			    config_guest_name(&a->conf));
		return;
	}
	if (why != NULL && a->fsm.state == FSM_PREPARED) {
		char	text[FSM_WARN_MAX];

		snprintf(text, sizeof(text), "%s %s completes by itself: %s",
		    GA_MSG_SELF_COMPLETE, config_guest_name(&a->conf), why);
		log_warnx("%s", text);
		fsm_warning(&a->fsm, text);
	} else if (cl != NULL || a->fsm.state != FSM_COMPLETING)
		log_info("%s %s: complete %s%s", GA_MSG_COMPLETE,
		    config_guest_name(&a->conf), cl != NULL ? "by " : "",
		    cl != NULL ? cl->who : why);
	else
		log_debug("%s: complete %s", config_guest_name(&a->conf), why);
	fsm_complete_begin(&a->fsm, clock_wall_ms());
	memset(&a->op, 0, sizeof(a->op));
	a->op.up = -1;
	a->op.why = why;
	if (cl != NULL)
		ctlsrv_conn_move(&a->op.client, cl);
	a->op.t0_us = clock_us();
	a->op.full_timeout_ms = rq != NULL && rq->timeout_ms != AGENT_UNSET ?
	    rq->timeout_ms : a->opts.full_timeout_ms;
	/* The guests completing with us (the orchestrator's wave): only
	 * guests of the lab, not ourselves. */
	for (size_t i = 0; rq != NULL && i < rq->npeers; i++)
		if (topo_guest_find(a->conf.topo, rq->peers[i]) != -1 &&
		    strcmp(rq->peers[i], config_guest_name(&a->conf)) != 0)
			snprintf(a->op.arriving[a->op.narriving++],
			    sizeof(a->op.arriving[0]), "%s", rq->peers[i]);
	engine_journal(a);
	if (a->opts.mode == AGENT_MODE_NAIVE) {
		a->op.phase = OP_COMPLETE_WAIT1;
		a->op.until = clock_ms() + a->opts.naive_wait_ms;
		a->op.deadline = a->op.until;
		a->op.next_poll = a->op.until;
		return;
	}
	complete_up(a);
}
