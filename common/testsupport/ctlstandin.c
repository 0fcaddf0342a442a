/*
 * ctlstandin.c: the stand-in daemon of the control clients' tests
 * (ctlstandin.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <zmq.h>

#include "ctlstandin.h"

#define CTLSTANDIN_POLL_MS	20

int
ctlstandin_init(struct ctlstandin *sd, const char *name)
{
	snprintf(sd->dir, sizeof(sd->dir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(sd->dir) == NULL || keys_generate(sd->dir, false) == -1 ||
	    keys_load_server(sd->dir, &sd->keys) == -1)
		return -1;
	return 0;
}

static void *
ctlstandin_run(void *arg)
{
	struct ctlstandin	*sd = arg;
	struct ctlsrv		*s;
	zmq_pollitem_t		 it[2];

	if ((s = ctlsrv_open(sd->ctx, &sd->conf)) == NULL) {
		sd->ready = -1;
		return NULL;
	}
	sd->ready = 1;
	while (!sd->stop) {
		it[0] = (zmq_pollitem_t){ ctlsrv_socket(s), 0, ZMQ_POLLIN, 0 };
		it[1] = (zmq_pollitem_t){ ctlsrv_zap_socket(s), 0, ZMQ_POLLIN,
		    0 };
		if (zmq_poll(it, 2, CTLSTANDIN_POLL_MS) <= 0)
			continue;
		if (it[1].revents & ZMQ_POLLIN)
			ctlsrv_zap(s);
		if (it[0].revents & ZMQ_POLLIN)
			sd->serve(s, sd->arg);
	}
	ctlsrv_close(s);
	return NULL;
}

int
ctlstandin_start(struct ctlstandin *sd, const char *path)
{
	int	rc;

	sd->ready = 0;
	sd->stop = 0;
	snprintf(sd->endpoint, sizeof(sd->endpoint), "ipc://%s", path);
	sd->conf.endpoint = sd->endpoint;
	sd->conf.keys = &sd->keys;
	sd->ctx = zmq_ctx_new();
	zmq_ctx_set(sd->ctx, ZMQ_BLOCKY, 0);
	if ((rc = pthread_create(&sd->thread, NULL, ctlstandin_run, sd)) != 0) {
		errno = rc;
		return -1;
	}
	while (sd->ready == 0)
		usleep(1000);
	return sd->ready == 1 ? 0 : -1;
}

void
ctlstandin_halt(struct ctlstandin *sd)
{
	sd->stop = 1;
	pthread_join(sd->thread, NULL);
	zmq_ctx_term(sd->ctx);
}

int
ctlstandin_stop(struct ctlstandin *sd)
{
	char	cmd[128];

	ctlstandin_halt(sd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", sd->dir);
	return system(cmd) == 0 ? 0 : -1;
}
