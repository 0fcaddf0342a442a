/*
 * hvd.c: one hypervisor member.  Reads the topology, joins the cluster
 * directory, boots the guests the directory places here, serves the
 * control socket and receives relocations until SIGTERM.
 *
 * The struct hvd is the process's singleton, owned by main(); threads
 * get a pointer to it (see hvd.h for what they may touch).
 */
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"
#include "clock.h"
#include "ctlsrv.h"
#include "directory.h"
#include "labname.h"
#include "log.h"

enum {
	HVD_O_FOREGROUND = 1, HVD_O_LABDIR, HVD_O_TOPOLOGY, HVD_O_FILL,
	HVD_O_HEARTBEAT, HVD_O_MAX_IN, HVD_O_KEYS, HVD_O_MEMBER,
	HVD_O_MAX_TOTAL, HVD_O_MAX_OUT, HVD_O_MAX_QUIESCE, HVD_O_DOWN,
	HVD_O_VERBOSE, HVD_O_DIRECTORY, HVD_O_ETCD, HVD_O_LEASE_TTL, HVD_O_HA,
	HVD_O_LISTEN,
};

static const char *const hvd_ha[] = { "manual", "restart", NULL };

static const char *const hvd_dir_kinds[] = { "sqlite", "etcd", NULL };

static const struct cli_option hvd_options[] = {
	{ HVD_O_FOREGROUND, 'd', "foreground", CLI_FLAG, NULL, 0, 0, NULL },
	{ HVD_O_LABDIR, 'D', "labdir", CLI_STR, "LABDIR", 0, 0, NULL },
	{ HVD_O_TOPOLOGY, 'f', "topology", CLI_STR, "FILE", 0, 0, NULL },
	{ HVD_O_FILL, 'F', "fill", CLI_U64, "PERCENT", 0, 100, NULL },
	{ HVD_O_HEARTBEAT, 'H', "heartbeat", CLI_U64, "MS", 10, 60000, NULL },
	{ HVD_O_MAX_IN, 'i', "max-in", CLI_U64, "N", 0, HV_MAX_LIMIT, NULL },
	{ HVD_O_KEYS, 'K', "keys", CLI_STR, "LABDIR", 0, 0, NULL },
	{ HVD_O_MEMBER, 'm', "member", CLI_NAME, "MEMBER", 0, 0, NULL },
	{ HVD_O_MAX_TOTAL, 'M', "max-total", CLI_U64, "S", 1, HV_MAX_TOTAL_S,
	    NULL },
	{ HVD_O_MAX_OUT, 'o', "max-out", CLI_U64, "N", 0, HV_MAX_LIMIT, NULL },
	{ HVD_O_MAX_QUIESCE, 'Q', "max-quiesce", CLI_U64, "MS", 0,
	    HV_MAX_QUIESCE_MS, NULL },
	{ HVD_O_DOWN, 'T', "down", CLI_U64, "MS", 50, 600000, NULL },
	{ HVD_O_VERBOSE, 'v', "verbose", CLI_FLAG, NULL, 0, 0, NULL },
	{ HVD_O_DIRECTORY, 0, "directory", CLI_CHOICE, "KIND", 0, 0,
	    hvd_dir_kinds },
	{ HVD_O_ETCD, 0, "etcd", CLI_STR, "HOST:PORT,...", 0, 0, NULL },
	{ HVD_O_LEASE_TTL, 0, "lease-ttl", CLI_U64, "S", DIR_TTL_MIN_S, 3600,
	    NULL },
	{ HVD_O_HA, 0, "ha", CLI_CHOICE, "POLICY", 0, 0, hvd_ha },
	{ HVD_O_LISTEN, 0, "listen", CLI_STR, "ADDRESS", 0, 0, NULL },
	{ 0, 0, NULL, 0, NULL, 0, 0, NULL },
};

