/*
 * nslab.h: the network-namespace lab, private header.  Prototypes are
 * grouped under the file that defines them.
 */
#ifndef NSLAB_H
#define NSLAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "cli.h"
#include "topo.h"

#define NSLAB_FRR_DIR	"/usr/lib/frr"

/* Exit codes (nslab(8)). */
enum nslab_exit {
	NSLAB_EXIT_OK = 0,
	NSLAB_EXIT_FAIL = 1,		/* a step failed, lab removed */
	NSLAB_EXIT_USAGE = 2,
	NSLAB_EXIT_INVALID = 3,		/* topology file invalid */
	NSLAB_EXIT_CONVERGE = 4,	/* up, but not converged in time */
	NSLAB_EXIT_NOLAB = 5,		/* no such lab */
	NSLAB_EXIT_EXISTS = 6,		/* lab already exists */
};

/* Options of `nslab up`. */
struct up_opts {
	const char	*file;
	unsigned	 timeout_s;	/* convergence wait, 0: by size */
	bool		 no_wait;
	bool		 quiet;
	bool		 json;
	const char	*plugin;	/* ospfd module to load, or NULL */
	const char	*name;		/* lab name instead of the file's */
	const char	*hvd;		/* hvd program, or NULL: none */
	const char	*agent;		/* guestagentd program, or NULL */
	const char	*lgrd;		/* lgrd program, or NULL */
	const char	*host_name;	/* --host: this host's part only */
	int		 host;		/* its index, -1: every host */
};

/* parser.c: the command line. */
enum nslab_cmd {
	NSLAB_CHECK,
	NSLAB_UP,
	NSLAB_DOWN,
	NSLAB_STATUS,
	NSLAB_EXEC,
	NSLAB_VTYSH,
	NSLAB_GRAPH,
	NSLAB_GEN,
	NSLAB_FAULT,
	NSLAB_RESTART,
};

struct nslab_args {
	char			*argv[CLI_ARGS + 8];	/* exec's, with "--" */
	struct cli_result	 res;
	bool			 help;
	bool			 version;
	enum nslab_cmd		 cmd;
	char			**args;		/* positional, after the word */
	int			 nargs;
	bool			 verbose;	/* check, down: -v */
	bool			 json;		/* status: -j */
	struct up_opts		 up;		/* up (no programs looked up) */
	bool			 no_plugin, no_hv, no_agents;
	const char		*vtysh[CLI_VALUES];	/* vtysh -c, in order */
	size_t			 nvtysh;
	bool			 svg;		/* graph --format svg */
	const char		*output;	/* graph, gen: -o */
	struct topo_gen_opts	 gen;
};
/*
 * argv to a, or -1 with the message in err (without the program's name,
 * as cli.h says).  With --help or --version nothing else is checked.
 */
int		 parser_parse(int argc, char **argv, struct nslab_args *a,
		    char *err, size_t errlen);
void		 parser_usage(FILE *f);

/* netlink.c */
struct nl_batch;
typedef void (*nlb_err_cb)(void *arg, const char *what, int err,
    const char *extack);
struct nlb_veth {
	const char	*name;
	int		 ifindex;
	const char	*peer;
	int		 peer_ifindex;
	int		 peer_nsfd;	/* -1: same namespace */
	const char	*alias;
	unsigned	 mtu;		/* both ends; 0: the default */
};
#define NLB_VXLAN_PORT	4789
struct nl_batch	*nlb_open(const char *ns, nlb_err_cb errcb, void *arg);
void		 nlb_close(struct nl_batch *nb);
int		 nlb_bridge_add(struct nl_batch *nb, const char *name,
		    int ifindex);
int		 nlb_dummy_add(struct nl_batch *nb, const char *name,
		    int ifindex);
int		 nlb_veth_add(struct nl_batch *nb, const struct nlb_veth *v);
int		 nlb_vxlan_add(struct nl_batch *nb, const char *name,
		    int ifindex, uint32_t vni, struct in_addr local);
int		 nlb_fdb_append(struct nl_batch *nb, int ifindex,
		    struct in_addr dst);
int		 nlb_link_set(struct nl_batch *nb, int ifindex, bool up,
		    int master, const char *what);
int		 nlb_addr_add(struct nl_batch *nb, int ifindex,
		    const struct topo_prefix *p, const char *what);
int		 nlb_commit(struct nl_batch *nb);
int		 nlb_errors(const struct nl_batch *nb);
void		 nlb_log_failure(const char *step);

