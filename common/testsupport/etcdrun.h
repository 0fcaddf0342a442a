/*
 * etcdrun.h: real etcd-server processes for the tests of the etcd
 * client and of the directory (test support, never linked into a
 * program).  A cluster of one to ETCDRUN_NODES_MAX nodes on free ports
 * of 127.0.0.1, its data and logs in /tmp/NAME.XXXXXX; the nodes die with
 * the process that started them (PR_SET_PDEATHSIG), and etcdrun_stop()
 * stops them by pid and removes the directory.
 */
#ifndef LGR_ETCDRUN_H
#define LGR_ETCDRUN_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#define ETCDRUN_NODES_MAX	3

struct etcdrun_node {
	pid_t	pid;		/* 0: not running */
	int	client;		/* its ports */
	int	peer;
	char	url[64];	/* http://127.0.0.1:CLIENT */
};

struct etcdrun {
	char			dir[64];	/* "": none */
	struct etcdrun_node	node[ETCDRUN_NODES_MAX];
	size_t			n;		/* started */
	char			errtext[256];	/* etcdrun_wait's */
};

/* Whether an etcd program is on PATH. */
bool	etcdrun_installed(void);
/*
 * n (at most 2 * ETCDRUN_NODES_MAX) free TCP ports of 127.0.0.1, all
 * distinct: 0, or -1 with errno.
 */
int	etcdrun_ports(int *port, size_t n);
/* Start n nodes as one new cluster: 0, or -1 with errno. */
int	etcdrun_start(struct etcdrun *c, const char *name, size_t n);
/*
 * Wait until every node takes a write (a key /t/ready), ms at most: 0,
 * or -1 with c->errtext saying which node did not.
 */
int	etcdrun_wait(struct etcdrun *c, unsigned ms);
/* Stop one node with sig, with SIGKILL when it still runs after 5 s. */
void	etcdrun_node_stop(struct etcdrun_node *nd, int sig);
/* Stop every node (SIGTERM) and remove the directory; again: nothing. */
void	etcdrun_stop(struct etcdrun *c);

#endif
