/*
 * guestagentd.c: the guest agent.  Reads the topology, learns where the
 * guest runs, keeps exactly the right HiperSockets interface up, and
 * serves prepare/complete/status on its control socket until SIGTERM.
 *
 * The struct agent is the process's singleton, owned by main() and
 * handed to every module; nothing else is global but the sockets of
 * control.c and links.c.
 */
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "agent.h"
#include "labname.h"
#include "log.h"

#define POLL_MAX	(4 + WATCH_MAX)

static void __attribute__((noreturn))
usage(FILE *f, int code)
{
	fprintf(f, "usage: guestagentd [-dnv] -f topology -g guest "
	    "[-D labdir] [-m drain|naive]\n"
	    "                   [-t prepare-timeout-ms] [-F full-timeout-ms] "
	    "[-w naive-wait-ms]\n"
	    "                   [-r residency-interval-ms] [-s settle-ms]\n");
	exit(code);
}

int64_t
agent_mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
agent_mono_ms(void)
{
	return agent_mono_us() / 1000;
}

int64_t
agent_wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned
agent_number(const char *s, unsigned min, unsigned max, const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '\0' || v < min || v > max)
		fatalx("%s \"%s\" out of range (%u-%u)", what, s, min, max);
	return (unsigned)v;
}

static enum agent_mode
agent_mode_parse(const char *s)
{
	if (strcmp(s, "drain") == 0)
		return AGENT_MODE_DRAIN;
	if (strcmp(s, "naive") == 0)
		return AGENT_MODE_NAIVE;
	fatalx("mode \"%s\": drain or naive", s);
}

static void
agent_parse(int argc, char **argv, struct agent_opts *o)
{
	static const struct option	lopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "prepare-timeout", required_argument, NULL, 't' },
		{ "full-timeout", required_argument, NULL, 'F' },
		{ "naive-wait", required_argument, NULL, 'w' },
		{ "residency-interval", required_argument, NULL, 'r' },
		{ "settle", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int				c;

	memset(o, 0, sizeof(*o));
	o->mode = AGENT_MODE_DRAIN;
	o->self_complete_ms = 30000;
	o->full_timeout_ms = 10000;
	o->naive_wait_ms = 8000;
	o->residency_ms = 2000;
	o->settle_ms = 50;
	while ((c = getopt_long(argc, argv, "dD:f:F:g:hm:nr:s:t:vVw:", lopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			o->foreground = true;
			break;
		case 'D':
			o->labdir = optarg;
			break;
		case 'f':
			o->topology = optarg;
			break;
		case 'F':
			o->full_timeout_ms = agent_number(optarg, 0,
			    AGENT_TIMEOUT_MAX_MS, "full-timeout");
			break;
		case 'g':
			o->guest = optarg;
			break;
		case 'm':
			o->mode = agent_mode_parse(optarg);
			break;
		case 'n':
			o->check_only = true;
			break;
		case 'r':
			o->residency_ms = agent_number(optarg, 0, 3600000,
			    "residency-interval");
			break;
		case 's':
			o->settle_ms = agent_number(optarg, 0, 60000,
			    "settle");
			break;
		case 't':
			o->self_complete_ms = agent_number(optarg, 100,
			    86400000, "prepare-timeout");
			break;
		case 'v':
			o->verbose++;
			break;
		case 'w':
			o->naive_wait_ms = agent_number(optarg, 0, 600000,
			    "naive-wait");
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("guestagentd %s\n", LGR_VERSION);
			exit(0);
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc || o->topology == NULL || o->guest == NULL)
		usage(stderr, 2);
}

/* The lab directory (-D, else the topology's lab) and ours in it. */
static void
agent_dirs(struct agent *a)
{
	static char	labdir[PATH_MAX];

	if (a->opts.labdir == NULL) {
		if (labname_labdir(a->conf.topo->name, labdir,
		    sizeof(labdir)) == NULL)
			fatal("lab directory of %s", a->conf.topo->name);
		a->opts.labdir = labdir;
	}
	if ((size_t)snprintf(a->nodedir, sizeof(a->nodedir), "%s/%s",
	    a->opts.labdir, config_guest_name(&a->conf)) >=
	    sizeof(a->nodedir) || (size_t)snprintf(a->journal_path,
	    sizeof(a->journal_path), "%s/%s", a->nodedir,
	    AGENT_JOURNAL_NAME) >= sizeof(a->journal_path))
		fatalx("lab directory %s: path too long", a->opts.labdir);
	if (mkdir(a->nodedir, 0755) == -1 && errno != EEXIST)
		fatal("%s", a->nodedir);
}

/*
 * One agent per guest: an exclusive lock on LABDIR/GUEST/agent.lock,
 * held for the life of the process (the kernel drops it on any death),
 * with our pid in it.  A second agent would take over the socket.
 */
static void
agent_lock(struct agent *a)
{
	char	path[PATH_MAX + 16], pid[32];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof(path), "%s/agent.lock", a->nodedir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		fatal("%s %s", GA_MSG_START, path);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fatalx("%s guestagentd %s already serves %s (%s)", GA_MSG_START,
		    pid[0] ? pid : "(pid unknown)", config_guest_name(&a->conf),
		    path);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, pid, (size_t)n) != n)
		log_warn("%s %s", GA_MSG_START, path);
	/* fd stays open: the lock lives as long as we do. */
}

