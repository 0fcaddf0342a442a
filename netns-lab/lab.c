/*
 * lab.c: `nslab up` and `nslab down`.
 *
 * up: validate the file (nothing is created when it is invalid), make the
 * state directory, build namespaces and links, start the routers, wait
 * for OSPF to converge.  A failure or an interrupt at any step removes
 * everything made so far and names the step.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "labname.h"
#include "log.h"
#include "nslab.h"
#include "sig.h"

/* Set by the signal handler while `up` runs; read between steps. */
static volatile sig_atomic_t lab_interrupted;

static void
lab_on_signal(int sig)
{
	(void)sig;
	lab_interrupted = 1;
}

bool
lab_was_interrupted(void)
{
	return lab_interrupted != 0;
}

int
lab_node_netns(const char *lab, const char *node, char *buf, size_t len)
{
	return labname_netns(lab, node, buf, len) == NULL ? -1 : 0;
}

/* Load and validate; print every diagnostic.  NULL when invalid. */
struct topo *
lab_load(const char *file)
{
	struct topo_diags	 d = { NULL, 0 };
	struct topo		*t;
	char			 line[1024];

	t = topo_load(file, &d);
	for (size_t i = 0; i < d.n; i++) {
		topo_diag_format(&d.v[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	if (t == NULL && d.n == 0)
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
	else if (t == NULL)
		fprintf(stderr, "%s: %zu error%s, nothing created\n", file,
		    d.n, d.n == 1 ? "" : "s");
	topo_diags_free(&d);
	return t;
}

/* Print the topology's warnings (topo_warnings()); their count. */
int
lab_warnings(const struct topo *t)
{
	struct topo_diags	d = { NULL, 0 };
	char			line[1024];
	int			n;

	n = topo_warnings(t, &d);
	for (size_t i = 0; i < d.n; i++) {
		topo_diag_format(&d.v[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	topo_diags_free(&d);
	return n;
}

/*
 * A host may not take the name of the lab's own namespaces (LAB:sw,
 * LAB:ul).  Returns 0, or -1 (said).
 */
static int
lab_host_names(const struct topo *t)
{
	for (size_t h = 0; h < t->nhosts; h++) {
		if (strcmp(t->hosts[h].name, LABNAME_SWITCH) != 0 &&
		    strcmp(t->hosts[h].name, LABNAME_UNDERLAY) != 0)
			continue;
		log_warnx("[NSLAB-HOSTNAME] %s:%u:%u: host %s: the lab names "
		    "its own namespace %s:%s; rename the host", t->file,
		    t->hosts[h].name_pos.line, t->hosts[h].name_pos.col,
		    t->hosts[h].name, t->name, t->hosts[h].name);
		return -1;
	}
	return 0;
}

/*
 * Save the topology in the state directory, where the lab's daemons read
 * it; with a name override, its top-level "lab:" line names the lab.
 */
static int
lab_copy_topology(const struct lab_state *st, const char *file,
    const char *name)
{
	char	path[600], line[4096];
	FILE	*in, *out;
	int	rc = 0;

	snprintf(path, sizeof(path), "%s/topology.yaml", state_dir(st));
	if ((in = fopen(file, "r")) == NULL)
		return -1;
	if ((out = fopen(path, "w")) == NULL) {
		fclose(in);
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		if (name != NULL && strncmp(line, "lab:", 4) == 0)
			snprintf(line, sizeof(line), "lab: %s\n", name);
		if (fputs(line, out) == EOF)
			rc = -1;
	}
	if (ferror(in))
		rc = -1;
	fclose(in);
	if (fclose(out) == EOF)
		rc = -1;
	return rc;
}

/* Default convergence wait: generous, grows with the lab. */
static unsigned
lab_timeout(const struct topo *t, const struct up_opts *o)
{
	if (o->timeout_s > 0)
		return o->timeout_s;
	return 30 + (unsigned)t->nguests + 4 * t->area.timers.dead;
}

/* Seconds since t0 (clock_ms()), for progress lines. */
double
lab_secs(uint64_t t0)
{
	return (double)(clock_ms() - t0) / 1000.0;
}

static int
lab_fail(struct lab_state *st, const char *lab, const char *step)
{
	if (lab_interrupted)
		log_warnx("[NSLAB-UP-INTR] interrupted during %s; removing "
		    "what lab %s made", step, lab);
	else
		log_warnx("[NSLAB-UP-FAIL] %s failed; removing what lab %s "
		    "made", step, lab);
	if (state_undo(st, true, NULL) == -1)
		log_warnx("[NSLAB-UP-LEFT] some objects could not be removed; "
		    "run `nslab down %s`", lab);
	state_close(st);
	return NSLAB_EXIT_FAIL;
}

static void
lab_progress(const struct up_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
lab_progress(const struct up_opts *o, const char *fmt, ...)
{
	va_list	ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int
lab_up(const struct up_opts *o)
{
	struct topo		*t;
	struct lab_state	*st;
	uint64_t		 t0 = clock_ms();
	int			 rc;

	if ((t = lab_load(o->file)) == NULL)
		return NSLAB_EXIT_INVALID;
	if (lab_host_names(t) == -1) {
		topo_free(t);
		return NSLAB_EXIT_INVALID;
	}
	if (o->name != NULL)
		snprintf(t->name, sizeof(t->name), "%s", o->name);
	if ((st = state_create(t->name)) == NULL) {
		if (errno == EEXIST)
			log_warnx("[NSLAB-EXISTS] lab %s already exists; "
			    "`nslab down %s` first", t->name, t->name);
		else
			log_warn("state directory of lab %s", t->name);
		rc = errno == EEXIST ? NSLAB_EXIT_EXISTS : NSLAB_EXIT_FAIL;
		topo_free(t);
		return rc;
	}
	sig_setup(lab_on_signal, true);
	lab_progress(o, "nslab: lab %s: %zu routers, %zu members\n", t->name,
	    t->nguests + 1, t->nmembers);
	if (lab_copy_topology(st, o->file, o->name) == -1) {
		rc = lab_fail(st, t->name, "saving the topology");
		goto out;
	}
	if (daemons_keys(st) == -1) {
		rc = lab_fail(st, t->name, "generating the lab's keys");
		goto out;
	}
	if (lab_interrupted || links_build(t, st) == -1) {
		rc = lab_fail(st, t->name, "building namespaces and links");
		goto out;
	}
	if (lab_interrupted || daemons_start_etcd(t, st) == -1) {
		rc = lab_fail(st, t->name, "starting the etcd cluster");
		goto out;
	}
	lab_progress(o, "nslab: links up (%.2f s), starting routers\n",
	    lab_secs(t0));
	if (lab_interrupted || frr_start_all(t, st, o) == -1) {
		rc = lab_fail(st, t->name, "starting routers");
		goto out;
	}
	lab_progress(o, "nslab: routers started%s (%.2f s)\n",
	    o->plugin != NULL ? " with ospfd_lgr" : "", lab_secs(t0));
	if (o->hvd != NULL && (lab_interrupted ||
	    daemons_start_hvd(t, st, o->hvd) == -1)) {
		rc = lab_fail(st, t->name, "starting hvd on every member");
		goto out;
	}
	if (o->agent != NULL && (lab_interrupted ||
	    daemons_start_agents(t, st, o->agent, -1) == -1)) {
		rc = lab_fail(st, t->name, "starting the guest agents");
		goto out;
	}
	if (o->lgrd != NULL && (lab_interrupted ||
	    daemons_start_lgrd(st, o->lgrd) == -1)) {
		rc = lab_fail(st, t->name, "starting lgrd");
		goto out;
	}
	if (o->hvd != NULL || o->agent != NULL)
		lab_progress(o, "nslab: %s%s%s%s started (%.2f s)\n",
		    o->hvd != NULL ? "hvd" : "",
		    o->hvd != NULL && o->agent != NULL ? ", " : "",
		    o->agent != NULL ? "guest agents" : "",
		    o->lgrd != NULL ? ", lgrd" : "", lab_secs(t0));
	rc = NSLAB_EXIT_OK;
	if (!o->no_wait && converge_wait(t, t->name, lab_timeout(t, o),
	    o->quiet, stderr) == -1) {
		if (lab_interrupted) {
			rc = lab_fail(st, t->name, "waiting for convergence");
			goto out;
		}
		log_warnx("[NSLAB-UP-SLOW] lab %s is up but not converged; it "
		    "stays for inspection (`nslab down %s` removes it)",
		    t->name, t->name);
		rc = NSLAB_EXIT_CONVERGE;
	} else if (!o->no_wait)
		lab_progress(o, "nslab: lab %s converged in %.2f s\n", t->name,
		    lab_secs(t0));
	state_close(st);
out:
	topo_free(t);
	return rc;
}

int
lab_down(const char *lab, bool verbose)
{
	struct lab_state	*st;
	int			 rc;

	if ((st = state_open(lab)) == NULL) {
		if (errno == ENOENT) {
			log_warnx("[NSLAB-NOLAB] no lab %s (state directory "
			    "%s/%s)", lab, labname_rundir(), lab);
			return NSLAB_EXIT_NOLAB;
		}
		log_warn("lab %s", lab);
		return NSLAB_EXIT_FAIL;
	}
	rc = state_undo(st, verbose, verbose ? stdout : NULL);
	state_close(st);
	if (rc == -1) {
		log_warnx("[NSLAB-DOWN-LEFT] lab %s: some objects could not be "
		    "removed (see above)", lab);
		return NSLAB_EXIT_FAIL;
	}
	return NSLAB_EXIT_OK;
}
