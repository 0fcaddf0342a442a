/*
 * snap.c: the snapshot model: routers, their tables, links and OSPF
 * interfaces, and where each guest lives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routecheck.h"

static const char *const rc_table_names[RC_NTABLES] = {
	[RC_TABLE_OSPF] = "ospf",
	[RC_TABLE_ZEBRA] = "zebra",
	[RC_TABLE_KERNEL] = "kernel",
};

const char *
rc_table_name(enum rc_table_kind k)
{
	return k < RC_NTABLES ? rc_table_names[k] : "?";
}

struct rc_snap *
rc_snap_new(const char *lab)
{
	struct rc_snap	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	snprintf(s->lab, sizeof(s->lab), "%s", lab ? lab : "");
	return s;
}

void
rc_table_clear(struct rc_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].nh);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

static void
rc_router_clear(struct rc_router *r)
{
	for (int k = 0; k < RC_NTABLES; k++)
		rc_table_clear(&r->tables[k]);
	free(r->links);
	free(r->oifs);
	free(r->error);
}

void
rc_snap_free(struct rc_snap *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nrouters; i++)
		rc_router_clear(&s->routers[i]);
	free(s->routers);
	free(s->res);
	free(s);
}

/*
 * Routers are few (one per guest) and added once, so the array grows by
 * one: pointers returned earlier stay valid only until the next add.
 */
