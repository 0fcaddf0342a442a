/*
 * lgrd_ctl.c: names and codec of lgrd's control protocol (lgrd_ctl.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "lgrd_ctl.h"

/* What each request carries: required and optional members. */
#define A_WORKLOAD	0x001
#define A_GUEST		0x002
#define A_GUEST_OPT	0x004
#define A_FROM_OPT	0x008
#define A_TO		0x010
#define A_TO_OPT	0x020
#define A_ID_OPT	0x040
#define A_SINCE		0x080
#define A_RUN		0x100	/* parallel, max_blackhole */
#define A_VERBOSE	0x200

static const struct lgr_req_desc {
	const char	*name;
	unsigned	 args;
} lgr_reqs[LGR_NREQ] = {
	[LGR_REQ_STATUS] = { "status", A_ID_OPT },
	[LGR_REQ_HISTORY] = { "history", A_GUEST_OPT },
	[LGR_REQ_EVENTS] = { "events", A_SINCE | A_ID_OPT },
	[LGR_REQ_REPORT] = { "report", A_ID_OPT },
	[LGR_REQ_CHECK] = { "check", A_GUEST | A_TO },
	[LGR_REQ_PLAN] = { "plan", A_WORKLOAD | A_FROM_OPT | A_TO_OPT |
	    A_RUN },
	[LGR_REQ_EVACUATE] = { "evacuate", A_WORKLOAD | A_FROM_OPT |
	    A_TO_OPT | A_RUN },
	[LGR_REQ_RELOCATE] = { "relocate", A_GUEST | A_TO | A_RUN },
	[LGR_REQ_CANCEL] = { "cancel", A_GUEST_OPT | A_ID_OPT },
	[LGR_REQ_VERBOSE] = { "verbose", A_VERBOSE },
};

static const char *const lgr_steps[STEP_MAX] = {
	[STEP_PLANNED] = "planned",
	[STEP_CHECK] = "check",
	[STEP_PREPARE] = "prepare",
	[STEP_RELOCATE] = "relocate",
	[STEP_COMPLETE] = "complete",
	[STEP_CONVERGE] = "converge",
	[STEP_VERIFY] = "verify",
	[STEP_DONE] = "done",
};

const char *
lgr_req_name(enum lgr_req r)
{
	return (unsigned)r < LGR_NREQ ? lgr_reqs[r].name : "?";
}

int
lgr_req_find(const char *name)
{
	for (int i = 0; i < LGR_NREQ; i++)
		if (strcmp(lgr_reqs[i].name, name) == 0)
			return i;
	return -1;
}

bool
lgr_req_writes(enum lgr_req r)
{
	return r >= LGR_FIRST_WRITE;
}

const char *
lgr_step_name(enum lgr_step s)
{
	return (unsigned)s < STEP_MAX ? lgr_steps[s] : "?";
}

int
lgr_step_find(const char *name)
{
	for (int i = 0; i < STEP_MAX; i++)
		if (strcmp(lgr_steps[i], name) == 0)
			return i;
	return -1;
}

int
lgr_error_exit(int code)
{
	switch (code) {
	case LGR_E_BADREQ:
		return LGRCTL_USAGE;
	case LGR_E_DENIED:
		return LGRCTL_DENIED;
	case LGR_E_NOTFOUND:
	case LGR_E_WORKLOAD:
		return LGRCTL_UNKNOWN;
	case LGR_E_EMPTY:
		return LGRCTL_EMPTY;
	case LGR_E_CONFLICT:
	case LGR_E_BUSY:
		return LGRCTL_FAILED;
	default:
		return LGRCTL_ERROR;
	}
}

void
lgr_request_init(struct lgr_request *r, enum lgr_req type)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->id = LGR_UNSET;
	r->parallel = LGR_UNSET;
	r->max_blackhole_ms = LGR_UNSET;
}

static void
lgr_put_str(struct json_object *o, const char *key, const char *v)
{
	if (v[0] != '\0')
		json_object_object_add(o, key, json_object_new_string(v));
}

static void
lgr_put_u64(struct json_object *o, const char *key, uint64_t v)
{
	if (v != LGR_UNSET)
		json_object_object_add(o, key, json_object_new_int64(
		    (int64_t)v));
}

struct json_object *
lgr_request_encode(const struct lgr_request *r)
{
	struct json_object	*o;
	unsigned		 a = lgr_reqs[r->type].args;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "req",
	    json_object_new_string(lgr_reqs[r->type].name));
	if (a & A_WORKLOAD)
		lgr_put_str(o, "workload", r->workload);
	if (a & (A_GUEST | A_GUEST_OPT))
		lgr_put_str(o, "guest", r->guest);
	if (a & A_FROM_OPT)
		lgr_put_str(o, "from", r->from);
	if (a & (A_TO | A_TO_OPT))
		lgr_put_str(o, "to", r->to);
	if (a & A_ID_OPT)
		lgr_put_u64(o, "id", r->id);
	if (a & A_SINCE)
		lgr_put_u64(o, "since", r->since);
	if (a & A_RUN) {
		lgr_put_u64(o, "parallel", r->parallel);
		lgr_put_u64(o, "max_blackhole", r->max_blackhole_ms);
	}
	if (a & A_VERBOSE)
		lgr_put_u64(o, "verbose", r->verbose);
	return o;
}

