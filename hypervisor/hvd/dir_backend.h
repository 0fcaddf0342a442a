/*
 * dir_backend.h: what a directory backend provides (dir_sqlite.c,
 * dir_etcd.c); directory.c dispatches the operations of directory.h to
 * them.  Each operation has the meaning and results given in
 * directory.h.  lock/unlock bracket a check and the write it justifies
 * (SQLite: one IMMEDIATE transaction; etcd: nothing, the write compares
 * the revisions read instead).
 */
#ifndef LGR_HV_DIR_BACKEND_H
#define LGR_HV_DIR_BACKEND_H

#include "directory.h"

struct dir_ops {
	void	(*close)(struct dir *d);
	const char *(*error)(struct dir *d);
	int	(*lock)(struct dir *d);
	int	(*unlock)(struct dir *d, bool commit);
	int	(*import)(struct dir *d, const struct hv_config *c);
	int	(*guest_workload)(struct dir *d, const char *guest,
		    uint64_t *rate_mib, uint64_t *wss_mib);
	int	(*guest_set_workload)(struct dir *d, const char *guest,
		    uint64_t rate_mib, uint64_t wss_mib);
	int	(*member_join)(struct dir *d, const char *name,
		    enum member_state s, const char *reason);
	int	(*member_state)(struct dir *d, const char *name,
		    enum member_state s, const char *reason);
	int	(*member_renew)(struct dir *d, const char *name,
		    unsigned within_ms);
	int	(*member_leave)(struct dir *d, const char *name);
	int	(*member_alive)(struct dir *d, const char *name,
		    unsigned down_ms, int64_t *age_ms);
	int	(*member_set_endpoints)(struct dir *d, const char *name,
		    const char *ctl, const char *chan);
	int	(*member_endpoints)(struct dir *d, const char *name,
		    char *ctl, char *chan, size_t len);
	int	(*member_limits)(struct dir *d, const char *name,
		    uint64_t max_out, uint64_t max_in);
	int	(*member_down)(struct dir *d, const char *name,
		    const char *why);
	int	(*members_stale)(struct dir *d, const char *me,
		    unsigned down_ms, char (*names)[HV_NAME], size_t max);
	/* n members at once (one snapshot): -1, or 0 (ms[i].known) */
	int	(*member_info)(struct dir *d, struct elig_member *ms,
		    size_t n);
	int	(*cluster_mode)(struct dir *d, enum cluster_mode *mode);
	int	(*cluster_mode_store)(struct dir *d, enum cluster_mode mode);
	int	(*residency)(struct dir *d, const char *guest,
		    struct dir_residency *r);
	int	(*residency_claim)(struct dir *d, const char *guest,
		    const char *member, int64_t rev);
	int	(*residency_mark)(struct dir *d, const char *guest,
		    const char *member, const char *state);
	int	(*residency_stop_all)(struct dir *d, const char *member);
	/* Open the journal and mark RELOCATING if residency is at rev. */
	int	(*journal_insert)(struct dir *d, const struct dir_journal *j,
		    int64_t rev, int64_t *id, int64_t *token);
	int	(*journal_phase)(struct dir *d, const char *guest, int64_t id,
		    const char *phase);
	int	(*journal_progress)(struct dir *d, const char *guest,
		    int64_t id, const struct dir_progress *p);
	int	(*journal_active)(struct dir *d, const char *guest, int64_t id,
		    const char *src, const char *dst);
	int	(*journal_end)(struct dir *d, const char *guest, int64_t id,
		    const char *end, const char *text);
	int	(*reloc_commit)(struct dir *d, const char *guest, int64_t id,
		    const char *src, const char *dst, int64_t token);
	int	(*reloc_done)(struct dir *d, const char *guest, int64_t id,
		    const struct dir_history *hist);
	int	(*reloc_rollback)(struct dir *d, const char *guest, int64_t id,
		    const char *src, const struct dir_history *hist);
	int	(*journal_cleanup)(struct dir *d, const char *member);
	int	(*event)(struct dir *d, const char *msgid, const char *member,
		    const char *guest, const char *text);
	int	(*audit)(struct dir *d, const char *member, const char *who,
		    const char *what, const char *args, const char *result);
	struct json_object *(*members_json)(struct dir *d);
	struct json_object *(*guests_json)(struct dir *d);
	struct json_object *(*where_json)(struct dir *d, const char *guest);
	struct json_object *(*status_json)(struct dir *d, const char *guest);
	struct json_object *(*history_json)(struct dir *d, const char *guest);
	struct json_object *(*events_json)(struct dir *d, int64_t since,
		    const char *guest);
	struct json_object *(*audit_json)(struct dir *d, int64_t since);
	/* Events after *since, waiting up to timeout_ms; *since moves on. */
	struct json_object *(*follow)(struct dir *d, struct dir_follow *f,
		    unsigned timeout_ms);
	void	(*follow_close)(struct dir_follow *f);
};

struct dir_follow {
	struct dir	*d;
	int64_t		 since;
	char		 guest[HV_NAME];
	void		*watch;		/* etcd: struct etcd_watch */
};

/* The common head of every backend's directory. */
struct dir {
	const struct dir_ops	*ops;
	enum dir_kind		 kind;
	int			 mode_stored;	/* last stored here, -1 */
};

struct dir	*dir_sqlite_open(const struct dir_conf *c);
struct dir	*dir_etcd_open(const struct dir_conf *c);

/* A guest's NICs and domain as the directory stores them (directory.c). */
void		 dir_guest_domain(const struct hv_guestdef *g, char *buf,
		    size_t len);
void		 dir_guest_nics(const struct hv_config *c,
		    const struct hv_guestdef *g, char *buf, size_t len);
const char	*dir_hex64(uint64_t v, char *buf, size_t len);

#endif
