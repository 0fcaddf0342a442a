/*
 * codec_test.c: the table-driven request codec, and every msg_get_*
 * validator under it, with good and bad frames.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec_table_test.h"

static int
decode(const char *s, struct t_request *r)
{
	return codec_decode(&t_codec, s, strlen(s), r);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(codec_name(&t_codec, T_MOVE), "move");
	assert_string_equal(codec_name(&t_codec, 7), "?");
	assert_string_equal(codec_name(&t_codec, -1), "?");
	assert_int_equal(codec_find(&t_codec, "peers"), T_PEERS);
	assert_int_equal(codec_find(&t_codec, "nope"), -1);
	assert_true(codec_writes(&t_codec, T_MOVE));
	assert_false(codec_writes(&t_codec, T_READ));
	assert_false(codec_writes(&t_codec, 99));
}

static void
test_good(void **state)
{
	struct t_request	r;

	(void)state;
	assert_int_equal(decode("{\"req\":\"read\"}", &r), 0);
	assert_int_equal(r.type, T_READ);
	assert_int_equal(decode("{\"req\":\"move\",\"guest\":\"G1\"}", &r), 0);
	assert_int_equal(r.type, T_MOVE);
	assert_string_equal(r.guest, "G1");
	assert_true(r.limit == CODEC_UNSET);
	assert_false(r.now);
	assert_int_equal(r.how, 0);
	assert_int_equal(decode("{\"req\":\"move\",\"guest\":\"G1\","
	    "\"note\":\"abc\",\"limit\":100,\"now\":true,\"how\":\"full\"}",
	    &r), 0);
	assert_string_equal(r.note, "abc");
	assert_int_equal(r.limit, 100);
	assert_true(r.now);
	assert_int_equal(r.how, 1);
	assert_int_equal(decode("{\"req\":\"peers\",\"peers\":[]}", &r), 0);
	assert_true(r.peers_given);
	assert_int_equal(r.npeers, 0);
	assert_int_equal(decode("{\"req\":\"peers\"}", &r), 0);
	assert_false(r.peers_given);
	assert_int_equal(decode("{\"req\":\"peers\",\"peers\":[\"A\",\"B\","
	    "\"C\"]}", &r), 0);
	assert_int_equal(r.npeers, 3);
	assert_string_equal(r.peers[2], "C");
}

static void
test_bad(void **state)
{
	static const struct {
		const char	*frame;
		int		 err;
		const char	*text;
	} cases[] = {
		{ "", EBADMSG, "message is not one JSON object" },
		{ "[1]", EBADMSG, "message is not one JSON object" },
		{ "{\"req\":\"read\"} x", EBADMSG,
		    "message is not one JSON object" },
		{ "{\"req\":\"read\"", EBADMSG,
		    "message is not one JSON object" },
		{ "{}", EINVAL, "\"req\" is missing" },
		{ "{\"req\":3}", EINVAL,
		    "\"req\" has the wrong type (string wanted)" },
		{ "{\"req\":\"nope\"}", ENOSYS,
		    "\"nope\" is not a request of test" },
		{ "{\"req\":\"read\",\"guest\":\"G1\"}", EINVAL,
		    "\"guest\" is not an argument of read" },
		{ "{\"req\":\"move\"}", EINVAL, "\"guest\" is missing" },
		{ "{\"req\":\"move\",\"guest\":\"a b\"}", EINVAL,
		    "\"guest\" is not a name ([A-Za-z0-9_-], 1-31 characters)" },
		{ "{\"req\":\"move\",\"guest\":\"\"}", EINVAL,
		    "\"guest\" is not a name ([A-Za-z0-9_-], 1-31 characters)" },
		{ "{\"req\":\"move\",\"guest\":"
		    "\"abcdefghijabcdefghijabcdefghij12\"}", EINVAL,
		    "\"guest\" is too long (at most 31)" },
		{ "{\"req\":\"move\",\"guest\":\"G\\u0000X\"}", EINVAL,
		    "\"guest\" is too long (at most 31)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"note\":\"12345678\"}",
		    EINVAL, "\"note\" is too long (at most 7)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"limit\":0}", EINVAL,
		    "\"limit\" out of range (1-100)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"limit\":101}", EINVAL,
		    "\"limit\" out of range (1-100)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"limit\":-1}", EINVAL,
		    "\"limit\" out of range (1-100)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"limit\":\"5\"}", EINVAL,
		    "\"limit\" has the wrong type (int wanted)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"limit\":1.5}", EINVAL,
		    "\"limit\" has the wrong type (int wanted)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"now\":1}", EINVAL,
		    "\"now\" has the wrong type (boolean wanted)" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"how\":\"some\"}", EINVAL,
		    "\"how\" must be one of pages, full" },
		{ "{\"req\":\"move\",\"guest\":\"G\",\"how\":7}", EINVAL,
		    "\"how\" must be one of pages, full" },
		{ "{\"req\":\"peers\",\"peers\":\"A\"}", EINVAL,
		    "\"peers\" is not an array of at most 3 names" },
		{ "{\"req\":\"peers\",\"peers\":[\"A\",\"B\",\"C\",\"D\"]}",
		    EINVAL, "\"peers\" is not an array of at most 3 names" },
		{ "{\"req\":\"peers\",\"peers\":[\"A\",5]}", EINVAL,
		    "\"peers\" element 1 is not a name ([A-Za-z0-9_-], 1-31 "
		    "characters)" },
		{ "{\"req\":\"peers\",\"peers\":[\"A\",\"A\"]}", EINVAL,
		    "\"peers\" names A twice" },
		{ "{\"req\":\"read\",\"x\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":"
		    "{\"f\":{\"g\":{}}}}}}}}}", EBADMSG,
		    "message is not one JSON object" },
	};
	struct t_request	r;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errno = 0;
		if (decode(cases[i].frame, &r) != -1)
			fail_msg("%s: decoded", cases[i].frame);
		if (errno != cases[i].err)
			fail_msg("%s: errno %d, want %d", cases[i].frame, errno,
			    cases[i].err);
		if (strcmp(msg_errtext(), cases[i].text) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", cases[i].frame,
			    msg_errtext(), cases[i].text);
	}
}

static void
test_oversized(void **state)
{
	static char	big[MSG_MAX + 2];
	struct t_request r;

	(void)state;
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"req\":\"read\"}", 14);
	assert_int_equal(codec_decode(&t_codec, big, sizeof(big), &r), -1);
	assert_int_equal(errno, EMSGSIZE);
}

/* Encoding then decoding gives the request back; defaults are left out. */
static void
test_roundtrip(void **state)
{
	struct t_request	 r, back;
	struct json_object	*o;
	const char		*s;

	(void)state;
	codec_init(&t_codec, &r, T_MOVE);
	snprintf(r.guest, sizeof(r.guest), "LITDCON1");
	o = codec_encode(&t_codec, &r);
	assert_non_null(o);
	assert_string_equal(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"req\":\"move\",\"guest\":\"LITDCON1\"}");
	json_object_put(o);
	r.limit = 42;
	r.now = true;
	r.how = 1;
	snprintf(r.note, sizeof(r.note), "n");
	o = codec_encode(&t_codec, &r);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_int_equal(decode(s, &back), 0);
	json_object_put(o);
	assert_memory_equal(&r, &back, sizeof(r));
	codec_init(&t_codec, &r, T_PEERS);
	r.peers_given = true;
	snprintf(r.peers[0], MSG_NAME_MAX, "P1");
	r.npeers = 1;
	o = codec_encode(&t_codec, &r);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_string_equal(s, "{\"req\":\"peers\",\"peers\":[\"P1\"]}");
	assert_int_equal(decode(s, &back), 0);
	json_object_put(o);
	assert_memory_equal(&r, &back, sizeof(r));
	r.type = 9;
	assert_null(codec_encode(&t_codec, &r));
	assert_int_equal(errno, EINVAL);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