static const int hvd_global[] = { HVD_O_FOREGROUND, HVD_O_LABDIR,
    HVD_O_TOPOLOGY, HVD_O_FILL, HVD_O_HEARTBEAT, HVD_O_MAX_IN, HVD_O_KEYS,
    HVD_O_MEMBER, HVD_O_MAX_TOTAL, HVD_O_MAX_OUT, HVD_O_MAX_QUIESCE,
    HVD_O_DOWN, HVD_O_VERBOSE, HVD_O_DIRECTORY, HVD_O_ETCD,
    HVD_O_LEASE_TTL, HVD_O_HA, HVD_O_LISTEN, 0 };

static const struct cli_spec hvd_spec = {
	.prog = "hvd",
	.synopsis = "[-dv] -f topology -m member [-D labdir] [-H ms] [-T ms] "
	    "[-F percent]\n\t[-o max-out] [-i max-in] [-Q max-quiesce-ms] "
	    "[-M max-total-s]\n\t[--directory sqlite | --directory etcd --etcd "
	    "HOST:PORT,...] [--lease-ttl s]\n\t[--ha manual | restart] "
	    "[--listen address]\n"
	    "       hvd -K labdir",
	.options = hvd_options,
	.global = hvd_global,
};

/* A number option: its value, or dflt when not given. */
static unsigned
hvd_number(const struct cli_result *r, int id, unsigned dflt)
{
	const struct cli_value	*v = cli_get(r, id);

	return v != NULL ? (unsigned)v->num : dflt;
}

static const char *
hvd_string(const struct cli_result *r, int id)
{
	const struct cli_value	*v = cli_get(r, id);

	return v != NULL ? v->str : NULL;
}

static void __attribute__((noreturn))
hvd_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "hvd: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\ntry 'hvd --help'\n");
	exit(1);
}

/* -K: the lab's keys, then exit. */
static void
hvd_keys(const char *labdir)
{
	if (keys_generate(labdir, false) == -1) {
		fprintf(stderr, "hvd: keys in %s/%s: %s\n", labdir, KEYS_DIR,
		    strerror(errno));
		exit(1);
	}
	exit(0);
}

static void
hvd_parse(int argc, char **argv, struct hvd_opts *o)
{
	struct cli_result	r;
	int			i;

	cli_main_parse(&hvd_spec, argc, argv, &r, 1);
	if (cli_has(&r, HVD_O_KEYS))
		hvd_keys(hvd_string(&r, HVD_O_KEYS));
	memset(o, 0, sizeof(*o));
	o->foreground = cli_has(&r, HVD_O_FOREGROUND);
	o->labdir = hvd_string(&r, HVD_O_LABDIR);
	o->topology = hvd_string(&r, HVD_O_TOPOLOGY);
	o->member = hvd_string(&r, HVD_O_MEMBER);
	o->fill_pct = hvd_number(&r, HVD_O_FILL, 100);
	o->heartbeat_ms = hvd_number(&r, HVD_O_HEARTBEAT, 500);
	o->down_ms = hvd_number(&r, HVD_O_DOWN, 3000);
	o->max_out = hvd_number(&r, HVD_O_MAX_OUT, 2);
	o->max_in = hvd_number(&r, HVD_O_MAX_IN, 2);
	o->max_total_s = hvd_number(&r, HVD_O_MAX_TOTAL, 120);
	o->max_quiesce_ms = hvd_number(&r, HVD_O_MAX_QUIESCE, 1000);
	o->dir_kind = hvd_number(&r, HVD_O_DIRECTORY, DIR_SQLITE);
	o->etcd = hvd_string(&r, HVD_O_ETCD);
	o->lease_ttl_s = hvd_number(&r, HVD_O_LEASE_TTL, DIR_TTL_S);
	o->ha = (int)hvd_number(&r, HVD_O_HA, HVD_HA_TOPOLOGY);
	o->listen = hvd_string(&r, HVD_O_LISTEN);
	if (o->dir_kind == DIR_ETCD && o->etcd == NULL)
		hvd_usage_error("missing option %s", "--etcd HOST:PORT,...");
	for (i = 0; i < r.nvalues; i++)
		o->verbose += r.values[i].id == HVD_O_VERBOSE;
	if (o->topology == NULL)
		hvd_usage_error("missing option %s", "-f topology");
	if (o->member == NULL)
		hvd_usage_error("missing option %s", "-m member");
	if (o->down_ms <= o->heartbeat_ms) {
		fprintf(stderr, "hvd: down timeout -T %u ms must exceed the "
		    "heartbeat -H %u ms\n", o->down_ms, o->heartbeat_ms);
		exit(1);
	}
}

