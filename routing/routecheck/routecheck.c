/*
 * routecheck: check the routing tables of a lab against the invariants
 * its topology implies, or against a saved snapshot.
 *
 *   routecheck [options] LAB [ROUTER ...]
 *   routecheck [options] --from SNAPSHOT [LAB]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "labname.h"
#include "topo.h"

#define RC_TIMEOUT_MS	10000

struct options {
	const char	*lab;
	const char	*const *routers;
	size_t		 nrouters;
	const char	*topology;	/* -f */
	const char	*expect;
	const char	*snapshot;
	const char	*from;
	const char	*junit;
	const char	*guest;
	enum rc_source	 source;
	bool		 zebra;
	bool		 json;
	bool		 quiet;
	int		 timeout_ms;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: routecheck [-jq] [-f TOPOLOGY] [--expect FILE] "
	    "[--snapshot FILE] [--junit FILE]\n"
	    "                  [--guest GUEST] [--source auto|plugin|vty] "
	    "[--no-zebra] [-t MS]\n"
	    "                  LAB [ROUTER ...]\n"
	    "       routecheck [-jq] --from SNAPSHOT [-f TOPOLOGY] "
	    "[--expect FILE] [--junit FILE]\n"
	    "                  [--guest GUEST] [LAB]\n"
	    "  -f, --topology FILE  the lab's topology (default %s/LAB/"
	    "topology.yaml)\n"
	    "  --expect FILE        every table must equal the snapshot "
	    "in FILE\n"
	    "  --snapshot FILE      save what was collected to FILE\n"
	    "  --from FILE          check a saved snapshot instead of a "
	    "running lab\n"
	    "  --junit FILE         also write JUnit XML to FILE\n"
	    "  --guest GUEST        only what concerns GUEST's VIPA and "
	    "interfaces\n"
	    "  --source SRC         OSPF table from ospfd_lgr.so (plugin), "
	    "ospfd's vty, or auto\n"
	    "  --no-zebra           do not ask zebra (invariant 6 compares "
	    "OSPF and kernel)\n"
	    "  -t, --timeout MS     for all answers together (default %d)\n"
	    "  -j, --json           JSON output\n"
	    "  -q, --quiet          print only violations and errors\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        version\n", labname_rundir(),
	    RC_TIMEOUT_MS);
}

static int
options_source(const char *s, enum rc_source *src)
{
	static const char *const names[] = { "auto", "plugin", "vty" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(s, names[i], strlen(s)) == 0 && *s != '\0') {
			*src = (enum rc_source)i;
			return 0;
		}
	fprintf(stderr, "routecheck: source \"%s\": choose auto, plugin or "
	    "vty\n", s);
	return -1;
}

