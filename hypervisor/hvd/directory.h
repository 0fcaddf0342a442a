/*
 * directory.h: the cluster directory (the SSI persistent data record),
 * one interface of named operations over two backends: SQLite, one file
 * in the lab's state directory for members on one host (dir_sqlite.c,
 * the default), and etcd v3 for members on several hosts (dir_etcd.c,
 * keys under /lgr/LAB/, see lgr-etcd(7)).  No SQL and no etcd call
 * exist outside these two files (STYLE.md §14).
 *
 * Each thread opens its own directory.  Every function returns -1 on a
 * directory error (logged, [HV-DIR]) and its callers check it.  A
 * change of residency is a compare-and-swap on the residency's revision
 * (its fencing token): a writer holding an older revision fails.
 */
#ifndef LGR_HV_DIRECTORY_H
#define LGR_HV_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvd.h"

struct json_object;

struct dir	*dir_open(const struct dir_conf *c);
void		 dir_close(struct dir *d);
enum dir_kind	 dir_kind(const struct dir *d);
/* What the last failed operation of d said (the backend's text). */
const char	*dir_error(struct dir *d);
int		 dir_kind_find(const char *name);	/* -1 unknown */
int64_t		 dir_now_ms(void);

/* Definitions from the topology: members, guests, initial residency. */
int		 dir_import(struct dir *d, const struct hv_config *c);
/* A guest's workload (rate and working set, MiB): 1, 0 unknown, -1. */
int		 dir_guest_workload(struct dir *d, const char *guest,
		    uint64_t *rate_mib, uint64_t *wss_mib);
/* Set either (HV_UNSET: keep): 1, 0 unknown guest, -1. */
int		 dir_guest_set_workload(struct dir *d, const char *guest,
		    uint64_t rate_mib, uint64_t wss_mib);

/*
 * Members.  dir_member_join puts the member in state s with its process
 * and (etcd) a new lease: a new incarnation.  dir_member_renew renews
 * its liveness within within_ms (0: the directory's time-out; it never
 * waits longer than that): 0, 1 when it is gone (declared DOWN, lease
 * expired: the member must rejoin), -1.  dir_member_alive: 1 alive, 0 DOWN or
 * unknown, -1; *age_ms (may be NULL) the time since its last renewal.
 */
int		 dir_member_join(struct dir *d, const char *name,
		    enum member_state s, const char *reason);
/* The state alone (no new lease): 0, -1. */
int		 dir_member_state(struct dir *d, const char *name,
		    enum member_state s, const char *reason);
int		 dir_member_renew(struct dir *d, const char *name,
		    unsigned within_ms);
int		 dir_member_leave(struct dir *d, const char *name);
int		 dir_member_alive(struct dir *d, const char *name,
		    unsigned down_ms, int64_t *age_ms);
/*
 * A member's control and relocation endpoints (ipc:// or tcp://),
 * published at join: 1, 0 unknown member, -1.  Get: "" when none.
 */
int		 dir_member_set_endpoints(struct dir *d, const char *name,
		    const char *ctl, const char *chan);
int		 dir_member_endpoints(struct dir *d, const char *name,
		    char *ctl, char *chan, size_t len);
/* Limits (HV_UNSET: keep): 1, 0 unknown member, -1. */
int		 dir_member_limits(struct dir *d, const char *name,
		    uint64_t max_out, uint64_t max_in);
/*
 * Declare a member DOWN: its guests LOST, its outbound relocations
 * ended.  Returns 1, 0 when it was DOWN already, -1.
 */
int		 dir_member_down(struct dir *d, const char *name,
		    const char *why);
/* Members not DOWN whose liveness is gone (other than me): count, -1. */
int		 dir_members_stale(struct dir *d, const char *me,
		    unsigned down_ms, char (*names)[HV_NAME], size_t max);
/* A member as eligibility sees it: 1, 0 unknown, -1. */
int		 dir_member_info(struct dir *d, const char *name,
		    struct elig_member *m);
int		 dir_cluster_mode(struct dir *d, enum cluster_mode *mode);
int		 dir_cluster_mode_store(struct dir *d, enum cluster_mode mode);

/* Residency. */
struct dir_residency {
	char		 member[HV_NAME];
	char		 state[HV_NAME];
	int64_t		 rev;		/* the fencing token */
};

/* 1, 0 no residency, -1. */
int		 dir_residency(struct dir *d, const char *guest,
		    struct dir_residency *r);
/*
 * The guest runs on member now (RUNNING), if its residency is still at
 * revision rev: 1, 0 stale (someone changed it), -1.
 */
int		 dir_residency_claim(struct dir *d, const char *guest,
		    const char *member, int64_t rev);
/* State of guest while on member: 1, 0 not there, -1. */
int		 dir_residency_mark(struct dir *d, const char *guest,
		    const char *member, const char *state);
/* Every guest of member STOPPED: count, -1. */
int		 dir_residency_stop_all(struct dir *d, const char *member);

/* The relocation journal. */
struct dir_journal {
	const char	*guest, *src, *dst, *who;
	uint64_t	 reserved_mib;
	uint64_t	 max_total_s, max_quiesce_ms;
	bool		 immediate;
};

