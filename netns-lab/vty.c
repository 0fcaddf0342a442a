/*
 * vty.c: a client of FRR's vty sockets, the protocol vtysh speaks: a
 * command is sent NUL-terminated; the daemon answers with the output
 * followed by three NUL bytes and a status byte (0: success).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "nslab.h"

#define VTY_TIMEOUT_MS	5000

struct vty_conn {
	int	fd;
};

struct vty_conn *
vty_open(const char *sockpath)
{
	struct sockaddr_un	 sun;
	struct vty_conn		*v;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sockpath) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, sockpath);
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if ((v->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(v->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int	saved = errno;

		vty_close(v);
		errno = saved;
		return NULL;
	}
	return v;
}

void
vty_close(struct vty_conn *v)
{
	if (v == NULL)
		return;
	if (v->fd != -1)
		close(v->fd);
	free(v);
}

static int
vty_send(struct vty_conn *v, const char *cmd)
{
	size_t	len = strlen(cmd) + 1, off = 0;
	ssize_t	n;

	while (off < len) {
		if ((n = send(v->fd, cmd + off, len - off, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Does the buffer end with the 3-NUL terminator and a status byte? */
static bool
vty_done(const char *buf, size_t len)
{
	return len >= 4 && buf[len - 4] == '\0' && buf[len - 3] == '\0' &&
	    buf[len - 2] == '\0';
}

/*
 * Run one command.  *out receives the output (malloc'ed, NUL-terminated).
 * Returns the daemon's status (0: success), or -1 with errno set.
 */
int
vty_exec(struct vty_conn *v, const char *cmd, char **out)
{
	struct pollfd	 pfd = { v->fd, POLLIN, 0 };
	char		*buf = NULL, *nb;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;

	if (vty_send(v, cmd) == -1)
		return -1;
	while (!vty_done(buf, len)) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		if (poll(&pfd, 1, VTY_TIMEOUT_MS) <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if ((n = recv(v->fd, buf + len, cap - len - 1, 0)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == 0)
				errno = ECONNRESET;
			goto fail;
		}
		len += (size_t)n;
	}
	buf[len - 4] = '\0';
	*out = buf;
	return (unsigned char)buf[len - 1];
fail:
	free(buf);
	return -1;
}

/* Run a command that answers JSON; NULL on failure or unparsable text. */
json_object *
vty_json(struct vty_conn *v, const char *cmd)
{
	json_object	*j;
	char		*out;

	if (vty_exec(v, cmd, &out) != 0)
		return NULL;
	j = json_tokener_parse(out);
	free(out);
	if (j == NULL)
		errno = EBADMSG;
	return j;
}
