/*
 * evac_test.c: jobs (evac.c) against stand-in clients (standin.c): the
 * plan of an evacuation or a relocation, its refusals with their reply
 * codes, --parallel clamped by the members' limits with the reason, and
 * a whole job run to its report.
 */
#include <sys/stat.h>

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

#include "standin.h"

static struct lgrd	*const d = &standin_lgrd;

static struct lgrd_request
request(enum lgrd_req type, const char *name, const char *from,
    const char *to)
{
	struct lgrd_request	rq;

	lgrd_request_init(&rq, type);
	snprintf(type == LGRD_REQ_RELOCATE ? rq.guest : rq.workload,
	    MSG_NAME_MAX, "%s", name);
	snprintf(rq.from, sizeof(rq.from), "%s", from);
	snprintf(rq.to, sizeof(rq.to), "%s", to);
	return rq;
}

static void
job_release(struct job *j)
{
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->moves);
}

/*
 * Plan LIT to VM2 (type: evacuate or plan) asking parallel relocations
 * at once, VM9 allowing max_out out (0: its default); the plan must be
 * made.
 */
static void
plan_lit(enum lgrd_req type, unsigned parallel, unsigned max_out,
    struct job *j)
{
	struct lgrd_request	rq = request(type, "LIT", "", "VM2");
	char			err[256];
	int			code = 0;

	standin_reset(d->topo);
	if (max_out > 0)
		standin.max_out[topo_member_find(d->topo, "VM9")] = max_out;
	rq.parallel = parallel;
	assert_int_equal(evac_plan(d, &rq, j, &code, err, sizeof(err)), 0);
}

static void
test_plan_of_a_workload(void **state)
{
	struct lgrd_request	rq = request(LGRD_REQ_PLAN, "LIT", "", "VM2");
	struct job		j;
	char			err[256];
	int			code = 0;

	(void)state;
	standin_reset(d->topo);
	assert_int_equal(evac_plan(d, &rq, &j, &code, err, sizeof(err)), 0);
	assert_int_equal(j.nmoves, 4);
	for (size_t i = 0; i < j.nmoves; i++) {
		assert_string_equal(j.moves[i].src, "VM9");
		assert_string_equal(j.moves[i].dst, "VM2");
		assert_int_equal(j.moves[i].step, LGRD_STEP_PLANNED);
	}
	assert_int_equal(j.parallel, 1);
	assert_string_equal(j.parallel_why, "");
	assert_string_equal(j.kind, "evacuate");
	job_release(&j);
}

static void
test_parallel_clamped_says_why(void **state)
{
	struct job	j;

	(void)state;
	plan_lit(LGRD_REQ_EVACUATE, 4, 2, &j);
	assert_int_equal(j.parallel, 2);
	assert_string_equal(j.parallel_why, "4 asked; VM9 allows 2 "
	    "relocations out");
	job_release(&j);
	/* Within the limit: nothing to say. */
	plan_lit(LGRD_REQ_EVACUATE, 2, 2, &j);
	assert_int_equal(j.parallel, 2);
	assert_string_equal(j.parallel_why, "");
	job_release(&j);
}

static void
test_refusals(void **state)
{
	static const struct {
		enum lgrd_req	 type;
		const char	*name, *from, *to;
		bool		 hv_down;
		int		 code;
		const char	*text;
	} cases[] = {
		{ LGRD_REQ_PLAN, "NOSUCH", "", "", false, REPLY_E_NOTFOUND,
		    "unknown workload NOSUCH (known: ALL, ECM, LIT, TIV)" },
		{ LGRD_REQ_EVACUATE, "LIT", "VM2", "", false, REPLY_E_EMPTY,
		    "no guest of workload LIT runs on VM2" },
		{ LGRD_REQ_EVACUATE, "LIT", "VM7", "", false, REPLY_E_NOTFOUND,
		    "unknown member VM7" },
		{ LGRD_REQ_RELOCATE, "LITDCON1", "", "VM9", false,
		    REPLY_E_EMPTY, "guest LITDCON1 already runs on VM9" },
		{ LGRD_REQ_RELOCATE, "NOSUCH", "", "VM2", false,
		    REPLY_E_NOTFOUND, "unknown guest NOSUCH" },
		{ LGRD_REQ_EVACUATE, "LIT", "", "VM2", true, REPLY_E_INTERNAL,
		    "the hypervisor does not answer" },
	};
	struct lgrd_request	rq;
	struct job		j;
	char			err[256];
	int			code;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: %s\n", i, cases[i].name);
		standin_reset(d->topo);
		standin.hv_down = cases[i].hv_down;
		rq = request(cases[i].type, cases[i].name, cases[i].from,
		    cases[i].to);
		code = 0;
		assert_int_equal(evac_plan(d, &rq, &j, &code, err,
		    sizeof(err)), -1);
		assert_int_equal(code, cases[i].code);
		assert_string_equal(err, cases[i].text);
	}
}

