/*
 * agent.h: private header of guestagentd, the guest agent that takes a
 * guest's HiperSockets (HSI) interfaces down before a relocation and
 * brings exactly the right one back after it.
 *
 * One process per guest, inside the guest's network namespace and
 * cgroup.  Everything runs in main's thread (one zmq_poll loop);
 * struct agent is the process's singleton, owned by main() and passed
 * to every module.  Prototypes are grouped under the file that defines
 * them.
 */
#ifndef LGR_AGENT_H
#define LGR_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <zmq.h>

#include "agent_client.h"
#include "cli.h"
#include "clock.h"
#include "ctlsrv.h"
#include "keys.h"
#include "topo.h"

#define AGENT_NAME		"guestagentd"
#define AGENT_JOURNAL_NAME	"agent.journal"

/* Stable message ids: events operators act on. */
#define GA_MSG_START		"[GA-START]"
#define GA_MSG_STOP		"[GA-STOP]"
#define GA_MSG_CONFIG		"[GA-CONFIG]"
#define GA_MSG_KEYS		"[GA-KEYS]"
#define GA_MSG_SOCKET		"[GA-SOCKET]"
/* The control socket core logs [GA-AUTH-DENIED] (unknown key),
   [GA-AUTH-REFUSED] (role may not) and [GA-BADREQ]: common/ctlsrv.c. */
#define GA_MSGID		"GA"
#define GA_MSG_LINK		"[GA-LINK]"		/* netlink failure */
#define GA_MSG_WRONG_HSI	"[GA-WRONG-HSI]"	/* corrected by hand-up */
#define GA_MSG_RECONCILE	"[GA-RECONCILE]"
#define GA_MSG_MOVED		"[GA-MOVED-UNPREPARED]"
#define GA_MSG_PREPARE		"[GA-PREPARE]"
#define GA_MSG_PREPARE_TIMEOUT	"[GA-PREPARE-TIMEOUT]"
#define GA_MSG_COMPLETE		"[GA-COMPLETE]"
#define GA_MSG_SELF_COMPLETE	"[GA-SELF-COMPLETE]"
#define GA_MSG_JOURNAL		"[GA-JOURNAL]"
#define GA_MSG_PLUGIN		"[GA-PLUGIN]"
#define GA_MSG_HV		"[GA-HV]"

enum agent_mode {
	AGENT_MODE_DRAIN,	/* drain, wait for evidence, down; up, undrain */
	AGENT_MODE_NAIVE,	/* the evaluation's script: down; wait, up, wait */
};

struct agent_opts {
	bool		 help;		/* -h, --help */
	bool		 version;	/* --version */
	const char	*topology;	/* -f */
	const char	*guest;		/* -g */
	const char	*labdir;	/* -D */
	bool		 foreground;	/* -d */
	bool		 check_only;	/* -n */
	int		 verbose;	/* -v */
	enum agent_mode	 mode;		/* --mode */
	unsigned	 self_complete_ms;	/* -t: PREPARED this long */
	unsigned	 full_timeout_ms;	/* -F: complete's Full wait */
	unsigned	 naive_wait_ms;		/* -w: each naive fixed wait */
	unsigned	 residency_ms;		/* -r: where poll, 0: off */
	unsigned	 settle_ms;		/* -s: after evidence, before down */
};

/*
 * options.c: the command line (common/cli.h).  options_parse() fills o
 * from argv[1..argc-1] and returns 0, or -1 with the message in err.
 */
extern const struct cli_spec	options_spec;
int		 options_parse(int argc, char **argv, struct agent_opts *o,
		    char *err, size_t errlen);

/*
 * config.c: what the agent knows from the topology.
 */
struct agent_hsi {
	char		 name[TOPO_IFNAME_MAX];
	int		 member;	/* index in topo->members */
};

