/*
 * dirty.c: which pages of a guest were written since the last look.
 *
 * The kernel tracks them: the image is registered with a userfaultfd in
 * asynchronous write-protect mode (the kernel resolves the faults
 * itself, marking pages written), and PAGEMAP_SCAN returns the written
 * pages and protects them again in one atomic step.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "compat.h"
#include "hvd.h"
#include "log.h"

#define DIRTY_VEC	512	/* regions per PAGEMAP_SCAN call */
#define DIRTY_UNREG_PAGES 512	/* 2 MiB: under a ms in the kernel */

static int
dirty_uffd(struct guest *g)
{
	struct uffdio_api		api = { 0 };
	struct uffdio_register		reg = { 0 };
	int				fd;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK |
	    UFFD_USER_MODE_ONLY);
	if (fd == -1)
		return -1;
	api.api = UFFD_API;
	api.features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED;
	reg.range.start = (uintptr_t)g->mem;
	reg.range.len = g->len;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (ioctl(fd, UFFDIO_API, &api) == -1 ||
	    ioctl(fd, UFFDIO_REGISTER, &reg) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Register the image for tracking without protecting it: until
 * dirty_protect covers a page, dirty_collect counts it as written if it
 * holds something, and may if it is empty (the kernel reports empty
 * entries of a page table it has, not of one it lacks).
 */
int
dirty_register(struct guest *g)
{
	if (g->uffd != -1)
		return 0;
	if ((g->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if ((g->uffd = dirty_uffd(g)) == -1) {
		close(g->pagemap);
		g->pagemap = -1;
		return -1;
	}
	return 0;
}

/* From now on a write to pages [first, first + n) marks its page. */
int
dirty_protect(struct guest *g, size_t first, size_t n)
{
	struct uffdio_writeprotect	wp = { 0 };

	if (n == 0)
		return 0;
	wp.range.start = (uintptr_t)g->mem + first * HV_PAGE;
	wp.range.len = n * HV_PAGE;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	return ioctl(g->uffd, UFFDIO_WRITEPROTECT, &wp);
}

/* Start tracking: from now on every write marks its page. */
int
dirty_start(struct guest *g)
{
	if (dirty_register(g) == -1)
		return -1;
	if (dirty_protect(g, 0, g->npages) == -1) {
		dirty_stop(g);
		return -1;
	}
	return 0;
}

/*
 * Stop tracking.  Unregistering clears the write-protect bit of every
 * page in the kernel, without a point where it could be preempted: the
 * whole of a 256 MiB image at once held a CPU for 50-100 ms, and every
 * guest on the machine (the one just resumed on the target among them)
 * stopped answering meanwhile.  In pieces of DIRTY_UNREG_PAGES, each
 * well under a ms, others run in between.
 */
void
dirty_stop(struct guest *g)
{
	struct uffdio_range	r;
	size_t			p, n;

	if (g->uffd != -1) {
		for (p = 0; p < g->npages; p += n) {
			n = g->npages - p < DIRTY_UNREG_PAGES ?
			    g->npages - p : DIRTY_UNREG_PAGES;
			r.start = (uintptr_t)g->mem + p * HV_PAGE;
			r.len = n * HV_PAGE;
			ioctl(g->uffd, UFFDIO_UNREGISTER, &r);
		}
		close(g->uffd);
		g->uffd = -1;
	}
	if (g->pagemap != -1) {
		close(g->pagemap);
		g->pagemap = -1;
	}
}

static ssize_t
dirty_scan(struct guest *g, uint32_t *list, uint64_t flags, uint64_t mask,
    uint64_t anyof)
{
	struct page_region	vec[DIRTY_VEC];
	struct pm_scan_arg	a = { 0 };
	uint64_t		p, start = (uintptr_t)g->mem;
	uint64_t		end = start + g->len;
	ssize_t			n = 0;
	long			i, k;

	a.size = sizeof(a);
	a.flags = flags;
	a.end = end;
	a.vec = (uintptr_t)vec;
	a.vec_len = DIRTY_VEC;
	a.category_mask = mask;
	a.category_anyof_mask = anyof;
	a.return_mask = mask | anyof;
	for (a.start = start; a.start < end; a.start = a.walk_end) {
		if ((k = ioctl(g->pagemap, PAGEMAP_SCAN, &a)) == -1)
			return -1;
		for (i = 0; i < k; i++)
			for (p = vec[i].start; p < vec[i].end; p += HV_PAGE)
				list[n++] = (uint32_t)((p - start) / HV_PAGE);
		if (k < DIRTY_VEC && a.walk_end >= end)
			break;
	}
	return n;
}

/* Pages written since the previous call (or dirty_start). */
ssize_t
dirty_collect(struct guest *g, uint32_t *list)
{
	return dirty_scan(g, list, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
	    PAGE_IS_WRITTEN, 0);
}

/* Pages that hold something: present in memory or swapped out. */
ssize_t
dirty_present(struct guest *g, uint32_t *list)
{
	if (g->pagemap == -1 && (g->pagemap = open("/proc/self/pagemap",
	    O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	return dirty_scan(g, list, 0, 0, PAGE_IS_PRESENT | PAGE_IS_SWAPPED);
}
