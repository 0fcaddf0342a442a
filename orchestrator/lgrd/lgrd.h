/*
 * lgrd.h: the orchestrator daemon, private header.  Prototypes are
 * grouped under the file that defines them.
 *
 * Threads: the main thread owns the control socket; each job (an
 * evacuation or one relocation) has a runner thread, which runs the
 * job wave after wave: one move thread per guest of the wave, in step
 * at the wave's barriers (enum lgrd_wave_phase), at most job->parallel
 * of them in a hypervisor relocation at once.  A move thread owns every
 * socket it uses (hvd, agent, plugins), since ZeroMQ sockets are not
 * shared; the ZeroMQ context and the journal connection are.
 */
#ifndef LGR_LGRD_H
#define LGR_LGRD_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "clock.h"
#include "ctlsrv.h"
#include "keys.h"
#include "labname.h"
#include "lgrd_ctl.h"
#include "topo.h"

#define LGRD_NAME	32
#define LGRD_PROBE_PORT	7448		/* lgrd's own probes (lgrprobe: 7447) */

struct json_object;
struct web;

/* Monotonic milliseconds with a fraction, for the timings of a move. */
static inline double
lgrd_now_ms(void)
{
	return (double)clock_us() / 1000.0;
}

struct lgrd_opts {
	char		 labdir[PATH_MAX];
	char		 routecheck[PATH_MAX];	/* "" : not found, skipped */
	bool		 debug;			/* foreground, log to stderr */
	int		 verbose;
	unsigned	 prepare_timeout_ms;	/* agent prepare */
	unsigned	 converge_timeout_ms;	/* routing convergence */
	unsigned	 reloc_timeout_s;	/* one hypervisor relocation */
	bool		 probe;			/* measure downtime per move */
	bool		 console;		/* serve the web console */
	bool		 metrics;		/* serve /metrics */
	char		 console_address[64];	/* 127.0.0.1 */
	unsigned	 console_port;		/* 0: any free port */
};

struct lgrd {
	struct lgrd_opts	 opts;
	char			 lab[LGRD_NAME];
	struct topo		*topo;
	struct keys_set		 keys;		/* our socket's */
	struct keys_client	 kc;		/* our identity: orchestrator */
	void			*zctx;
	struct ctlsrv		*ctl;		/* main thread only */
	sqlite3			*db;
	pthread_mutex_t		 lock;		/* jobs */
	struct job		*jobs;		/* running, linked by next */
	struct web		*web;		/* the console, NULL when off */
};

/*
 * The barriers of a wave (evac.c, move.c): every move of the wave
 * arrives at each in turn, and waits there until all have.  A move that
 * ends early (refused by check) arrives at every barrier at once.
 */
enum lgrd_wave_phase {
	LGRD_WAVE_DRAINED = 0,	/* prepared (HSI down), or failed */
	LGRD_WAVE_MOVED,	/* relocation ended, moved or not */
	LGRD_WAVE_READY,	/* subscribed to routing events: complete */
	LGRD_WAVE_CONVERGED,	/* converged (or timed out): verify */
	LGRD_WAVE_NPHASES
};
#define LGRD_WAVE_LAST	LGRD_WAVE_CONVERGED

/* One guest's move. */
struct move {
	int64_t		 id;
	int64_t		 job;
	int		 seq;		/* its wave, from 1 (journaled) */
	char		 guest[LGRD_NAME];
	char		 src[LGRD_NAME];
	char		 dst[LGRD_NAME];
	bool		 hsi;
	uint64_t	 memory_mib;
	enum lgrd_step	 step;
	char		 result[16];	/* moved, not-moved, cancelled */
	char		 reason[256];
	char		 routecheck[16];/* ok, violations, skipped, error */
	char		 end_code[16];	/* the hypervisor's, "" none */
	int64_t		 hv_id;		/* the hypervisor's relocation id */
	int64_t		 probe_lost;	/* -1: not measured */
	double		 prepare_ms;	/* timings, -1 when not measured */
	double		 reloc_ms;	/* the hypervisor's total */
	double		 reloc_wall_ms;	/* request to end, as seen by lgrd */
	double		 quiesce_ms;
	double		 downtime_ms;
	double		 converge_ms;
	double		 complete_ms;
	double		 verify_ms;
	double		 total_ms;
	int64_t		 started_ms;	/* wall clock, journaled */
	bool		 resumed;	/* taken over after a restart */
	bool		 active;	/* a thread runs it (job->lock) */
	bool		 cancel;	/* cancel this one (job->lock) */
	unsigned	 wave_phase;	/* barriers passed (job->lock) */
	char		 progress[96];	/* hypervisor progress, for status */
};

