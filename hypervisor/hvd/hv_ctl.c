/*
 * hv_ctl.c: the codec table and the names of hvd's control protocol
 * (hv_ctl.h).
 */
#include <string.h>

#include "hv_ctl.h"

_Static_assert(sizeof(enum hv_req) == sizeof(int), "codec type is an int");
_Static_assert(sizeof(enum hv_verify) == sizeof(int), "choice is an int");

#define RQ	struct hv_request

static const char *const hv_verify_words[] = { "pages", "full", NULL };

static const struct codec_arg hv_args_guest[] = {
	CODEC_NAME_ARG("guest", RQ, guest, true),
	CODEC_END,
};

static const struct codec_arg hv_args_guest_opt[] = {
	CODEC_NAME_ARG("guest", RQ, guest, false),
	CODEC_END,
};

/* check and relocate: where to, within which limits. */
static const struct codec_arg hv_args_reloc[] = {
	CODEC_NAME_ARG("guest", RQ, guest, true),
	CODEC_NAME_ARG("member", RQ, member, true),
	CODEC_U64_ARG("max_total", RQ, max_total_s, false, 1, HV_MAX_TOTAL_S),
	CODEC_U64_ARG("max_quiesce", RQ, max_quiesce_ms, false, 0,
	    HV_MAX_QUIESCE_MS),
	CODEC_U64_ARG("max_rate", RQ, max_rate_mib, false, 0, HV_MAX_RATE_MIB),
	CODEC_BOOL_ARG("immediate", RQ, immediate),
	CODEC_BOOL_ARG("force_domain", RQ, force_domain),
	CODEC_BOOL_ARG("force_storage", RQ, force_storage),
	CODEC_CHOICE_ARG("verify", RQ, verify, hv_verify_words),
	CODEC_END,
};

static const struct codec_arg hv_args_set_limits[] = {
	CODEC_NAME_ARG("guest", RQ, guest, true),
	CODEC_U64_ARG("max_total", RQ, max_total_s, false, 1, HV_MAX_TOTAL_S),
	CODEC_U64_ARG("max_quiesce", RQ, max_quiesce_ms, false, 0,
	    HV_MAX_QUIESCE_MS),
	CODEC_U64_ARG("max_rate", RQ, max_rate_mib, false, 0, HV_MAX_RATE_MIB),
	CODEC_END,
};

static const struct codec_arg hv_args_events[] = {
	CODEC_U64_ARG("since", RQ, since, false, 0, INT64_MAX),
	CODEC_NAME_ARG("guest", RQ, guest, false),
	CODEC_END,
};

static const struct codec_arg hv_args_audit[] = {
	CODEC_U64_ARG("since", RQ, since, false, 0, INT64_MAX),
	CODEC_END,
};

static const struct codec_arg hv_args_recover[] = {
	CODEC_NAME_ARG("guest", RQ, guest, true),
	CODEC_NAME_ARG("member", RQ, member, true),
	CODEC_END,
};

static const struct codec_arg hv_args_member[] = {
	CODEC_NAME_ARG("member", RQ, member, true),
	CODEC_END,
};

static const struct codec_arg hv_args_member_limits[] = {
	CODEC_NAME_ARG("member", RQ, member, true),
	CODEC_U64_ARG("out", RQ, limit_out, false, 0, HV_MAX_LIMIT),
	CODEC_U64_ARG("in", RQ, limit_in, false, 0, HV_MAX_LIMIT),
	CODEC_END,
};

static const struct codec_arg hv_args_workload[] = {
	CODEC_NAME_ARG("guest", RQ, guest, true),
	CODEC_U64_ARG("rate", RQ, rate_mib, false, 0, HV_MAX_DIRTY_MIB),
	CODEC_U64_ARG("wss", RQ, wss_mib, false, 0, HV_MAX_WSS_MIB),
	CODEC_END,
};

static const struct codec_arg hv_args_verbose[] = {
	CODEC_U64_ARG("verbose", RQ, verbose, true, 0, HV_MAX_VERBOSE),
	CODEC_END,
};

