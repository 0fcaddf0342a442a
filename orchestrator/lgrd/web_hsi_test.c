/*
 * web_hsi_test.c: the HSI links the cluster page draws from an agent's
 * status (web_hsi_links): up when operationally up, down otherwise,
 * foreign when up on the LAN of another member than the guest's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "web.h"

struct hsi_case {
	const char	*what;
	const char	*status;	/* the agent's data frame */
	const char	*member;	/* where hvd says the guest runs */
	const char	*want;		/* "IF:STATE[:foreign] ..." */
};

#define IF(n, m, up)	"{\"name\":\"" n "\",\"member\":\"" m "\"," \
			"\"admin_up\":" up ",\"oper_up\":" up "}"

static const struct hsi_case hsi_cases[] = {
	{ "own LAN up, other down",
	    "{\"interfaces\":[" IF("hsi0", "VM9", "true") "," IF("hsi1",
	    "VM2", "false") "]}", "VM9", "hsi0:up hsi1:down" },
	{ "moved by the hypervisor alone: the old LAN's up is foreign",
	    "{\"interfaces\":[" IF("hsi0", "VM9", "true") "," IF("hsi1",
	    "VM2", "false") "]}", "VM2", "hsi0:up:foreign hsi1:down" },
	{ "both down while it moves",
	    "{\"interfaces\":[" IF("hsi0", "VM9", "false") "," IF("hsi1",
	    "VM2", "false") "]}", "VM9", "hsi0:down hsi1:down" },
	{ "admin up without carrier is down",
	    "{\"interfaces\":[{\"name\":\"hsi1\",\"member\":\"VM2\","
	    "\"admin_up\":true,\"oper_up\":false}]}", "VM9", "hsi1:down" },
	{ "an interface of no member is never foreign",
	    "{\"interfaces\":[{\"name\":\"hsi0\",\"member\":null,"
	    "\"oper_up\":true}]}", "VM9", "hsi0:up" },
	{ "no interfaces", "{\"guest\":\"X\"}", "VM9", "" },
	{ "interfaces not an array", "{\"interfaces\":7}", "VM9", "" },
};

static void
hsi_print(struct json_object *a, char *buf, size_t len)
{
	size_t	n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(a) && n < len; i++) {
		struct json_object	*l = json_object_array_get_idx(a, i);
		struct json_object	*f = json_object_object_get(l,
					    "foreign");

		n += (size_t)snprintf(buf + n, len - n, "%s%s:%s%s", i ? " " :
		    "", lgrd_row_str(l, "ifname", "?"), lgrd_row_str(l,
		    "state", "?"), json_object_get_boolean(f) ? ":foreign" :
		    "");
	}
}

static void
test_links(void **state)
{
	char	got[256];

	(void)state;
	for (size_t i = 0; i < sizeof(hsi_cases) / sizeof(hsi_cases[0]); i++) {
		const struct hsi_case	*c = &hsi_cases[i];
		struct json_object	*st = json_tokener_parse(c->status);
		struct json_object	*a;

		assert_non_null(st);
		a = web_hsi_links(st, c->member);
		hsi_print(a, got, sizeof(got));
		if (strcmp(got, c->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", c->what, got,
			    c->want);
		json_object_put(a);
		json_object_put(st);
	}
}

static void
test_no_status(void **state)
{
	struct json_object	*a = web_hsi_links(NULL, "VM9");

	(void)state;
	assert_int_equal(json_object_array_length(a), 0);
	json_object_put(a);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_no_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
