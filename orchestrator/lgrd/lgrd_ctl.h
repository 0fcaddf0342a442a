/*
 * lgrd_ctl.h: the control protocol between lgrd and its clients
 * (lgrctl, scripts).  Both sides build against this header and
 * lgrd_ctl.c, its codec.
 *
 * A request is one JSON object {"req":"NAME", ...arguments} sent on a
 * DEALER socket to lgrd's CURVE-authenticated ROUTER socket
 * ipc://LABDIR/lgrd.ctl.  The answer is zero or more data objects and
 * exactly one terminator (common/msg.h).  Requests below
 * LGR_FIRST_WRITE only read (any role of the lab); the others need the
 * operator or orchestrator role and are written to the audit log.
 */
#ifndef LGR_LGRD_CTL_H
#define LGR_LGRD_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "msg.h"

#define LGRD_SOCK_NAME	"lgrd.ctl"
#define LGRD_DB_NAME	"lgr.db"

enum lgr_req {
	LGR_REQ_STATUS,		/* jobs (or one job) with their moves */
	LGR_REQ_HISTORY,	/* one guest's (or every) move */
	LGR_REQ_EVENTS,		/* events after an id */
	LGR_REQ_REPORT,		/* one job's report */
	LGR_REQ_CHECK,		/* can guest move to member? */
	LGR_REQ_PLAN,		/* evacuation plan, nothing done (dry run) */
	LGR_FIRST_WRITE,
	LGR_REQ_EVACUATE = LGR_FIRST_WRITE,
	LGR_REQ_RELOCATE,
	LGR_REQ_CANCEL,		/* a job by id, or a guest's move */
	LGR_REQ_VERBOSE,
	LGR_NREQ,
};

#define LGR_UNSET	UINT64_MAX	/* optional number not given */

struct lgr_request {
	enum lgr_req	 type;
	char		 workload[MSG_NAME_MAX];
	char		 guest[MSG_NAME_MAX];
	char		 from[MSG_NAME_MAX];
	char		 to[MSG_NAME_MAX];
	uint64_t	 id;		/* job id (status, report, cancel) */
	uint64_t	 since;		/* events */
	uint64_t	 parallel;	/* 1-64 */
	uint64_t	 max_blackhole_ms;
	uint64_t	 verbose;
};

/*
 * Terminator error codes {"error":CODE,"text":...}; lgrctl maps each
 * class to its exit code (lgrctl(8)).
 */
enum lgr_error {
	LGR_E_BADREQ = 400,	/* malformed or invalid request */
	LGR_E_DENIED = 403,	/* role may not do this */
	LGR_E_NOTFOUND = 404,	/* unknown guest, member or job */
	LGR_E_CONFLICT = 409,	/* not eligible (data rows precede) */
	LGR_E_BUSY = 423,	/* a job already moves that guest */
	LGR_E_WORKLOAD = 460,	/* unknown workload group */
	LGR_E_EMPTY = 461,	/* nothing of the workload on the source */
	LGR_E_INTERNAL = 500,
};

/* lgrctl's exit codes, one per failure class. */
enum lgrctl_exit {
	LGRCTL_OK = 0,		/* done; every guest moved */
	LGRCTL_USAGE = 1,
	LGRCTL_FAILED = 2,	/* some guests did not move / not eligible */
	LGRCTL_EMPTY = 3,	/* nothing matched the workload on the source */
	LGRCTL_UNKNOWN = 4,	/* unknown workload, guest, member or job */
	LGRCTL_DENIED = 5,	/* key refused or role too weak */
	LGRCTL_UNREACHABLE = 6,	/* lgrd not running or not answering */
	LGRCTL_ERROR = 7,	/* anything else */
};

/* Steps of one guest's move, in pipeline order (lgrd(8)). */
enum lgr_step {
	STEP_PLANNED,
	STEP_CHECK,
	STEP_PREPARE,
	STEP_RELOCATE,
	STEP_COMPLETE,
	STEP_CONVERGE,
	STEP_VERIFY,
	STEP_DONE,
	STEP_MAX,
};

/* lgrd_ctl.c: names and the codec. */
const char	*lgr_req_name(enum lgr_req r);
int		 lgr_req_find(const char *name);	/* -1 if unknown */
bool		 lgr_req_writes(enum lgr_req r);
const char	*lgr_step_name(enum lgr_step s);
int		 lgr_step_find(const char *name);	/* -1 if unknown */
int		 lgr_error_exit(int code);	/* LGRCTL_* of an error */

void		 lgr_request_init(struct lgr_request *r, enum lgr_req type);
/* A new JSON object for r; NULL (ENOMEM). */
struct json_object *lgr_request_encode(const struct lgr_request *r);
/*
 * Decode and validate one request frame: required arguments present,
 * names valid, numbers in range.  Returns 0, or -1 with errno (msg.h)
 * and the reason in msg_errtext().
 */
int		 lgr_request_decode(const void *buf, size_t len,
		    struct lgr_request *r);

/*
 * The report of a job as lgrd sends it ({"job":{...},"moves":[...]}),
 * printed as counts and an itemized table (lgrd writes the same text to
 * its report file).
 */
void		 lgr_report_print(struct json_object *rep, FILE *out);

#endif