/* netns.c */
int		 netns_enter(int fd);
int		 netns_create(const char *name);
int		 netns_open(const char *name);
bool		 netns_exists(const char *name);
int		 netns_delete(const char *name);
int		 netns_sysctl(const char *ns, const char *path,
		    const char *value);

/* proc.c */
struct proc_spec {
	char *const	*argv;
	int		 nsfd;		/* -1: stay */
	const char	*cgroup;	/* cgroup directory to join, or NULL */
	const char	*log;		/* stdout/stderr file, or NULL */
	int		 nice;		/* scheduling niceness, 0: inherit */
};
pid_t		 proc_spawn(const struct proc_spec *ps);
int		 proc_starttime(pid_t pid, unsigned long long *st);
bool		 proc_alive(pid_t pid, unsigned long long st);
bool		 proc_stopped(pid_t pid, unsigned long long st);
int		 proc_stop(pid_t pid, unsigned long long st, int timeout_ms);
long		 proc_pss_kib(pid_t pid);
void		 proc_sleep_ms(int ms);

/* state.c: the lab's manifest of what it created. */
struct lab_state;
struct lab_proc {
	char			 node[TOPO_NAME_MAX];
	char			 what[16];
	pid_t			 pid;
	unsigned long long	 start;
};
struct lab_state *state_create(const char *lab);
struct lab_state *state_open(const char *lab);
void		 state_close(struct lab_state *st);
const char	*state_dir(const struct lab_state *st);
int		 state_note(struct lab_state *st, const char *kind,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A line "TIME text" in the lab's event log, LABDIR/events.log. */
int		 state_event(const struct lab_state *st, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 state_note_proc(struct lab_state *st, const char *node,
		    const char *what, pid_t pid);
int		 state_procs(const struct lab_state *st, struct lab_proc **procs,
		    size_t *n);
/* The text of the last manifest line of that kind: 0, -1 (none). */
int		 state_value(const struct lab_state *st, const char *kind,
		    char *buf, size_t len);
/*
 * Remove what the manifest names; verbose: warn about processes that
 * needed SIGKILL; report (or NULL): a line per object removed and a
 * summary.
 */
int		 state_undo(struct lab_state *st, bool verbose, FILE *report);
int		 state_labs(char ***names, size_t *n);
struct topo	*state_topo(const struct lab_state *st);

/* links.c: build the lab's namespaces and links. */
int		 links_build(const struct topo *t, struct lab_state *st,
		    int host);

/* cgroup.c */
int		 cgroup_make_guest(struct lab_state *st, const char *lab,
		    const char *guest, char *path, size_t len);
int		 cgroup_make_host(struct lab_state *st, const char *lab,
		    const char *host, char *path, size_t len);

/* daemons.c: hvd per member, guest agents, the lab's keys. */
const char	*daemons_find(const char *env, const char *subdir,
		    const char *name, char *buf, size_t len);
int		 daemons_keys(struct lab_state *st);
int		 daemons_start_hvd(const struct topo *t, struct lab_state *st,
		    const char *hvd, int host);
/* Agents of guest only (-1: all) on host's members (-1: every host). */
int		 daemons_start_agents(const struct topo *t,
		    struct lab_state *st, const char *agent, int only,
		    int host);
int		 daemons_restart_hvd(const struct topo *t, struct lab_state *st,
		    const char *hvd, size_t m);
int		 daemons_start_lgrd(struct lab_state *st, const char *lgrd);
/* The etcd nodes (of host only, not waited for; -1 every one). */
int		 daemons_start_etcd(const struct topo *t, struct lab_state *st,
		    int host);
/* The etcd node of host h again (nslab restart). */
int		 daemons_restart_etcd(const struct topo *t, struct lab_state *st,
		    int h);
/*
 * The host whose etcd node is the cluster's leader (each node's
 * /v3/maintenance/status, asked from its host), or -1 with why.
 */
int		 daemons_etcd_leader(const struct topo *t, char *why,
		    size_t len);
/* The etcd nodes' client endpoints, "A:2379,B:2379", into buf. */
char		*daemons_etcd_endpoints(const struct topo *t, char *buf,
		    size_t len);
/*
 * Where a process of host h runs (h -1: the lab's own, nothing to
 * join): *nsfd the host's namespace (to close) and cgroup its cgroup
 * path, made when missing.  Returns 0 or -1 (logged).
 */
int		 daemons_host_place(const struct topo *t, struct lab_state *st,
		    int h, int *nsfd, char *cgroup, size_t len);

/* frr.c: configuration files and daemons of every router. */
int		 frr_start_all(const struct topo *t, struct lab_state *st,
		    const struct up_opts *o);
/* A guest's zebra and ospfd again, as frr_start_all started them. */
int		 frr_restart_guest(const struct topo *t, struct lab_state *st,
		    int guest);

/* vty.c: FRR's vty socket protocol (what vtysh speaks). */
struct vty_conn;
struct vty_conn	*vty_open(const char *sockpath);
void		 vty_close(struct vty_conn *v);
int		 vty_exec(struct vty_conn *v, const char *cmd, char **out);
json_object	*vty_json(struct vty_conn *v, const char *cmd);

/* converge.c */
int		 converge_wait(const struct topo *t, const char *lab,
		    unsigned timeout_s, bool quiet, FILE *diag);

/* hvask.c: the hypervisor and the guest agents, asked as a viewer. */
#define HVASK_STATE_MAX	16
/*
 * Every row of hvd's answer to a read request (HV_REQ_MEMBERS,
 * HV_REQ_GUESTS), from the first member whose hvd answers; NULL with
 * the reason in why.
 */
json_object	*hvask_rows(const struct topo *t, const char *labdir,
		    int type, char *why, size_t len);
/* The same from member m's hvd only (m -1: any). */
json_object	*hvask_rows_of(const struct topo *t, const char *labdir,
		    int m, int type, char *why, size_t len);
/* A row's string field, "" when absent. */
const char	*hvask_field(json_object *row, const char *key);
/*
 * res[g] = the member the directory names for guest g (entries of
 * guests it does not name are kept).  Returns how many it named, or -1
 * (why).
 */
int		 hvask_residency(const struct topo *t, const char *labdir,
		    int *res, char *why, size_t len);
/* state[m] = member m's state in the directory ("?" unknown). */
int		 hvask_member_states(const struct topo *t, const char *labdir,
		    char (*state)[HVASK_STATE_MAX], char *why, size_t len);
/* Does guest's agent answer a status request?  0, or -1 (why). */
int		 hvask_agent(const char *labdir, const char *guest, char *why,
		    size_t len);

/* ready.c: members JOINED, guests RUNNING, agents answering. */
int		 ready_wait(const struct topo *t, const char *lab, bool hv,
		    bool agents, uint64_t deadline_ms, bool quiet, FILE *diag);

/* linkstate.c */
struct link_info {
	char	name[16];
	int	ifindex;
	bool	up;		/* admin */
	bool	running;	/* carrier */
	int	master;		/* bridge ifindex, 0: none */
};
ssize_t		 linkstate_read(const char *ns, struct link_info **links);
const struct link_info *linkstate_find(const struct link_info *v, size_t n,
		    const char *name);
const struct link_info *linkstate_by_index(const struct link_info *v,
		    size_t n, int ifindex);
ssize_t		 linkstate_read_switches(const struct topo *t,
		    const char *lab, struct link_info **links);
int		 linkstate_residency(const struct topo *t, const char *lab,
		    int *res);

/* graph.c */
/*
 * Where each guest lives (res, t->nguests entries) and each member's
 * state (state may be NULL; "" unknown): from the hypervisor's
 * directory, else the network; *from says which ("hypervisor",
 * "network").  Returns 0 or -1.
 */
int		 graph_residency(const struct topo *t, const char *lab,
		    int *res, char (*state)[HVASK_STATE_MAX],
		    const char **from);
int		 graph_write(const struct topo *t, const char *lab, FILE *out);
int		 graph_cmd(const char *lab, bool svg, const char *output);

/* fault.c: `nslab fault LAB VERB ARG...` (args[0] is the verb). */
int		 fault_cmd(const char *lab, char **args, int nargs, bool json,
		    FILE *out);

/* restart.c: `nslab restart LAB DAEMON [NAME]`. */
int		 restart_cmd(const char *lab, const char *daemon,
		    const char *name, bool json, FILE *out);

/* status.c */
int		 status_print(const char *lab, bool json, FILE *out);

/* lab.c: up and down. */
int		 lab_up(struct up_opts *o);
int		 lab_down(const char *lab, bool verbose);
int		 lab_node_netns(const char *lab, const char *node, char *buf,
		    size_t len);
bool		 lab_was_interrupted(void);
/* Does router guest (-1: the ABR) run on host (-1: any)? */
bool		 lab_node_here(const struct topo *t, int host, int guest);
double		 lab_secs(uint64_t t0_ms);
struct topo	*lab_load(const char *file);
int		 lab_warnings(const struct topo *t);

#endif
