/*
 * fsm_test.c: the agent's state machine, without netlink: wanted
 * states and plans (table), link verdicts (table), transitions, and the
 * invariant "never two HSI interfaces up" over every starting point.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"

#define VM9	0
#define VM2	1
#define VM4	2

/* hsi0 -> VM9, hsi1 -> VM2, hsi2 -> VM4 (a third member). */
static void
fsm_three(struct fsm *f, bool up0, bool up1, bool up2)
{
	fsm_init(f);
	assert_int_equal(fsm_add_if(f, "hsi0", VM9), 0);
	assert_int_equal(fsm_add_if(f, "hsi1", VM2), 1);
	assert_int_equal(fsm_add_if(f, "hsi2", VM4), 2);
	fsm_link_changed(f, 0, true, up0, up0, 1);
	fsm_link_changed(f, 1, true, up1, up1, 1);
	fsm_link_changed(f, 2, true, up2, up2, 1);
}

/*
 * Carry out a plan as the engine does: an interface only comes up when
 * none is up, and the plan never raises the count (a start with two up
 * by hand only goes down).
 */
static void
fsm_run_plan(struct fsm *f)
{
	struct fsm_action	act[FSM_MAX_IFS + 1];
	size_t			i, n, before;

	n = fsm_plan(f, act, FSM_MAX_IFS + 1);
	for (i = 0; i < n; i++) {
		before = fsm_count_up(f);
		if (act[i].up)
			assert_int_equal(before, 0);
		f->ifs[act[i].idx].admin_up = act[i].up;
		assert_true(fsm_count_up(f) <= (before > 1 ? before : 1));
	}
}

static const struct plan_case {
	const char	*what;
	enum fsm_state	 state;
	int		 residency;
	int		 target;
	bool		 up[3];		/* before */
	const char	*plan;		/* "-hsi1 +hsi0" */
} plan_cases[] = {
	{ "idle on VM9, right one up", FSM_IDLE, VM9, -1,
	    { true, false, false }, "" },
	{ "idle on VM9, none up", FSM_IDLE, VM9, -1,
	    { false, false, false }, "+hsi0" },
	{ "idle on VM9, wrong one up", FSM_IDLE, VM9, -1,
	    { false, true, false }, "-hsi1 +hsi0" },
	{ "idle on VM9, all up", FSM_IDLE, VM9, -1,
	    { true, true, true }, "-hsi1 -hsi2" },
	{ "idle on VM2, hsi0 up (moved unprepared)", FSM_IDLE, VM2, -1,
	    { true, false, false }, "-hsi0 +hsi1" },
	{ "idle, unknown residency, one up: kept", FSM_IDLE, -1, -1,
	    { false, true, false }, "" },
	{ "idle, unknown residency, two up: all down", FSM_IDLE, -1, -1,
	    { true, true, false }, "-hsi0 -hsi1" },
	{ "idle on a member without HSI for us", FSM_IDLE, 7, -1,
	    { true, false, false }, "-hsi0" },
	{ "prepared: all down", FSM_PREPARED, VM9, -1,
	    { true, true, false }, "-hsi0 -hsi1" },
	{ "prepared, nothing up", FSM_PREPARED, VM9, -1,
	    { false, false, false }, "" },
	{ "completing, target unknown: all down", FSM_COMPLETING, VM9, -1,
	    { true, false, false }, "-hsi0" },
	{ "completing to VM2", FSM_COMPLETING, VM2, VM2,
	    { false, false, false }, "+hsi1" },
	{ "completing to VM2, hsi0 still up", FSM_COMPLETING, VM2, VM2,
	    { true, false, false }, "-hsi0 +hsi1" },
	{ "completing back to VM9", FSM_COMPLETING, VM9, VM9,
	    { false, false, false }, "+hsi0" },
};

