/*
 * fsm.c: the agent's state machine (see agent.h).  Pure: it decides,
 * the engine acts.  It keeps the invariants of the design:
 *   - never two HSI interfaces up, never one up that does not belong to
 *     the member the guest runs on (fsm_want, fsm_plan, fsm_link_changed);
 *   - a relocation in flight (PREPARED) keeps every HSI interface down
 *     until complete, or until the self-complete timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"

static const char *const fsm_states[FSM_NSTATES] = {
	[FSM_IDLE] = "IDLE",
	[FSM_PREPARED] = "PREPARED",
	[FSM_COMPLETING] = "COMPLETING",
};

void
fsm_init(struct fsm *f)
{
	memset(f, 0, sizeof(*f));
	f->state = FSM_IDLE;
	f->op = FSM_OP_NONE;
	f->residency = -1;
	f->target = -1;
}

/* Returns the index, or -1 with errno ENOSPC or EEXIST. */
int
fsm_add_if(struct fsm *f, const char *name, int member)
{
	struct fsm_if	*fi;

	if (fsm_if_find(f, name) != -1) {
		errno = EEXIST;
		return -1;
	}
	if (f->nifs == FSM_MAX_IFS || strlen(name) >= sizeof(fi->name)) {
		errno = ENOSPC;
		return -1;
	}
	fi = &f->ifs[f->nifs];
	memset(fi, 0, sizeof(*fi));
	fi->expect = -1;
	snprintf(fi->name, sizeof(fi->name), "%s", name);
	fi->member = member;
	return (int)f->nifs++;
}

