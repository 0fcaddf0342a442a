/*
 * lgrd.c: the lab's relocation orchestrator (lgrd(8)): options, the
 * lab's topology and keys, the journal, the control socket loop.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <malloc.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"
#include "lgrd.h"
#include "log.h"
#include "sig.h"

#define LGRD_PREPARE_MIN_MS	5000	/* prepare time-out, at least */
#define LGRD_MAX_SOCKETS	32768	/* ZeroMQ sockets, at most */
#define LGRD_IO_THREADS		2	/* ZeroMQ I/O threads */
#define LGRD_PREPARE_SLACK_MS	2000	/* beyond the area's timers */

/* Set by the signal handler, read by the main loop: nothing else. */
static volatile sig_atomic_t	lgrd_quit;

enum {
	LGRD_O_DEBUG = 1, LGRD_O_LABDIR, LGRD_O_CHECK, LGRD_O_VERBOSE,
	LGRD_O_ROUTECHECK, LGRD_O_NO_PROBE, LGRD_O_PREPARE, LGRD_O_CONVERGE,
	LGRD_O_RELOC, LGRD_O_CONSOLE_ADDR, LGRD_O_CONSOLE_PORT,
	LGRD_O_NO_CONSOLE, LGRD_O_NO_METRICS,
};

static const struct cli_option lgrd_options_table[] = {
	{ LGRD_O_DEBUG, 'd', NULL, CLI_FLAG, NULL, 0, 0, NULL },
	{ LGRD_O_LABDIR, 'D', NULL, CLI_STR, "labdir", 0, 0, NULL },
	{ LGRD_O_CHECK, 'n', NULL, CLI_FLAG, NULL, 0, 0, NULL },
	{ LGRD_O_VERBOSE, 'v', NULL, CLI_FLAG, NULL, 0, 0, NULL },
	{ LGRD_O_ROUTECHECK, 0, "routecheck", CLI_STR, "PATH", 0, 0, NULL },
	{ LGRD_O_NO_PROBE, 0, "no-probe", CLI_FLAG, NULL, 0, 0, NULL },
	{ LGRD_O_PREPARE, 0, "prepare-timeout", CLI_U64, "MS", 100, 600000,
	    NULL },
	{ LGRD_O_CONVERGE, 0, "converge-timeout", CLI_U64, "MS", 100, 600000,
	    NULL },
	{ LGRD_O_RELOC, 0, "reloc-timeout", CLI_U64, "S", 1, 86400, NULL },
	{ LGRD_O_CONSOLE_ADDR, 0, "console-address", CLI_STR, "ADDRESS", 0, 0,
	    NULL },
	{ LGRD_O_CONSOLE_PORT, 0, "console-port", CLI_U64, "PORT", 0, 65535,
	    NULL },
	{ LGRD_O_NO_CONSOLE, 0, "no-console", CLI_FLAG, NULL, 0, 0, NULL },
	{ LGRD_O_NO_METRICS, 0, "no-metrics", CLI_FLAG, NULL, 0, 0, NULL },
	{ 0 },
};

static const int lgrd_global[] = { LGRD_O_DEBUG, LGRD_O_LABDIR, LGRD_O_CHECK,
    LGRD_O_VERBOSE, LGRD_O_ROUTECHECK, LGRD_O_NO_PROBE, LGRD_O_PREPARE,
    LGRD_O_CONVERGE, LGRD_O_RELOC, LGRD_O_CONSOLE_ADDR, LGRD_O_CONSOLE_PORT,
    LGRD_O_NO_CONSOLE, LGRD_O_NO_METRICS, 0 };

static const struct cli_spec lgrd_cli = {
	.prog = "lgrd",
	.synopsis = "[-dnv] -D labdir [--routecheck PATH] [--no-probe]\n"
	    "            [--prepare-timeout MS] [--converge-timeout MS] "
	    "[--reloc-timeout S]\n"
	    "            [--console-address ADDRESS] [--console-port PORT] "
	    "[--no-console]\n            [--no-metrics]",
	.options = lgrd_options_table,
	.global = lgrd_global,
};

static void
lgrd_signal(int sig)
{
	(void)sig;
	lgrd_quit = 1;
}

