/*
 * output.c: lgrctl's formatters, text tables or JSON arrays, so that
 * JSON never touches the request loop (ospfctl's struct output).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lgrctl.h"

/* Rows printed by the JSON formatter so far (lgrctl has one thread). */
static int	output_rows;

/* Members of answer rows: "-" and -1 when absent. */
static const char *
out_str(struct json_object *o, const char *key)
{
	return lgrd_row_str(o, key, "-");
}

static double
out_num(struct json_object *o, const char *key)
{
	return lgrd_row_num(o, key, -1);
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
text_begin(enum lgrd_req req)
{
	switch (req) {
	case LGRD_REQ_STATUS:
		printf("%-5s %-9s %-10s %-10s %5s %9s %9s %8s %s\n", "JOB",
		    "KIND", "WORKLOAD", "STATE", "MOVED", "NOT-MOVED",
		    "ATTEMPTED", "STARTED", "REPORT");
		break;
	case LGRD_REQ_HISTORY:
		printf("%-5s %-10s %-5s %-5s %-3s %-10s %9s %10s %11s %11s "
		    "%s\n", "JOB", "GUEST", "FROM", "TO", "HSI", "RESULT",
		    "RELOC-MS", "QUIESCE-MS", "DOWNTIME-MS", "CONVERGE-MS",
		    "REASON");
		break;
	case LGRD_REQ_EVENTS:
		printf("%-8s %-5s %-20s %-10s %s\n", "TIME", "JOB", "ID",
		    "GUEST", "TEXT");
		break;
	case LGRD_REQ_CHECK:
		printf("%-22s %-4s %s\n", "CHECK", "OK", "TEXT");
		break;
	case LGRD_REQ_PLAN:
		printf("%-10s %-4s %-5s %-5s %-3s %-8s %7s %12s %s\n",
		    "GUEST", "WAVE", "FROM", "TO", "HSI", "ELIGIBLE", "MIB",
		    "PREDICTED-MS", "REASON");
		break;
	case LGRD_REQ_AUDIT:
		printf("%-19s %-12s %-9s %-30s %s\n", "TIME", "WHO", "WHAT",
		    "ARGS", "RESULT");
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

/* A wave's line: "wave 1/3: 4 guests (4 HSI), 2 relocations at once
 * (4 asked; VM9 allows 2 relocations out), 256 MiB, predicted 2400 ms". */
static void
text_plan_wave(struct json_object *o)
{
	struct json_object	*why;
	int			 n = (int)out_num(o, "guests");
	int			 par = (int)out_num(o, "parallel");

	printf("wave %s/%s: %d guest%s (%s HSI), %d relocation%s at once",
	    out_str(o, "wave"), out_str(o, "waves"), n, n == 1 ? "" : "s",
	    out_str(o, "hsi_guests"), par, par == 1 ? "" : "s");
	if (json_object_object_get_ex(o, "parallel_why", &why) && why != NULL)
		printf(" (%s)", json_object_get_string(why));
	printf(", %.0f MiB, predicted %.0f ms\n", out_num(o, "memory_mib"),
	    out_num(o, "predicted_ms"));
}

static void
text_plan(struct json_object *o)
{
	struct json_object	*v;
	bool			 el = json_object_object_get_ex(o, "eligible",
				    &v) && json_object_get_boolean(v);

	if (!json_object_object_get_ex(o, "guest", &v)) {
		text_plan_wave(o);
		return;
	}
	printf("%-10s %-4s %-5s %-5s %-3s %-8s %7.0f %12.0f %s\n", out_str(o,
	    "guest"), out_str(o, "wave"), out_str(o, "from"), out_str(o, "to"),
	    out_num(o, "hsi") > 0 ? "yes" : "no", el ? "yes" : "NO",
	    out_num(o, "memory_mib"), out_num(o, "predicted_ms"),
	    out_str(o, "reason"));
}

static void
text_audit(struct json_object *o)
{
	time_t	t = (time_t)(out_num(o, "ts_ms") / 1000);
	char	when[32];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	printf("%-19s %-12s %-9s %-30s %s\n", when, out_str(o, "who"),
	    out_str(o, "what"), out_str(o, "args"), out_str(o, "result"));
}

void
output_moves(struct json_object *rep)
{
	struct json_object	*moves = json_object_object_get(rep, "moves");
	struct json_object	*m;
	const char		*note;

	printf("\n%-10s %-4s %-5s %-5s %-3s %-9s %-10s %-10s %s\n", "GUEST",
	    "WAVE", "FROM", "TO", "HSI", "STEP", "RESULT", "ROUTECHECK",
	    "NOTE");
	for (size_t i = 0; moves != NULL && i < json_object_array_length(moves);
	    i++) {
		m = json_object_array_get_idx(moves, i);
		note = strcmp(out_str(m, "step"), "done") != 0 &&
		    out_str(m, "progress")[0] != '\0' ? out_str(m, "progress") :
		    out_str(m, "reason");
		printf("%-10s %-4s %-5s %-5s %-3s %-9s %-10s %-10s %s\n",
		    out_str(m, "guest"), out_str(m, "wave"),
		    out_str(m, "from"), out_str(m, "to"),
		    out_num(m, "hsi") > 0 ? "yes" : "no", out_str(m, "step"),
		    out_str(m, "result")[0] ? out_str(m, "result") : "-",
		    out_str(m, "routecheck")[0] ? out_str(m, "routecheck") :
		    "-", note[0] ? note : "-");
	}
}

void
output_started(struct json_object *o)
{
	struct json_object	*why;

	printf("job %s started: %s guest(s), parallel %s", out_str(o, "id"),
	    out_str(o, "guests"), out_str(o, "parallel"));
	if (json_object_object_get_ex(o, "parallel_why", &why) && why != NULL)
		printf(" (%s)", json_object_get_string(why));
	if (out_num(o, "waves") > 0)
		printf(", %s wave%s of up to %s", out_str(o, "waves"),
		    out_num(o, "waves") == 1 ? "" : "s", out_str(o,
		    "wave_size"));
	printf("\n");
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
text_row(enum lgrd_req req, struct json_object *o)
{
	switch (req) {
	case LGRD_REQ_STATUS:
		text_status(o);
		break;
	case LGRD_REQ_REPORT:
		lgrd_report_print(o, stdout);
		break;
	case LGRD_REQ_HISTORY:
		text_history(o);
		break;
	case LGRD_REQ_EVENTS:
		output_event(o);
		break;
	case LGRD_REQ_CHECK:
		text_check(o);
		break;
	case LGRD_REQ_PLAN:
		text_plan(o);
		break;
	case LGRD_REQ_AUDIT:
		text_audit(o);
		break;
	case LGRD_REQ_EVACUATE:
	case LGRD_REQ_RELOCATE:
		output_started(o);
		break;
	case LGRD_REQ_CONSOLE_URL:
		printf("%s\n", out_str(o, "url"));
		break;
	default:
		printf("%s\n", json_object_to_json_string(o));
	}
}

static void
text_end(enum lgrd_req req)
{
	(void)req;
	fflush(stdout);
}

const struct output output_text = { text_begin, text_row, text_end };

/* --- JSON ------------------------------------------------------------------ */

static void
json_begin(enum lgrd_req req)
{
	(void)req;
	output_rows = 0;
	printf("[");
}

static void
json_row(enum lgrd_req req, struct json_object *o)
{
	(void)req;
	printf("%s\n%s", output_rows++ ? "," : "",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
json_end(enum lgrd_req req)
{
	(void)req;
	printf("\n]\n");
	fflush(stdout);
}

const struct output output_json = { json_begin, json_row, json_end };

/* --- progress --------------------------------------------------------------- */

/* One guest in flight: "LITDCON1 VM9->VM2 relocate pass 2, ...". */
static void
out_flight(struct json_object *m, char *buf, size_t len)
{
	size_t	n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s %s->%s %s%s%s", n > 0 ? "; " : "",
	    out_str(m, "guest"), out_str(m, "from"), out_str(m, "to"),
	    out_str(m, "step"), out_str(m, "progress")[0] != '\0' ? " " : "",
	    out_str(m, "progress"));
}

char *
output_progress_line(struct json_object *rep, char *buf, size_t len)
{
	struct json_object	*moves = json_object_object_get(rep, "moves");
	struct json_object	*m;
	size_t			 n = moves ? json_object_array_length(moves) : 0;
	size_t			 done = 0, flying = 0, off;
	char			 flight[1024] = "";
	double			 wave = 0, waves = 0;

	for (size_t i = 0; i < n; i++) {
		m = json_object_array_get_idx(moves, i);
		waves = out_num(m, "wave") > waves ? out_num(m, "wave") : waves;
		if (strcmp(out_str(m, "step"), "done") == 0)
			done++;
		else if (strcmp(out_str(m, "step"), "planned") != 0) {
			flying++;
			out_flight(m, flight, sizeof(flight));
			wave = out_num(m, "wave");
		}
	}
	off = (size_t)snprintf(buf, len, "[%zu/%zu done", done, n);
	if (off < len && waves > 1 && wave > 0)
		off += (size_t)snprintf(buf + off, len - off,
		    ", wave %.0f/%.0f", wave, waves);
	if (off < len && flying > 0)
		snprintf(buf + off, len - off, ", %zu moving] %s", flying,
		    flight);
	else if (off < len)
		snprintf(buf + off, len - off, "]");
	return buf;
}
