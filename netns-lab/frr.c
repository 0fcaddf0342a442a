/*
 * frr.c: every router's FRR daemons.
 *
 * Each router gets a directory of its own (labname_nodedir), owned by
 * the frr user, holding its configuration, vty sockets, zebra's API
 * socket, pid files and logs; nothing goes to FRR's default pathspace.
 * All zebras start first; each ospfd starts once its zebra listens, so
 * that ospfd never waits for a reconnect timer.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

#define FRR_ABR_NICE		(-10)
#define FRR_START_TIMEOUT_MS	15000

struct frr_router {
	const char	*node;
	int		 guest;		/* -1: the ABR */
	char		 dir[512];
	char		 cgroup[512];
	int		 nsfd;
	pid_t		 zebra;
};

static int
frr_write_conf(const struct topo *t, const struct frr_router *r,
    enum topo_daemon d, const char *file)
{
	char	path[600];
	FILE	*f;
	int	rc;

	snprintf(path, sizeof(path), "%s/%s", r->dir, file);
	if ((f = fopen(path, "w")) == NULL) {
		log_warn("[NSLAB-FRR] %s", path);
		return -1;
	}
	rc = d == (enum topo_daemon)-1 ? 0 : topo_frr_conf(t, r->node, d, f);
	if (fclose(f) == EOF || rc == -1) {
		log_warn("[NSLAB-FRR] writing %s", path);
		return -1;
	}
	return 0;
}

/* The router's directory, owned by frr so the daemons can write. */
static int
frr_prepare(const struct topo *t, struct lab_state *st,
    struct frr_router *r)
{
	struct passwd	*pw;
	char		 ns[128];

	if (labname_nodedir(t->name, r->node, r->dir, sizeof(r->dir)) == NULL)
		return -1;
	/* It exists when the router starts again (frr_restart_guest). */
	if (mkdir(r->dir, 0755) == -1 && errno != EEXIST) {
		log_warn("[NSLAB-FRR] %s", r->dir);
		return -1;
	}
	if ((pw = getpwnam("frr")) == NULL ||
	    chown(r->dir, pw->pw_uid, pw->pw_gid) == -1) {
		log_warnx("[NSLAB-FRR] %s: cannot give it to user frr "
		    "(is the frr package installed?)", r->dir);
		return -1;
	}
	if (frr_write_conf(t, r, TOPO_ZEBRA, "zebra.conf") == -1 ||
	    frr_write_conf(t, r, TOPO_OSPFD, "ospfd.conf") == -1 ||
	    frr_write_conf(t, r, (enum topo_daemon)-1, "vtysh.conf") == -1)
		return -1;
	if (lab_node_netns(t->name, r->node, ns, sizeof(ns)) == -1 ||
	    (r->nsfd = netns_open(ns)) == -1) {
		log_warn("[NSLAB-FRR] namespace of %s", r->node);
		return -1;
	}
	r->cgroup[0] = '\0';
	if (r->guest >= 0)
		return cgroup_make_guest(st, t->name, r->node, r->cgroup,
		    sizeof(r->cgroup));
	return 0;
}

static pid_t
frr_spawn(struct lab_state *st, const struct frr_router *r,
    const char *daemon, const char *plugin)
{
	char	bin[128], vty[600], zs[600], cf[600], pidf[600], logf[600];
	char	out[600], mod[1200];
	char	*argv[20];
	int	i = 0;
	pid_t	pid;
	struct proc_spec ps;

	snprintf(bin, sizeof(bin), "%s/%s", NSLAB_FRR_DIR, daemon);
	snprintf(vty, sizeof(vty), "%s", r->dir);
	snprintf(zs, sizeof(zs), "%s/zserv.api", r->dir);
	snprintf(cf, sizeof(cf), "%s/%s.conf", r->dir, daemon);
	snprintf(pidf, sizeof(pidf), "%s/%s.pid", r->dir, daemon);
	snprintf(logf, sizeof(logf), "file:%s/%s.log", r->dir, daemon);
	snprintf(out, sizeof(out), "%s/%s.out", r->dir, daemon);
	argv[i++] = bin;
	argv[i++] = "--vty_socket";
	argv[i++] = vty;
	argv[i++] = "-z";
	argv[i++] = zs;
	argv[i++] = "-f";
	argv[i++] = cf;
	argv[i++] = "-i";
	argv[i++] = pidf;
	argv[i++] = "--log";
	argv[i++] = logf;
	argv[i++] = "--limit-fds";
	argv[i++] = "256";
	if (plugin != NULL) {
		snprintf(mod, sizeof(mod), "%s:%s", plugin, r->dir);
		argv[i++] = "-M";
		argv[i++] = mod;
	}
	argv[i] = NULL;
	ps.argv = argv;
	ps.nsfd = r->nsfd;
	ps.cgroup = r->cgroup[0] ? r->cgroup : NULL;
	ps.log = out;
	/*
	 * The ABR is every guest's DR on the DC LANs and runs a database
	 * exchange with each of them: on a shared CPU it must not get only
	 * a guest's fair share, as a dedicated router would not.
	 */
	ps.nice = r->guest < 0 ? FRR_ABR_NICE : 0;
	if ((pid = proc_spawn(&ps)) == -1) {
		log_warn("[NSLAB-FRR] %s of %s", daemon, r->node);
		return -1;
	}
	if (state_note_proc(st, r->node, daemon, pid) == -1)
		log_warn("[NSLAB-FRR] recording %s of %s", daemon, r->node);
	return pid;
}

