/*
 * module.c: module registration, version guard, start-up and shutdown.
 *
 * ospfd loads us with "-M /path/ospfd_lgr.so:LABDIR/NODE"; the load
 * argument is the router's directory, where the control and event sockets
 * go (labname_plugin_sock, labname_plugin_events); LABDIR/keys holds the
 * lab's keys.  The init function only
 * registers hooks: frr_late_init runs before the configuration is read and
 * before the daemon forks, so the ZeroMQ sockets are opened from an event
 * that runs in the forked daemon's loop.
 *
 * The loader does no version check, so we do: the FRR version this module
 * was compiled against must equal the version of the running libfrr and
 * ospfd.  On a mismatch the module logs it and stays inert; init never
 * fails (a failing init makes the loader touch freed memory).
 */
#include "frr.h"

#include "common/labname.h"

#include "lgr.h"

#ifndef LGR_FRR_BUILT_VERSION
#define LGR_FRR_BUILT_VERSION	FRR_VERSION
#endif

/* Opaque type for our wildcard LSDB callback; never originated. */
#define LGR_OPAQUE_TYPE		245

/* Module singletons, touched only from ospfd's main thread. */
static struct thread_master	*lgr_tm;
static const char		*lgr_inert_reason;
static char			 lgr_mismatch[128];
static struct thread		*lgr_t_start;

static int	lgr_module_init(void);

FRR_MODULE_SETUP(.name = LGR_NAME, .version = LGR_VERSION,
    .description = "drain/undrain OSPF interfaces, routing events (ZeroMQ)",
    .init = lgr_module_init);

struct thread_master *
lgr_master(void)
{
	return lgr_tm;
}

struct ospf *
lgr_ospf(void)
{
	return ospf_lookup_by_vrf_id(VRF_DEFAULT);
}

/* Wall-clock time, UNIX seconds to the microsecond: events' "ts". */
double
lgr_now(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/*
 * The router's directory LABDIR/NODE split at its last '/': labdir ("" for
 * /NODE) and node, a pointer into dir.  -1 without a '/' or a node.
 */
int
lgr_dir_split(const char *dir, char *labdir, size_t size, const char **node)
{
	const char	*slash;

	if (dir == NULL || (slash = strrchr(dir, '/')) == NULL ||
	    slash[1] == '\0' || (size_t)(slash - dir) >= size)
		return -1;
	memcpy(labdir, dir, (size_t)(slash - dir));
	labdir[slash - dir] = '\0';
	*node = slash + 1;
	return 0;
}

/*
 * Returns NULL when every core entry of the module list (libfrr and the
 * daemon itself) runs the version we were built against.
 */
static const char *
lgr_version_check(void)
{
	struct frrmod_runtime	*m;

	for (m = frrmod_list; m != NULL; m = m->next) {
		if (m->info == NULL || m->info->version == NULL)
			continue;
		if (strcmp(m->info->name, "libfrr") != 0 &&
		    strcmp(m->info->name, "ospfd") != 0)
			continue;
		if (strcmp(m->info->version, LGR_FRR_BUILT_VERSION) != 0) {
			snprintf(lgr_mismatch, sizeof(lgr_mismatch),
			    "%s is version %s, module built for %s",
			    m->info->name, m->info->version,
			    LGR_FRR_BUILT_VERSION);
			return lgr_mismatch;
		}
	}
	return NULL;
}

static int
lgr_lsa_hook(struct ospf_lsa *lsa)
{
	rtrlsa_rewrite(lsa);
	events_lsa_installed(lsa);
	drain_lsa_installed(lsa);
	routes_watch_spf();
	return 0;	/* non-zero would skip other modules' callbacks */
}

static int
lgr_ism_hook(struct ospf_interface *oi, int state, int oldstate)
{
	drain_ism_change(oi, state, oldstate);
	hello_ism_change(oi, state, oldstate);
	adjacency_ism_change(oi, state, oldstate);
	events_ism_change(oi, state, oldstate);
	routes_watch_spf();
	return 0;
}

static int
lgr_nsm_hook(struct ospf_neighbor *nbr, int state, int oldstate)
{
	hello_nsm_change(nbr, state, oldstate);
	adjacency_nsm_change(nbr, state, oldstate);
	events_nsm_change(nbr, state, oldstate);
	routes_watch_spf();
	return 0;
}

static void
lgr_start(struct thread *t)
{
	const char	*dir = THIS_MODULE->load_args, *node;
	char		 labdir[PATH_MAX], ctl[PATH_MAX], ev[PATH_MAX];

	(void)t;
	routes_init();
	if (dir == NULL || *dir != '/' || lgr_dir_split(dir, labdir,
	    sizeof(labdir), &node) == -1 || labname_plugin_sock(labdir, node,
	    ctl, sizeof(ctl)) == NULL || labname_plugin_events(labdir, node,
	    ev, sizeof(ev)) == NULL) {
		zlog_warn("%s %s: no absolute socket directory in the load "
		    "argument (-M %s.so:/DIR); control socket disabled",
		    LGR_MSG_SOCK, LGR_NAME, LGR_NAME);
		return;
	}
	if (control_open(ctl) == -1 || events_open(ev) == -1)
		return;
	zlog_info("%s %s %s: sockets in %s", LGR_MSG_START, LGR_NAME,
	    LGR_VERSION, dir);
}

static int
lgr_fini(void)
{
	THREAD_OFF(lgr_t_start);
	if (lgr_inert_reason != NULL)
		return 0;
	drain_shutdown();
	hello_shutdown();
	adjacency_shutdown();
	rtrlsa_shutdown();
	routes_shutdown();
	control_close();
	events_close();
	zio_shutdown();
	return 0;
}

static int
lgr_late_init(struct thread_master *tm)
{
	lgr_tm = tm;
	if (lgr_inert_reason != NULL) {
		zlog_warn("%s %s: %s; staying inert (rebuild the module "
		    "against the installed FRR)", LGR_MSG_INERT, LGR_NAME,
		    lgr_inert_reason);
		return 0;
	}
	/* The opaque function lists exist only after ospf_opaque_init(). */
	if (ospf_register_opaque_functab(OPAQUE_TYPE_WILDCARD,
	    LGR_OPAQUE_TYPE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, lgr_lsa_hook, NULL) != 0)
		zlog_warn("%s: cannot watch LSA installs; LSA events and "
		    "broadcast drains are disabled", LGR_NAME);
	hook_register(ospf_ism_change, lgr_ism_hook);
	hook_register(ospf_nsm_change, lgr_nsm_hook);
	hook_register(frr_fini, lgr_fini);
	lgr_vty_init();
	thread_add_event(tm, lgr_start, NULL, 0, &lgr_t_start);
	return 0;
}

static int
lgr_module_init(void)
{
	const char	*node;
	char		 labdir[PATH_MAX];

	lgr_inert_reason = lgr_version_check();
	if (lgr_inert_reason == NULL && lgr_dir_split(THIS_MODULE->load_args,
	    labdir, sizeof(labdir), &node) == 0 && labdir[0] != '\0')
		control_keys_load(labdir);
	hook_register(frr_late_init, lgr_late_init);
	return 0;
}
