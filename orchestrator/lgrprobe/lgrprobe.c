/*
 * lgrprobe.c: probes between guests' VIPAs in a running lab, both
 * directions, every 10 ms by default, and TCP streams to chosen VIPAs;
 * a JSON report of sent, lost and the longest gap per pair, resets and
 * the longest stall per stream (lgrprobe(8)).
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "clock.h"
#include "labname.h"
#include "probe.h"
#include "sig.h"
#include "topo.h"

/* Exit codes (lgrprobe(8)). */
enum {
	LGRPROBE_OK = 0,	/* every probe answered */
	LGRPROBE_LOSS = 1,	/* some probes lost, or a stream reset */
	LGRPROBE_USAGE = 2,
	LGRPROBE_SETUP = 3,	/* lab, guest or socket missing */
};

struct lgrprobe_opts {
	const char	*lab;
	const char	*pairs;
	const char	*tcp;		/* --tcp VIPA[,VIPA...] */
	const char	*tcp_from;
	const char	*out;		/* -o: the JSON report's file */
	const char	*stop_file;
	const char	*ready_file;
	bool		 all;
	bool		 json;		/* -j: the JSON report to stdout */
	bool		 quiet;
	uint64_t	 duration_ms;
	struct probe_opts po;
};

/* Set by the signal handler, read by lgrprobe_wait(): nothing else. */
static volatile sig_atomic_t	lgrprobe_stop;

enum {
	O_LAB = 1, O_PAIRS, O_ALL, O_INTERVAL, O_DURATION, O_PORT, O_GRACE,
	O_STOP_FILE, O_READY_FILE, O_NO_STUN, O_OUTPUT, O_JSON, O_QUIET,
	O_TCP, O_TCP_FROM,
};

static const struct cli_option lgrprobe_options_table[] = {
	{ O_LAB, 'l', "lab", CLI_NAME, "LAB", 0, 0, NULL },
	{ O_PAIRS, 'p', "pairs", CLI_STR, "A:B[,C:D...]", 0, 0, NULL },
	{ O_ALL, 'a', "all-vipas", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_TCP, 0, "tcp", CLI_STR, "VIPA[,VIPA...]", 0, 0, NULL },
	{ O_TCP_FROM, 0, "tcp-from", CLI_NAME, "GUEST", 0, 0, NULL },
	{ O_INTERVAL, 'i', "interval-ms", CLI_U64, "MS", 1, 10000, NULL },
	{ O_DURATION, 'd', "duration", CLI_U64, "S", 1, 86400, NULL },
	{ O_PORT, 0, "port", CLI_U64, "P", 1, 65535, NULL },
	{ O_GRACE, 0, "grace-ms", CLI_U64, "MS", 0, 60000, NULL },
	{ O_STOP_FILE, 0, "stop-file", CLI_STR, "F", 0, 0, NULL },
	{ O_READY_FILE, 0, "ready-file", CLI_STR, "F", 0, 0, NULL },
	{ O_NO_STUN, 0, "no-stun", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_OUTPUT, 'o', "output", CLI_STR, "FILE", 0, 0, NULL },
	{ O_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_QUIET, 'q', "quiet", CLI_FLAG, NULL, 0, 0, NULL },
	{ 0 },
};

static const int lgrprobe_global[] = { O_LAB, O_PAIRS, O_ALL, O_TCP,
    O_TCP_FROM, O_INTERVAL,
    O_DURATION, O_PORT, O_GRACE, O_STOP_FILE, O_READY_FILE, O_NO_STUN,
    O_OUTPUT, O_JSON, O_QUIET, 0 };

static const struct cli_spec lgrprobe_cli = {
	.prog = "lgrprobe",
	.synopsis = "--lab LAB [--pairs A:B[,C:D...] | --all-vipas]\n"
	    "                [--tcp VIPA[,VIPA...] [--tcp-from GUEST]]\n"
	    "                [--interval-ms MS] [--duration S] [--port P] "
	    "[--grace-ms MS]\n"
	    "                [--stop-file F] [--ready-file F] [--no-stun] "
	    "[-o FILE] [-jq]",
	.options = lgrprobe_options_table,
	.global = lgrprobe_global,
};

static void
lgrprobe_signal(int sig)
{
	(void)sig;
	lgrprobe_stop = 1;
}