/* A whole evacuation, two at a time: every guest moved, the job DONE,
 * its report written, nothing left busy. */
static void
test_job_runs_to_its_report(void **state)
{
	struct lgrd_request	 rq = request(LGRD_REQ_EVACUATE, "LIT", "",
				    "VM2");
	struct json_object	*rep, *job;
	struct job		*j;
	char			 err[256], line[512];
	int			 code = 0, i;
	FILE			*f;

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	rq.parallel = 2;
	assert_non_null(j = calloc(1, sizeof(*j)));
	assert_int_equal(evac_plan(d, &rq, j, &code, err, sizeof(err)), 0);
	snprintf(j->who, sizeof(j->who), "operator");
	assert_true(evac_start(d, j) > 0);
	for (i = 0; i < 600 && evac_running(d) > 0; i++)
		usleep(50000);
	assert_int_equal(evac_running(d), 0);
	assert_false(evac_busy(d, "LITDCON1"));
	assert_int_equal(journal_job_latest(d->db, &(int64_t){ 0 }), 1);
	assert_non_null(rep = report_json(d->db, 1));
	job = json_object_object_get(rep, "job");
	assert_string_equal(json_object_get_string(json_object_object_get(job,
	    "state")), "DONE");
	assert_int_equal(json_object_get_int(json_object_object_get(job,
	    "moved")), 4);
	assert_int_equal(json_object_get_int(json_object_object_get(job,
	    "parallel")), 2);
	assert_int_equal(access(json_object_get_string(json_object_object_get(
	    job, "report")), R_OK), 0);
	/* The file's header says the job's final state, not RUNNING. */
	assert_non_null(f = fopen(json_object_get_string(
	    json_object_object_get(job, "report")), "r"));
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	print_message("report: %s", line);
	assert_non_null(strstr(line, ", DONE\n"));
	json_object_put(rep);
	for (const char *const *g = (const char *const[]){ "LITSHA22",
	    "LITDCON1", "LITSWAS1", "LITDAT01", NULL }; *g != NULL; g++)
		assert_int_equal(standin.where[topo_guest_find(d->topo, *g)],
		    topo_member_find(d->topo, "VM2"));
	assert_int_equal(evac_cancel(d, 1, NULL), -1);	/* over */
}

/* Offset of the first (last: the last) what in the stand-ins' log. */
static long
log_at(const char *what, bool last)
{
	const char	*p = strstr(standin.log, what), *q;

	if (p == NULL)
		fail_msg("not called: %s (log: %s)", what, standin.log);
	while (last && (q = strstr(p + 1, what)) != NULL)
		p = q;
	return p - standin.log;
}

/* Waves of up to --parallel guests of one group, HSI ones apart; the
 * relocations at once clamped by the members' limits, said per wave. */
static void
test_plan_in_waves(void **state)
{
	struct json_object	*w;
	struct job		 j;

	(void)state;
	plan_lit(LGRD_REQ_PLAN, 4, 2, &j);
	assert_int_equal(j.nmoves, 4);
	assert_int_equal(j.waves, 2);
	assert_int_equal(j.wave_size, LGRD_WAVE_DEFAULT);
	assert_int_equal(j.parallel, 2);
	for (size_t i = 0; i < 3; i++) {
		assert_true(j.moves[i].hsi);
		assert_int_equal(j.moves[i].seq, 1);
	}
	assert_string_equal(j.moves[3].guest, "LITSHA22");
	assert_int_equal(j.moves[3].seq, 2);
	w = evac_plan_wave(d, &j, 1);
	assert_int_equal(lgrd_row_num(w, "guests", 0), 3);
	assert_int_equal(lgrd_row_num(w, "hsi_guests", 0), 3);
	assert_int_equal(lgrd_row_num(w, "parallel", 0), 2);
	assert_int_equal(lgrd_row_num(w, "waves", 0), 2);
	assert_string_equal(lgrd_row_str(w, "parallel_why", ""),
	    "4 asked; VM9 allows 2 relocations out");
	json_object_put(w);
	/* One guest: one relocation, nothing clamped to say. */
	w = evac_plan_wave(d, &j, 2);
	assert_int_equal(lgrd_row_num(w, "guests", 0), 1);
	assert_int_equal(lgrd_row_num(w, "parallel", 0), 1);
	assert_string_equal(lgrd_row_str(w, "parallel_why", ""), "");
	json_object_put(w);
	job_release(&j);
}

