/*
 * ctl.c: names and codec of the control protocol (see ctl.h).
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"

/* What each request carries: required (R) and optional (O) members. */
#define A_GUEST		0x01
#define A_MEMBER	0x02
#define A_GUEST_OPT	0x04
#define A_RELOC		0x08	/* max_total, max_quiesce, force, ... */
#define A_SINCE		0x10
#define A_LIMITS	0x20
#define A_WORKLOAD	0x40
#define A_VERBOSE	0x80

static const struct ctl_req_desc {
	const char	*name;
	unsigned	 args;
} ctl_reqs[CTL_NREQ] = {
	[CTL_MEMBERS] = { "members", 0 },
	[CTL_GUESTS] = { "guests", 0 },
	[CTL_STATUS] = { "status", A_GUEST_OPT },
	[CTL_CHECK] = { "check", A_GUEST | A_MEMBER | A_RELOC },
	[CTL_HISTORY] = { "history", A_GUEST_OPT },
	[CTL_EVENTS] = { "events", A_SINCE | A_GUEST_OPT },
	[CTL_WHERE] = { "where", A_GUEST },
	[CTL_AUDIT] = { "audit", A_SINCE },
	[CTL_RELOCATE] = { "relocate", A_GUEST | A_MEMBER | A_RELOC },
	[CTL_CANCEL] = { "cancel", A_GUEST },
	[CTL_SET_LIMITS] = { "set-limits", A_GUEST | A_RELOC },
	[CTL_RECOVER] = { "recover", A_GUEST | A_MEMBER },
	[CTL_MEMBER_DOWN] = { "member-set-down", A_MEMBER },
	[CTL_MEMBER_LIMITS] = { "member-set-limits", A_MEMBER | A_LIMITS },
	[CTL_WORKLOAD] = { "workload", A_GUEST | A_WORKLOAD },
	[CTL_VERBOSE] = { "verbose", A_VERBOSE },
};

static const char *const ctl_conflicts[CONFLICT_MAX] = {
	[CONFLICT_NO_TARGET] = "NOTARGET",
	[CONFLICT_NOT_JOINED] = "NOTJOINED",
	[CONFLICT_DOMAIN] = "DOMAIN",
	[CONFLICT_STORAGE] = "STORAGE",
	[CONFLICT_NO_DEVICE] = "NODEVICE",
	[CONFLICT_ACTIVE] = "ACTIVE",
	[CONFLICT_BUSY] = "BUSY",
	[CONFLICT_OUT_LIMIT] = "OUTLIMIT",
	[CONFLICT_IN_LIMIT] = "INLIMIT",
	[CONFLICT_MULTI] = "MULTI",
	[CONFLICT_NOT_RUNNING] = "NOTRUNNING",
};

static const char *const ctl_ends[END_MAX] = {
	[END_OK] = "OK",
	[END_CANCELLED] = "CANCELLED",
	[END_LOST_LINK] = "LOSTLINK",
	[END_MAXTOTAL] = "MAXTOTAL",
	[END_MAXQUIESCE] = "MAXQUIESCE",
	[END_ELIGIBILITY] = "ELIGIBILITY",
	[END_GUEST_RESET] = "GUESTRESET",
	[END_FAILED] = "FAILED",
};

const char *
ctl_req_name(enum ctl_req r)
{
	return (unsigned)r < CTL_NREQ ? ctl_reqs[r].name : "?";
}

int
ctl_req_find(const char *name)
{
	int	i;

	for (i = 0; i < CTL_NREQ; i++)
		if (strcmp(ctl_reqs[i].name, name) == 0)
			return i;
	return -1;
}

bool
ctl_req_writes(enum ctl_req r)
{
	return r >= CTL_FIRST_WRITE;
}

const char *
ctl_conflict_name(enum ctl_conflict c)
{
	return c > 0 && c < CONFLICT_MAX ? ctl_conflicts[c] : "?";
}

const char *
ctl_end_name(enum ctl_end e)
{
	return (unsigned)e < END_MAX ? ctl_ends[e] : "?";
}

int
ctl_end_find(const char *name)
{
	int	i;

	for (i = 0; i < END_MAX; i++)
		if (strcmp(ctl_ends[i], name) == 0)
			return i;
	return -1;
}

const char *
ctl_verify_name(enum ctl_verify v)
{
	return v == CTL_VERIFY_FULL ? "full" : "pages";
}

void
ctl_request_init(struct ctl_request *r, enum ctl_req type)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->max_total_s = CTL_UNSET;
	r->max_quiesce_ms = CTL_UNSET;
	r->limit_out = CTL_UNSET;
	r->limit_in = CTL_UNSET;
	r->rate_mib = CTL_UNSET;
	r->wss_mib = CTL_UNSET;
}

static void
ctl_put_u64(struct json_object *o, const char *key, uint64_t v)
{
	if (v != CTL_UNSET)
		json_object_object_add(o, key, json_object_new_int64(
		    (int64_t)v));
}

