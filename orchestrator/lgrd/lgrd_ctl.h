/*
 * lgrd_ctl.h: the control protocol between lgrd and its clients
 * (lgrctl, scripts).  Both sides build against this header and
 * lgrd_ctl.c, its codec table (common/codec.h).
 *
 * A request is one JSON object {"req":"NAME", ...arguments} sent on a
 * DEALER socket to lgrd's CURVE-authenticated ROUTER socket
 * ipc://LABDIR/lgrd.ctl (labname_lgrd_sock()).  The answer is zero or
 * more data objects and exactly one terminator, an error carrying a
 * code of common/reply.h (lgr-reply(7)).  Requests that change state
 * need the operator or orchestrator role and are written to the audit
 * log; the others are open to every role of the lab.
 */
#ifndef LGR_LGRD_CTL_H
#define LGR_LGRD_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "msg.h"

#define LGRD_DB_NAME		"lgr.db"
#define LGRD_PARALLEL_MAX	64
#define LGRD_WAVE_DEFAULT	16	/* guests per wave, --parallel > 1 */
#define LGRD_BLACKHOLE_MAX	600000	/* ms */

/* In the order of the codec table (lgrd_ctl.c). */
enum lgrd_req {
	LGRD_REQ_STATUS,	/* jobs (or one job) with their moves */
	LGRD_REQ_HISTORY,	/* one guest's (or every) move */
	LGRD_REQ_EVENTS,	/* events after an id */
	LGRD_REQ_REPORT,	/* one job's report */
	LGRD_REQ_CHECK,		/* can guest move to member? */
	LGRD_REQ_PLAN,		/* evacuation plan, nothing done (dry run) */
	LGRD_REQ_AUDIT,		/* the audit log after an id */
	LGRD_REQ_EVACUATE,	/* the rest change state */
	LGRD_REQ_RELOCATE,
	LGRD_REQ_CANCEL,	/* a job by id, or a guest's move */
	LGRD_REQ_VERBOSE,
	LGRD_REQ_CONSOLE_URL,	/* a one-time URL of the web console */
	LGRD_NREQ,
};

struct lgrd_request {
	int		 type;		/* enum lgrd_req */
	char		 workload[MSG_NAME_MAX];
	char		 guest[MSG_NAME_MAX];
	char		 from[MSG_NAME_MAX];
	char		 to[MSG_NAME_MAX];
	uint64_t	 id;		/* job id (status, report, cancel) */
	uint64_t	 since;		/* events, audit */
	uint64_t	 parallel;	/* 1-LGRD_PARALLEL_MAX */
	uint64_t	 wave;		/* guests per wave, 1-LGRD_PARALLEL_MAX */
	uint64_t	 max_blackhole_ms;
	uint64_t	 verbose;
	int		 console_role;	/* enum lgrd_console_role */
};

/* The roles of a console URL (the word's index in the codec). */
enum lgrd_console_role {
	LGRD_CONSOLE_VIEWER,
	LGRD_CONSOLE_OPERATOR,
};

/* Steps of one guest's move, in pipeline order (lgrd(8)). */
enum lgrd_step {
	LGRD_STEP_PLANNED,
	LGRD_STEP_CHECK,
	LGRD_STEP_PREPARE,
	LGRD_STEP_RELOCATE,
	LGRD_STEP_COMPLETE,
	LGRD_STEP_CONVERGE,
	LGRD_STEP_VERIFY,
	LGRD_STEP_DONE,
	LGRD_STEP_MAX,
};

/* lgrd_ctl.c: names and the codec. */
extern const struct codec	lgrd_codec;

const char	*lgrd_req_name(int type);
bool		 lgrd_req_writes(int type);
const char	*lgrd_step_name(enum lgrd_step s);
int		 lgrd_step_find(const char *name);	/* -1 if unknown */

void		 lgrd_request_init(struct lgrd_request *r, enum lgrd_req type);
/* A new JSON object for r; NULL (ENOMEM). */
struct json_object *lgrd_request_encode(const struct lgrd_request *r);
/*
 * What the table cannot say: cancel names a guest or a job.  0, or -1
 * with the text in err.
 */
int		 lgrd_request_check(const struct lgrd_request *r, char *err,
		    size_t len);
/*
 * Decode and validate one request frame (codec_decode() and
 * lgrd_request_check()).  Returns 0, or -1 with errno (msg.h) and the
 * reason in msg_errtext().
 */
int		 lgrd_request_decode(const void *buf, size_t len,
		    struct lgrd_request *r);

/* A member of an answer row as text, or def when absent or null. */
const char	*lgrd_row_str(struct json_object *o, const char *key,
		    const char *def);
/* A member of an answer row as a number, or def when absent or null. */
double		 lgrd_row_num(struct json_object *o, const char *key,
		    double def);

/*
 * Did a move of a report end as asked: moved, no routecheck violation,
 * its measured network downtime within the job's --max-blackhole
 * (max_blackhole_ms -1: none)?
 */
bool		 lgrd_move_clean(struct json_object *move,
		    double max_blackhole_ms);

/*
 * The report of a job as lgrd sends it ({"job":{...},"moves":[...]}),
 * printed as counts and an itemized table (lgrd writes the same text to
 * its report file).
 */
void		 lgrd_report_print(struct json_object *rep, FILE *out);

#endif