static void
plan_str(const struct fsm *f, char *buf, size_t len)
{
	struct fsm_action	act[FSM_MAX_IFS + 1];
	size_t			i, n, off = 0;

	buf[0] = '\0';
	n = fsm_plan(f, act, FSM_MAX_IFS + 1);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%c%s",
		    i ? " " : "", act[i].up ? '+' : '-',
		    f->ifs[act[i].idx].name);
}

static void
test_plans(void **state)
{
	struct fsm	f;
	char		got[128];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++) {
		const struct plan_case	*c = &plan_cases[i];

		fsm_three(&f, c->up[0], c->up[1], c->up[2]);
		f.state = c->state;
		f.residency = c->residency;
		f.target = c->target;
		plan_str(&f, got, sizeof(got));
		if (strcmp(got, c->plan) != 0)
			fail_msg("%s: plan \"%s\", expected \"%s\"", c->what,
			    got, c->plan);
	}
}

/* From every starting point, the plan reaches the wanted state and
 * never has two interfaces up on the way. */
static void
test_never_two_up(void **state)
{
	static const enum fsm_state	states[] = { FSM_IDLE, FSM_PREPARED,
					    FSM_COMPLETING };
	static const int		members[] = { -1, VM9, VM2, VM4, 7 };
	struct fsm			f;
	size_t				s, m, t, bits, i;

	(void)state;
	for (s = 0; s < 3; s++)
	for (m = 0; m < 5; m++)
	for (t = 0; t < 5; t++)
	for (bits = 0; bits < 8; bits++) {
		fsm_three(&f, bits & 1, bits & 2, bits & 4);
		f.state = states[s];
		f.residency = members[m];
		f.target = members[t];
		fsm_run_plan(&f);
		assert_true(fsm_count_up(&f) <= 1);
		for (i = 0; i < f.nifs; i++)
			if (fsm_want(&f, i) != FSM_WANT_KEEP)
				assert_int_equal(f.ifs[i].admin_up,
				    fsm_want(&f, i) == FSM_WANT_UP);
		/* A second plan has nothing left to do. */
		assert_int_equal(fsm_plan(&f, (struct fsm_action[4]){ 0 }, 4),
		    0);
	}
}

static const struct link_case {
	const char		*what;
	enum fsm_state		 state;
	int			 residency;
	bool			 up[3];		/* before */
	size_t			 idx;
	bool			 admin;		/* after */
	enum fsm_verdict	 verdict;
} link_cases[] = {
	{ "right one comes up", FSM_IDLE, VM9, { false, false, false },
	    0, true, FSM_LINK_OK },
	{ "wrong one comes up by hand", FSM_IDLE, VM9, { true, false, false },
	    1, true, FSM_LINK_WRONG },
	{ "right one taken down by hand: left alone", FSM_IDLE, VM9,
	    { true, false, false }, 0, false, FSM_LINK_OK },
	{ "any up while prepared", FSM_PREPARED, VM9, { false, false, false },
	    0, true, FSM_LINK_WRONG },
	{ "unknown residency, first up", FSM_IDLE, -1, { false, false, false },
	    1, true, FSM_LINK_OK },
	{ "unknown residency, second up", FSM_IDLE, -1, { true, false, false },
	    1, true, FSM_LINK_WRONG },
	{ "unknown residency, same one again", FSM_IDLE, -1,
	    { true, false, false }, 0, true, FSM_LINK_OK },
	{ "wrong one stays up (carrier change)", FSM_IDLE, VM9,
	    { false, true, false }, 1, true, FSM_LINK_WRONG },
};

static void
test_link_verdicts(void **state)
{
	struct fsm	f;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		const struct link_case	*c = &link_cases[i];

		fsm_three(&f, c->up[0], c->up[1], c->up[2]);
		f.state = c->state;
		f.residency = c->residency;
		if (fsm_link_changed(&f, c->idx, true, c->admin, c->admin,
		    42) != c->verdict)
			fail_msg("%s: wrong verdict", c->what);
		assert_int_equal(f.ifs[c->idx].admin_up, c->admin);
	}
}

