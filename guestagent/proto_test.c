/*
 * proto_test.c: the control protocol's codec: every request through
 * encode and decode, and a table of bad frames with the exact reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agent_client.h"

static void
roundtrip(const struct agent_request *in, struct agent_request *out)
{
	struct json_object	*o = agent_request_encode(in);
	const char		*s;

	assert_non_null(o);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (agent_request_decode(s, strlen(s), out) != 0)
		fail_msg("%s: %s", s, agent_proto_errtext());
	json_object_put(o);
}

static void
test_roundtrip(void **state)
{
	struct agent_request	in, out;

	(void)state;
	agent_request_init(&in, AGENT_REQ_PREPARE);
	in.peers_given = true;
	snprintf(in.peers[0], MSG_NAME_MAX, "LITSWAS1");
	snprintf(in.peers[1], MSG_NAME_MAX, "LITDAT01");
	in.npeers = 2;
	in.timeout_ms = 5000;
	roundtrip(&in, &out);
	assert_int_equal(out.type, AGENT_REQ_PREPARE);
	assert_true(out.peers_given);
	assert_int_equal(out.npeers, 2);
	assert_string_equal(out.peers[1], "LITDAT01");
	assert_true(out.timeout_ms == 5000);

	agent_request_init(&in, AGENT_REQ_PREPARE);
	roundtrip(&in, &out);
	assert_false(out.peers_given);
	assert_true(out.timeout_ms == AGENT_UNSET);

	/* An empty peer list is a list: nobody to wait for. */
	in.peers_given = true;
	roundtrip(&in, &out);
	assert_true(out.peers_given);
	assert_int_equal(out.npeers, 0);

	agent_request_init(&in, AGENT_REQ_COMPLETE);
	roundtrip(&in, &out);
	assert_int_equal(out.type, AGENT_REQ_COMPLETE);
	agent_request_init(&in, AGENT_REQ_STATUS);
	roundtrip(&in, &out);
	assert_int_equal(out.type, AGENT_REQ_STATUS);
	agent_request_init(&in, AGENT_REQ_VERBOSE);
	in.level = 2;
	roundtrip(&in, &out);
	assert_true(out.level == 2);
}

/* The orchestrator's frames, as the protocol fixes them. */
static void
test_orchestrator_frames(void **state)
{
	static const char	prep[] = "{\"req\":\"prepare\",\"peers\":"
	    "[\"LITSWAS1\",\"LITDAT01\"],\"timeout_ms\":5000}";
	static const char	comp[] = "{\"req\":\"complete\"}";
	struct agent_request	r;

	(void)state;
	assert_int_equal(agent_request_decode(prep, strlen(prep), &r), 0);
	assert_int_equal(r.npeers, 2);
	assert_int_equal(agent_request_decode(comp, strlen(comp), &r), 0);
	assert_int_equal(r.type, AGENT_REQ_COMPLETE);
}

/* A prepare naming n peers "P0", "P1", ... */
static int
decode_peers(size_t n, struct agent_request *r)
{
	char	text[2048];
	size_t	i, off;

	off = (size_t)snprintf(text, sizeof(text), "{\"req\":\"prepare\","
	    "\"peers\":[");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%s\"P%zu\"", i ? "," : "", i);
	off += (size_t)snprintf(text + off, sizeof(text) - off, "]}");
	return agent_request_decode(text, off, r);
}

/* AGENT_PEERS_MAX peers fit; one more is refused, not stored. */
static void
test_peer_limit(void **state)
{
	struct agent_request	r;

	(void)state;
	assert_int_equal(decode_peers(AGENT_PEERS_MAX, &r), 0);
	assert_int_equal(r.npeers, AGENT_PEERS_MAX);
	assert_string_equal(r.peers[AGENT_PEERS_MAX - 1], "P63");
	errno = 0;
	assert_int_equal(decode_peers(AGENT_PEERS_MAX + 1, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(agent_proto_errtext(),
	    "\"peers\" is not an array of at most 64 names"));
}

static const struct bad_case {
	const char	*frame;
	int		 err;
	const char	*text;
} bad_cases[] = {
	{ "nonsense", EBADMSG, "not one JSON object" },
	{ "[1]", EBADMSG, "not one JSON object" },
	{ "{}", EINVAL, "\"req\" is missing" },
	{ "{\"req\":\"relocate\"}", EINVAL,
	    "\"relocate\" is not a request (prepare, complete, status, verbose)" },
	{ "{\"req\":\"status\",\"peers\":[]}", EINVAL,
	    "\"peers\" is not an argument of status" },
	{ "{\"req\":\"complete\",\"peers\":[\"A\"]}", EINVAL,
	    "\"peers\" is not an argument of complete" },
	{ "{\"req\":\"prepare\",\"peers\":\"A\"}", EINVAL,
	    "\"peers\" is not an array of at most 64 names" },
	{ "{\"req\":\"prepare\",\"peers\":[\"A B\"]}", EINVAL,
	    "\"peers\" element 0 is not a name" },
	{ "{\"req\":\"prepare\",\"peers\":[\"A\",1]}", EINVAL,
	    "\"peers\" element 1 is not a name" },
	{ "{\"req\":\"prepare\",\"peers\":[\"A\",\"A\"]}", EINVAL,
	    "\"peers\" names A twice" },
	{ "{\"req\":\"prepare\",\"timeout_ms\":0}", EINVAL,
	    "\"timeout_ms\" out of range (1-600000)" },
	{ "{\"req\":\"prepare\",\"timeout_ms\":\"5\"}", EINVAL,
	    "\"timeout_ms\" has the wrong type" },
	{ "{\"req\":\"verbose\"}", EINVAL, "\"level\" is missing" },
	{ "{\"req\":\"verbose\",\"level\":3}", EINVAL,
	    "\"level\" out of range (0-2)" },
};

static void
test_bad(void **state)
{
	struct agent_request	r;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case	*c = &bad_cases[i];

		if (agent_request_decode(c->frame, strlen(c->frame), &r) != -1)
			fail_msg("%s accepted", c->frame);
		if (errno != c->err)
			fail_msg("%s: errno %d, expected %d", c->frame, errno,
			    c->err);
		if (strstr(agent_proto_errtext(), c->text) == NULL)
			fail_msg("%s: \"%s\", expected \"%s\"", c->frame,
			    agent_proto_errtext(), c->text);
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(agent_req_name(AGENT_REQ_PREPARE), "prepare");
	assert_int_equal(agent_req_find("complete"), AGENT_REQ_COMPLETE);
	assert_int_equal(agent_req_find("comp"), -1);
	assert_true(agent_req_changes(AGENT_REQ_PREPARE));
	assert_true(agent_req_changes(AGENT_REQ_COMPLETE));
	assert_false(agent_req_changes(AGENT_REQ_STATUS));
	assert_false(agent_req_changes(AGENT_REQ_VERBOSE));
	assert_string_equal(agent_error_name(AGENT_E_DENIED),
	    "permission denied");
	assert_string_equal(agent_error_name(1), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_orchestrator_frames),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_peer_limit),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
