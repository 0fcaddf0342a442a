/*
 * plan.c: which guests of a workload group move, from where, to where.
 *
 * The group's guests are those the topology puts in it (their names
 * match its pattern; patterns of different groups may overlap, so the
 * pattern alone does not say); ALL takes every group, one after the
 * other, each guest once, in its own group.  The source is --from, or
 * every member where a guest of the group runs (but the destination).
 * The destination is --to, or the allowed member of the group, other
 * than the guest's own, with the most free memory (after the guests
 * already planned there); only joined members qualify.
 *
 * Waves (plan_waves): the guests that move together, one routing change
 * to drain them all and one to bring them up.  A wave stays inside one
 * workload group (a group's guests share its relocation domain and its
 * order in ALL), and holds only HSI guests or only guests without HSI
 * interfaces: the latter need no routing change at all, and an HSI
 * wave fills with guests that do.  Pure: no I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgrd.h"

static bool
plan_allowed(const struct topo_group *g, int member)
{
	for (size_t i = 0; i < g->nmembers; i++)
		if (g->member_idx[i] == member)
			return true;
	return false;
}

/* The allowed, joined member other than src with the most free memory. */
static int
plan_dest(const struct plan_input *in, const struct topo_group *g, int src)
{
	int	best = -1;

	for (size_t i = 0; i < g->nmembers; i++) {
		int	m = g->member_idx[i];

		if (m < 0 || m == src || !in->members[m].joined)
			continue;
		if (best == -1 ||
		    in->members[m].free_mib > in->members[best].free_mib)
			best = m;
	}
	return best;
}

static bool
plan_on_source(const struct plan_input *in, int guest)
{
	int	r = in->residency[guest];

	if (r < 0)
		return false;
	if (in->from >= 0)
		return r == in->from;
	return r != in->to;
}

static int
plan_group(const struct plan_input *in, int gi, struct plan_item *items,
    size_t *n, enum plan_error *err, char *errbuf, size_t len)
{
	const struct topo_group	*g = &in->t->groups[gi];
	const struct topo_guest	*gu;
	struct plan_item	*it;

	if (in->to >= 0 && !plan_allowed(g, in->to))
		return 0;	/* ALL: a group that may not go there */
	for (size_t i = 0; i < in->t->nguests; i++) {
		gu = &in->t->guests[i];
		if (gu->group != gi || !plan_on_source(in, (int)i))
			continue;
		it = &items[(*n)++];
		it->guest = (int)i;
		it->src = in->residency[i];
		it->group = gi;
		it->hsi = topo_guest_has_hsi(gu);
		it->dst = in->to >= 0 ? in->to : plan_dest(in, g, it->src);
		if (it->dst < 0) {
			*err = PLAN_E_NODEST;
			snprintf(errbuf, len, "guest %s: no joined member of "
			    "group %s to move to from %s", gu->name, g->name,
			    in->t->members[it->src].name);
			return -1;
		}
		in->members[it->dst].free_mib -= (int64_t)gu->memory_mib;
	}
	return 0;
}

static int
plan_check_members(const struct plan_input *in, int gi, enum plan_error *err,
    char *errbuf, size_t len)
{
	const struct topo_group	*g = &in->t->groups[gi];

	if (in->from >= 0 && !plan_allowed(g, in->from)) {
		*err = PLAN_E_FROM;
		snprintf(errbuf, len, "workload %s does not run on %s (allowed "
		    "members of %s:", g->name, in->t->members[in->from].name,
		    g->name);
	} else if (in->to >= 0 && !plan_allowed(g, in->to)) {
		*err = PLAN_E_TO;
		snprintf(errbuf, len, "workload %s may not move to %s (allowed "
		    "members of %s:", g->name, in->t->members[in->to].name,
		    g->name);
	} else
		return 0;
	for (size_t i = 0; i < g->nmembers; i++) {
		size_t	n = strlen(errbuf);

		snprintf(errbuf + n, len - n, " %s", g->members[i]);
	}
	snprintf(errbuf + strlen(errbuf), len - strlen(errbuf), ")");
	return -1;
}

static void
plan_unknown(const struct plan_input *in, char *errbuf, size_t len)
{
	size_t	n;

	snprintf(errbuf, len, "unknown workload %s (known: ALL", in->workload);
	for (size_t i = 0; i < in->t->ngroups; i++) {
		n = strlen(errbuf);
		snprintf(errbuf + n, len - n, ", %s", in->t->groups[i].name);
	}
	n = strlen(errbuf);
	snprintf(errbuf + n, len - n, ")");
}

ssize_t
plan_make(const struct plan_input *in, struct plan_item **items,
    enum plan_error *err, char *errbuf, size_t len)
{
	struct plan_item	*v;
	size_t			 n = 0;
	bool			 all = strcmp(in->workload, "ALL") == 0;
	int			 gi, one = topo_group_find(in->t, in->workload);

	*items = NULL;
	*err = PLAN_OK;
	if (!all && one == -1) {
		*err = PLAN_E_WORKLOAD;
		plan_unknown(in, errbuf, len);
		return -1;
	}
	if ((v = calloc(in->t->nguests + 1, sizeof(*v))) == NULL)
		return -1;
	for (gi = 0; gi < (int)in->t->ngroups; gi++) {
		if (!all && gi != one)
			continue;
		if (!all && plan_check_members(in, gi, err, errbuf, len) == -1)
			goto fail;
		if (plan_group(in, gi, v, &n, err, errbuf, len) == -1)
			goto fail;
	}
	if (n == 0) {
		*err = PLAN_E_EMPTY;
		snprintf(errbuf, len, "no guest of workload %s runs on %s",
		    in->workload, in->from >= 0 ? in->t->members[in->from].name :
		    "the source members");
		goto fail;
	}
	*items = v;
	return (ssize_t)n;
fail:
	free(v);
	return -1;
}

/* --- waves ---------------------------------------------------------------- */

/* Wave numbers for the items of one group, [first, end): its HSI guests
 * first, size at a time, then the others; returns the next wave. */
static int
plan_group_waves(struct plan_item *items, size_t first, size_t end,
    unsigned size, int wave)
{
	for (int pass = 0; pass < 2; pass++) {
		bool		hsi = pass == 0;
		unsigned	in = 0;

		for (size_t i = first; i < end; i++) {
			if (items[i].hsi != hsi)
				continue;
			if (in == size) {
				wave++;
				in = 0;
			}
			items[i].wave = wave;
			in++;
		}
		if (in > 0)
			wave++;
	}
	return wave;
}

/* Stable: by wave, the plan's order within a wave (n is small). */
static void
plan_wave_sort(struct plan_item *items, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct plan_item	v = items[i];
		size_t			k = i;

		for (; k > 0 && items[k - 1].wave > v.wave; k--)
			items[k] = items[k - 1];
		items[k] = v;
	}
}

int
plan_waves(struct plan_item *items, size_t n, unsigned size)
{
	size_t	first = 0;
	int	wave = 1;

	if (size == 0)
		size = 1;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && items[i].group == items[first].group)
			continue;
		wave = plan_group_waves(items, first, i, size, wave);
		first = i;
	}
	plan_wave_sort(items, n);
	return wave - 1;
}