struct agent_conf {
	struct topo		*topo;
	int			 guest;		/* index in topo->guests */
	char			 vipa[24];	/* "a.b.c.d/32" */
	struct agent_hsi	 hsi[TOPO_MAX_NICS];
	size_t			 nhsi;
};

int		 config_load(const char *path, const char *guest,
		    struct agent_conf *c);
void		 config_free(struct agent_conf *c);
const char	*config_guest_name(const struct agent_conf *c);
const char	*config_member_name(const struct agent_conf *c, int member);
int		 config_member_find(const struct agent_conf *c,
		    const char *name);
/* The topology guest whose router id (VIPA) is rid, or -1. */
int		 config_guest_by_router_id(const struct agent_conf *c,
		    const char *rid);
/* Names of guest g's HSI interfaces; returns the count. */
size_t		 config_guest_hsi(const struct agent_conf *c, int g,
		    const char **names, size_t max);
void		 config_print(const struct agent_conf *c, FILE *out);

/*
 * fsm.c: the agent's state machine, pure (no I/O, times passed in).
 *
 * The journal state says whether a relocation is in flight: IDLE (none:
 * the interface of the member the guest runs on is up, the others
 * down), PREPARED (every HSI interface down, the guest may move),
 * COMPLETING (the interface of the member it now runs on comes up).  An
 * operation (prepare, complete) runs on top of a state.
 */
#define FSM_MAX_IFS	TOPO_MAX_NICS
#define FSM_WARN_MAX	256

enum fsm_state {
	FSM_IDLE,
	FSM_PREPARED,
	FSM_COMPLETING,
	FSM_NSTATES,
};

enum fsm_op {
	FSM_OP_NONE,
	FSM_OP_PREPARE,
	FSM_OP_COMPLETE,
};

/* What an interface's admin state must be now. */
enum fsm_want {
	FSM_WANT_DOWN,
	FSM_WANT_UP,
	FSM_WANT_KEEP,		/* residency unknown: leave it, one at most */
};

/* What to do about a link change. */
enum fsm_verdict {
	FSM_LINK_OK,
	FSM_LINK_WRONG,		/* up though it must not be: take it down */
	FSM_LINK_STALE,		/* older than our own change: ignored */
};

#define FSM_EXPECT_MS	1000	/* how long our own change awaits its event */

struct fsm_if {
	char		 name[TOPO_IFNAME_MAX];
	int		 member;	/* whose HiperSockets LAN it joins */
	bool		 present;	/* the kernel has it */
	bool		 admin_up;
	bool		 oper_up;
	bool		 drained;	/* as the plugin last said */
	int64_t		 since_ms;	/* wall clock of its last change */
	int		 expect;	/* our change in flight: 0/1, -1 none */
	int64_t		 expect_until;	/* ... awaited until then */
};

struct fsm_action {
	size_t		 idx;		/* interface */
	bool		 up;
};

struct fsm {
	enum fsm_state	 state;
	enum fsm_op	 op;
	int		 residency;	/* member index, -1: unknown */
	int		 target;	/* COMPLETING: member, -1: unknown */
	int64_t		 since_ms;	/* wall clock of the last transition */
	int64_t		 prepared_ms;	/* wall clock PREPARED was entered */
	struct fsm_if	 ifs[FSM_MAX_IFS];
	size_t		 nifs;
	uint64_t	 corrections;	/* wrong interfaces taken down */
	char		 last_warning[FSM_WARN_MAX];
};

/* What start-up must do, from the journal. */
enum fsm_start {
	FSM_START_RECONCILE,	/* IDLE: right interface up, undrain */
	FSM_START_WAIT,		/* PREPARED: all down, wait for complete */
	FSM_START_COMPLETE,	/* COMPLETING: finish it */
};

void		 fsm_init(struct fsm *f);
int		 fsm_add_if(struct fsm *f, const char *name, int member);
int		 fsm_if_find(const struct fsm *f, const char *name);
const char	*fsm_state_name(enum fsm_state s);
int		 fsm_state_find(const char *name);
const char	*fsm_op_name(enum fsm_op op);
enum fsm_start	 fsm_restore(struct fsm *f, enum fsm_state s,
		    int64_t since_ms, int64_t prepared_ms);
