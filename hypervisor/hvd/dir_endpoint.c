/*
 * dir_endpoint.c: where a client (hvctl, lgrd) reaches a member's hvd.
 * On the member's own host hvd makes its control socket in the lab
 * directory (ipc://LABDIR/hvd-MEMBER.ctl); a member on another machine
 * has none there, and the client takes the tcp:// endpoint the member
 * published in the cluster directory when it joined (hvd --listen).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dir_endpoint.h"
#include "directory.h"
#include "labname.h"

/* The tcp:// control endpoint member published: 0, or -1. */
static int
dir_published_ctl(const char *labdir, const char *member, char *ep,
    size_t len)
{
	struct dir_conf	 dc;
	struct dir	*d;
	char		 chan[256];
	int		 rc = -1;

	if (dir_conf_read(&dc, labdir) == -1 || (d = dir_open(&dc)) == NULL)
		return -1;
	if (dir_member_endpoints(d, member, ep, chan, len) == 1 &&
	    strncmp(ep, "tcp://", 6) == 0)
		rc = 0;
	dir_close(d);
	return rc;
}

int
dir_hvd_endpoint(const char *labdir, const char *member, char *ep,
    size_t len)
{
	char	path[PATH_MAX];

	if (labname_hvd_sock(labdir, member, path, sizeof(path)) == NULL)
		return -1;
	if (access(path, F_OK) != 0 &&
	    dir_published_ctl(labdir, member, ep, len) == 0)
		return 0;
	/* Not published either: the IPC path, whose absence says why. */
	return labname_ipc(path, ep, len) == NULL ? -1 : 0;
}