int
fsm_if_find(const struct fsm *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->nifs; i++)
		if (strcmp(f->ifs[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
fsm_if_of_member(const struct fsm *f, int member)
{
	size_t	i;

	if (member < 0)
		return -1;
	for (i = 0; i < f->nifs; i++)
		if (f->ifs[i].member == member)
			return (int)i;
	return -1;
}

const char *
fsm_state_name(enum fsm_state s)
{
	return (unsigned)s < FSM_NSTATES ? fsm_states[s] : "unknown";
}

int
fsm_state_find(const char *name)
{
	int	i;

	for (i = 0; i < FSM_NSTATES; i++)
		if (strcmp(fsm_states[i], name) == 0)
			return i;
	return -1;
}

const char *
fsm_op_name(enum fsm_op op)
{
	switch (op) {
	case FSM_OP_PREPARE:
		return "prepare";
	case FSM_OP_COMPLETE:
		return "complete";
	case FSM_OP_NONE:
		break;
	}
	return "none";
}

enum fsm_start
fsm_restore(struct fsm *f, enum fsm_state s, int64_t since_ms,
    int64_t prepared_ms)
{
	f->state = s;
	f->op = FSM_OP_NONE;
	f->since_ms = since_ms;
	f->prepared_ms = prepared_ms;
	f->target = -1;
	switch (s) {
	case FSM_PREPARED:
		return FSM_START_WAIT;
	case FSM_COMPLETING:
		return FSM_START_COMPLETE;
	default:
		f->state = FSM_IDLE;
		return FSM_START_RECONCILE;
	}
}

enum fsm_want
fsm_want(const struct fsm *f, size_t i)
{
	int	member = f->ifs[i].member;

	switch (f->state) {
	case FSM_PREPARED:
		return FSM_WANT_DOWN;
	case FSM_COMPLETING:
		return f->target != -1 && member == f->target ?
		    FSM_WANT_UP : FSM_WANT_DOWN;
	default:
		if (f->residency == -1)
			return FSM_WANT_KEEP;
		return member == f->residency ? FSM_WANT_UP : FSM_WANT_DOWN;
	}
}

size_t
fsm_count_up(const struct fsm *f)
{
	size_t	i, n = 0;

	for (i = 0; i < f->nifs; i++)
		if (f->ifs[i].present && f->ifs[i].admin_up)
			n++;
	return n;
}

/*
 * Downs first, then the one up, so that two are never up at once.  With
 * the residency unknown, interfaces are left as they are unless more
 * than one is up: then all go down (no way to tell the right one).
 */
size_t
fsm_plan(const struct fsm *f, struct fsm_action *a, size_t max)
{
	size_t		i, n = 0;
	bool		keep_ok = fsm_count_up(f) <= 1;
	enum fsm_want	w;

	for (i = 0; i < f->nifs && n < max; i++) {
		if (!f->ifs[i].present || !f->ifs[i].admin_up)
			continue;
		w = fsm_want(f, i);
		if (w == FSM_WANT_DOWN || (w == FSM_WANT_KEEP && !keep_ok))
			a[n++] = (struct fsm_action){ i, false };
	}
	for (i = 0; i < f->nifs && n < max; i++) {
		if (!f->ifs[i].present || f->ifs[i].admin_up ||
		    fsm_want(f, i) != FSM_WANT_UP)
			continue;
		a[n++] = (struct fsm_action){ i, true };
		break;
	}
	return n;
}

/*
 * A link changed.  While our own change of the interface awaits its
 * event, events that say otherwise are older than it (the kernel keeps
 * their order) and change nothing.  An interface that came up and must
 * not be up is WRONG; so is a second one coming up while the residency
 * is unknown.  An interface taken down by hand is left down: that is
 * the operator's call, and it breaks no invariant.
 */
enum fsm_verdict
fsm_link_changed(struct fsm *f, size_t i, bool present, bool admin_up,
    bool oper_up, int64_t now_ms)
{
	struct fsm_if	*fi = &f->ifs[i];
	bool		 came_up = admin_up && !(fi->present && fi->admin_up);
	enum fsm_want	 w;

	if (fi->expect != -1 && present && now_ms < fi->expect_until &&
	    admin_up != (fi->expect == 1))
		return FSM_LINK_STALE;
	fi->expect = -1;
	if (fi->present != present || fi->admin_up != admin_up ||
	    fi->oper_up != oper_up)
		fi->since_ms = now_ms;
	fi->present = present;
	fi->admin_up = present && admin_up;
	fi->oper_up = present && oper_up;
	if (!fi->admin_up)
		return FSM_LINK_OK;
	w = fsm_want(f, i);
	if (w == FSM_WANT_DOWN)
		return FSM_LINK_WRONG;
	if (w == FSM_WANT_KEEP && came_up && fsm_count_up(f) > 1)
		return FSM_LINK_WRONG;
	return FSM_LINK_OK;
}

void
fsm_set_admin(struct fsm *f, size_t i, bool up, int64_t now_ms)
{
	struct fsm_if	*fi = &f->ifs[i];

	if (fi->admin_up != up) {
		fi->since_ms = now_ms;
		fi->expect = up;
		fi->expect_until = now_ms + FSM_EXPECT_MS;
	}
	fi->admin_up = up;
	if (!up)
		fi->oper_up = false;
}

void
fsm_warning(struct fsm *f, const char *warning)
{
	snprintf(f->last_warning, sizeof(f->last_warning), "%s", warning);
}

void
fsm_correction(struct fsm *f, const char *warning)
{
	f->corrections++;
	fsm_warning(f, warning);
}

int
fsm_set_residency(struct fsm *f, int member)
{
	if (f->residency == member)
		return 0;
	f->residency = member;
	return 1;
}

int
fsm_prepare_begin(struct fsm *f)
{
	if (f->op != FSM_OP_NONE) {
		errno = EBUSY;
		return -1;
	}
	f->op = FSM_OP_PREPARE;
	return 0;
}

void
fsm_prepare_abort(struct fsm *f)
{
	if (f->op == FSM_OP_PREPARE)
		f->op = FSM_OP_NONE;
}

void
fsm_prepare_done(struct fsm *f, int64_t now_ms)
{
	f->op = FSM_OP_NONE;
	if (f->state != FSM_PREPARED)
		f->prepared_ms = now_ms;
	f->state = FSM_PREPARED;
	f->since_ms = now_ms;
	f->target = -1;
}

int
fsm_complete_begin(struct fsm *f, int64_t now_ms)
{
	if (f->op != FSM_OP_NONE) {
		errno = EBUSY;
		return -1;
	}
	f->op = FSM_OP_COMPLETE;
	if (f->state != FSM_COMPLETING)
		f->since_ms = now_ms;
	f->state = FSM_COMPLETING;
	f->target = -1;
	return 0;
}

void
fsm_complete_target(struct fsm *f, int member)
{
	f->target = member;
	f->residency = member;
}

/* Stays COMPLETING: the engine retries until it completes. */
void
fsm_complete_fail(struct fsm *f)
{
	f->op = FSM_OP_NONE;
}

void
fsm_complete_done(struct fsm *f, int64_t now_ms)
{
	f->op = FSM_OP_NONE;
	f->state = FSM_IDLE;
	f->since_ms = now_ms;
	f->target = -1;
	f->prepared_ms = 0;
}

bool
fsm_self_complete_due(const struct fsm *f, int64_t now_ms,
    unsigned timeout_ms)
{
	return f->state == FSM_PREPARED && f->op == FSM_OP_NONE &&
	    now_ms - f->prepared_ms >= (int64_t)timeout_ms;
}
