/*
 * proto_test.c: the control protocol's codec table (agent_codec): every
 * request through encode and decode, a table of bad frames with the
 * exact reason (wrong types, extra members, too many or repeated peers),
 * and the role rule.
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
#include "namelist.h"

static void
roundtrip(const struct agent_request *in, struct agent_request *out)
{
	struct json_object	*o = codec_encode(&agent_codec, in);
	const char		*s;

	assert_non_null(o);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (codec_decode(&agent_codec, s, strlen(s), out) != 0)
		fail_msg("%s: %s", s, msg_errtext());
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
	static const char	wave[] = "{\"req\":\"complete\",\"peers\":"
	    "[\"LITDCON1\"]}";
	struct agent_request	r;

	(void)state;
	assert_int_equal(codec_decode(&agent_codec, prep, strlen(prep), &r),
	    0);
	assert_int_equal(r.npeers, 2);
	assert_int_equal(codec_decode(&agent_codec, comp, strlen(comp), &r),
	    0);
	assert_int_equal(r.type, AGENT_REQ_COMPLETE);
	assert_false(r.peers_given);
	/* A wave's complete names the guests arriving with this one. */
	assert_int_equal(codec_decode(&agent_codec, wave, strlen(wave), &r),
	    0);
	assert_true(r.peers_given);
	assert_int_equal(r.npeers, 1);
	assert_string_equal(r.peers[0], "LITDCON1");
}

/* A prepare naming n peers "P0", "P1", ... */
static int
decode_peers(size_t n, struct agent_request *r)
{
	char	text[2048];
	int	len;

	len = namelist_write(text, sizeof(text), "{\"req\":\"prepare\","
	    "\"peers\":[", "P", n, true, "]}");
	assert_true(len > 0);
	return codec_decode(&agent_codec, text, (size_t)len, r);
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
	assert_non_null(strstr(msg_errtext(),
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
	{ "{\"req\":\"relocate\"}", ENOSYS,
	    "\"relocate\" is not a request of guestagentd" },
	{ "{\"req\":\"status\",\"peers\":[]}", EINVAL,
	    "\"peers\" is not an argument of status" },
	{ "{\"req\":\"complete\",\"peers\":[\"A B\"]}", EINVAL,
	    "\"peers\" element 0 is not a name" },
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

/* Every frame refused with its errno and reason (whole, or a part). */
static void
check_bad(const struct bad_case *cases, size_t n, bool whole)
{
	struct agent_request	r;
	size_t			i;

	for (i = 0; i < n; i++) {
		const struct bad_case	*c = &cases[i];

		if (codec_decode(&agent_codec, c->frame, strlen(c->frame),
		    &r) != -1)
			fail_msg("%s accepted", c->frame);
		if (errno != c->err)
			fail_msg("%s: errno %d, expected %d", c->frame, errno,
			    c->err);
		if (whole ? strcmp(msg_errtext(), c->text) != 0 :
		    strstr(msg_errtext(), c->text) == NULL)
			fail_msg("%s: \"%s\", expected \"%s\"", c->frame,
			    msg_errtext(), c->text);
	}
}

static void
test_bad(void **state)
{
	(void)state;
	check_bad(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]), false);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(agent_req_name(AGENT_REQ_PREPARE), "prepare");
	assert_int_equal(codec_find(&agent_codec, "complete"),
	    AGENT_REQ_COMPLETE);
	assert_int_equal(codec_find(&agent_codec, "comp"), -1);
	assert_true(codec_writes(&agent_codec, AGENT_REQ_PREPARE));
	assert_true(codec_writes(&agent_codec, AGENT_REQ_COMPLETE));
	assert_false(codec_writes(&agent_codec, AGENT_REQ_STATUS));
	assert_false(codec_writes(&agent_codec, AGENT_REQ_VERBOSE));
	assert_string_equal(reply_name(REPLY_E_DENIED), "DENIED");
	assert_string_equal(reply_name(1), "?");
}

/* The table's bad frames, each with the whole reason. */
static const struct bad_case table_cases[] = {
	/* wrong types */
	{ "{\"req\":7}", EINVAL, "\"req\" has the wrong type (string wanted)" },
	{ "{\"req\":\"prepare\",\"peers\":{\"A\":1}}", EINVAL,
	    "\"peers\" is not an array of at most 64 names" },
	{ "{\"req\":\"prepare\",\"peers\":[[\"A\"]]}", EINVAL,
	    "\"peers\" element 0 is not a name ([A-Za-z0-9_-], 1-31 "
	    "characters)" },
	{ "{\"req\":\"prepare\",\"peers\":[\"\"]}", EINVAL,
	    "\"peers\" element 0 is not a name ([A-Za-z0-9_-], 1-31 "
	    "characters)" },
	{ "{\"req\":\"complete\",\"timeout_ms\":true}", EINVAL,
	    "\"timeout_ms\" has the wrong type (int wanted)" },
	{ "{\"req\":\"complete\",\"timeout_ms\":1.5}", EINVAL,
	    "\"timeout_ms\" has the wrong type (int wanted)" },
	{ "{\"req\":\"complete\",\"timeout_ms\":-1}", EINVAL,
	    "\"timeout_ms\" out of range (1-600000)" },
	{ "{\"req\":\"complete\",\"timeout_ms\":600001}", EINVAL,
	    "\"timeout_ms\" out of range (1-600000)" },
	{ "{\"req\":\"verbose\",\"level\":\"1\"}", EINVAL,
	    "\"level\" has the wrong type (int wanted)" },
	/* members a request does not take */
	{ "{\"req\":\"status\",\"level\":1}", EINVAL,
	    "\"level\" is not an argument of status" },
	{ "{\"req\":\"verbose\",\"level\":1,\"timeout_ms\":5}", EINVAL,
	    "\"timeout_ms\" is not an argument of verbose" },
	{ "{\"req\":\"prepare\",\"peer\":[\"A\"]}", EINVAL,
	    "\"peer\" is not an argument of prepare" },
	{ "{\"req\":\"complete\",\"level\":1}", EINVAL,
	    "\"level\" is not an argument of complete" },
	/* repeated peers, anywhere in the list */
	{ "{\"req\":\"prepare\",\"peers\":[\"A\",\"B\",\"C\",\"B\"]}",
	    EINVAL, "\"peers\" names B twice" },
	/* not a frame at all */
	{ "", EBADMSG, "message is not one JSON object" },
};

static void
test_table_bad(void **state)
{
	(void)state;
	check_bad(table_cases, sizeof(table_cases) / sizeof(table_cases[0]),
	    true);
}

/* A list of n distinct peers "P0", "P1", ... as a prepare frame. */
static void
peers_frame(char *buf, size_t len, int n)
{
	size_t	off;
	int	i;

	off = (size_t)snprintf(buf, len, "{\"req\":\"prepare\",\"peers\":[");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s\"P%d\"",
		    i > 0 ? "," : "", i);
	snprintf(buf + off, len - off, "]}");
}

