/*
 * fault.c: `nslab fault LAB VERB ...`, faults on demand for tests and
 * users (nslab(8)): kill, stop or continue a member's hvd, kill a guest
 * agent or an etcd node, cut a host from the underlay and heal it, kill
 * a whole host, take a router's interface down or up.  Each fault is a
 * line in the lab's event log (LABDIR/events.log) and a line (or, with
 * -j, a JSON object) on standard output.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"
#include "nsswitch.h"

struct fault {
	const char	*lab;
	struct lab_state *st;
	struct topo	*t;
	struct lab_proc	*procs;
	size_t		 nprocs;
	char		 done[256];	/* what was done, for the outputs */
	char		 node[TOPO_NAME_MAX];	/* etcd-kill: the node's host */
};

struct fault_verb {
	const char	*name;
	int		 nargs;		/* after the verb */
	const char	*usage;
	int		(*fn)(struct fault *, char **);
};

/* Interface name of namespace ns administratively up or down. */
static int
fault_link_set(const char *ns, const char *name, bool up)
{
	struct nl_batch	*nb;
	int		 self, idx, rc;

	if ((self = nsswitch_enter(ns)) == -1)
		return -1;
	idx = (int)if_nametoindex(name);
	nsswitch_leave(self);
	if (idx == 0) {
		errno = ENODEV;
		return -1;
	}
	if ((nb = nlb_open(ns, NULL, NULL)) == NULL)
		return -1;
	nlb_link_set(nb, idx, up, 0, name);
	rc = nlb_commit(nb);
	nlb_close(nb);
	return rc;
}

/* The live process WHAT of NODE the lab started last, or NULL. */
static const struct lab_proc *
fault_proc(const struct fault *f, const char *node, const char *what)
{
	for (size_t i = f->nprocs; i-- > 0; )
		if (strcmp(f->procs[i].node, node) == 0 &&
		    strcmp(f->procs[i].what, what) == 0)
			return proc_alive(f->procs[i].pid, f->procs[i].start) ?
			    &f->procs[i] : NULL;
	return NULL;
}

static int
fault_signal(struct fault *f, const char *node, const char *what, int sig,
    const char *verb)
{
	const struct lab_proc	*p = fault_proc(f, node, what);

	if (p == NULL) {
		log_warnx("[NSLAB-FAULT] %s: no running %s of %s in lab %s",
		    verb, what, node, f->lab);
		return -1;
	}
	if (kill(p->pid, sig) == -1) {
		log_warn("[NSLAB-FAULT] %s: %s of %s (pid %d)", verb, what,
		    node, (int)p->pid);
		return -1;
	}
	snprintf(f->done, sizeof(f->done), "%s %s of %s (pid %d)",
	    sig == SIGKILL ? "killed" : sig == SIGSTOP ? "stopped" :
	    "continued", what, node, (int)p->pid);
	return 0;
}

static int
fault_member(struct fault *f, const char *m, int sig, const char *verb)
{
	if (topo_member_find(f->t, m) < 0) {
		log_warnx("[NSLAB-FAULT] %s: no member %s in lab %s", verb, m,
		    f->lab);
		return -1;
	}
	return fault_signal(f, m, "hvd", sig, verb);
}

static int
fault_kill_member(struct fault *f, char **a)
{
	return fault_member(f, a[0], SIGKILL, "kill-member");
}

static int
fault_stop_member(struct fault *f, char **a)
{
	return fault_member(f, a[0], SIGSTOP, "stop-member");
}

static int
fault_cont_member(struct fault *f, char **a)
{
	return fault_member(f, a[0], SIGCONT, "cont-member");
}

static int
fault_kill_agent(struct fault *f, char **a)
{
	return fault_signal(f, a[0], "guestagentd", SIGKILL, "kill-agent");
}

/* etcd-kill HOST, or the leader's node (found by asking every node). */
static int
fault_etcd_kill(struct fault *f, char **a)
{
	char	why[512];
	size_t	used;
	int	h;

	if (strcmp(a[0], "leader") != 0) {
		snprintf(f->node, sizeof(f->node), "%s", a[0]);
		return fault_signal(f, a[0], "etcd", SIGKILL, "etcd-kill");
	}
	if ((h = daemons_etcd_leader(f->t, why, sizeof(why))) < 0) {
		log_warnx("[NSLAB-FAULT] etcd-kill leader: %s", why);
		return -1;
	}
	snprintf(f->node, sizeof(f->node), "%s", f->t->hosts[h].name);
	if (fault_signal(f, f->node, "etcd", SIGKILL, "etcd-kill") == -1)
		return -1;
	used = strlen(f->done);
	snprintf(f->done + used, sizeof(f->done) - used, ", the leader");
	return 0;
}

