/*
 * watch.c: subscriptions to routers' event sockets (ipc://LABDIR/NODE/
 * lgr.ev, routing/lgr_ctl.h) while an operation waits for evidence.  An
 * event only wakes the loop and marks its router (pace.c says when to
 * ask it again): the events are hints, the answers are the evidence (a
 * subscriber can miss events, never answers).
 */
#include <limits.h>
#include <stdio.h>
#include <zmq.h>

#include "agent.h"
#include "lgr_ctl.h"
#include "log.h"

/*
 * Subscribe to node's events: every topic the agent reads (own), or
 * only SPF runs (a peer: only its routes matter).  Returns the watch's
 * index, or -1 (not watched: the pace alone asks it).
 */
int
watch_add(struct agent *a, const char *node, bool own)
{
	char	path[PATH_MAX], ep[PATH_MAX + 8];
	void	*s;
	size_t	len;
	int	zero = 0;

	if (a->nwatch == WATCH_MAX || labname_plugin_events(a->opts.labdir,
	    node, path, sizeof(path)) == NULL || labname_ipc(path, ep,
	    sizeof(ep)) == NULL)
		return -1;
	if ((s = zmq_socket(a->zctx, ZMQ_SUB)) == NULL)
		return -1;
	if (zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_SPF,
	    sizeof(LGR_EV_SPF) - 1) == -1 || (own &&
	    (zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_NSM,
	    sizeof(LGR_EV_NSM) - 1) == -1 ||
	    zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_ISM,
	    sizeof(LGR_EV_ISM) - 1) == -1 ||
	    zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_DRAIN,
	    sizeof(LGR_EV_DRAIN) - 1) == -1)) || zmq_connect(s, ep) == -1) {
		log_debug("%s events of %s: %s", GA_MSG_PLUGIN, node,
		    zmq_strerror(zmq_errno()));
		zmq_close(s);
		return -1;
	}
	len = sizeof(a->watch_fd[0]);
	if (zmq_getsockopt(s, ZMQ_FD, &a->watch_fd[a->nwatch], &len) == -1) {
		zmq_close(s);
		return -1;
	}
	a->fired[a->nwatch] = false;
	a->watch[a->nwatch++] = s;
	return (int)a->nwatch - 1;
}

void
watch_clear(struct agent *a)
{
	size_t	i;

	for (i = 0; i < a->nwatch; i++)
		zmq_close(a->watch[i]);
	a->nwatch = 0;
}

/*
 * The poll items of the subscriptions: each socket's ZMQ_FD as a plain
 * descriptor.  Given as ZeroMQ sockets, every zmq_poll() of the loop
 * would ask each of them for its events (two system calls a socket)
 * before it even sleeps: with 25 peers watched and the loop waking
 * every 10 ms, most of a preparing agent's CPU.  The descriptor says
 * only that something may have come; watch_read() then reads until
 * nothing is left, which is what re-arms it.
 */
size_t
watch_items(struct agent *a, zmq_pollitem_t *it, size_t max)
{
	size_t	i;

	for (i = 0; i < a->nwatch && i < max; i++)
		it[i] = (zmq_pollitem_t){ NULL, a->watch_fd[i], ZMQ_POLLIN, 0 };
	return i;
}

/* Drop whatever arrived, marking its router; true when anything did. */
bool
watch_read(struct agent *a, const zmq_pollitem_t *it, size_t n)
{
	zmq_msg_t	m;
	size_t		i;
	bool		any = false;

	for (i = 0; i < n && i < a->nwatch; i++) {
		if (!(it[i].revents & ZMQ_POLLIN))
			continue;
		zmq_msg_init(&m);
		while (zmq_msg_recv(&m, a->watch[i], ZMQ_DONTWAIT) != -1)
			any = a->fired[i] = true;
		zmq_msg_close(&m);
	}
	return any;
}

/* Did watch i's router publish an event since last asked?  Clears it. */
bool
watch_fired(struct agent *a, int i)
{
	bool	fired;

	if (i < 0 || (size_t)i >= a->nwatch)
		return false;
	fired = a->fired[i];
	a->fired[i] = false;
	return fired;
}