static void
hvd_pidfile(struct hvd *h, bool create)
{
	char	path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/hvd-%s.pid", h->opts.labdir, h->name);
	if (!create) {
		unlink(path);
		return;
	}
	if ((f = fopen(path, "w")) == NULL)
		fatal("%s", path);
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

static void
hvd_paths(struct hvd *h)
{
	static char	labdir[PATH_MAX];

	if (h->opts.labdir == NULL) {
		if (labname_labdir(h->conf->lab, labdir, sizeof(labdir)) ==
		    NULL)
			fatal("lab directory");
		h->opts.labdir = labdir;
	}
	h->dirconf.kind = (enum dir_kind)h->opts.dir_kind;
	h->dirconf.ttl_s = h->opts.lease_ttl_s;
	snprintf(h->dirconf.lab, sizeof(h->dirconf.lab), "%s", h->conf->lab);
	snprintf(h->dirconf.endpoints, sizeof(h->dirconf.endpoints), "%s",
	    h->opts.etcd != NULL ? h->opts.etcd : "");
	if ((size_t)snprintf(h->dirconf.path, sizeof(h->dirconf.path),
	    "%s/cluster.db", h->opts.labdir) >= sizeof(h->dirconf.path) ||
	    (size_t)snprintf(h->chandir, sizeof(h->chandir), "%s/chan",
	    h->opts.labdir) >= sizeof(h->chandir))
		fatalx("lab directory %s: path too long", h->opts.labdir);
	if (mkdir(h->chandir, 0700) == -1 && errno != EEXIST)
		fatal("%s", h->chandir);
	if (chmod(h->chandir, 0700) == -1)
		fatal("%s", h->chandir);
}

static void
hvd_setup(struct hvd *h)
{
	if ((h->conf = config_load(h->opts.topology)) == NULL)
		fatalx("[HV-CONFIG] %s: topology not loaded", h->opts.topology);
	if ((h->self = config_member_find(h->conf, h->opts.member)) == -1)
		fatalx("[HV-CONFIG] member %s is not in %s", h->opts.member,
		    h->opts.topology);
	h->name = h->conf->members[h->self].name;
	hvd_paths(h);
	if (keys_load_server(h->opts.labdir, &h->keys) == -1 ||
	    keys_load_client(h->opts.labdir, "server", NULL, &h->chan_kc) ==
	    -1)
		fatal("[HV-KEYS] keys in %s/%s (generate them with hvd -K, "
		    "mode 0600)", h->opts.labdir, KEYS_DIR);
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->boot_lock, NULL);
}

