/*
 * lgrd_ctl.c: the codec table and names of lgrd's control protocol
 * (lgrd_ctl.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lgrd_ctl.h"

#define R	struct lgrd_request
#define ID_ARG	CODEC_U64_ARG("id", R, id, false, 1, INT64_MAX)
#define SINCE_ARG CODEC_U64_ARG("since", R, since, false, 0, INT64_MAX)
#define RUN_ARGS \
	CODEC_U64_ARG("parallel", R, parallel, false, 1, LGRD_PARALLEL_MAX), \
	CODEC_U64_ARG("wave", R, wave, false, 1, LGRD_PARALLEL_MAX), \
	CODEC_U64_ARG("max_blackhole", R, max_blackhole_ms, false, 0, \
	    LGRD_BLACKHOLE_MAX)

static const struct codec_arg lgrd_args_job[] = { ID_ARG, CODEC_END };
static const struct codec_arg lgrd_args_history[] = {
	CODEC_NAME_ARG("guest", R, guest, false),
	CODEC_END,
};
static const struct codec_arg lgrd_args_events[] = {
	SINCE_ARG,
	ID_ARG,
	CODEC_END,
};
static const struct codec_arg lgrd_args_audit[] = { SINCE_ARG, CODEC_END };
static const struct codec_arg lgrd_args_check[] = {
	CODEC_NAME_ARG("guest", R, guest, true),
	CODEC_NAME_ARG("to", R, to, true),
	CODEC_END,
};
static const struct codec_arg lgrd_args_evacuate[] = {
	CODEC_NAME_ARG("workload", R, workload, true),
	CODEC_NAME_ARG("from", R, from, false),
	CODEC_NAME_ARG("to", R, to, false),
	RUN_ARGS,
	CODEC_END,
};
static const struct codec_arg lgrd_args_relocate[] = {
	CODEC_NAME_ARG("guest", R, guest, true),
	CODEC_NAME_ARG("to", R, to, true),
	RUN_ARGS,
	CODEC_END,
};
static const struct codec_arg lgrd_args_cancel[] = {
	CODEC_NAME_ARG("guest", R, guest, false),
	ID_ARG,
	CODEC_END,
};
static const struct codec_arg lgrd_args_verbose[] = {
	CODEC_U64_ARG("verbose", R, verbose, true, 0, 3),
	CODEC_END,
};

static const char *const lgrd_console_roles[] = { "viewer", "operator",
    NULL };
static const struct codec_arg lgrd_args_console_url[] = {
	CODEC_CHOICE_ARG("role", R, console_role, lgrd_console_roles),
	CODEC_END,
};

static const struct codec_req lgrd_reqs[LGRD_NREQ] = {
	[LGRD_REQ_STATUS] = { "status", false, lgrd_args_job },
	[LGRD_REQ_HISTORY] = { "history", false, lgrd_args_history },
	[LGRD_REQ_EVENTS] = { "events", false, lgrd_args_events },
	[LGRD_REQ_REPORT] = { "report", false, lgrd_args_job },
	[LGRD_REQ_CHECK] = { "check", false, lgrd_args_check },
	[LGRD_REQ_PLAN] = { "plan", false, lgrd_args_evacuate },
	[LGRD_REQ_AUDIT] = { "audit", false, lgrd_args_audit },
	[LGRD_REQ_EVACUATE] = { "evacuate", true, lgrd_args_evacuate },
	[LGRD_REQ_RELOCATE] = { "relocate", true, lgrd_args_relocate },
	[LGRD_REQ_CANCEL] = { "cancel", true, lgrd_args_cancel },
	[LGRD_REQ_VERBOSE] = { "verbose", true, lgrd_args_verbose },
	[LGRD_REQ_CONSOLE_URL] = { "console-url", true,
	    lgrd_args_console_url },
};
#undef R

const struct codec lgrd_codec = {
	.proto = "lgrd",
	.reqs = lgrd_reqs,
	.nreqs = LGRD_NREQ,
	.size = sizeof(struct lgrd_request),
	.type_off = offsetof(struct lgrd_request, type),
};

static const char *const lgrd_steps[LGRD_STEP_MAX] = {
	[LGRD_STEP_PLANNED] = "planned",
	[LGRD_STEP_CHECK] = "check",
	[LGRD_STEP_PREPARE] = "prepare",
	[LGRD_STEP_RELOCATE] = "relocate",
	[LGRD_STEP_COMPLETE] = "complete",
	[LGRD_STEP_CONVERGE] = "converge",
	[LGRD_STEP_VERIFY] = "verify",
	[LGRD_STEP_DONE] = "done",
};

const char *
lgrd_req_name(int type)
{
	return codec_name(&lgrd_codec, type);
}

bool
lgrd_req_writes(int type)
{
	return codec_writes(&lgrd_codec, type);
}

const char *
lgrd_step_name(enum lgrd_step s)
{
	return (unsigned)s < LGRD_STEP_MAX ? lgrd_steps[s] : "?";
}

int
lgrd_step_find(const char *name)
{
	for (int i = 0; i < LGRD_STEP_MAX; i++)
		if (strcmp(lgrd_steps[i], name) == 0)
			return i;
	return -1;
}

void
lgrd_request_init(struct lgrd_request *r, enum lgrd_req type)
{
	codec_init(&lgrd_codec, r, (int)type);
}

struct json_object *
lgrd_request_encode(const struct lgrd_request *r)
{
	return codec_encode(&lgrd_codec, r);
}

int
lgrd_request_check(const struct lgrd_request *r, char *err, size_t len)
{
	if (r->type == LGRD_REQ_CANCEL && r->guest[0] == '\0' &&
	    r->id == CODEC_UNSET) {
		snprintf(err, len, "cancel: a guest or a job id is needed");
		return -1;
	}
	return 0;
}

int
lgrd_request_decode(const void *buf, size_t len, struct lgrd_request *r)
{
	char	err[128];

	if (codec_decode(&lgrd_codec, buf, len, r) == -1)
		return -1;
	if (lgrd_request_check(r, err, sizeof(err)) == -1)
		return msg_fail(EINVAL, "%s", err);
	return 0;
}

/* --- the report -------------------------------------------------------- */

