/*
 * options_test.c: guestagentd's command line: defaults, every option in
 * any order, and the exact messages for wrong ones (a fixture file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "cmdline.h"

#define MAXW	24

/* Options as guestagentd gets them: its name first, NULL last. */
#define ARGV(...)	((const char *[MAXW]){ AGENT_NAME, __VA_ARGS__ })

static int
parse(const char *const *words, struct agent_opts *o, char *err)
{
	int	argc = 0;

	while (argc < MAXW && words[argc] != NULL)
		argc++;
	return options_parse(argc, (char **)(uintptr_t)words, o, err,
	    CLI_ERRLEN);
}

/* The mode and the times, in the order of struct agent_opts. */
static void
expect_times(const struct agent_opts *o, enum agent_mode mode,
    const unsigned ms[5])
{
	assert_int_equal(o->mode, mode);
	assert_int_equal(o->self_complete_ms, ms[0]);
	assert_int_equal(o->full_timeout_ms, ms[1]);
	assert_int_equal(o->naive_wait_ms, ms[2]);
	assert_int_equal(o->residency_ms, ms[3]);
	assert_int_equal(o->settle_ms, ms[4]);
}

static void
test_defaults(void **state)
{
	struct agent_opts	o;
	char			err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse(ARGV("-f", "t.yaml", "-g", "LITDCON1"), &o,
	    err), 0);
	assert_string_equal(o.topology, "t.yaml");
	assert_string_equal(o.guest, "LITDCON1");
	assert_null(o.labdir);
	assert_false(o.foreground);
	assert_false(o.check_only);
	assert_int_equal(o.verbose, 0);
	expect_times(&o, AGENT_MODE_DRAIN, (const unsigned[5]){ 30000, 10000,
	    8000, 2000, 50 });
}

static void
test_every_option(void **state)
{
	struct agent_opts	o;
	char			err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse(ARGV("-dvv", "-s", "0", "-g", "G", "-D",
	    "/run/nslab/x", "-m", "naive", "-t", "100", "-F", "0", "-w",
	    "600000", "-r", "3600000", "-n", "-v", "-f", "t.yaml"), &o, err),
	    0);
	assert_true(o.foreground);
	assert_true(o.check_only);
	assert_int_equal(o.verbose, 3);
	assert_string_equal(o.labdir, "/run/nslab/x");
	expect_times(&o, AGENT_MODE_NAIVE, (const unsigned[5]){ 100, 0, 600000,
	    3600000, 0 });
	assert_int_equal(parse(ARGV("--mode=drain", "--prepare-timeout",
	    "86400000", "--full-timeout", "5", "--naive-wait", "6",
	    "--residency-interval", "7", "--settle", "8", "-f", "t", "-g",
	    "G"), &o, err), 0);
	expect_times(&o, AGENT_MODE_DRAIN, (const unsigned[5]){ 86400000, 5, 6,
	    7, 8 });
	assert_int_equal(parse(ARGV("--help"), &o, err), 0);
	assert_true(o.help);
	assert_int_equal(parse(ARGV("--version", "-x"), &o, err), 0);
	assert_true(o.version);
}

static int
t_options_parse(int argc, char **argv, void *o, char *err, size_t errlen)
{
	return options_parse(argc, argv, o, err, errlen);
}

/* The lines of testdata/options_bad.txt, each with its exact message. */
static void
test_bad(void **state)
{
	static struct cmdline	cl = { .prog = AGENT_NAME,
				    .parse = t_options_parse };
	struct agent_opts	o;

	(void)state;
	cmdline_errors_file(&cl, "testdata/options_bad.txt", &o);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
