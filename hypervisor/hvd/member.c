/*
 * member.c: cluster membership and liveness.  A member joins (JOINING,
 * then JOINED once its guests run) and leaves (LEAVING, then DOWN).
 *
 * Liveness is a lease (etcd) or a lease row renewed in time (SQLite),
 * renewed by a thread of its own with its own directory, which nothing
 * else blocks: booting guests or copying memory never makes a member
 * look DOWN.  Every member declares DOWN any other one whose liveness
 * is gone (dir_members_stale); the guests of a DOWN member are LOST
 * until recovered elsewhere.
 *
 * Fencing: the renew thread keeps a deadline on the monotonic clock, the
 * send time of the last acknowledged renewal + TTL - margin.  When it
 * passes without a new acknowledgement (seen by the renew or the monitor
 * thread, whichever is not held by a call), or the lease is found gone,
 * the member is fenced: that thread freezes its guests at once, the
 * monitor thread stops them (it cannot know whether they were recovered
 * elsewhere), relocations are refused, and the renew thread joins again
 * as a new incarnation, running nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "directory.h"
#include "log.h"

#define MEMBER_MARGIN_PCT	20	/* of the TTL, before the server's */
#define MEMBER_RENEW_DIV	3	/* renew every TTL/3 (etcd) */
#define MEMBER_MON_MIN_MS	250	/* the monitor's etcd calls, at least */

/* Boot every guest the directory places on this member. */
static int
member_boot_guests(struct hvd *h)
{
	struct dir_residency	r;
	size_t			i;
	int			rc;

	for (i = 0; i < h->conf->nguests; i++) {
		if ((rc = dir_residency(h->dir, h->conf->guests[i].name, &r)) ==
		    -1)
			return -1;
		if (rc == 1 && strcmp(r.member, h->name) == 0 &&
		    hvd_guest_boot(h, (int)i, r.rev, false) == -1)
			return -1;
	}
	return 0;
}

static unsigned
member_margin_ms(const struct hvd *h)
{
	return h->ttl_ms * MEMBER_MARGIN_PCT / 100;
}

/* Renewal acknowledged: sent at t0. */
static void
member_renewed(struct hvd *h, uint64_t t0)
{
	h->deadline_ms = t0 + h->ttl_ms - member_margin_ms(h);
}

/*
 * Join: definitions imported, liveness granted (a new incarnation), the
 * member JOINING.  The renew thread starts next (member_renew_start),
 * then member_boot.
 */
int
member_join(struct hvd *h)
{
	struct dir_conf	live = h->dirconf, mon = h->dirconf;
	uint64_t	t0;

	h->ttl_ms = h->dirconf.kind == DIR_ETCD ? h->dirconf.ttl_s * 1000 :
	    h->opts.down_ms;
	/* A renewal that cannot be acknowledged in time is no use. */
	live.timeout_ms = h->ttl_ms / MEMBER_RENEW_DIV;
	/*
	 * The monitor thread stops the guests a fence froze: a directory
	 * call it is in then should end within half the margin (etcd: a
	 * quorum lost makes every call last its whole time-out), but not
	 * so soon that a node cut off eats a tick's whole time before the
	 * next one is tried (MEMBER_MON_MIN_MS).  A tick whose call timed
	 * out is simply tried again at the next one.
	 */
	mon.timeout_ms = member_margin_ms(h) / 2;
	if (mon.timeout_ms < MEMBER_MON_MIN_MS)
		mon.timeout_ms = MEMBER_MON_MIN_MS;
	if (h->dirconf.kind != DIR_ETCD || mon.timeout_ms > DIR_MAIN_MS)
		mon.timeout_ms = DIR_MAIN_MS;
	if (dir_import(h->dir, h->conf) == -1 ||
	    (h->live = dir_open(&live)) == NULL ||
	    (h->mdir = dir_open(&mon)) == NULL)
		return -1;
	t0 = clock_ms();
	if (dir_member_join(h->live, h->name, MEMBER_JOINING, "start") == -1 ||
	    dir_member_limits(h->dir, h->name, h->opts.max_out,
	    h->opts.max_in) != 1 ||
	    dir_member_set_endpoints(h->dir, h->name, h->ctl_ep,
	    h->chan_ep) != 1)
		return -1;
	member_renewed(h, t0);
	dir_event(h->dir, "HV-MEMBER-JOINING", h->name, NULL,
	    "member %s joining (pid %d)", h->name, (int)getpid());
	return 0;
}

