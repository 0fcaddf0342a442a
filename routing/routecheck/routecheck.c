/*
 * routecheck: check the routing tables of a lab against the invariants
 * its topology implies, or against a saved snapshot.
 *
 *   routecheck [options] LAB [ROUTER ...]
 *   routecheck [options] --from SNAPSHOT [LAB]
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "command.h"
#include "labname.h"
#include "topo.h"

static void
usage(void)
{
	cli_usage(&parse_spec, stdout);
	printf("options:\n"
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
	    "  --version            version\n", labname_rundir(),
	    PARSE_TIMEOUT_MS);
}

/* Milliseconds on the monotonic clock, for the durations reported. */
static double
now_ms(void)
{
	return (double)clock_us() / 1e3;
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
	co.routers = o->nrouters > 0 ? o->routers : NULL;
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
	struct options	o;
	char		err[CLI_ERRLEN];

	if (parse(argc, argv, &o, err, sizeof(err)) == -1) {
		fprintf(stderr, "routecheck: %s\ntry 'routecheck --help'\n",
		    err);
		return EXIT_USAGE;
	}
	if (o.help) {
		usage();
		return 0;
	}
	if (o.version) {
		printf("routecheck %s (snapshot format %d)\n", LGR_VERSION,
		    RC_SNAP_VERSION);
		return 0;
	}
	return run(&o);
}