static int
options_parse(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 'f' },
		{ "expect", required_argument, NULL, 'E' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "from", required_argument, NULL, 'F' },
		{ "junit", required_argument, NULL, 'U' },
		{ "guest", required_argument, NULL, 'g' },
		{ "source", required_argument, NULL, 's' },
		{ "no-zebra", no_argument, NULL, 'Z' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char	*end;
	int	 c;

	while ((c = getopt_long(argc, argv, "f:t:jqhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f':
			o->topology = optarg;
			break;
		case 'E':
			o->expect = optarg;
			break;
		case 'S':
			o->snapshot = optarg;
			break;
		case 'F':
			o->from = optarg;
			break;
		case 'U':
			o->junit = optarg;
			break;
		case 'g':
			o->guest = optarg;
			break;
		case 's':
			if (options_source(optarg, &o->source) == -1)
				return -1;
			break;
		case 'Z':
			o->zebra = false;
			break;
		case 't':
			o->timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->timeout_ms <= 0) {
				fprintf(stderr, "routecheck: timeout \"%s\" is "
				    "not a positive number of ms\n", optarg);
				return -1;
			}
			break;
		case 'j':
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("routecheck %s (snapshot format %d)\n",
			    LGR_VERSION, RC_SNAP_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		o->lab = argv[optind++];
	o->routers = (const char *const *)(argv + optind);
	o->nrouters = (size_t)(argc - optind);
	if (o->from == NULL && o->lab == NULL) {
		fprintf(stderr, "routecheck: which lab? (nslab status lists "
		    "them)\n");
		usage(stderr);
		return -1;
	}
	if (o->from != NULL && (o->nrouters > 0 || o->snapshot != NULL)) {
		fprintf(stderr, "routecheck: --from checks a saved snapshot: "
		    "no ROUTER and no --snapshot with it\n");
		return -1;
	}
	if (o->lab != NULL && (strchr(o->lab, '/') != NULL ||
	    o->lab[0] == '\0')) {
		fprintf(stderr, "routecheck: lab name \"%s\": a name, not a "
		    "path\n", o->lab);
		return -1;
	}
	return 0;
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The lab's topology: -f, else the copy in its state directory. */
static struct topo *
topology_load(const struct options *o, const char *lab)
{
	struct topo_diags	 d = { NULL, 0 };
	struct topo		*t;
	char			 path[PATH_MAX], line[600];

	if (o->topology != NULL)
		snprintf(path, sizeof(path), "%s", o->topology);
	else if (lab == NULL || labname_labdir(lab, path, sizeof(path) -
	    16) == NULL) {
		fprintf(stderr, "routecheck: which topology? give -f FILE\n");
		return NULL;
	} else
		strcat(path, "/topology.yaml");
	if ((t = topo_load(path, &d)) == NULL) {
		if (errno == ENOENT && o->topology == NULL)
			fprintf(stderr, "routecheck: no lab %s here (%s "
			    "missing; nslab status lists the labs)\n", lab,
			    path);
		for (size_t i = 0; i < d.n; i++) {
			topo_diag_format(&d.v[i], line, sizeof(line));
			fprintf(stderr, "routecheck: %s\n", line);
		}
	}
	topo_diags_free(&d);
	return t;
}

/* Named routers and guest must be in the topology. */
static int
names_check(const struct options *o, const struct topo *t, int *guest)
{
	*guest = -1;
	for (size_t i = 0; i < o->nrouters; i++)
		if (strcmp(o->routers[i], t->abr.name) != 0 &&
		    topo_guest_find(t, o->routers[i]) == -1) {
			fprintf(stderr, "routecheck: router %s is not in lab "
			    "%s (its routers: %s and the guests)\n",
			    o->routers[i], t->name, t->abr.name);
			return -1;
		}
	if (o->guest != NULL && (*guest = topo_guest_find(t,
	    o->guest)) == -1) {
		fprintf(stderr, "routecheck: guest %s is not in lab %s\n",
		    o->guest, t->name);
		return -1;
	}
	return 0;
}

static struct rc_snap *
snapshot_get(const struct options *o, const struct topo *t,
    struct result *res)
{
	struct rc_collect_opts	 co;
	struct rc_snap		*s;
	char			 err[600];
	double			 t0 = now_ms();

	if (o->from != NULL) {
		if ((s = rc_snap_load(o->from, err, sizeof(err))) == NULL)
			fprintf(stderr, "routecheck: %s\n", err);
		res->from_file = true;
		return s;
	}
	memset(&co, 0, sizeof(co));
	co.lab = o->lab;
	co.routers = o->nrouters ? o->routers : NULL;
	co.nrouters = o->nrouters;
	co.source = o->source;
	co.zebra = o->zebra;
	co.timeout_ms = o->timeout_ms;
	if ((s = rc_collect(t, &co)) == NULL)
		fprintf(stderr, "routecheck: lab %s: %s\n", o->lab,
		    strerror(errno));
	res->collect_ms = now_ms() - t0;
	return s;
}

/* Invariants, then the saved snapshot.  Returns 0 or -1 (ENOMEM). */
static int
judge(const struct options *o, const struct topo *t, const struct rc_snap *s,
    int guest, struct rc_report *r)
{
	struct rc_check_opts	 ck = { guest, 0 };
	struct rc_snap		*want;
	char			 err[600];
	int			 rc;

	if (rc_check(t, s, &ck, r) == -1)
		return -1;
	if (o->expect == NULL)
		return 0;
	if ((want = rc_snap_load(o->expect, err, sizeof(err))) == NULL) {
		fprintf(stderr, "routecheck: %s\n", err);
		return -2;
	}
	rc = rc_diff(want, s, r);
	rc_snap_free(want);
	return rc == -1 ? -1 : 0;
}

static int
run(const struct options *o)
{
	struct result	 res;
	struct rc_report r;
	struct rc_snap	*s = NULL;
	struct topo	*t = NULL;
	int		 guest, rc = EXIT_COLLECT, jrc;
	double		 t0;

	memset(&res, 0, sizeof(res));
	rc_report_init(&r);
	if (o->from != NULL && (s = snapshot_get(o, NULL, &res)) == NULL)
		goto out;
	res.lab = o->lab ? o->lab : s->lab;
	if ((t = topology_load(o, res.lab)) == NULL)
		goto out;
	if (names_check(o, t, &guest) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (s == NULL && (s = snapshot_get(o, t, &res)) == NULL)
		goto out;
	res.guest = o->guest;
	res.snap = s;
	res.report = &r;
	for (size_t i = 0; i < s->nrouters; i++)
		if (!s->routers[i].collected)
			res.nfailed++;
	if (o->snapshot != NULL && rc_snap_save(s, o->snapshot) == -1) {
		fprintf(stderr, "routecheck: %s: %s\n", o->snapshot,
		    strerror(errno));
		goto out;
	}
	t0 = now_ms();
	if ((jrc = judge(o, t, s, guest, &r)) < 0) {
		if (jrc == -1)
			fprintf(stderr, "routecheck: %s\n", strerror(errno));
		rc = jrc == -2 ? EXIT_USAGE : EXIT_COLLECT;
		goto out;
	}
	res.check_ms = now_ms() - t0;
	output_get(o->json)->print(stdout, &res, o->quiet);
	if (o->junit != NULL && output_junit(o->junit, &res) == -1)
		fprintf(stderr, "routecheck: %s: %s\n", o->junit,
		    strerror(errno));
	rc = res.nfailed > 0 ? EXIT_COLLECT : r.n > 0 ? EXIT_VIOLATION : 0;
out:
	rc_report_free(&r);
	rc_snap_free(s);
	topo_free(t);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct options	o = { .source = RC_SOURCE_AUTO, .zebra = true,
			    .timeout_ms = RC_TIMEOUT_MS };

	if (options_parse(argc, argv, &o) == -1)
		return EXIT_USAGE;
	return run(&o);
}
