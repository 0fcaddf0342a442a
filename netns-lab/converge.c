/*
 * converge.c: wait until OSPF has converged in a lab: every expected
 * adjacency in its state and every VIPA in every router's OSPF table.
 * Asks each ospfd over its vty socket (no vtysh process per poll).  On
 * time-out, names what is missing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "labname.h"
#include "log.h"
#include "nslab.h"

#define CONVERGE_POLL_MS	100
#define CONVERGE_DIAG_MAX	40

struct cv_router {
	const char		*node;
	int			 guest;		/* -1: the ABR */
	struct vty_conn		*vty;
	struct topo_adj		*adjs;
	size_t			 nadjs;
	bool			 done;
};

struct cv_diag {
	FILE	*out;		/* NULL: count only */
	int	 n;
};

static void
cv_say(struct cv_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
cv_say(struct cv_diag *d, const char *fmt, ...)
{
	va_list	ap;

	if (d->out != NULL && d->n < CONVERGE_DIAG_MAX) {
		va_start(ap, fmt);
		vfprintf(d->out, fmt, ap);
		va_end(ap);
	} else if (d->out != NULL && d->n == CONVERGE_DIAG_MAX)
		fprintf(d->out, "  ... (more)\n");
	d->n++;
}

/* A neighbour entry's state word ("Full", "2-Way", ...). */
static const char *
cv_nbr_state(json_object *nb, char *buf, size_t len)
{
	json_object	*s;
	const char	*txt;

	if (!json_object_object_get_ex(nb, "nbrState", &s) &&
	    !json_object_object_get_ex(nb, "state", &s))
		return "?";
	txt = json_object_get_string(s);
	snprintf(buf, len, "%.*s", (int)strcspn(txt, "/"), txt);
	return buf;
}

static bool
cv_nbr_on(json_object *nb, const char *ifname)
{
	json_object	*s;
	const char	*txt;
	size_t		 len = strlen(ifname);

	if (!json_object_object_get_ex(nb, "ifaceName", &s))
		return false;
	txt = json_object_get_string(s);
	return strncmp(txt, ifname, len) == 0 &&
	    (txt[len] == '\0' || txt[len] == ':');
}

static int
cv_check_adj(const struct cv_router *r, json_object *nbrs,
    const struct topo_adj *a, struct cv_diag *d)
{
	json_object	*list;
	char		 id[INET_ADDRSTRLEN], st[32];
	const char	*state = "absent";

	inet_ntop(AF_INET, &a->neighbor, id, sizeof(id));
	if (json_object_object_get_ex(nbrs, id, &list))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			json_object *nb = json_object_array_get_idx(list, i);

			if (!cv_nbr_on(nb, a->ifname))
				continue;
			state = cv_nbr_state(nb, st, sizeof(st));
			if (strcmp(state, "Full") == 0 || (!a->must_be_full &&
			    strcmp(state, "2-Way") == 0))
				return 0;
		}
	cv_say(d, "  %s: neighbor %s on %s is %s, expected %s\n", r->node, id,
	    a->ifname, state, a->must_be_full ? "Full" : "Full or 2-Way");
	return -1;
}

/* Does the route's next-hop set equal the expected one exactly? */
static bool
cv_nexthops_match(json_object *route, const struct topo_route *want)
{
	json_object	*nhs, *nh, *ip, *via;
	char		 addr[INET_ADDRSTRLEN];
	size_t		 n, i, k;

	if (!json_object_object_get_ex(route, "nexthops", &nhs) ||
	    (n = json_object_array_length(nhs)) != want->npaths)
		return false;
	for (k = 0; k < want->npaths; k++) {
		inet_ntop(AF_INET, &want->nexthop[k], addr, sizeof(addr));
		for (i = 0; i < n; i++) {
			nh = json_object_array_get_idx(nhs, i);
			if (json_object_object_get_ex(nh, "ip", &ip) &&
			    json_object_object_get_ex(nh, "via", &via) &&
			    strcmp(json_object_get_string(ip), addr) == 0 &&
			    strcmp(json_object_get_string(via),
			    want->ifname[k]) == 0)
				break;
		}
		if (i == n)
			return false;
	}
	return true;
}

/*
 * Every VIPA is in the router's table; on a guest, each at the cost and
 * over exactly the next hops the topology implies.
 */
static int
cv_check_routes(const struct topo *t, const struct cv_router *r,
    json_object *routes, struct cv_diag *d)
{
	struct topo_route	 want;
	json_object		*route, *cost;
	char			 key[32], id[INET_ADDRSTRLEN];
	int			 rc = 0;

	for (size_t g = 0; g < t->nguests; g++) {
		inet_ntop(AF_INET, &t->guests[g].vipa, id, sizeof(id));
		snprintf(key, sizeof(key), "%s/32", id);
		if (!json_object_object_get_ex(routes, key, &route)) {
			cv_say(d, "  %s: no OSPF route to %s's VIPA %s\n",
			    r->node, t->guests[g].name, key);
			rc = -1;
			continue;
		}
		if (r->guest < 0 || r->guest == (int)g ||
		    topo_expect_vipa_route(t, NULL, r->guest, (int)g,
		    &want) == -1)
			continue;
		if (!json_object_object_get_ex(route, "cost", &cost) ||
		    json_object_get_int(cost) != (int)want.cost ||
		    !cv_nexthops_match(route, &want)) {
			cv_say(d, "  %s: route to %s's VIPA %s is not yet cost "
			    "%u over %zu path(s) via %s%s%s\n", r->node,
			    t->guests[g].name, key, want.cost, want.npaths,
			    want.ifname[0], want.npaths > 1 ? ", " : "",
			    want.npaths > 1 ? want.ifname[1] : "");
			rc = -1;
		}
	}
	return rc;
}

