/*
 * engine.c: the agent's actions around its state machine: start-up
 * (reconcile, or keep a relocation in flight), link events (a wrong
 * interface brought up by hand goes down again), timers (residency
 * watch, self-complete, retries), and the helpers prepare and complete
 * share (apply the fsm's plan, write the journal, undrain).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "lgr_ctl.h"
#include "log.h"

#define ENGINE_TICK_MS		1000	/* longest sleep of the loop */
#define ENGINE_RETRY_MS		2000	/* a failed complete, an undrain */
#define ENGINE_PENDING_MS	20	/* an undrain waiting for ospfd */
#define ENGINE_PLUGIN_MS	2000	/* answer time of ospfd_lgr */

static const char *
engine_member(struct agent *a, int m)
{
	const char	*name = config_member_name(&a->conf, m);

	return name != NULL ? name : "an unknown member";
}

int
engine_journal(struct agent *a)
{
	struct journal	j;
	struct fsm	*f = &a->fsm;
	size_t		i;

	memset(&j, 0, sizeof(j));
	j.state = f->state;
	if (f->residency != -1)
		snprintf(j.member, sizeof(j.member), "%s",
		    engine_member(a, f->residency));
	j.since_ms = f->since_ms;
	j.prepared_ms = f->prepared_ms;
	for (i = 0; i < f->nifs; i++)
		if (f->ifs[i].drained)
			snprintf(j.drained[j.ndrained++], sizeof(j.drained[0]),
			    "%s", f->ifs[i].name);
	if (journal_write(a->journal_path, &j) == -1) {
		log_warn("%s %s: journal not written", GA_MSG_JOURNAL,
		    a->journal_path);
		return -1;
	}
	log_debug("journal: %s", fsm_state_name(f->state));
	return 0;
}

/* Carry out the fsm's plan: downs first, then the one up. */
int
engine_apply(struct agent *a)
{
	struct fsm_action	act[FSM_MAX_IFS + 1];
	size_t			i, n;
	int			rc = 0;

	n = fsm_plan(&a->fsm, act, FSM_MAX_IFS + 1);
	for (i = 0; i < n; i++) {
		if (act[i].up && fsm_count_up(&a->fsm) > 0) {
			/* A down failed: never two up. */
			rc = -1;
			break;
		}
		if (links_set(a, act[i].idx, act[i].up) == -1)
			rc = -1;
		else
			log_info("%s %s", a->fsm.ifs[act[i].idx].name,
			    act[i].up ? "up" : "down");
	}
	return rc;
}

/*
 * Our plugin's view of the drains into the fsm; *state kept if asked.
 * ospfd forgets an interface that went down while the plugin keeps its
 * drain (by name): for those our own record stands.
 */
int
engine_refresh_drained(struct agent *a, struct json_object **state,
    int timeout_ms)
{
	struct json_object	*st;
	struct evidence_if	 e;
	size_t			 i;

	if (state != NULL)
		*state = NULL;
	if (a->own == NULL || plugin_request(a->own, LGR_STATE, NULL, 0,
	    timeout_ms, &st) == -1)
		return -1;
	for (i = 0; i < a->fsm.nifs; i++)
		if (evidence_iface(st, a->fsm.ifs[i].name, &e) == 0)
			a->fsm.ifs[i].drained = e.drained;
	if (state != NULL)
		*state = st;
	else
		json_object_put(st);
	return 0;
}

/* One drain or undrain request for one interface; 0, or -1 (warned). */
static int
engine_drain_one(struct agent *a, int type, const char *name)
{
	struct json_object	*res;
	const char		*text, *verb = type == LGR_DRAIN ? "drain" :
				    "undrain";

	if (plugin_request(a->own, type, &name, 1, ENGINE_PLUGIN_MS,
	    &res) == 0) {
		json_object_put(res);
		return 0;
	}
	if (errno == EREMOTEIO) {
		plugin_error(a->own, &text);
		log_warnx("%s %s %s: %s", GA_MSG_PLUGIN, verb, name, text);
	} else
		log_warnx("%s %s %s: ospfd_lgr of %s: %s", GA_MSG_PLUGIN, verb,
		    name, config_guest_name(&a->conf), strerror(errno));
	return -1;
}

