/*
 * member.c: cluster membership.  A member joins (JOINING, then JOINED
 * once its guests run), renews its liveness every opts.heartbeat_ms
 * and leaves (LEAVING, then DOWN).  Every member declares DOWN any
 * other one whose liveness is gone (directory.h: dir_members_stale);
 * the guests of a DOWN member are LOST until recovered elsewhere.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "directory.h"
#include "log.h"

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
		    hvd_guest_boot(h, (int)i, r.rev) == -1)
			return -1;
	}
	return 0;
}

/*
 * Back from the dead (stopped longer than the timeout): guests still
 * here and not recovered elsewhere run again, the others are dropped.
 */
int
member_rejoin(struct hvd *h)
{
	struct dir_residency	r;
	const char		*name;
	size_t			i;
	int			rc;

	for (i = 0; i < h->conf->nguests; i++) {
		if (h->guests[i] == NULL)
			continue;
		name = h->conf->guests[i].name;
		if ((rc = dir_residency(h->dir, name, &r)) == -1)
			return -1;
		if (rc == 1 && strcmp(r.member, h->name) == 0) {
			if (dir_residency_claim(h->dir, name, h->name,
			    r.rev) != 1)
				hvd_guest_drop(h, (int)i);
		} else
			hvd_guest_drop(h, (int)i);
	}
	if (dir_member_join(h->dir, h->name, MEMBER_JOINED, "rejoined") == -1)
		return -1;
	dir_event(h->dir, "HV-MEMBER-REJOINED", h->name, NULL, "member %s was "
	    "declared DOWN while alive and joined again", h->name);
	return 0;
}

int
member_join(struct hvd *h)
{
	if (dir_import(h->dir, h->conf) == -1 ||
	    dir_member_join(h->dir, h->name, MEMBER_JOINING, "start") == -1 ||
	    dir_member_limits(h->dir, h->name, h->opts.max_out,
	    h->opts.max_in) != 1)
		return -1;
	dir_event(h->dir, "HV-MEMBER-JOINING", h->name, NULL,
	    "member %s joining (pid %d)", h->name, (int)getpid());
	if (dir_journal_cleanup(h->dir, h->name) == -1)
		log_warnx("[HV-RELOC-JOURNAL] relocations left by %s's "
		    "previous life not ended", h->name);
	if (member_boot_guests(h) == -1)
		return -1;
	if (dir_member_join(h->dir, h->name, MEMBER_JOINED, "joined") == -1)
		return -1;
	dir_event(h->dir, "HV-MEMBER-JOINED", h->name, NULL,
	    "member %s joined", h->name);
	return member_tick(h);
}

int
member_leave(struct hvd *h)
{
	int	rc = 0;

	if (dir_member_join(h->dir, h->name, MEMBER_LEAVING, "stop") == -1 ||
	    dir_member_leave(h->dir, h->name) == -1)
		rc = -1;
	dir_event(h->dir, "HV-MEMBER-LEFT", h->name, NULL, "member %s left",
	    h->name);
	return rc;
}

static int
member_declare_lost(struct hvd *h)
{
	char	names[HV_MAX_MEMBERS][HV_NAME];
	int	i, n;

	if ((n = dir_members_stale(h->dir, h->name, h->opts.down_ms, names,
	    HV_MAX_MEMBERS)) == -1)
		return -1;
	for (i = 0; i < n; i++)
		switch (dir_member_down(h->dir, names[i], "heartbeat lost")) {
		case -1:
			return -1;
		case 1:
			dir_event(h->dir, "HV-MEMBER-DOWN", h->name, NULL,
			    "member %s declared DOWN: no heartbeat for %u ms",
			    names[i], h->opts.down_ms);
			break;
		}
	return 0;
}

/*
 * Returns 0, 1 when the others declared this member DOWN while it was
 * alive (hvd must rejoin), -1 on a directory error.
 */
int
member_tick(struct hvd *h)
{
	enum cluster_mode	mode;
	int			rc;

	if ((rc = dir_member_renew(h->dir, h->name)) != 0)
		return rc;
	if (member_declare_lost(h) == -1 ||
	    dir_cluster_mode(h->dir, &mode) == -1)
		return -1;
	return dir_cluster_mode_store(h->dir, mode);
}
