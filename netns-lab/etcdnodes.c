/*
 * etcdnodes.c: the etcd cluster of a lab whose directory is on etcd
 * (topology key directory: kind etcd): one node per directory node, in
 * that host's namespace and cgroup, listening on its underlay address
 * (TOPO_ETCD_CLIENT_PORT for clients, TOPO_ETCD_PEER_PORT for peers),
 * data in LABDIR/etcd/HOST.  Ready when every node answers a read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "etcd.h"
#include "labname.h"
#include "log.h"
#include "nslab.h"
#include "nsswitch.h"

#define ETCD_PROGRAM	"/usr/bin/etcd"	/* Debian etcd-server */
#define ETCD_READY_MS	20000
#define ETCD_STATUS_MS	1000
#define ETCD_STATUS_MAX	8192		/* bytes of a status answer */

/*
 * The nodes, separated by commas: "A:2379" each for clients (peers
 * false), "NAME=http://A:2380" each for etcd's --initial-cluster.
 */
static int
etcdn_list(const struct topo *t, bool peers, char *buf, size_t len)
{
	const struct topo_directory	*d = &t->directory;
	const struct topo_host		*h;
	char				 a[INET_ADDRSTRLEN];
	size_t				 used = 0;
	int				 n;

	buf[0] = '\0';
	for (size_t i = 0; i < d->nnodes; i++) {
		h = &t->hosts[d->nodes[i]];
		inet_ntop(AF_INET, &h->underlay, a, sizeof(a));
		n = peers ? snprintf(buf + used, len - used, "%s%s=http://%s:%d",
		    i ? "," : "", h->name, a, TOPO_ETCD_PEER_PORT) :
		    snprintf(buf + used, len - used, "%s%s:%d", i ? "," : "", a,
		    TOPO_ETCD_CLIENT_PORT);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

char *
daemons_etcd_endpoints(const struct topo *t, char *buf, size_t len)
{
	return etcdn_list(t, false, buf, len) == -1 ? NULL : buf;
}

/* Node i of the directory: its data directory, then the process. */
static pid_t
etcdn_start(const struct topo *t, struct lab_state *st, size_t i,
    char *initial)
{
	const struct topo_host	*h = &t->hosts[t->directory.nodes[i]];
	char			 a[INET_ADDRSTRLEN], data[600], curl[64];
	char			 purl[64], logf[600], cg[512], name[TOPO_NAME_MAX];
	char			 token[TOPO_NAME_MAX + 8], prog[] = ETCD_PROGRAM;
	char			*argv[] = { prog, "--name", name, "--data-dir",
				    data, "--listen-client-urls", curl,
				    "--advertise-client-urls", curl,
				    "--listen-peer-urls", purl,
				    "--initial-advertise-peer-urls", purl,
				    "--initial-cluster", initial,
				    "--initial-cluster-state", "new",
				    "--initial-cluster-token", token,
				    /* a node back from a partition must not
				     * depose the leader with its higher term */
				    "--pre-vote", NULL };
	struct proc_spec	 ps;
	pid_t			 pid;
	int			 nsfd;

	inet_ntop(AF_INET, &h->underlay, a, sizeof(a));
	snprintf(name, sizeof(name), "%s", h->name);
	snprintf(token, sizeof(token), "lgr-%s", t->name);
	snprintf(curl, sizeof(curl), "http://%s:%d", a, TOPO_ETCD_CLIENT_PORT);
	snprintf(purl, sizeof(purl), "http://%s:%d", a, TOPO_ETCD_PEER_PORT);
	snprintf(data, sizeof(data), "%s/etcd", state_dir(st));
	if (mkdir(data, 0700) == -1 && errno != EEXIST) {
		log_warn("[NSLAB-ETCD] %s", data);
		return -1;
	}
	snprintf(data, sizeof(data), "%s/etcd/%s", state_dir(st), h->name);
	snprintf(logf, sizeof(logf), "%s/etcd-%s.log", state_dir(st),
	    h->name);
	if (daemons_host_place(t, st, t->directory.nodes[i], &nsfd, cg,
	    sizeof(cg)) == -1)
		return -1;
	memset(&ps, 0, sizeof(ps));
	ps.argv = argv;
	ps.nsfd = nsfd;
	ps.cgroup = cg;
	ps.log = logf;
	pid = proc_spawn(&ps);
	close(nsfd);
	if (pid == -1) {
		log_warn("[NSLAB-ETCD] etcd on host %s", h->name);
		return -1;
	}
	if (state_note_proc(st, h->name, "etcd", pid) == -1)
		log_warn("[NSLAB-ETCD] recording etcd of %s", h->name);
	return pid;
}

/*
 * Does the node of host h answer a read (from inside its host)?  Why
 * not goes to why.
 */
static bool
etcdn_answers(const struct topo *t, int h, char *why, size_t len)
{
	struct etcd	*e;
	struct etcd_kv	 kv;
	char		 ns[128], ep[64], a[INET_ADDRSTRLEN], key[64];
	int		 self, rc = -1;

	labname_host_netns(t->name, t->hosts[h].name, ns, sizeof(ns));
	inet_ntop(AF_INET, &t->hosts[h].underlay, a, sizeof(a));
	snprintf(ep, sizeof(ep), "http://%s:%d", a, TOPO_ETCD_CLIENT_PORT);
	snprintf(key, sizeof(key), "/lgr/%s/ready", t->name);
	if ((self = nsswitch_enter(ns)) == -1)
		return false;
	if ((e = etcd_open(ep, 1000)) != NULL) {
		rc = etcd_get(e, key, &kv);
		if (rc == 1)
			etcd_kv_free(&kv);
		else if (rc == -1)
			snprintf(why, len, "%s", etcd_errtext(e));
		etcd_close(e);
	} else
		snprintf(why, len, "%s: %s", ep, strerror(errno));
	nsswitch_leave(self);
	return rc >= 0;
}

int
daemons_restart_etcd(const struct topo *t, struct lab_state *st, int h)
{
	char	initial[2048], why[ETCD_ERRTEXT_MAX];
	pid_t	pid;
	size_t	i;

	for (i = 0; i < t->directory.nnodes; i++)
		if (t->directory.nodes[i] == h)
			break;
	if (i == t->directory.nnodes) {
		log_warnx("[NSLAB-ETCD] host %s runs no etcd node",
		    t->hosts[h].name);
		return -1;
	}
	if (etcdn_list(t, true, initial, sizeof(initial)) == -1 ||
	    (pid = etcdn_start(t, st, i, initial)) == -1)
		return -1;
	for (int waited = 0; waited < ETCD_READY_MS; waited += 100) {
		if (etcdn_answers(t, h, why, sizeof(why)))
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		proc_sleep_ms(100);
	}
	log_warnx("[NSLAB-ETCD] etcd of host %s does not answer (see %s/etcd-"
	    "%s.log)", t->hosts[h].name, state_dir(st), t->hosts[h].name);
	return -1;
}

int
daemons_start_etcd(const struct topo *t, struct lab_state *st, int host)
{
	const struct topo_directory	*d = &t->directory;
	char				 initial[2048], why[ETCD_ERRTEXT_MAX];
	pid_t				 pid[TOPO_MAX_HOSTS];
	uint64_t			 deadline;
	size_t				 i, ready = 0;

	if (d->kind != TOPO_DIRECTORY_ETCD || d->nnodes == 0)
		return 0;
	why[0] = '\0';
	if (etcdn_list(t, true, initial, sizeof(initial)) == -1 ||
	    etcd_init() == -1) {
		log_warnx("[NSLAB-ETCD] cannot prepare the etcd cluster");
		return -1;
	}
	for (i = 0; i < d->nnodes; i++)
		if (host >= 0 && d->nodes[i] == host)
			/* one node alone has no quorum: not waited for */
			return etcdn_start(t, st, i, initial) == -1 ? -1 : 0;
	if (host >= 0)
		return 0;
	for (i = 0; i < d->nnodes; i++)
		if ((pid[i] = etcdn_start(t, st, i, initial)) == -1)
			return -1;
	deadline = clock_ms() + ETCD_READY_MS;
	for (i = 0; i < d->nnodes && !lab_was_interrupted(); ) {
		if (waitpid(pid[i], NULL, WNOHANG) == pid[i]) {
			log_warnx("[NSLAB-ETCD] etcd on host %s exited at "
			    "start; see %s/etcd-%s.log",
			    t->hosts[d->nodes[i]].name, state_dir(st),
			    t->hosts[d->nodes[i]].name);
			return -1;
		}
		if (etcdn_answers(t, d->nodes[i], why, sizeof(why))) {
			ready++;
			i++;
			continue;
		}
		if (clock_ms() > deadline)
			break;
		proc_sleep_ms(100);
	}
	if (ready == d->nnodes)
		return 0;
	log_warnx("[NSLAB-ETCD] etcd cluster not ready within %d ms (%zu of "
	    "%zu nodes answer; host %s: %s)", ETCD_READY_MS, ready, d->nnodes,
	    t->hosts[d->nodes[ready]].name, why);
	return -1;
}

/* An answer body, bounded. */
struct etcdn_body {
	char	buf[ETCD_STATUS_MAX];
	size_t	len;
};

static size_t
etcdn_write(char *p, size_t size, size_t n, void *arg)
{
	struct etcdn_body	*b = arg;
	size_t			 len = size * n;

	if (len >= sizeof(b->buf) - b->len)
		return 0;
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return len;
}

/* A string or number member of o as text ("" when absent). */
static const char *
etcdn_str(json_object *o, const char *key)
{
	json_object	*v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_string(v) : "";
}

/*
 * /v3/maintenance/status of the node on host h, asked from inside that
 * host: its member id and the leader it knows, into me and leader.
 * Returns 0, or -1 with why.
 */
static int
etcdn_status(const struct topo *t, int h, char *me, char *leader,
    size_t len, char *why, size_t wlen)
{
	struct etcdn_body	*b;
	json_object		*o = NULL, *hdr;
	CURL			*c;
	CURLcode		 cc = CURLE_FAILED_INIT;
	char			 ns[128], url[96], a[INET_ADDRSTRLEN];
	int			 self, rc = -1;

	labname_host_netns(t->name, t->hosts[h].name, ns, sizeof(ns));
	inet_ntop(AF_INET, &t->hosts[h].underlay, a, sizeof(a));
	snprintf(url, sizeof(url), "http://%s:%d/v3/maintenance/status", a,
	    TOPO_ETCD_CLIENT_PORT);
	if ((b = calloc(1, sizeof(*b))) == NULL || (self =
	    nsswitch_enter(ns)) == -1) {
		snprintf(why, wlen, "%s: %s", ns, strerror(errno));
		free(b);
		return -1;
	}
	if ((c = curl_easy_init()) != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ETCD_STATUS_MS);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, etcdn_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
		cc = curl_easy_perform(c);
		curl_easy_cleanup(c);
	}
	nsswitch_leave(self);
	if (cc != CURLE_OK)
		snprintf(why, wlen, "%s: %s", url, curl_easy_strerror(cc));
	else if ((o = json_tokener_parse(b->buf)) == NULL ||
	    !json_object_object_get_ex(o, "header", &hdr) ||
	    !*etcdn_str(hdr, "member_id") || !*etcdn_str(o, "leader"))
		snprintf(why, wlen, "%s: no member_id and leader in the "
		    "answer", url);
	else {
		snprintf(me, len, "%s", etcdn_str(hdr, "member_id"));
		snprintf(leader, len, "%s", etcdn_str(o, "leader"));
		rc = 0;
	}
	json_object_put(o);
	free(b);
	return rc;
}

int
daemons_etcd_leader(const struct topo *t, char *why, size_t len)
{
	char	me[32], leader[32], one[256];
	int	h;

	snprintf(why, len, "the lab has no etcd nodes");
	if (t->directory.kind != TOPO_DIRECTORY_ETCD || etcd_init() == -1)
		return -1;
	for (size_t i = 0; i < t->directory.nnodes; i++) {
		h = t->directory.nodes[i];
		if (etcdn_status(t, h, me, leader, sizeof(me), one,
		    sizeof(one)) == -1) {
			snprintf(why, len, "no node names its leader (host %s: "
			    "%s)", t->hosts[h].name, one);
			continue;
		}
		if (strcmp(me, leader) == 0)
			return h;
		snprintf(why, len, "the leader %s is not a node that answers",
		    leader);
	}
	return -1;
}