/*
 * Drain interface i while it is still down, before a complete brings it
 * up: ospfd_lgr ends the Waiting state of a drained interface at once,
 * where an undrained one would wait a dead interval (40 s with FRR's
 * defaults) before any DR election, and no neighbour there could become
 * Full meanwhile.  It is undrained once ospfd sees it (complete.c).
 * Nothing to do for an interface up or drained already.  Returns 0, or
 * -1 (warned): the interface then comes up undrained, later Full but
 * routed right.
 */
int
engine_drain_before_up(struct agent *a, int i)
{
	struct fsm_if	*fi = &a->fsm.ifs[i];

	if (fi->admin_up || fi->drained)
		return 0;
	if (engine_drain_one(a, LGR_DRAIN, fi->name) == -1)
		return -1;
	fi->drained = true;
	return 0;
}

/*
 * Undrain every HSI interface the plugin shows drained.  One we brought
 * up that ospfd has not brought up yet (not shown, or shown Down or
 * Waiting: zebra tells ospfd of the link after us) is pending: given
 * back its priority before ospfd sees it come up, it would come up
 * undrained, wait a whole dead interval (40 s with FRR's defaults)
 * before electing a DR, and no neighbour there could become Full
 * meanwhile.  Returns 0 when done, 1 when something is pending, -1
 * when the plugin did not answer or refused.
 */
int
engine_undrain(struct agent *a)
{
	struct json_object	*st;
	struct evidence_if	 e;
	struct fsm_if		*fi;
	size_t			 i;
	int			 rc = 0;

	if (engine_refresh_drained(a, &st, ENGINE_PLUGIN_MS) == -1) {
		log_debug("undrain: ospfd_lgr of %s not answering",
		    config_guest_name(&a->conf));
		return -1;
	}
	for (i = 0; i < a->fsm.nifs; i++) {
		fi = &a->fsm.ifs[i];
		if (evidence_iface(st, fi->name, &e) == -1) {
			if (fi->drained && fi->admin_up && rc == 0)
				rc = 1;
			continue;
		}
		if (!e.drained)
			continue;
		if (fi->admin_up && !evidence_iface_up(&e)) {
			if (rc == 0)
				rc = 1;
			continue;
		}
		if (engine_drain_one(a, LGR_UNDRAIN, fi->name) == -1)
			rc = -1;
		else {
			fi->drained = false;
			log_info("%s undrained", fi->name);
		}
	}
	json_object_put(st);
	return rc;
}

/* Ask the hypervisor; 1 when the residency changed, 0 not, -1 unknown. */
static int
engine_residency(struct agent *a)
{
	char	state[32];
	int	m;

	if ((m = residency_where(a, state, sizeof(state))) == -1 ||
	    strcmp(state, "RUNNING") != 0) {
		if (m != -1 && strcmp(state, "RELOCATING") == 0) {
			log_debug("%s is relocating", config_guest_name(
			    &a->conf));
			return -1;
		}
		if (!a->residency_warned)
			log_warnx("%s where %s runs: %s", GA_MSG_HV,
			    config_guest_name(&a->conf), m == -1 ?
			    (errno == ENOENT ? "the hypervisor does not know" :
			    "no hvd answered") : state);
		a->residency_warned = true;
		return -1;
	}
	if (a->residency_warned)
		log_info("%s runs on %s", config_guest_name(&a->conf),
		    engine_member(a, m));
	a->residency_warned = false;
	return fsm_set_residency(&a->fsm, m);
}

static void
engine_reconcile(struct agent *a, const char *why)
{
	char	before[64], after[64];
	size_t	i, nb = 0, na = 0;

	before[0] = after[0] = '\0';
	for (i = 0; i < a->fsm.nifs; i++)
		if (a->fsm.ifs[i].admin_up)
			nb += (size_t)snprintf(before + nb, sizeof(before) - nb,
			    "%s%s", nb ? "," : "", a->fsm.ifs[i].name);
	engine_apply(a);
	for (i = 0; i < a->fsm.nifs; i++)
		if (a->fsm.ifs[i].admin_up)
			na += (size_t)snprintf(after + na, sizeof(after) - na,
			    "%s%s", na ? "," : "", a->fsm.ifs[i].name);
	/*
	 * Whatever brought us here (a start, a move nobody prepared, a
	 * recovery), the interface that is up must not stay drained: a
	 * drain is kept by name in ospfd_lgr, so the hsi0 an earlier
	 * prepare drained comes back drained after hvctl moves the guest
	 * home.  The idle tick undrains it once ospfd sees it.
	 */
	if (a->opts.mode == AGENT_MODE_DRAIN) {
		a->undrain_pending = true;
		a->next_retry = clock_ms();
	}
	if (strcmp(before, after) != 0 || why != NULL)
		log_info("%s %s on %s: up before [%s], now [%s]%s%s",
		    GA_MSG_RECONCILE, config_guest_name(&a->conf),
		    a->fsm.residency == -1 ? "an unknown member" :
		    engine_member(a, a->fsm.residency), before, after,
		    why ? ": " : "", why ? why : "");
}

