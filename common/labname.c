/*
 * labname.c: the naming conventions of a running lab (see labname.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "labname.h"

static char *
labname_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static char *
labname_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

const char *
labname_rundir(void)
{
	const char	*dir = getenv("NSLAB_RUNDIR");

	return dir != NULL && *dir != '\0' ? dir : LABNAME_RUNDIR;
}

char *
labname_labdir(const char *lab, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s/%s", labname_rundir(), lab);
}

char *
labname_nodedir(const char *lab, const char *node, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s/%s/%s", labname_rundir(), lab, node);
}

char *
labname_netns(const char *lab, const char *node, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s.%s", lab, node);
}

char *
labname_host_netns(const char *lab, const char *host, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s:%s", lab, host);
}

char *
labname_ifname(const char *prefix, int idx, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s%d", prefix, idx);
}

char *
labname_host_cgroup(const char *lab, const char *host, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s/%s/host.%s", LABNAME_CGROUP, lab,
	    host);
}

char *
labname_guest_hostif(int guest, int nic, char *buf, size_t len)
{
	return labname_fmt(buf, len, "g%dn%d", guest, nic);
}

char *
labname_cgroup(const char *lab, const char *guest, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s/%s/%s", LABNAME_CGROUP, lab, guest);
}

char *
labname_hvd_file(const char *labdir, const char *member, const char *ext,
    char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s/hvd-%s.%s", labdir, member, ext);
}

char *
labname_lgrd_sock(const char *labdir, char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s/%s", labdir, LABNAME_LGRD_SOCK);
}

char *
labname_node_file(const char *labdir, const char *node, const char *file,
    char *buf, size_t len)
{
	return labname_fmt(buf, len, "%s/%s/%s", labdir, node, file);
}

int
labname_pid_alive(const char *pidfile)
{
	FILE	*f;
	int	 pid = 0;

	if ((f = fopen(pidfile, "r")) == NULL)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

char *
labname_ipc(const char *path, char *buf, size_t len)
{
	return labname_fmt(buf, len, "ipc://%s", path);
}

char *
labname_pick(const char *dir, const char *lab, char *buf, size_t len)
{
	struct dirent	*de;
	DIR		*d;
	int		 n = 0;

	if (dir != NULL)
		return (size_t)snprintf(buf, len, "%s", dir) < len ? buf : NULL;
	if (lab != NULL)
		return labname_labdir(lab, buf, len);
	if ((d = opendir(labname_rundir())) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && de->d_type == DT_DIR && n++ == 0 &&
		    labname_labdir(de->d_name, buf, len) == NULL)
			n = 2;
	closedir(d);
	return n == 1 ? buf : NULL;
}
