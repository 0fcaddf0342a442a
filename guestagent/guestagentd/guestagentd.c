/*
 * guestagentd.c: the guest agent.  Reads the topology, learns where the
 * guest runs, keeps exactly the right HiperSockets interface up, and
 * serves prepare/complete/status on its control socket until SIGTERM.
 *
 * The struct agent is the process's singleton, owned by main() and
 * handed to every module; nothing else is global but the sockets of
 * links.c and the signal flag below.
 */
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <errno.h>
#include <fcntl.h>
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
#include "sig.h"

#define POLL_MAX	(3 + WATCH_MAX)

/* The last signal caught, 0: none; set by the handler, read by the loop. */
static volatile sig_atomic_t	agent_signo;

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
		    a->nodedir, LABNAME_AGENT_SOCK);
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

static void
agent_signal(int signo)
{
	agent_signo = signo;
}

/* True when the loop must stop. */
static bool
agent_signal_seen(void)
{
	int	signo = agent_signo;

	if (signo == 0)
		return false;
	agent_signo = 0;
	if (signo == SIGHUP) {
		log_info("SIGHUP ignored: the topology is read at start only");
		return false;
	}
	log_info("%s signal %d: stopping", GA_MSG_STOP, signo);
	return true;
}

static long
agent_poll_timeout(struct agent *a)
{
	int64_t	left = engine_next_deadline(a) - (int64_t)clock_ms();

	return left < 0 ? 0 : (long)left;
}

/*
 * The signal handler only sets agent_signo; poll returns EINTR.  A
 * signal between the check and the poll is seen at the next wake-up, a
 * second at the latest (engine_next_deadline).
 */
static void
agent_loop(struct agent *a)
{
	zmq_pollitem_t	it[POLL_MAX];
	size_t		nw;
	int		rc;

	while (!agent_signal_seen()) {
		it[0] = (zmq_pollitem_t){ ctlsrv_socket(a->ctl), 0, ZMQ_POLLIN,
		    0 };
		it[1] = (zmq_pollitem_t){ ctlsrv_zap_socket(a->ctl), 0,
		    ZMQ_POLLIN, 0 };
		it[2] = (zmq_pollitem_t){ NULL, links_fd(), ZMQ_POLLIN, 0 };
		nw = watch_items(a, it + 3, WATCH_MAX);
		rc = zmq_poll(it, (int)(3 + nw), agent_poll_timeout(a));
		if (rc == -1 && zmq_errno() == EINTR)
			continue;
		if (rc == -1)
			fatalx("zmq_poll: %s", zmq_strerror(zmq_errno()));
		if (rc > 0 && (it[1].revents & ZMQ_POLLIN))
			control_zap(a);
		if (rc > 0 && (it[2].revents & ZMQ_POLLIN))
			links_read(a);
		if (rc > 0 && (it[0].revents & ZMQ_POLLIN))
			control_read(a);
		if (rc > 0 && nw > 0 && watch_read(a, it + 3, nw))
			a->op.next_poll = 0;
		engine_tick(a);
	}
}

/* An operation in flight at SIGTERM: answered; the journal decides. */
static void
agent_shutdown(struct agent *a)
{
	if (a->fsm.op != FSM_OP_NONE)
		ctlsrv_error(&a->op.client, REPLY_E_UNAVAILABLE, "guestagentd "
		    "of %s is stopping; %s not finished",
		    config_guest_name(&a->conf), fsm_op_name(a->fsm.op));
	watch_clear(a);
	residency_close(a);
	plugin_close_peers(a);
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
	char			err[CLI_ERRLEN];

	if (options_parse(argc, argv, &a.opts, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\ntry '%s --help'\n", AGENT_NAME, err,
		    AGENT_NAME);
		return 2;
	}
	if (a.opts.help || a.opts.version) {
		if (a.opts.help)
			cli_usage(&options_spec, stdout);
		else
			printf("%s %s\n", AGENT_NAME, LGR_VERSION);
		return 0;
	}
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
	sig_setup(agent_signal, true);
	agent_init(&a);
	agent_privdrop();
	log_info("%s %s %s: guest %s, mode %s, %zu HSI interface(s), "
	    "lab %s", GA_MSG_START, AGENT_NAME, LGR_VERSION,
	    config_guest_name(&a.conf), a.opts.mode == AGENT_MODE_DRAIN ?
	    "drain" : "naive", a.conf.nhsi, a.opts.labdir);
	engine_start(&a);
	agent_loop(&a);
	agent_shutdown(&a);
	return 0;
}
