/*
 * daemons.c: the project's own daemons in a lab, and where their
 * programs are.
 *
 * Besides FRR, `nslab up` starts one hvd per member (in the host's
 * namespace: it is the hypervisor), one guestagentd in every guest
 * with HiperSockets NICs (inside the guest's namespace and cgroup, so
 * it is stunned with the guest) and the lab's orchestrator lgrd (in the
 * host's namespace).  Both read the lab's saved topology
 * and its keys; both are recorded in the manifest like every process.
 *
 * In a lab with hosts, hvd runs in its member's host namespace and
 * cgroup, and nslab starts an etcd node in each directory node's host
 * (data under LABDIR/etcd/HOST).
 *
 * A program is found through its environment variable when set (empty:
 * none), else beside nslab in the build tree (../DIR/NAME from the
 * directory of /proc/self/exe).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keys.h"
#include "labname.h"
#include "log.h"
#include "nslab.h"

#define DAEMON_READY_MS	5000
/*
 * The hypervisor runs above its guests, as on a real machine: while a
 * large lab starts, hundreds of routers must not delay hvd's heartbeats
 * into a false DOWN.  The DOWN time-out is also longer than hvd's default.
 */
#define DAEMON_HVD_NICE	(-10)
#define DAEMON_HVD_DOWN	"10000"		/* ms */

/*
 * Find a program: $env when set (an empty value means "none"), else
 * SUBDIR/NAME beside nslab's own directory.  Returns buf, or NULL when
 * there is none.
 */
const char *
daemons_find(const char *env, const char *subdir, const char *name,
    char *buf, size_t len)
{
	const char	*v = getenv(env);
	char		 self[PATH_MAX], *slash;
	ssize_t		 n;

	if (v != NULL) {
		if (*v == '\0')
			return NULL;
		snprintf(buf, len, "%s", v);
		return buf;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/../%s/%s", self, subdir, name) >=
	    len || access(buf, X_OK | R_OK) == -1)
		return NULL;
	return buf;
}

/* The lab's CURVE keys (LABDIR/keys), shared by every daemon. */
int
daemons_keys(struct lab_state *st)
{
	if (keys_generate(state_dir(st), false) == -1) {
		log_warn("[NSLAB-KEYS] keys of the lab in %s/%s", state_dir(st),
		    KEYS_DIR);
		return -1;
	}
	return 0;
}

/* Wait until path exists or pid exits; on failure, point at its log. */
static int
daemons_wait_file(const char *path, pid_t pid, const char *what,
    const char *log)
{
	struct stat	sb;

	for (int waited = 0; waited < DAEMON_READY_MS; waited += 20) {
		if (stat(path, &sb) == 0)
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			log_warnx("[NSLAB-DAEMON] %s exited at start", what);
			log_warnx("[NSLAB-DAEMON] see %s", log);
			return -1;
		}
		proc_sleep_ms(20);
	}
	log_warnx("[NSLAB-DAEMON] %s: no %s within %d ms", what, path,
	    DAEMON_READY_MS);
	log_warnx("[NSLAB-DAEMON] see %s", log);
	return -1;
}

/*
 * One kind of daemon started up to n times: its program, the lab's
 * directory and saved topology (its arguments), and for each one
 * started (pid > 0) the socket that says it is ready, its log and what
 * messages call it.
 */
struct daemons_one {
	pid_t	pid;
	char	sock[600];
	char	log[600];
	char	what[64];
};

struct daemons_set {
	char			 bin[PATH_MAX];
	char			 dir[512];
	char			 topo[600];
	struct daemons_one	*v;
	size_t			 n;
};

static int
daemons_set_init(struct daemons_set *d, const struct lab_state *st,
    const char *prog, size_t n)
{
	snprintf(d->bin, sizeof(d->bin), "%s", prog);
	snprintf(d->dir, sizeof(d->dir), "%s", state_dir(st));
	snprintf(d->topo, sizeof(d->topo), "%s/topology.yaml", d->dir);
	d->n = n;
	d->v = calloc(n + 1, sizeof(*d->v));
	return d->v == NULL ? -1 : 0;
}

/* Wait for every daemon started when rc is 0; frees the set. */
static int
daemons_set_wait(struct daemons_set *d, int rc)
{
	for (size_t i = 0; rc == 0 && i < d->n; i++)
		if (d->v[i].pid > 0 && daemons_wait_file(d->v[i].sock,
		    d->v[i].pid, d->v[i].what, d->v[i].log) == -1)
			rc = -1;
	free(d->v);
	return rc;
}

static pid_t
daemons_spawn(struct lab_state *st, char **argv, int nsfd,
    const char *cgroup, const char *log, const char *node, const char *what,
    int nice)
{
	struct proc_spec	ps;
	pid_t			pid;

	ps.argv = argv;
	ps.nsfd = nsfd;
	ps.cgroup = cgroup;
	ps.log = log;
	ps.nice = nice;
	if ((pid = proc_spawn(&ps)) == -1) {
		log_warn("[NSLAB-DAEMON] %s of %s", what, node);
		return -1;
	}
	if (state_note_proc(st, node, what, pid) == -1)
		log_warn("[NSLAB-DAEMON] recording %s of %s", what, node);
	return pid;
}