struct rc_router *
rc_snap_router_add(struct rc_snap *s, const char *name)
{
	struct rc_router	*nv, *r;

	if (rc_snap_router(s, name) != NULL) {
		errno = EEXIST;
		return NULL;
	}
	if ((nv = reallocarray(s->routers, s->nrouters + 1,
	    sizeof(*nv))) == NULL)
		return NULL;
	s->routers = nv;
	r = &s->routers[s->nrouters++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

const struct rc_router *
rc_snap_router(const struct rc_snap *s, const char *name)
{
	for (size_t i = 0; i < s->nrouters; i++)
		if (strcmp(s->routers[i].name, name) == 0)
			return &s->routers[i];
	errno = ENOENT;
	return NULL;
}

int
rc_snap_residency_set(struct rc_snap *s, const char *guest,
    const char *member)
{
	struct rc_residency	*nv, *e = NULL;

	for (size_t i = 0; i < s->nres; i++)
		if (strcmp(s->res[i].guest, guest) == 0)
			e = &s->res[i];
	if (e == NULL) {
		if ((nv = reallocarray(s->res, s->nres + 1,
		    sizeof(*nv))) == NULL)
			return -1;
		s->res = nv;
		e = &s->res[s->nres++];
		snprintf(e->guest, sizeof(e->guest), "%s", guest);
	}
	snprintf(e->member, sizeof(e->member), "%s", member);
	return 0;
}

const char *
rc_snap_residency(const struct rc_snap *s, const char *guest)
{
	for (size_t i = 0; i < s->nres; i++)
		if (strcmp(s->res[i].guest, guest) == 0)
			return s->res[i].member;
	errno = ENOENT;
	return NULL;
}

void
rc_router_fail(struct rc_router *r, const char *fmt, ...)
{
	va_list	ap;
	char	*msg;

	r->collected = false;
	if (r->error != NULL)	/* the first reason is the one to fix */
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	r->error = msg != NULL ? msg : strdup("out of memory");
}

int
rc_router_link_add(struct rc_router *r, const char *name, bool up,
    bool running)
{
	struct rc_link	*nv, *l;

	if ((nv = reallocarray(r->links, r->nlinks + 1, sizeof(*nv))) == NULL)
		return -1;
	r->links = nv;
	l = &r->links[r->nlinks++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->up = up;
	l->running = running;
	return 0;
}

const struct rc_link *
rc_router_link(const struct rc_router *r, const char *name)
{
	for (size_t i = 0; i < r->nlinks; i++)
		if (strcmp(r->links[i].name, name) == 0)
			return &r->links[i];
	return NULL;
}

int
rc_router_ospf_if_add(struct rc_router *r, const struct rc_ospf_if *oif)
{
	struct rc_ospf_if	*nv;

	if ((nv = reallocarray(r->oifs, r->noifs + 1, sizeof(*nv))) == NULL)
		return -1;
	r->oifs = nv;
	r->oifs[r->noifs++] = *oif;
	return 0;
}

const struct rc_ospf_if *
rc_router_ospf_if(const struct rc_router *r, const char *name)
{
	for (size_t i = 0; i < r->noifs; i++)
		if (strcmp(r->oifs[i].name, name) == 0)
			return &r->oifs[i];
	return NULL;
}

struct rc_route *
rc_table_add(struct rc_table *t, struct in_addr dst, uint8_t len)
{
	struct rc_route	*r, *nv;
	size_t		 ncap;

	if (t->n == t->cap) {
		ncap = t->cap ? t->cap * 2 : 32;
		if ((nv = reallocarray(t->v, ncap, sizeof(*nv))) == NULL)
			return NULL;
		t->v = nv;
		t->cap = ncap;
	}
	r = &t->v[t->n++];
	memset(r, 0, sizeof(*r));
	r->dst = dst;
	r->len = len;
	return r;
}

int
rc_route_nexthop_add(struct rc_route *r, struct in_addr gw,
    const char *ifname)
{
	struct rc_nexthop	*nv;

	if ((nv = reallocarray(r->nh, r->nnh + 1, sizeof(*nv))) == NULL)
		return -1;
	r->nh = nv;
	memset(&r->nh[r->nnh], 0, sizeof(r->nh[0]));
	r->nh[r->nnh].gw = gw;
	snprintf(r->nh[r->nnh].ifname, sizeof(r->nh[0].ifname), "%s",
	    ifname ? ifname : "");
	r->nnh++;
	return 0;
}

static int
rc_nexthop_cmp(const void *a, const void *b)
{
	const struct rc_nexthop	*x = a, *y = b;
	uint32_t		 xa = ntohl(x->gw.s_addr);
	uint32_t		 ya = ntohl(y->gw.s_addr);
	int			 c = strcmp(x->ifname, y->ifname);

	if (c != 0)
		return c;
	return xa < ya ? -1 : xa > ya;
}

static int
rc_prefix_cmp(struct in_addr a, uint8_t alen, struct in_addr b,
    uint8_t blen)
{
	uint32_t	x = ntohl(a.s_addr), y = ntohl(b.s_addr);

	if (x != y)
		return x < y ? -1 : 1;
	return (int)alen - (int)blen;
}

static int
rc_route_cmp(const void *a, const void *b)
{
	const struct rc_route	*x = a, *y = b;

	return rc_prefix_cmp(x->dst, x->len, y->dst, y->len);
}

void
rc_table_sort(struct rc_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].nnh > 1)
			qsort(t->v[i].nh, t->v[i].nnh, sizeof(*t->v[i].nh),
			    rc_nexthop_cmp);
	if (t->n > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(t->v, t->n, sizeof(*t->v), rc_route_cmp);
}

const struct rc_route *
rc_table_find(const struct rc_table *t, struct in_addr dst, uint8_t len)
{
	size_t	lo = 0, hi = t->n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = rc_prefix_cmp(dst, len, t->v[mid].dst, t->v[mid].len);
		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

bool
rc_route_same_nexthops(const struct rc_route *a, const struct rc_route *b)
{
	if (a->nnh != b->nnh)
		return false;
	for (size_t i = 0; i < a->nnh; i++)
		if (rc_nexthop_cmp(&a->nh[i], &b->nh[i]) != 0)
			return false;
	return true;
}

bool
rc_route_attached(const struct rc_route *r)
{
	for (size_t i = 0; i < r->nnh; i++)
		if (r->nh[i].gw.s_addr != INADDR_ANY)
			return false;
	return r->nnh > 0;
}

char *
rc_prefix_str(struct in_addr dst, uint8_t len, char *buf, size_t size)
{
	char	a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &dst, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, len);
	return buf;
}

int
rc_prefix_parse(const char *s, struct in_addr *dst, uint8_t *len)
{
	char		 a[INET_ADDRSTRLEN], *end;
	const char	*slash = strchr(s, '/');
	size_t		 n = slash ? (size_t)(slash - s) : strlen(s);
	long		 l = 32;

	if (n == 0 || n >= sizeof(a))
		goto bad;
	memcpy(a, s, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, dst) != 1)
		goto bad;
	if (slash != NULL) {
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || l < 0 || l > 32)
			goto bad;
	}
	*len = (uint8_t)l;
	if (l < 32)
		dst->s_addr &= htonl(l == 0 ? 0 : ~0u << (32 - l));
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

char *
rc_nexthops_str(const struct rc_nexthop *nh, size_t n, char *buf,
    size_t size)
{
	char	a[INET_ADDRSTRLEN];
	size_t	off = 0;
	int	w;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++) {
		if (nh[i].gw.s_addr == INADDR_ANY)
			w = snprintf(buf + off, size - off, "%sattached %s",
			    i ? ", " : "", nh[i].ifname);
		else
			w = snprintf(buf + off, size - off, "%s%s %s",
			    i ? ", " : "", inet_ntop(AF_INET, &nh[i].gw, a,
			    sizeof(a)), nh[i].ifname);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}
