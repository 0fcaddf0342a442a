/*
 * dirty_test.c: the kernel's dirty-page tracking and the digests.
 * Skipped (not failed) where the kernel lacks asynchronous
 * userfaultfd write-protect.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "hvd.h"

static struct hv_guestdef	def = { .name = "T", .memory_mib = 4 };

static void
test_written_pages(void **state)
{
	static const uint32_t	 wrote[] = { 0, 7, 8, 511, 1023 };
	struct guest		*g;
	uint32_t		*list;
	ssize_t			 n;
	size_t			 i;

	(void)state;
	g = guest_new(&def, NULL, NULL);
	assert_non_null(g);
	list = calloc(g->npages, sizeof(*list));
	guest_fill(g, 50, 1);
	n = dirty_present(g, list);
	assert_int_equal(n, (ssize_t)g->npages / 2);
	if (dirty_start(g) == -1) {
		guest_free(g, false);
		free(list);
		skip();
	}
	assert_int_equal(dirty_collect(g, list), 0);
	for (i = 0; i < sizeof(wrote) / sizeof(wrote[0]); i++)
		g->mem[wrote[i] * HV_PAGE + 100] ^= 1;	/* 1023: never touched */
	n = dirty_collect(g, list);
	assert_int_equal(n, (ssize_t)(sizeof(wrote) / sizeof(wrote[0])));
	for (i = 0; i < (size_t)n; i++)
		assert_int_equal(list[i], wrote[i]);
	assert_int_equal(dirty_collect(g, list), 0);	/* protected again */
	dirty_stop(g);
	g->mem[5] = 1;		/* no longer tracked, still writable */
	guest_free(g, false);
	free(list);
}

/*
 * Tracking stops in pieces (the last one short here: 3 MiB); the image
 * is then untracked everywhere and can be tracked again, as a pooled
 * image is by its next guest.
 */
static void
test_stop_restart(void **state)
{
	static struct hv_guestdef	 d3 = { .name = "T3", .memory_mib = 3 };
	struct guest			*g;
	uint32_t			*list;

	(void)state;
	g = guest_new(&d3, NULL, NULL);
	assert_non_null(g);
	list = calloc(g->npages, sizeof(*list));
	guest_fill(g, 100, 1);
	if (dirty_start(g) == -1) {
		guest_free(g, false);
		free(list);
		skip();
	}
	g->mem[700 * HV_PAGE] ^= 1;
	dirty_stop(g);
	assert_int_equal(g->uffd, -1);
	g->mem[10 * HV_PAGE] ^= 1;	/* untracked: writable, not seen */
	g->mem[767 * HV_PAGE] ^= 1;
	assert_int_equal(dirty_start(g), 0);
	assert_int_equal(dirty_collect(g, list), 0);
	g->mem[767 * HV_PAGE + 8] ^= 1;
	assert_int_equal(dirty_collect(g, list), 1);
	assert_int_equal(list[0], 767);
	dirty_stop(g);
	guest_free(g, false);
	free(list);
}

/* A guest whose vCPU dirties 64 MiB/s of 1 MiB, tracked from the start;
 * *list: room for its page numbers.  Skips where tracking is missing. */
static struct guest *
vcpu_running(uint32_t **list)
{
	struct guest	*g;

	g = guest_new(&def, NULL, NULL);
	assert_non_null(g);
	*list = calloc(g->npages, sizeof(**list));
	if (dirty_start(g) == -1) {
		guest_free(g, false);
		free(*list);
		skip();
	}
	guest_set_workload(g, 64, 1);
	assert_int_equal(guest_start(g), 0);
	return g;
}

static void
test_vcpu_dirties(void **state)
{
	struct vcpu_state	 st;
	struct guest		*g;
	uint32_t		*list;
	ssize_t			 n;

	(void)state;
	g = vcpu_running(&list);
	usleep(50000);
	guest_pause(g);
	guest_get_state(g, &st);
	n = dirty_collect(g, list);
	assert_true(n > 0);
	assert_true(st.writes >= (uint64_t)n);
	assert_true(list[n - 1] < (1u << 20) / HV_PAGE);	/* within wss */
	assert_int_equal(dirty_collect(g, list), 0);	/* paused: no writes */
	guest_resume(g);
	guest_free(g, false);
	free(list);
}

/*
 * A halted vCPU (a fence) writes nothing more, and a resume (a relocation
 * rolling back) does not start it again; it still stops when freed.
 */
static void
test_vcpu_halted(void **state)
{
	struct vcpu_state	 st, st2;
	struct guest		*g;
	uint32_t		*list;
	char			 name[16];

	(void)state;
	g = vcpu_running(&list);
	usleep(20000);
	assert_int_equal(pthread_getname_np(g->vcpu, name, sizeof(name)), 0);
	assert_string_equal(name, "g:T");	/* runs (read by fault tests) */
	guest_halt(g);
	assert_true(g->paused);
	assert_int_equal(pthread_getname_np(g->vcpu, name, sizeof(name)), 0);
	assert_string_equal(name, "p:T");
	guest_get_state(g, &st);
	assert_true(st.writes > 0);
	dirty_collect(g, list);
	guest_pause(g);		/* a relocation's quiesce, then its rollback */
	guest_resume(g);
	usleep(30000);
	guest_get_state(g, &st2);
	assert_int_equal(st2.writes, st.writes);
	assert_int_equal(dirty_collect(g, list), 0);
	guest_free(g, false);
	free(list);
}

