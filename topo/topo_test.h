/*
 * topo_test.h: helpers the topology library's cmocka tests share.
 * Tests run in topo/ (ctest's working directory).
 */
#ifndef LGR_TOPO_TEST_H
#define LGR_TOPO_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "topo.h"

#define REFERENCE	"../netns-lab/topologies/reference.yaml"
#define REFERENCE_PROD	"../netns-lab/topologies/reference-prod.yaml"
#define REFERENCE_HOSTS	"../netns-lab/topologies/reference-hosts.yaml"

/* What a load that must succeed gave: no message, a model. */
static inline struct topo *
test_valid(struct topo *t, struct topo_diags *d)
{
	char	buf[1024];
	size_t	i;

	for (i = 0; i < d->n; i++) {
		topo_diag_format(&d->v[i], buf, sizeof(buf));
		print_error("unexpected: %s\n", buf);
	}
	assert_int_equal(d->n, 0);
	assert_non_null(t);
	topo_diags_free(d);
	return t;
}

/* Load a file that must be valid. */
static inline struct topo *
test_load(const char *path)
{
	struct topo_diags	 d = { NULL, 0 };

	return test_valid(topo_load(path, &d), &d);
}

/* Load a file that must fail with exactly the messages of want[]. */
static inline void
test_load_fails(const char *path, const char *const *want)
{
	struct topo_diags	 d = { NULL, 0 };
	char			 buf[1024];
	size_t			 i, n;

	for (n = 0; want[n] != NULL; n++)
		;
	assert_null(topo_load(path, &d));
	for (i = 0; i < d.n; i++) {
		topo_diag_format(&d.v[i], buf, sizeof(buf));
		if (i >= n || strcmp(buf, want[i]) != 0)
			print_error("got  %s\nwant %s\n", buf,
			    i < n ? want[i] : "(nothing)");
		if (i < n)
			assert_string_equal(buf, want[i]);
	}
	assert_int_equal(d.n, n);
	topo_diags_free(&d);
}

/* A fixture and the exact messages it must fail with. */
struct test_bad_file {
	const char		*path;
	const char *const	*want;
};

static inline void
test_bad_files_run(const struct test_bad_file *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		test_load_fails(v[i].path, v[i].want);
}

/* What the area of a model must hold. */
struct test_area {
	bool		stub, no_summary;
	unsigned	default_cost, hello, dead, hello_multiplier;
	unsigned	spf_delay, spf_hold, spf_max_hold;
	unsigned	lsa_throttle, lsa_min_arrival;
};

static inline void
test_area_is(const struct topo_area *a, const struct test_area *w)
{
	assert_int_equal(a->stub, w->stub);
	assert_int_equal(a->no_summary, w->no_summary);
	assert_int_equal(a->default_cost, w->default_cost);
	assert_int_equal(a->timers.hello, w->hello);
	assert_int_equal(a->timers.dead, w->dead);
	assert_int_equal(a->timers.hello_multiplier, w->hello_multiplier);
	assert_int_equal(a->timers.spf_delay, w->spf_delay);
	assert_int_equal(a->timers.spf_hold, w->spf_hold);
	assert_int_equal(a->timers.spf_max_hold, w->spf_max_hold);
	assert_int_equal(a->timers.lsa_throttle, w->lsa_throttle);
	assert_int_equal(a->timers.lsa_min_arrival, w->lsa_min_arrival);
}

/* The configuration text of one router daemon, malloc'ed. */
static inline char *
test_conf(const struct topo *t, const char *node, enum topo_daemon daemon)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f;

	assert_non_null(f = open_memstream(&text, &len));
	assert_int_equal(topo_frr_conf(t, node, daemon, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

#endif