static void
test_link_since_and_absent(void **state)
{
	struct fsm	f;

	(void)state;
	fsm_three(&f, true, false, false);
	f.residency = VM9;
	assert_int_equal(f.ifs[1].since_ms, 1);
	fsm_link_changed(&f, 1, true, false, false, 99);
	assert_int_equal(f.ifs[1].since_ms, 1);		/* no change */
	fsm_link_changed(&f, 0, false, true, true, 100);	/* deleted */
	assert_false(f.ifs[0].present);
	assert_false(f.ifs[0].admin_up);
	assert_int_equal(f.ifs[0].since_ms, 100);
	/* An absent interface is never planned. */
	assert_int_equal(fsm_plan(&f, (struct fsm_action[4]){ 0 }, 4), 0);
}

/* Our own change: events from before it are stale, for a while. */
static void
test_link_stale(void **state)
{
	struct fsm	f;

	(void)state;
	fsm_three(&f, true, false, false);
	f.residency = VM9;
	/* hsi1 up by hand (no carrier yet), we take it down ... */
	assert_int_equal(fsm_link_changed(&f, 1, true, true, false, 10),
	    FSM_LINK_WRONG);
	fsm_set_admin(&f, 1, false, 11);
	assert_false(f.ifs[1].admin_up);
	/* ... its carrier event, sent before our down, is stale ... */
	assert_int_equal(fsm_link_changed(&f, 1, true, true, true, 12),
	    FSM_LINK_STALE);
	assert_false(f.ifs[1].admin_up);
	/* ... our down arrives ... */
	assert_int_equal(fsm_link_changed(&f, 1, true, false, false, 13),
	    FSM_LINK_OK);
	assert_int_equal(f.ifs[1].expect, -1);
	/* ... and a new hand-up is wrong again. */
	assert_int_equal(fsm_link_changed(&f, 1, true, true, true, 14),
	    FSM_LINK_WRONG);
	/* An event that never came does not blind us for long. */
	fsm_set_admin(&f, 1, false, 100);
	assert_int_equal(fsm_link_changed(&f, 1, true, true, true,
	    100 + FSM_EXPECT_MS), FSM_LINK_WRONG);
	/* Setting what is already so expects nothing. */
	fsm_set_admin(&f, 2, false, 200);
	assert_int_equal(f.ifs[2].expect, -1);
	assert_int_equal(fsm_link_changed(&f, 2, true, true, true, 201),
	    FSM_LINK_WRONG);
}