enum fsm_want	 fsm_want(const struct fsm *f, size_t i);
/* Actions that reach the wanted state: downs first, at most one up. */
size_t		 fsm_plan(const struct fsm *f, struct fsm_action *a,
		    size_t max);
size_t		 fsm_count_up(const struct fsm *f);
enum fsm_verdict fsm_link_changed(struct fsm *f, size_t i, bool present,
		    bool admin_up, bool oper_up, int64_t now_ms);
/* We changed the admin state: events from before it are stale. */
void		 fsm_set_admin(struct fsm *f, size_t i, bool up,
		    int64_t now_ms);
void		 fsm_correction(struct fsm *f, const char *warning);
void		 fsm_warning(struct fsm *f, const char *warning);
/* Returns 1 when the residency changed, 0 when not. */
int		 fsm_set_residency(struct fsm *f, int member);
/* Transitions: 0, or -1 with errno EBUSY (another operation runs). */
int		 fsm_prepare_begin(struct fsm *f);
void		 fsm_prepare_abort(struct fsm *f);
void		 fsm_prepare_done(struct fsm *f, int64_t now_ms);
int		 fsm_complete_begin(struct fsm *f, int64_t now_ms);
void		 fsm_complete_target(struct fsm *f, int member);
void		 fsm_complete_fail(struct fsm *f);
void		 fsm_complete_done(struct fsm *f, int64_t now_ms);
bool		 fsm_self_complete_due(const struct fsm *f, int64_t now_ms,
		    unsigned timeout_ms);
/* The interface of member m, or -1. */
int		 fsm_if_of_member(const struct fsm *f, int member);

/*
 * journal.c: the journal file LABDIR/GUEST/agent.journal, replaced
 * atomically (temporary file, fsync, rename, fsync of the directory).
 */
struct journal {
	enum fsm_state	 state;
	char		 member[TOPO_NAME_MAX];	/* residency, "" unknown */
	int64_t		 since_ms;
	int64_t		 prepared_ms;
	char		 drained[FSM_MAX_IFS][TOPO_IFNAME_MAX];
	size_t		 ndrained;
};

/* 0, or -1 with errno of the failing system call. */
int		 journal_write(const char *path, const struct journal *j);
/* 0, or -1 with errno ENOENT (no journal) or EBADMSG (unreadable). */
int		 journal_read(const char *path, struct journal *j);

/*
 * evidence.c: reading the ospfd_lgr replies (pure).
 */
struct evidence_if {
	bool		 found;
	bool		 drained;
	bool		 link_up;
	bool		 dr;		/* our ISM state is DR */
	int		 nfull;		/* neighbours in Full */
	int		 n2way;		/* ... at least 2-Way */
	int		 priority;
	char		 state[24];	/* ISM state */
};

int		 evidence_iface(struct json_object *state, const char *ifname,
		    struct evidence_if *e);
/*
 * Has ospfd brought the interface up: its link up and its ISM state past
 * Waiting?  Until then a priority given back would be the one it comes
 * up with, and it would wait a dead interval to elect.
 */
bool		 evidence_iface_up(const struct evidence_if *e);
/* Router ids of the neighbours on ifname; returns the count. */
size_t		 evidence_neighbors(struct json_object *state,
		    const char *ifname, char (*rid)[INET_ADDRSTRLEN],
		    size_t max);
/*
 * The route to prefix: 1 when it exists and none of its next hops
 * leaves through one of ifs, 0 when one does, -1 when there is none.
 */
int		 evidence_route_avoids(struct json_object *routes,
		    const char *prefix, const char *const *ifs, size_t nifs);
/*
 * Every route but those to the prefixes in except avoids ifs.  Returns
 * true or false; *first names the first offending prefix.
 */
