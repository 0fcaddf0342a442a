/*
 * gen_test.c: generated topologies load clean, have the asked shape
 * and are the same for the same options.
 */
#include <errno.h>
#include <math.h>

#include "topo_test.h"

static char *
gen_text(unsigned members, unsigned guests, double hsi, size_t *len)
{
	struct topo_gen_opts	 o = { "big", members, guests, hsi };
	char			*text = NULL;
	FILE			*f;

	assert_non_null(f = open_memstream(&text, len));
	assert_int_equal(topo_gen(&o, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static struct topo *
gen_load(unsigned members, unsigned guests, double hsi)
{
	struct topo_diags	 d = { NULL, 0 };
	struct topo		*t;
	char			*text;
	size_t			 len;

	text = gen_text(members, guests, hsi, &len);
	t = test_valid(topo_load_buf("gen.yaml", text, len, &d), &d);
	free(text);
	return t;
}

static size_t
hsi_guests(const struct topo *t)
{
	size_t	i, n = 0;

	for (i = 0; i < t->nguests; i++)
		n += topo_guest_has_hsi(&t->guests[i]);
	return n;
}

/* Every guest's group and member hold; HSI guests have their NICs. */
static void
assert_shape(const struct topo *t, unsigned members, unsigned guests,
    double hsi)
{
	const struct topo_group	*gr;
	size_t			 i, j, lab_members, *load;

	assert_int_equal(t->nmembers, members);
	assert_int_equal(t->nguests, guests);
	assert_int_equal(hsi_guests(t), (size_t)(guests * hsi + 0.5));
	assert_non_null(load = calloc(members, sizeof(*load)));
	for (i = 0; i < t->nguests; i++) {
		gr = &t->groups[t->guests[i].group];
		assert_int_equal(gr->nmembers, members == 1 ? 1 : 2);
		load[t->guests[i].member]++;
		if (!topo_guest_has_hsi(&t->guests[i]))
			continue;
		for (j = lab_members = 0; j < gr->nmembers; j++)
			if (gr->member_idx[j] >= 0)
				lab_members++;
		assert_int_equal(t->guests[i].nnics, 2 + lab_members);
	}
	for (i = 0; guests >= 2 * members && i < members; i++)
		assert_true(load[i] > 0);
	free(load);
}

/* No guest name matches another group's pattern. */
static void
assert_no_warnings(const struct topo *t)
{
	struct topo_diags	d = { NULL, 0 };

	assert_int_equal(topo_warnings(t, &d), 0);
	assert_int_equal(d.n, 0);
}

static void
test_sizes(void **state)
{
	static const struct {
		unsigned	members, guests;
		double		hsi;
		unsigned	hello, dead, multiplier;
	} cases[] = {
		{ 2, 20, 0.5, 1, 4, 0 },
		{ 4, 100, 0.3, 2, 6, 0 },
		{ 1, 1, 0.0, 1, 1, 4 },
		{ 3, 7, 1.0, 1, 1, 4 },
		{ 5, 50, 0.5, 1, 4, 0 },
		{ 16, 250, 1.0, 2, 6, 0 },
	};
	struct topo	*t;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = gen_load(cases[i].members, cases[i].guests, cases[i].hsi);
		assert_shape(t, cases[i].members, cases[i].guests,
		    cases[i].hsi);
		assert_no_warnings(t);
		assert_string_equal(t->name, "big");
		assert_int_equal(t->area.timers.hello, cases[i].hello);
		assert_int_equal(t->area.timers.dead, cases[i].dead);
		assert_int_equal(t->area.timers.hello_multiplier,
		    cases[i].multiplier);
		topo_free(t);
	}
}

/* A pattern widened to every guest: one warning per guest it adds. */
static void
test_overlap_warned(void **state)
{
	struct topo_diags	 d = { NULL, 0 }, w = { NULL, 0 };
	struct topo		*t;
	char			*text, *p, line[256];
	size_t			 len;

	(void)state;
	text = gen_text(3, 6, 0.5, &len);
	assert_non_null(p = strstr(text, "pattern: \"GB*\""));
	memmove(p + 11, p + 12, len - (size_t)(p + 12 - text) + 1);
	len--;
	t = test_valid(topo_load_buf("gen.yaml", text, len, &d), &d);
	assert_int_equal(topo_warnings(t, &w), 3);
	topo_diag_format(&w.v[0], line, sizeof(line));
	assert_non_null(strstr(line, "warning: guest GA001: its name also "
	    "matches group GRP2's pattern 'G*'; it belongs to group GRP1 "
	    "only"));
	topo_diags_free(&w);
	topo_free(t);
	free(text);
}

static void
test_deterministic(void **state)
{
	char	*a, *b;
	size_t	 alen, blen;

	(void)state;
	a = gen_text(4, 100, 0.3, &alen);
	b = gen_text(4, 100, 0.3, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
}

static void
test_bad_options(void **state)
{
	static const struct topo_gen_opts bad[] = {
		{ NULL, 0, 10, 0.5 },
		{ NULL, 17, 10, 0.5 },
		{ NULL, 2, 0, 0.5 },
		{ NULL, 2, 251, 0.5 },
		{ NULL, 2, 10, -0.1 },
		{ NULL, 2, 10, 1.5 },
		{ NULL, 2, 10, NAN },
		{ "bad name", 2, 10, 0.5 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(topo_gen(&bad[i], stdout), -1);
		assert_int_equal(errno, EINVAL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_overlap_warned),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