/*
 * How much of each guest's memory image hvd fills with data, in percent:
 * all of it while the lab's guests fit in a quarter of the memory
 * available, less for larger labs, so that a lab never pushes the host
 * into swapping or the OOM killer.
 */
static unsigned
daemons_fill_pct(const struct topo *t)
{
	unsigned long long	avail_kib = 0, need_mib = 0, budget_mib;
	char			line[128];
	FILE			*f;

	for (size_t i = 0; i < t->nguests; i++)
		need_mib += t->guests[i].memory_mib;
	if ((f = fopen("/proc/meminfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "MemAvailable: %llu kB",
			    &avail_kib) == 1)
				break;
		fclose(f);
	}
	budget_mib = avail_kib / 1024 / 4;
	if (need_mib == 0 || avail_kib == 0 || need_mib <= budget_mib)
		return 100;
	return budget_mib * 100 / need_mib > 0 ?
	    (unsigned)(budget_mib * 100 / need_mib) : 1;
}

int
daemons_host_place(const struct topo *t, struct lab_state *st, int h,
    int *nsfd, char *cgroup, size_t len)
{
	char	ns[128];

	*nsfd = -1;
	cgroup[0] = '\0';
	if (h < 0)
		return 0;
	if (labname_host_netns(t->name, t->hosts[h].name, ns,
	    sizeof(ns)) == NULL || (*nsfd = netns_open(ns)) == -1) {
		log_warn("[NSLAB-DAEMON] namespace of host %s",
		    t->hosts[h].name);
		return -1;
	}
	if (cgroup_make_host(st, t->name, t->hosts[h].name, cgroup,
	    len) == -1) {
		close(*nsfd);
		*nsfd = -1;
		return -1;
	}
	return 0;
}

/*
 * The directory options of hvd: the single place that says how hvd
 * finds the cluster directory.  A topology with directory kind etcd
 * runs hvd on its etcd nodes: --directory etcd --etcd HOST:PORT,...
 * --lease-ttl S (routecheck reads the residency there too, through
 * LABDIR/directory).  NSLAB_HVD_ETCD=0 keeps hvd on its SQLite file in
 * the lab's state directory (shared by the host namespaces) while the
 * etcd nodes run all the same, for comparisons (bench/cluster_bench.sh).
 * Appends to argv at *i.
 */
static void
daemons_hvd_directory(const struct topo *t, char **argv, int *i,
    char *endpoints, size_t len, char *ttl, size_t ttllen)
{
	const char	*off = getenv("NSLAB_HVD_ETCD");

	if (t->directory.kind != TOPO_DIRECTORY_ETCD ||
	    (off != NULL && strcmp(off, "0") == 0) ||
	    daemons_etcd_endpoints(t, endpoints, len) == NULL)
		return;
	snprintf(ttl, ttllen, "%u", t->directory.lease_ttl);
	argv[(*i)++] = "--directory";
	argv[(*i)++] = "etcd";
	argv[(*i)++] = "--etcd";
	argv[(*i)++] = endpoints;
	argv[(*i)++] = "--lease-ttl";
	argv[(*i)++] = ttl;
}

/* hvd of member i, in its host when the lab has hosts. */
static int
daemons_one_hvd(const struct topo *t, struct lab_state *st,
    struct daemons_set *d, size_t i, unsigned fill_pct)
{
	struct daemons_one	*o = &d->v[i];
	char			 member[TOPO_NAME_MAX], cg[512], eps[1024];
	char			 ttl[16], fill[8], under[INET_ADDRSTRLEN];
	char			*argv[24] = { d->bin, "-d", "-f", d->topo, "-m",
				    member, "-D", d->dir, "-F", fill, "-T",
				    DAEMON_HVD_DOWN };
	int			 n = 12, nsfd;

	snprintf(fill, sizeof(fill), "%u", fill_pct);
	daemons_hvd_directory(t, argv, &n, eps, sizeof(eps), ttl,
	    sizeof(ttl));
	/* On a host: its control socket and channel on the underlay too. */
	if (t->members[i].host >= 0) {
		inet_ntop(AF_INET, &t->hosts[t->members[i].host].underlay,
		    under, sizeof(under));
		argv[n++] = "--listen";
		argv[n++] = under;
	}
	argv[n] = NULL;
	snprintf(member, sizeof(member), "%s", t->members[i].name);
	labname_hvd_sock(d->dir, member, o->sock, sizeof(o->sock));
	snprintf(o->log, sizeof(o->log), "%s/hvd-%s.log", d->dir, member);
	snprintf(o->what, sizeof(o->what), "hvd of member %s", member);
	if (daemons_host_place(t, st, t->members[i].host, &nsfd, cg,
	    sizeof(cg)) == -1)
		return -1;
	o->pid = daemons_spawn(st, argv, nsfd, cg[0] ? cg : NULL, o->log,
	    member, "hvd", DAEMON_HVD_NICE);
	if (nsfd != -1)
		close(nsfd);
	return o->pid == -1 ? -1 : 0;
}