bool		 evidence_routes_avoid(struct json_object *routes,
		    const char *const *ifs, size_t nifs,
		    const char *const *except, size_t nexcept,
		    const char **first);

/*
 * pace.c: when to ask a router again while waiting for evidence (pure).
 */
struct pace {
	int		 watch;		/* its event subscription, -1 none */
	int64_t		 next;		/* monotonic ms: due from then */
	int		 step;		/* back-off, ms */
};

void		 pace_init(struct pace *p, int watch);
bool		 pace_due(const struct pace *p, bool fired, int64_t now);
void		 pace_wait(struct pace *p, int64_t now);

/*
 * The running daemon.  Everything below does I/O.
 */
struct plugin;


struct op_peer {
	struct plugin	*plugin;	/* its ospfd_lgr (plugin_peer) */
	char		 name[TOPO_NAME_MAX];
	int		 guest;		/* topology index */
	const char	*ifs[TOPO_MAX_NICS];	/* its HSI interfaces */
	size_t		 nifs;
	bool		 moved;		/* routes our VIPA off HSI */
	bool		 answered;	/* its plugin answered at least once */
	struct pace	 pace;
};

enum op_phase {
	OP_PREPARE_WAIT,	/* drain requested: waiting for evidence */
	OP_PREPARE_SETTLE,	/* evidence seen: settle, then down */
	OP_COMPLETE_WAIT1,	/* naive: fixed wait before anything */
	OP_COMPLETE_FULL,	/* interface up: waiting for Full */
	OP_COMPLETE_WAIT2,	/* naive: fixed wait after the up */
};

/* The operation in flight (fsm.op says which). */
struct op {
	enum op_phase		 phase;
	struct ctlsrv_conn	 client;	/* invalid: self-started */
	const char		*why;		/* self-started: the reason */
	int64_t			 t0_us;		/* monotonic, for reports */
	int64_t			 deadline;	/* monotonic ms from here */
	int64_t			 next_poll;
	int64_t			 until;		/* settle / fixed waits */
	/* prepare */
	struct op_peer		 peers[AGENT_PEERS_MAX];
	size_t			 npeers;
	char			 drained[FSM_MAX_IFS][TOPO_IFNAME_MAX];
	size_t			 ndrained;
	bool			 own_ok;	/* our drain in effect */
	bool			 own_ospf_ok;	/* ... in ospfd (the kernel's
						   table may lag) */
	bool			 timed_out;
	double			 drain_ms;
	/* complete */
	int			 up;		/* interface index, -1: none */
	int64_t			 up_us;
	bool			 alone;
	bool			 heard;		/* a neighbour is 2-Way (Full
						   when await_dr) */
	bool			 await_dr;	/* arriving with others, not
						   first: undrain once Full */
	char			 arriving[AGENT_PEERS_MAX][MSG_NAME_MAX];
	size_t			 narriving;	/* the complete's peers */
	bool			 full;
	bool			 dr;
	double			 full_ms;
	uint64_t		 full_timeout_ms;
};

#define WATCH_MAX	(AGENT_PEERS_MAX + 1)

struct agent {
	struct agent_opts	 opts;
	struct agent_conf	 conf;
	struct fsm		 fsm;
	void			*zctx;
	struct keys_set		 keys;		/* our server side */
	struct keys_client	 kc;		/* towards plugins and hvd */
	struct ctlsrv		*ctl;		/* our control socket */
	char			 nodedir[PATH_MAX];
	char			 journal_path[PATH_MAX];
	struct plugin		*own;		/* this guest's ospfd_lgr */
	struct plugin		**peers;	/* others', by guest index */
	struct op		 op;
	void			*watch[WATCH_MAX];	/* SUB on lgr.ev */
	int			 watch_fd[WATCH_MAX];	/* its ZMQ_FD */
	bool			 fired[WATCH_MAX];	/* an event since
							   last asked */
	size_t			 nwatch;
	void			*hv_sock;	/* to an hvd (residency.c) */
	size_t			 hv_member;	/* ... of that member */
	int64_t			 next_residency;	/* monotonic */
	bool			 residency_hint;	/* ask now (a carrier changed) */
	int64_t			 next_retry;
	bool			 undrain_pending;
	bool			 residency_warned;
};

