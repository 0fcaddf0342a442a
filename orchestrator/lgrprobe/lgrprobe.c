/*
 * lgrprobe.c: probes between guests' VIPAs in a running lab, both
 * directions, every 10 ms by default; a JSON report of sent, lost and
 * the longest gap per pair (lgrprobe(8)).
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "labname.h"
#include "probe.h"
#include "topo.h"

/* Exit codes (lgrprobe(8)). */
enum {
	LGRPROBE_OK = 0,	/* every probe answered */
	LGRPROBE_LOSS = 1,	/* some probes lost */
	LGRPROBE_USAGE = 2,
	LGRPROBE_SETUP = 3,	/* lab, guest or socket missing */
};

struct lgrprobe_opts {
	const char	*lab;
	const char	*pairs;
	const char	*out;
	const char	*stop_file;
	const char	*ready_file;
	bool		 all;
	bool		 quiet;
	double		 duration_s;
	struct probe_opts po;
};

static volatile sig_atomic_t	lgrprobe_stop;	/* set by signals */

static void
lgrprobe_signal(int sig)
{
	(void)sig;
	lgrprobe_stop = 1;
}

static void __attribute__((noreturn))
usage(FILE *f, int code)
{
	fprintf(f, "usage: lgrprobe --lab LAB (--pairs A:B[,C:D...] | "
	    "--all-vipas)\n"
	    "                [--interval-ms MS] [--duration S] [--port P] "
	    "[--grace-ms MS]\n"
	    "                [--stop-file F] [--ready-file F] [--no-stun] "
	    "[-o FILE] [-q]\n");
	exit(code);
}

static unsigned long
lgrprobe_number(const char *opt, const char *s, unsigned long min,
    unsigned long max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "lgrprobe: %s %s: expected a number (%lu-%lu)\n",
		    opt, s, min, max);
		exit(LGRPROBE_USAGE);
	}
	return v;
}

