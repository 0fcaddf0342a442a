/*
 * residency.c: where each guest of a lab lives.
 *
 * The hypervisor's directory is the authority: LABDIR/cluster.db
 * (SQLite, opened read-only), or etcd's residency/ keys when hvd's
 * LABDIR/directory says "etcd ENDPOINTS LAB" (hvd(8), lgr-etcd(7)).  A lab started without the hypervisor
 * has none; then the network tells: the host ends of an HSI guest's
 * NICs hang in the HiperSockets bridge of its member (hs<member index>
 * in the switch namespace, common/labname.h).  Failing both, guests are
 * where the topology starts them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "etcd.h"
#include "labname.h"
#include "nsswitch.h"
#include "routecheck.h"
#include "topo.h"

#define RES_BUSY_MS	2000
#define RES_ETCD_MS	1000	/* one try, from one host */

static int
res_from_topology(const struct topo *t, struct rc_snap *s)
{
	for (size_t g = 0; g < t->nguests; g++)
		if (rc_snap_residency_set(s, t->guests[g].name,
		    t->members[t->guests[g].member].name) == -1)
			return -1;
	snprintf(s->residency_from, sizeof(s->residency_from), "topology");
	return 0;
}

/* 1 when the directory answered, 0 when there is none, -1 ENOMEM. */
static int
res_from_directory(const char *labdir, struct rc_snap *s)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	char		 uri[600];
	int		 rc = 0, step;

	snprintf(uri, sizeof(uri), "%s/cluster.db", labdir);
	if (access(uri, R_OK) == -1)
		return 0;
	snprintf(uri, sizeof(uri), "file:%s/cluster.db?mode=ro", labdir);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, RES_BUSY_MS);
	if (sqlite3_prepare_v2(db, "SELECT guest, member FROM residency",
	    -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char	*g = (const char *)sqlite3_column_text(st, 0);
		const char	*m = (const char *)sqlite3_column_text(st, 1);

		if (g == NULL || m == NULL || strlen(g) >= RC_NAME_MAX ||
		    strlen(m) >= RC_NAME_MAX)
			continue;
		if (rc_snap_residency_set(s, g, m) == -1) {
			rc = -1;
			goto out;
		}
		rc = 1;
	}
	if (step != SQLITE_DONE)
		rc = 0;
	if (rc == 1)
		snprintf(s->residency_from, sizeof(s->residency_from),
		    "hypervisor");
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* The residency/ keys into s: 1, 0 none, -1 ENOMEM. */
static int
res_etcd_keys(const struct etcd_kvs *kvs, const char *prefix,
    struct rc_snap *s)
{
	struct json_object	*o, *m;
	const char		*g;
	int			 rc = 0;

	for (size_t i = 0; i < kvs->n && rc != -1; i++) {
		g = kvs->kv[i].key + strlen(prefix);
		if ((o = json_tokener_parse(kvs->kv[i].value)) == NULL)
			continue;
		if (json_object_object_get_ex(o, "member", &m) &&
		    strlen(g) < RC_NAME_MAX &&
		    strlen(json_object_get_string(m)) < RC_NAME_MAX)
			rc = rc_snap_residency_set(s, g,
			    json_object_get_string(m)) == -1 ? -1 : 1;
		json_object_put(o);
	}
	return rc;
}

/*
 * The residency/ keys read from the network namespace ns (NULL: this
 * one): 1, 0 no answer, -1 ENOMEM.  The etcd nodes listen on the
 * underlay, reached from the hosts' namespaces.
 */
static int
res_etcd_read(const char *ns, const char *eps, const char *prefix,
    struct rc_snap *s)
{
	struct etcd_kvs	 kvs = { 0 };
	struct etcd	*e;
	int		 self = -1, rc = 0;

	if (ns != NULL && (self = nsswitch_enter(ns)) == -1)
		return 0;
	if ((e = etcd_open(eps, RES_ETCD_MS)) != NULL) {
		if (etcd_get_prefix(e, prefix, &kvs) == 0) {
			rc = res_etcd_keys(&kvs, prefix, s);
			etcd_kvs_free(&kvs);
		}
		etcd_close(e);
	}
	if (self != -1)
		nsswitch_leave(self);
	return rc;
}

/* 1 when etcd answered, 0 when hvd keeps no etcd directory, -1. */
static int
res_from_etcd(const struct topo *t, const char *lab, const char *labdir,
    struct rc_snap *s)
{
	char	path[600], kind[16], eps[512], dlab[64], prefix[96], ns[128];
	FILE	*fp;
	int	n, rc = 0;

	snprintf(path, sizeof(path), "%s/directory", labdir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fscanf(fp, "%15s %511s %63s", kind, eps, dlab);
	fclose(fp);
	if (n != 3 || strcmp(kind, "etcd") != 0)
		return 0;
	snprintf(prefix, sizeof(prefix), "/lgr/%s/residency/", dlab);
	for (size_t i = 0; i < t->directory.nnodes && rc == 0; i++)
		if (labname_host_netns(lab,
		    t->hosts[t->directory.nodes[i]].name, ns, sizeof(ns)) !=
		    NULL)
			rc = res_etcd_read(ns, eps, prefix, s);
	if (rc == 0)
		rc = res_etcd_read(NULL, eps, prefix, s);
	if (rc == 1)
		snprintf(s->residency_from, sizeof(s->residency_from),
		    "hypervisor");
	return rc;
}

static const struct rc_port *
res_port(const struct rc_port *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* The member whose HiperSockets bridge holds guest g's HSI host ends. */
static int
res_plugged(const struct topo *t, size_t g, const struct rc_port *v,
    size_t n)
{
	const struct topo_guest	*gu = &t->guests[g];
	const struct rc_port	*p;
	char			 name[RC_IFNAME_MAX];
	int			 m;

	for (size_t k = 0; k < gu->nnics; k++) {
		if (gu->nics[k].kind != TOPO_NIC_HIPERSOCKETS ||
		    labname_guest_hostif((int)g, (int)k, name,
		    sizeof(name)) == NULL)
			continue;
		if ((p = res_port(v, n, name)) != NULL &&
		    sscanf(p->master, "hs%d", &m) == 1 && m >= 0 &&
		    (size_t)m < t->nmembers)
			return m;
	}
	return -1;
}

/* 1 when the switch namespace answered, 0 when not, -1 ENOMEM. */
static int
res_from_network(const struct topo *t, const char *lab, struct rc_snap *s)
{
	struct rc_kernel	*k;
	struct rc_port		*v;
	char			 ns[128];
	ssize_t			 n;
	int			 m, rc = 1;

	if (labname_switch_netns(lab, ns, sizeof(ns)) == NULL ||
	    (k = rc_kernel_open(ns)) == NULL)
		return 0;
	n = rc_kernel_ports(k, &v);
	rc_kernel_close(k);
	if (n == -1)
		return 0;
	for (size_t g = 0; g < t->nguests && rc == 1; g++) {
		if ((m = res_plugged(t, g, v, (size_t)n)) == -1)
			m = t->guests[g].member;
		if (rc_snap_residency_set(s, t->guests[g].name,
		    t->members[m].name) == -1)
			rc = -1;
	}
	free(v);
	if (rc == 1)
		snprintf(s->residency_from, sizeof(s->residency_from),
		    "network");
	return rc;
}

int
rc_residency_collect(const struct topo *t, const char *lab,
    const char *labdir, struct rc_snap *s)
{
	int	rc;

	if ((rc = res_from_etcd(t, lab, labdir, s)) != 0)
		return rc == 1 ? 0 : -1;
	if ((rc = res_from_directory(labdir, s)) != 0)
		return rc == 1 ? 0 : -1;
	if ((rc = res_from_network(t, lab, s)) != 0)
		return rc == 1 ? 0 : -1;
	return res_from_topology(t, s);
}