/* An evacuation or a single relocation. */
struct job {
	int64_t		 id;
	char		 kind[16];	/* evacuate, relocate */
	char		 workload[LGRD_NAME];
	char		 src[LGRD_NAME];	/* "" : every member */
	char		 dst[LGRD_NAME];	/* "" : chosen per guest */
	char		 who[24];
	unsigned	 parallel;	/* relocations at once */
	char		 parallel_why[128];	/* "" or why fewer than asked */
	unsigned	 wave_size;	/* guests per wave (--parallel asked) */
	unsigned	 waves;
	int64_t		 max_blackhole_ms;	/* -1: none */
	int64_t		 started_ms;
	struct move	*moves;
	size_t		 nmoves;
	size_t		 moved, not_moved, attempted;
	char		 report[PATH_MAX];
	struct lgrd	*d;
	atomic_bool	 cancel;
	pthread_mutex_t	 lock;		/* next, running, moves' cancel */
	pthread_cond_t	 cond;
	size_t		 next;
	unsigned	 running;
	unsigned	 wave_n;	/* moves of the running wave */
	unsigned	 wave_at[LGRD_WAVE_NPHASES];	/* arrived at each */
	unsigned	 relocating;	/* in a hypervisor relocation */
	char		*wave_check;	/* the wave's routecheck -j output */
	int		 wave_check_rc;	/* its exit code; -1 not collected */
	int		 wave_check_state;	/* 0 none, 1 running, 2 done */
	pthread_t	 thread;
	struct job	*nextjob;
};

/* journal.c */
sqlite3		*journal_open(const char *path);
void		 journal_close(sqlite3 *db);
int		 journal_exec(sqlite3 *db, const char *sql, const char *fmt,
		    ...);
int		 journal_int(sqlite3 *db, int64_t *out, const char *sql,
		    const char *fmt, ...);
struct json_object *journal_json(sqlite3 *db, const char *sql,
		    const char *fmt, ...);
void		 journal_event(sqlite3 *db, int64_t job, const char *guest,
		    const char *msgid, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));
void		 journal_audit(sqlite3 *db, const char *who, const char *what,
		    const char *args, const char *result);
int		 journal_job_new(sqlite3 *db, struct job *j);
int		 journal_move_new(sqlite3 *db, int64_t job, struct move *m);
int		 journal_move_step(sqlite3 *db, struct move *m,
		    enum lgrd_step step);
int		 journal_move_save(sqlite3 *db, const struct move *m);
int		 journal_move_progress(sqlite3 *db, const struct move *m);
int		 journal_job_end(sqlite3 *db, const struct job *j,
		    const char *state);
struct move	*journal_moves_load(sqlite3 *db, int64_t job, size_t *n);
int		 journal_job_load(sqlite3 *db, int64_t id, struct job *j);
struct json_object *journal_jobs_recent(sqlite3 *db, int n);
struct json_object *journal_jobs_running(sqlite3 *db);
int		 journal_job_latest(sqlite3 *db, int64_t *id);
struct json_object *journal_job_json(sqlite3 *db, int64_t job);
struct json_object *journal_moves_json(sqlite3 *db, int64_t job);
struct json_object *journal_history(sqlite3 *db, const char *guest);
struct json_object *journal_events(sqlite3 *db, int64_t since, int64_t job);
struct json_object *journal_audit_rows(sqlite3 *db, int64_t since);
int		 journal_move_mean_ms(sqlite3 *db, bool hsi, int64_t *ms);

/* plan.c: which guest goes where (no I/O; unit-tested). */
struct plan_member {
	bool		 joined;
	int64_t		 free_mib;
};

struct plan_input {
	const struct topo	*t;
	const int		*residency;	/* member per guest, -1 unknown */
	struct plan_member	*members;	/* per topo member (updated) */
	const char		*workload;	/* group name or ALL */
	int			 from;		/* member index or -1 */
	int			 to;		/* member index or -1 */
};

struct plan_item {
	int		 guest;
	int		 src;
	int		 dst;
	int		 group;
	bool		 hsi;
	int		 wave;		/* plan_waves: from 1 */
};