int
hvd_guest_add(struct hvd *h, struct guest *g)
{
	pthread_mutex_lock(&h->lock);
	h->guests[g->def->idx] = g;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

struct guest *
hvd_guest_take(struct hvd *h, int idx)
{
	struct guest	*g;

	pthread_mutex_lock(&h->lock);
	g = h->guests[idx];
	h->guests[idx] = NULL;
	pthread_mutex_unlock(&h->lock);
	return g;
}

/* A guest that runs elsewhere now: stop it here. */
void
hvd_guest_drop(struct hvd *h, int idx)
{
	pthread_mutex_lock(&h->lock);
	if (h->relocs[idx] != NULL) {	/* its relocation rolls back first */
		pthread_mutex_unlock(&h->lock);
		return;
	}
	pthread_mutex_unlock(&h->lock);
	guest_free(hvd_guest_take(h, idx), false);
	log_warnx("[HV-GUEST-DROPPED] guest %s runs elsewhere now: stopped "
	    "here", h->conf->guests[idx].name);
}

static int	hvd_guest_boot_locked(struct hvd *, struct dir *,
		    const struct hv_guestdef *, int, int64_t, bool);

/*
 * Start a guest here with a fresh memory image, filled before it runs, or
 * (restart: HA restart, recover, rejoin) by its vCPU as it runs.
 */
int
hvd_guest_boot(struct hvd *h, int idx, int64_t rev, bool restart)
{
	const struct hv_guestdef	*def = &h->conf->guests[idx];
	struct dir			*d = member_dir(h);
	int				 rc;

	pthread_mutex_lock(&h->boot_lock);
	rc = h->guests[idx] != NULL ? 0 : hvd_guest_boot_locked(h, d, def,
	    idx, rev, restart);
	pthread_mutex_unlock(&h->boot_lock);
	return rc;
}

/* Under boot_lock: the guest does not run here. */
static int
hvd_guest_boot_locked(struct hvd *h, struct dir *d,
    const struct hv_guestdef *def, int idx, int64_t rev, bool restart)
{
	struct guest			*g;
	uint64_t			 rate = 0, wss = 0;

	if ((g = guest_new(def, NULL, NULL)) == NULL) {
		log_warn("guest %s: memory image of %ju MiB", def->name,
		    (uintmax_t)def->memory_mib);
		return -1;
	}
	if (restart)
		guest_fill_boot(g, h->opts.fill_pct, (uint64_t)idx << 32);
	else
		guest_fill(g, h->opts.fill_pct, (uint64_t)idx << 32);
	if (dir_guest_workload(d, def->name, &rate, &wss) == -1)
		log_warnx("[HV-DIR] guest %s: workload unreadable, none",
		    def->name);
	guest_set_workload(g, rate, wss);
	if (guest_start(g) == -1) {
		log_warn("guest %s: vCPU", def->name);
		guest_free(g, false);
		return -1;
	}
	hvd_guest_add(h, g);
	guest_freeze(h->conf->lab, def->name, false);
	if (rev != 0 &&
	    dir_residency_claim(d, def->name, h->name, rev) != 1) {
		log_warnx("[HV-DIR] guest %s: residency on %s not recorded "
		    "(claimed elsewhere since revision %jd, or directory error):"
		    " stopped", def->name, h->name, (intmax_t)rev);
		hvd_guest_drop(h, idx);
		return -1;
	}
	dir_event(d, "HV-GUEST-START", h->name, def->name,
	    "started on %s (%ju MiB)", h->name, (uintmax_t)def->memory_mib);
	return 0;
}

/*
 * The guest's NIC host ends onto this member's LANs (after a recover or
 * an HA restart: the old member's bridge is no longer its, and in a lab
 * with hosts its old host may be gone).
 */
int
hvd_guest_replug(struct hvd *h, int idx)
{
	struct replug	rp;
	int		rc;

	if (replug_rehome(h->conf->lab, &h->conf->guests[idx], h->self) ==
	    -1) {
		log_warnx("[HV-REPLUG] guest %s: NICs not moved to %s's host",
		    h->conf->guests[idx].name, h->name);
		return -1;
	}
	switch (replug_open(&rp, h->conf->lab, &h->conf->guests[idx],
	    h->self)) {
	case 1:
		return 0;
	case -1:
		log_warnx("[HV-REPLUG] guest %s: NICs not found",
		    h->conf->guests[idx].name);
		return -1;
	}
	if ((rc = replug_move(&rp)) == -1)
		log_warnx("[HV-REPLUG] guest %s: NICs not moved to %s's LAN",
		    h->conf->guests[idx].name, h->name);
	replug_close(&rp);
	return rc;
}

/*
 * Signals come to the main loop through a signalfd, blocked in every
 * thread (they inherit the mask): common/sig.h's handlers would
 * interrupt the relocation and vCPU threads instead.
 */
static int
hvd_signals(void)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void
hvd_loop(struct hvd *h, int sfd)
{
	zmq_pollitem_t	items[3];
	uint64_t	next = clock_ms() + h->opts.heartbeat_ms, now;

	items[0] = (zmq_pollitem_t){ ctlsrv_socket(h->ctl), 0, ZMQ_POLLIN, 0 };
	items[1] = (zmq_pollitem_t){ ctlsrv_zap_socket(h->ctl), 0, ZMQ_POLLIN,
	    0 };
	items[2] = (zmq_pollitem_t){ NULL, sfd, ZMQ_POLLIN, 0 };
	while (!h->quit) {
		now = clock_ms();
		if (zmq_poll(items, 3, next > now ? (long)(next - now) : 0) ==
		    -1 && errno != EINTR)
			fatal("zmq_poll");
		if (items[2].revents & ZMQ_POLLIN)
			break;
		if (items[1].revents & ZMQ_POLLIN)
			ctlsrv_zap(h->ctl);
		if (items[0].revents & ZMQ_POLLIN)
			control_dispatch(h);
		if (clock_ms() >= next) {
			pool_expire(h, false);
			next = clock_ms() + h->opts.heartbeat_ms;
		}
	}
}

static void
hvd_shutdown(struct hvd *h)
{
	size_t	i;

	h->quit = true;
	member_monitor_stop(h);
	reloc_shutdown(h);
	inbound_stop(h);
	for (i = 0; i < h->conf->nguests; i++)
		guest_free(hvd_guest_take(h, (int)i), false);
	pool_expire(h, true);
	member_leave(h);
	control_close(h);
	dir_close(h->dir);
	zmq_ctx_term(h->zctx);
	hvd_pidfile(h, false);
	config_free(h->conf);
}

int
main(int argc, char **argv)
{
	static struct hvd	h;
	struct dir_conf		main_conf;
	int			sfd;

	hvd_parse(argc, argv, &h.opts);
	/*
	 * The relocation channel receives 1 MiB frames: keep them on the
	 * heap and keep the heap, rather than map, fault in and unmap
	 * fresh pages for every frame.
	 */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	/* Start-up errors go to the operator's terminal (ospfd's way). */
	log_init("hvd", LOG_TO_STDERR, h.opts.verbose);
	hvd_setup(&h);
	if (!h.opts.foreground) {
		log_init("hvd", LOG_TO_SYSLOG, h.opts.verbose);
		if (daemon(0, 0) == -1)
			fatal("daemon");
	}
	if ((sfd = hvd_signals()) == -1)
		fatal("signals");
	prio_init(&h);
	main_conf = h.dirconf;
	main_conf.timeout_ms = DIR_MAIN_MS;
	if ((h.dir = dir_open(&main_conf)) == NULL)
		fatalx("[HV-DIR] directory %s cannot be opened",
		    h.dirconf.kind == DIR_ETCD ? h.dirconf.endpoints :
		    h.dirconf.path);
	if (dir_conf_write(&h.dirconf, h.opts.labdir) == -1)
		log_warn("[HV-DIR] %s/directory", h.opts.labdir);
	if ((h.zctx = zmq_ctx_new()) == NULL ||
	    zmq_ctx_set(h.zctx, ZMQ_IO_THREADS, HVD_IO_THREADS) == -1 ||
	    control_open(&h) == -1)
		fatal("[HV-CTL] control socket");
	if (inbound_start(&h) == -1)
		fatal("[HV-CHAN] relocation channel");
	hvd_pidfile(&h, true);
	if (member_join(&h) == -1 || member_renew_start(&h) == -1 ||
	    member_boot(&h) == -1 || member_monitor_start(&h) == -1)
		fatalx("[HV-JOIN] member %s could not join", h.name);
	log_info("member %s of lab %s running", h.name, h.conf->lab);
	hvd_loop(&h, sfd);
	log_info("member %s stopping", h.name);
	hvd_shutdown(&h);
	close(sfd);
	return 0;
}
