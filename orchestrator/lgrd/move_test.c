/*
 * move_test.c: one guest's pipeline (move.c) against stand-in clients
 * (standin.c) and a stand-in routecheck: the steps taken in order, what
 * each failure leaves in the move, and the journal's record of it.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "log.h"
#include "standin.h"

static struct lgrd	*const d = &standin_lgrd;

static struct job *
job_one(const char *guest, const char *dst)
{
	struct job	*j = calloc(1, sizeof(*j));
	struct move	*m;
	int		 g = topo_guest_find(d->topo, guest);

	assert_non_null(j);
	assert_true(g >= 0);
	j->d = d;
	j->parallel = 1;
	j->max_blackhole_ms = -1;
	snprintf(j->kind, sizeof(j->kind), "relocate");
	snprintf(j->workload, sizeof(j->workload), "%s", guest);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	assert_non_null(j->moves = m = calloc(1, sizeof(*m)));
	j->nmoves = 1;
	snprintf(m->guest, sizeof(m->guest), "%s", guest);
	snprintf(m->src, sizeof(m->src), "%s",
	    d->topo->members[standin.where[g]].name);
	snprintf(m->dst, sizeof(m->dst), "%s", dst);
	m->hsi = topo_guest_has_hsi(&d->topo->guests[g]);
	m->probe_lost = -1;
	m->prepare_ms = m->reloc_ms = m->reloc_wall_ms = m->quiesce_ms = -1;
	m->downtime_ms = m->converge_ms = m->complete_ms = m->verify_ms = -1;
	m->total_ms = -1;
	assert_int_equal(journal_job_new(d->db, j), 0);
	assert_int_equal(journal_move_new(d->db, j->id, m), 0);
	return j;
}

static void
job_free(struct job *j)
{
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->wave_check);
	free(j->moves);
	free(j);
}

/* The journaled move of job j as a JSON row. */
static const char *
journal_field(struct job *j, const char *key, char *buf, size_t len)
{
	struct json_object	*rows = journal_moves_json(d->db, j->id);
	struct json_object	*v;

	assert_non_null(rows);
	assert_int_equal(json_object_array_length(rows), 1);
	v = json_object_object_get(json_object_array_get_idx(rows, 0), key);
	snprintf(buf, len, "%s", v != NULL ? json_object_get_string(v) : "");
	json_object_put(rows);
	return buf;
}

static void
test_hsi_guest_moves(void **state)
{
	struct job	*j;
	struct move	*m;
	char		 buf[256];

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	j = job_one("LITDCON1", "VM2");
	m = &j->moves[0];
	move_run(j, m);
	assert_string_equal(standin.log, "check LITDCON1 VM2; prepare "
	    "LITDCON1 (2 peers); relocate LITDCON1 VM9 VM2; complete "
	    "LITDCON1");
	assert_string_equal(m->result, "moved");
	assert_string_equal(m->reason, "");
	assert_string_equal(m->routecheck, "ok");
	assert_int_equal(m->step, LGRD_STEP_DONE);
	assert_int_equal(m->hv_id, 100 + topo_guest_find(d->topo, "LITDCON1"));
	assert_true(m->reloc_ms == 420.0 && m->quiesce_ms == 21.0);
	assert_true(m->prepare_ms == 3.0 && m->complete_ms == 2.0);
	assert_true(m->converge_ms == 12.0);
	assert_true(m->total_ms >= 0 && m->verify_ms >= 0);
	assert_string_equal(journal_field(j, "step", buf, sizeof(buf)),
	    "done");
	assert_string_equal(journal_field(j, "result", buf, sizeof(buf)),
	    "moved");
	job_free(j);
}

static void
test_plain_guest_has_no_agent(void **state)
{
	struct job	*j;

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	j = job_one("LITSHA22", "VM2");
	move_run(j, &j->moves[0]);
	assert_string_equal(standin.log, "check LITSHA22 VM2; relocate "
	    "LITSHA22 VM9 VM2");
	assert_string_equal(j->moves[0].result, "moved");
	job_free(j);
}

static void
test_conflict_stops_before_prepare(void **state)
{
	struct job	*j;
	char		 buf[256];

	(void)state;
	standin_reset(d->topo);
	standin.conflict_guest = "LITDCON1";
	standin.conflict = "STORAGE: VM2 has 100 MiB free, 256 MiB needed";
	j = job_one("LITDCON1", "VM2");
	move_run(j, &j->moves[0]);
	assert_string_equal(standin.log, "check LITDCON1 VM2");
	assert_string_equal(j->moves[0].result, "not-moved");
	assert_string_equal(j->moves[0].reason, "STORAGE: VM2 has 100 MiB "
	    "free, 256 MiB needed");
	assert_int_equal(j->moves[0].hv_id, 0);
	assert_string_equal(journal_field(j, "reason", buf, sizeof(buf)),
	    "STORAGE: VM2 has 100 MiB free, 256 MiB needed");
	job_free(j);
}

