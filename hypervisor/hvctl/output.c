/*
 * output.c: hvctl's formatters.  Text tables are driven by a column
 * list per request; JSON prints the data objects as one array.  The
 * request loop in hvctl.c never formats anything itself.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "hvctl.h"

struct column {
	const char	*key;
	const char	*title;
	int		 width;
};

#define COLS(...)	((const struct column[]){ __VA_ARGS__, \
			    { NULL, NULL, 0 } })

static const struct column *const output_cols[HV_REQ_MAX] = {
	[HV_REQ_MEMBERS] = COLS({ "name", "MEMBER", 8 },
	    { "state", "STATE", 8 }, { "memory_mib", "MEM-MIB", 8 },
	    { "used_mib", "USED-MIB", 8 },
	    { "heartbeat_age_ms", "HB-AGE-MS", 10 }, { "max_out", "OUT", 4 },
	    { "max_in", "IN", 4 }, { "cluster_mode", "MODE", 8 },
	    { "reason", "REASON", 0 }),
	[HV_REQ_GUESTS] = COLS({ "name", "GUEST", 10 },
	    { "member", "MEMBER", 8 }, { "state", "STATE", 11 },
	    { "memory_mib", "MEM-MIB", 8 },
	    { "group", "GROUP", 6 }, { "domain", "DOMAIN", 10 },
	    { "relocations", "MOVES", 6 }, { "rate_mib", "DIRTY", 6 },
	    { "nics", "NICS", 0 }),
	[HV_REQ_STATUS] = COLS({ "id", "ID", 5 }, { "guest", "GUEST", 10 },
	    { "src", "FROM", 6 }, { "dst", "TO", 6 }, { "phase", "PHASE", 8 },
	    { "pass", "PASS", 5 }, { "sent_mib", "SENT-MIB", 9 },
	    { "left_mib", "LEFT-MIB", 9 }, { "dirty_mib_s", "DIRTY-MIB/S", 12 },
	    { "est_quiesce_ms", "EST-QMS", 8 }, { "end_code", "END", 0 }),
	[HV_REQ_CHECK] = COLS({ "conflict", "CODE", 5 },
	    { "name", "CONFLICT", 11 }, { "text", "TEXT", 0 }),
	[HV_REQ_HISTORY] = COLS({ "reloc", "ID", 5 }, { "guest", "GUEST", 10 },
	    { "src", "FROM", 6 }, { "dst", "TO", 6 },
	    { "total_ms", "TOTAL-MS", 9 }, { "quiesce_ms", "QUIESCE-MS", 11 },
	    { "passes", "PASSES", 7 }, { "pages", "PAGES", 8 },
	    { "end_code", "END", 11 }, { "text", "TEXT", 0 }),
	[HV_REQ_EVENTS] = COLS({ "id", "ID", 6 }, { "msgid", "EVENT", 19 },
	    { "member", "MEMBER", 7 }, { "guest", "GUEST", 10 },
	    { "text", "TEXT", 0 }),
	[HV_REQ_WHERE] = COLS({ "guest", "GUEST", 10 },
	    { "member", "MEMBER", 8 }, { "state", "STATE", 11 },
	    { "member_state", "MEMBER-STATE", 0 }),
	[HV_REQ_AUDIT] = COLS({ "id", "ID", 6 }, { "ts_ms", "TIME", 19 },
	    { "member", "MEMBER", 7 }, { "who", "WHO", 18 },
	    { "what", "REQUEST", 18 }, { "result", "RESULT", 0 }),
	[HV_REQ_RELOCATE] = COLS({ "id", "ID", 6 }, { "guest", "GUEST", 10 },
	    { "member", "TO", 0 }),
};

static int	output_rows;
static json_object *output_arr;

/* A time stamp of the directory (ms since the epoch), local time. */
static void
output_time(struct json_object *v, char *buf, size_t len)
{
	time_t		t = (time_t)(json_object_get_int64(v) / 1000);
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
}

static void
output_value(struct json_object *o, const char *key, char *buf, size_t len)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		snprintf(buf, len, "-");
	else if (strcmp(key, "ts_ms") == 0)
		output_time(v, buf, len);
	else if (json_object_is_type(v, json_type_double))
		snprintf(buf, len, "%.2f", json_object_get_double(v));
	else
		snprintf(buf, len, "%s", json_object_get_string(v));
}

static void
text_begin(enum hv_req req)
{
	(void)req;
	output_rows = 0;
}

static void
text_header(const struct column *c)
{
	for (; c->key != NULL; c++)
		printf("%-*s%s", c->width, c->title, c[1].key ? " " : "\n");
}

static void
text_row(enum hv_req req, struct json_object *o)
{
	const struct column	*c = output_cols[req];
	char			 buf[512];

	if (c == NULL) {
		printf("%s\n", json_object_to_json_string(o));
		return;
	}
	if (output_rows++ == 0)
		text_header(c);
	for (; c->key != NULL; c++) {
		output_value(o, c->key, buf, sizeof(buf));
		printf("%-*s%s", c->width, buf, c[1].key ? " " : "\n");
	}
}

static void
text_end(enum hv_req req)
{
	if (output_rows > 0)
		return;
	if (req == HV_REQ_CHECK)
		printf("eligible: no conflicts\n");
	else if (req == HV_REQ_STATUS)
		printf("no relocation running\n");
}

static void
json_begin(enum hv_req req)
{
	(void)req;
	output_arr = json_object_new_array();
}

static void
json_row(enum hv_req req, struct json_object *o)
{
	(void)req;
	json_object_array_add(output_arr, json_object_get(o));
}

static void
json_end(enum hv_req req)
{
	(void)req;
	printf("%s\n", json_object_to_json_string_ext(output_arr,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(output_arr);
	output_arr = NULL;
}

const struct output output_text = { text_begin, text_row, text_end };
const struct output output_json = { json_begin, json_row, json_end };

static double
output_num(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_double(v) : 0;
}

static const char *
output_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "";
}

/* One progress line on a terminal, redrawn in place. */
void
output_progress(struct json_object *o)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%-8s pass %-3.0f sent %8.1f MiB  left %7.1f MiB  "
	    "dirty %6.1f MiB/s  est. quiesce %6.1f ms ", output_str(o, "phase"),
	    output_num(o, "pass"), output_num(o, "sent_mib"),
	    output_num(o, "left_mib"), output_num(o, "dirty_mib_s"),
	    output_num(o, "est_quiesce_ms"));
	fflush(stderr);
}

void
output_result(struct json_object *h, bool json)
{
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(h,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		return;
	}
	printf("%s %s -> %s: %s total %.1f ms, quiesce %.2f ms, %.0f passes, "
	    "%.0f pages (%.1f MiB)%s%s\n", output_str(h, "guest"),
	    output_str(h, "src"), output_str(h, "dst"),
	    output_str(h, "end_code"), output_num(h, "total_ms"),
	    output_num(h, "quiesce_ms"), output_num(h, "passes"),
	    output_num(h, "pages"), output_num(h, "mib"),
	    *output_str(h, "text") ? ": " : "", output_str(h, "text"));
}
