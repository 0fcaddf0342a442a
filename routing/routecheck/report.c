/*
 * report.c: the violations a check found, and what it looked at.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routecheck.h"

static const struct {
	const char	*name;
	const char	*title;
} rc_invs[RC_NINV + 1] = {
	[RC_INV_VIPA] = { "vipa",
	    "every VIPA in every OSPF table and kernel FIB" },
	[RC_INV_PATHS] = { "paths",
	    "VIPA routes: HiperSockets on one member, else trk1 and trk2" },
	[RC_INV_HSI_SUBNET] = { "hsi-subnet",
	    "a HiperSockets subnet is attached only on its member's guests" },
	[RC_INV_HSI_UP] = { "hsi-up",
	    "at most one HSI interface up, the one of the guest's member" },
	[RC_INV_DEFAULT] = { "default",
	    "default route inter-area via the ABR over both DC LANs" },
	[RC_INV_AGREE] = { "agree",
	    "OSPF table, zebra and kernel agree" },
	[RC_INV_EXPECT] = { "expect",
	    "tables equal the saved snapshot" },
};

const char *
rc_inv_name(int inv)
{
	return inv >= 1 && inv <= RC_NINV ? rc_invs[inv].name : NULL;
}

const char *
rc_inv_title(int inv)
{
	return inv >= 1 && inv <= RC_NINV ? rc_invs[inv].title : NULL;
}

void
rc_report_init(struct rc_report *r)
{
	memset(r, 0, sizeof(*r));
}

void
rc_report_free(struct rc_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].expected);
		free(r->v[i].found);
	}
	free(r->v);
	free(r->checked);
	rc_report_init(r);
}

int
rc_report_add(struct rc_report *r, int inv, const char *router,
    const char *prefix, const char *table, const char *expected,
    const char *found)
{
	struct rc_violation	*nv, *v;

	if ((nv = reallocarray(r->v, r->n + 1, sizeof(*nv))) == NULL)
		goto nomem;
	r->v = nv;
	v = &r->v[r->n];
	memset(v, 0, sizeof(*v));
	v->inv = inv;
	snprintf(v->router, sizeof(v->router), "%s", router ? router : "");
	snprintf(v->prefix, sizeof(v->prefix), "%s", prefix ? prefix : "");
	snprintf(v->table, sizeof(v->table), "%s", table ? table : "");
	v->expected = strdup(expected ? expected : "");
	v->found = strdup(found ? found : "");
	if (v->expected == NULL || v->found == NULL) {
		free(v->expected);
		free(v->found);
		goto nomem;
	}
	r->n++;
	return 0;
nomem:
	r->nomem = true;
	errno = ENOMEM;
	return -1;
}

void
rc_report_checked(struct rc_report *r, const char *router, int inv,
    unsigned long n)
{
	struct rc_checked	*nv;
	size_t			 i;

	if (inv < 1 || inv > RC_NINV)
		return;
	r->checks[inv] += n;
	for (i = 0; i < r->nchecked; i++)
		if (strcmp(r->checked[i].router, router) == 0)
			break;
	if (i == r->nchecked) {
		if ((nv = reallocarray(r->checked, r->nchecked + 1,
		    sizeof(*nv))) == NULL) {
			r->nomem = true;
			return;
		}
		r->checked = nv;
		memset(&nv[i], 0, sizeof(nv[i]));
		snprintf(nv[i].router, sizeof(nv[i].router), "%s", router);
		r->nchecked++;
	}
	r->checked[i].mask |= 1u << inv;
}

size_t
rc_report_count(const struct rc_report *r, int inv, const char *router)
{
	size_t	n = 0;

	for (size_t i = 0; i < r->n; i++)
		if ((inv == 0 || r->v[i].inv == inv) && (router == NULL ||
		    strcmp(r->v[i].router, router) == 0))
			n++;
	return n;
}