static const struct codec_req hv_reqs[HV_REQ_MAX] = {
	[HV_REQ_MEMBERS] = { "members", false, NULL },
	[HV_REQ_GUESTS] = { "guests", false, NULL },
	[HV_REQ_STATUS] = { "status", false, hv_args_guest_opt },
	[HV_REQ_CHECK] = { "check", false, hv_args_reloc },
	[HV_REQ_HISTORY] = { "history", false, hv_args_guest_opt },
	[HV_REQ_EVENTS] = { "events", false, hv_args_events },
	[HV_REQ_WHERE] = { "where", false, hv_args_guest },
	[HV_REQ_AUDIT] = { "audit", false, hv_args_audit },
	[HV_REQ_RELOCATE] = { "relocate", true, hv_args_reloc },
	[HV_REQ_CANCEL] = { "cancel", true, hv_args_guest },
	[HV_REQ_SET_LIMITS] = { "set-limits", true, hv_args_set_limits },
	[HV_REQ_RECOVER] = { "recover", true, hv_args_recover },
	[HV_REQ_MEMBER_DOWN] = { "member-set-down", true, hv_args_member },
	[HV_REQ_MEMBER_LIMITS] = { "member-set-limits", true,
	    hv_args_member_limits },
	[HV_REQ_WORKLOAD] = { "workload", true, hv_args_workload },
	[HV_REQ_VERBOSE] = { "verbose", true, hv_args_verbose },
};

const struct codec hv_codec = {
	.proto = "hvd",
	.reqs = hv_reqs,
	.nreqs = HV_REQ_MAX,
	.size = sizeof(struct hv_request),
	.type_off = offsetof(struct hv_request, type),
};

static const char *const hv_conflicts[HV_CONFLICT_MAX] = {
	[HV_CONFLICT_NO_TARGET] = "NOTARGET",
	[HV_CONFLICT_NOT_JOINED] = "NOTJOINED",
	[HV_CONFLICT_DOMAIN] = "DOMAIN",
	[HV_CONFLICT_STORAGE] = "STORAGE",
	[HV_CONFLICT_NO_DEVICE] = "NODEVICE",
	[HV_CONFLICT_ACTIVE] = "ACTIVE",
	[HV_CONFLICT_BUSY] = "BUSY",
	[HV_CONFLICT_OUT_LIMIT] = "OUTLIMIT",
	[HV_CONFLICT_IN_LIMIT] = "INLIMIT",
	[HV_CONFLICT_MULTI] = "MULTI",
	[HV_CONFLICT_NOT_RUNNING] = "NOTRUNNING",
};

static const char *const hv_ends[HV_END_MAX] = {
	[HV_END_OK] = "OK",
	[HV_END_CANCELLED] = "CANCELLED",
	[HV_END_LOST_LINK] = "LOSTLINK",
	[HV_END_MAXTOTAL] = "MAXTOTAL",
	[HV_END_MAXQUIESCE] = "MAXQUIESCE",
	[HV_END_ELIGIBILITY] = "ELIGIBILITY",
	[HV_END_GUEST_RESET] = "GUESTRESET",
	[HV_END_FAILED] = "FAILED",
};

const char *
hv_req_name(enum hv_req r)
{
	return codec_name(&hv_codec, (int)r);
}

int
hv_req_find(const char *name)
{
	return codec_find(&hv_codec, name);
}

bool
hv_req_writes(enum hv_req r)
{
	return codec_writes(&hv_codec, (int)r);
}

const char *
hv_conflict_name(enum hv_conflict c)
{
	return c > 0 && c < HV_CONFLICT_MAX ? hv_conflicts[c] : "?";
}

const char *
hv_end_name(enum hv_end e)
{
	return (unsigned)e < HV_END_MAX ? hv_ends[e] : "?";
}

int
hv_end_find(const char *name)
{
	int	i;

	for (i = 0; i < HV_END_MAX; i++)
		if (strcmp(hv_ends[i], name) == 0)
			return i;
	return -1;
}

const char *
hv_verify_name(enum hv_verify v)
{
	return hv_verify_words[v == HV_VERIFY_FULL];
}

void
hv_request_init(struct hv_request *r, enum hv_req type)
{
	codec_init(&hv_codec, r, (int)type);
}

unsigned
hv_request_force(const struct hv_request *r)
{
	return (r->force_domain ? HV_FORCE_DOMAIN : 0) |
	    (r->force_storage ? HV_FORCE_STORAGE : 0);
}

void
hv_request_set_force(struct hv_request *r, unsigned force)
{
	r->force_domain = (force & HV_FORCE_DOMAIN) != 0;
	r->force_storage = (force & HV_FORCE_STORAGE) != 0;
}

struct json_object *
hv_request_encode(const struct hv_request *r)
{
	return codec_encode(&hv_codec, r);
}

int
hv_request_decode(const void *buf, size_t len, struct hv_request *r)
{
	return codec_decode(&hv_codec, buf, len, r);
}
