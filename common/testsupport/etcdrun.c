/*
 * etcdrun.c: etcd-server processes for the tests (etcdrun.h).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "etcd.h"
#include "etcdrun.h"

static void
etcdrun_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

bool
etcdrun_installed(void)
{
	return system("command -v etcd >/dev/null 2>&1") == 0;
}

int
etcdrun_ports(int *port, size_t n)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	int			fd[2 * ETCDRUN_NODES_MAX];
	size_t			i, open = 0;
	int			rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(sin);
		if ((fd[i] = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
			rc = -1;
			break;
		}
		open++;
		if (bind(fd[i], (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    getsockname(fd[i], (struct sockaddr *)&sin, &len) == -1)
			rc = -1;
		port[i] = ntohs(sin.sin_port);
	}
	for (i = 0; i < open; i++)
		close(fd[i]);
	return rc;
}

/* In the child: become node i of c. */
static void
etcdrun_exec(struct etcdrun *c, size_t i, const char *initial)
{
	struct etcdrun_node	*nd = &c->node[i];
	char			 name[8], data[96], log[96], purl[64];
	int			 fd;

	snprintf(name, sizeof(name), "n%zu", i);
	snprintf(data, sizeof(data), "%s/%s", c->dir, name);
	snprintf(log, sizeof(log), "%s/%s.log", c->dir, name);
	snprintf(purl, sizeof(purl), "http://127.0.0.1:%d", nd->peer);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	execlp("etcd", "etcd", "--name", name, "--data-dir", data,
	    "--listen-client-urls", nd->url, "--advertise-client-urls",
	    nd->url, "--listen-peer-urls", purl,
	    "--initial-advertise-peer-urls", purl, "--initial-cluster",
	    initial, "--initial-cluster-state", "new",
	    "--initial-cluster-token", c->dir, (char *)NULL);
	_exit(127);
}

/* Ports and URLs of n nodes, and the --initial-cluster list. */
static int
etcdrun_plan(struct etcdrun *c, size_t n, char *initial, size_t len)
{
	int	port[2 * ETCDRUN_NODES_MAX];
	size_t	i, off = 0;

	if (etcdrun_ports(port, 2 * n) == -1)
		return -1;
	initial[0] = '\0';
	for (i = 0; i < n; i++) {
		c->node[i].client = port[2 * i];
		c->node[i].peer = port[2 * i + 1];
		snprintf(c->node[i].url, sizeof(c->node[i].url),
		    "http://127.0.0.1:%d", c->node[i].client);
		off += (size_t)snprintf(initial + off, len - off,
		    "%sn%zu=http://127.0.0.1:%d", i ? "," : "", i,
		    c->node[i].peer);
	}
	return 0;
}

int
etcdrun_start(struct etcdrun *c, const char *name, size_t n)
{
	char	initial[256];
	size_t	i;

	memset(c, 0, sizeof(*c));
	if (n == 0 || n > ETCDRUN_NODES_MAX) {
		errno = EINVAL;
		return -1;
	}
	snprintf(c->dir, sizeof(c->dir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(c->dir) == NULL) {
		c->dir[0] = '\0';
		return -1;
	}
	if (etcdrun_plan(c, n, initial, sizeof(initial)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((c->node[i].pid = fork()) == -1)
			return -1;
		if (c->node[i].pid == 0)
			etcdrun_exec(c, i, initial);
		c->n = i + 1;
	}
	return 0;
}

/* Node nd takes a write before deadline (clock_ms()): 0, -1. */
static int
etcdrun_node_wait(struct etcdrun *c, struct etcdrun_node *nd,
    uint64_t deadline)
{
	struct etcd	*e = etcd_open(nd->url, 500);

	if (e == NULL) {
		snprintf(c->errtext, sizeof(c->errtext), "etcd %s: %s", nd->url,
		    strerror(errno));
		return -1;
	}
	while (etcd_put(e, "/t/ready", "1", 1, 0, NULL) == -1) {
		if (clock_ms() > deadline) {
			snprintf(c->errtext, sizeof(c->errtext), "etcd %s not "
			    "ready: %s", nd->url, etcd_errtext(e));
			etcd_close(e);
			return -1;
		}
		etcdrun_sleep_ms(50);
	}
	etcd_close(e);
	return 0;
}

int
etcdrun_wait(struct etcdrun *c, unsigned ms)
{
	uint64_t	deadline = clock_ms() + ms;
	size_t		i;

	for (i = 0; i < c->n; i++)
		if (etcdrun_node_wait(c, &c->node[i], deadline) == -1)
			return -1;
	return 0;
}

void
etcdrun_node_stop(struct etcdrun_node *nd, int sig)
{
	int	status, i;

	if (nd->pid <= 0)
		return;
	kill(nd->pid, sig);
	for (i = 0; i < 100; i++) {
		if (waitpid(nd->pid, &status, WNOHANG) == nd->pid)
			break;
		etcdrun_sleep_ms(50);
	}
	if (i == 100) {
		kill(nd->pid, SIGKILL);
		waitpid(nd->pid, &status, 0);
	}
	nd->pid = 0;
}

static int
etcdrun_rm(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
etcdrun_stop(struct etcdrun *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		etcdrun_node_stop(&c->node[i], SIGTERM);
	if (c->dir[0] != '\0')
		nftw(c->dir, etcdrun_rm, 16, FTW_DEPTH | FTW_PHYS);
	c->dir[0] = '\0';
}
