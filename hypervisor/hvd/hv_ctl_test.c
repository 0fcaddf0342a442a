/*
 * hv_ctl_test.c: the control protocol's codec, table-driven: every request
 * round-trips, and every malformed frame is refused with its reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv_ctl.h"

static void
test_roundtrip(void **state)
{
	struct hv_request	 a, b;
	struct json_object	*o;
	const char		*s;
	int			 t;

	(void)state;
	for (t = 0; t < HV_REQ_MAX; t++) {
		hv_request_init(&a, (enum hv_req)t);
		strcpy(a.guest, "LITDCON1");
		strcpy(a.member, "VM2");
		a.max_total_s = 30;
		a.max_quiesce_ms = 5;
		a.immediate = true;
		hv_request_set_force(&a, HV_FORCE_DOMAIN);
		a.verbose = 2;
		a.rate_mib = 8;
		a.wss_mib = 64;
		a.limit_out = 1;
		a.limit_in = 3;
		o = hv_request_encode(&a);
		s = json_object_to_json_string(o);
		assert_int_equal(hv_request_decode(s, strlen(s), &b), 0);
		assert_int_equal(b.type, t);
		json_object_put(o);
	}
	hv_request_init(&a, HV_REQ_RELOCATE);
	strcpy(a.guest, "G1");
	strcpy(a.member, "VM2");
	a.max_quiesce_ms = 7;
	a.verify = HV_VERIFY_FULL;
	hv_request_set_force(&a, HV_FORCE_STORAGE | HV_FORCE_DOMAIN);
	o = hv_request_encode(&a);
	s = json_object_to_json_string(o);
	assert_int_equal(hv_request_decode(s, strlen(s), &b), 0);
	assert_string_equal(b.guest, "G1");
	assert_string_equal(b.member, "VM2");
	assert_int_equal(b.max_quiesce_ms, 7);
	assert_int_equal(b.max_total_s, HV_UNSET);
	assert_int_equal(b.verify, HV_VERIFY_FULL);
	assert_int_equal(hv_request_force(&b), HV_FORCE_STORAGE |
	    HV_FORCE_DOMAIN);
	json_object_put(o);
}

static const struct {
	const char	*frame;
	int		 err;
	const char	*why;
} bad[] = {
	{ "", EBADMSG, "not one JSON object" },
	{ "[1,2]", EBADMSG, "not one JSON object" },
	{ "{\"req\":\"members\"} x", EBADMSG, "not one JSON object" },
	{ "{}", EINVAL, "\"req\" is missing" },
	{ "{\"req\":7}", EINVAL, "\"req\" has the wrong type" },
	{ "{\"req\":\"nosuch\"}", ENOSYS, "is not a request of hvd" },
	{ "{\"req\":\"where\"}", EINVAL, "\"guest\" is missing" },
	{ "{\"req\":\"where\",\"guest\":\"a b\"}", EINVAL, "is not a name" },
	{ "{\"req\":\"where\",\"guest\":\"\"}", EINVAL, "is not a name" },
	{ "{\"req\":\"where\",\"guest\":\"0123456789012345678901234567890123\"}",
	    EINVAL, "too long" },
	{ "{\"req\":\"relocate\",\"guest\":\"G\"}", EINVAL,
	    "\"member\" is missing" },
	{ "{\"req\":\"relocate\",\"guest\":\"G\",\"member\":\"M\","
	    "\"max_total\":0}", EINVAL, "out of range (1-86400)" },
	{ "{\"req\":\"relocate\",\"guest\":\"G\",\"member\":\"M\","
	    "\"max_quiesce\":-1}", EINVAL, "out of range" },
	{ "{\"req\":\"relocate\",\"guest\":\"G\",\"member\":\"M\","
	    "\"immediate\":1}", EINVAL, "wrong type" },
	{ "{\"req\":\"relocate\",\"guest\":\"G\",\"member\":\"M\","
	    "\"verify\":\"maybe\"}", EINVAL, NULL },
	{ "{\"req\":\"verbose\"}", EINVAL, "\"verbose\" is missing" },
	{ "{\"req\":\"verbose\",\"verbose\":4}", EINVAL, "out of range (0-3)" },
	{ "{\"req\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{}}}}}}}}}",
	    EBADMSG, "not one JSON object" },
};

static void
test_bad(void **state)
{
	struct hv_request	r;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(hv_request_decode(bad[i].frame,
		    strlen(bad[i].frame), &r), -1);
		assert_int_equal(errno, bad[i].err);
		if (bad[i].why != NULL && strstr(msg_errtext(), bad[i].why) ==
		    NULL)
			fail_msg("frame %zu: \"%s\" lacks \"%s\"", i,
			    msg_errtext(), bad[i].why);
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_int_equal(hv_req_find("member-set-down"), HV_REQ_MEMBER_DOWN);
	assert_int_equal(hv_req_find("nosuch"), -1);
	assert_true(hv_req_writes(HV_REQ_RELOCATE));
	assert_false(hv_req_writes(HV_REQ_WHERE));
	assert_string_equal(hv_conflict_name(HV_CONFLICT_STORAGE), "STORAGE");
	assert_string_equal(hv_end_name(HV_END_MAXQUIESCE), "MAXQUIESCE");
	assert_int_equal(hv_end_find("LOSTLINK"), HV_END_LOST_LINK);
	assert_true(msg_name_valid("LIT_DCON-1"));
	assert_false(msg_name_valid("a/b"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