/*
 * A restarted guest's vCPU fills its image as it runs: the same image as
 * guest_fill's once done, no filling while paused, and every filled page
 * seen by the dirty tracking started before (relocating it mid-fill
 * sends them).
 */
static void
test_fill_boot(void **state)
{
	struct guest	*g, *ref;
	uint32_t	*list;
	size_t		 left, seen = 0;
	ssize_t		 n;
	int		 i;

	(void)state;
	g = guest_new(&def, NULL, NULL);
	ref = guest_new(&def, NULL, NULL);
	list = calloc(g->npages, sizeof(*list));
	guest_fill(ref, 75, 9);
	if (dirty_start(g) == -1) {
		guest_free(g, false);
		guest_free(ref, false);
		free(list);
		skip();
	}
	guest_fill_boot(g, 75, 9);
	assert_int_equal(g->fill_end, g->npages * 3 / 4);
	assert_int_equal(guest_start(g), 0);
	guest_pause(g);
	left = g->fill_end - g->fill_next;
	seen += (size_t)dirty_collect(g, list);
	usleep(20000);
	assert_int_equal(g->fill_end - g->fill_next, left);	/* paused */
	assert_int_equal(dirty_collect(g, list), 0);
	guest_resume(g);
	for (i = 0; i < 2000; i++) {
		guest_pause(g);
		left = g->fill_end - g->fill_next;
		n = dirty_collect(g, list);
		assert_true(n >= 0);
		seen += (size_t)n;
		guest_resume(g);
		if (left == 0)
			break;
		usleep(1000);
	}
	assert_int_equal(left, 0);
	assert_int_equal(seen, g->npages * 3 / 4);
	assert_memory_equal(g->mem, ref->mem, g->len);
	guest_free(g, false);
	guest_free(ref, false);
	free(list);
}

/*
 * Protected piece by piece: a present page not protected yet counts as
 * written (so may an empty one near present ones: the test protects the
 * empty half).
 */
static void
test_protect_pieces(void **state)
{
	struct guest	*g;
	uint32_t	*list;
	ssize_t		 n;

	(void)state;
	g = guest_new(&def, NULL, NULL);
	assert_non_null(g);
	list = calloc(g->npages, sizeof(*list));
	guest_fill(g, 50, 1);			/* pages 0-511 present */
	if (dirty_register(g) == -1) {
		guest_free(g, false);
		free(list);
		skip();
	}
	assert_int_equal(dirty_protect(g, 0, 256), 0);
	assert_int_equal(dirty_protect(g, 512, 512), 0);
	g->mem[10 * HV_PAGE] ^= 1;
	g->mem[300 * HV_PAGE] ^= 1;
	n = dirty_collect(g, list);
	assert_int_equal(n, 1 + 256);		/* 10, and 256-511 */
	assert_int_equal(list[0], 10);
	assert_int_equal(list[1], 256);
	assert_int_equal(list[n - 1], 511);
	assert_int_equal(dirty_collect(g, list), 0);
	g->mem[700 * HV_PAGE] = 1;		/* empty before */
	assert_int_equal(dirty_collect(g, list), 1);
	assert_int_equal(list[0], 700);
	guest_free(g, false);
	free(list);
}

static void
test_digest(void **state)
{
	static uint64_t	 page[HV_PAGE / 8], zero[HV_PAGE / 8];
	uint64_t	 h[4];
	uint8_t		*mem = calloc(4, HV_PAGE);
	size_t		 i;

	(void)state;
	assert_true(digest_zero(zero));
	page[100] = 1;
	assert_false(digest_zero(page));
	assert_int_not_equal(digest_page(page), digest_page(zero));
	memcpy(mem + 2 * HV_PAGE, page, HV_PAGE);
	for (i = 0; i < 4; i++)
		h[i] = digest_page(mem + i * HV_PAGE);
	assert_int_equal(digest_pages(h, 4), digest_memory(mem, 4));
	mem[2 * HV_PAGE + 8]++;
	assert_int_not_equal(digest_pages(h, 4), digest_memory(mem, 4));
	/* Copying with digest_copy: the same digest, the same bytes. */
	memset(page, 0, sizeof(page));
	assert_int_equal(digest_copy(page, mem + 2 * HV_PAGE + 1),
	    digest_page(mem + 2 * HV_PAGE + 1));
	digest_copy_end();
	assert_memory_equal(page, mem + 2 * HV_PAGE + 1, HV_PAGE);
	/* Same pages, other order: another digest. */
	h[0] = h[2];
	h[2] = digest_page(zero);
	assert_int_not_equal(digest_pages(h, 4), digest_memory(mem, 4));
	free(mem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_pages),
		cmocka_unit_test(test_stop_restart),
		cmocka_unit_test(test_vcpu_dirties),
		cmocka_unit_test(test_vcpu_halted),
		cmocka_unit_test(test_fill_boot),
		cmocka_unit_test(test_protect_pieces),
		cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