/* guestagentd.c: the wall clock of reports and the journal */

/*
 * control.c: the control socket (common/ctlsrv.h) and the dispatch of
 * its requests.  Answers go through ctlsrv_error() and control_answer();
 * prepare and complete take their conn over with ctlsrv_conn_move().
 */
int		 control_open(struct agent *a);
void		 control_close(struct agent *a);
void		 control_zap(struct agent *a);
void		 control_read(struct agent *a);
/* The data frame (NULL: none) and the end; takes data. */
void		 control_answer(struct ctlsrv_conn *cl,
		    struct json_object *data);

/* links.c: HSI links through libnl (cache, events, admin state) */
int		 links_open(struct agent *a);
void		 links_close(void);
int		 links_fd(void);
void		 links_read(struct agent *a);
int		 links_set(struct agent *a, size_t i, bool up);
int		 links_fib_avoids_hsi(struct agent *a,
		    const char *const *except, size_t nexcept, char *first,
		    size_t len);

/* plugin.c: clients of ospfd_lgr's control socket */
struct plugin	*plugin_open(struct agent *a, const char *node);
void		 plugin_close(struct plugin *p);
struct plugin	*plugin_peer(struct agent *a, int g);
void		 plugin_close_peers(struct agent *a);
const char	*plugin_node(const struct plugin *p);
int		 plugin_request(struct plugin *p, int type,
		    const char *const *args, int nargs, int timeout_ms,
		    struct json_object **data);
int		 plugin_error(const struct plugin *p, const char **text);

/* residency.c: where the guest runs, asked of the members' hvd */
int		 residency_where(struct agent *a, char *state, size_t len);
int		 residency_guests_on(struct agent *a, int member, bool *on,
		    size_t n);
void		 residency_close(struct agent *a);

/* watch.c: event subscriptions (lgr.ev) that wake the loop */
int		 watch_add(struct agent *a, const char *node, bool own);
void		 watch_clear(struct agent *a);
size_t		 watch_items(struct agent *a, zmq_pollitem_t *it, size_t max);
bool		 watch_read(struct agent *a, const zmq_pollitem_t *it,
		    size_t n);
bool		 watch_fired(struct agent *a, int i);

/* engine.c: start-up, link events, timers, applying the fsm's plans */
void		 engine_start(struct agent *a);
void		 engine_link_event(struct agent *a, size_t i, bool present,
		    bool admin_up, bool oper_up);
void		 engine_tick(struct agent *a);
int64_t		 engine_next_deadline(struct agent *a);
int		 engine_apply(struct agent *a);
int		 engine_journal(struct agent *a);
int		 engine_refresh_drained(struct agent *a,
		    struct json_object **state, int timeout_ms);
int		 engine_undrain(struct agent *a);
int		 engine_drain_before_up(struct agent *a, int i);

/* prepare.c */
void		 prepare_start(struct agent *a, const struct agent_request *rq,
		    struct ctlsrv_conn *cl);
void		 prepare_step(struct agent *a);
void		 prepare_abort(struct agent *a, const char *why);

/* complete.c */
void		 complete_start(struct agent *a, const struct agent_request *rq,
		    struct ctlsrv_conn *cl, const char *why);
void		 complete_step(struct agent *a);

/* report.c: JSON answers */
struct json_object *report_status(struct agent *a);
struct json_object *report_prepare(struct agent *a);
struct json_object *report_complete(struct agent *a);
struct json_object *report_ms(double ms);
const char	*report_list(char *buf, size_t len, const char *const *v,
		    size_t n);

#endif
