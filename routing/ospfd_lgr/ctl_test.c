/*
 * ctl_test.c: encoding and decoding of control messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lgr_ctl.h"

static void
test_msg_roundtrip(void **state)
{
	static const struct {
		uint16_t	 type;
		const char	*payload;
	} cases[] = {
		{ LGR_STATE, "" },
		{ LGR_DATA, "{\"ifname\":\"hsi0\"}" },
		{ LGR_END, "{\"count\":3}" },
		{ LGR_EVENTS, "" },
	};
	uint8_t		buf[256];
	struct lgr_msg	m;
	ssize_t		n;
	size_t		i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].payload);
		n = lgr_msg_encode(buf, sizeof(buf), cases[i].type,
		    cases[i].payload, len);
		assert_int_equal(n, LGR_HDR_LEN + len);
		assert_int_equal(lgr_msg_decode(buf, (size_t)n, &m), 0);
		assert_int_equal(m.version, LGR_CTL_VERSION);
		assert_int_equal(m.type, cases[i].type);
		assert_int_equal(m.len, len);
		assert_memory_equal(m.payload, cases[i].payload, len);
	}
}

static void
test_msg_wire_format(void **state)
{
	static const uint8_t	want[] = { 0, 1, 0, 3, 0, 0, 0, 2, 'h', 'i' };
	uint8_t			buf[16];

	(void)state;
	assert_int_equal(lgr_msg_encode(buf, sizeof(buf), LGR_STATE, "hi", 2),
	    sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_msg_encode_too_small(void **state)
{
	uint8_t	buf[10];

	(void)state;
	errno = 0;
	assert_int_equal(lgr_msg_encode(buf, sizeof(buf), LGR_DATA, "abc", 3),
	    -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(lgr_msg_encode(buf, 4, LGR_STATE, NULL, 0), -1);
}

static void
test_msg_decode_bad(void **state)
{
	static const struct {
		const char	*name;
		uint8_t		 bytes[12];
		size_t		 len;
		int		 err;
	} cases[] = {
		{ "short header", { 0, 1, 0, 3 }, 4, EBADMSG },
		{ "other version", { 0, 2, 0, 3, 0, 0, 0, 0 }, 8, EPROTO },
		{ "length too long", { 0, 1, 0, 3, 0, 0, 0, 5, 'x' }, 9,
		    EBADMSG },
		{ "length too short", { 0, 1, 0, 3, 0, 0, 0, 0, 'x' }, 9,
		    EBADMSG },
		{ "unknown type", { 0, 1, 0, 99, 0, 0, 0, 0 }, 8, EPROTOTYPE },
		{ "type zero", { 0, 1, 0, 0, 0, 0, 0, 0 }, 8, EPROTOTYPE },
	};
	struct lgr_msg	m;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errno = 0;
		if (lgr_msg_decode(cases[i].bytes, cases[i].len, &m) != -1 ||
		    errno != cases[i].err)
			fail_msg("case \"%s\": errno %d, want %d",
			    cases[i].name, errno, cases[i].err);
	}
}

static void
test_args_roundtrip(void **state)
{
	const char	*in[] = { "hsi0", "hsi1", "trk1" };
	const char	*out[LGR_MAX_ARGS];
	char		 buf[64];
	ssize_t		 n;
	int		 i;

	(void)state;
	n = lgr_args_encode(buf, sizeof(buf), 3, in);
	assert_int_equal(n, 15);
	assert_int_equal(lgr_args_decode((uint8_t *)buf, (size_t)n, out,
	    LGR_MAX_ARGS), 3);
	for (i = 0; i < 3; i++)
		assert_string_equal(out[i], in[i]);
	assert_int_equal(lgr_args_decode((uint8_t *)buf, 0, out, 4), 0);
}

static void
test_args_encode_bad(void **state)
{
	char		 big[LGR_MAX_ARGLEN + 2];
	const char	*empty[] = { "hsi0", "" };
	const char	*toolong[] = { big };
	const char	*many[LGR_MAX_ARGS + 1];
	char		 buf[8];
	int		 i;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i <= LGR_MAX_ARGS; i++)
		many[i] = "a";
	assert_int_equal(lgr_args_encode(buf, sizeof(buf), 2, empty), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(lgr_args_encode(buf, sizeof(buf), 1, toolong), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(lgr_args_encode(buf, sizeof(buf), LGR_MAX_ARGS + 1,
	    many), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(lgr_args_encode(buf, 4, 1, many), 2);
	assert_int_equal(lgr_args_encode(buf, 3, 2, many), -1);
	assert_int_equal(errno, EMSGSIZE);
}

static void
test_args_decode_bad(void **state)
{
	static const struct {
		const char	*name;
		const char	*bytes;
		size_t		 len;
		int		 max;
		int		 err;
	} cases[] = {
		{ "not terminated", "hsi0", 4, 4, EBADMSG },
		{ "empty argument", "a\0\0", 3, 4, EINVAL },
		{ "leading empty", "\0a", 3, 4, EINVAL },
		{ "too many", "a\0b\0c", 6, 2, E2BIG },
	};
	const char	*argv[4];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errno = 0;
		if (lgr_args_decode((const uint8_t *)cases[i].bytes,
		    cases[i].len, argv, cases[i].max) != -1 ||
		    errno != cases[i].err)
			fail_msg("case \"%s\": errno %d, want %d",
			    cases[i].name, errno, cases[i].err);
	}
}

static void
test_error_roundtrip(void **state)
{
	uint8_t		 buf[64];
	uint32_t	 code;
	const char	*text;
	ssize_t		 n;

	(void)state;
	n = lgr_error_encode(buf, sizeof(buf), REPLY_E_NOTFOUND,
	    "interface hsi9: no such interface");
	assert_true(n > 0);
	assert_int_equal(lgr_error_decode(buf, (size_t)n, &code, &text), 0);
	assert_int_equal(code, REPLY_E_NOTFOUND);
	assert_string_equal(text, "interface hsi9: no such interface");
	assert_string_equal(reply_name(REPLY_E_NOTFOUND), "NOTFOUND");
}

/* The module's codes kept their numbers when they became reply.h's. */
static void
test_error_codes(void **state)
{
	(void)state;
	assert_int_equal(REPLY_E_INTERNAL, 8000);
	assert_int_equal(REPLY_E_UNAVAILABLE, 8001);
	assert_int_equal(REPLY_E_NOTFOUND, 8002);
	assert_int_equal(REPLY_E_DENIED, 8003);
	assert_int_equal(REPLY_E_BADMSG, 9000);
	assert_int_equal(REPLY_E_BADREQ, 9001);
	assert_int_equal(REPLY_E_BADARG, 9002);
}