/* hvd of member m alone (nslab restart), ready when its socket is back. */
int
daemons_restart_hvd(const struct topo *t, struct lab_state *st,
    const char *hvd, size_t m)
{
	struct daemons_set	d;
	int			rc;

	if (daemons_set_init(&d, st, hvd, t->nmembers) == -1)
		return -1;
	labname_hvd_sock(d.dir, t->members[m].name, d.v[m].sock,
	    sizeof(d.v[m].sock));
	unlink(d.v[m].sock);
	rc = daemons_one_hvd(t, st, &d, m, daemons_fill_pct(t));
	return daemons_set_wait(&d, rc);
}

/* One hvd per member, each joined when its control socket exists. */
int
daemons_start_hvd(const struct topo *t, struct lab_state *st,
    const char *hvd, int host)
{
	struct daemons_set	 d;
	unsigned		 fill = daemons_fill_pct(t);

	if (daemons_set_init(&d, st, hvd, t->nmembers) == -1)
		return -1;
	for (size_t i = 0; i < t->nmembers; i++)
		if ((host < 0 || t->members[i].host == host) &&
		    daemons_one_hvd(t, st, &d, i, fill) == -1)
			return daemons_set_wait(&d, -1);
	return daemons_set_wait(&d, 0);
}

/* Print the one-time operator URL lgrd leaves in LABDIR/console.url. */
static void
daemons_console_url(const char *dir)
{
	char	path[600], url[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/console.url", dir);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(url, sizeof(url), f) != NULL)
		printf("nslab: console %s", url);
	fclose(f);
}

/* The lab's orchestrator, ready when its control socket exists. */
int
daemons_start_lgrd(struct lab_state *st, const char *lgrd)
{
	char	dir[512], log[600], sock[600], bin[PATH_MAX];
	char	*argv[] = { bin, "-d", "-D", dir, NULL };
	pid_t	pid;

	snprintf(bin, sizeof(bin), "%s", lgrd);
	snprintf(dir, sizeof(dir), "%s", state_dir(st));
	snprintf(log, sizeof(log), "%s/lgrd.log", dir);
	labname_lgrd_sock(dir, sock, sizeof(sock));
	unlink(sock);		/* a restart: the old one's */
	if ((pid = daemons_spawn(st, argv, -1, NULL, log, "-", "lgrd", 0)) == -1)
		return -1;
	if (daemons_wait_file(sock, pid, "lgrd", log) == -1)
		return -1;
	daemons_console_url(dir);	/* lgrd's console, when it serves one */
	return 0;
}

/*
 * One guestagentd in every guest with HiperSockets NICs (only: in guest
 * only, -1 all), each ready when its control socket exists.
 */
int
daemons_start_agents(const struct topo *t, struct lab_state *st,
    const char *agent, int only, int host)
{
	struct daemons_set	 d;
	struct daemons_one	*o;
	char			 cg[512], ns[128], guest[TOPO_NAME_MAX];
	int			 nsfd;

	if (daemons_set_init(&d, st, agent, t->nguests) == -1)
		return -1;
	for (size_t i = 0; i < t->nguests; i++) {
		char	*argv[] = { d.bin, "-d", "-f", d.topo, "-g", guest,
		    "-D", d.dir, NULL };

		if (!topo_guest_has_hsi(&t->guests[i]) ||
		    (only >= 0 && (size_t)only != i) ||
		    !lab_node_here(t, host, (int)i))
			continue;
		o = &d.v[i];
		snprintf(guest, sizeof(guest), "%s", t->guests[i].name);
		if (labname_cgroup(t->name, guest, cg, sizeof(cg)) == NULL ||
		    lab_node_netns(t->name, guest, ns, sizeof(ns)) == -1 ||
		    (nsfd = netns_open(ns)) == -1) {
			log_warn("[NSLAB-DAEMON] namespace of %s", guest);
			return daemons_set_wait(&d, -1);
		}
		labname_agent_sock(d.dir, guest, o->sock, sizeof(o->sock));
		if (only >= 0)
			unlink(o->sock);	/* a restart: the old one's */
		snprintf(o->log, sizeof(o->log), "%s/%s/guestagentd.log",
		    d.dir, guest);
		snprintf(o->what, sizeof(o->what), "guest agent of %s", guest);
		o->pid = daemons_spawn(st, argv, nsfd, cg, o->log, guest,
		    "guestagentd", 0);
		close(nsfd);
		if (o->pid == -1)
			return daemons_set_wait(&d, -1);
	}
	return daemons_set_wait(&d, 0);
}