/* Boot the guests placed here, then JOINED. */
int
member_boot(struct hvd *h)
{
	if (dir_journal_cleanup(h->dir, h->name) == -1)
		log_warnx("[HV-RELOC-JOURNAL] relocations left by %s's "
		    "previous life not ended", h->name);
	if (member_boot_guests(h) == -1)
		return -1;
	if (dir_member_state(h->dir, h->name, MEMBER_JOINED, "joined") == -1)
		return -1;
	dir_event(h->dir, "HV-MEMBER-JOINED", h->name, NULL,
	    "member %s joined", h->name);
	return member_tick(h);
}

/*
 * Freeze every guest running here at once, from whichever thread fences:
 * none of them runs a moment past the deadline, whatever call the
 * monitor thread (which then stops them, member_fence) is held by.
 */
static void
member_freeze_all(struct hvd *h)
{
	size_t	i;
	bool	runs;

	for (i = 0; i < h->conf->nguests; i++) {
		/* Its vCPU (hvd's own thread) first, under the lock that
		 * keeps the guest from being freed meanwhile. */
		pthread_mutex_lock(&h->lock);
		if ((runs = h->guests[i] != NULL))
			guest_halt(h->guests[i]);
		pthread_mutex_unlock(&h->lock);
		if (runs && guest_freeze(h->conf->lab, h->conf->guests[i].name,
		    true) == -1)
			log_warn("[HV-FENCED] guest %s: freeze",
			    h->conf->guests[i].name);
	}
}

/* Either thread (renew, monitor): the first one says why. */
static void
member_fence_set(struct hvd *h, const char *why)
{
	bool	no = false;

	if (!atomic_compare_exchange_strong(&h->fencing, &no, true))
		return;
	snprintf(h->fence_why, sizeof(h->fence_why), "%s", why);
	h->fence_done = false;
	h->fenced = true;
	member_freeze_all(h);
	log_warnx("[HV-FENCED] member %s: %s (its guests frozen, their vCPUs "
	    "halted)", h->name, why);
}

/*
 * The deadline is checked by both threads: the renew thread may be held
 * by a renewal in flight (up to TTL/3) when it passes, the monitor by a
 * call of its own (up to half the margin); whichever is free fences.
 */
static void
member_deadline_check(struct hvd *h)
{
	if (!h->fenced && clock_ms() >= h->deadline_ms)
		member_fence_set(h, "no renewal acknowledged before the "
		    "deadline");
}

/* Once the guests are stopped: a new incarnation, nothing running. */
static void
member_rejoin(struct hvd *h)
{
	char		reason[192];
	uint64_t	t0 = clock_ms();

	snprintf(reason, sizeof(reason), "rejoined after fencing: %s",
	    h->fence_why);
	if (dir_member_join(h->live, h->name, MEMBER_JOINED, reason) == -1)
		return;
	member_renewed(h, t0);
	h->rejoined = true;
	h->fenced = false;
	h->fencing = false;
	log_warnx("[HV-MEMBER-REJOINED] member %s joined again as a new "
	    "incarnation, without guests", h->name);
}

/*
 * One renewal, never outliving the deadline: the renew thread is free to
 * fence the moment it passes.
 */
static void
member_renew_once(struct hvd *h)
{
	uint64_t	t0 = clock_ms();

	if (h->fenced) {
		if (h->fence_done)
			member_rejoin(h);
		return;
	}
	if (t0 >= h->deadline_ms) {
		member_deadline_check(h);
		return;
	}
	switch (dir_member_renew(h->live, h->name,
	    (unsigned)(h->deadline_ms - t0))) {
	case 0:
		member_renewed(h, t0);
		break;
	case 1:
		member_fence_set(h, "lease gone (declared DOWN)");
		return;
	}
	member_deadline_check(h);
}

static void *
member_renew_run(void *arg)
{
	struct hvd	*h = arg;
	unsigned	 period = h->dirconf.kind == DIR_ETCD ?
	    h->ttl_ms / MEMBER_RENEW_DIV : h->opts.heartbeat_ms;
	uint64_t	 next;

	while (!h->quit) {
		next = clock_ms() + period;
		member_renew_once(h);
		while (!h->quit && clock_ms() < next) {
			member_deadline_check(h);
			usleep(10000);
		}
	}
	return NULL;
}

int
member_renew_start(struct hvd *h)
{
	if (pthread_create(&h->renew, NULL, member_renew_run, h) != 0)
		return -1;
	h->renewing = true;
	return 0;
}

bool
member_fenced(const struct hvd *h)
{
	return h->fenced;
}