static void
test_failed_prepare_is_rolled_back(void **state)
{
	struct job	*j;

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	standin.prepare_error = "agent of LITDCON1: no answer";
	j = job_one("LITDCON1", "VM2");
	move_run(j, &j->moves[0]);
	assert_string_equal(standin.log, "check LITDCON1 VM2; prepare "
	    "LITDCON1 (2 peers); complete LITDCON1");
	assert_string_equal(j->moves[0].result, "not-moved");
	assert_string_equal(j->moves[0].reason, "prepare: agent of LITDCON1: "
	    "no answer");
	assert_int_equal(standin.where[topo_guest_find(d->topo, "LITDCON1")],
	    topo_member_find(d->topo, "VM9"));
	job_free(j);
}

static void
test_blackhole_budget_named(void **state)
{
	struct job	*j;

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	standin.reloc_end = "MAXQUIESCE";
	j = job_one("LITSWAS1", "VM2");
	j->max_blackhole_ms = 50;
	move_run(j, &j->moves[0]);
	assert_true(standin_called("complete LITSWAS1"));
	assert_string_equal(j->moves[0].result, "not-moved");
	assert_string_equal(j->moves[0].reason, "relocation ended MAXQUIESCE: "
	    "quiesce over budget (the --max-blackhole budget)");
	job_free(j);
}

/*
 * A moved guest's downtime against --max-blackhole: over the budget the
 * move says so, within it (or at it) nothing.  The stand-in has no probe:
 * the downtime is what a probe would have measured.
 */
static void
downtime_case(double downtime_ms, int64_t budget_ms, const char *reason)
{
	struct job	*j;

	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	j = job_one("LITDCON1", "VM2");
	j->max_blackhole_ms = budget_ms;
	j->moves[0].downtime_ms = downtime_ms;
	move_run(j, &j->moves[0]);
	assert_string_equal(j->moves[0].result, "moved");
	assert_string_equal(j->moves[0].reason, reason);
	job_free(j);
}

static void
test_downtime_over_budget_named(void **state)
{
	(void)state;
	downtime_case(80, 50, "downtime 80.0 ms over --max-blackhole 50 ms");
	downtime_case(20, 50, "");
	downtime_case(50, 50, "");
	downtime_case(80, -1, "");		/* no budget */
}

static void
test_routecheck_violation_as_text(void **state)
{
	struct job	*j;

	(void)state;
	standin_reset(d->topo);
	/* LITDCON1's VIPA at the ABR: the guest's, in the wave's whole-lab
	 * run, and again when asked about the guest alone. */
	standin_routecheck(d, 1, "{\"violations\":[{\"invariant\":2,\"name\":"
	    "\"vipa-reachable\",\"router\":\"ABR\",\"prefix\":"
	    "\"10.20.7.100/32\",\"table\":\"ospf\",\"expected\":\"via dc8\","
	    "\"found\":\"none\"}]}");
	j = job_one("LITDCON1", "VM2");
	move_run(j, &j->moves[0]);
	assert_string_equal(j->moves[0].result, "moved");
	assert_string_equal(j->moves[0].routecheck, "violations");
	assert_string_equal(j->moves[0].reason, "routecheck: 1 violation, "
	    "first: vipa-reachable at ABR: 10.20.7.100/32 in table ospf "
	    "expected via dc8, found none");
	job_free(j);
	/* Another guest's violation in the wave's run is not LITDCON1's;
	 * asked alone (the stand-in answers the same), it would be. */
	standin_reset(d->topo);
	standin_routecheck(d, 1, "{\"violations\":[{\"invariant\":2,\"name\":"
	    "\"paths\",\"router\":\"ECMSS00\",\"prefix\":"
	    "\"10.20.7.104/32\",\"table\":\"ospf\",\"expected\":\"x\","
	    "\"found\":\"y\"}]}");
	j = job_one("LITDCON1", "VM2");
	move_run(j, &j->moves[0]);
	assert_string_equal(j->moves[0].routecheck, "ok");
	job_free(j);
}

static void
test_not_converged(void **state)
{
	struct job	*j;

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	standin.converge_ms = -1;
	j = job_one("LITSHA22", "VM2");
	move_run(j, &j->moves[0]);
	assert_string_equal(j->moves[0].result, "moved");
	assert_string_equal(j->moves[0].reason, "routing not converged within "
	    "20000 ms: ABR has no route to the VIPA");
	job_free(j);
}

/* lgrd killed during the relocation: the next one follows it to its
 * end and completes, without preparing again. */
static void
test_resume_during_relocation(void **state)
{
	struct job	*j;
	struct move	*m;

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	standin.inflight_dst = "VM2";
	j = job_one("LITDAT01", "VM2");
	m = &j->moves[0];
	m->step = LGRD_STEP_RELOCATE;
	m->hv_id = 100 + topo_guest_find(d->topo, "LITDAT01");
	m->resumed = true;
	move_run(j, m);
	assert_string_equal(standin.log, "complete LITDAT01");
	assert_string_equal(m->result, "moved");
	job_free(j);
}