/* routecheck beside us (../routing/routecheck), unless given. */
static void
lgrd_find_routecheck(struct lgrd_opts *o)
{
	const char	*env = getenv("LGRD_ROUTECHECK");
	char		 self[PATH_MAX];
	ssize_t		 n;

	if (o->routecheck[0] != '\0')
		return;
	if (env != NULL) {
		snprintf(o->routecheck, sizeof(o->routecheck), "%s", env);
		return;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		return;
	self[n] = '\0';
	snprintf(o->routecheck, sizeof(o->routecheck), "%s/../routing/"
	    "routecheck", dirname(self));
	if (access(o->routecheck, X_OK) == -1)
		o->routecheck[0] = '\0';
}

static bool
lgrd_options(int argc, char **argv, struct lgrd_opts *o)
{
	struct cli_result	 r;
	const struct cli_value	*v;
	int			 i;

	cli_main_parse(&lgrd_cli, argc, argv, &r, 1);
	o->prepare_timeout_ms = 0;		/* lgrd_prepare_timeout */
	o->converge_timeout_ms = 20000;
	o->reloc_timeout_s = 300;
	o->probe = !cli_has(&r, LGRD_O_NO_PROBE);
	o->debug = cli_has(&r, LGRD_O_DEBUG);
	o->console = !cli_has(&r, LGRD_O_NO_CONSOLE);
	o->metrics = !cli_has(&r, LGRD_O_NO_METRICS);
	if ((v = cli_get(&r, LGRD_O_CONSOLE_ADDR)) != NULL)
		snprintf(o->console_address, sizeof(o->console_address), "%s",
		    v->str);
	if ((v = cli_get(&r, LGRD_O_CONSOLE_PORT)) != NULL)
		o->console_port = (unsigned)v->num;
	for (i = 0; i < r.nvalues; i++)
		o->verbose += r.values[i].id == LGRD_O_VERBOSE;
	if ((v = cli_get(&r, LGRD_O_LABDIR)) != NULL)
		snprintf(o->labdir, sizeof(o->labdir), "%s", v->str);
	if ((v = cli_get(&r, LGRD_O_ROUTECHECK)) != NULL)
		snprintf(o->routecheck, sizeof(o->routecheck), "%s", v->str);
	if ((v = cli_get(&r, LGRD_O_PREPARE)) != NULL)
		o->prepare_timeout_ms = (unsigned)v->num;
	if ((v = cli_get(&r, LGRD_O_CONVERGE)) != NULL)
		o->converge_timeout_ms = (unsigned)v->num;
	if ((v = cli_get(&r, LGRD_O_RELOC)) != NULL)
		o->reloc_timeout_s = (unsigned)v->num;
	if (o->labdir[0] == '\0') {
		fprintf(stderr, "lgrd: missing -D labdir\ntry 'lgrd --help'\n");
		exit(1);
	}
	lgrd_find_routecheck(o);
	return cli_has(&r, LGRD_O_CHECK);
}

/*
 * The prepare time-out when not given: long enough for a peer's drain to
 * be seen through the area's timers (its router-LSA accepted after
 * MinLSArrival, then an SPF run the throttle may hold up to its maximum:
 * with FRR's defaults 1 s + 5 s), at least 5 s.
 */
static unsigned
lgrd_prepare_timeout(const struct topo *t)
{
	unsigned	ms;

	ms = t->area.timers.lsa_min_arrival + t->area.timers.spf_max_hold +
	    LGRD_PREPARE_SLACK_MS;
	return ms > LGRD_PREPARE_MIN_MS ? ms : LGRD_PREPARE_MIN_MS;
}

static int
lgrd_load(struct lgrd *d)
{
	struct topo_diags	 diags = { 0 };
	char			 path[PATH_MAX + 32], dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", d->opts.labdir);
	snprintf(d->lab, sizeof(d->lab), "%s", basename(dir));
	snprintf(path, sizeof(path), "%s/topology.yaml", d->opts.labdir);
	if ((d->topo = topo_load(path, &diags)) == NULL) {
		char	buf[512];

		for (size_t i = 0; i < diags.n; i++) {
			topo_diag_format(&diags.v[i], buf, sizeof(buf));
			log_warnx("%s", buf);
		}
		if (diags.n == 0)
			log_warn("%s", path);
		topo_diags_free(&diags);
		return -1;
	}
	topo_diags_free(&diags);
	if (d->opts.prepare_timeout_ms == 0) {
		d->opts.prepare_timeout_ms = lgrd_prepare_timeout(d->topo);
		log_info("prepare time-out %u ms (from the area's timers)",
		    d->opts.prepare_timeout_ms);
	}
	if (keys_load_server(d->opts.labdir, &d->keys) == -1 ||
	    keys_load_client(d->opts.labdir, "orchestrator", NULL, &d->kc) ==
	    -1) {
		log_warn("keys in %s/%s", d->opts.labdir, KEYS_DIR);
		return -1;
	}
	return 0;
}

/*
 * ZeroMQ allows 1023 sockets a context unless told otherwise, and a wave
 * needs more: each move watches every router of its HiperSockets LAN,
 * a socket each (converge.c), so a wave of 16 onto LANs of 25 guests
 * holds over 400 at once beside the agents' and hvd's clients; at the
 * limit every new client fails (an hvd, an agent, a router "does not
 * answer").  As many as the descriptors allow, at two each (a socket's
 * mailbox and its connection), the soft limit raised to the hard one.
 */
static void
lgrd_max_sockets(void *zctx)
{
	struct rlimit	rl;
	rlim_t		max = LGRD_MAX_SOCKETS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 2 < max)
		max = rl.rlim_cur / 2;
	if (max > 1023 && zmq_ctx_set(zctx, ZMQ_MAX_SOCKETS, (int)max) == -1)
		log_warn("ZeroMQ sockets: %ju", (uintmax_t)max);
}

