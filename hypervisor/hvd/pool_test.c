/*
 * pool_test.c: spare images: a guest's image kept scrubbed, taken by
 * size, refused without room, expired.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hvd.h"

#define MIB	((size_t)1 << 20)

static struct hv_guestdef	defs[2] = {
	{ .name = "A", .idx = 0, .memory_mib = 4 },
	{ .name = "B", .idx = 1, .memory_mib = 8 },
};

static void
pool_member(struct hvd *h, struct hv_config *c, struct hv_memberdef *m,
    uint64_t memory_mib)
{
	memset(h, 0, sizeof(*h));
	memset(c, 0, sizeof(*c));
	m->memory_mib = memory_mib;
	c->members = m;
	c->nmembers = 1;
	c->guests = defs;
	c->nguests = 2;
	h->conf = c;
	pthread_mutex_init(&h->lock, NULL);
}

static struct guest *
pool_guest(int idx)
{
	struct guest	*g;

	g = guest_new(&defs[idx], NULL, NULL);
	assert_non_null(g);
	guest_fill(g, 50, 7);
	return g;
}

static void
test_keep_take(void **state)
{
	struct hv_memberdef	 m;
	struct hv_config	 c;
	struct hvd		 h;
	uint8_t			*mem, *zero = calloc(1, 4 * MIB);
	struct guest		*g;

	(void)state;
	pool_member(&h, &c, &m, 16);
	g = pool_guest(0);
	mem = g->mem;
	pool_keep(&h, g);
	assert_int_equal(h.nspare, 1);
	assert_null(pool_take(&h, 8 * MIB));	/* no spare of that size */
	assert_null(pool_take(&h, 2 * MIB));	/* nor a larger one */
	assert_ptr_equal(pool_take(&h, 4 * MIB), mem);
	assert_memory_equal(mem, zero, 4 * MIB);	/* scrubbed */
	assert_null(pool_take(&h, 4 * MIB));
	guest_image_free(mem, 4 * MIB);
	free(zero);
}

static void
test_room(void **state)
{
	struct hv_memberdef	 m;
	struct hv_config	 c;
	struct hvd		 h;

	(void)state;
	/* 12 MiB: guest B runs here, A's 4 MiB fit, a second A no more. */
	pool_member(&h, &c, &m, 12);
	h.guests[1] = pool_guest(1);
	pool_keep(&h, pool_guest(0));
	assert_int_equal(h.nspare, 1);
	pool_keep(&h, pool_guest(0));
	assert_int_equal(h.nspare, 1);
	pool_expire(&h, false);			/* not idle long enough */
	assert_int_equal(h.nspare, 1);
	pool_expire(&h, true);
	assert_int_equal(h.nspare, 0);
	guest_free(h.guests[1], false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_take),
		cmocka_unit_test(test_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
