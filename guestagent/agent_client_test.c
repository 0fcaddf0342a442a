/*
 * agent_client_test.c: the client library against a stand-in agent (the
 * control socket core with the agent's codec table and role rule, in a
 * thread): an answer with data, an error terminator, silence, a refused
 * key, no socket.
 */
#include <errno.h>
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
#include <zmq.h>

#include "agent_client.h"
#include "ctlclient.h"
#include "ctlsrv.h"
#include "ctlstandin.h"

struct fake {
	struct ctlstandin	 sd;
	char			 path[PATH_MAX];
};

/*
 * The agent's own control socket core, table and role rule: status gets
 * data and end; a prepare by an operator is refused (DENIED) by the
 * core; anything else the agent would answer later: silence.
 */
static void
fake_serve(struct ctlsrv *s, void *arg)
{
	struct ctlsrv_conn	c;
	struct agent_request	rq;

	(void)arg;
	while (ctlsrv_recv(s, &c, &rq) == 1) {
		if (rq.type != AGENT_REQ_STATUS) {
			ctlsrv_conn_release(&c);
			continue;
		}
		ctlsrv_data(&c, json_tokener_parse("{\"guest\":\"LITDCON1\","
		    "\"journal\":\"IDLE\"}"));
		ctlsrv_end(&c);
	}
}

static int
setup(void **state)
{
	struct fake	*f = calloc(1, sizeof(*f));

	f->sd.conf = (struct ctlsrv_conf){ .codec = &agent_codec,
	    .msgid = "GA", .may = agent_may };
	f->sd.serve = fake_serve;
	*state = f;
	if (ctlstandin_init(&f->sd, "agent_client") == -1)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/agent.ctl", f->sd.dir);
	return ctlstandin_start(&f->sd, f->path);
}

static int
teardown(void **state)
{
	struct fake	*f = *state;
	int		 rc = ctlstandin_stop(&f->sd);

	free(f);
	return rc;
}

static struct agent_client *
client(struct fake *f, const char *role)
{
	struct keys_client	 kc;
	struct agent_client	*c;

	assert_int_equal(keys_load_client(f->sd.dir, role, NULL, &kc), 0);
	c = agent_client_open(NULL, f->path, &kc, 0);
	assert_non_null(c);
	return c;
}

static void
test_data(void **state)
{
	struct agent_client	*c = client(*state, "viewer");
	struct agent_request	 rq;
	struct json_object	*data, *v;

	agent_request_init(&rq, AGENT_REQ_STATUS);
	assert_int_equal(agent_client_request(c, &rq, 5000, &data), 0);
	assert_non_null(data);
	assert_true(json_object_object_get_ex(data, "journal", &v));
	assert_string_equal(json_object_get_string(v), "IDLE");
	assert_int_equal(agent_client_error(c, NULL), 0);
	json_object_put(data);
	agent_client_close(c);
}

static void
test_error(void **state)
{
	struct agent_client	*c = client(*state, "operator");
	struct agent_request	 rq;
	struct json_object	*data;
	const char		*text;

	agent_request_init(&rq, AGENT_REQ_PREPARE);
	assert_int_equal(agent_client_request(c, &rq, 5000, &data), -1);
	assert_int_equal(errno, EREMOTEIO);
	assert_null(data);
	assert_int_equal(agent_client_error(c, &text), REPLY_E_DENIED);
	assert_string_equal(text, "role operator may not prepare");
	agent_client_close(c);
}

static void
test_silence(void **state)
{
	struct agent_client	*c = client(*state, "orchestrator");
	struct agent_request	 rq;
	struct json_object	*data;

	agent_request_init(&rq, AGENT_REQ_COMPLETE);
	assert_int_equal(agent_client_request(c, &rq, 200, &data), -1);
	assert_int_equal(errno, ETIMEDOUT);
	agent_client_close(c);
}

static void
test_unknown_key(void **state)
{
	struct fake		*f = *state;
	struct keys_client	 kc;
	char			 pub[KEYS_Z85_LEN + 1];

	/* The handshake is awaited at the open: refused there. */
	assert_int_equal(keys_load_client(f->sd.dir, "viewer", NULL, &kc), 0);
	assert_int_equal(zmq_curve_keypair(pub, kc.secret), 0);
	memcpy(kc.public, pub, sizeof(pub));
	assert_null(agent_client_open(NULL, f->path, &kc, 0));
	assert_int_equal(errno, EACCES);
}

/* lgrd's way: its own context for every connection. */
static void
test_caller_context(void **state)
{
	struct fake		*f = *state;
	struct keys_client	 kc;
	struct agent_client	*c;
	struct agent_request	 rq;
	struct json_object	*data;
	void			*ctx = zmq_ctx_new();
	int			 i;

	assert_int_equal(keys_load_client(f->sd.dir, "orchestrator", NULL, &kc),
	    0);
	for (i = 0; i < 2; i++) {
		assert_non_null(c = agent_client_open(ctx, f->path, &kc, 0));
		agent_request_init(&rq, AGENT_REQ_STATUS);
		assert_int_equal(agent_client_request(c, &rq, 5000, &data), 0);
		assert_non_null(data);
		json_object_put(data);
		agent_client_close(c);
	}
	assert_int_equal(zmq_ctx_term(ctx), 0);
}

static void
test_no_socket(void **state)
{
	struct fake		*f = *state;
	struct keys_client	 kc;
	char			 path[PATH_MAX + 8];

	assert_int_equal(keys_load_client(f->sd.dir, "viewer", NULL, &kc), 0);
	snprintf(path, sizeof(path), "%s/nothing.ctl", f->sd.dir);
	assert_null(agent_client_open(NULL, path, &kc, 0));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(ctlclient_errtext(), path));
	assert_non_null(labname_agent_sock("/run/nslab/ref", "LITDCON1", path,
	    sizeof(path)));
	assert_string_equal(path, "/run/nslab/ref/LITDCON1/agent.ctl");
	assert_null(labname_agent_sock("/run/nslab/ref", "LITDCON1", path, 8));
	assert_int_equal(errno, ENAMETOOLONG);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_caller_context),
		cmocka_unit_test(test_no_socket),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