static void
ctl_encode_reloc(struct json_object *o, const struct ctl_request *r)
{
	ctl_put_u64(o, "max_total", r->max_total_s);
	ctl_put_u64(o, "max_quiesce", r->max_quiesce_ms);
	if (r->max_rate_mib != 0)
		ctl_put_u64(o, "max_rate", r->max_rate_mib);
	if (r->immediate)
		json_object_object_add(o, "immediate",
		    json_object_new_boolean(1));
	if (r->force & CTL_FORCE_DOMAIN)
		json_object_object_add(o, "force_domain",
		    json_object_new_boolean(1));
	if (r->force & CTL_FORCE_STORAGE)
		json_object_object_add(o, "force_storage",
		    json_object_new_boolean(1));
	if (r->verify == CTL_VERIFY_FULL)
		json_object_object_add(o, "verify",
		    json_object_new_string("full"));
}

struct json_object *
ctl_request_encode(const struct ctl_request *r)
{
	struct json_object	*o;
	unsigned		 a = ctl_reqs[r->type].args;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "req",
	    json_object_new_string(ctl_reqs[r->type].name));
	if ((a & (A_GUEST | A_GUEST_OPT)) && r->guest[0] != '\0')
		json_object_object_add(o, "guest",
		    json_object_new_string(r->guest));
	if ((a & A_MEMBER) && r->member[0] != '\0')
		json_object_object_add(o, "member",
		    json_object_new_string(r->member));
	if (a & A_RELOC)
		ctl_encode_reloc(o, r);
	if (a & A_SINCE)
		ctl_put_u64(o, "since", r->since);
	if (a & A_LIMITS) {
		ctl_put_u64(o, "out", r->limit_out);
		ctl_put_u64(o, "in", r->limit_in);
	}
	if (a & A_WORKLOAD) {
		ctl_put_u64(o, "rate", r->rate_mib);
		ctl_put_u64(o, "wss", r->wss_mib);
	}
	if (a & A_VERBOSE)
		ctl_put_u64(o, "verbose", r->verbose);
	return o;
}

static int
ctl_decode_flag(struct json_object *o, const char *key, unsigned bit,
    unsigned *flags)
{
	bool	b = false;

	if (msg_get_bool(o, key, false, &b) == -1)
		return -1;
	if (b)
		*flags |= bit;
	return 0;
}

static int
ctl_decode_reloc(struct json_object *o, struct ctl_request *r)
{
	char	verify[8] = "pages";

	if (msg_get_u64(o, "max_total", false, 1, 86400, &r->max_total_s) == -1 ||
	    msg_get_u64(o, "max_quiesce", false, 0, 600000,
	    &r->max_quiesce_ms) == -1 ||
	    msg_get_u64(o, "max_rate", false, 1, 1 << 20,
	    &r->max_rate_mib) == -1 ||
	    msg_get_bool(o, "immediate", false, &r->immediate) == -1 ||
	    ctl_decode_flag(o, "force_domain", CTL_FORCE_DOMAIN,
	    &r->force) == -1 ||
	    ctl_decode_flag(o, "force_storage", CTL_FORCE_STORAGE,
	    &r->force) == -1 ||
	    msg_get_str(o, "verify", false, verify, sizeof(verify)) == -1)
		return -1;
	if (strcmp(verify, "full") == 0)
		r->verify = CTL_VERIFY_FULL;
	else if (strcmp(verify, "pages") == 0)
		r->verify = CTL_VERIFY_PAGES;
	else {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int
ctl_decode_args(struct json_object *o, unsigned a, struct ctl_request *r)
{
	if ((a & (A_GUEST | A_GUEST_OPT)) &&
	    msg_get_name(o, "guest", (a & A_GUEST) != 0, r->guest) == -1)
		return -1;
	if ((a & A_MEMBER) && msg_get_name(o, "member", true, r->member) == -1)
		return -1;
	if ((a & A_RELOC) && ctl_decode_reloc(o, r) == -1)
		return -1;
	if ((a & A_SINCE) &&
	    msg_get_u64(o, "since", false, 0, INT64_MAX, &r->since) == -1)
		return -1;
	if ((a & A_LIMITS) &&
	    (msg_get_u64(o, "out", false, 0, 64, &r->limit_out) == -1 ||
	    msg_get_u64(o, "in", false, 0, 64, &r->limit_in) == -1))
		return -1;
	if ((a & A_WORKLOAD) &&
	    (msg_get_u64(o, "rate", false, 0, 65536, &r->rate_mib) == -1 ||
	    msg_get_u64(o, "wss", false, 0, 1 << 20, &r->wss_mib) == -1))
		return -1;
	if ((a & A_VERBOSE) &&
	    msg_get_u64(o, "verbose", true, 0, 3, &r->verbose) == -1)
		return -1;
	return 0;
}

int
ctl_request_decode(const void *buf, size_t len, struct ctl_request *r)
{
	struct json_object	*o;
	char			 name[MSG_NAME_MAX];
	int			 t, rc = -1;

	if ((o = msg_parse(buf, len)) == NULL)
		return -1;
	if (msg_get_str(o, "req", true, name, sizeof(name)) == -1)
		goto out;
	if ((t = ctl_req_find(name)) == -1) {
		errno = EINVAL;
		goto out;
	}
	ctl_request_init(r, (enum ctl_req)t);
	rc = ctl_decode_args(o, ctl_reqs[t].args, r);
out:
	json_object_put(o);
	return rc;
}
