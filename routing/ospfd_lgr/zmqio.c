/*
 * zmqio.c: ZeroMQ sockets driven by FRR's event loop.
 *
 * Debian builds FRR without libfrrzmq, so this is our own glue.  A ZeroMQ
 * socket exposes a file descriptor (ZMQ_FD) that only signals edges: it
 * becomes readable when the socket's state changes, and any send, receive
 * or ZMQ_EVENTS query may consume that edge.  So: after every pass we ask
 * ZMQ_EVENTS; if a message is already waiting we schedule an event,
 * otherwise we wait for the fd.  Main thread only.
 */
#include "frr.h"

#include <zmq.h>

#include "common/labname.h"

#include "lgr.h"

#define ZIO_BATCH	64	/* messages per pass before yielding */

struct zio {
	void		*sock;
	int		 fd;
	zio_read_cb	 cb;
	void		*arg;
	struct thread	*t_read;
	struct thread	*t_event;
};

/* The process's one ZeroMQ context; created after ospfd has forked. */
static void	*zio_ctx;

static void	zio_run(struct thread *t);

void *
zio_context(void)
{
	if (zio_ctx == NULL)
		zio_ctx = zmq_ctx_new();
	return zio_ctx;
}

static bool
zio_readable(struct zio *z)
{
	int	events = 0;
	size_t	len = sizeof(events);

	if (zmq_getsockopt(z->sock, ZMQ_EVENTS, &events, &len) == -1)
		return false;
	return (events & ZMQ_POLLIN) != 0;
}

static void
zio_arm(struct zio *z)
{
	if (zio_readable(z))
		thread_add_event(lgr_master(), zio_run, z, 0, &z->t_event);
	else
		thread_add_read(lgr_master(), zio_run, z, z->fd, &z->t_read);
}

static void
zio_run(struct thread *t)
{
	struct zio	*z = THREAD_ARG(t);
	int		 n;

	THREAD_OFF(z->t_read);
	THREAD_OFF(z->t_event);
	for (n = 0; n < ZIO_BATCH && zio_readable(z); n++)
		z->cb(z->sock, z->arg);
	zio_arm(z);
}

void *
zio_attach(void *sock, zio_read_cb cb, void *arg)
{
	struct zio	*z;
	size_t		 len;

	if ((z = calloc(1, sizeof(*z))) == NULL) {
		zlog_warn("%s: out of memory", LGR_NAME);
		return NULL;
	}
	z->sock = sock;
	z->cb = cb;
	z->arg = arg;
	len = sizeof(z->fd);
	if (zmq_getsockopt(sock, ZMQ_FD, &z->fd, &len) == -1) {
		zlog_warn("%s: zmq_getsockopt(ZMQ_FD): %s", LGR_NAME,
		    zmq_strerror(zmq_errno()));
		free(z);
		return NULL;
	}
	zio_arm(z);
	return z;
}

void
zio_detach(void *zio)
{
	struct zio	*z = zio;

	if (z == NULL)
		return;
	THREAD_OFF(z->t_read);
	THREAD_OFF(z->t_event);
	free(z);
}

void *
zio_bind(int type, const char *path, const char *what, zio_setup_cb setup)
{
	char	 ep[PATH_MAX + 8];
	void	*sock;
	int	 zero = 0;

	if (labname_ipc(path, ep, sizeof(ep)) == NULL) {
		zlog_warn("%s %s: %s %s: path too long", LGR_MSG_SOCK,
		    LGR_NAME, what, path);
		return NULL;
	}
	if ((sock = zmq_socket(zio_context(), type)) == NULL)
		goto fail;
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	if (setup != NULL && setup(sock) == -1)
		goto fail;
	unlink(path);
	if (zmq_bind(sock, ep) == -1)
		goto fail;
	return sock;
fail:
	zlog_warn("%s %s: %s %s: %s", LGR_MSG_SOCK, LGR_NAME, what, ep,
	    zmq_strerror(zmq_errno()));
	if (sock != NULL)
		zmq_close(sock);
	return NULL;
}

void
zio_shutdown(void)
{
	if (zio_ctx != NULL)
		zmq_ctx_term(zio_ctx);
	zio_ctx = NULL;
}
