/*
 * diff.c: a snapshot against a saved one, table by table, route by
 * route (both sides are sorted: one merge pass per table).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "routecheck.h"

#define DIFF_TEXT_MAX	1024

struct diff {
	struct rc_report *r;
	int		 added;
	int		 failed;
};

static void
diff_add(struct diff *d, const char *router, const char *prefix,
    const char *table, const char *expected, const char *found)
{
	if (rc_report_add(d->r, RC_INV_EXPECT, router, prefix, table, expected,
	    found) == -1)
		d->failed = 1;
	else
		d->added++;
}

/* "intra-area cost 2 via 172.0.9.100 hsi0"; zebra adds "not installed". */
static char *
diff_route_str(enum rc_table_kind k, const struct rc_route *rt, char *buf,
    size_t len)
{
	char	nh[DIFF_TEXT_MAX];

	rc_nexthops_str(rt->nh, rt->nnh, nh, sizeof(nh));
	/* A next-hop list longer than the line is cut short, on purpose. */
	if ((size_t)snprintf(buf, len, "%s %s %u%s via %s",
	    rt->kind[0] ? rt->kind : "?",
	    k == RC_TABLE_OSPF ? "cost" : "metric", rt->metric,
	    k == RC_TABLE_ZEBRA && !rt->installed ? " not installed" : "",
	    rt->nnh ? nh : "nothing") >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return buf;
}

static bool
diff_route_same(enum rc_table_kind k, const struct rc_route *a,
    const struct rc_route *b)
{
	return a->metric == b->metric && strcmp(a->kind, b->kind) == 0 &&
	    (k != RC_TABLE_ZEBRA || a->installed == b->installed) &&
	    rc_route_same_nexthops(a, b);
}

static int
diff_prefix_cmp(const struct rc_route *a, const struct rc_route *b)
{
	uint32_t	x = ntohl(a->dst.s_addr), y = ntohl(b->dst.s_addr);

	if (x != y)
		return x < y ? -1 : 1;
	return (int)a->len - (int)b->len;
}

static void
diff_one(struct diff *d, const char *router, enum rc_table_kind k,
    const struct rc_route *want, const struct rc_route *got)
{
	char	p[RC_PREFIX_MAX], w[DIFF_TEXT_MAX], g[DIFF_TEXT_MAX];
	const struct rc_route *any = want ? want : got;

	if (want != NULL && got != NULL && diff_route_same(k, want, got))
		return;
	if (want != NULL)
		diff_route_str(k, want, w, sizeof(w));
	else
		snprintf(w, sizeof(w), "absent");
	if (got != NULL)
		diff_route_str(k, got, g, sizeof(g));
	else
		snprintf(g, sizeof(g), "absent");
	diff_add(d, router, rc_prefix_str(any->dst, any->len, p, sizeof(p)),
	    rc_table_name(k), w, g);
}

static void
diff_table(struct diff *d, const char *router, enum rc_table_kind k,
    const struct rc_table *want, const struct rc_table *got)
{
	size_t	i = 0, j = 0;
	int	c;

	while (i < want->n || j < got->n) {
		if (i == want->n)
			c = 1;
		else if (j == got->n)
			c = -1;
		else
			c = diff_prefix_cmp(&want->v[i], &got->v[j]);
		if (c < 0)
			diff_one(d, router, k, &want->v[i++], NULL);
		else if (c > 0)
			diff_one(d, router, k, NULL, &got->v[j++]);
		else
			diff_one(d, router, k, &want->v[i++], &got->v[j++]);
	}
}

int
rc_diff(const struct rc_snap *want, const struct rc_snap *got,
    struct rc_report *r)
{
	struct diff	d = { r, 0, 0 };

	for (size_t i = 0; i < got->nrouters; i++) {
		const struct rc_router	*g = &got->routers[i];
		const struct rc_router	*w = rc_snap_router(want, g->name);

		if (!g->collected)
			continue;
		if (w == NULL || !w->collected) {
			diff_add(&d, g->name, "", "", w == NULL ?
			    "no such router in the snapshot" :
			    "not collected in the snapshot", "a router");
			continue;
		}
		for (int k = 0; k < RC_NTABLES; k++)
			if (w->tables[k].present && g->tables[k].present)
				diff_table(&d, g->name, k, &w->tables[k],
				    &g->tables[k]);
		rc_report_checked(r, g->name, RC_INV_EXPECT, RC_NTABLES);
	}
	return d.failed ? -1 : d.added;
}
