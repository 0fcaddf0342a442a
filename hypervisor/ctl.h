/*
 * ctl.h: the control protocol between hvd and its clients (hvctl, the
 * orchestrator, the guest agent).  Both sides build against this header
 * and ctl.c, its codec.
 *
 * A request is one JSON object {"req":"NAME", ...arguments} sent on a
 * DEALER socket to hvd's CURVE-authenticated ROUTER socket
 * ipc: LABDIR/hvd-MEMBER.ctl.  The answer is zero or more data objects
 * and one terminator (common/msg.h).  Requests below CTL_FIRST_WRITE
 * only read; the others need the operator role and are audited.
 */
#ifndef LGR_HV_CTL_H
#define LGR_HV_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

enum ctl_req {
	CTL_MEMBERS,		/* every member, its state and memory */
	CTL_GUESTS,		/* every guest, where and how it runs */
	CTL_STATUS,		/* running relocations, with progress */
	CTL_CHECK,		/* eligibility of guest -> member */
	CTL_HISTORY,		/* one guest's relocations */
	CTL_EVENTS,		/* events after an id */
	CTL_WHERE,		/* the member a guest runs on */
	CTL_AUDIT,		/* the audit log */
	CTL_FIRST_WRITE,
	CTL_RELOCATE = CTL_FIRST_WRITE,
	CTL_CANCEL,
	CTL_SET_LIMITS,		/* limits of a running relocation */
	CTL_RECOVER,		/* restart a guest of a DOWN member here */
	CTL_MEMBER_DOWN,	/* declare a dead member DOWN */
	CTL_MEMBER_LIMITS,	/* concurrent relocations in and out */
	CTL_WORKLOAD,		/* a guest's vCPU workload */
	CTL_VERBOSE,		/* hvd's log verbosity */
	CTL_NREQ,
};

/* --force bits. */
#define CTL_FORCE_DOMAIN	0x1
#define CTL_FORCE_STORAGE	0x2

/* How the memory is digested during quiesce. */
enum ctl_verify {
	CTL_VERIFY_PAGES,	/* per-page digests taken as pages move */
	CTL_VERIFY_FULL,	/* a digest of the whole memory, both sides */
};

#define CTL_UNSET	UINT64_MAX	/* an optional number not given */

struct ctl_request {
	enum ctl_req	 type;
	char		 guest[MSG_NAME_MAX];
	char		 member[MSG_NAME_MAX];
	uint64_t	 max_total_s;	/* CTL_UNSET: member default */
	uint64_t	 max_quiesce_ms;
	uint64_t	 max_rate_mib;	/* channel bandwidth cap, 0: none */
	uint64_t	 since;		/* CTL_EVENTS, CTL_AUDIT: id */
	uint64_t	 limit_out;	/* CTL_MEMBER_LIMITS */
	uint64_t	 limit_in;
	uint64_t	 rate_mib;	/* CTL_WORKLOAD: MiB/s dirtied */
	uint64_t	 wss_mib;	/* CTL_WORKLOAD: working set */
	uint64_t	 verbose;	/* CTL_VERBOSE */
	unsigned	 force;		/* CTL_FORCE_* */
	enum ctl_verify	 verify;
	bool		 immediate;
};

/* Error codes of the terminator {"error":CODE,...}. */
enum ctl_error {
	CTL_E_BADREQ = 400,	/* malformed or invalid request */
	CTL_E_DENIED = 403,	/* role may not do this */
	CTL_E_NOTFOUND = 404,	/* unknown guest or member */
	CTL_E_CONFLICT = 409,	/* eligibility conflicts (data precede) */
	CTL_E_REFUSED = 412,	/* state forbids it (member alive, ...) */
	CTL_E_NOTHERE = 421,	/* ask another member ("member" in text) */
	CTL_E_INTERNAL = 500,
};

/*
 * Eligibility conflicts, each with a stable code and name.  check lists
 * every one that applies.
 */
enum ctl_conflict {
	CONFLICT_NO_TARGET = 1,		/* target is not a member */
	CONFLICT_NOT_JOINED,		/* target not JOINED */
	CONFLICT_DOMAIN,		/* target outside relocation domain */
	CONFLICT_STORAGE,		/* not enough free memory on target */
	CONFLICT_NO_DEVICE,		/* no equivalent device for a NIC */
	CONFLICT_ACTIVE,		/* guest already active on target */
	CONFLICT_BUSY,			/* a relocation of it is running */
	CONFLICT_OUT_LIMIT,		/* source outbound limit reached */
	CONFLICT_IN_LIMIT,		/* target inbound limit reached */
	CONFLICT_MULTI,			/* multi-member identity */
	CONFLICT_NOT_RUNNING,		/* guest not running on its member */
	CONFLICT_MAX,
};

/* End codes of a relocation (z/VM's shape). */
enum ctl_end {
	END_OK = 0,
	END_CANCELLED,
	END_LOST_LINK,
	END_MAXTOTAL,
	END_MAXQUIESCE,
	END_ELIGIBILITY,
	END_GUEST_RESET,
	END_FAILED,
	END_MAX,
};

/* ctl.c: names and the codec. */
const char	*ctl_req_name(enum ctl_req r);
int		 ctl_req_find(const char *name);	/* -1 if unknown */
bool		 ctl_req_writes(enum ctl_req r);
const char	*ctl_conflict_name(enum ctl_conflict c);
const char	*ctl_end_name(enum ctl_end e);
int		 ctl_end_find(const char *name);
const char	*ctl_verify_name(enum ctl_verify v);

void		 ctl_request_init(struct ctl_request *r, enum ctl_req type);
/* A new JSON object for r; NULL (ENOMEM). */
struct json_object *ctl_request_encode(const struct ctl_request *r);
/*
 * Decode and validate one request frame: arguments the request needs
 * are present, names valid, numbers in range.  Returns 0, or -1 with
 * errno (msg.h) and the reason in msg_errtext().
 */
int		 ctl_request_decode(const void *buf, size_t len,
		    struct ctl_request *r);

#endif