enum plan_error {
	PLAN_OK = 0,
	PLAN_E_WORKLOAD,	/* unknown workload group */
	PLAN_E_EMPTY,		/* no guest of it on the source */
	PLAN_E_FROM,		/* --from not allowed for the group */
	PLAN_E_TO,		/* --to not allowed for the group */
	PLAN_E_NODEST,		/* no allowed member to go to */
};

/* Returns the item count (items malloc'ed, NULL when 0), or -1 with
 * *err set and a message in errbuf. */
ssize_t		 plan_make(const struct plan_input *in, struct plan_item **items,
		    enum plan_error *err, char *errbuf, size_t len);

/* Cut the items (in plan_make's order) into waves of at most size
 * guests: a wave holds guests of one workload group, all with HSI
 * interfaces or all without (those need no routing change); a group's
 * HSI guests go first.  Sets each item's wave and sorts the items by
 * it, keeping their order within a wave.  Returns the number of waves. */
int		 plan_waves(struct plan_item *items, size_t n, unsigned size);

/* hv.c: client of the members' hvd control sockets (one per thread). */
struct hv;
struct hv_progress {
	char		 phase[16];
	int		 pass;
	double		 left_mib;
	double		 sent_mib;
	double		 est_quiesce_ms;
	int64_t		 started_ms;	/* wall clock */
	char		 end_code[16];	/* "" while running */
	char		 text[256];
};
struct hv	*hv_open(struct lgrd *d);
void		 hv_close(struct hv *h);
/* Guests with member, state, memory: a JSON array, or NULL. */
struct json_object *hv_guests(struct hv *h);
struct json_object *hv_members(struct hv *h);
/* Conflicts of guest -> member as JSON rows (array), or NULL. */
struct json_object *hv_check(struct hv *h, const char *guest,
		    const char *member);
/* Start; returns the relocation id, or -1 with reason (conflicts too). */
int64_t		 hv_relocate(struct hv *h, const char *guest, const char *src,
		    const char *dst, int64_t max_quiesce_ms, char *reason,
		    size_t len);
/* Latest relocation of guest as seen on member; 1 found, 0 none, -1. */
int		 hv_status(struct hv *h, const char *member, const char *guest,
		    int64_t *id, struct hv_progress *p);
/* The history row of relocation id: total and quiesce ms. */
int		 hv_result(struct hv *h, const char *member, const char *guest,
		    int64_t id, double *total_ms, double *quiesce_ms,
		    char *end_code, size_t len, char *text, size_t tlen);
int		 hv_cancel(struct hv *h, const char *member, const char *guest);
/* The member a guest runs on ("" unknown); 0 or -1. */
int		 hv_where(struct hv *h, const char *guest, char *member,
		    size_t len);
/* What hvd said when a request of h last failed ("" none). */
const char	*hv_error(struct hv *h);

/* agent.c: client of the guest agents (one per call). */
struct agent_result {
	bool		 ok;
	int		 code;			/* the agent's error code, or 0 */
	char		 error[256];
	char		 up[16];		/* complete: interface up */
	double		 ms;
	bool		 timed_out;		/* prepare */
	bool		 full;			/* complete */
	bool		 alone;
};
int		 agent_prepare(struct lgrd *d, const char *guest,
		    const char *const *peers, size_t npeers,
		    unsigned timeout_ms, struct agent_result *r);
/* arriving: the HSI guests of its wave completing on the same member
 * (the agent's "peers" of complete). */
int		 agent_complete(struct lgrd *d, const char *guest,
		    const char *const *arriving, size_t narriving,
		    struct agent_result *r);
/* Is the agent answering (status)?  0 yes, -1 with text. */
int		 agent_ping(struct lgrd *d, const char *guest, char *err,
		    size_t len);
/* The agent's status (agent_client.h) into *status, for the caller to
 * put; 0, or -1 when the agent does not answer within timeout_ms. */
int		 agent_status(struct lgrd *d, const char *guest, int timeout_ms,
		    struct json_object **status);

/* converge.c: wait for routing convergence around a moved guest. */
struct converge;
/* Subscribe to the routers' events before anything changes. */
struct converge	*converge_open(struct lgrd *d, int guest, const int *residency);
/* Wait until every peer's route to the guest's VIPA (and back) is what
 * the topology expects; returns ms waited, or -1 on timeout (reason). */
double		 converge_wait(struct converge *c, unsigned timeout_ms,
		    char *reason, size_t len);
void		 converge_close(struct converge *c);
/* Is a router's plugin answering?  0 yes, -1. */
int		 converge_ping(struct lgrd *d, const char *router);

