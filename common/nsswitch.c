/*
 * nsswitch.c: enter a named network namespace and leave it (nsswitch.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nsswitch.h"

int
nsswitch_enter(const char *name)
{
	char	path[300];
	int	self, fd, saved;

	if (snprintf(path, sizeof(path), "%s/%s", NSSWITCH_DIR, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    setns(fd, CLONE_NEWNET) == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		close(self);
		errno = saved;
		return -1;
	}
	close(fd);
	return self;
}

void
nsswitch_leave(int self)
{
	if (setns(self, CLONE_NEWNET) == -1)
		abort();	/* a thread in the wrong namespace: a bug */
	close(self);
}