/* Wait until every zebra's API socket exists. */
static int
frr_wait_zebras(struct frr_router *rs, size_t n)
{
	char		path[600];
	size_t		i, ready;
	int		waited;
	struct stat	sb;

	for (waited = 0; waited < FRR_START_TIMEOUT_MS; waited += 20) {
		for (i = 0, ready = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/zserv.api", rs[i].dir);
			if (stat(path, &sb) == 0)
				ready++;
			else if (kill(rs[i].zebra, 0) == -1 ||
			    waitpid(rs[i].zebra, NULL, WNOHANG) ==
			    rs[i].zebra) {
				log_warnx("[NSLAB-FRR] zebra of %s exited at "
				    "start; see %s/zebra.log and zebra.out",
				    rs[i].node, rs[i].dir);
				return -1;
			}
		}
		if (ready == n)
			return 0;
		proc_sleep_ms(20);
	}
	log_warnx("[NSLAB-FRR] zebra did not open its API socket within "
	    "%d ms", FRR_START_TIMEOUT_MS);
	return -1;
}

static void
frr_routers_free(struct frr_router *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rs[i].nsfd != -1)
			close(rs[i].nsfd);
	free(rs);
}

/*
 * Write every router's configuration and start its zebra and ospfd
 * (with the plugin when one is given).  Returns 0, or -1 (logged).
 */
int
frr_start_all(const struct topo *t, struct lab_state *st,
    const struct up_opts *o)
{
	struct frr_router	*rs;
	size_t			 n = 0, i;
	int			 rc = -1;

	if ((rs = calloc(t->nguests + 1, sizeof(*rs))) == NULL)
		return -1;
	for (i = 0; i < t->nguests + 1; i++) {
		if (!lab_node_here(t, o->host, (int)i - 1))
			continue;	/* another host's (--host) */
		rs[n].nsfd = -1;
		rs[n].guest = (int)i - 1;
		rs[n].node = i == 0 ? t->abr.name : t->guests[i - 1].name;
		n++;
	}
	for (i = 0; i < n; i++)
		if (frr_prepare(t, st, &rs[i]) == -1)
			goto out;
	/* What frr_restart_guest loads again ("-": no plugin). */
	if (state_note(st, "plugin", "%s", o->plugin != NULL ? o->plugin :
	    "-") == -1)
		goto out;
	for (i = 0; i < n; i++)
		if ((rs[i].zebra = frr_spawn(st, &rs[i], "zebra", NULL)) == -1)
			goto out;
	if (frr_wait_zebras(rs, n) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (frr_spawn(st, &rs[i], "ospfd", o->plugin) == -1)
			goto out;
	rc = 0;
out:
	frr_routers_free(rs, n);
	return rc;
}

/*
 * A guest's routers again (nslab restart LAB guest NAME): after its host
 * died, its member's survivor restarts the guest (hvd, ha: restart), and
 * this is the guest's own start-up of its zebra and ospfd, with its
 * configuration written again and the plugin the lab came up with.  The
 * files the dead daemons left (zebra's API socket, pid files) go first,
 * so that the wait sees the new zebra's socket.
 */
int
frr_restart_guest(const struct topo *t, struct lab_state *st, int guest)
{
	static const char *const stale[] = { "zserv.api", "zebra.pid",
				    "ospfd.pid" };
	struct frr_router	*r;
	char			 plugin[PATH_MAX], path[600];
	const char		*mod = NULL;
	int			 rc = -1;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->nsfd = -1;
	r->guest = guest;
	r->node = t->guests[guest].name;
	if (state_value(st, "plugin", plugin, sizeof(plugin)) == 0 &&
	    strcmp(plugin, "-") != 0)
		mod = plugin;
	if (frr_prepare(t, st, r) == -1)
		goto out;
	for (size_t i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", r->dir, stale[i]);
		if (unlink(path) == -1 && errno != ENOENT) {
			log_warn("[NSLAB-FRR] %s", path);
			goto out;
		}
	}
	if ((r->zebra = frr_spawn(st, r, "zebra", NULL)) == -1 ||
	    frr_wait_zebras(r, 1) == -1 ||
	    frr_spawn(st, r, "ospfd", mod) == -1)
		goto out;
	rc = 0;
out:
	frr_routers_free(r, 1);
	return rc;
}
