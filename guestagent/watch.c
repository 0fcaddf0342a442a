/*
 * watch.c: subscriptions to routers' event sockets (ipc://LABDIR/NODE/
 * lgr.ev, routing/lgr_ctl.h) while an operation waits for evidence.  An
 * event only wakes the loop, which then asks the routers again: the
 * events are hints, the answers are the evidence (a subscriber can miss
 * events, never answers).
 */
#include <limits.h>
#include <stdio.h>
#include <zmq.h>

#include "agent.h"
#include "lgr_ctl.h"
#include "log.h"

int
watch_add(struct agent *a, const char *node)
{
	char	ep[PATH_MAX + 32];
	void	*s;
	int	zero = 0;

	if (a->nwatch == WATCH_MAX)
		return -1;
	snprintf(ep, sizeof(ep), "ipc://%s/%s/%s", a->opts.labdir, node,
	    LABNAME_PLUGIN_EVENTS);
	if ((s = zmq_socket(a->zctx, ZMQ_SUB)) == NULL)
		return -1;
	if (zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)) == -1 ||
	    zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_SPF,
	    sizeof(LGR_EV_SPF) - 1) == -1 ||
	    zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_NSM,
	    sizeof(LGR_EV_NSM) - 1) == -1 ||
	    zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_ISM,
	    sizeof(LGR_EV_ISM) - 1) == -1 ||
	    zmq_setsockopt(s, ZMQ_SUBSCRIBE, LGR_EV_DRAIN,
	    sizeof(LGR_EV_DRAIN) - 1) == -1 || zmq_connect(s, ep) == -1) {
		log_debug("%s events of %s: %s", GA_MSG_PLUGIN, node,
		    zmq_strerror(zmq_errno()));
		zmq_close(s);
		return -1;
	}
	a->watch[a->nwatch++] = s;
	return 0;
}

void
watch_clear(struct agent *a)
{
	size_t	i;

	for (i = 0; i < a->nwatch; i++)
		zmq_close(a->watch[i]);
	a->nwatch = 0;
}

size_t
watch_items(struct agent *a, zmq_pollitem_t *it, size_t max)
{
	size_t	i;

	for (i = 0; i < a->nwatch && i < max; i++)
		it[i] = (zmq_pollitem_t){ a->watch[i], 0, ZMQ_POLLIN, 0 };
	return i;
}

/* Drop whatever arrived; true when anything did. */
bool
watch_read(struct agent *a, const zmq_pollitem_t *it, size_t n)
{
	zmq_msg_t	m;
	size_t		i;
	bool		any = false;

	(void)a;
	for (i = 0; i < n; i++) {
		if (!(it[i].revents & ZMQ_POLLIN))
			continue;
		zmq_msg_init(&m);
		while (zmq_msg_recv(&m, it[i].socket, ZMQ_DONTWAIT) != -1)
			any = true;
		zmq_msg_close(&m);
	}
	return any;
}