/* A wave: every prepare before any relocation, every relocation ended
 * before any complete; a guest whose relocation failed completes on its
 * source with the wave, the others on the target; the next wave after. */
static void
test_wave_in_step(void **state)
{
	struct lgrd_request	 rq = request(LGRD_REQ_EVACUATE, "LIT", "",
				    "VM2");
	struct json_object	*rep, *moves, *m;
	struct job		*j;
	char			 err[256];
	int64_t			 id;
	int			 code = 0, i;

	(void)state;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	standin.reloc_fail_guest = "LITSWAS1";
	rq.parallel = 4;
	assert_non_null(j = calloc(1, sizeof(*j)));
	assert_int_equal(evac_plan(d, &rq, j, &code, err, sizeof(err)), 0);
	snprintf(j->who, sizeof(j->who), "operator");
	assert_true((id = evac_start(d, j)) > 0);
	for (i = 0; i < 600 && evac_running(d) > 0; i++)
		usleep(50000);
	assert_int_equal(evac_running(d), 0);
	print_message("log: %s\n", standin.log);
	assert_true(log_at("prepare LITDAT01", false) <
	    log_at("relocate LIT", false));
	assert_true(log_at("prepare LITDCON1", false) <
	    log_at("relocate LIT", false));
	assert_true(log_at("prepare LITSWAS1", false) <
	    log_at("relocate LIT", false));
	assert_true(log_at("relocate LITDAT01", false) <
	    log_at("complete LIT", false));
	assert_true(log_at("relocate LITSWAS1", false) <
	    log_at("complete LIT", false));
	assert_true(log_at("complete LITSWAS1", false) <
	    log_at("relocate LITSHA22", false));
	assert_true(log_at("complete LITDAT01", false) <
	    log_at("relocate LITSHA22", false));
	/* The agents are told who arrives with them: LITDAT01 and
	 * LITDCON1 on VM2 together, LITSWAS1 back on VM9 alone. */
	assert_true(log_at("complete LITDAT01 (with LITDCON1)", false) >= 0);
	assert_true(log_at("complete LITDCON1 (with LITDAT01)", false) >= 0);
	assert_null(strstr(standin.log, "complete LITSWAS1 (with"));
	assert_int_equal(standin.where[topo_guest_find(d->topo, "LITSWAS1")],
	    topo_member_find(d->topo, "VM9"));
	assert_int_equal(standin.where[topo_guest_find(d->topo, "LITDAT01")],
	    topo_member_find(d->topo, "VM2"));
	assert_int_equal(standin.where[topo_guest_find(d->topo, "LITSHA22")],
	    topo_member_find(d->topo, "VM2"));
	/* The report: per guest, with its wave. */
	assert_non_null(rep = report_json(d->db, id));
	moves = json_object_object_get(rep, "moves");
	assert_int_equal(json_object_array_length(moves), 4);
	for (size_t k = 0; k < 4; k++) {
		m = json_object_array_get_idx(moves, k);
		assert_int_equal(lgrd_row_num(m, "wave", 0), k < 3 ? 1 : 2);
		assert_string_equal(lgrd_row_str(m, "result", ""), strcmp(
		    lgrd_row_str(m, "guest", ""), "LITSWAS1") == 0 ?
		    "not-moved" : "moved");
	}
	json_object_put(rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_of_a_workload),
		cmocka_unit_test(test_parallel_clamped_says_why),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_job_runs_to_its_report),
		cmocka_unit_test(test_plan_in_waves),
		cmocka_unit_test(test_wave_in_step),
	};

	return cmocka_run_group_tests(tests, standin_setup,
	    standin_teardown);
}
