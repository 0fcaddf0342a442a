/*
 * eligibility.c: may this guest move to that member now?  elig_check()
 * is pure: it evaluates every condition over a snapshot gathered from
 * the directory by dir_elig_gather() and reports every conflict.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "hvd.h"

struct elig_out {
	struct elig_conflict	*v;
	size_t			 n, max;
};

static void
elig_add(struct elig_out *o, enum hv_conflict code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
elig_add(struct elig_out *o, enum hv_conflict code, const char *fmt, ...)
{
	va_list	ap;

	if (o->n >= o->max)
		return;
	o->v[o->n].code = code;
	va_start(ap, fmt);
	vsnprintf(o->v[o->n].text, sizeof(o->v[o->n].text), fmt, ap);
	va_end(ap);
	o->n++;
}

bool
elig_in_domain(const struct hv_guestdef *g, const char *member)
{
	size_t	i;

	for (i = 0; i < g->ndomain; i++)
		if (strcmp(g->domain[i], member) == 0)
			return true;
	return false;
}

/* Every HiperSockets guest needs a NIC on the target's HSI LAN. */
static void
elig_devices(const struct elig_input *in, struct elig_out *o)
{
	const struct hv_guestdef	*g = in->guest;
	bool				 hsi = false, equiv = false;
	size_t				 i;

	for (i = 0; i < g->nnics; i++) {
		if (!g->nics[i].hsi)
			continue;
		hsi = true;
		if (g->nics[i].member == in->dst_idx)
			equiv = true;
	}
	if (hsi && !equiv)
		elig_add(o, HV_CONFLICT_NO_DEVICE, "guest %s has no "
		    "HiperSockets NIC for member %s's LAN (no equivalent "
		    "device)", g->name, in->dst.name);
}

static void
elig_target(const struct elig_input *in, struct elig_out *o)
{
	const struct hv_guestdef	*g = in->guest;
	const struct elig_member	*t = &in->dst;

	if (t->state != MEMBER_JOINED)
		elig_add(o, HV_CONFLICT_NOT_JOINED, "target %s is %s (JOINED "
		    "needed)", t->name, member_state_name(t->state));
	if (!(in->force & HV_FORCE_DOMAIN) && !elig_in_domain(g, t->name))
		elig_add(o, HV_CONFLICT_DOMAIN, "target %s is outside guest "
		    "%s's relocation domain (group %s)", t->name, g->name,
		    g->group);
	if (!(in->force & HV_FORCE_STORAGE) &&
	    t->used_mib + g->memory_mib > t->memory_mib)
		elig_add(o, HV_CONFLICT_STORAGE, "target %s has %ju MiB free, "
		    "guest %s needs %ju MiB", t->name,
		    (uintmax_t)(t->memory_mib > t->used_mib ?
		    t->memory_mib - t->used_mib : 0), g->name,
		    (uintmax_t)g->memory_mib);
	if (t->active_in >= t->max_in)
		elig_add(o, HV_CONFLICT_IN_LIMIT, "target %s already receives "
		    "%u relocation(s) (limit %u)", t->name, t->active_in,
		    t->max_in);
	elig_devices(in, o);
}

static void
elig_source(const struct elig_input *in, struct elig_out *o)
{
	const struct hv_guestdef	*g = in->guest;

	if (strcmp(in->src.name, in->dst.name) == 0)
		elig_add(o, HV_CONFLICT_ACTIVE, "guest %s is already active "
		    "on %s", g->name, in->dst.name);
	if (strcmp(in->guest_state, "RUNNING") != 0)
		elig_add(o, HV_CONFLICT_NOT_RUNNING, "guest %s is %s on %s "
		    "(RUNNING needed)", g->name, in->guest_state, in->src.name);
	if (in->relocating)
		elig_add(o, HV_CONFLICT_BUSY, "a relocation of guest %s is "
		    "already running", g->name);
	if (in->src.active_out >= in->src.max_out)
		elig_add(o, HV_CONFLICT_OUT_LIMIT, "source %s already sends %u "
		    "relocation(s) (limit %u)", in->src.name,
		    in->src.active_out, in->src.max_out);
	if (g->multi)
		elig_add(o, HV_CONFLICT_MULTI, "guest %s is a multi-member "
		    "identity", g->name);
}

size_t
elig_check(const struct elig_input *in, struct elig_conflict *out, size_t max)
{
	struct elig_out	o = { out, 0, max };

	if (!in->dst.known) {
		elig_add(&o, HV_CONFLICT_NO_TARGET, "%s is not a member of the "
		    "cluster", in->dst.name);
		elig_source(in, &o);
		return o.n;
	}
	elig_target(in, &o);
	elig_source(in, &o);
	return o.n;
}

struct json_object *
elig_conflict_json(const struct elig_conflict *c)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "conflict", json_object_new_int(c->code));
	json_object_object_add(o, "name", json_object_new_string(
	    hv_conflict_name(c->code)));
	json_object_object_add(o, "text", json_object_new_string(c->text));
	return o;
}
