/*
 * chan_test.c: the relocation channel's frame decoder, table-driven.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hvd.h"

static size_t
frame(uint8_t *buf, uint32_t magic, uint16_t type, uint32_t count,
    size_t plen)
{
	struct chan_hdr	h = { magic, type, 0, 42, count, 1 };

	memcpy(buf, &h, sizeof(h));
	memset(buf + sizeof(h), 0, plen);
	return sizeof(h) + plen;
}

static const struct {
	uint32_t	magic;
	uint16_t	type;
	uint32_t	count;
	size_t		plen;
	int		rc;
} cases[] = {
	{ CHAN_MAGIC, CHAN_READY, 0, 0, 0 },
	{ CHAN_MAGIC, CHAN_READY, 0, 1, -1 },		/* trailing byte */
	{ 0x12345678, CHAN_READY, 0, 0, -1 },		/* magic */
	{ CHAN_MAGIC, 0, 0, 0, -1 },			/* type */
	{ CHAN_MAGIC, CHAN_MAX, 0, 0, -1 },
	{ CHAN_MAGIC, CHAN_PAGES, 1, 4, 0 },
	{ CHAN_MAGIC, CHAN_PAGES, 2, 4, -1 },		/* short */
	{ CHAN_MAGIC, CHAN_PAGES, 1, 4 + HV_PAGE, -1 },	/* pages inline */
	{ CHAN_MAGIC, CHAN_PAGES, 0, 0, -1 },		/* empty */
	{ CHAN_MAGIC, CHAN_PAGES, CHAN_BATCH, CHAN_BATCH * 4, 0 },
	{ CHAN_MAGIC, CHAN_PAGES, CHAN_BATCH + 1,
	    (CHAN_BATCH + 1) * 4, -1 },			/* too many */
	{ 0x31435648, CHAN_PAGES, 1, 4, -1 },		/* "HVC1" peer */
	{ CHAN_MAGIC, CHAN_STATE, 0, sizeof(struct chan_state), 0 },
	{ CHAN_MAGIC, CHAN_STATE, 0, sizeof(struct chan_state) - 1, -1 },
	{ CHAN_MAGIC, CHAN_DIGEST, 0, 8, 0 },
	{ CHAN_MAGIC, CHAN_DIGEST, 0, 4, -1 },
	{ CHAN_MAGIC, CHAN_ERROR, 0, CHAN_ERROR_MAX, 0 },
	{ CHAN_MAGIC, CHAN_ERROR, 0, CHAN_ERROR_MAX + 1, -1 },
	{ CHAN_MAGIC, CHAN_SETUP, 0, sizeof(struct chan_setup), -1 }, /* "" */
};

static void
test_frames(void **state)
{
	const void	*pl;
	struct chan_hdr	 h;
	uint8_t		*buf;
	size_t		 i, len, plen;

	(void)state;
	buf = malloc(sizeof(h) + (CHAN_BATCH + 1) * (4 + HV_PAGE));
	assert_non_null(buf);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = frame(buf, cases[i].magic, cases[i].type, cases[i].count,
		    cases[i].plen);
		if (chan_decode(buf, len, &h, &pl, &plen) != cases[i].rc)
			fail_msg("case %zu", i);
	}
	assert_int_equal(chan_decode(buf, 3, &h, &pl, &plen), -1);
	assert_int_equal(errno, EBADMSG);
	free(buf);
}

static void
test_setup(void **state)
{
	struct chan_setup	s;
	const void		*pl;
	struct chan_hdr		 h;
	uint8_t			 buf[sizeof(h) + sizeof(s)];
	size_t			 plen;

	(void)state;
	memset(&s, 0, sizeof(s));
	strcpy(s.guest, "LITDCON1");
	strcpy(s.src, "VM9");
	s.memory_mib = 256;
	frame(buf, CHAN_MAGIC, CHAN_SETUP, 0, 0);
	memcpy(buf + sizeof(h), &s, sizeof(s));
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), 0);
	memset(((struct chan_setup *)(void *)(buf + sizeof(h)))->guest, 'A',
	    HV_NAME);	/* unterminated */
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), -1);
	memcpy(buf + sizeof(h), &s, sizeof(s));
	((struct chan_setup *)(void *)(buf + sizeof(h)))->verify = 9;
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), -1);
	memcpy(buf + sizeof(h), &s, sizeof(s));
	((struct chan_setup *)(void *)(buf + sizeof(h)))->memory_mib = 0;
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), -1);
}

