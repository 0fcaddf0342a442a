/*
 * session_test.c: the session table alone: secrets' form, tokens single
 * use and bounded, expiry of tokens and idle sessions, the least
 * recently used session evicted, each session's own rate.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "console_impl.h"

static struct sessions *
table(unsigned max, unsigned ttl, unsigned idle, unsigned burst)
{
	struct console_options	o;
	struct sessions		*ss;

	console_options_init(&o);
	o.sessions_max = max;
	o.token_ttl = ttl;
	o.idle_max = idle;
	o.rate = 1;
	o.burst = burst;
	ss = sessions_new(&o);
	assert_non_null(ss);
	return ss;
}

static void
login(struct sessions *ss, enum console_role role, struct session_info *s)
{
	char	tok[SECRET_HEX];

	assert_int_equal(sessions_token(ss, role, tok), 0);
	assert_int_equal(sessions_login(ss, tok, s), 0);
}

static void
pause_ms(unsigned ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
test_secrets(void **state)
{
	struct sessions		*ss = table(4, 60, 60, 10);
	struct session_info	 a, b;

	(void)state;
	login(ss, CONSOLE_OPERATOR, &a);
	login(ss, CONSOLE_VIEWER, &b);
	assert_int_equal(strlen(a.cookie), 32);
	assert_int_equal(strlen(a.csrf), 32);
	assert_int_equal(strlen(a.id), 16);
	for (size_t i = 0; i < 32; i++)
		assert_true(isxdigit((unsigned char)a.cookie[i]));
	assert_string_not_equal(a.cookie, b.cookie);
	assert_string_not_equal(a.cookie, a.csrf);
	assert_int_equal(a.role, CONSOLE_OPERATOR);
	assert_int_equal(b.role, CONSOLE_VIEWER);
	assert_true(sessions_equal("abc", "abc"));
	assert_false(sessions_equal("abc", "abd"));
	assert_false(sessions_equal("abc", "ab"));
	assert_false(sessions_equal("", "a"));
	sessions_free(ss);
}

static void
test_tokens(void **state)
{
	struct sessions		*ss = table(4, 60, 60, 10);
	struct session_info	 s;
	char			 tok[SECRET_HEX], first[SECRET_HEX];

	(void)state;
	assert_int_equal(sessions_token(ss, CONSOLE_VIEWER, first), 0);
	assert_int_equal(sessions_login(ss, first, &s), 0);
	errno = 0;
	assert_int_equal(sessions_login(ss, first, &s), -1);
	assert_int_equal(errno, ENOENT);
	for (int i = 0; i < TOKENS_MAX; i++)
		assert_int_equal(sessions_token(ss, CONSOLE_VIEWER, tok), 0);
	errno = 0;
	assert_int_equal(sessions_token(ss, CONSOLE_VIEWER, tok), -1);
	assert_int_equal(errno, ENOSPC);
	/* Using one makes room for one. */
	assert_int_equal(sessions_login(ss, tok, &s), 0);
	assert_int_equal(sessions_token(ss, CONSOLE_VIEWER, tok), 0);
	sessions_free(ss);
}

static void
test_expiry(void **state)
{
	struct sessions		*ss = table(4, 1, 1, 10);
	struct session_info	 s, t;
	char			 tok[SECRET_HEX];

	(void)state;
	assert_int_equal(sessions_token(ss, CONSOLE_VIEWER, tok), 0);
	login(ss, CONSOLE_VIEWER, &s);
	assert_int_equal(sessions_enter(ss, s.cookie, &t), 0);
	pause_ms(1300);
	assert_int_equal(sessions_login(ss, tok, &t), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(sessions_enter(ss, s.cookie, &t), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(sessions_alive(ss, s.cookie));
	sessions_free(ss);
}

static void
test_eviction(void **state)
{
	struct sessions		*ss = table(2, 60, 60, 10);
	struct session_info	 a, b, c, t;

	(void)state;
	login(ss, CONSOLE_VIEWER, &a);
	pause_ms(20);
	login(ss, CONSOLE_VIEWER, &b);
	pause_ms(20);
	assert_int_equal(sessions_enter(ss, a.cookie, &t), 0);	/* a is newer */
	login(ss, CONSOLE_OPERATOR, &c);
	assert_true(sessions_alive(ss, a.cookie));
	assert_false(sessions_alive(ss, b.cookie));
	assert_true(sessions_alive(ss, c.cookie));
	assert_int_equal(sessions_enter(ss, NULL, &t), -1);
	assert_int_equal(sessions_enter(ss, "", &t), -1);
	sessions_free(ss);
}

static void
test_rate(void **state)
{
	struct sessions		*ss = table(4, 60, 60, 3);
	struct session_info	 a, b, t;

	(void)state;
	login(ss, CONSOLE_VIEWER, &a);
	login(ss, CONSOLE_VIEWER, &b);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sessions_enter(ss, a.cookie, &t), 0);
	errno = 0;
	assert_int_equal(sessions_enter(ss, a.cookie, &t), -1);
	assert_int_equal(errno, EBUSY);
	/* A refused request still says whose it was. */
	assert_string_equal(t.id, a.id);
	assert_int_equal(sessions_enter(ss, b.cookie, &t), 0);
	pause_ms(1100);
	assert_int_equal(sessions_enter(ss, a.cookie, &t), 0);
	sessions_free(ss);
}

static void
test_login_failures(void **state)
{
	struct sessions		*ss = table(4, 60, 60, 10);
	struct session_info	 s;
	char			 tok[SECRET_HEX];
	int			 i;

	(void)state;
	assert_int_equal(sessions_token(ss, CONSOLE_OPERATOR, tok), 0);
	for (i = 0; i < 20; i++)
		if (sessions_login(ss, "00112233445566778899aabbccddeeff",
		    &s) == -1 && errno == EBUSY)
			break;
	assert_in_range(i, 10, 11);
	/* Even the right token waits, and stays valid. */
	assert_int_equal(sessions_login(ss, tok, &s), -1);
	assert_int_equal(errno, EBUSY);
	pause_ms(1100);
	assert_int_equal(sessions_login(ss, tok, &s), 0);
	assert_int_equal(s.role, CONSOLE_OPERATOR);
	sessions_free(ss);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_login_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
