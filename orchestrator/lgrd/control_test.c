/*
 * control_test.c: lgrd's requests (control.c) over the real control
 * socket core, with stand-in clients behind them (standin.c): the reply
 * codes and texts of refusals, jobs newest first, one job, the check's
 * rows before its verdict, the audit log, the --parallel clamp.
 */
#include <pthread.h>
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
#include <zmq.h>

#include "ctlclient.h"
#include "standin.h"

static struct lgrd	*const d = &standin_lgrd;
static pthread_t	 server;
static volatile int	 server_stop;

/* lgrd's main loop, in a thread. */
static void *
server_run(void *arg)
{
	(void)arg;
	while (!server_stop) {
		zmq_pollitem_t	it[2] = {
			{ ctlsrv_socket(d->ctl), 0, ZMQ_POLLIN, 0 },
			{ ctlsrv_zap_socket(d->ctl), 0, ZMQ_POLLIN, 0 },
		};

		if (zmq_poll(it, 2, 20) <= 0)
			continue;
		if (it[1].revents & ZMQ_POLLIN)
			ctlsrv_zap(d->ctl);
		if (it[0].revents & ZMQ_POLLIN)
			control_dispatch(d);
	}
	return NULL;
}

static int
setup(void **state)
{
	if (standin_setup(state) == -1 ||
	    keys_generate(d->opts.labdir, false) == -1 ||
	    keys_load_server(d->opts.labdir, &d->keys) == -1 ||
	    (d->zctx = zmq_ctx_new()) == NULL || control_open(d) == -1)
		return -1;
	standin_reset(d->topo);
	standin_routecheck(d, 0, "{\"violations\":[]}");
	return pthread_create(&server, NULL, server_run, NULL) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	server_stop = 1;
	pthread_join(server, NULL);
	control_close(d);
	zmq_ctx_term(d->zctx);
	return standin_teardown(state);
}

struct answer {
	int			 rc;	/* ctlclient_request's */
	int			 code;
	char			 text[256];
	struct json_object	*rows;
};

static void
answer_row(struct json_object *row, void *arg)
{
	json_object_array_add(arg, json_object_get(row));
}

/* One request as role; the answer's rows and terminator. */
static void
ask(struct answer *a, const char *role, const char *json)
{
	struct keys_client	 kc;
	struct ctlclient	*c;
	struct json_object	*req = json_tokener_parse(json);
	char			 path[PATH_MAX], ep[PATH_MAX + 8];

	assert_non_null(req);
	assert_int_equal(keys_load_client(d->opts.labdir, role, NULL, &kc), 0);
	labname_lgrd_sock(d->opts.labdir, path, sizeof(path));
	labname_ipc(path, ep, sizeof(ep));
	assert_non_null(c = ctlclient_open(NULL, ep, &kc, 2000));
	memset(a, 0, sizeof(*a));
	a->rows = json_object_new_array();
	a->rc = ctlclient_request(c, req, 10000, answer_row, a->rows, &a->code,
	    a->text, sizeof(a->text));
	ctlclient_close(c);
	json_object_put(req);
}

static const char *
field(struct answer *a, size_t i, const char *key)
{
	return lgrd_row_str(json_object_array_get_idx(a->rows, i), key, "");
}

static void
job_wait(void)
{
	for (int i = 0; i < 400 && evac_running(d) > 0; i++)
		usleep(25000);
	assert_int_equal(evac_running(d), 0);
}

static void
test_refusals(void **state)
{
	static const struct {
		const char	*role;
		const char	*req;
		int		 code;
		const char	*text;
	} cases[] = {
		{ "operator", "{\"req\":\"check\",\"guest\":\"LITDCON1\","
		    "\"to\":\"NOSUCH\"}", REPLY_E_NOTFOUND,
		    "unknown member NOSUCH" },
		{ "operator", "{\"req\":\"plan\",\"workload\":\"FOO\"}",
		    REPLY_E_NOTFOUND,
		    "unknown workload FOO (known: ALL, ECM, LIT, TIV)" },
		{ "operator", "{\"req\":\"status\",\"id\":99}",
		    REPLY_E_NOTFOUND, "no job 99" },
		{ "operator", "{\"req\":\"cancel\"}", REPLY_E_BADARG,
		    "bad request: cancel: a guest or a job id is needed" },
		{ "operator", "{\"req\":\"cancel\",\"id\":5}", REPLY_E_NOTFOUND,
		    "job 5 is not running (lgrctl status)" },
		{ "viewer", "{\"req\":\"evacuate\",\"workload\":\"LIT\"}",
		    REPLY_E_DENIED, "role viewer may not evacuate" },
	};
	struct answer	a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].req);
		ask(&a, cases[i].role, cases[i].req);
		assert_int_equal(a.rc, 1);
		assert_int_equal(a.code, cases[i].code);
		assert_string_equal(a.text, cases[i].text);
		assert_int_equal(json_object_array_length(a.rows), 0);
		json_object_put(a.rows);
	}
	/* Refused changes are in the audit log, reads are not. */
	ask(&a, "viewer", "{\"req\":\"audit\"}");
	assert_int_equal(a.rc, 0);
	assert_int_equal(json_object_array_length(a.rows), 3);
	assert_string_equal(field(&a, 2, "who"), "viewer");
	assert_string_equal(field(&a, 2, "result"),
	    "role viewer may not evacuate");
	json_object_put(a.rows);
}