static void
test_error_truncates(void **state)
{
	uint8_t		 buf[9];
	uint32_t	 code;
	const char	*text;
	ssize_t		 n;

	(void)state;
	n = lgr_error_encode(buf, sizeof(buf), REPLY_E_BADARG, "abcdefgh");
	assert_int_equal(n, 9);
	assert_int_equal(lgr_error_decode(buf, (size_t)n, &code, &text), 0);
	assert_string_equal(text, "abcd");
}

static void
test_error_decode_bad(void **state)
{
	static const uint8_t	noterm[] = { 0, 0, 0x23, 0x43, 'x' };
	static const uint8_t	inner[] = { 0, 0, 0x23, 0x43, 'x', 0, 'y', 0 };
	uint32_t		code;
	const char		*text;

	(void)state;
	assert_int_equal(lgr_error_decode(noterm, 3, &code, &text), -1);
	assert_int_equal(lgr_error_decode(noterm, sizeof(noterm), &code,
	    &text), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(lgr_error_decode(inner, sizeof(inner), &code, &text),
	    -1);
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(lgr_type_name(LGR_DRAIN), "drain");
	assert_string_equal(lgr_type_name(LGR_ERROR), "error");
	assert_null(lgr_type_name(0));
	assert_true(lgr_type_is_request(LGR_EVENTS));
	assert_false(lgr_type_is_request(LGR_DATA));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_roundtrip),
		cmocka_unit_test(test_msg_wire_format),
		cmocka_unit_test(test_msg_encode_too_small),
		cmocka_unit_test(test_msg_decode_bad),
		cmocka_unit_test(test_args_roundtrip),
		cmocka_unit_test(test_args_encode_bad),
		cmocka_unit_test(test_args_decode_bad),
		cmocka_unit_test(test_error_roundtrip),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_error_truncates),
		cmocka_unit_test(test_error_decode_bad),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