static void
lgrprobe_str(const struct cli_result *r, int id, const char **out)
{
	const struct cli_value	*v;

	if ((v = cli_get(r, id)) != NULL)
		*out = v->str;
}

static uint64_t
lgrprobe_num(const struct cli_result *r, int id, uint64_t def)
{
	const struct cli_value	*v = cli_get(r, id);

	return v != NULL ? v->num : def;
}

static void
lgrprobe_options(int argc, char **argv, struct lgrprobe_opts *o)
{
	struct cli_result	r;

	cli_main_parse(&lgrprobe_cli, argc, argv, &r, LGRPROBE_USAGE);
	lgrprobe_str(&r, O_LAB, &o->lab);
	lgrprobe_str(&r, O_PAIRS, &o->pairs);
	lgrprobe_str(&r, O_TCP, &o->tcp);
	lgrprobe_str(&r, O_TCP_FROM, &o->tcp_from);
	lgrprobe_str(&r, O_STOP_FILE, &o->stop_file);
	lgrprobe_str(&r, O_READY_FILE, &o->ready_file);
	lgrprobe_str(&r, O_OUTPUT, &o->out);
	o->all = cli_has(&r, O_ALL);
	o->json = cli_has(&r, O_JSON);
	o->quiet = cli_has(&r, O_QUIET);
	o->duration_ms = lgrprobe_num(&r, O_DURATION, 0) * 1000;
	o->po.interval_ms = (unsigned)lgrprobe_num(&r, O_INTERVAL,
	    PROBE_INTERVAL_MS);
	o->po.port = (uint16_t)lgrprobe_num(&r, O_PORT, PROBE_PORT);
	o->po.grace_ms = (unsigned)lgrprobe_num(&r, O_GRACE, 1000);
	o->po.stun = !cli_has(&r, O_NO_STUN);
	if (o->lab == NULL || (o->pairs != NULL && o->all) ||
	    (o->pairs == NULL && !o->all && o->tcp == NULL)) {
		fprintf(stderr, "lgrprobe: need --lab and one of --pairs or "
		    "--all-vipas, or --tcp\ntry 'lgrprobe --help'\n");
		exit(LGRPROBE_USAGE);
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

/* A --tcp target: a guest's VIPA (address) or its name; -1 when none. */
static int
lgrprobe_vipa(const struct topo *t, const char *word)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, word, &a) != 1)
		return topo_guest_find(t, word);
	for (size_t i = 0; i < t->nguests; i++)
		if (t->guests[i].vipa.s_addr == a.s_addr)
			return (int)i;
	return -1;
}

/* The source of the streams: --tcp-from, else the first guest that is
 * not a target. */
static int
lgrprobe_tcp_source(const struct topo *t, const char *from,
    const bool *target, struct probe_endpoint *ep)
{
	for (size_t i = 0; from == NULL && i < t->nguests; i++)
		if (!target[i])
			from = t->guests[i].name;
	if (from == NULL) {
		fprintf(stderr, "lgrprobe: --tcp: every guest is a target; "
		    "name a source with --tcp-from\n");
		return -1;
	}
	if (lgrprobe_endpoint(t, from, ep) == -1)
		return -1;
	if (target[topo_guest_find(t, from)]) {
		fprintf(stderr, "lgrprobe: --tcp-from %s: a guest does not "
		    "probe itself\n", from);
		return -1;
	}
	return 0;
}

/* One TCP stream from the source to each VIPA of spec. */
static int
lgrprobe_tcp(struct probe *p, const struct topo *t, const char *spec,
    const char *from)
{
	struct probe_endpoint	 src, dst;
	char			*copy, *tok, *save;
	bool			*target;
	int			 g, rc = 0;

	if ((copy = strdup(spec)) == NULL ||
	    (target = calloc(t->nguests, sizeof(*target))) == NULL) {
		free(copy);
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((g = lgrprobe_vipa(t, tok)) == -1) {
			fprintf(stderr, "lgrprobe: --tcp %s: no guest has "
			    "that VIPA or name in lab %s\n", tok, t->name);
			rc = -1;
		} else
			target[g] = true;
	}
	if (rc == 0)
		rc = lgrprobe_tcp_source(t, from, target, &src);
	for (size_t i = 0; rc == 0 && i < t->nguests; i++) {
		if (!target[i])
			continue;
		snprintf(dst.guest, sizeof(dst.guest), "%s", t->guests[i].name);
		dst.vipa = t->guests[i].vipa;
		rc = probe_add_tcp(p, &src, &dst);
	}
	free(target);
	free(copy);
	return rc;
}