void
engine_start(struct agent *a)
{
	struct journal	j;
	int64_t		now = clock_wall_ms();
	size_t		i;
	int		k;

	if (journal_read(a->journal_path, &j) == -1) {
		if (errno != ENOENT)
			log_warnx("%s %s: unreadable (%s); reconciling as if "
			    "no relocation were in flight", GA_MSG_JOURNAL,
			    a->journal_path, strerror(errno));
		memset(&j, 0, sizeof(j));
		j.state = FSM_IDLE;
		j.since_ms = now;
	}
	for (i = 0; i < j.ndrained; i++)
		if ((k = fsm_if_find(&a->fsm, j.drained[i])) != -1)
			a->fsm.ifs[k].drained = true;
	engine_residency(a);
	switch (fsm_restore(&a->fsm, j.state, j.since_ms, j.prepared_ms)) {
	case FSM_START_WAIT:
		engine_apply(a);
		log_info("%s relocation in flight (journal PREPARED): every "
		    "HSI interface stays down until complete, at most %u ms "
		    "after the prepare", GA_MSG_RECONCILE,
		    a->opts.self_complete_ms);
		break;
	case FSM_START_COMPLETE:
		complete_start(a, NULL, NULL, "the journal says COMPLETING "
		    "at start");
		break;
	case FSM_START_RECONCILE:
		engine_reconcile(a, "start");
		engine_journal(a);
		break;
	}
	a->next_residency = clock_ms() + a->opts.residency_ms;
}

/* A moved guest nobody prepared: the hypervisor says so. */
static void
engine_moved(struct agent *a, int from)
{
	char	text[FSM_WARN_MAX];

	snprintf(text, sizeof(text), "%s %s moved from %s to %s without "
	    "prepare: %s", GA_MSG_MOVED, config_guest_name(&a->conf),
	    engine_member(a, from), engine_member(a, a->fsm.residency),
	    a->opts.mode == AGENT_MODE_DRAIN ? "completing there" :
	    "HSI interfaces set for it");
	log_warnx("%s", text);
	fsm_warning(&a->fsm, text);
	/*
	 * Drain mode joins the new LAN as a complete does: the interface
	 * comes up drained (no Waiting, no election it would disturb) and
	 * is undrained once heard.  A plain reconcile would bring it up
	 * at its priority: in Waiting for a dead interval whenever no
	 * router there names a DR yet, as when a member's guests are
	 * restarted together on a LAN where none of them runs (40 s with
	 * FRR's default timers).
	 */
	if (a->opts.mode == AGENT_MODE_DRAIN) {
		complete_start(a, NULL, NULL, "after a move nobody prepared");
		return;
	}
	engine_reconcile(a, NULL);
	engine_journal(a);
}

static void
engine_watch_residency(struct agent *a)
{
	int	from = a->fsm.residency;

	if (engine_residency(a) != 1 || a->fsm.state != FSM_IDLE ||
	    a->fsm.op != FSM_OP_NONE)
		return;
	if (from == -1)
		engine_reconcile(a, "residency known");
	else
		engine_moved(a, from);
}

