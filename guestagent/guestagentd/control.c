/*
 * control.c: the agent's control socket at ipc://LABDIR/GUEST/agent.ctl
 * (protocol in agent_client.h) on common/ctlsrv.h, and the dispatch of
 * its requests.
 *
 * The core admits the lab's keys, decodes with agent_codec and applies
 * agent_may (prepare and complete are the orchestrator's alone, verbose
 * the orchestrator's and operators', status everyone's of the lab).  A
 * prepare or complete is answered when it ends, possibly many loop
 * turns later: the operation takes its conn over (a->op.client).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "log.h"

int
control_open(struct agent *a)
{
	struct ctlsrv_conf	conf;
	char			path[PATH_MAX], ep[PATH_MAX + 8];

	if (labname_agent_sock(a->opts.labdir, config_guest_name(&a->conf),
	    path, sizeof(path)) == NULL || labname_ipc(path, ep,
	    sizeof(ep)) == NULL) {
		log_warnx("%s %s: path too long", GA_MSG_SOCKET, a->nodedir);
		return -1;
	}
	unlink(path);		/* left by an agent that died: ours (lock) */
	conf = (struct ctlsrv_conf){
		.endpoint = ep,
		.keys = &a->keys,
		.codec = &agent_codec,
		.msgid = GA_MSGID,
		.may = agent_may,
	};
	if ((a->ctl = ctlsrv_open(a->zctx, &conf)) == NULL) {
		log_warnx("%s %s: not opened", GA_MSG_SOCKET, ep);
		return -1;
	}
	return 0;
}

void
control_close(struct agent *a)
{
	ctlsrv_close(a->ctl);
	a->ctl = NULL;
}

void
control_answer(struct ctlsrv_conn *cl, struct json_object *data)
{
	if (data != NULL && ctlsrv_data(cl, data) == -1 && cl->valid)
		log_debug("answer not sent: %s", strerror(errno));
	ctlsrv_end(cl);
}

static void
control_verbose(const struct agent_request *rq, struct ctlsrv_conn *cl)
{
	log_setverbose((int)rq->level);
	log_info("log verbosity %d, set by %s", (int)rq->level, cl->who);
	control_answer(cl, NULL);
}

static void
control_dispatch(struct agent *a, const struct agent_request *rq,
    struct ctlsrv_conn *cl)
{
	switch (rq->type) {
	case AGENT_REQ_PREPARE:
		prepare_start(a, rq, cl);
		break;
	case AGENT_REQ_COMPLETE:
		if (a->fsm.op == FSM_OP_PREPARE)
			prepare_abort(a, "a complete request arrived");
		complete_start(a, rq, cl, NULL);
		break;
	case AGENT_REQ_STATUS:
		control_answer(cl, report_status(a));
		break;
	case AGENT_REQ_VERBOSE:
		control_verbose(rq, cl);
		break;
	default:
		ctlsrv_error(cl, REPLY_E_BADREQ, "unknown request");
		break;
	}
}

/* One ZAP request (its socket is readable). */
void
control_zap(struct agent *a)
{
	if (ctlsrv_zap(a->ctl) == -1)
		log_debug("ZAP request: %s", strerror(errno));
}

/* Every request that waits, without blocking. */
void
control_read(struct agent *a)
{
	struct ctlsrv_conn	cl;
	struct agent_request	rq;
	int			rc;

	while ((rc = ctlsrv_recv(a->ctl, &cl, &rq)) != -1)
		if (rc == 1)
			control_dispatch(a, &rq, &cl);
}
