/*
 * fuzz_test.c: the decoders under random and mutated input, for builds
 * without libFuzzer (and in every ctest run): valid frames with bytes
 * flipped, truncated and extended, and plain noise.  Whatever a decoder
 * accepts must keep the invariants of fuzz_decoders.h; the seeds must be
 * accepted and enough mutants refused, or the decoders check nothing.
 * Run under ASan in the sanitizer configuration; a crash or a leak
 * fails it too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz_decoders.h"

#define FUZZ_ROUNDS	20000

static const char *const seeds[] = {
	"\x01{\"req\":\"relocate\",\"guest\":\"LITDCON1\",\"member\":\"VM2\","
	    "\"max_total\":30,\"max_quiesce\":10,\"immediate\":true}",
	"\x01{\"req\":\"events\",\"since\":12,\"guest\":\"G\"}",
	"\x01{\"req\":\"member-set-limits\",\"member\":\"VM2\",\"out\":1}",
	"\x01{\"req\":\"verbose\",\"verbose\":2}",
};

static uint64_t	fuzz_rng = 0x243f6a8885a308d3ULL;

static uint32_t
fuzz_rand(void)
{
	fuzz_rng ^= fuzz_rng << 13;
	fuzz_rng ^= fuzz_rng >> 7;
	fuzz_rng ^= fuzz_rng << 17;
	return (uint32_t)fuzz_rng;
}

static size_t
fuzz_chan_seed(uint8_t *buf)
{
	struct chan_hdr	h = { CHAN_MAGIC, CHAN_PAGES, 0, 1, 2, 1 };
	uint32_t	pages[2] = { 3, 1000 };

	buf[0] = 2;
	memcpy(buf + 1, &h, sizeof(h));
	memcpy(buf + 1 + sizeof(h), pages, sizeof(pages));
	return 1 + sizeof(h) + sizeof(pages);
}

static void
fuzz_mutate(uint8_t *buf, size_t *len, size_t cap)
{
	uint32_t	k, n = 1 + fuzz_rand() % 8;

	for (k = 0; k < n && *len > 1; k++)
		buf[1 + fuzz_rand() % (*len - 1)] = (uint8_t)fuzz_rand();
	switch (fuzz_rand() % 4) {
	case 0:
		*len = 1 + fuzz_rand() % *len;
		break;
	case 1:
		if (*len < cap)
			*len += fuzz_rand() % (cap - *len);
		break;
	default:
		break;
	}
}

/* The seeds themselves are accepted. */
static void
test_seeds(void **state)
{
	uint8_t	buf[1 + 64 + 2 * 4];
	size_t	i, len;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		assert_int_equal(fuzz_decoders((const uint8_t *)seeds[i],
		    strlen(seeds[i])), 1);
	len = fuzz_chan_seed(buf);
	assert_int_equal(fuzz_decoders(buf, len), 1);
}

/* The invariant checks reject what breaks them. */
static void
test_checks(void **state)
{
	struct hv_request	rq;
	struct chan_hdr		h = { CHAN_MAGIC, CHAN_PAGES, 0, 1, 2, 1 };
	uint32_t		pages[2] = { 3, FUZZ_NPAGES };

	(void)state;
	hv_request_init(&rq, HV_REQ_WHERE);
	strcpy(rq.guest, "G1");
	assert_int_equal(fuzz_check_request(&rq), 0);
	strcpy(rq.guest, "a b");
	assert_int_equal(fuzz_check_request(&rq), -1);
	rq.guest[0] = '\0';		/* required: does not decode again */
	assert_int_equal(fuzz_check_request(&rq), -1);
	rq.type = HV_REQ_MAX;
	assert_int_equal(fuzz_check_request(&rq), -1);
	assert_int_equal(fuzz_check_frame(&h, pages, sizeof(pages)), 0);
	assert_int_equal(fuzz_check_frame(&h, pages, sizeof(pages[0])), -1);
	h.count = CHAN_BATCH + 1;
	assert_int_equal(fuzz_check_frame(&h, pages, sizeof(pages)), -1);
	h.count = 2;
	h.type = CHAN_MAX;
	assert_int_equal(fuzz_check_frame(&h, pages, sizeof(pages)), -1);
}

static void
test_mutated(void **state)
{
	static uint8_t	buf[1 + 64 + 2 * (4 + HV_PAGE)];
	size_t		len, i, took = 0, refused = 0;
	int		rc;

	(void)state;
	for (i = 0; i < FUZZ_ROUNDS; i++) {
		if (i % 5 == 0)
			len = fuzz_chan_seed(buf);
		else {
			len = strlen(seeds[i % 4]);
			memcpy(buf, seeds[i % 4], len);
		}
		fuzz_mutate(buf, &len, sizeof(buf));
		if ((rc = fuzz_decoders(buf, len)) == -1)
			fail_msg("round %zu: accepted input breaks an "
			    "invariant", i);
		took += rc == 1;
		refused += rc == 0;
	}
	/* Mutants of valid frames: some still valid, most not. */
	assert_true(took > FUZZ_ROUNDS / 100);
	assert_true(refused > FUZZ_ROUNDS / 2);
}

static void
test_noise(void **state)
{
	static uint8_t	buf[512];
	size_t		len, i, k;

	(void)state;
	for (i = 0; i < FUZZ_ROUNDS; i++) {
		len = fuzz_rand() % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)fuzz_rand();
		assert_int_not_equal(fuzz_decoders(buf, len), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_mutated),
		cmocka_unit_test(test_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
