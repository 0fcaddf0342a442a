/*
 * kernel_fuzz.c: libFuzzer target for routecheck's netlink readers
 * (kernel.c): the answers to a link dump, a nexthop dump and a route
 * dump, as a router's namespace could send them.  The input is three
 * parts: two bytes, the length of the links part, two bytes, the length
 * of the nexthops part, then the parts, the rest being the routes.
 *
 * Beyond not crashing or reading past a message: every route read has a
 * prefix length of 0-32, a terminated kind and nexthop names, and its
 * nexthops name links the dump showed (or none); and the snapshot made
 * of them (links, kernel table) is one routecheck reads back
 * (rc_snap_to_json(), rc_snap_from_json()).
 */
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "routecheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* The next part of the input, copied so that reading past it is seen. */
static uint8_t *
fuzz_part(const uint8_t **data, size_t *len, size_t *n)
{
	uint8_t	*p;

	if (*n > *len)
		*n = *len;
	if ((p = malloc(*n ? *n : 1)) == NULL)
		abort();
	memcpy(p, *data, *n);
	*data += *n;
	*len -= *n;
	return p;
}

static size_t
fuzz_len(const uint8_t **data, size_t *len)
{
	size_t	n;

	if (*len < 2)
		return 0;
	n = (size_t)(*data)[0] << 8 | (*data)[1];
	*data += 2;
	*len -= 2;
	return n;
}

static void
fuzz_check(const struct rc_router *r)
{
	const struct rc_table	*t = &r->tables[RC_TABLE_KERNEL];
	const struct rc_route	*rt;
	size_t			 i, k;

	for (i = 0; i < t->n; i++) {
		rt = &t->v[i];
		if (rt->len > 32 || memchr(rt->kind, '\0',
		    sizeof(rt->kind)) == NULL)
			abort();
		for (k = 0; k < rt->nnh; k++)
			if (memchr(rt->nh[k].ifname, '\0',
			    sizeof(rt->nh[k].ifname)) == NULL ||
			    (rt->nh[k].ifname[0] != '\0' &&
			    rc_router_link(r, rt->nh[k].ifname) == NULL))
				abort();
	}
}

/* The snapshot of what was read loads again. */
static void
fuzz_round_trip(const struct rc_snap *s)
{
	struct rc_snap	*back;
	json_object	*j;
	char		 err[256];

	if ((j = rc_snap_to_json(s)) == NULL)
		abort();
	if ((back = rc_snap_from_json(j, err, sizeof(err))) == NULL)
		abort();
	rc_snap_free(back);
	json_object_put(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct rc_kernel	*k;
	struct rc_snap		*s;
	struct rc_router	*r;
	uint8_t			*links, *nhs, *routes;
	size_t			 nlinks, nnhs, nroutes;
	int			 rc;

	nlinks = fuzz_len(&data, &len);
	nnhs = fuzz_len(&data, &len);
	links = fuzz_part(&data, &len, &nlinks);
	nhs = fuzz_part(&data, &len, &nnhs);
	nroutes = len;
	routes = fuzz_part(&data, &len, &nroutes);
	if ((k = rc_kernel_new()) == NULL || (s = rc_snap_new("fuzz")) ==
	    NULL || (r = rc_snap_router_add(s, "R1")) == NULL)
		abort();
	rc = rc_kernel_parse(k, RTM_GETLINK, links, nlinks, NULL) == 0 &&
	    rc_kernel_parse(k, RTM_GETNEXTHOP, nhs, nnhs, NULL) == 0 &&
	    rc_kernel_links(k, r) == 0 &&
	    rc_kernel_parse(k, RTM_GETROUTE, routes, nroutes,
	    &r->tables[RC_TABLE_KERNEL]) == 0;
	if (rc) {
		r->collected = true;
		fuzz_check(r);
		fuzz_round_trip(s);
	}
	rc_snap_free(s);
	rc_kernel_close(k);
	free(links);
	free(nhs);
	free(routes);
	return 0;
}
