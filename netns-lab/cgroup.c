/*
 * cgroup.c: the freezer cgroup that holds every process of a guest, so
 * the hypervisor can stun the guest as a whole, and in a lab with hosts
 * the cgroup of each host.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

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

/* LABNAME_CGROUP/LAB and its parent, noted. */
static int
cgroup_make_lab(struct lab_state *st, const char *lab)
{
	char	dir[512];

	snprintf(dir, sizeof(dir), "%s", LABNAME_CGROUP);
	if (cgroup_mkdir(st, dir) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", LABNAME_CGROUP, lab);
	return cgroup_mkdir(st, dir);
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
