/*
 * output.c: agentctl's formatters, human and JSON (ospfctl's struct
 * output).  The human forms read the members they show defensively: an
 * agent of another version may omit some.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agentctl.h"

static const char *
out_str(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return dflt;
	return json_object_get_string(v);
}

static bool
out_bool(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_get_boolean(v);
}

static double
out_num(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	return json_object_get_double(v);
}

/* "a, b" of a string array, "none" when empty. */
static const char *
out_list(struct json_object *o, const char *key, char *buf, size_t len)
{
	struct json_object	*arr;
	size_t			 i, n, off = 0;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, key, &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0)
		return "none";
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? ", " : "", json_object_get_string(
		    json_object_array_get_idx(arr, i)));
	return buf;
}

/* Wall-clock milliseconds as local time. */
static const char *
out_time(int64_t ms, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);
	char		hms[32];

	if (ms <= 0)
		return "-";
	localtime_r(&t, &tm);
	strftime(hms, sizeof(hms), "%F %T", &tm);
	snprintf(buf, len, "%s.%03d", hms, (int)(ms % 1000));
	return buf;
}

static void
human_prepare(FILE *f, struct json_object *o)
{
	char		 dr[128], down[128], peers[512];
	const char	*moved;

	moved = out_bool(o, "timed_out") ? "NOT all moved (timed out)" :
	    out_bool(o, "peers_moved") ? "moved" : "not checked";
	if (strcmp(out_list(o, "peers", peers, sizeof(peers)), "none") == 0 &&
	    !out_bool(o, "timed_out"))
		moved = "to wait for";
	fprintf(f, "%s: drained %s in %.1f ms; peers %s %s; down %s; %.1f "
	    "ms\n", out_str(o, "guest", "?"), out_list(o, "drained", dr,
	    sizeof(dr)), out_num(o, "drain_ms"), out_list(o, "peers", peers,
	    sizeof(peers)), moved, out_list(o, "down", down, sizeof(down)),
	    out_num(o, "ms"));
}

static void
human_complete(FILE *f, struct json_object *o)
{
	char	down[128], how[64];

	if (out_str(o, "up", NULL) == NULL)
		snprintf(how, sizeof(how), "no HSI interface for this member");
	else if (out_bool(o, "alone"))
		snprintf(how, sizeof(how), "%s up, alone on the LAN%s",
		    out_str(o, "up", "?"), out_bool(o, "dr") ? " (DR)" : "");
	else if (out_bool(o, "full"))
		snprintf(how, sizeof(how), "%s up, Full after %.1f ms%s",
		    out_str(o, "up", "?"), out_num(o, "full_ms"),
		    out_bool(o, "dr") ? " (DR)" : "");
	else
		snprintf(how, sizeof(how), "%s up, no Full adjacency yet",
		    out_str(o, "up", "?"));
	fprintf(f, "%s on %s: %s; down %s; %.1f ms\n", out_str(o, "guest",
	    "?"), out_str(o, "member", "an unknown member"), how,
	    out_list(o, "down", down, sizeof(down)), out_num(o, "ms"));
}

static void
human_interfaces(FILE *f, struct json_object *arr)
{
	struct json_object	*i;
	char			 t[64];
	size_t			 k;

	fprintf(f, "%-10s %-8s %-6s %-6s %-8s %s\n", "INTERFACE", "MEMBER",
	    "ADMIN", "LINK", "DRAINED", "SINCE");
	for (k = 0; arr != NULL && k < json_object_array_length(arr); k++) {
		i = json_object_array_get_idx(arr, k);
		fprintf(f, "%-10s %-8s %-6s %-6s %-8s %s\n",
		    out_str(i, "name", "?"), out_str(i, "member", "?"),
		    out_bool(i, "admin_up") ? "up" : "down",
		    out_bool(i, "oper_up") ? "up" : "down",
		    out_bool(i, "drained") ? "yes" : "no",
		    out_time((int64_t)out_num(i, "since_ms"), t, sizeof(t)));
	}
}

static void
human_status(FILE *f, struct json_object *o)
{
	struct json_object	*arr = NULL;
	char			 t[64];

	fprintf(f, "guest %s on %s, mode %s\n", out_str(o, "guest", "?"),
	    out_str(o, "member", "an unknown member"),
	    out_str(o, "mode", "?"));
	fprintf(f, "journal %s since %s%s%s\n", out_str(o, "journal", "?"),
	    out_time((int64_t)out_num(o, "since_ms"), t, sizeof(t)),
	    out_str(o, "op", NULL) ? ", running " : "",
	    out_str(o, "op", ""));
	if (json_object_object_get_ex(o, "self_complete_ms", NULL))
		fprintf(f, "completes by itself at %s\n", out_time(
		    (int64_t)out_num(o, "self_complete_ms"), t, sizeof(t)));
	json_object_object_get_ex(o, "interfaces", &arr);
	human_interfaces(f, arr);
	fprintf(f, "corrections %lld\n", (long long)out_num(o,
	    "corrections"));
	if (out_str(o, "last_warning", NULL) != NULL)
		fprintf(f, "last warning: %s\n", out_str(o, "last_warning",
		    ""));
}

static void
json_print(FILE *f, struct json_object *o)
{
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
}

const struct output output_human = {
	.prepare = human_prepare,
	.complete = human_complete,
	.status = human_status,
};

const struct output output_json = {
	.prepare = json_print,
	.complete = json_print,
	.status = json_print,
};