void
engine_link_event(struct agent *a, size_t i, bool present, bool admin_up,
    bool oper_up)
{
	struct fsm_if	*fi = &a->fsm.ifs[i];
	char			 text[FSM_WARN_MAX];
	bool			 was_up = fi->admin_up, was_oper = fi->oper_up;
	enum fsm_verdict	 v;

	v = fsm_link_changed(&a->fsm, i, present, admin_up, oper_up,
	    clock_wall_ms());
	if (v == FSM_LINK_STALE) {
		log_debug("%s: event older than our change, ignored", fi->name);
		return;
	}
	if (v == FSM_LINK_OK) {
		if (was_up != fi->admin_up || was_oper != fi->oper_up)
			log_debug("%s: admin %s, link %s", fi->name,
			    fi->admin_up ? "up" : "down",
			    fi->oper_up ? "up" : "down");
		/*
		 * The carrier of an up interface changed under us: its host
		 * end was moved or re-plugged, which a live relocation never
		 * shows (the guest end keeps its carrier) but a restart or
		 * recover on another member does.  A hint: ask where the
		 * guest runs now rather than at the next poll.
		 */
		if (present && fi->admin_up && was_up && was_oper != fi->oper_up)
			a->residency_hint = true;
		return;
	}
	if (a->fsm.state == FSM_IDLE && a->fsm.residency != -1)
		snprintf(text, sizeof(text), "%s %s came up, but %s runs on %s "
		    "and %s joins %s's HiperSockets LAN: taken down",
		    GA_MSG_WRONG_HSI, fi->name, config_guest_name(&a->conf),
		    engine_member(a, a->fsm.residency), fi->name,
		    engine_member(a, fi->member));
	else if (a->fsm.state == FSM_IDLE)
		snprintf(text, sizeof(text), "%s %s came up while another HSI "
		    "interface is up and the residency is unknown: taken down",
		    GA_MSG_WRONG_HSI, fi->name);
	else
		snprintf(text, sizeof(text), "%s %s came up during a "
		    "relocation (%s): taken down", GA_MSG_WRONG_HSI, fi->name,
		    fsm_state_name(a->fsm.state));
	log_warnx("%s", text);
	fsm_correction(&a->fsm, text);
	links_set(a, i, false);
}

static void
engine_idle_tick(struct agent *a, int64_t now)
{
	if (a->residency_hint || (a->opts.residency_ms > 0 &&
	    now >= a->next_residency)) {
		a->residency_hint = false;
		engine_watch_residency(a);
		a->next_residency = now + a->opts.residency_ms;
	} else if (a->fsm.residency == -1 && now >= a->next_retry) {
		engine_watch_residency(a);
		a->next_retry = now + ENGINE_RETRY_MS;
	}
	if (a->undrain_pending && now >= a->next_retry) {
		switch (engine_undrain(a)) {
		case 0:
			a->undrain_pending = false;
			break;
		case 1:		/* up, ospfd has not seen it yet: soon */
			a->next_retry = now + ENGINE_PENDING_MS;
			break;
		default:
			a->next_retry = now + ENGINE_RETRY_MS;
			break;
		}
	}
}

void
engine_tick(struct agent *a)
{
	int64_t	now = clock_ms();

	switch (a->fsm.op) {
	case FSM_OP_PREPARE:
		prepare_step(a);
		return;
	case FSM_OP_COMPLETE:
		complete_step(a);
		return;
	case FSM_OP_NONE:
		break;
	}
	switch (a->fsm.state) {
	case FSM_PREPARED:
		if (fsm_self_complete_due(&a->fsm, clock_wall_ms(),
		    a->opts.self_complete_ms))
			complete_start(a, NULL, NULL, "no complete came after "
			    "the prepare");
		break;
	case FSM_COMPLETING:
		if (now >= a->next_retry)
			complete_start(a, NULL, NULL, "retrying an unfinished "
			    "complete");
		break;
	case FSM_IDLE:
	default:
		engine_idle_tick(a, now);
		break;
	}
}

static void
engine_min(int64_t *t, int64_t v)
{
	if (v < *t)
		*t = v;
}

/* When the loop must wake up at the latest (monotonic ms). */
int64_t
engine_next_deadline(struct agent *a)
{
	int64_t	now = clock_ms(), t = now + ENGINE_TICK_MS;

	if (a->fsm.op != FSM_OP_NONE) {
		engine_min(&t, a->op.next_poll);
		engine_min(&t, a->op.until);
		engine_min(&t, a->op.deadline);
		return t;
	}
	if (a->fsm.state == FSM_PREPARED)
		engine_min(&t, now + (a->fsm.prepared_ms +
		    a->opts.self_complete_ms - clock_wall_ms()));
	if (a->fsm.state == FSM_COMPLETING || a->undrain_pending ||
	    a->fsm.residency == -1)
		engine_min(&t, a->next_retry);
	if (a->opts.residency_ms > 0)
		engine_min(&t, a->next_residency);
	return t;
}