static void
lgrprobe_wait(const struct lgrprobe_opts *o)
{
	struct stat	st;
	uint64_t	end = o->duration_ms > 0 ? clock_ms() + o->duration_ms :
			    0;

	while (!lgrprobe_stop) {
		if (end > 0 && clock_ms() >= end)
			break;
		if (o->stop_file != NULL && stat(o->stop_file, &st) == 0)
			break;
		usleep(20000);
	}
}

static void
lgrprobe_summary_tcp(struct probe *p, FILE *f)
{
	struct probe_stats	st;

	probe_total_tcp(p, &st);
	if (st.sent == 0 && st.resets == 0)
		return;
	fprintf(f, "%-10s %-10s %-15s %7s %6s %8s %8s\n", "TCP-FROM", "TO",
	    "VIPA", "SENT", "RESETS", "STALL-MS", "RTT-MS");
	for (size_t i = 0; i < probe_count(p); i++) {
		probe_stats_get(p, i, &st);
		if (st.tcp)
			fprintf(f, "%-10s %-10s %-15s %7ju %6ju %8.1f %8.2f\n",
			    st.from, st.to, inet_ntoa(st.vipa),
			    (uintmax_t)st.sent, (uintmax_t)st.resets,
			    st.longest_gap_ms, st.max_rtt_ms);
	}
	probe_total_tcp(p, &st);
	fprintf(f, "tcp: %ju sent, %ju resets, longest stall %.1f ms\n",
	    (uintmax_t)st.sent, (uintmax_t)st.resets, st.longest_gap_ms);
}

static void
lgrprobe_summary(struct probe *p, FILE *f)
{
	struct probe_stats	st;

	probe_total(p, &st);
	if (st.sent > 0) {
		fprintf(f, "%-10s %-10s %-15s %7s %6s %8s %8s\n", "FROM", "TO",
		    "VIPA", "SENT", "LOST", "GAP-MS", "RTT-MS");
		for (size_t i = 0; i < probe_count(p); i++) {
			probe_stats_get(p, i, &st);
			if (!st.tcp)
				fprintf(f, "%-10s %-10s %-15s %7ju %6ju %8.1f "
				    "%8.2f\n", st.from, st.to,
				    inet_ntoa(st.vipa), (uintmax_t)st.sent,
				    (uintmax_t)st.lost, st.longest_gap_ms,
				    st.max_rtt_ms);
		}
		probe_total(p, &st);
		fprintf(f, "total: %ju sent, %ju lost, longest gap %.1f ms\n",
		    (uintmax_t)st.sent, (uintmax_t)st.lost,
		    st.longest_gap_ms);
	}
	lgrprobe_summary_tcp(p, f);
}

/* The JSON report to path, or to stdout when path is NULL. */
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
	sig_setup(lgrprobe_signal, false);
	if ((t = lgrprobe_topo(o.lab)) == NULL)
		return LGRPROBE_SETUP;
	if ((p = probe_new(&o.po)) == NULL)
		return LGRPROBE_USAGE;
	rc = o.all ? lgrprobe_all(p, t) : o.pairs != NULL ?
	    lgrprobe_pairs(p, t, o.pairs) : 0;
	if (rc == 0 && o.tcp != NULL)
		rc = lgrprobe_tcp(p, t, o.tcp, o.tcp_from);
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
	if (!o.quiet)	/* stdout is the JSON's with -j */
		lgrprobe_summary(p, o.json ? stderr : stdout);
	rc = LGRPROBE_OK;
	if ((o.out != NULL && lgrprobe_write(p, o.out) == -1) ||
	    (o.json && lgrprobe_write(p, NULL) == -1))
		rc = LGRPROBE_SETUP;
	probe_total(p, &tot);
	if (rc == LGRPROBE_OK && tot.lost > 0)
		rc = LGRPROBE_LOSS;
	probe_total_tcp(p, &tot);
	if (rc == LGRPROBE_OK && tot.resets > 0)
		rc = LGRPROBE_LOSS;
	probe_free(p);
	return rc;
}
