/*
 * cgroup.c: the freezer cgroup that holds every process of a guest, so
 * the hypervisor can stun the guest as a whole, and in a lab with hosts
 * the cgroup of each host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

#define CGROUP_KEEPER	"keeper.frozen"	/* topology names have no dot */

/* mkdir that records the directory when this call created it. */
static int
cgroup_mkdir(struct lab_state *st, const char *path)
{
	if (state_note(st, "cgroup", "%s", path) == -1)
		return -1;
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		log_warn("[NSLAB-CGROUP] %s", path);
		return -1;
	}
	return 0;
}

/*
 * An empty cgroup of the lab kept FROZEN.  The kernel counts the freezer
 * cgroups that are freezing behind a static key, and patches its code
 * each time the count goes from 0 to 1 and back: with no other guest
 * frozen, every quiesce paid that twice, on both CPUs (freeze 2.0 ms,
 * thaw 1.8 ms, medians here, against 0.35 and 0.08 with the count held
 * above 0).  Noted like the others: `down` removes it.
 */
static int
cgroup_make_keeper(struct lab_state *st, const char *lab)
{
	char	dir[512], path[600];
	int	fd;

	snprintf(dir, sizeof(dir), "%s/%s/%s", LABNAME_CGROUP, lab,
	    CGROUP_KEEPER);
	if (cgroup_mkdir(st, dir) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/freezer.state", dir);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, "FROZEN", 6) != 6) {
		log_warn("[NSLAB-CGROUP] %s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* LABNAME_CGROUP/LAB, its parent and its keeper, noted. */
static int
cgroup_make_lab(struct lab_state *st, const char *lab)
{
	char	dir[512];

	snprintf(dir, sizeof(dir), "%s", LABNAME_CGROUP);
	if (cgroup_mkdir(st, dir) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", LABNAME_CGROUP, lab);
	if (cgroup_mkdir(st, dir) == -1)
		return -1;
	return cgroup_make_keeper(st, lab);
}

/*
 * Create LABNAME_CGROUP/LAB/GUEST (and its parents) and return its path.
 * Parents shared with other labs are noted too; `down` removes them
 * only when empty.
 */
int
cgroup_make_guest(struct lab_state *st, const char *lab, const char *guest,
    char *path, size_t len)
{
	if (labname_cgroup(lab, guest, path, len) == NULL ||
	    cgroup_make_lab(st, lab) == -1)
		return -1;
	return cgroup_mkdir(st, path);
}

/*
 * The cgroup of a host, holding every process the lab starts for it
 * (its hvd, its etcd node); its path into path.
 */
int
cgroup_make_host(struct lab_state *st, const char *lab, const char *host,
    char *path, size_t len)
{
	if (labname_host_cgroup(lab, host, path, len) == NULL ||
	    cgroup_make_lab(st, lab) == -1)
		return -1;
	return cgroup_mkdir(st, path);
}
