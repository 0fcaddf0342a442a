/*
 * hv_ctl.h: the control protocol between hvd and its clients (hvctl,
 * lgrd, the guest agent).  Every side builds against this header and
 * hv_ctl.c, its codec table (common/codec.h).
 *
 * A request is one JSON object {"req":"NAME", ...arguments} sent on a
 * DEALER socket to hvd's CURVE-authenticated ROUTER socket
 * (labname_hvd_sock: LABDIR/hvd-MEMBER.ctl).  The answer is zero or more
 * data objects and one terminator, an end or an error with a code of
 * common/reply.h.  Requests from HV_REQ_FIRST_WRITE on change state:
 * they need a role that may write and are audited.
 *
 * A request about a guest that runs on another member is answered with
 * a data row {"redirect":"MEMBER"} and the error REPLY_E_NOTHERE; the
 * client asks that member.
 */
#ifndef LGR_HV_CTL_H
#define LGR_HV_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "msg.h"
#include "reply.h"

enum hv_req {
	HV_REQ_MEMBERS,		/* every member, its state and memory */
	HV_REQ_GUESTS,		/* every guest, where and how it runs */
	HV_REQ_STATUS,		/* running relocations, with progress */
	HV_REQ_CHECK,		/* eligibility of guest -> member */
	HV_REQ_HISTORY,		/* one guest's relocations */
	HV_REQ_EVENTS,		/* events after an id */
	HV_REQ_WHERE,		/* the member a guest runs on */
	HV_REQ_AUDIT,		/* the audit log */
	HV_REQ_FIRST_WRITE,
	HV_REQ_RELOCATE = HV_REQ_FIRST_WRITE,
	HV_REQ_CANCEL,
	HV_REQ_SET_LIMITS,	/* limits of a running relocation */
	HV_REQ_RECOVER,		/* restart a guest of a DOWN member here */
	HV_REQ_MEMBER_DOWN,	/* declare a dead member DOWN */
	HV_REQ_MEMBER_LIMITS,	/* concurrent relocations in and out */
	HV_REQ_WORKLOAD,	/* a guest's vCPU workload */
	HV_REQ_VERBOSE,		/* hvd's log verbosity */
	HV_REQ_MAX,
};

/* --force bits (hv_request_force). */
#define HV_FORCE_DOMAIN		0x1
#define HV_FORCE_STORAGE	0x2

/* How the memory is digested during quiesce. */
enum hv_verify {
	HV_VERIFY_PAGES,	/* per-page digests taken as pages move */
	HV_VERIFY_FULL,		/* a digest of the whole memory, both sides */
};

#define HV_UNSET	CODEC_UNSET	/* an optional number not given */

/* Ranges of the arguments, shared by hvctl's options and the codec. */
#define HV_MAX_TOTAL_S		86400
#define HV_MAX_QUIESCE_MS	600000
#define HV_MAX_RATE_MIB		(1 << 20)
#define HV_MAX_LIMIT		64
#define HV_MAX_DIRTY_MIB	65536
#define HV_MAX_WSS_MIB		(1 << 20)
#define HV_MAX_VERBOSE		3

struct hv_request {
	enum hv_req	 type;
	char		 guest[MSG_NAME_MAX];
	char		 member[MSG_NAME_MAX];
	uint64_t	 max_total_s;	/* HV_UNSET: member default */
	uint64_t	 max_quiesce_ms;
	uint64_t	 max_rate_mib;	/* channel bandwidth cap, UNSET: none */
	uint64_t	 since;		/* EVENTS, AUDIT: id; UNSET: all */
	uint64_t	 limit_out;	/* MEMBER_LIMITS */
	uint64_t	 limit_in;
	uint64_t	 rate_mib;	/* WORKLOAD: MiB/s dirtied */
	uint64_t	 wss_mib;	/* WORKLOAD: working set */
	uint64_t	 verbose;	/* VERBOSE */
	bool		 force_domain;
	bool		 force_storage;
	enum hv_verify	 verify;
	bool		 immediate;
};

/*
 * Eligibility conflicts, each with a stable code and name.  check lists
 * every one that applies.
 */
enum hv_conflict {
	HV_CONFLICT_NO_TARGET = 1,	/* target is not a member */
	HV_CONFLICT_NOT_JOINED,		/* target not JOINED */
	HV_CONFLICT_DOMAIN,		/* target outside relocation domain */
	HV_CONFLICT_STORAGE,		/* not enough free memory on target */
	HV_CONFLICT_NO_DEVICE,		/* no equivalent device for a NIC */
	HV_CONFLICT_ACTIVE,		/* guest already active on target */
	HV_CONFLICT_BUSY,		/* a relocation of it is running */
	HV_CONFLICT_OUT_LIMIT,		/* source outbound limit reached */
	HV_CONFLICT_IN_LIMIT,		/* target inbound limit reached */
	HV_CONFLICT_MULTI,		/* multi-member identity */
	HV_CONFLICT_NOT_RUNNING,	/* guest not running on its member */
	HV_CONFLICT_MAX,
};

/* End codes of a relocation (z/VM's shape). */
enum hv_end {
	HV_END_OK = 0,
	HV_END_CANCELLED,
	HV_END_LOST_LINK,
	HV_END_MAXTOTAL,
	HV_END_MAXQUIESCE,
	HV_END_ELIGIBILITY,
	HV_END_GUEST_RESET,
	HV_END_FAILED,
	HV_END_MAX,
};

/* hv_ctl.c: the codec table and names. */
extern const struct codec	hv_codec;

const char	*hv_req_name(enum hv_req r);
int		 hv_req_find(const char *name);	/* -1 if unknown */
bool		 hv_req_writes(enum hv_req r);
const char	*hv_conflict_name(enum hv_conflict c);
const char	*hv_end_name(enum hv_end e);
int		 hv_end_find(const char *name);
const char	*hv_verify_name(enum hv_verify v);

void		 hv_request_init(struct hv_request *r, enum hv_req type);
/* The --force bits of r, and setting them. */
unsigned	 hv_request_force(const struct hv_request *r);
void		 hv_request_set_force(struct hv_request *r, unsigned force);
/* A new JSON object for r; NULL (ENOMEM, EINVAL). */
struct json_object *hv_request_encode(const struct hv_request *r);
/*
 * Decode and validate one request frame: arguments the request needs
 * are present, no others, names valid, numbers in range.  Returns 0, or
 * -1 with errno (msg.h) and the reason in msg_errtext().
 */
int		 hv_request_decode(const void *buf, size_t len,
		    struct hv_request *r);

#endif