static void
test_transitions(void **state)
{
	struct fsm	f;

	(void)state;
	fsm_three(&f, true, false, false);
	f.residency = VM9;
	assert_int_equal(fsm_prepare_begin(&f), 0);
	assert_int_equal(fsm_prepare_begin(&f), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(fsm_complete_begin(&f, 5), -1);
	assert_int_equal(errno, EBUSY);
	/* Prepare in flight: the journal still says IDLE. */
	assert_int_equal(f.state, FSM_IDLE);
	assert_int_equal(fsm_want(&f, 0), FSM_WANT_UP);
	fsm_prepare_done(&f, 1000);
	assert_int_equal(f.state, FSM_PREPARED);
	assert_int_equal(f.op, FSM_OP_NONE);
	assert_int_equal(f.prepared_ms, 1000);
	assert_false(fsm_self_complete_due(&f, 30999, 30000));
	assert_true(fsm_self_complete_due(&f, 31000, 30000));
	/* A second prepare keeps the first one's time. */
	assert_int_equal(fsm_prepare_begin(&f), 0);
	fsm_prepare_done(&f, 2000);
	assert_int_equal(f.prepared_ms, 1000);
	assert_int_equal(fsm_complete_begin(&f, 3000), 0);
	assert_int_equal(f.state, FSM_COMPLETING);
	assert_false(fsm_self_complete_due(&f, 99999, 30000));
	assert_int_equal(fsm_want(&f, 0), FSM_WANT_DOWN);
	fsm_complete_target(&f, VM2);
	assert_int_equal(f.residency, VM2);
	assert_int_equal(fsm_want(&f, 1), FSM_WANT_UP);
	fsm_complete_done(&f, 4000);
	assert_int_equal(f.state, FSM_IDLE);
	assert_int_equal(f.since_ms, 4000);
	assert_int_equal(fsm_want(&f, 1), FSM_WANT_UP);
	assert_int_equal(fsm_want(&f, 0), FSM_WANT_DOWN);
}

static void
test_complete_fail_stays(void **state)
{
	struct fsm	f;

	(void)state;
	fsm_three(&f, false, false, false);
	fsm_prepare_begin(&f);
	fsm_prepare_abort(&f);
	assert_int_equal(f.op, FSM_OP_NONE);
	assert_int_equal(f.state, FSM_IDLE);
	assert_int_equal(fsm_complete_begin(&f, 10), 0);
	fsm_complete_fail(&f);
	assert_int_equal(f.state, FSM_COMPLETING);
	assert_int_equal(f.op, FSM_OP_NONE);
	assert_int_equal(fsm_want(&f, 0), FSM_WANT_DOWN);
	/* The retry keeps the first transition's time. */
	assert_int_equal(fsm_complete_begin(&f, 20), 0);
	assert_int_equal(f.since_ms, 10);
}

static void
test_restore(void **state)
{
	struct fsm	f;

	(void)state;
	fsm_init(&f);
	assert_int_equal(fsm_restore(&f, FSM_IDLE, 1, 0),
	    FSM_START_RECONCILE);
	assert_int_equal(fsm_restore(&f, FSM_PREPARED, 1, 5), FSM_START_WAIT);
	assert_int_equal(f.prepared_ms, 5);
	assert_int_equal(fsm_restore(&f, FSM_COMPLETING, 1, 5),
	    FSM_START_COMPLETE);
	assert_int_equal(fsm_restore(&f, (enum fsm_state)77, 1, 5),
	    FSM_START_RECONCILE);
	assert_int_equal(f.state, FSM_IDLE);
}

static void
test_names_and_interfaces(void **state)
{
	struct fsm	f;
	char		name[8];
	int		i;

	(void)state;
	for (i = 0; i < FSM_NSTATES; i++)
		assert_int_equal(fsm_state_find(fsm_state_name(
		    (enum fsm_state)i)), i);
	assert_int_equal(fsm_state_find("idle"), -1);
	fsm_init(&f);
	assert_int_equal(fsm_add_if(&f, "hsi0", 0), 0);
	assert_int_equal(fsm_add_if(&f, "hsi0", 1), -1);
	assert_int_equal(errno, EEXIST);
	for (i = 1; i < FSM_MAX_IFS; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		assert_int_equal(fsm_add_if(&f, name, i), i);
	}
	assert_int_equal(fsm_add_if(&f, "hx", 99), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(fsm_if_of_member(&f, 3), 3);
	assert_int_equal(fsm_if_of_member(&f, -1), -1);
	assert_int_equal(fsm_if_find(&f, "nope"), -1);
}

static void
test_corrections(void **state)
{
	struct fsm	f;

	(void)state;
	fsm_init(&f);
	fsm_correction(&f, "[GA-WRONG-HSI] hsi1");
	fsm_warning(&f, "[GA-MOVED-UNPREPARED] x");
	assert_int_equal(f.corrections, 1);
	assert_string_equal(f.last_warning, "[GA-MOVED-UNPREPARED] x");
	assert_int_equal(fsm_set_residency(&f, 2), 1);
	assert_int_equal(fsm_set_residency(&f, 2), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_never_two_up),
		cmocka_unit_test(test_link_verdicts),
		cmocka_unit_test(test_link_since_and_absent),
		cmocka_unit_test(test_link_stale),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_complete_fail_stays),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_names_and_interfaces),
		cmocka_unit_test(test_corrections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
