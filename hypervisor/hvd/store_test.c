/*
 * store_test.c: a target's image filled through userfaultfd missing
 * mode: runs, scattered pages, pages sent twice, pages never sent.
 * Skipped (not failed) where the kernel offers no userfaultfd.
 */
#include <sys/mman.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hvd.h"

#define NPAGES	64
#define LEN	((size_t)NPAGES * HV_PAGE)

static uint8_t *
image(void)
{
	void	*p;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	return p;
}

static void
fill(uint8_t *data, const uint32_t *list, uint32_t n, uint8_t salt)
{
	uint32_t	i;

	for (i = 0; i < n; i++)
		memset(data + (size_t)i * HV_PAGE, (int)(list[i] + salt),
		    HV_PAGE);
}

static void
expect(const uint8_t *mem, uint32_t page, int byte)
{
	const uint8_t	*p = mem + (size_t)page * HV_PAGE;
	size_t		 i;

	for (i = 0; i < HV_PAGE; i++)
		if (p[i] != (uint8_t)byte)
			fail_msg("page %u byte %zu: %u, want %u", page, i, p[i],
			    (uint8_t)byte);
}

static void
store_check(int fd, uint8_t *mem)
{
	/* A run, scattered pages, then pages sent again around new ones. */
	static const uint32_t	 a[] = { 0, 1, 2, 3, 4, 5, 6, 7, 20, 33, 34 };
	static const uint32_t	 b[] = { 6, 7, 8, 9, 33, 63 };
	uint8_t			*data = malloc(16 * HV_PAGE + 1);
	uint64_t		 hashes[NPAGES] = { 0 };
	uint32_t		 i;

	assert_non_null(data);
	fill(data, a, 11, 0);
	assert_int_equal(store_pages(fd, mem, a, 11, data, hashes), 0);
	/* Received pages need not be aligned. */
	fill(data + 1, b, 6, 100);
	assert_int_equal(store_pages(fd, mem, b, 6, data + 1, hashes), 0);
	store_close(fd, mem, LEN);
	for (i = 0; i < 6; i++)
		expect(mem, i, (int)i);
	for (i = 6; i < 10; i++)
		expect(mem, i, (int)i + 100);
	expect(mem, 20, 20);
	expect(mem, 33, 133);
	expect(mem, 34, 34);
	expect(mem, 63, 163);
	expect(mem, 10, 0);	/* never sent: zero */
	expect(mem, 62, 0);
	for (i = 0; i < NPAGES; i++)
		if (hashes[i] != 0 && hashes[i] != digest_page(mem +
		    (size_t)i * HV_PAGE))
			fail_msg("page %u: digest differs", i);
	assert_int_equal(hashes[63], digest_page(mem + 63 * HV_PAGE));
	assert_int_equal(hashes[10], 0);
	free(data);
}

static void
test_store_uffd(void **state)
{
	uint8_t	*mem;
	int	 fd;

	(void)state;
	mem = image();
	if ((fd = store_open(mem, LEN)) == -1) {
		munmap(mem, LEN);
		skip();
	}
	store_check(fd, mem);
	munmap(mem, LEN);
}

static void
test_store_plain(void **state)
{
	uint8_t	*mem;

	(void)state;
	mem = image();
	store_check(-1, mem);
	munmap(mem, LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_uffd),
		cmocka_unit_test(test_store_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