/* The part after a frame: PAGES has its pages, nothing else has any. */
static const struct {
	uint16_t	type;
	uint32_t	count;
	bool		more;
	size_t		len;
	int		rc;
} data_cases[] = {
	{ CHAN_PAGES, 1, true, HV_PAGE, 0 },
	{ CHAN_PAGES, CHAN_BATCH, true, CHAN_BATCH * HV_PAGE, 0 },
	{ CHAN_PAGES, 2, true, HV_PAGE, -1 },		/* short */
	{ CHAN_PAGES, 1, true, HV_PAGE + 1, -1 },	/* long */
	{ CHAN_PAGES, 1, false, 0, -1 },		/* missing */
	{ CHAN_ACK, 0, false, 0, 0 },
	{ CHAN_ACK, 0, true, 0, -1 },			/* unexpected */
	{ CHAN_STATE, 0, true, HV_PAGE, -1 },
};

static void
test_data(void **state)
{
	struct chan_hdr	h = { CHAN_MAGIC, 0, 0, 42, 0, 1 };
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]); i++) {
		h.type = data_cases[i].type;
		h.count = data_cases[i].count;
		if (chan_decode_data(&h, data_cases[i].more,
		    data_cases[i].len) != data_cases[i].rc)
			fail_msg("data case %zu", i);
	}
	h.type = CHAN_PAGES;
	h.count = 3;
	assert_int_equal(chan_decode_data(&h, false, 0), -1);
	assert_int_equal(errno, EBADMSG);
}

/* Flags: the quiesce's mark is the only one a frame may carry. */
static void
test_flags(void **state)
{
	struct chan_hdr	 h = { CHAN_MAGIC, CHAN_PAGES, CHAN_F_QUIESCE, 42, 1,
	    1 };
	uint8_t		 buf[sizeof(h) + 4] = { 0 };
	const void	*pl;
	size_t		 plen;
	struct chan_hdr	 out;

	(void)state;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(chan_decode(buf, sizeof(buf), &out, &pl, &plen), 0);
	assert_int_equal(out.flags, CHAN_F_QUIESCE);
	h.flags = CHAN_F_QUIESCE << 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(chan_decode(buf, sizeof(buf), &out, &pl, &plen), -1);
	assert_int_equal(errno, EBADMSG);
}

/* READY: empty (ipc), or a tcp:// bulk endpoint, terminated, or none. */
static void
test_ready(void **state)
{
	struct chan_ready	 r;
	struct chan_hdr		 h;
	const void		*pl;
	uint8_t			 buf[sizeof(h) + sizeof(r)];
	size_t			 plen;

	(void)state;
	memset(&r, 0, sizeof(r));
	strcpy(r.bulk, "tcp://10.255.0.2:40001");
	frame(buf, CHAN_MAGIC, CHAN_READY, 0, 0);
	memcpy(buf + sizeof(h), &r, sizeof(r));
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), 0);
	assert_int_equal(plen, sizeof(r));
	assert_int_equal(chan_decode(buf, sizeof(buf) - 1, &h, &pl, &plen),
	    -1);
	strcpy(r.bulk, "ipc:///tmp/x");
	memcpy(buf + sizeof(h), &r, sizeof(r));
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), -1);
	memset(r.bulk, 'a', sizeof(r.bulk));	/* unterminated */
	memcpy(r.bulk, "tcp://", 6);
	memcpy(buf + sizeof(h), &r, sizeof(r));
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), -1);
	memset(&r, 0, sizeof(r));		/* no bulk: the ipc way */
	memcpy(buf + sizeof(h), &r, sizeof(r));
	assert_int_equal(chan_decode(buf, sizeof(buf), &h, &pl, &plen), 0);
}

static void
test_pages_valid(void **state)
{
	uint32_t	p[3] = { 0, 5, 9 };

	(void)state;
	assert_true(chan_pages_valid(p, 3, 10));
	assert_false(chan_pages_valid(p, 3, 9));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_pages_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