static int
lgrd_open(struct lgrd *d)
{
	char	path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", d->opts.labdir, LGRD_DB_NAME);
	if ((d->db = journal_open(path)) == NULL)
		return -1;
	if ((d->zctx = zmq_ctx_new()) == NULL)
		return -1;
	/*
	 * Two I/O threads: a wave's hundreds of CURVE connections (agents,
	 * routers, hvd) handshake and encrypt there, and one thread on a
	 * busy core made agents' handshakes time out.
	 */
	zmq_ctx_set(d->zctx, ZMQ_IO_THREADS, LGRD_IO_THREADS);
	lgrd_max_sockets(d->zctx);
	pthread_mutex_init(&d->lock, NULL);
	if (web_open(d) == -1)
		return -1;
	return control_open(d);
}

static void
lgrd_loop(struct lgrd *d)
{
	zmq_pollitem_t	it[2] = { { ctlsrv_socket(d->ctl), 0, ZMQ_POLLIN, 0 },
			    { ctlsrv_zap_socket(d->ctl), 0, ZMQ_POLLIN, 0 } };

	while (!lgrd_quit) {
		if (zmq_poll(it, 2, 500) <= 0)
			continue;
		if (it[1].revents & ZMQ_POLLIN)
			ctlsrv_zap(d->ctl);
		if (it[0].revents & ZMQ_POLLIN)
			control_dispatch(d);
	}
}

int
main(int argc, char **argv)
{
	static struct lgrd	d;
	bool			check;
	size_t			running;

	check = lgrd_options(argc, argv, &d.opts);
	/* Start-up errors go to the operator's terminal (ospfd's way). */
	log_init("lgrd", LOG_TO_STDERR, d.opts.verbose);
	if (lgrd_load(&d) == -1)
		return 1;
	if (check) {
		printf("lab %s: %zu members, %zu guests, %zu workload groups; "
		    "routecheck %s\n", d.lab, d.topo->nmembers,
		    d.topo->nguests, d.topo->ngroups, d.opts.routecheck[0] ?
		    d.opts.routecheck : "not found");
		return 0;
	}
	if (!d.opts.debug) {
		log_init("lgrd", LOG_TO_SYSLOG, d.opts.verbose);
		if (daemon(0, 0) == -1)
			fatal("daemon");
	}
	/*
	 * One malloc arena: every move and job is a thread of its own, and
	 * lgrd allocates little; an arena per thread only kept freed memory
	 * (with malloc_trim after each job, evac.c).
	 */
	mallopt(M_ARENA_MAX, 1);
	sig_setup(lgrd_signal, false);
	if (lgrd_open(&d) == -1)
		return 1;
	log_info("[LGR-START] lab %s: %zu guests, routecheck %s", d.lab,
	    d.topo->nguests, d.opts.routecheck[0] ? d.opts.routecheck :
	    "not found (verification skipped)");
	evac_resume(&d);
	lgrd_loop(&d);
	control_close(&d);
	if ((running = evac_running(&d)) > 0) {
		/* The journal has every step: the next lgrd takes over. */
		log_info("[LGR-STOP] %zu job(s) in flight, taken over by the "
		    "next lgrd", running);
		_exit(0);
	}
	/*
	 * The console's threads may be waiting in a request to hvd or an
	 * agent that stops with us (nslab down stops the whole lab at
	 * once), up to its time-out: end every ZeroMQ call of the context
	 * now, so that they return and web_close joins them at once.
	 */
	zmq_ctx_shutdown(d.zctx);
	web_close(&d);
	log_info("[LGR-STOP] stopped");
	journal_close(d.db);
	zmq_ctx_term(d.zctx);
	topo_free(d.topo);
	return 0;
}
