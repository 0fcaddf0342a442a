/*
 * seal_test.c: the sealed frames of a relocation over the underlay
 * (seal.c): what one end seals the other opens, once, in order, and
 * nothing changed, replayed or turned round opens.
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

struct pair {
	struct seal	src, dst;
};

static int
pair_setup(void **state)
{
	struct pair	*p;
	uint8_t		 key[SEAL_KEY];

	if ((p = calloc(1, sizeof(*p))) == NULL || seal_key_new(key) == -1 ||
	    seal_init(&p->src, key, true) == -1 ||
	    seal_init(&p->dst, key, false) == -1)
		return -1;
	*state = p;
	return 0;
}

static int
pair_teardown(void **state)
{
	struct pair	*p = *state;

	seal_free(&p->src);
	seal_free(&p->dst);
	free(p);
	return 0;
}

/* A one-part frame: header, payload, tag; sealed by s into buf. */
static size_t
seal_one(struct seal *s, uint8_t *buf, const char *payload)
{
	struct chan_hdr	h = { CHAN_MAGIC, CHAN_ERROR, 0, 42, 0, 7 };
	size_t		plen = strlen(payload);

	memcpy(buf, &h, sizeof(h));
	assert_int_equal(seal_begin(s, &h, sizeof(h)), 0);
	assert_int_equal(seal_data(s, buf + sizeof(h), payload, plen), 0);
	assert_int_equal(seal_end(s, buf + sizeof(h) + plen), 0);
	assert_memory_not_equal(buf + sizeof(h), payload, plen);
	return sizeof(h) + plen + SEAL_TAG;
}

static int
open_one(struct seal *s, uint8_t *buf, size_t *len)
{
	return seal_open(s, sizeof(struct chan_hdr), buf, len, NULL, NULL);
}

static void
test_roundtrip(void **state)
{
	struct pair	*p = *state;
	uint8_t		 buf[256], copy[256];
	size_t		 len, n;

	n = seal_one(&p->src, buf, "page 17 out of range");
	memcpy(copy, buf, n);
	len = n;
	assert_int_equal(open_one(&p->dst, buf, &len), 0);
	assert_int_equal(len, n - SEAL_TAG);
	assert_memory_equal(buf + sizeof(struct chan_hdr),
	    "page 17 out of range", len - sizeof(struct chan_hdr));
	/* Once only: the same frame again does not open. */
	len = n;
	assert_int_equal(open_one(&p->dst, copy, &len), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(len, n);
	/* The other way, a count of its own. */
	n = seal_one(&p->dst, buf, "ok");
	len = n;
	assert_int_equal(open_one(&p->src, buf, &len), 0);
}

/* A bit changed anywhere: header, payload or tag. */
static void
test_tampered(void **state)
{
	struct pair	*p = *state;
	uint8_t		 buf[256], good[256];
	size_t		 len, n, at[3];
	int		 i;

	n = seal_one(&p->src, good, "state");
	at[0] = offsetof(struct chan_hdr, rid);
	at[1] = sizeof(struct chan_hdr) + 2;
	at[2] = n - 1;
	for (i = 0; i < 3; i++) {
		memcpy(buf, good, n);
		buf[at[i]] ^= 0x01;
		len = n;
		assert_int_equal(open_one(&p->dst, buf, &len), -1);
	}
	/* The frame itself still opens: failures did not count. */
	len = n;
	assert_int_equal(open_one(&p->dst, good, &len), 0);
}

/*
 * Try to open a copy of a frame (a failed open leaves its parts
 * undefined).
 */
static int
open_copy(struct seal *s, const uint8_t *frame, size_t n)
{
	uint8_t	buf[256];
	size_t	len = n;

	memcpy(buf, frame, n);
	return open_one(s, buf, &len);
}

/* Frames open in the order sealed; one's own frames never. */
static void
test_order(void **state)
{
	struct pair	*p = *state;
	uint8_t		 a[256], b[256], c[256];
	size_t		 la, lb, lc;

	la = seal_one(&p->src, a, "first");
	lb = seal_one(&p->src, b, "second");
	assert_int_equal(open_copy(&p->dst, b, lb), -1);	/* early */
	assert_int_equal(open_copy(&p->dst, a, la), 0);
	assert_int_equal(open_copy(&p->dst, b, lb), 0);
	lc = seal_one(&p->src, c, "third");
	assert_int_equal(open_copy(&p->src, c, lc), -1);	/* reflected */
	assert_int_equal(open_copy(&p->dst, c, lc), 0);
}

/* PAGES: the list in part one, the pages and the tag in part two. */
static void
test_two_parts(void **state)
{
	struct pair	*p = *state;
	struct chan_hdr	 h = { CHAN_MAGIC, CHAN_PAGES, 0, 42, 2, 1 };
	uint32_t	 list[2] = { 3, 9 };
	uint8_t		 a[sizeof(h) + sizeof(list)], *b, *pages;
	size_t		 alen = sizeof(a), blen = 2 * HV_PAGE + SEAL_TAG;

	b = malloc(blen);
	pages = malloc(2 * HV_PAGE);
	assert_non_null(b);
	assert_non_null(pages);
	memset(pages, 0x5a, 2 * HV_PAGE);
	memcpy(a, &h, sizeof(h));
	assert_int_equal(seal_begin(&p->src, &h, sizeof(h)), 0);
	assert_int_equal(seal_data(&p->src, a + sizeof(h), list,
	    sizeof(list)), 0);
	assert_int_equal(seal_data(&p->src, b, pages, HV_PAGE), 0);
	assert_int_equal(seal_data(&p->src, b + HV_PAGE, pages + HV_PAGE,
	    HV_PAGE), 0);
	assert_int_equal(seal_end(&p->src, b + 2 * HV_PAGE), 0);
	assert_int_equal(seal_open(&p->dst, sizeof(h), a, &alen, b, &blen),
	    0);
	assert_int_equal(alen, sizeof(a));
	assert_int_equal(blen, 2 * HV_PAGE);
	assert_memory_equal(a + sizeof(h), list, sizeof(list));
	assert_memory_equal(b, pages, 2 * HV_PAGE);
	free(b);
	free(pages);
}

/* Too short for a header and a tag: refused before any cipher work. */
static void
test_short(void **state)
{
	struct pair	*p = *state;
	uint8_t		 buf[sizeof(struct chan_hdr) + SEAL_TAG] = { 0 };
	size_t		 len;

	len = sizeof(struct chan_hdr) + SEAL_TAG - 1;
	assert_int_equal(open_one(&p->dst, buf, &len), -1);
	assert_int_equal(errno, EBADMSG);
	len = 3;
	assert_int_equal(open_one(&p->dst, buf, &len), -1);
	len = sizeof(struct chan_hdr) + SEAL_TAG;	/* right size, no tag */
	assert_int_equal(open_one(&p->dst, buf, &len), -1);
}

/* Another key: nothing opens. */
static void
test_other_key(void **state)
{
	struct pair	*p = *state;
	struct seal	 other;
	uint8_t		 key[SEAL_KEY], buf[256];
	size_t		 len;

	assert_int_equal(seal_key_new(key), 0);
	assert_int_equal(seal_init(&other, key, false), 0);
	len = seal_one(&p->src, buf, "resume");
	assert_int_equal(open_one(&other, buf, &len), -1);
	seal_free(&other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_tampered, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_order, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_two_parts, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_short, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_other_key, pair_setup,
		    pair_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