/*
 * The lab's keys: the server key for our control socket; towards the
 * plugins and hvd the lab's server identity (a daemon of the lab), else
 * the orchestrator's.
 */
static void
agent_keys(struct agent *a)
{
	if (keys_load_server(a->opts.labdir, &a->keys) == -1)
		fatal("%s keys of the lab in %s/%s", GA_MSG_KEYS,
		    a->opts.labdir, KEYS_DIR);
	if (keys_load_client(a->opts.labdir, "server", NULL, &a->kc) == -1 &&
	    keys_load_client(a->opts.labdir, "orchestrator", NULL,
	    &a->kc) == -1)
		fatal("%s client key in %s/%s", GA_MSG_KEYS, a->opts.labdir,
		    KEYS_DIR);
}

static void
agent_init(struct agent *a)
{
	size_t	i;

	fsm_init(&a->fsm);
	for (i = 0; i < a->conf.nhsi; i++)
		if (fsm_add_if(&a->fsm, a->conf.hsi[i].name,
		    a->conf.hsi[i].member) == -1)
			fatal("interface %s", a->conf.hsi[i].name);
	if ((a->zctx = zmq_ctx_new()) == NULL)
		fatal("zmq context");
	if (control_open(a) == -1)
		fatalx("%s control socket %s/%s not opened", GA_MSG_SOCKET,
		    a->nodedir, AGENT_SOCK_NAME);
	if (links_open(a) == -1)
		fatalx("%s netlink not available", GA_MSG_LINK);
	if ((a->own = plugin_open(a, config_guest_name(&a->conf))) == NULL)
		fatalx("%s ospfd_lgr of %s: no client socket", GA_MSG_PLUGIN,
		    config_guest_name(&a->conf));
}

/*
 * Once the keys are read and the sockets open, keep only what the agent
 * needs (BIRD's syspriv): CAP_NET_ADMIN to set links up and down,
 * CAP_DAC_OVERRIDE for the router's directory and ospfd_lgr's socket
 * (owned by frr).  No new privileges through exec either.
 */
static void
agent_privdrop(void)
{
	struct __user_cap_header_struct	hdr = { _LINUX_CAPABILITY_VERSION_3,
					    0 };
	struct __user_cap_data_struct	data[2];
	uint32_t			keep;
	int				cap;

	keep = (1u << CAP_NET_ADMIN) | (1u << CAP_DAC_OVERRIDE);
	for (cap = 0; cap <= 63; cap++)
		if (cap != CAP_NET_ADMIN && cap != CAP_DAC_OVERRIDE &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno == EINVAL)
			break;		/* past the kernel's last capability */
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = keep;
	if (syscall(SYS_capset, &hdr, data) == -1)
		log_warn("capabilities not dropped");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		log_warn("no_new_privs");
}

