/*
 * output.c: formatters for drainctl's replies, one table entry per request
 * and mode (ospfctl's struct output).  JSON output collects the data
 * replies into one array; human output prints a table row per reply.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drainctl.h"

/* Collected data replies of a JSON answer; one request per process. */
static struct json_object	*output_json_arr;

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return "-";
	return json_object_get_string(v);
}

static struct json_object *
get(struct json_object *o, const char *key)
{
	struct json_object	*v = NULL;

	if (o != NULL)
		json_object_object_get_ex(o, key, &v);
	return v;
}

/* --- JSON ------------------------------------------------------------ */

static void
json_head(void)
{
	output_json_arr = json_object_new_array();
}

static void
json_item(struct json_object *o)
{
	json_object_array_add(output_json_arr, json_object_get(o));
}

static void
json_tail(struct json_object *end)
{
	(void)end;
	printf("%s\n", json_object_to_json_string_ext(output_json_arr,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(output_json_arr);
	output_json_arr = NULL;
}

/* --- human tables ---------------------------------------------------- */

static void
nothing(void)
{
}

static void
nothing_tail(struct json_object *end)
{
	(void)end;
}

static void
state_head(void)
{
	printf("%-10s %-18s %-14s %-8s %5s %4s %-8s %-15s %-15s %s\n",
	    "INTERFACE", "ADDRESS", "TYPE", "STATE", "COST", "PRIO", "DRAIN",
	    "DR", "BDR", "NEIGHBORS");
}

static void
state_item(struct json_object *o)
{
	struct json_object	*nbrs = get(o, "neighbors");
	size_t			 i, n = 0, full = 0;

	if (nbrs != NULL)
		n = json_object_array_length(nbrs);
	for (i = 0; i < n; i++)
		if (strcmp(str(json_object_array_get_idx(nbrs, i), "state"),
		    "Full") == 0)
			full++;
	printf("%-10s %-18s %-14s %-8s %5s %4s %-8s %-15s %-15s %zu (%zu full)"
	    "\n", str(o, "ifname"), str(o, "address"), str(o, "type"),
	    str(o, "state"), str(o, "cost"), str(o, "priority"),
	    str(o, "drain"), str(o, "dr"), str(o, "bdr"), n, full);
}

static void
nexthops_print(struct json_object *route)
{
	struct json_object	*nhs = get(route, "nexthops"), *nh;
	size_t			 i, n = nhs ? json_object_array_length(nhs) : 0;

	for (i = 0; i < n; i++) {
		nh = json_object_array_get_idx(nhs, i);
		if (get(nh, "ip") != NULL)
			printf("%s%s %s", i ? ", " : "", str(nh, "ip"),
			    str(nh, "ifname"));
		else
			printf("%sdirect %s", i ? ", " : "", str(nh, "ifname"));
	}
	if (n == 0)
		printf("-");
}

static void
routes_head(void)
{
	printf("%-18s %6s %-11s %s\n", "PREFIX", "COST", "TYPE", "NEXT HOPS");
}

static void
routes_item(struct json_object *o)
{
	printf("%-18s %6s %-11s ", str(o, "prefix"), str(o, "cost"),
	    str(o, "path_type"));
	nexthops_print(o);
	printf("\n");
}

static void
lsdb_head(void)
{
	printf("%-15s %-13s %-15s %-15s %-10s %5s\n", "AREA", "TYPE",
	    "LINK STATE ID", "ADV ROUTER", "SEQ", "AGE");
}

static void
lsdb_item(struct json_object *o)
{
	printf("%-15s %-13s %-15s %-15s %-10s %5s%s\n", str(o, "area"),
	    str(o, "type_name"), str(o, "id"), str(o, "adv_router"),
	    str(o, "lsa_seq"), str(o, "age"),
	    json_object_get_boolean(get(o, "self")) ? " self" : "");
}

static void
drain_item(struct json_object *o)
{
	struct json_object	*ois = get(o, "interfaces"), *oi;
	size_t			 i, n = ois ? json_object_array_length(ois) : 0;

	printf("%s: %s -> %s\n", str(o, "ifname"), str(o, "from"),
	    str(o, "to"));
	for (i = 0; i < n; i++) {
		oi = json_object_array_get_idx(ois, i);
		printf("  %s %s %s cost %s priority %s\n", str(oi, "address"),
		    str(oi, "type"), str(oi, "state"), str(oi, "cost"),
		    str(oi, "priority"));
	}
}

static void
events_item(struct json_object *o)
{
	output_event(o, 0);
}

static void
events_item_json(struct json_object *o)
{
	output_event(o, 1);
}

/* --- events ---------------------------------------------------------- */

static void
event_time(struct json_object *ev, char *buf, size_t size)
{
	double		 ts = json_object_get_double(get(ev, "ts"));
	time_t		 sec = (time_t)ts;
	struct tm	 tm;
	size_t		 n;

	localtime_r(&sec, &tm);
	n = strftime(buf, size, "%F %T", &tm);
	snprintf(buf + n, size - n, ".%06ld",
	    (long)((ts - (double)sec) * 1e6));
}

static void
event_route(struct json_object *c)
{
	struct json_object	*old = get(c, "old"), *new = get(c, "new");

	printf("    %-7s %-18s cost %s -> %s via ", str(c, "change"),
	    str(c, "prefix"), str(old, "cost"), str(new, "cost"));
	if (old != NULL)
		nexthops_print(old);
	else
		printf("-");
	printf(" -> ");
	if (new != NULL)
		nexthops_print(new);
	else
		printf("-");
	printf("\n");
}

static void
event_detail(const char *kind, struct json_object *ev)
{
	struct json_object	*ch;
	size_t			 i, n;

	if (strcmp(kind, LGR_EV_ISM) == 0 || strcmp(kind, LGR_EV_DRAIN) == 0)
		printf("%s %s -> %s\n", str(ev, "ifname"), str(ev, "from"),
		    str(ev, "to"));
	else if (strcmp(kind, LGR_EV_NSM) == 0)
		printf("%s neighbor %s (%s) %s -> %s\n", str(ev, "ifname"),
		    str(ev, "neighbor"), str(ev, "address"), str(ev, "from"),
		    str(ev, "to"));
	else if (strcmp(kind, LGR_EV_LSA) == 0)
		printf("%s %s adv %s seq %s area %s%s\n", str(ev, "type_name"),
		    str(ev, "id"), str(ev, "adv_router"), str(ev, "lsa_seq"),
		    str(ev, "area"), json_object_get_boolean(get(ev, "self")) ?
		    " self" : "");
	else if (strcmp(kind, LGR_EV_SPF) == 0) {
		ch = get(ev, "changes");
		n = ch ? json_object_array_length(ch) : 0;
		printf("%s routes, %zu changed\n", str(ev, "routes"), n);
		for (i = 0; i < n; i++)
			event_route(json_object_array_get_idx(ch, i));
	} else
		printf("%s\n", json_object_to_json_string(ev));
}

void
output_event(struct json_object *ev, int json)
{
	char	when[64];

	if (json) {
		printf("%s\n", json_object_to_json_string_ext(ev,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		event_time(ev, when, sizeof(when));
		printf("%s %-5s ", when, str(ev, "event"));
		event_detail(str(ev, "event"), ev);
	}
	fflush(stdout);
}

static const struct output output_json = { json_head, json_item, json_tail };

static const struct {
	int		action;
	struct output	out;
} output_human[] = {
	{ LGR_DRAIN, { nothing, drain_item, nothing_tail } },
	{ LGR_UNDRAIN, { nothing, drain_item, nothing_tail } },
	{ LGR_STATE, { state_head, state_item, nothing_tail } },
	{ LGR_ROUTES, { routes_head, routes_item, nothing_tail } },
	{ LGR_LSDB, { lsdb_head, lsdb_item, nothing_tail } },
	{ LGR_EVENTS, { nothing, events_item, nothing_tail } },
};

static const struct output output_stream_human = {
	nothing, events_item, nothing_tail
};
static const struct output output_stream_json = {
	nothing, events_item_json, nothing_tail
};

/* Events one per line (human or JSON), for "events -f". */
const struct output *
output_stream(int json)
{
	return json ? &output_stream_json : &output_stream_human;
}

const struct output *
output_get(int action, int json)
{
	size_t	i;

	if (json)
		return &output_json;
	for (i = 0; i < sizeof(output_human) / sizeof(output_human[0]); i++)
		if (output_human[i].action == action)
			return &output_human[i].out;
	return &output_json;
}