/* verify.c: routecheck for a guest. */
/* 0 clean, 1 violations (summary), -1 could not run (skipped); the
 * violations that concern movers[] (guests still moving) do not count. */
int		 verify_guest(struct lgrd *d, const char *guest,
		    const char *const *movers, size_t nmovers, char *summary,
		    size_t len);
/* routecheck -j's output less what concerns movers[], as one line of
 * text; the violations left, -1 when not routecheck's JSON. */
int		 verify_summary(const struct topo *t, const char *out,
		    const char *const *movers, size_t nmovers, char *summary,
		    size_t len);
/* The same for one guest of a whole-lab run: only the violations that
 * concern guest (found on its router, or about its VIPA's route). */
int		 verify_summary_of(const struct topo *t, const char *out,
		    const char *guest, const char *const *movers,
		    size_t nmovers, char *summary, size_t len);
/* routecheck LAB -j for the whole lab: its exit code (0 clean, 1
 * violations) with the output in *out (malloc'ed), or -1. */
int		 verify_lab(struct lgrd *d, char **out);

/* move.c: one guest's pipeline. */
void		 move_run(struct job *j, struct move *m);
/* m arrives at every barrier of its wave up to phase; with wait, waits
 * until every move of the wave has arrived at phase. */
void		 move_wave_arrive(struct job *j, struct move *m,
		    enum lgrd_wave_phase phase, bool wait);
/* The guests the move's checks must leave out (moving at the same
 * time): residency with those set to -1.  0 or -1. */
int		 move_residency(struct job *j, struct hv *h, const struct move *m,
		    int *residency);

/* evac.c: jobs. */
int		 evac_plan(struct lgrd *d, const struct lgrd_request *rq,
		    struct job *j, int *errcode, char *errbuf, size_t len);
int64_t		 evac_start(struct lgrd *d, struct job *j);
/* The results of starting a job, read before its runner may free it. */
struct evac_started {
	int64_t		 id;
	size_t		 guests;
	unsigned	 parallel;
	char		 parallel_why[128];
	unsigned	 waves;
	unsigned	 wave_size;
};
/* Plan, check that no guest is busy, start: the control socket's and the
 * console's one path.  0, or -1 with a reply code and text. */
int		 evac_begin(struct lgrd *d, const struct lgrd_request *rq,
		    const char *who, struct evac_started *st, int *errcode,
		    char *errbuf, size_t len);
/* One row of a dry-run plan: eligibility, every conflict, predicted ms. */
struct json_object *evac_plan_row(struct lgrd *d, struct hv *h,
		    const struct move *m);
/* The line of wave w (m->seq) of a planned job: its guests, their
 * memory, the relocations at once and why, the predicted time. */
struct json_object *evac_plan_wave(struct lgrd *d, const struct job *j,
		    int wave);
void		 evac_resume(struct lgrd *d);
int		 evac_cancel(struct lgrd *d, int64_t id, const char *guest);
bool		 evac_busy(struct lgrd *d, const char *guest);
size_t		 evac_running(struct lgrd *d);
int		 evac_residency(struct lgrd *d, struct hv *h, int *residency);

/* report.c: the report of a job (shared with lgrctl). */
struct json_object *report_json(sqlite3 *db, int64_t job);
int		 report_name(struct lgrd *d, struct job *j);
int		 report_write(struct lgrd *d, struct job *j);

/* web.c, web_stream.c: the console (console.h; the provider's files
 * share web.h); every function is a no-op when d->web is NULL (console
 * off, unit tests). */
int		 web_open(struct lgrd *d);
void		 web_close(struct lgrd *d);
/* A one-time URL for role (0 viewer, 1 operator); -1 with errno. */
int		 web_url(struct lgrd *d, int role, char *buf, size_t len);
/* A move's step or the hypervisor's progress (p NULL: step only). */
void		 web_progress(struct lgrd *d, const struct job *j,
		    const struct move *m, const struct hv_progress *p);
/* A move's end: counted and observed in the metrics, published. */
void		 web_move_end(struct lgrd *d, const struct job *j,
		    const struct move *m);
/* A job started or ended. */
void		 web_job(struct lgrd *d, int64_t id, const char *state);

/* control.c: the requests on lgrd's control socket (main thread). */
int		 control_open(struct lgrd *d);
void		 control_close(struct lgrd *d);
/* Answer every request waiting on d->ctl. */
void		 control_dispatch(struct lgrd *d);

#endif
