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
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "hvd.h"
#include "labname.h"
#include "log.h"

static void __attribute__((noreturn))
usage(FILE *f, int code)
{
	fprintf(f, "usage: hvd [-dv] -f topology -m member [-D labdir] "
	    "[-H heartbeat-ms] [-T down-ms]\n"
	    "           [-F fill-percent] [-o max-out] [-i max-in] "
	    "[-Q max-quiesce-ms] [-M max-total-s]\n"
	    "       hvd -K labdir    (generate the lab's keys)\n");
	exit(code);
}

static unsigned
hvd_number(const char *s, unsigned min, unsigned max, const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		fatalx("%s \"%s\" out of range (%u-%u)", what, s, min, max);
	return (unsigned)v;
}

static void
hvd_parse(int argc, char **argv, struct hvd_opts *o)
{
	static const struct option	lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int				c;

	memset(o, 0, sizeof(*o));
	o->heartbeat_ms = 500;
	o->down_ms = 3000;
	o->fill_pct = 100;
	o->max_out = 2;
	o->max_in = 2;
	o->max_total_s = 120;
	o->max_quiesce_ms = 1000;
	while ((c = getopt_long(argc, argv, "dD:f:F:H:i:K:m:M:o:Q:T:v", lopts,
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
			o->fill_pct = hvd_number(optarg, 0, 100, "fill");
			break;
		case 'H':
			o->heartbeat_ms = hvd_number(optarg, 10, 60000,
			    "heartbeat");
			break;
		case 'i':
			o->max_in = hvd_number(optarg, 0, 64, "max-in");
			break;
		case 'K':
			if (keys_generate(optarg, false) == -1)
				fatal("keys in %s/%s", optarg, KEYS_DIR);
			exit(0);
		case 'm':
			o->member = optarg;
			break;
		case 'M':
			o->max_total_s = hvd_number(optarg, 1, 86400,
			    "max-total");
			break;
		case 'o':
			o->max_out = hvd_number(optarg, 0, 64, "max-out");
			break;
		case 'Q':
			o->max_quiesce_ms = hvd_number(optarg, 0, 600000,
			    "max-quiesce");
			break;
		case 'T':
			o->down_ms = hvd_number(optarg, 50, 600000, "down");
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("hvd %s\n", LGR_VERSION);
			exit(0);
		default:
			usage(stderr, 1);
		}
	}
	if (optind != argc || o->topology == NULL || o->member == NULL)
		usage(stderr, 1);
	if (o->down_ms <= o->heartbeat_ms)
		fatalx("down timeout %u ms must exceed the heartbeat %u ms",
		    o->down_ms, o->heartbeat_ms);
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
	snprintf(h->dbpath, sizeof(h->dbpath), "%s/cluster.db",
	    h->opts.labdir);
	snprintf(h->chandir, sizeof(h->chandir), "%s/chan", h->opts.labdir);
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
	if (keys_load_server(h->opts.labdir, &h->keys) == -1)
		fatal("[HV-KEYS] keys in %s/%s (generate them with hvd -K, "
		    "mode 0600)", h->opts.labdir, KEYS_DIR);
	pthread_mutex_init(&h->lock, NULL);
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

/* Start a guest here with a fresh memory image. */
int
hvd_guest_boot(struct hvd *h, int idx)
{
	const struct hv_guestdef	*def = &h->conf->guests[idx];
	struct guest			*g;
	int64_t				 rate = 0, wss = 0;

	if (h->guests[idx] != NULL)
		return 0;
	if ((g = guest_new(def, NULL, NULL)) == NULL) {
		log_warn("guest %s: memory image of %ju MiB", def->name,
		    (uintmax_t)def->memory_mib);
		return -1;
	}
	guest_fill(g, h->opts.fill_pct, (uint64_t)idx << 32);
	dir_int(h->dir, &rate, "SELECT rate_mib FROM guests WHERE name = ?",
	    "s", def->name);
	dir_int(h->dir, &wss, "SELECT wss_mib FROM guests WHERE name = ?",
	    "s", def->name);
	guest_set_workload(g, (uint64_t)rate, (uint64_t)wss);
	if (guest_start(g) == -1) {
		log_warn("guest %s: vCPU", def->name);
		guest_free(g, false);
		return -1;
	}
	hvd_guest_add(h, g);
	guest_freeze(h->conf->lab, def->name, false);
	dir_exec(h->dir, "UPDATE residency SET member = ?, state = 'RUNNING', "
	    "since_ms = ? WHERE guest = ?", "sis", h->name, dir_now_ms(),
	    def->name);
	dir_event(h->dir, "HV-GUEST-START", h->name, def->name,
	    "started on %s (%ju MiB)", h->name, (uintmax_t)def->memory_mib);
	return 0;
}

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
	int64_t		next = dir_now_ms() + h->opts.heartbeat_ms, now;

	items[0] = (zmq_pollitem_t){ control_socket(h), 0, ZMQ_POLLIN, 0 };
	items[1] = (zmq_pollitem_t){ control_zap_socket(h), 0, ZMQ_POLLIN, 0 };
	items[2] = (zmq_pollitem_t){ NULL, sfd, ZMQ_POLLIN, 0 };
	while (!h->quit) {
		now = dir_now_ms();
		if (zmq_poll(items, 3, next > now ? next - now : 0) == -1 &&
		    errno != EINTR)
			fatal("zmq_poll");
		if (items[2].revents & ZMQ_POLLIN)
			break;
		if (items[1].revents & ZMQ_POLLIN)
			control_zap(h);
		if (items[0].revents & ZMQ_POLLIN)
			control_dispatch(h);
		if (dir_now_ms() >= next) {
			pool_expire(h, false);
			switch (member_tick(h)) {
			case -1:
				log_warnx("[HV-HEARTBEAT] directory update "
				    "failed");
				break;
			case 1:
				log_warnx("[HV-MEMBER-FENCED] member %s was "
				    "declared DOWN while alive: rejoining",
				    h->name);
				member_rejoin(h);
				break;
			}
			next = dir_now_ms() + h->opts.heartbeat_ms;
		}
	}
}

static void
hvd_shutdown(struct hvd *h)
{
	size_t	i;

	h->quit = true;
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
	int			sfd;

	hvd_parse(argc, argv, &h.opts);
	/*
	 * The relocation channel receives 1 MiB frames: keep them on the
	 * heap and keep the heap, rather than map, fault in and unmap
	 * fresh pages for every frame.
	 */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	log_init("hvd", h.opts.foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG,
	    h.opts.verbose);
	hvd_setup(&h);
	if (!h.opts.foreground && daemon(0, 0) == -1)
		fatal("daemon");
	if ((sfd = hvd_signals()) == -1)
		fatal("signals");
	if ((h.dir = dir_open(h.dbpath)) == NULL)
		fatalx("[HV-DIR] directory %s cannot be opened", h.dbpath);
	if ((h.zctx = zmq_ctx_new()) == NULL || control_open(&h) == -1)
		fatal("[HV-CTL] control socket");
	if (inbound_start(&h) == -1)
		fatal("[HV-CHAN] relocation channel");
	hvd_pidfile(&h, true);
	if (member_join(&h) == -1)
		fatalx("[HV-JOIN] member %s could not join", h.name);
	log_info("member %s of lab %s running", h.name, h.conf->lab);
	hvd_loop(&h, sfd);
	log_info("member %s stopping", h.name);
	hvd_shutdown(&h);
	close(sfd);
	return 0;
}