static void
lgrprobe_options(int argc, char **argv, struct lgrprobe_opts *o)
{
	static const struct option lopts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "pairs", required_argument, NULL, 'p' },
		{ "all-vipas", no_argument, NULL, 'a' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'P' },
		{ "grace-ms", required_argument, NULL, 'g' },
		{ "stop-file", required_argument, NULL, 's' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "no-stun", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

	o->po.interval_ms = PROBE_INTERVAL_MS;
	o->po.port = PROBE_PORT;
	o->po.grace_ms = 1000;
	o->po.stun = true;
	while ((ch = getopt_long(argc, argv, "l:p:ai:d:o:qhV", lopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'l':
			o->lab = optarg;
			break;
		case 'p':
			o->pairs = optarg;
			break;
		case 'a':
			o->all = true;
			break;
		case 'i':
			o->po.interval_ms = (unsigned)lgrprobe_number(
			    "--interval-ms", optarg, 1, 10000);
			break;
		case 'd':
			o->duration_s = (double)lgrprobe_number("--duration",
			    optarg, 1, 86400);
			break;
		case 'P':
			o->po.port = (uint16_t)lgrprobe_number("--port",
			    optarg, 1, 65535);
			break;
		case 'g':
			o->po.grace_ms = (unsigned)lgrprobe_number(
			    "--grace-ms", optarg, 0, 60000);
			break;
		case 's':
			o->stop_file = optarg;
			break;
		case 'r':
			o->ready_file = optarg;
			break;
		case 'n':
			o->po.stun = false;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("lgrprobe %s\n", LGR_VERSION);
			exit(0);
		default:
			usage(stderr, LGRPROBE_USAGE);
		}
	}
	if (optind != argc || o->lab == NULL || (o->pairs == NULL) ==
	    !o->all) {
		fprintf(stderr, "lgrprobe: need --lab and one of --pairs or "
		    "--all-vipas\n");
		usage(stderr, LGRPROBE_USAGE);
	}
	o->po.lab = o->lab;
}

static struct topo *
lgrprobe_topo(const char *lab)
{
	struct topo_diags	 d = { 0 };
	struct topo		*t;
	char			 dir[PATH_MAX], path[PATH_MAX + 16];

	if (labname_labdir(lab, dir, sizeof(dir)) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/topology.yaml", dir);
	if ((t = topo_load(path, &d)) == NULL)
		fprintf(stderr, "lgrprobe: lab %s: %s: %s (is the lab up?)\n",
		    lab, path, d.n > 0 ? d.v[0].msg : strerror(errno));
	topo_diags_free(&d);
	return t;
}

static int
lgrprobe_endpoint(const struct topo *t, const char *name,
    struct probe_endpoint *ep)
{
	int	g;

	if ((g = topo_guest_find(t, name)) == -1) {
		fprintf(stderr, "lgrprobe: no guest %s in lab %s (guests:",
		    name, t->name);
		for (size_t i = 0; i < t->nguests; i++)
			fprintf(stderr, " %s", t->guests[i].name);
		fprintf(stderr, ")\n");
		return -1;
	}
	snprintf(ep->guest, sizeof(ep->guest), "%s", t->guests[g].name);
	ep->vipa = t->guests[g].vipa;
	return 0;
}

/* Both directions of one pair. */
static int
lgrprobe_pair(struct probe *p, const struct topo *t, const char *a,
    const char *b)
{
	struct probe_endpoint	ea, eb;

	if (lgrprobe_endpoint(t, a, &ea) == -1 ||
	    lgrprobe_endpoint(t, b, &eb) == -1)
		return -1;
	if (strcmp(ea.guest, eb.guest) == 0) {
		fprintf(stderr, "lgrprobe: pair %s:%s: a guest does not probe "
		    "itself\n", a, b);
		return -1;
	}
	if (probe_add(p, &ea, &eb) == -1 || probe_add(p, &eb, &ea) == -1)
		return -1;
	return 0;
}

static int
lgrprobe_pairs(struct probe *p, const struct topo *t, const char *spec)
{
	char	*copy, *tok, *save, *colon;
	int	 rc = 0;

	if ((copy = strdup(spec)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((colon = strchr(tok, ':')) == NULL) {
			fprintf(stderr, "lgrprobe: --pairs %s: expected "
			    "GUEST:GUEST\n", tok);
			rc = -1;
			break;
		}
		*colon = '\0';
		rc = lgrprobe_pair(p, t, tok, colon + 1);
	}
	free(copy);
	return rc;
}

static int
lgrprobe_all(struct probe *p, const struct topo *t)
{
	for (size_t i = 0; i < t->nguests; i++)
		for (size_t j = i + 1; j < t->nguests; j++)
			if (lgrprobe_pair(p, t, t->guests[i].name,
			    t->guests[j].name) == -1)
				return -1;
	return 0;
}

static double
lgrprobe_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
lgrprobe_wait(const struct lgrprobe_opts *o)
{
	struct stat	st;
	double		end = o->duration_s > 0 ? lgrprobe_now() + o->duration_s :
			    0;

	while (!lgrprobe_stop) {
		if (end > 0 && lgrprobe_now() >= end)
			break;
		if (o->stop_file != NULL && stat(o->stop_file, &st) == 0)
			break;
		usleep(20000);
	}
}

static void
lgrprobe_summary(struct probe *p)
{
	struct probe_stats	st;

	fprintf(stderr, "%-10s %-10s %-15s %7s %6s %8s %8s\n", "FROM", "TO",
	    "VIPA", "SENT", "LOST", "GAP-MS", "RTT-MS");
	for (size_t i = 0; i < probe_count(p); i++) {
		probe_stats_get(p, i, &st);
		fprintf(stderr, "%-10s %-10s %-15s %7ju %6ju %8.1f %8.2f\n",
		    st.from, st.to, inet_ntoa(st.vipa), (uintmax_t)st.sent,
		    (uintmax_t)st.lost, st.longest_gap_ms, st.max_rtt_ms);
	}
	probe_total(p, &st);
	fprintf(stderr, "total: %ju sent, %ju lost, longest gap %.1f ms\n",
	    (uintmax_t)st.sent, (uintmax_t)st.lost, st.longest_gap_ms);
}

static int
lgrprobe_write(struct probe *p, const char *path)
{
	struct json_object	*o = probe_json(p);
	FILE			*f = stdout;
	int			 rc = 0;

	if (path != NULL && (f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "lgrprobe: %s: %s\n", path, strerror(errno));
		json_object_put(o);
		return -1;
	}
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (f != stdout && fclose(f) != 0)
		rc = -1;
	json_object_put(o);
	return rc;
}

static void
lgrprobe_ready(const char *path)
{
	FILE	*f;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

int
main(int argc, char **argv)
{
	struct lgrprobe_opts	 o = { 0 };
	struct probe_stats	 tot;
	struct topo		*t;
	struct probe		*p;
	int			 rc;

	lgrprobe_options(argc, argv, &o);
	signal(SIGINT, lgrprobe_signal);
	signal(SIGTERM, lgrprobe_signal);
	if ((t = lgrprobe_topo(o.lab)) == NULL)
		return LGRPROBE_SETUP;
	if ((p = probe_new(&o.po)) == NULL)
		return LGRPROBE_USAGE;
	rc = o.all ? lgrprobe_all(p, t) : lgrprobe_pairs(p, t, o.pairs);
	topo_free(t);
	if (rc == -1)
		return LGRPROBE_USAGE;
	if (probe_start(p) == -1) {
		fprintf(stderr, "lgrprobe: lab %s: %s\n", o.lab,
		    probe_error(p));
		probe_free(p);
		return LGRPROBE_SETUP;
	}
	if (!o.quiet)
		fprintf(stderr, "lgrprobe: %zu flows every %u ms\n",
		    probe_count(p), o.po.interval_ms);
	lgrprobe_ready(o.ready_file);
	lgrprobe_wait(&o);
	probe_stop(p);
	if (!o.quiet)
		lgrprobe_summary(p);
	rc = lgrprobe_write(p, o.out) == -1 ? LGRPROBE_SETUP : LGRPROBE_OK;
	probe_total(p, &tot);
	if (rc == LGRPROBE_OK && tot.lost > 0)
		rc = LGRPROBE_LOSS;
	probe_free(p);
	return rc;
}