static int
fault_host(const struct fault *f, const char *h, const char *verb)
{
	int	i;

	if ((i = topo_host_find(f->t, h)) < 0)
		log_warnx("[NSLAB-FAULT] %s: no host %s in lab %s", verb, h,
		    f->lab);
	return i;
}

/* ul0 of a host down (cut from the underlay) or up. */
static int
fault_underlay(struct fault *f, const char *h, bool up, const char *verb)
{
	char	ns[128];

	if (fault_host(f, h, verb) < 0 || labname_host_netns(f->lab, h, ns,
	    sizeof(ns)) == NULL)
		return -1;
	if (fault_link_set(ns, LABNAME_UNDERLAY_IF, up) == -1) {
		log_warn("[NSLAB-FAULT] %s: %s of host %s", verb,
		    LABNAME_UNDERLAY_IF, h);
		return -1;
	}
	snprintf(f->done, sizeof(f->done), "host %s %s the underlay", h,
	    up ? "back on" : "cut from");
	return 0;
}

static int
fault_partition(struct fault *f, char **a)
{
	return fault_underlay(f, a[0], false, "partition");
}

static int
fault_heal(struct fault *f, char **a)
{
	return fault_underlay(f, a[0], true, "heal");
}

/* Is thread tid the main thread of its process? */
static bool
fault_main_thread(int tid)
{
	char	path[64], line[128];
	FILE	*fp;
	int	tgid = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(fp);
	return tgid == tid;
}

/*
 * SIGKILL every process whose main thread is in a cgroup; returns how
 * many.  A thread of another process placed there (a probe's responder,
 * which stalls with the guest: lgrprobe(8), lgrd's moves) is not the
 * host's: killing it would kill its process, lgrd included.
 */
static int
fault_kill_cgroup(const char *dir)
{
	char	path[600];
	FILE	*fp;
	int	tid, n = 0;

	snprintf(path, sizeof(path), "%s/tasks", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fscanf(fp, "%d", &tid) == 1)
		if (fault_main_thread(tid) && kill(tid, SIGKILL) == 0)
			n++;
	fclose(fp);
	return n;
}

/*
 * A host dies: cut from the underlay, every process of its cgroup (hvd,
 * etcd), of the guests that run there and of the ABR when it is there
 * killed.  Where a guest runs is the directory's word, asked before the
 * cut (the topology's member when no hvd answers).
 */
static int
fault_kill_host(struct fault *f, char **a)
{
	char	cg[512], dir[512], why[256];
	int	h, n = 0, *res;

	if ((h = fault_host(f, a[0], "kill-host")) < 0)
		return -1;
	if ((res = calloc(f->t->nguests + 1, sizeof(*res))) == NULL)
		return -1;
	for (size_t g = 0; g < f->t->nguests; g++)
		res[g] = f->t->guests[g].member;
	if (labname_labdir(f->lab, dir, sizeof(dir)) != NULL &&
	    hvask_residency(f->t, dir, res, why, sizeof(why)) == -1)
		log_warnx("[NSLAB-FAULT] kill-host: residency unknown (%s): "
		    "the topology's members taken", why);
	if (fault_underlay(f, a[0], false, "kill-host") == -1) {
		free(res);
		return -1;
	}
	if (labname_host_cgroup(f->lab, a[0], cg, sizeof(cg)) != NULL)
		n += fault_kill_cgroup(cg);
	for (size_t i = 0; f->t->abr.host == h && i < f->nprocs; i++)
		if (strcmp(f->procs[i].node, f->t->abr.name) == 0 &&
		    proc_alive(f->procs[i].pid, f->procs[i].start) &&
		    kill(f->procs[i].pid, SIGKILL) == 0)
			n++;
	for (size_t g = 0; g < f->t->nguests; g++) {
		if (topo_member_host(f->t, res[g]) != h ||
		    labname_cgroup(f->lab, f->t->guests[g].name, cg,
		    sizeof(cg)) == NULL)
			continue;
		n += fault_kill_cgroup(cg);
	}
	free(res);
	snprintf(f->done, sizeof(f->done), "host %s cut from the underlay, "
	    "%d processes killed", a[0], n);
	return 0;
}

