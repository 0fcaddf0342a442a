/*
 * store.c: a target's image filling up as pages arrive.
 *
 * The image is registered with a userfaultfd in missing mode, so that a
 * page not yet present is allocated and filled in one step (UFFDIO_COPY)
 * instead of being zeroed first and overwritten after; a page present
 * already (sent again by a later pass) is copied over.  Nothing may read
 * or write the image through the registration, which would wait for an
 * answer nobody gives: close the store before the image is digested or
 * run.  Pages never sent stay unpopulated and read as zero.
 */
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "hvd.h"

/*
 * Register [mem, mem + len).  Returns the userfaultfd, or -1 with errno
 * set when the kernel has none for us: the caller then stores with
 * plain copies (store_pages with fd -1).
 */
int
store_open(uint8_t *mem, size_t len)
{
	struct uffdio_api	api = { 0 };
	struct uffdio_register	reg = { 0 };
	int			fd, saved;

	if (sysconf(_SC_PAGESIZE) != HV_PAGE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK |
	    UFFD_USER_MODE_ONLY);
	if (fd == -1)
		return -1;
	api.api = UFFD_API;
	reg.range.start = (uintptr_t)mem;
	reg.range.len = len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_API, &api) == -1 ||
	    ioctl(fd, UFFDIO_REGISTER, &reg) == -1 ||
	    (reg.ioctls & ((uint64_t)1 << _UFFDIO_COPY)) == 0) {
		saved = errno;
		close(fd);
		errno = reg.ioctls == 0 ? saved : EOPNOTSUPP;
		return -1;
	}
	return fd;
}

/* Unregister: from now on the image is ordinary memory. */
void
store_close(int fd, uint8_t *mem, size_t len)
{
	struct uffdio_range	r;

	if (fd == -1)
		return;
	r.start = (uintptr_t)mem;
	r.len = len;
	ioctl(fd, UFFDIO_UNREGISTER, &r);
	close(fd);
}

/* Consecutive page numbers at the start of list[0, n). */
static uint32_t
store_run(const uint32_t *list, uint32_t n)
{
	uint32_t	k = 1;

	while (k < n && list[k] == list[k - 1] + 1)
		k++;
	return k;
}

/*
 * One run of n pages at dst: UFFDIO_COPY while the pages are missing, a
 * copy for each page present already.
 */
static int
store_copy(int fd, uint8_t *dst, const uint8_t *src, size_t n)
{
	struct uffdio_copy	c;
	size_t			done = 0, len = n * HV_PAGE;

	while (done < len) {
		memset(&c, 0, sizeof(c));
		c.dst = (uintptr_t)(dst + done);
		c.src = (uintptr_t)(src + done);
		c.len = len - done;
		c.mode = UFFDIO_COPY_MODE_DONTWAKE;
		if (ioctl(fd, UFFDIO_COPY, &c) == 0) {
			done = len;
			break;
		}
		if (c.copy > 0)
			done += (size_t)c.copy;
		if (errno == EEXIST) {
			memcpy(dst + done, src + done, HV_PAGE);
			done += HV_PAGE;
		} else if (errno != EAGAIN)
			return -1;
	}
	return 0;
}

/*
 * Store n pages, page list[i] from data + i * HV_PAGE, and with hashes
 * their digests in hashes[list[i]].  The page numbers were validated.
 * Returns 0, or -1 with errno set (ENOMEM: no memory for a page).
 */
int
store_pages(int fd, uint8_t *mem, const uint32_t *list, uint32_t n,
    const uint8_t *data, uint64_t *hashes)
{
	uint64_t	h;
	uint32_t	i, k;

	if (fd == -1) {
		/* Populated memory: copy and digest in one read. */
		for (i = 0; i < n; i++) {
			h = digest_copy(mem + (size_t)list[i] * HV_PAGE, data +
			    (size_t)i * HV_PAGE);
			if (hashes != NULL)
				hashes[list[i]] = h;
		}
		digest_copy_end();
		return 0;
	}
	if (hashes != NULL)
		for (i = 0; i < n; i++)
			hashes[list[i]] = digest_page(data + (size_t)i *
			    HV_PAGE);
	for (i = 0; i < n; i += k) {
		k = store_run(list + i, n - i);
		if (store_copy(fd, mem + (size_t)list[i] * HV_PAGE, data +
		    (size_t)i * HV_PAGE, k) == -1)
			return -1;
	}
	return 0;
}