/* Main thread: stop every guest and relocation, say so. */
static void
member_fence(struct hvd *h)
{
	size_t	i;

	reloc_shutdown(h);
	for (i = 0; i < h->conf->nguests; i++) {
		if (h->guests[i] == NULL)
			continue;
		guest_freeze(h->conf->lab, h->conf->guests[i].name, true);
		guest_free(hvd_guest_take(h, (int)i), false);
		log_warnx("[HV-FENCED] guest %s stopped on %s",
		    h->conf->guests[i].name, h->name);
	}
	dir_event(member_dir(h), "HV-FENCED", h->name, NULL, "member %s fenced (%s): "
	    "its guests stopped, relocations refused until it rejoins",
	    h->name, h->fence_why);
	h->fence_done = true;
}

int
member_leave(struct hvd *h)
{
	int	rc = 0;

	if (h->renewing) {
		h->quit = true;
		pthread_join(h->renew, NULL);
		h->renewing = false;
	}
	if (h->live == NULL)
		return 0;
	if (dir_member_state(h->dir, h->name, MEMBER_LEAVING, "stop") == -1 ||
	    dir_member_leave(h->live, h->name) == -1)
		rc = -1;
	dir_event(h->dir, "HV-MEMBER-LEFT", h->name, NULL, "member %s left",
	    h->name);
	dir_close(h->live);
	h->live = NULL;
	if (!h->monitoring) {		/* never started: member_join's */
		dir_close(h->mdir);
		h->mdir = NULL;
	}
	return rc;
}

static int
member_declare_lost(struct hvd *h)
{
	char	names[HV_MAX_MEMBERS][HV_NAME];
	int	i, n;

	if ((n = dir_members_stale(member_dir(h), h->name, h->opts.down_ms, names,
	    HV_MAX_MEMBERS)) == -1)
		return -1;
	for (i = 0; i < n; i++)
		switch (dir_member_down(member_dir(h), names[i], "heartbeat lost")) {
		case -1:
			return -1;
		case 1:
			dir_event(member_dir(h), "HV-MEMBER-DOWN", h->name, NULL,
			    "member %s declared DOWN: liveness gone (%u ms)",
			    names[i], h->ttl_ms);
			break;
		}
	return 0;
}

/* The guest's HA policy: hvd's --ha, else the topology's. */
static bool
member_ha_restart(const struct hvd *h, const struct hv_guestdef *def)
{
	if (h->opts.ha == HVD_HA_TOPOLOGY)
		return def->ha_restart;
	return h->opts.ha == HVD_HA_RESTART;
}

/*
 * HA restart: a guest LOST on a member whose liveness is gone (so it has
 * fenced itself) restarts here when its policy is ha: restart, this
 * member is in its relocation domain and has the memory.  A guest LOST
 * on this very member (declared DOWN while fenced, rejoined since) is
 * restarted here too: it runs nowhere.  The claim on the residency
 * revision read makes it happen exactly once whoever else tries.
 */
static int
member_ha_guest(struct hvd *h, int idx, char *from, size_t len)
{
	const struct hv_guestdef	*def = &h->conf->guests[idx];
	struct dir_residency		 r;
	struct elig_member		 me;
	int				 rc;

	if (h->guests[idx] != NULL || !member_ha_restart(h, def) ||
	    !elig_in_domain(def, h->name))
		return 0;
	if ((rc = dir_residency(member_dir(h), def->name, &r)) != 1)
		return rc;
	if (strcmp(r.state, "LOST") != 0)
		return 0;
	if (strcmp(r.member, h->name) != 0 && (rc = dir_member_alive(member_dir(h),
	    r.member, h->opts.down_ms, NULL)) != 0)
		return rc == 1 ? 0 : -1;
	if ((rc = dir_member_info(member_dir(h), h->name, &me)) != 1)
		return rc;
	if (me.used_mib + def->memory_mib > me.memory_mib)
		return 0;
	if ((rc = dir_residency_claim(member_dir(h), def->name, h->name, r.rev)) != 1)
		return rc;	/* 0: another member was first */
	if (hvd_guest_boot(h, idx, 0, true) == -1) {
		if (dir_residency_mark(member_dir(h), def->name, h->name, "LOST") != 1)
			log_warnx("[HV-HA] guest %s: claimed but not started, "
			    "residency not set back to LOST", def->name);
		return 0;
	}
	snprintf(from, len, "%s", r.member);
	return 1;
}