static int
agent_signals(void)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* True when the loop must stop. */
static bool
agent_signal_read(int sfd)
{
	struct signalfd_siginfo	si;
	bool			stop = false;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP ignored: the topology is read at "
			    "start only");
			continue;
		}
		log_info("%s signal %u: stopping", GA_MSG_STOP, si.ssi_signo);
		stop = true;
	}
	return stop;
}

static long
agent_poll_timeout(struct agent *a)
{
	int64_t	left = engine_next_deadline(a) - agent_mono_ms();

	return left < 0 ? 0 : (long)left;
}

static void
agent_loop(struct agent *a, int sfd)
{
	zmq_pollitem_t	it[POLL_MAX];
	size_t		nw;
	int		rc;

	while (!a->stop) {
		it[0] = (zmq_pollitem_t){ control_socket(), 0, ZMQ_POLLIN, 0 };
		it[1] = (zmq_pollitem_t){ control_zap_socket(), 0, ZMQ_POLLIN,
		    0 };
		it[2] = (zmq_pollitem_t){ NULL, links_fd(), ZMQ_POLLIN, 0 };
		it[3] = (zmq_pollitem_t){ NULL, sfd, ZMQ_POLLIN, 0 };
		nw = watch_items(a, it + 4, WATCH_MAX);
		rc = zmq_poll(it, (int)(4 + nw), agent_poll_timeout(a));
		if (rc == -1 && zmq_errno() != EINTR)
			fatalx("zmq_poll: %s", zmq_strerror(zmq_errno()));
		if (rc > 0 && (it[3].revents & ZMQ_POLLIN) &&
		    agent_signal_read(sfd))
			break;
		if (rc > 0 && (it[1].revents & ZMQ_POLLIN))
			control_zap(a);
		if (rc > 0 && (it[2].revents & ZMQ_POLLIN))
			links_read(a);
		if (rc > 0 && (it[0].revents & ZMQ_POLLIN))
			control_read(a);
		if (rc > 0 && nw > 0 && watch_read(a, it + 4, nw))
			a->op.next_poll = 0;
		engine_tick(a);
	}
}

/* An operation in flight at SIGTERM: answered; the journal decides. */
static void
agent_shutdown(struct agent *a)
{
	if (a->fsm.op != FSM_OP_NONE)
		control_fail(&a->op.client, AGENT_E_UNAVAILABLE, "guestagentd "
		    "of %s is stopping; %s not finished",
		    config_guest_name(&a->conf), fsm_op_name(a->fsm.op));
	watch_clear(a);
	plugin_close(a->own);
	control_close(a);
	links_close();
	zmq_ctx_term(a->zctx);
	log_info("%s %s stopped (journal %s)", GA_MSG_STOP,
	    config_guest_name(&a->conf), fsm_state_name(a->fsm.state));
	config_free(&a->conf);
}

int
main(int argc, char **argv)
{
	static struct agent	a;
	int			sfd;

	agent_parse(argc, argv, &a.opts);
	log_init(AGENT_NAME, LOG_TO_STDERR, a.opts.verbose + 1);
	if (config_load(a.opts.topology, a.opts.guest, &a.conf) == -1)
		fatalx("%s %s: guest %s: not usable", GA_MSG_CONFIG,
		    a.opts.topology, a.opts.guest);
	if (a.opts.check_only) {
		config_print(&a.conf, stdout);
		config_free(&a.conf);
		return 0;
	}
	agent_dirs(&a);
	agent_keys(&a);
	if (!a.opts.foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(AGENT_NAME, LOG_TO_SYSLOG, a.opts.verbose + 1);
	}
	agent_lock(&a);
	if ((sfd = agent_signals()) == -1)
		fatal("signals");
	agent_init(&a);
	agent_privdrop();
	log_info("%s %s %s: guest %s, mode %s, %zu HSI interface(s), "
	    "lab %s", GA_MSG_START, AGENT_NAME, LGR_VERSION,
	    config_guest_name(&a.conf), a.opts.mode == AGENT_MODE_DRAIN ?
	    "drain" : "naive", a.conf.nhsi, a.opts.labdir);
	engine_start(&a);
	agent_loop(&a, sfd);
	agent_shutdown(&a);
	close(sfd);
	return 0;
}