static void
test_table_peers_max(void **state)
{
	struct agent_request	r;
	char			frame[2048];

	(void)state;
	peers_frame(frame, sizeof(frame), AGENT_PEERS_MAX);
	assert_int_equal(codec_decode(&agent_codec, frame, strlen(frame), &r),
	    0);
	assert_int_equal(r.npeers, AGENT_PEERS_MAX);
	assert_string_equal(r.peers[AGENT_PEERS_MAX - 1], "P63");
	peers_frame(frame, sizeof(frame), AGENT_PEERS_MAX + 1);
	assert_int_equal(codec_decode(&agent_codec, frame, strlen(frame), &r),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(msg_errtext(),
	    "\"peers\" is not an array of at most 64 names");
}

/* Defaults of absent arguments; encode leaves them out. */
static void
test_table_defaults(void **state)
{
	static const char	 prep[] = "{\"req\":\"prepare\"}";
	struct agent_request	 r;
	struct json_object	*o;

	(void)state;
	assert_int_equal(codec_decode(&agent_codec, prep, strlen(prep), &r),
	    0);
	assert_int_equal(r.type, AGENT_REQ_PREPARE);
	assert_false(r.peers_given);
	assert_int_equal(r.npeers, 0);
	assert_true(r.timeout_ms == AGENT_UNSET);
	assert_non_null(o = codec_encode(&agent_codec, &r));
	assert_string_equal(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), prep);
	json_object_put(o);
	assert_string_equal(agent_req_name(AGENT_REQ_VERBOSE), "verbose");
	assert_string_equal(agent_req_name(AGENT_NREQ), "?");
}

/* Changes: orchestrator; verbose: and operator; reads: and viewer. */
static void
test_may(void **state)
{
	static const struct {
		enum keys_role	role;
		bool		prepare, verbose, status;
	} cases[] = {
		{ KEYS_ROLE_ORCHESTRATOR, true, true, true },
		{ KEYS_ROLE_OPERATOR, false, true, true },
		{ KEYS_ROLE_VIEWER, false, false, true },
		{ KEYS_ROLE_SERVER, false, false, false },
		{ KEYS_ROLE_NONE, false, false, false },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(agent_may(cases[i].role, AGENT_REQ_PREPARE,
		    true), cases[i].prepare);
		assert_int_equal(agent_may(cases[i].role, AGENT_REQ_COMPLETE,
		    true), cases[i].prepare);
		assert_int_equal(agent_may(cases[i].role, AGENT_REQ_VERBOSE,
		    false), cases[i].verbose);
		assert_int_equal(agent_may(cases[i].role, AGENT_REQ_STATUS,
		    false), cases[i].status);
	}
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
		cmocka_unit_test(test_table_bad),
		cmocka_unit_test(test_table_peers_max),
		cmocka_unit_test(test_table_defaults),
		cmocka_unit_test(test_may),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
