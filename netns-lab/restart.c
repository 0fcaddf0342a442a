/*
 * restart.c: `nslab restart LAB DAEMON [NAME]`: start again one of the
 * lab's own daemons that died or was killed (nslab fault): a member's
 * hvd, a host's etcd node, a guest's agent, or lgrd, where and as
 * `nslab up` started it.  The new process is in the manifest, so
 * `nslab down` stops it; the restart is a line in the lab's event log.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nslab.h"

/* Does the last WHAT of NODE the lab started still run? */
static bool
restart_running(const struct lab_state *st, const char *node,
    const char *what)
{
	struct lab_proc	*p = NULL;
	size_t		 n = 0;
	bool		 alive = false;

	if (state_procs(st, &p, &n) == -1)
		return false;
	for (size_t i = n; i-- > 0; )
		if (strcmp(p[i].node, node) == 0 &&
		    strcmp(p[i].what, what) == 0) {
			alive = proc_alive(p[i].pid, p[i].start);
			break;
		}
	free(p);
	return alive;
}

/* i, or -1 saying that the lab has no such WHAT. */
static int
restart_find(const struct topo *t, int i, const char *what,
    const char *name)
{
	if (i < 0)
		log_warnx("restart: lab %s has no %s %s", t->name, what, name);
	return i;
}

static int
restart_one(const struct topo *t, struct lab_state *st, const char *daemon,
    const char *name, char *node, size_t len)
{
	char	prog[PATH_MAX];
	int	i;

	snprintf(node, len, "%s", name != NULL ? name : "-");
	if (strcmp(daemon, "lgrd") == 0)
		return daemons_find("NSLAB_LGRD", "orchestrator", "lgrd", prog,
		    sizeof(prog)) == NULL ? -1 : daemons_start_lgrd(st, prog);
	if (name == NULL) {
		log_warnx("restart: %s needs a name", daemon);
		return -1;
	}
	if (strcmp(daemon, "hvd") == 0) {
		if ((i = restart_find(t, topo_member_find(t, name), "member",
		    name)) < 0 || daemons_find("NSLAB_HVD", "hypervisor",
		    "hvd", prog, sizeof(prog)) == NULL)
			return -1;
		return daemons_restart_hvd(t, st, prog, (size_t)i);
	}
	if (strcmp(daemon, "etcd") == 0)
		return (i = restart_find(t, topo_host_find(t, name), "host",
		    name)) < 0 ? -1 : daemons_restart_etcd(t, st, i);
	if (strcmp(daemon, "guestagentd") == 0 ||
	    strcmp(daemon, "guest") == 0) {
		if ((i = restart_find(t, topo_guest_find(t, name), "guest",
		    name)) < 0 || daemons_find("NSLAB_AGENT", "guestagent",
		    "guestagentd", prog, sizeof(prog)) == NULL)
			return -1;
		/* A guest's start-up: its routers, then its agent. */
		if (strcmp(daemon, "guest") == 0 &&
		    frr_restart_guest(t, st, i) == -1)
			return -1;
		return restart_running(st, name, "guestagentd") ? 0 :
		    daemons_start_agents(t, st, prog, i, -1);
	}
	log_warnx("restart: unknown daemon '%s' (hvd, etcd, guestagentd, "
	    "guest, lgrd)", daemon);
	return -1;
}

/*
 * Does what DAEMON names run?  A guest runs while its zebra or its
 * ospfd does (its agent alone is restarted as guestagentd).
 */
static bool
restart_is_running(const struct lab_state *st, const char *daemon,
    const char *node)
{
	if (strcmp(daemon, "guest") == 0)
		return restart_running(st, node, "zebra") ||
		    restart_running(st, node, "ospfd");
	return restart_running(st, node, daemon);
}

int
restart_cmd(const char *lab, const char *daemon, const char *name,
    bool json, FILE *out)
{
	struct lab_state	*st;
	struct topo		*t;
	char			 node[TOPO_NAME_MAX];
	int			 rc = NSLAB_EXIT_FAIL;

	if ((st = state_open(lab)) == NULL) {
		log_warnx("[NSLAB-NOLAB] no lab %s", lab);
		return NSLAB_EXIT_NOLAB;
	}
	if ((t = state_topo(st)) == NULL) {
		log_warnx("lab %s: cannot read its topology", lab);
	} else if (restart_is_running(st, daemon, name != NULL ? name :
	    "-")) {
		log_warnx("restart: %s of %s runs; nothing to do", daemon,
		    name != NULL ? name : lab);
	} else if (restart_one(t, st, daemon, name, node,
	    sizeof(node)) == 0) {
		state_event(st, "restart %s %s: running again", daemon, node);
		if (json)
			fprintf(out, "{\"lab\":\"%s\",\"restart\":\"%s\","
			    "\"name\":\"%s\",\"done\":\"running again\"}\n",
			    lab, daemon, node);
		else if (strcmp(node, "-") == 0)	/* the lab's own lgrd */
			fprintf(out, "%s of lab %s running again\n", daemon,
			    lab);
		else
			fprintf(out, "%s of %s running again\n", daemon, node);
		rc = NSLAB_EXIT_OK;
	}
	topo_free(t);
	state_close(st);
	return rc;
}