static int
lgr_decode_names(struct json_object *o, unsigned a, struct lgr_request *r)
{
	if ((a & A_WORKLOAD) &&
	    msg_get_name(o, "workload", true, r->workload) == -1)
		return -1;
	if ((a & (A_GUEST | A_GUEST_OPT)) &&
	    msg_get_name(o, "guest", (a & A_GUEST) != 0, r->guest) == -1)
		return -1;
	if ((a & A_FROM_OPT) && msg_get_name(o, "from", false, r->from) == -1)
		return -1;
	if ((a & (A_TO | A_TO_OPT)) &&
	    msg_get_name(o, "to", (a & A_TO) != 0, r->to) == -1)
		return -1;
	return 0;
}

static int
lgr_decode_numbers(struct json_object *o, unsigned a, struct lgr_request *r)
{
	if ((a & A_ID_OPT) &&
	    msg_get_u64(o, "id", false, 1, INT64_MAX, &r->id) == -1)
		return -1;
	if ((a & A_SINCE) &&
	    msg_get_u64(o, "since", false, 0, INT64_MAX, &r->since) == -1)
		return -1;
	if ((a & A_RUN) &&
	    (msg_get_u64(o, "parallel", false, 1, 64, &r->parallel) == -1 ||
	    msg_get_u64(o, "max_blackhole", false, 0, 600000,
	    &r->max_blackhole_ms) == -1))
		return -1;
	if ((a & A_VERBOSE) &&
	    msg_get_u64(o, "verbose", true, 0, 3, &r->verbose) == -1)
		return -1;
	return 0;
}

int
lgr_request_decode(const void *buf, size_t len, struct lgr_request *r)
{
	struct json_object	*o;
	char			 name[MSG_NAME_MAX];
	int			 t, rc = -1;

	if ((o = msg_parse(buf, len)) == NULL)
		return -1;
	if (msg_get_str(o, "req", true, name, sizeof(name)) == -1)
		goto out;
	if ((t = lgr_req_find(name)) == -1) {
		errno = EINVAL;
		goto out;
	}
	lgr_request_init(r, (enum lgr_req)t);
	if (lgr_decode_names(o, lgr_reqs[t].args, r) == -1 ||
	    lgr_decode_numbers(o, lgr_reqs[t].args, r) == -1)
		goto out;
	if (t == LGR_REQ_CANCEL && r->guest[0] == '\0' && r->id == LGR_UNSET) {
		errno = EINVAL;
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

/* --- the report -------------------------------------------------------- */

static const char *
lgr_jstr(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "";
}

/* A timing column: "-" when not measured (null). */
static void
lgr_jms(struct json_object *o, const char *key, char *buf, size_t len)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", json_object_get_double(v));
}

static void
lgr_report_head(struct json_object *job, FILE *out)
{
	int64_t	started = json_object_get_int64(json_object_object_get(job,
		    "started_ms"));
	int64_t	ended = json_object_get_int64(json_object_object_get(job,
		    "ended_ms"));
	time_t	t = (time_t)(started / 1000);
	char	when[32];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	fprintf(out, "%s %s (job %s) by %s, started %s", lgr_jstr(job, "kind"),
	    lgr_jstr(job, "workload"), lgr_jstr(job, "id"), lgr_jstr(job, "who"),
	    when);
	if (ended > started)
		fprintf(out, ", %.1f s", (double)(ended - started) / 1000.0);
	fprintf(out, ", %s\n", lgr_jstr(job, "state"));
	fprintf(out, "moved %s, not moved %s, attempted %s\n",
	    lgr_jstr(job, "moved"), lgr_jstr(job, "not_moved"),
	    lgr_jstr(job, "attempted"));
}

static void
lgr_report_row(struct json_object *m, FILE *out)
{
	char	reloc[16], quiesce[16], down[16], conv[16];

	lgr_jms(m, "reloc_ms", reloc, sizeof(reloc));
	lgr_jms(m, "quiesce_ms", quiesce, sizeof(quiesce));
	lgr_jms(m, "downtime_ms", down, sizeof(down));
	lgr_jms(m, "converge_ms", conv, sizeof(conv));
	fprintf(out, "%-10s %-5s %-5s %-3s %-10s %9s %10s %11s %11s %-10s %s\n",
	    lgr_jstr(m, "guest"), lgr_jstr(m, "from"), lgr_jstr(m, "to"),
	    json_object_get_int(json_object_object_get(m, "hsi")) ? "yes" :
	    "no", lgr_jstr(m, "result")[0] ? lgr_jstr(m, "result") :
	    lgr_jstr(m, "step"), reloc, quiesce, down, conv,
	    lgr_jstr(m, "routecheck")[0] ? lgr_jstr(m, "routecheck") : "-",
	    lgr_jstr(m, "reason"));
}

void
lgr_report_print(struct json_object *rep, FILE *out)
{
	struct json_object	*moves = json_object_object_get(rep, "moves");

	lgr_report_head(json_object_object_get(rep, "job"), out);
	fprintf(out, "%-10s %-5s %-5s %-3s %-10s %9s %10s %11s %11s %-10s %s\n",
	    "GUEST", "FROM", "TO", "HSI", "RESULT", "RELOC-MS", "QUIESCE-MS",
	    "DOWNTIME-MS", "CONVERGE-MS", "ROUTECHECK", "REASON");
	for (size_t i = 0; moves != NULL && i < json_object_array_length(moves);
	    i++)
		lgr_report_row(json_object_array_get_idx(moves, i), out);
}
