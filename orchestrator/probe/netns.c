/*
 * netns.c: the probe engine's sockets in the guests' network namespaces
 * (common/nsswitch.h), and its responders in the guests' freezer
 * cgroups, so that they are stunned with their guest.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "labname.h"
#include "nsswitch.h"
#include "probe_priv.h"

/* Switch the calling thread to the guest's namespace; returns the old. */
static int
probe_enter(struct probe *p, const char *guest)
{
	char	ns[128];
	int	self;

	if (labname_netns(p->lab, guest, ns, sizeof(ns)) == NULL)
		return probe_fail(p, errno, "guest %s: namespace", guest);
	if ((self = nsswitch_enter(ns)) == -1)
		return probe_fail(p, errno, "guest %s: namespace %s/%s", guest,
		    NSSWITCH_DIR, ns);
	return self;
}

/* A socket bound to addr:port: UDP with SO_REUSEPORT (several lgrprobe
 * may answer on one port), TCP with SO_REUSEADDR and TCP_NODELAY. */
int
probe_socket(struct probe *p, const char *guest, int type,
    struct in_addr addr, uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	if ((fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) ==
	    -1)
		return probe_fail(p, errno, "guest %s: socket", guest);
	if (type == SOCK_STREAM) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	} else if (port != 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = addr;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		probe_fail(p, errno, "guest %s: bind %s %s:%u", guest,
		    type == SOCK_STREAM ? "TCP" : "UDP", inet_ntoa(addr), port);
		close(fd);
		return -1;
	}
	return fd;
}

/* The same, made in the guest's namespace. */
int
probe_socket_in(struct probe *p, const char *guest, int type,
    struct in_addr addr, uint16_t port)
{
	int	self, fd;

	if ((self = probe_enter(p, guest)) == -1)
		return -1;
	fd = probe_socket(p, guest, type, addr, port);
	nsswitch_leave(self);
	return fd;
}

int
probe_open_target(struct probe *p, struct probe_target *t)
{
	/* Bound to the VIPA, so that answers leave from the VIPA. */
	if ((t->fd = probe_socket_in(p, t->ep.guest, SOCK_DGRAM, t->ep.vipa,
	    p->o.port)) == -1)
		return -1;
	return t->tcp ? probe_tcp_listen(p, t) : 0;
}

int
probe_open_flow(struct probe *p, struct probe_flow *f)
{
	struct sockaddr_in	sin;

	if (f->tcp)
		return probe_tcp_connect(p, f);
	if ((f->fd = probe_socket_in(p, f->from.guest, SOCK_DGRAM,
	    f->from.vipa, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = f->to.vipa;
	sin.sin_port = htons(p->o.port);
	if (connect(f->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return probe_fail(p, errno, "guest %s: connect to %s",
		    f->from.guest, inet_ntoa(f->to.vipa));
	return 0;
}

/* Join the guest's freezer cgroup: this thread is stunned with it. */
void
probe_join_cgroup(struct probe_target *t)
{
	char	dir[512], path[600], tid[32];
	int	fd;

	if (labname_cgroup(t->p->lab, t->ep.guest, dir, sizeof(dir)) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/tasks", dir);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return;		/* a guest without a cgroup: not stunned */
	snprintf(tid, sizeof(tid), "%d", (int)t->tid);
	if (write(fd, tid, strlen(tid)) == -1)
		(void)0;	/* best effort, as above */
	close(fd);
}

/*
 * Take thread tid out of its guest's cgroup again, so that the lab can
 * remove the cgroup later; the freezer thaws a thread that leaves a
 * frozen cgroup, as a fenced guest's stays.
 */
void
probe_leave_cgroup(pid_t tid)
{
	char	path[600], id[32];
	int	fd;

	snprintf(path, sizeof(path), "%s/../tasks", LABNAME_CGROUP);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return;
	snprintf(id, sizeof(id), "%d", (int)tid);
	if (write(fd, id, strlen(id)) == -1)
		(void)0;
	close(fd);
}
