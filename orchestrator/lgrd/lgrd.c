/*
 * lgrd.c: the lab's relocation orchestrator (lgrd(8)): options, the
 * lab's topology and keys, the journal, the control socket loop.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "lgrd.h"
#include "log.h"

static volatile sig_atomic_t	lgrd_quit;	/* set by signals */

static void
lgrd_signal(int sig)
{
	(void)sig;
	lgrd_quit = 1;
}

static void __attribute__((noreturn))
usage(FILE *f, int code)
{
	fprintf(f, "usage: lgrd [-dnv] -D labdir [--routecheck PATH] "
	    "[--no-probe]\n"
	    "            [--prepare-timeout MS] [--converge-timeout MS] "
	    "[--reloc-timeout S]\n");
	exit(code);
}

static unsigned
lgrd_number(const char *opt, const char *s, unsigned min, unsigned max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "lgrd: %s %s: expected a number (%u-%u)\n", opt,
		    s, min, max);
		exit(1);
	}
	return (unsigned)v;
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
	static const struct option lopts[] = {
		{ "routecheck", required_argument, NULL, 'r' },
		{ "no-probe", no_argument, NULL, 'P' },
		{ "prepare-timeout", required_argument, NULL, 'p' },
		{ "converge-timeout", required_argument, NULL, 'c' },
		{ "reloc-timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool	check = false;
	int	ch;

	o->prepare_timeout_ms = 5000;
	o->converge_timeout_ms = 20000;
	o->reloc_timeout_s = 300;
	o->probe = true;
	while ((ch = getopt_long(argc, argv, "dD:nvhV", lopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->debug = true;
			break;
		case 'D':
			snprintf(o->labdir, sizeof(o->labdir), "%s", optarg);
			break;
		case 'n':
			check = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'r':
			snprintf(o->routecheck, sizeof(o->routecheck), "%s",
			    optarg);
			break;
		case 'P':
			o->probe = false;
			break;
		case 'p':
			o->prepare_timeout_ms = lgrd_number("--prepare-timeout",
			    optarg, 100, 600000);
			break;
		case 'c':
			o->converge_timeout_ms = lgrd_number(
			    "--converge-timeout", optarg, 100, 600000);
			break;
		case 't':
			o->reloc_timeout_s = lgrd_number("--reloc-timeout",
			    optarg, 1, 86400);
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("lgrd %s\n", LGR_VERSION);
			exit(0);
		default:
			usage(stderr, 1);
		}
	}
	if (optind != argc || o->labdir[0] == '\0')
		usage(stderr, 1);
	lgrd_find_routecheck(o);
	return check;
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
	if (keys_load_server(d->opts.labdir, &d->keys) == -1 ||
	    keys_load_client(d->opts.labdir, "orchestrator", NULL, &d->kc) ==
	    -1) {
		log_warn("keys in %s/%s", d->opts.labdir, KEYS_DIR);
		return -1;
	}
	return 0;
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
	pthread_mutex_init(&d->lock, NULL);
	return control_open(d);
}

static void
lgrd_loop(struct lgrd *d)
{
	zmq_pollitem_t	it[2] = { { control_socket(), 0, ZMQ_POLLIN, 0 },
			    { control_zap(), 0, ZMQ_POLLIN, 0 } };

	while (!lgrd_quit) {
		if (zmq_poll(it, 2, 500) <= 0)
			continue;
		if (it[1].revents & ZMQ_POLLIN)
			control_zap_handle(d);
		if (it[0].revents & ZMQ_POLLIN)
			control_dispatch(d);
	}
}

static void
lgrd_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lgrd_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char **argv)
{
	static struct lgrd	d;
	bool			check;
	size_t			running;

	check = lgrd_options(argc, argv, &d.opts);
	log_init("lgrd", d.opts.debug || check ? LOG_TO_STDERR : LOG_TO_SYSLOG,
	    d.opts.verbose);
	if (lgrd_load(&d) == -1)
		return 1;
	if (check) {
		printf("lab %s: %zu members, %zu guests, %zu workload groups; "
		    "routecheck %s\n", d.lab, d.topo->nmembers,
		    d.topo->nguests, d.topo->ngroups, d.opts.routecheck[0] ?
		    d.opts.routecheck : "not found");
		return 0;
	}
	if (!d.opts.debug && daemon(0, 0) == -1)
		fatal("daemon");
	lgrd_signals();
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
	log_info("[LGR-STOP] stopped");
	journal_close(d.db);
	zmq_ctx_term(d.zctx);
	topo_free(d.topo);
	return 0;
}