static void
test_verify_summary(void **state)
{
	char	s[300];

	(void)state;
	assert_int_equal(verify_summary(d->topo, "not json", NULL, 0, s,
	    sizeof(s)), -1);
	assert_string_equal(s, "violations");
	assert_int_equal(verify_summary(d->topo, "{\"violations\":[{\"name\":"
	    "\"a\"},{\"name\":\"b\"}]}", NULL, 0, s, sizeof(s)), 2);
	assert_string_equal(s, "2 violations, first: a at ?: ? in table ? "
	    "expected ?, found ?");
}

/* A violation found on a guest still moving, or about the route to its
 * VIPA, is set aside (that guest verifies later); the rest stay. */
static void
test_verify_concurrent_mover(void **state)
{
	const char	*movers[] = { "LITDAT01" };
	const char	*own = ",{\"name\":\"4 hsi-up\",\"router\":"
			    "\"LITDCON1\",\"prefix\":\"-\",\"table\":"
			    "\"links\"}";
	char		 s[300], theirs[512], only[600], both[1024];
	char		 vipa[INET_ADDRSTRLEN];
	int		 g = topo_guest_find(d->topo, "LITDAT01");

	(void)state;
	inet_ntop(AF_INET, &d->topo->guests[g].vipa, vipa, sizeof(vipa));
	snprintf(theirs, sizeof(theirs), "{\"name\":\"2 paths\",\"router\":"
	    "\"LITDCON1\",\"prefix\":\"%s/32\",\"table\":\"ospf\"},"
	    "{\"name\":\"6 agree\",\"router\":\"LITDAT01\",\"prefix\":"
	    "\"10.1.1.1/32\",\"table\":\"kernel\"}", vipa);
	snprintf(both, sizeof(both), "{\"violations\":[%s%s]}", theirs, own);
	/* Only the mover's: ok, and said so. */
	snprintf(only, sizeof(only), "{\"violations\":[%s]}", theirs);
	assert_int_equal(verify_summary(d->topo, only, movers, 1, s,
	    sizeof(s)), 0);
	assert_string_equal(s, "ok (2 violations set aside: they concern "
	    "guests still moving)");
	/* The guest's own violation is not hidden. */
	assert_int_equal(verify_summary(d->topo, both, movers, 1, s,
	    sizeof(s)), 1);
	assert_string_equal(s, "1 violation, first: 4 hsi-up at LITDCON1: - "
	    "in table links expected ?, found ? (2 more concern guests still "
	    "moving)");
	/* Nobody moving: every violation counts. */
	assert_int_equal(verify_summary(d->topo, both, NULL, 0, s, sizeof(s)),
	    3);
}

/* What lgrctl's exit status counts as a move that ended as asked. */
static void
test_move_clean(void **state)
{
	static const struct {
		const char	*row;
		double		 budget;
		bool		 clean;
	} cases[] = {
		{ "{\"result\":\"moved\",\"routecheck\":\"ok\","
		    "\"downtime_ms\":4.5}", -1, true },
		{ "{\"result\":\"moved\",\"routecheck\":\"ok\","
		    "\"downtime_ms\":4.5}", 10, true },
		{ "{\"result\":\"moved\",\"routecheck\":\"ok\","
		    "\"downtime_ms\":23.5}", 10, false },	/* over budget */
		{ "{\"result\":\"moved\",\"routecheck\":\"ok\","
		    "\"downtime_ms\":null}", 10, true },	/* not measured */
		{ "{\"result\":\"moved\",\"routecheck\":\"violations\","
		    "\"downtime_ms\":4.5}", -1, false },
		{ "{\"result\":\"moved\",\"routecheck\":\"skipped\"}", -1,
		    true },
		{ "{\"result\":\"not-moved\",\"routecheck\":\"ok\"}", -1,
		    false },
	};
	struct json_object	*o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: %s, budget %.0f\n", i, cases[i].row,
		    cases[i].budget);
		assert_non_null(o = json_tokener_parse(cases[i].row));
		assert_int_equal(lgrd_move_clean(o, cases[i].budget),
		    cases[i].clean);
		json_object_put(o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hsi_guest_moves),
		cmocka_unit_test(test_plain_guest_has_no_agent),
		cmocka_unit_test(test_conflict_stops_before_prepare),
		cmocka_unit_test(test_failed_prepare_is_rolled_back),
		cmocka_unit_test(test_blackhole_budget_named),
		cmocka_unit_test(test_downtime_over_budget_named),
		cmocka_unit_test(test_routecheck_violation_as_text),
		cmocka_unit_test(test_not_converged),
		cmocka_unit_test(test_resume_during_relocation),
		cmocka_unit_test(test_verify_summary),
		cmocka_unit_test(test_verify_concurrent_mover),
		cmocka_unit_test(test_move_clean),
	};

	return cmocka_run_group_tests(tests, standin_setup,
	    standin_teardown);
}