static void
test_check_rows_then_verdict(void **state)
{
	struct answer	a;

	(void)state;
	standin_reset(d->topo);
	ask(&a, "viewer", "{\"req\":\"check\",\"guest\":\"LITDCON1\","
	    "\"to\":\"VM2\"}");
	assert_int_equal(a.rc, 0);
	assert_int_equal(json_object_array_length(a.rows), 4);
	assert_string_equal(field(&a, 0, "check"), "hypervisor");
	assert_string_equal(field(&a, 1, "check"), "hsi-lan");
	json_object_put(a.rows);
	standin.conflict_guest = "LITDCON1";
	standin.conflict = "STORAGE: VM2 is full";
	ask(&a, "viewer", "{\"req\":\"check\",\"guest\":\"LITDCON1\","
	    "\"to\":\"VM2\"}");
	assert_int_equal(a.rc, 1);
	assert_int_equal(a.code, REPLY_E_CONFLICT);
	assert_string_equal(a.text, "guest LITDCON1 cannot move to VM2 now");
	assert_string_equal(field(&a, 0, "check"), "hypervisor STORAGE");
	assert_string_equal(field(&a, 0, "text"), "VM2 is full");
	json_object_put(a.rows);
}

static void
test_jobs_newest_first(void **state)
{
	struct answer	a;

	(void)state;
	standin_reset(d->topo);
	standin.max_out[topo_member_find(d->topo, "VM9")] = 2;
	ask(&a, "operator", "{\"req\":\"evacuate\",\"workload\":\"LIT\","
	    "\"to\":\"VM2\",\"parallel\":4}");
	assert_int_equal(a.rc, 0);
	assert_string_equal(field(&a, 0, "parallel"), "2");
	assert_string_equal(field(&a, 0, "parallel_why"),
	    "4 asked; VM9 allows 2 relocations out");
	json_object_put(a.rows);
	job_wait();
	ask(&a, "operator", "{\"req\":\"relocate\",\"guest\":\"ECMSS00\","
	    "\"to\":\"VM2\"}");
	assert_int_equal(a.rc, 0);
	assert_string_equal(field(&a, 0, "parallel_why"), "");
	json_object_put(a.rows);
	job_wait();
	ask(&a, "viewer", "{\"req\":\"status\"}");
	assert_int_equal(a.rc, 0);
	assert_int_equal(json_object_array_length(a.rows), 2);
	assert_string_equal(lgrd_row_str(json_object_object_get(
	    json_object_array_get_idx(a.rows, 0), "job"), "workload", ""),
	    "ECMSS00");
	assert_string_equal(lgrd_row_str(json_object_object_get(
	    json_object_array_get_idx(a.rows, 1), "job"), "workload", ""),
	    "LIT");
	json_object_put(a.rows);
	ask(&a, "viewer", "{\"req\":\"status\",\"id\":1}");
	assert_int_equal(a.rc, 0);
	assert_int_equal(json_object_array_length(json_object_object_get(
	    json_object_array_get_idx(a.rows, 0), "moves")), 4);
	json_object_put(a.rows);
	ask(&a, "operator", "{\"req\":\"relocate\",\"guest\":\"ECMSS00\","
	    "\"to\":\"VM2\"}");
	assert_int_equal(a.rc, 1);
	assert_int_equal(a.code, REPLY_E_EMPTY);
	assert_string_equal(a.text, "guest ECMSS00 already runs on VM2");
	json_object_put(a.rows);
}

/* An operator URL only for the operator key; none with the console off;
 * both audited. */
static void
test_console_url(void **state)
{
	struct answer	a;

	(void)state;
	ask(&a, "viewer", "{\"req\":\"console-url\",\"role\":\"operator\"}");
	assert_int_equal(a.code, REPLY_E_DENIED);
	assert_string_equal(a.text, "an operator URL needs the operator role "
	    "(you are viewer)");
	json_object_put(a.rows);
	ask(&a, "operator", "{\"req\":\"console-url\"}");
	assert_int_equal(a.code, REPLY_E_UNAVAILABLE);
	assert_string_equal(a.text, "the console is off (lgrd --no-console)");
	json_object_put(a.rows);

	d->opts.console = true;
	snprintf(d->opts.console_address, sizeof(d->opts.console_address),
	    "127.0.0.1");
	assert_int_equal(web_open(d), 0);
	ask(&a, "operator", "{\"req\":\"console-url\",\"role\":"
	    "\"operator\"}");
	assert_int_equal(a.code, 0);
	assert_int_equal(json_object_array_length(a.rows), 1);
	assert_int_equal(strncmp(field(&a, 0, "url"), "http://127.0.0.1:", 17),
	    0);
	assert_non_null(strstr(field(&a, 0, "url"), "/login?token="));
	assert_string_equal(field(&a, 0, "role"), "operator");
	json_object_put(a.rows);
	ask(&a, "viewer", "{\"req\":\"console-url\",\"role\":\"viewer\"}");
	assert_int_equal(a.code, 0);
	assert_string_equal(field(&a, 0, "role"), "viewer");
	json_object_put(a.rows);
	web_close(d);
	d->opts.console = false;

	ask(&a, "viewer", "{\"req\":\"audit\"}");
	assert_non_null(strstr(json_object_to_json_string(a.rows),
	    "an operator URL needs the operator role"));
	assert_non_null(strstr(json_object_to_json_string(a.rows),
	    "operator URL given"));
	json_object_put(a.rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_check_rows_then_verdict),
		cmocka_unit_test(test_jobs_newest_first),
		cmocka_unit_test(test_console_url),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
