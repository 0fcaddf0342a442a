/*
 * vty.c: a non-blocking client of an FRR daemon's vty socket, so that one
 * poll loop can ask every router of a lab at once.  The protocol is
 * vtysh's: the command goes out with a terminating NUL; the daemon
 * answers with the output, three NULs and a status byte (0: success).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "routecheck.h"

#define VTY_MAX_ANSWER	(64u << 20)	/* a 250-guest zebra is ~20 MiB */

struct rc_vty {
	int	 fd;
	char	*cmd;		/* to send, with its NUL */
	size_t	 cmdlen;
	size_t	 sent;
	char	*buf;		/* answer so far */
	size_t	 len;
	size_t	 cap;
};

struct rc_vty *
rc_vty_open(const char *path)
{
	struct sockaddr_un	 sun;
	struct rc_vty		*v;
	int			 saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	/* Connecting to a listening unix socket does not block. */
	if ((v->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(v->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    fcntl(v->fd, F_SETFL, O_NONBLOCK) == -1) {
		saved = errno;
		rc_vty_close(v);
		errno = saved;
		return NULL;
	}
	return v;
}

void
rc_vty_close(struct rc_vty *v)
{
	if (v == NULL)
		return;
	if (v->fd != -1)
		close(v->fd);
	free(v->cmd);
	free(v->buf);
	free(v);
}

int
rc_vty_fd(const struct rc_vty *v)
{
	return v->fd;
}

int
rc_vty_send(struct rc_vty *v, const char *cmd)
{
	if (v->cmd != NULL) {
		errno = EBUSY;
		return -1;
	}
	if ((v->cmd = strdup(cmd)) == NULL)
		return -1;
	v->cmdlen = strlen(cmd) + 1;
	v->sent = 0;
	v->len = 0;
	return 0;
}

bool
rc_vty_want_write(const struct rc_vty *v)
{
	return v->cmd != NULL && v->sent < v->cmdlen;
}

static int
vty_write(struct rc_vty *v)
{
	ssize_t	n;

	n = send(v->fd, v->cmd + v->sent, v->cmdlen - v->sent,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	v->sent += (size_t)n;
	return 0;
}

static bool
vty_complete(const struct rc_vty *v)
{
	return v->len >= 4 && v->buf[v->len - 4] == '\0' &&
	    v->buf[v->len - 3] == '\0' && v->buf[v->len - 2] == '\0';
}

static int
vty_read(struct rc_vty *v)
{
	char	*nb;
	size_t	 ncap;
	ssize_t	 n;

	for (;;) {
		if (v->cap - v->len < 16384) {
			ncap = v->cap ? v->cap * 2 : 65536;
			if (ncap > VTY_MAX_ANSWER) {
				errno = EMSGSIZE;
				return -1;
			}
			if ((nb = realloc(v->buf, ncap)) == NULL)
				return -1;
			v->buf = nb;
			v->cap = ncap;
		}
		n = recv(v->fd, v->buf + v->len, v->cap - v->len - 1,
		    MSG_DONTWAIT);
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (n == -1)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		v->len += (size_t)n;
	}
}

int
rc_vty_io(struct rc_vty *v, char **out, int *status)
{
	if (v->cmd == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (rc_vty_want_write(v))
		return vty_write(v);
	if (vty_read(v) == -1)
		return -1;
	if (!vty_complete(v))
		return 0;
	*status = (unsigned char)v->buf[v->len - 1];
	v->buf[v->len - 4] = '\0';
	*out = v->buf;
	v->buf = NULL;
	v->len = v->cap = 0;
	free(v->cmd);
	v->cmd = NULL;
	return 1;
}
