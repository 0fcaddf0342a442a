/*
 * netns.c: named network namespaces, compatible with ip-netns(8).
 *
 * A namespace is kept alive by a bind mount of its nsfs file on
 * /run/netns/NAME, which makes it visible to `ip netns` for people who
 * debug a lab.  The directory is made a shared mount once, as iproute2
 * does, so the mounts propagate to other mount namespaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nslab.h"
#include "nsswitch.h"

#define NETNS_DIR	NSSWITCH_DIR

static int
netns_path(const char *name, char *buf, size_t len)
{
	int	n = snprintf(buf, len, "%s/%s", NETNS_DIR, name);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
netns_prepare_dir(void)
{
	if (mkdir(NETNS_DIR, 0755) == -1 && errno != EEXIST)
		return -1;
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) == -1)
		return -1;
	return mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL);
}

/* A descriptor of the calling thread's network namespace, or -1. */
static int
netns_self(void)
{
	return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

int
netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

/*
 * Create the namespace NAME.  Fails with EEXIST when it exists.  The
 * calling thread is back in its own namespace afterwards.
 */
int
netns_create(const char *name)
{
	char	path[256];
	int	fd, self, saved;

	if (netns_path(name, path, sizeof(path)) == -1 ||
	    netns_prepare_dir() == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0)) == -1)
		return -1;
	close(fd);
	if ((self = netns_self()) == -1)
		goto fail;
	if (unshare(CLONE_NEWNET) == -1)
		goto fail;
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND,
	    NULL) == -1) {
		saved = errno;
		netns_enter(self);
		errno = saved;
		goto fail;
	}
	if (netns_enter(self) == -1)
		goto fail;
	close(self);
	return 0;
fail:
	saved = errno;
	if (self != -1)
		close(self);
	unlink(path);
	errno = saved;
	return -1;
}

/* Open the namespace NAME, or -1 (ENOENT when it does not exist). */
int
netns_open(const char *name)
{
	char	path[256];

	if (netns_path(name, path, sizeof(path)) == -1)
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

bool
netns_exists(const char *name)
{
	char	path[256];

	return netns_path(name, path, sizeof(path)) == 0 &&
	    access(path, F_OK) == 0;
}

/* Remove the namespace NAME; its links go when its last user does. */
int
netns_delete(const char *name)
{
	char	path[256];

	if (netns_path(name, path, sizeof(path)) == -1)
		return -1;
	if (umount2(path, MNT_DETACH) == -1 && errno != EINVAL &&
	    errno != ENOENT)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* Write a sysctl of the namespace named ns: path under /proc/sys. */
int
netns_sysctl(const char *ns, const char *path, const char *value)
{
	char	full[256];
	int	self, fd, rc = -1, saved;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	if ((self = nsswitch_enter(ns)) == -1)
		return -1;
	if ((fd = open(full, O_WRONLY | O_CLOEXEC)) != -1) {
		if (write(fd, value, strlen(value)) ==
		    (ssize_t)strlen(value))
			rc = 0;
		saved = errno;
		close(fd);
	} else
		saved = errno;
	nsswitch_leave(self);
	errno = saved;
	return rc;
}
