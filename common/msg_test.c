/*
 * msg_test.c: the decoders every control protocol relies on: names of 1
 * to MSG_NAME_MAX - 1 characters of [A-Za-z0-9_-], typed members with
 * their ranges (both ends included), frames that are not one JSON
 * object, and the terminators.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"

static void
test_names(void **state)
{
	char	name[MSG_NAME_MAX + 2];

	(void)state;
	assert_true(msg_name_valid("LITDCON1"));
	assert_true(msg_name_valid("a_b-C9"));
	assert_false(msg_name_valid(""));
	assert_false(msg_name_valid("LIT DCON1"));
	assert_false(msg_name_valid("LIT.DCON1"));
	assert_false(msg_name_valid("LITDCON1\n"));
	memset(name, 'x', sizeof(name));
	name[MSG_NAME_MAX - 1] = '\0';		/* the longest name */
	assert_true(msg_name_valid(name));
	name[MSG_NAME_MAX - 1] = 'x';
	name[MSG_NAME_MAX] = '\0';		/* one character more */
	assert_false(msg_name_valid(name));
}

static struct json_object *
parse(const char *text)
{
	struct json_object	*o = msg_parse(text, strlen(text));

	if (o == NULL)
		fail_msg("%s: %s", text, msg_errtext());
	return o;
}

static void
test_get_name(void **state)
{
	struct json_object	*o;
	char			 out[MSG_NAME_MAX];
	char			 text[128];

	(void)state;
	o = parse("{\"guest\":\"LITDCON1\",\"bad\":\"a b\",\"num\":1}");
	assert_int_equal(msg_get_name(o, "guest", true, out), 0);
	assert_string_equal(out, "LITDCON1");
	errno = 0;
	assert_int_equal(msg_get_name(o, "bad", true, out), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(msg_get_name(o, "num", true, out), -1);
	assert_int_equal(msg_get_name(o, "member", false, out), 1);
	assert_int_equal(msg_get_name(o, "member", true, out), -1);
	assert_non_null(strstr(msg_errtext(), "\"member\""));
	json_object_put(o);
	/* 32 characters: refused, out untouched. */
	snprintf(text, sizeof(text), "{\"guest\":\"%s\"}",
	    "abcdefghijklmnopqrstuvwxyz012345");
	o = parse(text);
	strcpy(out, "keep");
	assert_int_equal(msg_get_name(o, "guest", true, out), -1);
	assert_string_equal(out, "keep");
	json_object_put(o);
}

static void
test_get_u64(void **state)
{
	static const struct {
		const char	*text;
		int		 rc;
		uint64_t	 v;
	} cases[] = {
		{ "{\"n\":1}", 0, 1 },			/* min */
		{ "{\"n\":64}", 0, 64 },		/* max */
		{ "{\"n\":0}", -1, 0 },
		{ "{\"n\":65}", -1, 0 },
		{ "{\"n\":-1}", -1, 0 },
		{ "{\"n\":\"5\"}", -1, 0 },
		{ "{\"n\":1.5}", -1, 0 },
		{ "{\"m\":5}", 1, 0 },			/* absent, optional */
	};
	struct json_object	*o;
	uint64_t		 v;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].text);
		o = parse(cases[i].text);
		v = 0;
		errno = 0;
		assert_int_equal(msg_get_u64(o, "n", false, 1, 64, &v),
		    cases[i].rc);
		if (cases[i].rc == 0)
			assert_true(v == cases[i].v);
		else if (cases[i].rc == -1)
			assert_int_equal(errno, EINVAL);
		json_object_put(o);
	}
	o = parse("{\"n\":65}");
	assert_int_equal(msg_get_u64(o, "n", true, 1, 64, &v), -1);
	assert_non_null(strstr(msg_errtext(), "\"n\" out of range (1-64)"));
	json_object_put(o);
}

static void
test_get_bool_str(void **state)
{
	struct json_object	*o;
	bool			 b = false;
	char			 s[4];

	(void)state;
	o = parse("{\"b\":true,\"i\":1,\"s\":\"abc\",\"long\":\"abcd\"}");
	assert_int_equal(msg_get_bool(o, "b", true, &b), 0);
	assert_true(b);
	assert_int_equal(msg_get_bool(o, "i", true, &b), -1);
	assert_int_equal(msg_get_str(o, "s", true, s, sizeof(s)), 0);
	assert_string_equal(s, "abc");
	assert_int_equal(msg_get_str(o, "long", true, s, sizeof(s)), -1);
	json_object_put(o);
}

/* A frame is one JSON object and nothing else. */
/* What msg_put_* set, the getters read back; a NULL string is null. */
static void
test_put(void **state)
{
	struct json_object	*o = json_object_new_object();
	char			 s[16];
	uint64_t		 n;
	bool			 b = false;

	(void)state;
	msg_put_str(o, "s", "VM2");
	msg_put_i64(o, "n", 42);
	msg_put_bool(o, "b", true);
	msg_put_str(o, "none", NULL);
	assert_int_equal(msg_get_str(o, "s", true, s, sizeof(s)), 0);
	assert_string_equal(s, "VM2");
	assert_int_equal(msg_get_u64(o, "n", true, 0, 100, &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(msg_get_bool(o, "b", true, &b), 0);
	assert_true(b);
	assert_true(json_object_object_get_ex(o, "none", NULL));
	assert_null(json_object_object_get(o, "none"));
	msg_put_i64(o, "n", 7);			/* replaced */
	assert_int_equal(msg_get_u64(o, "n", true, 0, 100, &n), 0);
	assert_int_equal(n, 7);
	assert_string_equal(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"s\":\"VM2\",\"n\":7,\"b\":true,"
	    "\"none\":null}");
	json_object_put(o);
}

static void
test_parse(void **state)
{
	static const char *const bad[] = {
		"", "[]", "1", "\"x\"", "{", "{} {}", "{}x", "not json",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (msg_parse(bad[i], strlen(bad[i])) != NULL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(errno, EBADMSG);
	}
	errno = 0;
	assert_null(msg_parse("{}", MSG_MAX + 1));
	assert_int_equal(errno, EMSGSIZE);
	/* Nesting deeper than MSG_DEPTH is refused. */
	assert_null(msg_parse("{\"a\":[[[[[[[[[[1]]]]]]]]]]}",
	    strlen("{\"a\":[[[[[[[[[[1]]]]]]]]]]}")));
}

/* Terminators: the end, an error with its code and text; data is none. */
static void
test_terminator(void **state)
{
	static const struct {
		const char	*frame;
		int		 rc;
		int		 code;		/* when rc is -1 */
		const char	*text;
	} cases[] = {
		{ "{\"end\":true}", 1, 0, NULL },
		{ "{\"error\":403,\"text\":\"role viewer may only read\"}", -1,
		    403, "role viewer may only read" },
		{ "{\"error\":8002,\"text\":\"no guest\"}", -1, 8002,
		    "no guest" },
		{ "{\"guest\":\"LITDCON1\"}", 0, 0, NULL },
		{ "{\"guest\":\"G\"}", 0, 0, NULL },
	};
	struct json_object	*o;
	const char		*text;
	int			 code;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = parse(cases[i].frame);
		text = NULL;
		code = 0;
		assert_int_equal(msg_terminator(o, &code, &text),
		    cases[i].rc);
		if (cases[i].rc == -1) {
			assert_int_equal(code, cases[i].code);
			assert_string_equal(text, cases[i].text);
		}
		json_object_put(o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_get_name),
		cmocka_unit_test(test_get_u64),
		cmocka_unit_test(test_get_bool_str),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_terminator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
