/*
 * output.c: lgrctl's formatters, text tables or JSON arrays, so that
 * JSON never touches the request loop (ospfctl's struct output).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lgrctl.h"

static int	output_rows;	/* rows printed by the JSON formatter */

static const char *
out_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "-";
}

static double
out_num(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_double(v) : -1;
}

static void
out_time(struct json_object *o, const char *key, char *buf, size_t len)
{
	time_t	t = (time_t)(out_num(o, key) / 1000);

	if (t <= 0)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%H:%M:%S", localtime(&t));
}

static void
out_ms(struct json_object *o, const char *key, char *buf, size_t len)
{
	double	v = out_num(o, key);

	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", v);
}

/* --- text ------------------------------------------------------------------ */

static void
text_begin(enum lgr_req req)
{
	switch (req) {
	case LGR_REQ_STATUS:
		printf("%-5s %-9s %-10s %-10s %5s %9s %9s %8s %s\n", "JOB",
		    "KIND", "WORKLOAD", "STATE", "MOVED", "NOT-MOVED",
		    "ATTEMPTED", "STARTED", "REPORT");
		break;
	case LGR_REQ_HISTORY:
		printf("%-5s %-10s %-5s %-5s %-3s %-10s %9s %10s %11s %11s "
		    "%s\n", "JOB", "GUEST", "FROM", "TO", "HSI", "RESULT",
		    "RELOC-MS", "QUIESCE-MS", "DOWNTIME-MS", "CONVERGE-MS",
		    "REASON");
		break;
	case LGR_REQ_EVENTS:
		printf("%-8s %-5s %-20s %-10s %s\n", "TIME", "JOB", "ID",
		    "GUEST", "TEXT");
		break;
	case LGR_REQ_CHECK:
		printf("%-22s %-4s %s\n", "CHECK", "OK", "TEXT");
		break;
	case LGR_REQ_PLAN:
		printf("%-10s %-5s %-5s %-3s %-8s %7s %12s %s\n", "GUEST",
		    "FROM", "TO", "HSI", "ELIGIBLE", "MIB", "PREDICTED-MS",
		    "REASON");
		break;
	default:
		break;
	}
}

static void
text_status(struct json_object *rep)
{
	struct json_object	*j = json_object_object_get(rep, "job");
	char			 t[16];

	out_time(j, "started_ms", t, sizeof(t));
	printf("%-5s %-9s %-10s %-10s %5s %9s %9s %8s %s\n", out_str(j, "id"),
	    out_str(j, "kind"), out_str(j, "workload"), out_str(j, "state"),
	    out_str(j, "moved"), out_str(j, "not_moved"),
	    out_str(j, "attempted"), t, out_str(j, "report"));
}

static void
text_history(struct json_object *o)
{
	char	r[16], q[16], d[16], c[16];

	out_ms(o, "reloc_ms", r, sizeof(r));
	out_ms(o, "quiesce_ms", q, sizeof(q));
	out_ms(o, "downtime_ms", d, sizeof(d));
	out_ms(o, "converge_ms", c, sizeof(c));
	printf("%-5s %-10s %-5s %-5s %-3s %-10s %9s %10s %11s %11s %s\n",
	    out_str(o, "job"), out_str(o, "guest"), out_str(o, "from"),
	    out_str(o, "to"), out_num(o, "hsi") > 0 ? "yes" : "no",
	    out_str(o, "result"), r, q, d, c, out_str(o, "reason"));
}

static void
text_check(struct json_object *o)
{
	struct json_object	*v;
	bool			 ok = json_object_object_get_ex(o, "ok", &v) &&
				    json_object_get_boolean(v);

	printf("%-22s %-4s %s\n", out_str(o, "check"), ok ? "yes" : "NO",
	    out_str(o, "text"));
}

static void
text_plan(struct json_object *o)
{
	struct json_object	*v;
	bool			 el = json_object_object_get_ex(o, "eligible",
				    &v) && json_object_get_boolean(v);

	printf("%-10s %-5s %-5s %-3s %-8s %7.0f %12.0f %s\n", out_str(o,
	    "guest"), out_str(o, "from"), out_str(o, "to"), out_num(o, "hsi") >
	    0 ? "yes" : "no", el ? "yes" : "NO", out_num(o, "memory_mib"),
	    out_num(o, "predicted_ms"), out_str(o, "reason"));
}

void
output_event(struct json_object *ev)
{
	char	t[16];

	out_time(ev, "ts_ms", t, sizeof(t));
	printf("%-8s %-5s %-20s %-10s %s\n", t, out_str(ev, "job"),
	    out_str(ev, "msgid"), out_str(ev, "guest"), out_str(ev, "text"));
}

static void
text_row(enum lgr_req req, struct json_object *o)
{
	switch (req) {
	case LGR_REQ_STATUS:
		text_status(o);
		break;
	case LGR_REQ_REPORT:
		lgr_report_print(o, stdout);
		break;
	case LGR_REQ_HISTORY:
		text_history(o);
		break;
	case LGR_REQ_EVENTS:
		output_event(o);
		break;
	case LGR_REQ_CHECK:
		text_check(o);
		break;
	case LGR_REQ_PLAN:
		text_plan(o);
		break;
	case LGR_REQ_EVACUATE:
	case LGR_REQ_RELOCATE:
		printf("job %s started: %s guest(s), parallel %s\n",
		    out_str(o, "id"), out_str(o, "guests"),
		    out_str(o, "parallel"));
		break;
	default:
		printf("%s\n", json_object_to_json_string(o));
	}
}

static void
text_end(enum lgr_req req)
{
	(void)req;
	fflush(stdout);
}

const struct output output_text = { text_begin, text_row, text_end };

/* --- JSON ------------------------------------------------------------------ */

static void
json_begin(enum lgr_req req)
{
	(void)req;
	output_rows = 0;
	printf("[");
}

static void
json_row(enum lgr_req req, struct json_object *o)
{
	(void)req;
	printf("%s\n%s", output_rows++ ? "," : "",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
json_end(enum lgr_req req)
{
	(void)req;
	printf("\n]\n");
	fflush(stdout);
}

const struct output output_json = { json_begin, json_row, json_end };

/* --- progress --------------------------------------------------------------- */

void
output_progress(struct json_object *rep, bool tty)
{
	struct json_object	*moves = json_object_object_get(rep, "moves");
	struct json_object	*cur = NULL, *m;
	size_t			 n = moves ? json_object_array_length(moves) : 0;
	size_t			 done = 0;
	char			 line[256];

	for (size_t i = 0; i < n; i++) {
		m = json_object_array_get_idx(moves, i);
		if (strcmp(out_str(m, "step"), "done") == 0)
			done++;
		else if (cur == NULL && strcmp(out_str(m, "step"), "planned"))
			cur = m;
	}
	if (cur == NULL)
		snprintf(line, sizeof(line), "[%zu/%zu done]", done, n);
	else
		snprintf(line, sizeof(line), "[guest %zu of %zu] %s %s -> %s: "
		    "%s %s", done + 1, n, out_str(cur, "guest"), out_str(cur,
		    "from"), out_str(cur, "to"), out_str(cur, "step"),
		    strcmp(out_str(cur, "step"), "relocate") == 0 ? out_str(cur,
		    "progress") : "");
	if (tty)
		fprintf(stderr, "\r\033[K%.*s", 150, line);
	else
		fprintf(stderr, "%s\n", line);
}