/* A guest member_ha_guest restarted: its NICs here, then the event. */
static void
member_ha_started(struct hvd *h, int idx, const char *from)
{
	const struct hv_guestdef	*def = &h->conf->guests[idx];

	hvd_guest_replug(h, idx);
	dir_event(member_dir(h), "HV-GUEST-RESTARTED", h->name, def->name,
	    "restarted on %s (ha: restart; %s is DOWN), fresh memory",
	    h->name, from);
	log_warnx("[HV-GUEST-RESTARTED] guest %s restarted on %s (ha: "
	    "restart; %s is DOWN)", def->name, h->name, from);
}

/*
 * After a rejoin: the guests this member stopped when it fenced and that
 * nobody declared LOST since (the lease never expired: nobody could
 * claim them) start again here, fresh, each claimed on the revision
 * read.  A guest claimed elsewhere, or LOST, is not taken back.
 */
static int
member_reboot(struct hvd *h)
{
	struct dir_residency	r;
	size_t			i;
	int			rc;

	for (i = 0; i < h->conf->nguests; i++) {
		if (h->guests[i] != NULL)
			continue;
		if ((rc = dir_residency(member_dir(h), h->conf->guests[i].name,
		    &r)) == -1)
			return -1;
		if (rc == 0 || strcmp(r.member, h->name) != 0 ||
		    strcmp(r.state, "RUNNING") != 0)
			continue;
		if (hvd_guest_boot(h, (int)i, r.rev, true) == 0) {
			hvd_guest_replug(h, (int)i);
			log_warnx("[HV-GUEST-START] guest %s started again on "
			    "%s after its rejoin (never claimed elsewhere)",
			    h->conf->guests[i].name, h->name);
		}
	}
	h->rejoined = false;
	return 0;
}

/*
 * Every guest to restart is claimed and booted first, then the NICs of
 * all of them move together: moving a NIC to another host drops its
 * carrier, and one routing change per guest a few hundred ms apart
 * drives every router's SPF hold time up; together they are one.
 * Stops claiming at the first directory error (the tick must stay
 * short); what was booted is still plugged in.
 */
static int
member_ha(struct hvd *h)
{
	size_t	  i, k = 0, n = h->conf->nguests;
	char	(*from)[HV_NAME];
	int	 *idx, rc = 0;

	from = calloc(n, sizeof(*from));
	idx = calloc(n, sizeof(*idx));
	if (from == NULL || idx == NULL) {
		free(from);
		free(idx);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		switch (member_ha_guest(h, (int)i, from[k], sizeof(from[k]))) {
		case -1:
			rc = -1;
			break;
		case 1:
			idx[k++] = (int)i;
			break;
		}
	for (i = 0; i < k; i++)
		member_ha_started(h, idx[i], from[i]);
	free(from);
	free(idx);
	return rc;
}

/*
 * The main thread's periodic work: fence when the renew thread says so,
 * declare DOWN the members whose liveness is gone, store the cluster
 * mode.  Returns 0, 1 when fenced, -1 on a directory error.
 */
int
member_tick(struct hvd *h)
{
	enum cluster_mode	mode;

	if (h->fenced) {
		if (!h->fence_done)
			member_fence(h);
		return 1;
	}
	if ((h->rejoined && member_reboot(h) == -1) ||
	    member_declare_lost(h) == -1 || member_ha(h) == -1)
		return -1;
	if (dir_cluster_mode(member_dir(h), &mode) == -1)
		return -1;
	return dir_cluster_mode_store(member_dir(h), mode);
}

struct dir *
member_dir(struct hvd *h)
{
	if (h->monitoring && pthread_equal(pthread_self(), h->monitor))
		return h->mdir;
	return h->dir;
}

static void *
member_monitor_run(void *arg)
{
	struct hvd	*h = arg;
	uint64_t	 next;

	while (!h->quit) {
		next = clock_ms() + h->opts.heartbeat_ms;
		member_deadline_check(h);
		if (member_tick(h) == -1)
			log_warnx("[HV-HEARTBEAT] directory update failed: %s",
			    dir_error(h->mdir));
		/* A fence (set by either thread) is done at once. */
		while (!h->quit && clock_ms() < next &&
		    !(h->fenced && !h->fence_done)) {
			member_deadline_check(h);
			usleep(10000);
		}
	}
	return NULL;
}

int
member_monitor_start(struct hvd *h)
{
	h->monitoring = true;
	if (pthread_create(&h->monitor, NULL, member_monitor_run, h) != 0) {
		h->monitoring = false;
		return -1;
	}
	return 0;
}

/* h->quit set: wait for the tick in progress. */
void
member_monitor_stop(struct hvd *h)
{
	if (!h->monitoring)
		return;
	pthread_join(h->monitor, NULL);
	h->monitoring = false;
	dir_close(h->mdir);
	h->mdir = NULL;
}