const char *
lgrd_row_str(struct json_object *o, const char *key, const char *def)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : def;
}

double
lgrd_row_num(struct json_object *o, const char *key, double def)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_double(v) : def;
}

bool
lgrd_move_clean(struct json_object *move, double max_blackhole_ms)
{
	return strcmp(lgrd_row_str(move, "result", ""), "moved") == 0 &&
	    strcmp(lgrd_row_str(move, "routecheck", ""), "violations") != 0 &&
	    (max_blackhole_ms < 0 || lgrd_row_num(move, "downtime_ms", -1) <=
	    max_blackhole_ms);
}

static const char *
lgrd_report_str(struct json_object *o, const char *key)
{
	return lgrd_row_str(o, key, "");
}

/* A timing column: "-" when not measured (null). */
static void
lgrd_jms(struct json_object *o, const char *key, char *buf, size_t len)
{
	double	v = lgrd_row_num(o, key, -1);

	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", v);
}

static void
lgrd_report_head(struct json_object *job, FILE *out)
{
	int64_t	started = json_object_get_int64(json_object_object_get(job,
		    "started_ms"));
	int64_t	ended = json_object_get_int64(json_object_object_get(job,
		    "ended_ms"));
	time_t	t = (time_t)(started / 1000);
	char	when[32];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	fprintf(out, "%s %s (job %s) by %s, started %s",
	    lgrd_report_str(job, "kind"), lgrd_report_str(job, "workload"),
	    lgrd_report_str(job, "id"), lgrd_report_str(job, "who"), when);
	if (ended > started)
		fprintf(out, ", %.1f s", (double)(ended - started) / 1000.0);
	fprintf(out, ", %s\n", lgrd_report_str(job, "state"));
	fprintf(out, "moved %s, not moved %s, attempted %s\n",
	    lgrd_report_str(job, "moved"), lgrd_report_str(job, "not_moved"),
	    lgrd_report_str(job, "attempted"));
}

static void
lgrd_report_row(struct json_object *m, FILE *out)
{
	char	reloc[16], quiesce[16], down[16], conv[16];

	lgrd_jms(m, "reloc_ms", reloc, sizeof(reloc));
	lgrd_jms(m, "quiesce_ms", quiesce, sizeof(quiesce));
	lgrd_jms(m, "downtime_ms", down, sizeof(down));
	lgrd_jms(m, "converge_ms", conv, sizeof(conv));
	fprintf(out, "%-10s %-4s %-5s %-5s %-3s %-10s %9s %10s %11s %11s %-10s "
	    "%s\n", lgrd_report_str(m, "guest"), lgrd_report_str(m, "wave")[0] ?
	    lgrd_report_str(m, "wave") : "-", lgrd_report_str(m, "from"),
	    lgrd_report_str(m, "to"), lgrd_row_num(m, "hsi", 0) ? "yes" : "no",
	    lgrd_report_str(m, "result")[0] ? lgrd_report_str(m, "result") :
	    lgrd_report_str(m, "step"), reloc, quiesce, down, conv,
	    lgrd_report_str(m, "routecheck")[0] ?
	    lgrd_report_str(m, "routecheck") : "-",
	    lgrd_report_str(m, "reason"));
}

void
lgrd_report_print(struct json_object *rep, FILE *out)
{
	struct json_object	*moves = json_object_object_get(rep, "moves");

	lgrd_report_head(json_object_object_get(rep, "job"), out);
	fprintf(out, "%-10s %-4s %-5s %-5s %-3s %-10s %9s %10s %11s %11s %-10s "
	    "%s\n", "GUEST", "WAVE", "FROM", "TO", "HSI", "RESULT", "RELOC-MS", "QUIESCE-MS",
	    "DOWNTIME-MS", "CONVERGE-MS", "ROUTECHECK", "REASON");
	for (size_t i = 0; moves != NULL && i < json_object_array_length(moves);
	    i++)
		lgrd_report_row(json_object_array_get_idx(moves, i), out);
}
