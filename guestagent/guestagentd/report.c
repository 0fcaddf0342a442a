/*
 * report.c: the JSON answers of the control socket (agent_client.h):
 * the prepare and complete reports and the status.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "msg.h"

#define REPORT_PLUGIN_MS	300	/* status does not wait long for ospfd */

/* A duration in ms with one decimal, printed as such. */
struct json_object *
report_ms(double ms)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%.1f", ms);
	return json_object_new_double_s(ms, buf);
}

/* "a, b, c" into buf. */
const char *
report_list(char *buf, size_t len, const char *const *v, size_t n)
{
	size_t	i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? ", " : "", v[i]);
	return buf;
}

static struct json_object *
report_names(const char (*v)[TOPO_IFNAME_MAX], size_t n)
{
	struct json_object	*arr = json_object_new_array();
	size_t			 i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

/* The HSI interfaces that are (admin) down. */
static struct json_object *
report_down(struct agent *a)
{
	struct json_object	*arr = json_object_new_array();
	size_t			 i;

	for (i = 0; i < a->fsm.nifs; i++)
		if (!a->fsm.ifs[i].admin_up)
			json_object_array_add(arr, json_object_new_string(
			    a->fsm.ifs[i].name));
	return arr;
}

static double
report_since(struct agent *a)
{
	return (double)(clock_us() - a->op.t0_us) / 1000.0;
}

static struct json_object *
report_str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_object_new_string(s) : NULL;
}

static const char *
report_mode(const struct agent *a)
{
	return a->opts.mode == AGENT_MODE_DRAIN ? "drain" : "naive";
}

struct json_object *
report_prepare(struct agent *a)
{
	struct json_object	*o = json_object_new_object(), *peers;
	bool			 moved = a->opts.mode == AGENT_MODE_DRAIN;
	size_t			 i;

	peers = json_object_new_array();
	for (i = 0; i < a->op.npeers; i++) {
		moved &= a->op.peers[i].moved;
		json_object_array_add(peers, json_object_new_string(
		    a->op.peers[i].name));
	}
	msg_put_str(o, "guest", config_guest_name(&a->conf));
	json_object_object_add(o, "drained", report_names(a->op.drained,
	    a->op.ndrained));
	json_object_object_add(o, "drain_ms", report_ms(a->op.drain_ms));
	json_object_object_add(o, "peers", peers);
	msg_put_bool(o, "peers_moved", moved);
	msg_put_bool(o, "timed_out", a->op.timed_out);
	json_object_object_add(o, "down", report_down(a));
	msg_put_str(o, "mode", report_mode(a));
	json_object_object_add(o, "ms", report_ms(report_since(a)));
	return o;
}

struct json_object *
report_complete(struct agent *a)
{
	struct json_object	*o = json_object_new_object();

	msg_put_str(o, "guest", config_guest_name(&a->conf));
	json_object_object_add(o, "member", report_str_or_null(
	    config_member_name(&a->conf, a->fsm.residency)));
	json_object_object_add(o, "up", a->op.up == -1 ? NULL :
	    json_object_new_string(a->fsm.ifs[a->op.up].name));
	json_object_object_add(o, "down", report_down(a));
	msg_put_bool(o, "full", a->op.full);
	json_object_object_add(o, "full_ms", a->op.full ?
	    report_ms(a->op.full_ms) : NULL);
	msg_put_bool(o, "alone", a->op.alone);
	msg_put_bool(o, "dr", a->op.dr);
	msg_put_str(o, "mode", report_mode(a));
	json_object_object_add(o, "ms", report_ms(report_since(a)));
	return o;
}

static struct json_object *
report_interfaces(struct agent *a)
{
	struct json_object	*arr = json_object_new_array(), *o;
	const struct fsm_if	*fi;
	size_t			 i;

	for (i = 0; i < a->fsm.nifs; i++) {
		fi = &a->fsm.ifs[i];
		o = json_object_new_object();
		msg_put_str(o, "name", fi->name);
		json_object_object_add(o, "member", report_str_or_null(
		    config_member_name(&a->conf, fi->member)));
		msg_put_bool(o, "present", fi->present);
		msg_put_bool(o, "admin_up", fi->admin_up);
		msg_put_bool(o, "oper_up", fi->oper_up);
		msg_put_bool(o, "drained", fi->drained);
		msg_put_i64(o, "since_ms", fi->since_ms);
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *
report_status(struct agent *a)
{
	struct json_object	*o = json_object_new_object();
	struct fsm		*f = &a->fsm;

	if (a->opts.mode == AGENT_MODE_DRAIN && f->op == FSM_OP_NONE)
		engine_refresh_drained(a, NULL, REPORT_PLUGIN_MS);
	msg_put_str(o, "guest", config_guest_name(&a->conf));
	json_object_object_add(o, "member", report_str_or_null(
	    config_member_name(&a->conf, f->residency)));
	msg_put_str(o, "mode", report_mode(a));
	msg_put_str(o, "journal", fsm_state_name(f->state));
	json_object_object_add(o, "op", f->op == FSM_OP_NONE ? NULL :
	    json_object_new_string(fsm_op_name(f->op)));
	json_object_object_add(o, "interfaces", report_interfaces(a));
	msg_put_i64(o, "since_ms", f->since_ms);
	if (f->state == FSM_PREPARED)
		json_object_object_add(o, "self_complete_ms",
		    json_object_new_int64(f->prepared_ms +
		    a->opts.self_complete_ms));
	msg_put_i64(o, "corrections", (int64_t)f->corrections);
	json_object_object_add(o, "last_warning", report_str_or_null(
	    f->last_warning));
	return o;
}