static int
fault_link(struct fault *f, char **a)
{
	char	ns[128];
	bool	up = strcmp(a[2], "up") == 0;

	if (!up && strcmp(a[2], "down") != 0) {
		log_warnx("[NSLAB-FAULT] link: '%s' is not down or up", a[2]);
		return -1;
	}
	if (lab_node_netns(f->lab, a[0], ns, sizeof(ns)) == -1 ||
	    fault_link_set(ns, a[1], up) == -1) {
		log_warn("[NSLAB-FAULT] link %s %s", a[0], a[1]);
		return -1;
	}
	snprintf(f->done, sizeof(f->done), "%s of %s %s", a[1], a[0],
	    up ? "up" : "down");
	return 0;
}

static const struct fault_verb fault_verbs[] = {
	{ "kill-host", 1, "HOST", fault_kill_host },
	{ "partition", 1, "HOST", fault_partition },
	{ "heal", 1, "HOST", fault_heal },
	{ "kill-member", 1, "MEMBER", fault_kill_member },
	{ "stop-member", 1, "MEMBER", fault_stop_member },
	{ "cont-member", 1, "MEMBER", fault_cont_member },
	{ "kill-agent", 1, "GUEST", fault_kill_agent },
	{ "link", 3, "NODE IF down|up", fault_link },
	{ "etcd-kill", 1, "HOST|leader", fault_etcd_kill },
};

/* A line in the lab's event log: the fault, what was done. */
static void
fault_event(const struct fault *f, char **args, int nargs)
{
	char	what[256];
	size_t	used = 0;
	int	n;

	what[0] = '\0';
	for (int i = 0; i < nargs && used < sizeof(what); i++) {
		n = snprintf(what + used, sizeof(what) - used, " %s", args[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	state_event(f->st, "fault%s: %s", what, f->done);
}

static int
fault_run(struct fault *f, char **args, int nargs, bool json, FILE *out)
{
	const struct fault_verb	*v = NULL;
	struct timespec		 at;

	for (size_t i = 0; i < sizeof(fault_verbs) / sizeof(fault_verbs[0]);
	    i++)
		if (strcmp(fault_verbs[i].name, args[0]) == 0)
			v = &fault_verbs[i];
	if (v == NULL) {
		log_warnx("fault: unknown fault '%s' (kill-host, partition, "
		    "heal, kill-member, stop-member, cont-member, kill-agent, "
		    "link, etcd-kill)", args[0]);
		return NSLAB_EXIT_USAGE;
	}
	if (nargs - 1 != v->nargs) {
		log_warnx("fault: %s takes %s", v->name, v->usage);
		return NSLAB_EXIT_USAGE;
	}
	if (v->fn(f, args + 1) == -1)
		return NSLAB_EXIT_FAIL;
	/* Wall clock, to set beside other processes' event times. */
	clock_gettime(CLOCK_REALTIME, &at);
	fault_event(f, args, nargs);
	if (json)
		fprintf(out, "{\"lab\":\"%s\",\"fault\":\"%s\",\"target\":"
		    "\"%s\",%s%s%s\"at\":%lld.%03ld,\"done\":\"%s\"}\n",
		    f->lab, v->name, args[1], *f->node ? "\"node\":\"" : "",
		    f->node, *f->node ? "\"," : "", (long long)at.tv_sec,
		    at.tv_nsec / 1000000, f->done);
	else
		fprintf(out, "%s\n", f->done);
	return NSLAB_EXIT_OK;
}

int
fault_cmd(const char *lab, char **args, int nargs, bool json, FILE *out)
{
	struct fault	f;
	int		rc;

	memset(&f, 0, sizeof(f));
	f.lab = lab;
	if ((f.st = state_open(lab)) == NULL) {
		log_warnx("[NSLAB-NOLAB] no lab %s", lab);
		return NSLAB_EXIT_NOLAB;
	}
	if ((f.t = state_topo(f.st)) == NULL ||
	    state_procs(f.st, &f.procs, &f.nprocs) == -1) {
		log_warnx("lab %s: cannot read its topology or manifest", lab);
		rc = NSLAB_EXIT_FAIL;
	} else
		rc = fault_run(&f, args, nargs, json, out);
	free(f.procs);
	topo_free(f.t);
	state_close(f.st);
	return rc;
}