struct dir_progress {
	int		 pass;
	double		 sent_mib, left_mib, dirty_mib_s, est_quiesce_ms;
};

struct dir_history {
	double		 total_ms, quiesce_ms, mib;
	double		 copy_mib_s;	/* the pre-copy passes' stream */
	int64_t		 passes, pages;
	const char	*end_code, *text;
	uint64_t	 digest_src, digest_dst;
	int		 verified;
};

/*
 * Check and journal in one step: gather the eligibility input of guest
 * g to j->dst, run elig_check, and when nothing conflicts open the
 * journal and mark the guest RELOCATING.  Returns 0 with *id and
 * *token (the residency revision the commit must still find), -1 with
 * *n conflicts in cf (0: a directory error).
 */
int		 dir_journal_open(struct dir *d, const struct hv_config *c,
		    const struct hv_guestdef *g, const struct dir_journal *j,
		    unsigned force, struct elig_conflict *cf, size_t *n,
		    int64_t *id, int64_t *token);
/* The eligibility input alone (hvctl check): 0, -1. */
int		 dir_elig_gather(struct dir *d, const struct hv_config *c,
		    const struct hv_guestdef *g, const char *target,
		    unsigned force, struct elig_input *in);
/* Updates of an open relocation: 1, 0 not open, -1. */
int		 dir_journal_phase(struct dir *d, const char *guest,
		    int64_t id, const char *phase);
int		 dir_journal_progress(struct dir *d, const char *guest,
		    int64_t id, const struct dir_progress *p);
/* Is relocation id of guest open (src, dst: NULL any)?  1, 0, -1. */
int		 dir_journal_active(struct dir *d, const char *guest,
		    int64_t id, const char *src, const char *dst);
/*
 * End an open relocation the target has not committed, with end code and
 * text: 1, 0 not open or committed (then it never will be), -1.
 */
int		 dir_journal_end(struct dir *d, const char *guest, int64_t id,
		    const char *end, const char *text);
/*
 * The target's commit: the guest resides on dst, the journal RESUMED,
 * in one transaction conditioned on the relocation being open and the
 * residency still at token.  1, 0 refused (stale or ended), -1.
 */
int		 dir_reloc_commit(struct dir *d, const char *guest, int64_t id,
		    const char *src, const char *dst, int64_t token);
/* The source's end after the commit: DONE, counted, history. 0, -1. */
int		 dir_reloc_done(struct dir *d, const char *guest, int64_t id,
		    const struct dir_history *hist);
/*
 * Roll back: the journal ended with hist's end code (unless ended
 * already), the guest RUNNING again on src, history (hist may be NULL),
 * in one transaction.  0, -1 (the caller retries).
 */
int		 dir_reloc_rollback(struct dir *d, const char *guest,
		    int64_t id, const char *src, const struct dir_history *hist);
/* End what a previous life of member left open: count, -1. */
int		 dir_journal_cleanup(struct dir *d, const char *member);

/* Events and audit. */
int		 dir_event(struct dir *d, const char *msgid,
		    const char *member, const char *guest, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));
int		 dir_audit(struct dir *d, const char *member, const char *who,
		    const char *what, const char *args, const char *result);

/* Listings for the control socket: a new JSON array, NULL on error. */
struct json_object *dir_members_json(struct dir *d);
struct json_object *dir_guests_json(struct dir *d);
struct json_object *dir_where_json(struct dir *d, const char *guest);
/* The open relocations, or guest's latest one. */
struct json_object *dir_status_json(struct dir *d, const char *guest);
struct json_object *dir_history_json(struct dir *d, const char *guest);
/* Events after since ("" guest: all), at most 1000. */
struct json_object *dir_events_json(struct dir *d, int64_t since,
		    const char *guest);
struct json_object *dir_audit_json(struct dir *d, int64_t since);

/*
 * Follow the events after since ("" guest: all): each call returns the
 * next ones (a new array, empty when none came within timeout_ms), NULL
 * on error.  etcd: a watch of events/ resumed from the last revision
 * seen; after a compaction the events are listed again from there.
 * SQLite: the table is read again every 100 ms.
 */
struct dir_follow;
struct dir_follow *dir_follow_open(struct dir *d, int64_t since,
		    const char *guest);
struct json_object *dir_follow_next(struct dir_follow *f,
		    unsigned timeout_ms);
void		 dir_follow_close(struct dir_follow *f);

/*
 * Where this lab's directory is, for hvctl: LABDIR/directory, one line
 * "sqlite PATH LAB" or "etcd ENDPOINTS LAB", written by hvd.  0, -1.
 */
int		 dir_conf_write(const struct dir_conf *c, const char *labdir);

/*
 * Why an etcd directory does not answer, in words for the operator
 * ("etcd has no quorum: 1 of its 3 nodes answer, 2 needed"): each node
 * asked once, within half a second.  1 healthy, 0 not.
 */
int		 dir_etcd_health(const struct dir_conf *c, char *buf,
		    size_t len);
int		 dir_conf_read(struct dir_conf *c, const char *labdir);

#endif