/* Is this router converged?  Problems go to d. */
static int
cv_check(const struct topo *t, const char *lab, struct cv_router *r,
    struct cv_diag *d)
{
	json_object	*nj, *rj, *nbrs;
	char		 path[600];
	int		 rc = 0;

	if (r->vty == NULL) {
		labname_nodedir(lab, r->node, path, sizeof(path));
		strncat(path, "/ospfd.vty", sizeof(path) - strlen(path) - 1);
		if ((r->vty = vty_open(path)) == NULL) {
			cv_say(d, "  %s: ospfd not answering on %s\n", r->node,
			    path);
			return -1;
		}
	}
	nj = vty_json(r->vty, "show ip ospf neighbor json");
	rj = vty_json(r->vty, "show ip ospf route json");
	if (nj == NULL || rj == NULL) {
		cv_say(d, "  %s: ospfd gave no answer (%s)\n", r->node,
		    strerror(errno));
		vty_close(r->vty);
		r->vty = NULL;
		rc = -1;
		goto out;
	}
	if (!json_object_object_get_ex(nj, "neighbors", &nbrs))
		nbrs = nj;
	for (size_t i = 0; i < r->nadjs; i++)
		if (cv_check_adj(r, nbrs, &r->adjs[i], d) == -1)
			rc = -1;
	if (cv_check_routes(t, r, rj, d) == -1)
		rc = -1;
out:
	json_object_put(nj);
	json_object_put(rj);
	return rc;
}

static int
cv_routers(const struct topo *t, struct cv_router **out, size_t *n)
{
	struct cv_router	*rs;
	ssize_t			 k;

	*n = t->nguests + 1;
	if ((rs = calloc(*n, sizeof(*rs))) == NULL)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		rs[i].node = i == 0 ? t->abr.name : t->guests[i - 1].name;
		rs[i].guest = (int)i - 1;
		if ((k = topo_expect_adjacencies(t, NULL, rs[i].node,
		    &rs[i].adjs)) == -1) {
			free(rs);
			return -1;
		}
		rs[i].nadjs = (size_t)k;
	}
	*out = rs;
	return 0;
}

static void
cv_routers_free(struct cv_router *rs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vty_close(rs[i].vty);
		free(rs[i].adjs);
	}
	free(rs);
}

/* One pass over the routers not yet converged; returns how many are. */
static size_t
cv_pass(const struct topo *t, const char *lab, struct cv_router *rs,
    size_t n)
{
	struct cv_diag	quiet = { NULL, 0 };
	size_t		done = 0;

	for (size_t i = 0; i < n; i++) {
		if (!rs[i].done)
			rs[i].done = cv_check(t, lab, &rs[i], &quiet) == 0;
		done += rs[i].done;
	}
	return done;
}

/*
 * Wait up to timeout_s for convergence.  Returns 0 when converged, -1
 * on time-out or interrupt with a diagnosis on diag.
 */
int
converge_wait(const struct topo *t, const char *lab, unsigned timeout_s,
    bool quiet, FILE *diag)
{
	struct cv_router	*rs;
	struct cv_diag		 d = { diag, 0 };
	size_t			 n, done = 0;
	uint64_t		 t0 = clock_ms();
	bool			 tty = !quiet && isatty(fileno(diag));

	if (cv_routers(t, &rs, &n) == -1)
		return -1;
	while (!lab_was_interrupted() &&
	    clock_ms() - t0 < (uint64_t)timeout_s * 1000) {
		if ((done = cv_pass(t, lab, rs, n)) == n)
			break;
		if (tty)
			fprintf(diag, "\rnslab: waiting for OSPF: %zu of %zu "
			    "routers converged (%.1f s) ", done, n,
			    lab_secs(t0));
		proc_sleep_ms(CONVERGE_POLL_MS);
	}
	if (tty)
		fputc('\n', diag);
	if (done == n) {
		cv_routers_free(rs, n);
		return 0;
	}
	fprintf(diag, "nslab: [NSLAB-CONVERGE] lab %s not converged after "
	    "%.1f s (%zu of %zu routers); missing:\n", lab, lab_secs(t0),
	    done, n);
	for (size_t i = 0; i < n; i++)
		if (!rs[i].done)
			cv_check(t, lab, &rs[i], &d);
	cv_routers_free(rs, n);
	return -1;
}
